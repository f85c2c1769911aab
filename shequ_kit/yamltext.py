"""YAML as every rules and parameters file is read: safe tags only, parsed by libyaml
when PyYAML was built with it (ten times faster than the pure-Python parser, and every
kernel of a batch reads the rules files again)."""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["SafeLoader", "load"]

#: The loader for a file that must not build Python objects (``!!python/…`` is refused).
SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> Any:
    """The document in ``text``: mappings, lists, strings, numbers, dates."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader

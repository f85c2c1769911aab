"""A file-system error in the analyst's words.

Python's ``OSError`` speaks English ("No space left on device"); a street office's
analyst reads the batch's log and manifest in Chinese. The wording is data
(``rules/os_errors.yaml``), keyed by errno name.
"""

from __future__ import annotations

import errno
from functools import cache
from pathlib import Path

from . import yamltext

__all__ = ["describe"]

RULES_FILE = Path(__file__).resolve().parent / "rules" / "os_errors.yaml"


@cache
def _wording() -> dict[str, str]:
    data = yamltext.load(RULES_FILE.read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in data.items()}


def describe(exc: BaseException) -> str:
    """The Chinese reason for a failed file operation; never the English strerror, and
    never the file name (it may hold a 社区名称 the caller already names)."""
    words = _wording()
    code = getattr(exc, "errno", None)
    name = errno.errorcode.get(code, "") if isinstance(code, int) else ""
    if name in words:
        return words[name]
    return words["其他"].format(代码=name or type(exc).__name__)

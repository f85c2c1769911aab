"""What a report depends on, as hashes, so a re-run rebuilds only what changed.

An analyst re-runs the batch after a community resubmits one workbook; only that
community's summary and its street's overview should be rebuilt. File times are not
trusted (workbooks arrive by mail and USB stick, copied with fresh times), so every input
is hashed by content. The package's own source is hashed too: an editable install keeps
its version number while its code changes, and changed code may change every report.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

__all__ = [
    "PACKAGE_DIR",
    "combine",
    "community_inputs",
    "file_digest",
    "overview_inputs",
    "package_digest",
]

PACKAGE_DIR = Path(__file__).resolve().parent
# Everything in the package that can change a report: code, rules data, export templates.
_PACKAGE_SUFFIXES = (".py", ".yaml", ".yml", ".j2", ".json", ".css", ".tpl")


def file_digest(path: Path | str | None) -> str | None:
    """sha256 of a file's bytes; None when there is no such file (an absent input is a
    state of its own: adding the file later must rebuild)."""
    if path is None:
        return None
    p = Path(path)
    if not p.is_file():
        return None
    h = hashlib.sha256()
    with p.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _tree_digest(root: Path, suffixes: Iterable[str]) -> str:
    h = hashlib.sha256()
    wanted = tuple(suffixes)
    for p in sorted(root.rglob("*")):
        if not p.is_file() or "__pycache__" in p.parts or not p.name.endswith(wanted):
            continue
        h.update(p.relative_to(root).as_posix().encode("utf-8") + b"\0")
        h.update((file_digest(p) or "").encode("ascii") + b"\0")
    return h.hexdigest()


@lru_cache(maxsize=4)
def package_digest(root: Path = PACKAGE_DIR) -> str:
    """One hash over the package's code, rules YAML and templates (cached per process:
    the code of a running batch does not change under it)."""
    return _tree_digest(root, _PACKAGE_SUFFIXES)


def combine(parts: Mapping[str, object]) -> str:
    """One digest for a mapping of named inputs (order-independent, JSON-stable)."""
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _params_file(params_dir: Path | None, community: str, street: str | None = None
                 ) -> Path | None:
    from .params import ParamsError, community_file

    try:
        return community_file(params_dir, community, street)
    except ParamsError:  # both .yaml and .yml: the report fails on it anyway
        return None


def community_inputs(
    community: str,
    workbooks: list[Path],
    params_dir: Path | None,
    notebook: Path,
    options: Mapping[str, object] | None = None,
    street: str | None = None,
    earlier: list[Path] | None = None,
) -> dict[str, object]:
    """The named inputs of one community's summary.

    ``workbooks`` is this year's workbook first, then last year's when there is one (the
    同比 figures read it). ``options`` holds the run's choices that change the files
    written (year, formats). ``earlier``: the workbooks of the years before last that the
    近三年 look-back read (named only when there are some, so a two-year street keeps its
    fingerprints).
    """
    current = workbooks[0] if workbooks else None
    previous = workbooks[1] if len(workbooks) > 1 else None
    out: dict[str, object] = {
        "workbook": file_digest(current),
        "previous_workbook": file_digest(previous),
        "defaults": file_digest(params_dir / "defaults.yaml") if params_dir else None,
        "params": file_digest(_params_file(params_dir, community, street)),
        "notebook": file_digest(notebook),
        "package": package_digest(),
        "options": dict(options or {}),
    }
    # An adopted plan draft (parameters/<社区名称>.<年>.yaml), only where one is.
    year = (options or {}).get("year")
    if params_dir and isinstance(year, int):
        from .params import ParamsError, year_file

        try:
            adopted = year_file(params_dir, community, year, street)
        except ParamsError:
            adopted = None
        if adopted is not None:
            out["params_year"] = file_digest(adopted)
    # A district's street defaults (parameters/<街道>/defaults.yaml), only where one is.
    street_defaults = params_dir / street / "defaults.yaml" if params_dir and street else None
    if street_defaults is not None and street_defaults.is_file():
        out["street_defaults"] = file_digest(street_defaults)
    if earlier:
        out["earlier_workbooks"] = [file_digest(p) for p in earlier]
    return out


def overview_inputs(
    members: Mapping[str, str | None],
    failed: Mapping[str, str],
    params_dir: Path | None,
    notebook: Path,
    options: Mapping[str, object] | None = None,
) -> dict[str, object]:
    """The named inputs of a street overview: every member community's digest (None for
    a community that could not be read) and the reasons shown for failed ones."""
    return {
        "communities": dict(sorted(members.items())),
        "failed": dict(sorted(failed.items())),
        "defaults": file_digest(params_dir / "defaults.yaml") if params_dir else None,
        "notebook": file_digest(notebook),
        "package": package_digest(),
        "options": dict(options or {}),
    }

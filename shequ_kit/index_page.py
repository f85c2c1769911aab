"""The street index: ``OUT/<年>/index.html``, one page listing every report of a year.

The analyst puts the output folder on a file share and leadership opens it from there;
a folder of nested Chinese file names is hard to find one's way in. So every run writes a
page built from the manifest only (no kernel, no ledger): each community and overview
with its status (完成/沿用/失败/超时), relative links to whatever files the manifest lists
(PDF, Word, HTML, notebook) and to the 数据核对单 beside a summary, each failure's Chinese
reason, the generation time and the kit's version.

The page is self-contained (inline CSS, no script, no font or file from the network):
it must open on an office PC without internet, straight from the share. It passes the
personal-data guard before it is written; its wording is data (rules/index_page.yaml).
"""

from __future__ import annotations

import html as _html
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import __version__, guard, period, report, yamltext

__all__ = ["INDEX", "index_html", "write_index"]

INDEX = "index.html"
RULES = Path(__file__).resolve().parent / "rules" / "index_page.yaml"
CHECKLIST_MARK = "数据核对单"

_CSS = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei",
       "PingFang SC", sans-serif; margin: 2em auto; max-width: 64em; color: #222;
       line-height: 1.6; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
p.meta { color: #555; margin: .2em 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: .35em .6em; text-align: left;
         vertical-align: top; }
th { background: #f2f2f2; }
td.status { white-space: nowrap; font-weight: bold; }
tr.s-done td.status { color: #1a7f37; }
tr.s-kept td.status { color: #0b5394; }
tr.s-failed td.status, tr.s-late td.status { color: #b3261e; }
td:first-child, td.status, a { white-space: nowrap; }
a { margin-right: .8em; }
"""

# The one line that changes on every run; an index equal apart from it is not rewritten.
_GENERATED = re.compile(r'<p class="meta generated">[^<]*</p>')
_STATUS_CLASS = {"完成": "s-done", "沿用": "s-kept", "失败": "s-failed", "超时": "s-late"}


@lru_cache(maxsize=1)
def _words() -> dict[str, Any]:
    return yamltext.load(RULES.read_text(encoding="utf-8"))


def _status(entry: dict[str, Any]) -> str:
    words = _words()
    raw = str(entry.get("status") or "")
    shown = words["status"].get(raw, raw)
    if raw == "失败" and str(entry.get("reason") or "").startswith(report.TIMEOUT_MARK):
        return words["timeout"]
    return shown


def _href(target: Path, year_dir: Path) -> str:
    """A link relative to the index's own folder, percent-encoded: Chinese names, spaces
    and ``#`` survive a file share and any browser."""
    try:
        rel = target.relative_to(year_dir).as_posix()
    except ValueError:
        rel = target.as_posix()
    return quote(rel, safe="/")


def _link(target: Path, year_dir: Path, text: str) -> str:
    return (f'<a href="{_html.escape(_href(target, year_dir))}">{_html.escape(text)}</a>')


def _files(entry: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    outputs = entry.get("outputs") or {}
    return {str(ext): out_dir / str(rel) for ext, rel in outputs.items() if rel}


def _ordered(files: dict[str, Path]) -> list[tuple[str, Path]]:
    order = list(_words()["formats"])
    return sorted(files.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order
                                                 else len(order), kv[0]))


def _checklist_ends(entry: dict[str, Any]) -> tuple[str, ...] | None:
    """How the names of the entry's period's 数据核对单 end (checklist.checklist_title:
    2024年数据核对单 or 2024年上半年数据核对单 for a year, 2024年第15周数据核对单 …); None when
    the entry names no period (a manifest from before periods): every list is shown."""
    key = entry.get("period")
    if not key:
        return None
    try:
        own = period.parse_period(str(key))
    except period.PeriodError:
        return None
    if own.kind == period.YEAR:
        return (f"{own.year}年{CHECKLIST_MARK}", f"{own.year}年上半年{CHECKLIST_MARK}")
    return (f"{own.words()['标题词']}{CHECKLIST_MARK}",)


def _checklists(entry: dict[str, Any], files: dict[str, Path], year_dir: Path) -> list[Path]:
    """The 数据核对单 files in the community's folder (beside its report, or where the
    report would have gone when it failed)."""
    if entry.get("kind") != "community":
        return []
    folder = next(iter(files.values())).parent if files else \
        year_dir.joinpath(*str(entry.get("name") or "").split("/"))
    try:
        found = [p for p in folder.iterdir()
                 if p.is_file() and CHECKLIST_MARK in p.stem and not p.name.startswith(".")]
    except OSError:
        return []
    ends = _checklist_ends(entry)
    if ends is not None:  # the list of this entry's own period, not a week's beside a year's
        found = [p for p in found if p.stem.endswith(ends)]
    order = list(_words()["formats"])
    return sorted(found, key=lambda p: (order.index(p.suffix[1:]) if p.suffix[1:] in order
                                        else len(order), p.name))


def _row(entry: dict[str, Any], out_dir: Path, year_dir: Path) -> tuple[str, str]:
    words = _words()
    status = _status(entry)
    files = _files(entry, out_dir)
    shown = [(ext, p) for ext, p in _ordered(files) if p.is_file()]
    name = str(entry.get("name") or "")
    if entry.get("title"):  # a 文种 other than the summary: its own title names it
        name = str(entry["title"])
    elif entry.get("doc"):
        name = f"{name}：{entry['doc']}"
    if entry.get("kind") == "overview" and not entry.get("title"):
        stem = next((p.stem for _, p in shown), "")
        name = stem or name
    links = " ".join(_link(p, year_dir, words["formats"].get(ext, ext.upper()))
                     for ext, p in shown) or words["no_files"]
    checks = " ".join(_link(p, year_dir, words["formats"].get(p.suffix[1:],
                                                              p.suffix[1:].upper()))
                      for p in _checklists(entry, files, year_dir)) or words["no_files"]
    note = ""
    if entry.get("status") == "失败" and entry.get("reason"):
        note = words["failed_note"].format(reason=entry["reason"])
    elif entry.get("status") == "跳过":
        note = words["kept_note"]
    cells = (f"<td>{_html.escape(name)}</td><td class=\"status\">{_html.escape(status)}</td>"
             f"<td>{links}</td><td>{checks}</td><td>{_html.escape(note)}</td>")
    return status, f'<tr class="{_STATUS_CLASS.get(status, "")}">{cells}</tr>'


def index_html(manifest: dict[str, Any], out_dir: Path | str,
               now: datetime | None = None) -> str:
    """The index page of one year's manifest (``OUT/<年>/manifest.json`` as a dict);
    ``out_dir`` is the run's output folder (the manifest's paths are relative to it)."""
    words = _words()
    out = Path(out_dir)
    year = manifest.get("year")
    year_dir = out / str(year)
    now = now or datetime.now().astimezone()
    reports = manifest.get("reports") or {}
    tables: list[str] = []
    counts = {"完成": 0, "沿用": 0, "失败": 0, "超时": 0}
    head = "".join(f"<th>{_html.escape(c)}</th>" for c in words["columns"])
    for kind in ("overview", "community"):
        entries = sorted((e for e in reports.values()
                          if isinstance(e, dict) and e.get("kind") == kind),
                         key=lambda e: str(e.get("name") or ""))
        if not entries:
            continue
        rows = []
        for entry in entries:
            status, row = _row(entry, out, year_dir)
            counts[status] = counts.get(status, 0) + 1
            rows.append(row)
        tables.append(f"<h2>{_html.escape(words['sections'][kind])}</h2>"
                      f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}"
                      "</tbody></table>")
    total = sum(counts.values())
    summary = words["counts"].format(total=total, done=counts["完成"], kept=counts["沿用"],
                                     failed=counts["失败"], late=counts["超时"]) \
        if total else words["no_reports"]
    title = words["title"].format(year=year)
    stamp = f"{now.year}年{now.month}月{now.day}日 {now:%H:%M}"
    generated = words["generated"].format(time=stamp, version=__version__)
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{_html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            f"<h1>{_html.escape(title)}</h1>\n"
            f"<p class=\"meta generated\">{_html.escape(generated)}</p>\n"
            f"<p class=\"meta\">{_html.escape(summary)}</p>\n"
            f"<p class=\"meta\">{_html.escape(words['intro'])}</p>\n"
            + "\n".join(tables) + "\n</body>\n</html>\n")


def write_index(manifest: dict[str, Any], out_dir: Path | str, index: guard.PersonalLookup,
                now: datetime | None = None) -> Path:
    """Build, check with the personal-data guard (raises guard.PersonalDataError, naming
    no value) and write ``OUT/<年>/index.html`` atomically. Returns its path.

    A page that differs from the one on disk only in its generation time is not
    rewritten: an unchanged re-run rewrites no file (the share's backups and the
    batch's own up-to-date check rely on that)."""
    page = index_html(manifest, out_dir, now)
    guard.check_html(page, index, where="报告索引页")
    target = Path(out_dir) / str(manifest.get("year")) / INDEX
    try:
        old = target.read_text(encoding="utf-8")
    except (OSError, ValueError):
        old = None
    if old is not None and _GENERATED.sub("", old) == _GENERATED.sub("", page):
        return target
    report.write_outputs({target: page.encode("utf-8")})
    return target

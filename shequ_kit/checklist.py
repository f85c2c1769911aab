"""The 数据核对单: every problem found in a community's ledgers, for the analyst.

A leader reads the summary and its 附：数据说明; a check-digit error on row 14 or a
志愿者编号 missing from the 名册 means nothing to them, but it is exactly what the analyst
has to take back to the community. So the report carries one line ("N条记录因填写问题未计
入统计，详见数据核对单") and this module writes the list itself beside the report:
``<社区名称><期间>数据核对单.html`` and ``.xlsx``, one row per problem with file, sheet,
row, column, the masked value and the message.

Values are the reader's already-masked ones (Problem.value never holds a raw ID, phone or
name), and the finished file still passes the personal-data guard before it is written.
"""

from __future__ import annotations

import html as _html
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import guard
from .model import ERROR, Problem
from .schema import SHEETS

__all__ = ["COLUMNS", "checklist_title", "checklist_rows", "checklist_html",
           "checklist_xlsx", "checklist_paths", "checklist_files"]

COLUMNS = ("序号", "类别", "文件", "台账", "行号", "列", "填写内容（已脱敏）", "问题说明", "处理情况")
# What happened to the record: an error left its row out of the figures; what a warning
# did (kept the row, or left a date outside the period uncounted) its message says.
HANDLING = {ERROR: "未计入统计", "警告": "请核对"}
# Sheets in the workbook's own order (ledgers.md), as the analyst pages through them.
SHEET_ORDER = {s.name: i for i, s in enumerate(SHEETS)}


def checklist_title(community: str, year: int, half_year: bool,
                    period: dict[str, Any] | None = None) -> str:
    """天运社区2024年数据核对单 / 天运社区2024年上半年数据核对单 / 天运社区2024年第15周数据核对单:
    named like the report it belongs to. Its rows are that run's (a target's 条件 warning
    is judged over the run's window), so a weekly or monthly run writes its own list
    beside its own report and never replaces the annual one. ``period`` is the facts'
    period dict (None for the default run; a named whole year keeps the default name)."""
    if period and period.get("kind") != "year":
        return f"{community}{period['words']['标题词']}数据核对单"
    return f"{community}{year}年{'上半年' if half_year else ''}数据核对单"


def _as_dict(p: Problem | dict[str, Any]) -> dict[str, Any]:
    return p.to_dict() if isinstance(p, Problem) else dict(p)


def checklist_rows(problems: Iterable[Problem | dict[str, Any]]) -> list[list[str]]:
    """One row per problem: errors first, then warnings, each in file, sheet (the
    workbook's order) and row order; a problem of a whole sheet comes before its rows."""
    items = [_as_dict(p) for p in problems]
    items.sort(key=lambda d: (d.get("severity") != ERROR, str(d.get("file") or ""),
                              SHEET_ORDER.get(str(d.get("sheet") or ""), len(SHEET_ORDER)),
                              d.get("row") if isinstance(d.get("row"), int) else 0))
    rows = []
    for i, d in enumerate(items, 1):
        severity = str(d.get("severity") or "")
        row = d.get("row")
        rows.append([str(i), severity, str(d.get("file") or ""), str(d.get("sheet") or ""),
                     f"第{row}行" if isinstance(row, int) else "—",
                     str(d.get("column") or ""), str(d.get("value") or ""),
                     str(d.get("message") or ""), HANDLING.get(severity, "请核对")])
    return rows


def checklist_html(title: str, rows: list[list[str]]) -> str:
    """A standalone HTML page (opens in any browser, prints on A4 landscape)."""
    esc = lambda x: _html.escape(str(x), quote=True)  # noqa: E731 - a local shorthand
    head = "".join(f"<th>{esc(c)}</th>" for c in COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
    errors = sum(1 for r in rows if r[1] == ERROR)
    lead = (f"共{len(rows)}项，其中错误{errors}项（相应记录未计入统计）、"
            f"提示{len(rows) - errors}项（请按问题说明核对）。" if rows
            else "本期台账未发现需要核对的问题。")
    return ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{esc(title)}</title><style>@page{{size:A4 landscape}}"
            "body{font-family:sans-serif;font-size:12px}table{border-collapse:collapse}"
            "th,td{border:1px solid #999;padding:2px 6px;text-align:left}</style></head>"
            f"<body><h1>{esc(title)}</h1><p>{esc(lead)}</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            "</body></html>")


def checklist_xlsx(title: str, rows: list[list[str]]) -> bytes:
    """The same rows as a workbook, so the analyst can sort, filter and tick them off."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "数据核对单"
    ws.append([title])
    ws.append(list(COLUMNS))
    for r in rows:
        ws.append(list(r))
    for letter, width in zip("ABCDEFGHI", (6, 6, 24, 14, 8, 14, 18, 60, 18), strict=True):
        ws.column_dimensions[letter].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def checklist_paths(out_dir: Path, year: int, community: str, title: str,
                    formats: Iterable[str] = ("html", "xlsx")) -> dict[str, Path]:
    """Beside the community's report: ``OUT/<year>/<社区名称>/<title>.<ext>``."""
    folder = Path(out_dir) / str(year) / community
    return {ext: folder / f"{title}.{ext}" for ext in formats}


def checklist_files(title: str, problems: Iterable[Problem | dict[str, Any]],
                    index: guard.PersonalLookup) -> dict[str, bytes]:
    """The checklist's file contents by extension, after the personal-data guard (raises
    guard.PersonalDataError, naming no value, when anything personal got through)."""
    rows = checklist_rows(problems)
    page = checklist_html(title, rows)
    # Every cell of the workbook is a <td> of the page: one check covers both files.
    guard.check_html(page, index, where=title)
    return {"html": page.encode("utf-8"), "xlsx": checklist_xlsx(title, rows)}

"""Indicator rows and ledger problems as plain-text tables for a terminal.

An analyst checks the figures before a report goes out, usually in a terminal window
or pasted into a chat with the community secretary, so the table must line up with
Chinese characters taking two columns and ASCII one. Ambiguous-width characters (— ↑
× …) render differently from one terminal to the next, so none are written here.

Rows are the indicator rows of indicators.md (plus, optionally, the engine's extras such
as ``missing_communities``); they hold figures, never ledger cells, so no personal data
can reach these tables.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .catalogue import CATALOGUE, RATIO
from .numfmt import fmt_quantity, is_rate_unit, plain_number, round_half_up
from .schema import SHEETS_BY_NAME

__all__ = ["display_width", "pad", "render_table", "indicator_label", "indicator_table_text",
           "problems_table_text", "COLUMNS"]

LEFT, RIGHT = "left", "right"
COLUMN_GAP = "  "
NO_DATA = "无数据"
NO_PREVIOUS = "无上年数据"


# ---------------------------------------------------------------------------
# Width and alignment
# ---------------------------------------------------------------------------

def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns a string occupies in a terminal: CJK and full-width forms count two."""
    return sum(_char_width(ch) for ch in text)


def pad(text: str, width: int, align: str = LEFT) -> str:
    """Pad to ``width`` terminal columns (str.ljust counts characters, not columns)."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if align == RIGHT else text + fill


def _one_line(text: str) -> str:
    """A cell typed with Alt+Enter in Excel would break the table's lines."""
    return " ".join(str(text).split()) if any(c in str(text) for c in "\r\n\t") else str(text)


@dataclass(frozen=True)
class Column:
    """A table column: its heading and which side its cells stick to."""

    title: str
    align: str = LEFT


def render_table(columns: Sequence[Column], rows: Iterable[Sequence[str]],
                 indent: str = "") -> str:
    """Header, rule and rows, each column as wide as its widest cell.

    Trailing spaces are stripped so a pasted table does not carry invisible padding.
    """
    body = [[_one_line(cell) for cell in r] for r in rows]
    widths = [display_width(c.title) for c in columns]
    for r in body:
        for i, cell in enumerate(r):
            widths[i] = max(widths[i], display_width(cell))

    def line(cells: Sequence[str]) -> str:
        parts = [pad(cell, widths[i], columns[i].align) for i, cell in enumerate(cells)]
        return (indent + COLUMN_GAP.join(parts)).rstrip()

    total = sum(widths) + len(COLUMN_GAP) * (len(columns) - 1)
    out = [line([c.title for c in columns]), indent + "-" * total]
    out.extend(line(r) for r in body)
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Indicator rows
# ---------------------------------------------------------------------------

COLUMNS = (
    Column("指标"),
    Column("数值", RIGHT),
    Column("上年", RIGHT),
    Column("同比", RIGHT),
    Column("目标"),
    Column("完成情况"),
)


def indicator_label(row: dict[str, Any]) -> str:
    """The indicator's 名称 with its 条件, e.g. 开展活动（条线=普法，活动类型=宣传）."""
    name = str(row.get("name") or row.get("id") or "")
    condition = row.get("condition") or {}
    if not condition:
        return name
    inner = "，".join(f"{k}={v}" for k, v in condition.items())
    return f"{name}（{inner}）"


def _is_ratio(row: dict[str, Any]) -> bool:
    """Non-rate ratios (averages, per-100) show one decimal even when whole."""
    ind = CATALOGUE.get(str(row.get("id", "")))
    if ind is not None:
        return ind.kind == RATIO
    return row.get("denominator") is not None and not is_rate_unit(row.get("unit"))


def _figure(value: Any, unit: str | None, ratio: bool) -> str:
    if value is None:
        return NO_DATA
    return fmt_quantity(value, unit, table=True, ratio=ratio)


def _signed(d: Any, digits: int = 1) -> str:
    r = round_half_up(d, digits)
    if r == 0:
        return "持平"
    return f"+{r}" if r > 0 else f"{r}"


def _yoy(value: Any, previous: Any, unit: str | None) -> str:
    """同比 in a cell: +2.1个百分点 for rates, +12.3% for counts and amounts."""
    if value is None or isinstance(value, dict):
        return ""
    if previous is None or isinstance(previous, dict):
        return ""  # the 上年 cell already says 无上年数据
    if is_rate_unit(unit):
        text = _signed((value - previous) * 100)
        return text if text == "持平" else f"{text}个百分点"
    if value == previous:
        return "持平"
    if previous == 0:
        return "上年为0"
    text = _signed((value - previous) / previous * 100)
    return text if text == "持平" else f"{text}%"


def _previous(row: dict[str, Any], ratio: bool) -> str:
    if row.get("previous") is None:
        return NO_PREVIOUS if row.get("value") is not None else ""
    return _figure(row["previous"], row.get("unit"), ratio)


def _status(row: dict[str, Any]) -> str:
    status = row.get("status")
    if not status:
        return ""
    gap_text = row.get("gap_text")
    return f"{status}（{gap_text}）" if gap_text else str(status)


def _breakdown_lines(row: dict[str, Any]) -> list[list[str]]:
    """One line per category. Categories at 0 this year and last are folded into one
    line, or every breakdown would fill a screen with zeros."""
    value: dict[str, Any] = row["value"] if isinstance(row.get("value"), dict) else {}
    previous = row.get("previous") if isinstance(row.get("previous"), dict) else None
    unit = row.get("unit")
    keys = list(value) + [k for k in (previous or {}) if k not in value]
    lines: list[list[str]] = []
    zeros: list[str] = []
    absent = not isinstance(row.get("value"), dict)  # this year's sheet is missing
    for k in keys:
        v = None if absent else (value.get(k) or 0)
        p = None if previous is None else (previous.get(k) or 0)
        if not v and (p is None or p == 0):
            zeros.append(str(k))
            continue
        lines.append([f"  {k}", _figure(v, unit, False),
                      NO_PREVIOUS if p is None else _figure(p, unit, False),
                      _yoy(v, p, unit), "", ""])
    if zeros:
        label = "、".join(zeros)
        lines.append([f"  其余为0：{label}", "", "", "", "", ""])
    return lines


def _cells(row: dict[str, Any]) -> list[list[str]]:
    label = indicator_label(row)
    value = row.get("value")
    if isinstance(value, dict) or isinstance(row.get("previous"), dict):
        # A breakdown, also when only last year's ledger had the sheet (this year's None).
        head = [label, "", "", "", str(row.get("target") or ""), _status(row)]
        if not value:
            head[1] = NO_DATA
        return [head] + _breakdown_lines(row)
    ratio = _is_ratio(row)
    return [[label, _figure(value, row.get("unit"), ratio), _previous(row, ratio),
             _yoy(value, row.get("previous"), row.get("unit")),
             str(row.get("target") or ""), _status(row)]]


def _period_text(period: Any) -> str:
    if isinstance(period, (list, tuple)) and len(period) == 2:
        return f"{period[0]}至{period[1]}"
    return ""


ALL_STREETS = "全部"


def _heading(first: dict[str, Any], street: bool) -> str:
    name = str(first.get("community", ""))
    if street:
        name = "各街道合计" if name == ALL_STREETS else f"{name}　街道合计"
    year = first.get("year")
    parts = [f"【{name}】"]
    if year is not None:
        parts.append(f"{year}年")
    period = _period_text(first.get("period"))
    if period:
        parts.append(f"（{period}）")
    return "".join(parts)


def _missing_note(rows: list[dict[str, Any]]) -> str:
    counts = sorted({int(r["missing_communities"]) for r in rows
                     if r.get("missing_communities")})
    if not counts:
        return ""
    affected = [indicator_label(r) for r in rows if r.get("missing_communities")]
    shown = "、".join(affected[:5]) + ("等" if len(affected) > 5 else "")
    return (f"注：{shown}的合计不含无数据的社区（"
            + "、".join(f"{n}个" for n in counts) + "社区无数据），比率按分子、分母汇总。")


def indicator_table_text(rows: Iterable[dict[str, Any]]) -> str:
    """Indicator rows as one table per community, street totals after the communities.

    Rows keep the order they come in (catalogue order) within a community; communities
    keep the order of their first row.
    """
    groups: dict[tuple[bool, str], list[dict[str, Any]]] = {}
    for r in rows:
        key = (r.get("level") == "street", str(r.get("community", "")))
        groups.setdefault(key, []).append(r)
    if not groups:
        return "没有可显示的指标。"
    ordered = [k for k in groups if not k[0]] + [k for k in groups if k[0]]
    blocks: list[str] = []
    for key in ordered:
        members = groups[key]
        body: list[list[str]] = []
        for r in members:
            body.extend(_cells(r))
        block = _heading(members[0], key[0]) + "\n" + render_table(COLUMNS, body)
        note = _missing_note(members) if key[0] else ""
        blocks.append(block + ("\n" + note if note else ""))
    return "\n\n".join(blocks)


# ---------------------------------------------------------------------------
# Ledger problems
# ---------------------------------------------------------------------------

PROBLEM_COLUMNS = (
    Column("级别"),
    Column("台账"),
    Column("行", RIGHT),
    Column("列"),
    Column("内容"),
    Column("说明"),
)


def problems_table_text(problems: Iterable[Any]) -> str:
    """Problems (already masked by the reader) as a table: 级别, 台账, 行, 列, 内容, 说明.

    Errors come first, then warnings, each in sheet and row order, which is the order a
    secretary works through the workbook to fix it.
    """
    items = list(problems)
    if not items:
        return "未发现问题。"

    sheets = {name: i for i, name in enumerate(SHEETS_BY_NAME)}

    def order(p: Any) -> tuple[int, int, int]:
        return (0 if p.is_error else 1, sheets.get(p.sheet, -1 if not p.sheet else len(sheets)),
                p.row if p.row is not None else 0)

    body = [[p.severity, p.sheet or "", "" if p.row is None else plain_number(p.row),
             p.column or "", f"\"{p.value}\"" if p.value != "" else "", p.message]
            for p in sorted(items, key=order)]
    return render_table(PROBLEM_COLUMNS, body)

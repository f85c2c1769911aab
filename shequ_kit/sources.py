"""Which indicator each figure of a sentence states, noted where the figure is looked up.

Sentences are put together from many small helpers (a count here, a 同比 phrase there), so
tying every figure to its indicator by hand at each call would touch every sentence. The
figures all come from one door instead, ``CommunityFacts.row`` (and a target's actual
value), which notes each look-up here; a block of the document model (paragraph, item,
table) then claims, when it is made, the recent look-ups whose figure it states, as the
genre writes it (143场次, 1.34万元, 63.5%, 同比增长12.3%). A figure looked up but not
written is simply never claimed. The claimed sources drive the 底稿 (trace.py) and the
tooltips of the HTML; nothing here changes a word of the text.
"""

from __future__ import annotations

import html as _html
import re
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from .numfmt import fmt_pct, fmt_quantity, is_rate_unit, plain_number, yoy_phrase

__all__ = ["note_row", "note_value", "claim", "claim_cells", "mark", "reset", "title_of",
           "trace_key"]

VALUE, YOY, PREVIOUS = "本期", "同比", "上年同期"
RECENT = 600  # look-ups a block may still claim (a section makes far fewer)
GAP = 4  # characters a breakdown's key may stand before its figure (类活动, 残疾)

# id(row) -> {"row", "trace", "candidates"}: each row once, the latest look-up last.
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_recent: OrderedDict[int, dict[str, Any]] = OrderedDict()
# A figure's number (143, 1.34, 9,791) -> the look-ups that may state it.
_index: dict[str, set[int]] = {}
_clock = [0]
# The trace of the facts looked up last: a target's value belongs to the same community.
_last: dict[str, Any] = {"trace": None}


def trace_key(indicator_id: str, condition: dict[str, str] | None = None,
              category: str | None = None) -> str:
    """The key of one traced figure: id, 条件 and breakdown key (as trace.trace_rows)."""
    cond = ",".join(f"{k}={v}" for k, v in sorted((condition or {}).items()))
    key = indicator_id + (f"|{cond}" if cond else "")
    return key + (f"#{category}" if category is not None else "")


def reset() -> None:
    """Forget the look-ups (a finished document must not lend figures to the next)."""
    _recent.clear()
    _index.clear()
    _last["trace"] = None


def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _texts(value: Any, unit: str | None) -> list[str]:
    """The ways prose and tables write one figure, longest first."""
    if not _num(value):
        return []
    unit = unit or ""
    if is_rate_unit(unit):
        out = {fmt_pct(value)}
    else:
        out = {fmt_quantity(value, unit), fmt_quantity(value, unit, ratio=True),
               fmt_quantity(value, unit, table=True), f"{plain_number(value)}{unit}",
               f"{plain_number(value, sep=True)}{unit}"}
    return sorted((t for t in out if t), key=len, reverse=True)


def note_row(row: dict[str, Any] | None, trace: dict[str, Any] | None = None) -> None:
    """An indicator row was looked up (``CommunityFacts.row``)."""
    if not row or row.get("id") is None:
        return
    if trace is not None:
        _last["trace"] = trace
    key = id(row)
    _clock[0] += 1
    if key in _recent:
        _recent.move_to_end(key)
        _recent[key]["stamp"] = _clock[0]
        return
    entry = {"row": row, "trace": trace, "stamp": _clock[0]}
    _recent[key] = entry
    _candidates(entry)
    for core in entry["cores"] | entry["bare"]:
        _index.setdefault(core, set()).add(key)
    if len(_recent) > RECENT:
        old_key, old = _recent.popitem(last=False)
        for core in old["cores"] | old["bare"]:
            _index.get(core, set()).discard(old_key)


def note_value(indicator_id: Any, condition: dict[str, str] | None, value: Any,
               unit: str | None, name: str | None = None,
               trace: dict[str, Any] | None = None) -> None:
    """A figure of an indicator reached the words by another door (a target's value)."""
    if indicator_id is None:
        return
    note_row({"id": str(indicator_id), "condition": condition or None, "value": value,
              "unit": unit, "name": name}, trace if trace is not None else _last["trace"])


def _candidates(entry: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """(text, role, breakdown key) of one look-up, formatted once."""
    if "candidates" not in entry:
        entry["candidates"] = list(_formats(entry["row"]))
        entry["cores"] = {m for fig, _, _ in entry["candidates"]
                          for m in _NUMBER.findall(fig)}
        value = entry["row"].get("value")
        entry["bare"] = {plain_number(value), plain_number(value, sep=True)} \
            if _num(value) else set()
    return entry["candidates"]


def _formats(row: dict[str, Any]) -> Iterable[tuple[str, str, str | None]]:
    value, unit = row.get("value"), row.get("unit")
    if isinstance(value, dict):
        for k, v in value.items():
            if _num(v) and v:
                for t in _texts(v, unit):
                    yield t, VALUE, str(k)
        return
    previous = row.get("previous")
    if _num(value) and _num(previous):
        for prefix in ("同比", ""):
            phrase = yoy_phrase(value, previous, unit, prefix=prefix)
            if phrase and re.search(r"\d", phrase):
                yield phrase, YOY, None
    for t in _texts(value, unit):
        yield t, VALUE, None
    for t in _texts(previous, unit):  # a table's 上年同期 column
        yield t, PREVIOUS, None


def _free(spans: list[tuple[int, int]], a: int, b: int) -> bool:
    return all(b <= x or a >= y for x, y in spans)


def _bounded(text: str, a: int, b: int, figure: str) -> bool:
    """Not part of a longer number: 143场次 is not inside 1143场次 or 2.143场次."""
    if figure[:1].isdigit() and a > 0 and (text[a - 1].isdigit() or text[a - 1] in ".,"):
        return False
    if figure[-1:].isdigit() and b < len(text) and (text[b].isdigit() or text[b] in ".%"):
        return False
    return True


def _source(entry: dict[str, Any], figure: str, role: str, category: str | None,
            at: int) -> dict[str, Any]:
    row = entry["row"]
    cond = row.get("condition") or None
    src: dict[str, Any] = {"text": figure, "id": row["id"], "name": row.get("name"),
                           "condition": cond, "category": category, "role": role, "at": at}
    if row.get("level") != "street" and row.get("community"):
        src["community"] = row["community"]  # in a street's document: whose figure
    trace = entry.get("trace") or {}
    rows = trace.get(trace_key(row["id"], cond, category))
    if rows and role != PREVIOUS:  # last year's figure counted last year's workbook
        src["rows"] = rows
    return src


def _keyed(text: str, a: int, category: str) -> bool:
    """A breakdown's figure stands right after its key (党建12场次, 肢体残疾65人, 文体类活动7场次):
    at most a few characters between, none of them a figure or a list's mark."""
    k = text.rfind(category, 0, a)
    if k < 0:
        return False
    gap = text[k + len(category):a]
    return len(gap) <= GAP and not re.search(r"[\d、，；。：,;]", gap)


def _named(text: str, a: int, name: Any) -> bool:
    """The indicator's name ends right before the figure (调解成功12件, 排查各类安全隐患31处)."""
    tail = str(name or "")[-2:]
    return len(tail) == 2 and _keyed(text, a, tail) and text.rfind(tail, 0, a) >= a - 2 - 2


def claim(text: str, whole: bool = False) -> list[dict[str, Any]]:
    """The sources of the figures ``text`` states, in reading order.

    A breakdown's figure standing after its key is claimed first, then 同比 phrases, then
    plain figures, each by the most recent look-up; each place in the text is claimed
    once. ``whole``: the text is a table cell, which states a bare figure too (a column
    header carries the unit).
    """
    if not _recent or not re.search(r"\d", text or ""):
        return []
    keys: set[int] = set()
    for number in _NUMBER.findall(text):
        keys |= _index.get(number, set())
    entries = sorted((_recent[k] for k in keys if k in _recent), key=lambda e: -e["stamp"])
    found: list[tuple[int, int, int, dict[str, Any], str, str, str | None]] = []
    for age, entry in enumerate(entries):
        for figure, role, category in _candidates(entry):
            rank = 0 if category is not None else {YOY: 1, VALUE: 2}.get(role, 3)
            start = text.find(figure)
            while start >= 0:
                found.append((rank, age, start, entry, figure, role, category))
                start = text.find(figure, start + 1)
        if whole:
            if text.strip() in entry["bare"]:
                found.append((4, age, 0, entry, text, VALUE, None))
    spans: list[tuple[int, int]] = []
    out: list[dict[str, Any]] = []
    # Two figures alike (受理12件，调解成功12件): the one whose name stands before it wins.
    found = [(rank - 0.5 if rank == 2 and _named(text, a, e["row"].get("name")) else rank,
              age, a, e, fig, role, cat) for rank, age, a, e, fig, role, cat in found]
    for _rank, _, a, entry, figure, role, category in sorted(found, key=lambda f: f[:3]):
        b = a + len(figure)
        if not _free(spans, a, b) or not _bounded(text, a, b, figure):
            continue
        if category is not None and not _keyed(text, a, category):
            continue
        spans.append((a, b))
        out.append(_source(entry, figure.strip(), role, category, a))
    out.sort(key=lambda s: s["at"])
    return out


def claim_cells(rows: list[list[Any]]) -> list[dict[str, Any]]:
    """A table's sources, each with its cell (row, column)."""
    out: list[dict[str, Any]] = []
    for i, r in enumerate(rows):
        for j, cell in enumerate(r):
            for src in claim(str(cell), whole=True):
                out.append(dict(src, cell=[i, j]))
    return out


def _rows_text(rows: list[list[Any]], limit: int = 60) -> str:
    parts = []
    for role, sheet, ranges, n in rows:
        if not n:
            parts.append(f"{sheet}填报数")
            continue
        where = str(ranges).replace("-", "–").replace(",", "、")
        if len(where) > limit:
            where = where[:limit].rsplit(",", 1)[0] + "等"
        head = f"{role}：" if role in ("分子", "分母") else ""
        parts.append(f"{head}{sheet}第{where}行（{n}条）")
    return "；".join(parts)


def title_of(src: dict[str, Any], name: str | None = None) -> str:
    """The tooltip of a figure: its 底稿 row, indicator and ledger rows."""
    head = f"底稿序号{src['n']}" if src.get("n") else "数据溯源"
    what = name or src.get("name") or src.get("id", "")
    rows = "上年同期台账" if src.get("role") == PREVIOUS else _rows_text(src.get("rows") or [])
    return f"{head}：{what}" + (f"，{rows}" if rows else "")


def mark(text: str, sources: list[dict[str, Any]] | None) -> str:
    """``text`` escaped for HTML, each claimed figure in a ``span.sk-fig`` whose title
    says where it comes from (a tooltip in the browser; print and PDF show only the text)."""
    if not sources:
        return _html.escape(text, quote=True)
    out, cursor = [], 0
    for src in sources:
        figure = str(src.get("text") or "")
        a = text.find(figure, cursor) if figure else -1
        if a < 0:  # revised away: the rest of the text is unchanged
            continue
        out.append(_html.escape(text[cursor:a], quote=True))
        trace = f' data-trace="{int(src["n"])}"' if src.get("n") else ""
        title = _html.escape(title_of(src), quote=True)
        out.append(f'<span class="sk-fig"{trace} title="{title}">'
                   f"{_html.escape(figure, quote=True)}</span>")
        cursor = a + len(figure)
    out.append(_html.escape(text[cursor:], quote=True))
    return "".join(out)


def figures(document: Any) -> list[tuple[Any, Any, dict[str, Any]]]:
    """(section, block, source) of every claimed figure, in reading order (own blocks
    of a section, then its sub-sections, as the HTML and the 底稿 list them)."""
    out = []
    for top in document.sections:
        for section in top.walk():
            for block in section.own_blocks:
                for src in getattr(block, "sources", None) or []:
                    out.append((section, block, src))
    return out


def number(document: Any) -> None:
    """Number the document's figures 1.. (their 底稿 rows) and forget the look-ups."""
    for n, (_, _, src) in enumerate(figures(document), 1):
        src["n"] = n
    reset()

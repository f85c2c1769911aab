"""Indicators of one community, their 同比, coverage by period and street totals.

The catalogue (catalogue.py) says what each indicator is; this module applies it to a
read workbook and gives the JSON form of indicators.md. Everything a report, a chart or
a target needs from the numbers comes out of here as plain JSON-able data, so the words
never re-read a ledger.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .catalogue import (
    BREAKDOWN,
    CATALOGUE,
    NODATA,
    RATE,
    Indicator,
    Result,
    Scope,
    canonical_condition,
    divide,
    indicator,
    plain,
)
from .model import LedgerBook

__all__ = [
    "Result", "compute", "rows", "facts_rows", "change", "coverage", "periods",
    "street_totals", "previous_window", "GRANULARITIES", "Window",
]

Condition = dict[str, str] | None


# ---------------------------------------------------------------------------
# One community
# ---------------------------------------------------------------------------

def _applies(ind: Indicator, condition: dict[str, str]) -> bool:
    """A 条件 naming a column the indicator's ledger does not have gives 无数据."""
    return all(k in ind.filters for k in condition)


def _compute(scope: Scope, ids: Iterable[str]) -> dict[str, Result]:
    out: dict[str, Result] = {}
    for indicator_id in ids:
        ind = indicator(indicator_id)
        out[ind.id] = scope.result(ind.id) if _applies(ind, scope.condition) else NODATA
    return out


def compute(book: LedgerBook, condition: dict[str, str] | None = None,
            as_of: date | None = None, ids: Iterable[str] | None = None,
            start: date | None = None) -> dict[str, Result]:
    """Every indicator (or those of ``ids``) of one workbook over 1 January (or
    ``start``, a window the run named) .. as-of.

    ``as_of`` defaults to the workbook's 统计截止日期. A 条件 value outside the enum list
    in force raises a Chinese ValueError: it is a mistake in the parameters, not data.
    """
    cond = canonical_condition(condition, book.enums)
    scope = Scope(book, cond, as_of, start=start, windowed=start is not None)
    return _compute(scope, CATALOGUE if ids is None else ids)


@dataclass(frozen=True)
class Window:
    """A window the run named (--period) and the windows it is compared with.

    ``start``..``end`` is counted in the community's own workbook; ``last_year`` (同比)
    in last year's workbook; ``prior`` (环比) in ``prior_book`` (this year's, or last
    year's for a January or a first week), None where no ledger covers it."""

    start: date
    end: date
    last_year: tuple[date, date] | None = None
    prior: tuple[date, date] | None = None
    prior_book: LedgerBook | None = None
    prior_label: str | None = None

    def scope(self, book: LedgerBook, cond: dict[str, str],
              span: tuple[date, date] | None = None) -> Scope:
        lo, hi = span or (self.start, self.end)
        return Scope(book, cond, as_of=hi, start=lo, windowed=True)


def previous_window(as_of: date, year: int) -> date:
    """The as-of date's month and day in ``year`` (29 February becomes the 28th)."""
    last = calendar.monthrange(year, as_of.month)[1]
    return date(year, as_of.month, min(as_of.day, last))


def _period(book: LedgerBook) -> list[str]:
    return [book.period_start.isoformat(), book.as_of.isoformat()]


def _results(book: LedgerBook, previous: LedgerBook | None,
             conditions: Iterable[Condition], window: Window | None = None
             ) -> list[tuple[Indicator, dict[str, str], Result, Result | None, Result | None]]:
    """(indicator, canonical 条件, this year, same window of last year or None, the
    window before (环比) or None)."""
    out = []
    seen: set[tuple[tuple[str, str], ...]] = set()
    for condition in conditions:
        cond = canonical_condition(condition, book.enums)
        key = tuple(sorted(cond.items()))
        if key in seen:
            continue
        seen.add(key)
        ids = [i for i, ind in CATALOGUE.items() if _applies(ind, cond)]
        before: dict[str, Result] | None = None
        prior: dict[str, Result] | None = None
        if window is not None:
            current = _compute(window.scope(book, cond), ids)
            if previous is not None and window.last_year is not None:
                before = _compute(window.scope(previous, cond, window.last_year), ids)
            if window.prior_book is not None and window.prior is not None:
                prior = _compute(window.scope(window.prior_book, cond, window.prior), ids)
        else:
            current = _compute(Scope(book, cond), ids)
            if previous is not None:
                year = book.year - 1
                scope = Scope(previous, cond, as_of=previous_window(book.as_of, year),
                              start=date(year, 1, 1))
                before = _compute(scope, ids)
        for i in ids:
            out.append((CATALOGUE[i], cond, current[i], None if before is None else before[i],
                        None if prior is None else prior[i]))
    return out


def _value(ind: Indicator, value: Any) -> Any:
    """Counts and integral amounts as int; a rate or ratio stays a float (1.0, not 1)."""
    value = plain(value)
    if ind.is_ratio and value is not None:
        return float(value)
    return value


def _row(book: LedgerBook, ind: Indicator, cond: dict[str, str], res: Result,
         prev: Result | None, window: Window | None = None) -> dict[str, Any]:
    span = _period(book) if window is None else [window.start.isoformat(),
                                                 window.end.isoformat()]
    row: dict[str, Any] = {
        "community": book.community,
        "year": book.year,
        "period": span,
        "id": ind.id,
        "name": ind.name,
        "unit": ind.unit,
        "value": _value(ind, res.value),
        "numerator": plain(res.numerator),
        "denominator": plain(res.denominator),
        "previous": None if prev is None else _value(ind, prev.value),
    }
    if cond:
        row["condition"] = dict(cond)
    return row


def rows(book: LedgerBook, previous: LedgerBook | None = None,
         conditions: Iterable[Condition] = (None,), window: Window | None = None
         ) -> list[dict[str, Any]]:
    """The JSON form of indicators.md for one community, in catalogue order.

    ``previous`` is last year's workbook: its figures are taken over 1 January .. the
    as-of date's month and day of last year, whatever its own 统计截止日期 says, so a
    half-year report is compared with last year's first half. For a 条件, only the
    indicators whose ledger can be filtered that way are listed. A ``window`` (a period
    the run named) counts its own dates and takes 同比 over its ``last_year``.
    """
    return [_row(book, ind, cond, res, prev, window)
            for ind, cond, res, prev, _ in _results(book, previous, conditions, window)]


def facts_rows(book: LedgerBook, previous: LedgerBook | None = None,
               conditions: Iterable[Condition] = (None,), window: Window | None = None
               ) -> list[dict[str, Any]]:
    """``rows`` plus what words and charts need: better, last year's numerator and
    denominator (for pooled street 同比) and the 同比 itself (``change``). In a window
    the run named, also 环比: ``prior`` (the value over the window before, None where
    no ledger covers it), ``prior_label`` and ``prior_change`` (as ``change``)."""
    out = []
    for ind, cond, res, prev, before in _results(book, previous, conditions, window):
        row = _row(book, ind, cond, res, prev, window)
        enriched: dict[str, Any] = {}
        for k, v in row.items():
            enriched[k] = v
            if k == "unit":
                enriched["better"] = ind.better
        enriched["previous_numerator"] = None if prev is None else plain(prev.numerator)
        enriched["previous_denominator"] = None if prev is None else plain(prev.denominator)
        enriched["change"] = change(enriched)
        if window is not None:
            enriched["prior"] = None if before is None else _value(ind, before.value)
            enriched["prior_numerator"] = None if before is None else plain(before.numerator)
            enriched["prior_denominator"] = None if before is None else plain(
                before.denominator)
            enriched["prior_label"] = window.prior_label if before is not None else None
            enriched["prior_change"] = change({"id": ind.id, "value": enriched["value"],
                                               "previous": enriched["prior"]})
        out.append(enriched)
    return out


def change(row: dict[str, Any]) -> dict[str, Any]:
    """同比: delta = value − previous; relative change for counts, amounts and non-rate
    ratios (None when last year was 0: the prose says 上年同期为0); percentage points for
    rates. Breakdowns give a delta per category. All None when either side is 无数据."""
    value, prev = row.get("value"), row.get("previous")
    ind = CATALOGUE.get(row.get("id", ""))
    kind = ind.kind if ind else None
    out: dict[str, Any] = {"delta": None, "relative": None, "pp": None}
    if value is None or prev is None:
        return out
    if isinstance(value, dict) or isinstance(prev, dict) or kind == BREAKDOWN:
        if isinstance(value, dict) and isinstance(prev, dict):
            keys = list(value) + [k for k in prev if k not in value]
            out["delta"] = {k: plain((value.get(k) or 0) - (prev.get(k) or 0)) for k in keys}
        return out
    out["delta"] = value - prev
    if kind == RATE:
        out["pp"] = (value - prev) * 100
    else:
        out["relative"] = None if prev == 0 else (value - prev) / prev
    return out


# ---------------------------------------------------------------------------
# Coverage by period (每周/每半月/每月/每季度/每半年 targets)
# ---------------------------------------------------------------------------

GRANULARITIES: dict[str, str] = {
    "week": "week", "周": "week", "每周": "week",
    "half_month": "half_month", "半月": "half_month", "每半月": "half_month",
    "month": "month", "月": "month", "每月": "month",
    "quarter": "quarter", "季度": "quarter", "季": "quarter", "每季度": "quarter",
    "half_year": "half_year", "半年": "half_year", "每半年": "half_year",
}
_GRAN_LABEL = {"week": "周", "half_month": "半月", "month": "月", "quarter": "季度",
               "half_year": "半年"}
_QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")


def periods(start: date, as_of: date, granularity: str) -> list[tuple[date, date, str]]:
    """The periods of the window (first day, last day, Chinese label), the last one cut
    at the as-of date. Weeks are calendar weeks (Monday to Sunday) that hold a day of
    the window, numbered from the first."""
    gran = GRANULARITIES.get(granularity)
    if gran is None:
        raise ValueError(f"不认识的检查周期：{granularity}（可用：周、半月、月、季度、半年）")
    out: list[tuple[date, date, str]] = []
    y = start.year

    def month_end(m: int) -> date:
        return date(y, m, calendar.monthrange(y, m)[1])

    if gran == "week":
        lo = start - timedelta(days=start.weekday())
        n = 1
        while lo <= as_of:
            a, b = max(lo, start), min(lo + timedelta(days=6), as_of)
            out.append((a, b, f"第{n}周（{a.month}月{a.day}日—{b.month}月{b.day}日）"))
            lo += timedelta(days=7)
            n += 1
    elif gran == "half_month":
        for m in range(start.month, as_of.month + 1):
            out.append((date(y, m, 1), date(y, m, 15), f"{m}月上半月"))
            out.append((date(y, m, 16), month_end(m), f"{m}月下半月"))
    elif gran == "month":
        out = [(date(y, m, 1), month_end(m), f"{m}月") for m in range(start.month, as_of.month + 1)]
    elif gran == "quarter":
        out = [(date(y, 3 * q + 1, 1), month_end(3 * q + 3), _QUARTERS[q]) for q in range(4)]
    else:
        out = [(date(y, 1, 1), date(y, 6, 30), "上半年"), (date(y, 7, 1), date(y, 12, 31), "下半年")]
    return [(a, min(b, as_of), label) for a, b, label in out if a <= as_of and b >= start]


def coverage(book: LedgerBook, indicator_id: str, condition: dict[str, str] | None = None,
             granularity: str = "month", start: date | None = None,
             as_of: date | None = None) -> tuple[int, int, list[str]] | None:
    """(periods with ≥ 1 counted row, periods of the window, labels of those lacking).

    Only for indicators that count or sum dated rows (activity.count, dispute.accepted …).
    None when the indicator is 无数据 (no ledger, no column, a 条件 the ledger cannot
    take), so the target reads 无法评估 instead of "no month covered".
    """
    ind = indicator(indicator_id)
    selection = ind.rows
    if selection is None:
        raise ValueError(
            f"指标“{ind.name}”不是按日期登记的计数，不能按{_GRAN_LABEL.get(GRANULARITIES.get(granularity, ''), '周期')}检查")
    lo, hi = start or book.period_start, as_of or book.as_of
    spans = periods(lo, hi, granularity)
    cond = canonical_condition(condition, book.enums)
    scope = Scope(book, cond, as_of=hi, start=lo, windowed=start is not None)
    if not _applies(ind, cond) or not scope.has(ind):
        return None
    days = {d.date() for d in selection(scope)[selection.date].dropna()}
    lacking = [label for a, b, label in spans
               if not any(a <= d <= b for d in days)]
    return len(spans) - len(lacking), len(spans), lacking


# ---------------------------------------------------------------------------
# Street totals
# ---------------------------------------------------------------------------

def _pool(ind: Indicator, items: list[tuple[Any, Any, Any]]) -> tuple[Any, Any, Any]:
    """Sum counts and amounts; pool ratios (Σ numerators / Σ denominators); add
    breakdowns per category. ``items`` are (value, numerator, denominator) with data."""
    if not items:
        return None, None, None
    if ind.is_ratio:
        if any(n is None or d is None for _, n, d in items):
            return None, None, None
        num = plain(sum(n for _, n, _ in items))
        den = plain(sum(d for _, _, d in items))
        res = divide(num, den, ind.scale, ind.digits)
        return res.value, res.numerator, res.denominator
    if ind.kind == BREAKDOWN or isinstance(items[0][0], dict):
        out: dict[str, Any] = {}
        for value, _, _ in items:
            for k, v in value.items():
                out[k] = plain((out.get(k) or 0) + (v or 0))
        return out, None, None
    return plain(sum(v for v, _, _ in items)), None, None


def street_totals(rows: list[dict[str, Any]], street: str, year: int,
                  period: list[str] | tuple[str, str]) -> list[dict[str, Any]]:
    """Totals over the communities' rows, one per indicator and 条件.

    Communities whose value is 无数据 are left out of the total and counted in
    ``missing_communities``. Last year's total is given only when every community in
    the total has last year's figure, so that 同比 compares the same communities.
    months_covered has no total.
    """
    groups: dict[tuple[str, tuple[tuple[str, str], ...]], list[dict[str, Any]]] = {}
    for r in rows:
        if r.get("level") == "street" or r.get("id") not in CATALOGUE:
            continue
        key = (r["id"], tuple(sorted((r.get("condition") or {}).items())))
        groups.setdefault(key, []).append(r)
    out: list[dict[str, Any]] = []
    for (indicator_id, cond), members in groups.items():
        ind = CATALOGUE[indicator_id]
        if not ind.total:
            continue
        have = [r for r in members if r.get("value") is not None]
        value, num, den = _pool(ind, [(r["value"], r.get("numerator"), r.get("denominator"))
                                      for r in have])
        prev = prev_num = prev_den = None
        if have and all(r.get("previous") is not None for r in have):
            prev, prev_num, prev_den = _pool(
                ind, [(r["previous"], r.get("previous_numerator"),
                       r.get("previous_denominator")) for r in have])
        total: dict[str, Any] = {
            "community": street,
            "year": year,
            "period": list(period),
            "id": ind.id,
            "name": ind.name,
            "unit": ind.unit,
            "better": ind.better,
            "value": value,
            "numerator": num,
            "denominator": den,
            "previous": prev,
            "previous_numerator": prev_num,
            "previous_denominator": prev_den,
            "level": "street",
            "communities": len(have),
            "missing_communities": len(members) - len(have),
        }
        if cond:
            total["condition"] = dict(cond)
        total["change"] = change(total)
        if any("prior" in r for r in members):  # a period the run named: 环比 as 同比
            prior = None
            if have and all(r.get("prior") is not None for r in have):
                prior = _pool(ind, [(r["prior"], r.get("prior_numerator"),
                                     r.get("prior_denominator")) for r in have])[0]
            total["prior"] = prior
            total["prior_label"] = have[0].get("prior_label") if prior is not None else None
            total["prior_change"] = change({"id": ind.id, "value": value, "previous": prior})
        out.append(total)
    return out

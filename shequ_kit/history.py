"""Earlier years' ledgers, read once, as the multi-year series of the trend paragraph.

A summary that looks back over 近三年 needs the same figures for each earlier year, taken
over the same window (1 January .. the as-of month and day), or a half year would be set
against a whole one. Only the indicators declared in ``rules/trends.yaml`` are computed,
and an earlier year is read with only the ledgers they need, so looking back costs a
fraction of reading the year itself. An earlier workbook that will not open is a warning
in the community's 数据核对单, never a failure of this year's report.

The result is plain JSON (``CommunityFacts.history`` / ``StreetFacts.history``)::

    {"years": [2022, 2023, 2024], "series": {"activity.count": [96, 120, 143], …},
     "gaps": [], "window": ["01-01", "12-31"], "parts": {rate id: [[num, den], …]}}

present only when at least 最少年数 years have a workbook (else ``{}``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import yamltext
from .catalogue import BREAKDOWN, CATALOGUE, PROFILE, Ratio, divide, plain
from .engine import compute, previous_window
from .model import WARNING, LedgerBook, Problem

if TYPE_CHECKING:
    from .facts import CommunityFacts
    from .reader import YearRead
    from .schema import EnumSpec

__all__ = ["TRENDS_FILE", "trend_rules", "trend_ids", "trend_sheets", "lookback_years",
           "read_earlier", "year_values", "community_history", "street_history",
           "unread_files", "looks_back"]

TRENDS_FILE = Path(__file__).resolve().parent / "rules" / "trends.yaml"
UNREADABLE_KIND = "history_unreadable"


@lru_cache(maxsize=1)
def _rules() -> dict[str, Any]:
    data = yamltext.load(TRENDS_FILE.read_text(encoding="utf-8"))
    for entry in data["指标"]:
        iid = entry["指标"] if isinstance(entry, dict) else entry
        ind = CATALOGUE.get(iid)
        if ind is None:
            raise ValueError(f"{TRENDS_FILE.name}：未知的趋势指标“{iid}”")
        if ind.kind == BREAKDOWN:
            raise ValueError(f"{TRENDS_FILE.name}：分类统计“{iid}”不能做多年趋势")
    return data


def trend_rules() -> dict[str, Any]:
    """The trend rules (a copy: callers may not change the shared one)."""
    return copy.deepcopy(_rules())


def trend_ids() -> list[str]:
    return [e["指标"] if isinstance(e, dict) else e for e in _rules()["指标"]]


def _operand_sheets(op: Any, seen: set[str]) -> set[str]:
    if isinstance(op, str) and op in CATALOGUE and op not in seen:
        seen.add(op)
        ind = CATALOGUE[op]
        out = {ind.sheet, *ind.also}
        if isinstance(ind.formula, Ratio):
            out |= _operand_sheets(ind.formula.num, seen) | _operand_sheets(ind.formula.den, seen)
        return out
    return set()


def trend_sheets(ids: Iterable[str] | None = None) -> frozenset[str]:
    """The ledgers the trend indicators read (a ratio's other indicators included)."""
    seen: set[str] = set()
    out = {PROFILE}
    for iid in trend_ids() if ids is None else ids:
        out |= _operand_sheets(iid, seen)
    return frozenset(out)


def lookback_years(data_dir: Path, year: int) -> list[int]:
    """Earlier year folders present under the data folder, within 最多年数 of ``year``."""
    span = int(_rules()["最多年数"])
    return [y for y in range(year - span + 1, year) if (Path(data_dir) / str(y)).is_dir()]


def read_earlier(data_dir: Path, year: int, enums: dict[str, EnumSpec] | None,
                 prior: YearRead | None = None) -> dict[int, YearRead]:
    """Every earlier year folder, read once; last year's read (for 同比) is reused."""
    from .reader import read_year

    out: dict[int, YearRead] = {}
    sheets = trend_sheets()
    for y in lookback_years(data_dir, year):
        if y == year - 1 and prior is not None:
            out[y] = prior
        else:
            out[y] = read_year(data_dir, y, enums=enums, sheets=sheets)
    return out


def _empty_ledger(book: LedgerBook, sheet: str) -> bool:
    """A ledger holding only its header recorded nothing: its 0 is no figure of a year."""
    frame = book.sheets.get(sheet)
    return frame is not None and len(frame) == 0 and not book.excluded_rows.get(sheet)


def year_values(book: LedgerBook, end: date, start: date | None = None,
                ids: Iterable[str] | None = None) -> dict[str, tuple[Any, Any, Any]]:
    """(value, numerator, denominator) of each trend indicator over start .. end of
    ``book``'s year; value None for 无数据 and for a header-only ledger."""
    ids = list(trend_ids() if ids is None else ids)
    results = compute(book, None, as_of=end, ids=ids) if start is None else \
        _window(book, start, end, ids)
    out: dict[str, tuple[Any, Any, Any]] = {}
    for iid in ids:
        ind = CATALOGUE[iid]
        res = results[iid]
        value = plain(res.value)
        if value is not None and ind.is_ratio:
            value = float(value)
        if _empty_ledger(book, ind.sheet):
            value = None
        out[iid] = (value, plain(res.numerator), plain(res.denominator))
    return out


def _window(book: LedgerBook, start: date, end: date, ids: list[str]) -> dict[str, Any]:
    from .catalogue import Scope

    scope = Scope(book, {}, as_of=end, start=start)
    return {i: scope.result(i) for i in ids}


def _same_day(d: date, year: int) -> date:
    return previous_window(d, year)


def _unreadable(read: YearRead, street: str, community: str) -> list[Problem] | None:
    for key, problems in read.failures.items():
        if key in (community, f"{street}/{community}"):
            return problems
    return None


def unread_files(book: LedgerBook, earlier: dict[int, YearRead]) -> dict[int, set[str]]:
    """The earlier workbooks of this community that would not open, by year (file names)."""
    out: dict[int, set[str]] = {}
    for y, read in earlier.items():
        problems = _unreadable(read, book.street, book.community)
        if problems:
            out[y] = {p.file for p in problems if p.file}
    return out


def _warning(year: int, problems: list[Problem]) -> Problem:
    first = problems[0] if problems else Problem(WARNING, UNREADABLE_KIND, "")
    reason = "；".join(p.message for p in problems if p.message) or "无法读取"
    return Problem(WARNING, UNREADABLE_KIND,
                   f"{year}年台账无法读取，近年趋势未计入{year}年：{reason}",
                   first.file, first.sheet, first.row, first.column, first.value)


def looks_back(named: Any) -> bool:
    """Whether a report of this period looks back over the years (期间 of the rules: the
    year and the half year; a weekly 创文 report has no 近三年)."""
    return named is None or getattr(named, "kind", None) in (_rules().get("期间") or [])


def community_history(book: LedgerBook, earlier: dict[int, YearRead],
                      start: date | None = None, end: date | None = None
                      ) -> tuple[dict[str, Any], list[Problem]]:
    """The community's history (``{}`` with fewer than 最少年数 years) and the warnings
    for earlier workbooks that would not open (masked, for the 数据核对单).

    Communities are matched by (所属街道, 社区名称), whatever the folder layout. When the
    years running without a break up to this year are enough, only they are used (近三年
    reads better than 2020年以来 with a gap); otherwise every year read, gaps named.
    ``start``/``end`` are a named period's window (default 1 January .. the as-of date),
    taken on the same days of each earlier year."""
    rules = _rules()
    end = end or book.as_of
    least = int(rules["最少年数"])
    warnings: list[Problem] = []
    unreadable: list[int] = []
    books: dict[int, LedgerBook] = {}
    for y, read in sorted(earlier.items()):
        match = next((b for b in read.books.values()
                      if (b.street, b.community) == (book.street, book.community)), None)
        if match is not None:
            books[y] = match
            continue
        problems = _unreadable(read, book.street, book.community)
        if problems is not None:
            warnings.append(_warning(y, problems))
            unreadable.append(y)
    if len(books) + 1 < least:  # two years (the usual case): nothing to compute
        return {}, warnings
    by_year = {y: year_values(b, _same_day(end, y),
                              None if start is None else _same_day(start, y))
               for y, b in books.items()}
    by_year[book.year] = year_values(book, end, start)

    present = sorted(by_year)
    run = [book.year]
    while run[0] - 1 in by_year:
        run.insert(0, run[0] - 1)
    years = run if len(run) >= least else present
    if len(years) < least:
        return {}, warnings
    series = {iid: [by_year[y][iid][0] for y in years] for iid in trend_ids()}
    parts = {iid: [[by_year[y][iid][1], by_year[y][iid][2]] for y in years]
             for iid in trend_ids() if CATALOGUE[iid].is_ratio}
    first = start or date(book.year, 1, 1)
    history: dict[str, Any] = {
        "years": years,
        "series": series,
        "gaps": [y for y in range(years[0], book.year) if y not in years],
        "window": [first.isoformat()[5:], end.isoformat()[5:]],
    }
    if parts:
        history["parts"] = parts
    unread = [y for y in unreadable if y > years[0]]
    if unread:
        history["unreadable"] = unread
    return history, warnings


def street_history(facts: list[CommunityFacts]) -> dict[str, Any]:
    """The street's series: each year's total over the same communities.

    A year counts only where every community has its workbook, and a year's figure only
    where every community has one (as 同比 compares the same communities); a community
    without history leaves the street without one rather than a total of unlike sets."""
    histories = [f.history for f in facts]
    if not histories or any(not h for h in histories):
        return {}
    years = sorted(set.intersection(*(set(h["years"]) for h in histories)))
    if len(years) < int(_rules()["最少年数"]):
        return {}
    series: dict[str, list[Any]] = {}
    parts: dict[str, list[list[Any]]] = {}
    for iid in trend_ids():
        ind = CATALOGUE[iid]
        values, pooled = [], []
        for y in years:
            items = []
            for h in histories:
                i = h["years"].index(y)
                value = (h.get("series") or {}).get(iid, [None] * len(h["years"]))[i]
                part = ((h.get("parts") or {}).get(iid) or [[None, None]] * len(h["years"]))[i]
                items.append((value, part))
            if any(v is None for v, _ in items):
                values.append(None)
                pooled.append([None, None])
            elif ind.is_ratio:
                if any(p[0] is None or p[1] is None for _, p in items):
                    values.append(None)
                    pooled.append([None, None])
                    continue
                num = plain(sum(p[0] for _, p in items))
                den = plain(sum(p[1] for _, p in items))
                res = divide(num, den, ind.scale, ind.digits)
                values.append(None if res.value is None else float(res.value))
                pooled.append([res.numerator, res.denominator])
            else:
                values.append(plain(sum(v for v, _ in items)))
        series[iid] = values
        if ind.is_ratio:
            parts[iid] = pooled
    last = years[-1]
    out: dict[str, Any] = {
        "years": years, "series": series,
        "gaps": [y for y in range(years[0], last) if y not in years],
        "window": histories[0].get("window"), "communities": len(facts),
    }
    if parts:
        out["parts"] = parts
    return out

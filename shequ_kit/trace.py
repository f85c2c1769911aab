"""数据溯源: which ledger rows each figure of a document counted, and the 底稿 listing them.

An auditor or a leader asks "where does 143场次 come from"; the answer is the Excel rows of
the community's workbook the indicator counted, never the values in them. The rows are
found by replaying the indicator's own row selection (catalogue's ``Rows`` on a ``Scope``
of the document's window and 条件), so the 底稿 can never drift from the figure. Row lists
travel compactly (``5-40,42``) inside the facts, so the notebook can show them in a
tooltip without re-reading any ledger.

The 底稿 (``write_workpaper``) is one xlsx per document: each stated figure, the sentence
it stands in (through the personal-data guard), the indicator's 名称 and 口径, the ledger
and its rows. It is the only place the row numbers are written out in full.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import catalogue as cat
from .catalogue import (
    CATALOGUE,
    Breakdown,
    ByMonth,
    Count,
    Distinct,
    Item,
    Months,
    Ratio,
    Rows,
    SafetyItem,
    Scope,
    Sum,
    column,
    yes,
)
from .model import LedgerBook
from .sources import trace_key

__all__ = ["COUNTED", "NUMERATOR", "DENOMINATOR", "ranges", "parse_ranges",
           "indicator_rows", "trace_rows", "trace_key", "workpaper_path", "workpaper_rows",
           "write_workpaper", "WORKPAPER_SUFFIX"]

COUNTED, NUMERATOR, DENOMINATOR, ITEM = "计数", "分子", "分母", "填报项"
WORKPAPER_SUFFIX = ".底稿.xlsx"
ROW = "_row"

Part = tuple[str, str, list[int]]  # (role, sheet, Excel rows)


# ---------------------------------------------------------------------------
# Compact row lists
# ---------------------------------------------------------------------------

def ranges(rows: Iterable[int], dash: str = "-", sep: str = ",") -> str:
    """Sorted Excel rows as runs: [5, 6, 7, 9] → ``5-7,9`` (short enough for facts JSON)."""
    out: list[str] = []
    run: list[int] = []
    for r in sorted(set(int(x) for x in rows)):
        if run and r == run[-1] + 1:
            run.append(r)
            continue
        if run:
            out.append(str(run[0]) if len(run) == 1 else f"{run[0]}{dash}{run[-1]}")
        run = [r]
    if run:
        out.append(str(run[0]) if len(run) == 1 else f"{run[0]}{dash}{run[-1]}")
    return sep.join(out)


def parse_ranges(text: str) -> list[int]:
    """The rows of ``ranges`` back (``5-7,9`` → [5, 6, 7, 9])."""
    out: list[int] = []
    for part in re.split(r"[,，、]", text or ""):
        lo, _, hi = part.strip().replace("–", "-").partition("-")
        if lo:
            out.extend(range(int(lo), int(hi or lo) + 1))
    return out


# ---------------------------------------------------------------------------
# The rows one indicator counted
# ---------------------------------------------------------------------------

def _rows_of(df: pd.DataFrame, mask: Any = None) -> list[int]:
    """The Excel rows of a frame (of the rows where ``mask`` holds), never a cell value."""
    if ROW not in df.columns:
        return []
    rows = df[ROW].to_numpy()
    if mask is not None:
        rows = rows[np.asarray(mask, dtype=bool)]
    return rows.tolist()


def _notna(s: pd.Series) -> np.ndarray:
    return s.notna().to_numpy()


def _numeric(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").notna().to_numpy()


def _groups(scope: Scope, df: pd.DataFrame, key: Any, values: pd.Series
            ) -> dict[str, np.ndarray]:
    """Row positions per category, grouped once per selection and remembered."""
    memo_key = ("trace-groups", key)
    if memo_key not in scope.memo:
        labels = [None if pd.isna(v) else str(v) for v in values.astype(object)]
        out: dict[str, list[int]] = {}
        for pos, label in enumerate(labels):
            if label is not None:
                out.setdefault(label, []).append(pos)
        scope.memo[memo_key] = {k: np.asarray(v, dtype=int) for k, v in out.items()}
    return scope.memo[memo_key]


def _pick(df: pd.DataFrame, keep: np.ndarray | None, positions: np.ndarray | None
          ) -> list[int]:
    rows = df[ROW].to_numpy() if ROW in df.columns else np.asarray([], dtype=int)
    if len(rows) == 0:
        return []
    mask = np.ones(len(rows), dtype=bool) if keep is None else keep.copy()
    if positions is not None:
        chosen = np.zeros(len(rows), dtype=bool)
        chosen[positions] = True
        mask &= chosen
    return rows[mask].tolist()


def _formula_parts(formula: Any, scope: Scope, category: str | None, role: str
                   ) -> list[Part]:
    """The parts of a formula piece, each piece kind answered by its own small rule."""
    if isinstance(formula, str):  # another indicator's id (a Ratio operand)
        ind = CATALOGUE[formula]
        if not scope.has(ind):
            return []
        return _formula_parts(ind.formula, scope, None, role)
    for kind, rule in _PIECES.items():
        if isinstance(formula, kind):
            return rule(formula, scope, category, role)
    named = _NAMED.get(getattr(formula, "__name__", ""))
    if named is not None:
        return named(scope, category)
    return []


def _count(f: Count | Months, scope: Scope, category: str | None, role: str) -> list[Part]:
    return [(role, f.rows.sheet, _rows_of(f.rows(scope)))]


def _sum(f: Sum, scope: Scope, category: str | None, role: str) -> list[Part]:
    df = f.rows(scope)
    return [(role, f.rows.sheet, _rows_of(df, _numeric(df[f.col])))]


def _distinct(f: Distinct, scope: Scope, category: str | None, role: str) -> list[Part]:
    df = f.rows(scope)
    return [(role, f.rows.sheet, _rows_of(df, _notna(df[f.col])))]


def _by_month(f: ByMonth, scope: Scope, category: str | None, role: str) -> list[Part]:
    df = f.rows(scope)
    positions = None
    if category is not None:
        months = df[f.rows.date].dt.month
        positions = _groups(scope, df, (f.rows, "month"), months.astype("Int64")
                            ).get(category, np.asarray([], dtype=int))
    return [(role, f.rows.sheet, _pick(df, None, positions))]


def _breakdown(f: Breakdown, scope: Scope, category: str | None, role: str) -> list[Part]:
    df = f.rows(scope)
    keep = None
    if f.measure == "sum" and f.of:
        keep = _numeric(df[f.of])
    elif f.measure == "distinct" and f.of:
        keep = _notna(df[f.of])
    positions = None
    if category is not None:
        positions = _groups(scope, df, (f.rows, f.col), df[f.col]).get(
            category, np.asarray([], dtype=int))
    return [(role, f.rows.sheet, _pick(df, keep, positions))]


def _item(f: Item | SafetyItem, scope: Scope, category: str | None, role: str) -> list[Part]:
    sheet = cat.SAFETY if isinstance(f, SafetyItem) else cat.PROFILE
    return [(ITEM, sheet, [])]


def _ratio(f: Ratio, scope: Scope, category: str | None, role: str) -> list[Part]:
    return (_formula_parts(f.num, scope, None, NUMERATOR)
            + _formula_parts(f.den, scope, None, DENOMINATOR))


_PIECES: dict[type, Callable[..., list[Part]]] = {
    Count: _count, Months: _count, Sum: _sum, Distinct: _distinct, ByMonth: _by_month,
    Breakdown: _breakdown, Item: _item, SafetyItem: _item, Ratio: _ratio,
}


# The definitions that are small named functions in the catalogue, each replayed here
# with the same Scope tests (its docstring there says what it counts).

def _population(scope: Scope, category: str | None) -> list[Part]:
    return [(ITEM, cat.PROFILE, [])]


def _volunteer_active(scope: Scope, category: str | None) -> list[Part]:
    served = Rows(cat.SRV, "日期")(scope)
    registered = Rows(cat.VOL, "注册日期", cat.UPTO)(scope)
    codes = set(registered["志愿者编号"].dropna().map(cat._code))
    active = [not pd.isna(x) and cat._code(x) in codes for x in served["志愿者编号"]]
    return [(NUMERATOR, cat.SRV, _rows_of(served, active)),
            (DENOMINATOR, cat.VOL, _rows_of(registered))]


def _dibao_amount(scope: Scope, category: str | None) -> list[Part]:
    df = scope.frame(cat.DIBAO)
    assert df is not None
    starts, ends = df["纳入日期"], column(df, "退出日期")
    ever = pd.Series(False, index=df.index)
    y = scope.as_of.year
    for m in range(scope.start.month, scope.as_of.month + 1):
        end = min(date(y, m, calendar.monthrange(y, m)[1]), scope.as_of)
        ever |= scope.active(starts, ends, at=end)
    return [(COUNTED, cat.DIBAO, _rows_of(df, ever.to_numpy()))]


def _spell_masks(scope: Scope, hard: bool) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The masks of catalogue.spells, row by row (that function keeps only the IDs)."""
    key = ("trace-spells", hard)
    if key in scope.memo:
        return scope.memo[key]
    df = scope.frame(cat.UNEMP)
    assert df is not None
    if hard:
        df = df[yes("就业困难人员")(df, scope)]
    job, cancel = column(df, "再就业日期"), column(df, "注销日期")
    ended_before = scope.before(job) | scope.before(cancel)
    open_ = scope.upto(df["登记失业日期"]) & ~ended_before
    active = scope.active(df["登记失业日期"], job) & ~scope.upto(cancel)
    re_in = open_ & scope.in_period(job)
    other = open_ & scope.in_period(cancel)
    ids = df["身份证号"]
    dropped = set(ids[other].dropna()) - set(ids[re_in].dropna())
    masks = {"open": open_, "end": active, "re": re_in,
             "den": open_ & ~ids.isin(dropped)}
    if "参加培训" in df.columns:
        masks["trained"] = open_ & yes("参加培训")(df, scope)
    out = (df, {k: v.fillna(False).to_numpy(dtype=bool) for k, v in masks.items()})
    scope.memo[key] = out
    return out


def _spell(numerator: str, denominator: str | None = None, hard: bool = False
           ) -> Callable[[Scope, str | None], list[Part]]:
    def parts(scope: Scope, category: str | None) -> list[Part]:
        df, masks = _spell_masks(scope, hard)
        if numerator not in masks:
            return []
        num = masks[numerator]
        if category is not None and "就业形式" in df.columns:
            num = num & df["就业形式"].astype(object).eq(category).fillna(False).to_numpy(bool)
        if denominator is None:
            return [(COUNTED, cat.UNEMP, _rows_of(df, num))]
        return [(NUMERATOR, cat.UNEMP, _rows_of(df, num)),
                (DENOMINATOR, cat.UNEMP, _rows_of(df, masks[denominator]))]
    return parts


def _hazard_ontime(scope: Scope, category: str | None) -> list[Part]:
    df = cat.HAZ_FOUND(scope)
    deadline, done = df["整改期限"], df["整改日期"]
    considered = deadline.notna()
    if "整改情况" in df.columns:
        dateless = done.isna() & df["整改情况"].astype(object).eq("已整改").fillna(False)
        considered &= ~dateless.astype(bool)
    ontime = considered & (done <= deadline).fillna(False) & scope.upto(done)
    return [(NUMERATOR, cat.HAZ, _rows_of(df, ontime.fillna(False).to_numpy(bool))),
            (DENOMINATOR, cat.HAZ, _rows_of(df, considered.fillna(False).to_numpy(bool)))]


def _hazard_days(scope: Scope, category: str | None) -> list[Part]:
    df = cat.HAZ_FOUND(scope)
    return [(COUNTED, cat.HAZ, _rows_of(df, scope.upto(df["整改日期"]).to_numpy(bool)))]


_NAMED: dict[str, Callable[[Scope, str | None], list[Part]]] = {
    "population": _population,
    "_volunteer_active": _volunteer_active,
    "_dibao_period_amount": _dibao_amount,
    "_emp_registered": _spell("open"),
    "_emp_end": _spell("end"),
    "_emp_reemployed": _spell("re"),
    "_emp_rate": _spell("re", "den"),
    "_emp_hard_reemployed": _spell("re", hard=True),
    "_emp_hard_rate": _spell("re", "den", hard=True),
    "_emp_training": _spell("trained", "open"),
    "_emp_by_form": _spell("re"),
    "_hazard_ontime": _hazard_ontime,
    "_hazard_avg_days": _hazard_days,
}


def _merge(parts: list[Part]) -> list[Part]:
    """One part per (role, sheet): a ratio of two counts of one ledger lists each once."""
    out: dict[tuple[str, str], list[int]] = {}
    for role, sheet, rows in parts:
        out.setdefault((role, sheet), [])
        out[(role, sheet)].extend(rows)
    return [(role, sheet, sorted(set(rows))) for (role, sheet), rows in out.items()]


def indicator_rows(book: LedgerBook, indicator_id: str,
                   condition: dict[str, str] | None = None, start: date | None = None,
                   as_of: date | None = None, category: str | None = None,
                   scope: Scope | None = None) -> list[Part]:
    """(role, ledger, Excel rows) the indicator counted over [start, as_of] under its 条件.

    role is 计数 for a count or sum, 分子 and 分母 for a ratio, 填报项 for a figure typed
    on 基本情况/平安稳定 (no rows). ``category`` narrows a breakdown to one of its keys
    (活动类型 文体, month "3"). An indicator the workbook cannot give is [].
    """
    ind = cat.indicator(indicator_id)
    if scope is None:
        cond = cat.canonical_condition(condition, book.enums)
        scope = Scope(book, cond, as_of=as_of, start=start)
    if any(k not in ind.filters for k in scope.condition) or not scope.has(ind):
        return []
    parts = _formula_parts(ind.formula, scope, category, COUNTED)
    if not ind.is_ratio:
        parts = [(COUNTED if role != ITEM else ITEM, sheet, rows)
                 for role, sheet, rows in parts]
    return _merge(parts)


def _window(facts: Any) -> tuple[date, date]:
    """The document's window: the facts' period (start .. end) where it names one."""
    period = getattr(facts, "period", None)
    if isinstance(period, dict) and period.get("start") and period.get("end"):
        return date.fromisoformat(str(period["start"])), date.fromisoformat(str(period["end"]))
    return date.fromisoformat(facts.period_start), date.fromisoformat(facts.as_of)


def trace_rows(book: LedgerBook, facts: Any) -> dict[str, list[list[Any]]]:
    """Every indicator row of the facts (and each breakdown key) with its rows, compact.

    {trace_key: [[role, ledger, "5-40,42", n], …]}, JSON-able and small (the sample's
    largest community: a few kB). One Scope per 条件, shared by every indicator, so the
    row selections the formulas memoised are not filtered twice.
    """
    start, end = _window(facts)
    scopes: dict[tuple[tuple[str, str], ...], Scope] = {}
    out: dict[str, list[list[Any]]] = {}
    for r in facts.indicators:
        iid = r.get("id")
        if iid not in CATALOGUE or r.get("level") == "street":
            continue
        cond = dict(r.get("condition") or {})
        ckey = tuple(sorted(cond.items()))
        scope = scopes.get(ckey)
        if scope is None:
            scope = scopes[ckey] = Scope(book, cat.canonical_condition(cond, book.enums),
                                         as_of=end, start=start)
        value = r.get("value")
        categories: list[str | None] = [None]
        if isinstance(value, dict):
            categories = [k for k, v in value.items() if isinstance(v, (int, float)) and v]
        for category in categories:
            parts = indicator_rows(book, iid, scope=scope, category=category)
            if parts:
                out[trace_key(iid, cond, category)] = [
                    [role, sheet, ranges(rows), len(rows)] for role, sheet, rows in parts]
    return out


# ---------------------------------------------------------------------------
# The 底稿
# ---------------------------------------------------------------------------

def workpaper_path(document_path: Path) -> Path:
    """``<文档名>.底稿.xlsx`` beside a document (any of its formats)."""
    return document_path.with_name(document_path.stem + WORKPAPER_SUFFIX)

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
           "workpaper_file", "write_workpaper", "WORKPAPER_SUFFIX"]

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
    df, ontime, considered = cat.hazard_ontime_masks(scope)
    return [(NUMERATOR, cat.HAZ, _rows_of(df, ontime.to_numpy(bool))),
            (DENOMINATOR, cat.HAZ, _rows_of(df, considered.to_numpy(bool)))]


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
    start = getattr(facts, "period_start", None) or f"{facts.year}-01-01"  # a street's
    return date.fromisoformat(start), date.fromisoformat(facts.as_of)


def trace_rows(book: LedgerBook, facts: Any, keys: Iterable[str] | None = None
               ) -> dict[str, list[list[Any]]]:
    """Every indicator row of the facts (and each breakdown key) with its rows, compact.

    {trace_key: [[role, ledger, "5-40,42", n], …]}, JSON-able and small; ``keys`` limits
    it to the figures a document states (``trace_key``). One Scope per 条件, shared by every indicator, so the
    row selections the formulas memoised are not filtered twice.
    """
    wanted = None if keys is None else set(keys)
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
        if wanted is not None:
            categories = [c for c in categories if trace_key(iid, cond, c) in wanted]
            if not categories:
                continue
        for category in categories:
            parts = indicator_rows(book, iid, scope=scope, category=category)
            if parts:
                out[trace_key(iid, cond, category)] = [
                    [role, sheet, ranges(rows), len(rows)] for role, sheet, rows in parts]
    return out


def street_trace(books: dict[str, LedgerBook], street: Any, keys: Iterable[str]
                 ) -> dict[str, list[list[Any]]]:
    """The rows behind a street's figures: each total's rows in every community that has
    data for it (ledger named 社区·台账), and each community's own under ``社区:key``."""
    wanted = set(keys)
    out: dict[str, list[list[Any]]] = {}
    for facts in street.communities:
        book = books.get(facts.community)
        if book is None:
            continue
        own = trace_rows(book, facts, wanted)
        for key, parts in own.items():
            out[f"{facts.community}:{key}"] = parts
            out.setdefault(key, []).extend(
                [role, f"{facts.community}·{sheet}", text, n] for role, sheet, text, n in parts)
    return out


# ---------------------------------------------------------------------------
# The 底稿
# ---------------------------------------------------------------------------

def workpaper_path(document_path: Path) -> Path:
    """``<文档名>.底稿.xlsx`` beside a document (any of its formats)."""
    return document_path.with_name(document_path.stem + WORKPAPER_SUFFIX)


RULES = Path(__file__).resolve().parent / "rules" / "trace.yaml"
_RULES: dict[str, Any] | None = None


def rules() -> dict[str, Any]:
    """The 底稿's wording and the indicators' 口径 (rules/trace.yaml), read once."""
    global _RULES
    if _RULES is None:
        from . import yamltext
        _RULES = yamltext.load(RULES.read_text(encoding="utf-8"))
    return _RULES


def definition(indicator_id: str) -> str:
    """The indicator's 口径 as indicators.md defines it, in Chinese."""
    table = rules().get("口径") or {}
    if indicator_id in table:
        return str(table[indicator_id])
    family = indicator_id.split(".")[0] + ".*"
    return str(table.get(family) or "")


def _sentence(text: str, at: int) -> str:
    """The sentence of ``text`` around position ``at`` (from the last 。 to the next)."""
    lo = max(text.rfind("。", 0, max(0, at)), text.rfind("\n", 0, max(0, at))) + 1
    hi = text.find("。", at)
    return text[lo:len(text) if hi < 0 else hi + 1].strip()


def _place(section: Any, document: Any) -> str:
    """The headings above a section, as the reader finds it (一、… / （二）…)."""
    for top in document.sections:
        path: list[str] = []
        if _find(top, section, path):
            return " / ".join(h for h in path if h) or document.title
    return str(getattr(section, "heading", "") or document.title)


def _find(node: Any, target: Any, path: list[str]) -> bool:
    path.append(str(node.heading or ""))
    if node is target:
        return True
    for sub in node.subsections:
        if _find(sub, target, path):
            return True
    path.pop()
    return False


def _block_sentence(block: Any, src: dict[str, Any]) -> str:
    wording = rules()
    cell = src.get("cell")
    if cell is not None and hasattr(block, "rows"):
        i, j = cell
        row = block.rows[i] if i < len(block.rows) else []
        label = str(row[0]) if row else ""
        column_name = str(block.columns[j]) if j < len(block.columns) else ""
        return str(wording["表格句子"]).format(表=block.caption or "、".join(
            str(c) for c in block.columns[:3]), 行=label, 列=column_name)
    text = getattr(block, "content", None)
    if text is None:
        text = getattr(block, "body", "")
    return _sentence(str(text), int(src.get("at") or 0))


def _indicator_label(src: dict[str, Any]) -> str:
    ind = CATALOGUE.get(str(src.get("id")))
    name = ind.name if ind is not None else str(src.get("name") or src.get("id"))
    extra = [f"{k}：{v}" for k, v in sorted((src.get("condition") or {}).items())]
    if src.get("category") is not None:
        extra.append(str(src["category"]) + ("月" if str(src["id"]).endswith("by_month")
                                             else ""))
    return name + (f"（{'，'.join(extra)}）" if extra else "")


def _formula(src: dict[str, Any], facts: Any) -> str:
    iid = str(src.get("id"))
    text = definition(iid)
    ind = CATALOGUE.get(iid)
    if src.get("category") is not None and isinstance(getattr(ind, "formula", None),
                                                       Breakdown):
        text += f"，其中{ind.formula.col}为“{src['category']}”"  # type: ignore[union-attr]
    for k, v in sorted((src.get("condition") or {}).items()):
        text += f"，限{k}为“{v}”"
    if src.get("role") in ("同比", "上年同期"):
        text += "；" + str(rules()["同比"]).format(上年=int(getattr(facts, "year", 0)) - 1)
    return text


def _parts_text(parts: list[list[Any]]) -> tuple[str, str, str]:
    """(台账, 行号, 条数) cells of one figure: a ratio's 分子 and 分母 on two lines."""
    roles = rules().get("角色") or {}
    sheets, where, counts = [], [], []
    for role, sheet, text, n in parts:
        label = str(roles.get(role, role) or "")
        if sheet not in sheets:
            sheets.append(sheet)
        owner = f"{sheet.rpartition('·')[0]}：" if "·" in sheet else ""  # a street's
        head = f"{owner}{label}：" if label and role != ITEM else owner
        if role == ITEM:
            where.append(f"{sheet}{label}")
            counts.append("—")
            continue
        rows_text = str(text).replace("-", "–").replace(",", "、")
        where.append(f"{head}第{rows_text}行" if rows_text else f"{head}无")
        counts.append(f"{head}{n}")
    return "、".join(sheets), "\n".join(where), "\n".join(counts)


def _wanted_keys(document: Any) -> set[str]:
    from .sources import figures
    return {trace_key(str(s["id"]), s.get("condition"), s.get("category"))
            for _, _, s in figures(document)}


def workpaper_rows(document: Any, facts: Any, rows: dict[str, Any] | LedgerBook | None = None
                   ) -> list[list[Any]]:
    """The 底稿's rows, one per stated figure in the document's numbering (序号 = the
    ``data-trace`` of its HTML span). ``rows`` is a trace (``trace_rows``), the workbook
    to trace from, or None for the facts' own trace."""
    from .sources import figures
    if isinstance(rows, LedgerBook):
        rows = trace_rows(rows, facts, keys=_wanted_keys(document))
    trace = rows if rows is not None else (getattr(facts, "trace", None) or {})
    out: list[list[Any]] = []
    for section, block, src in figures(document):
        key = trace_key(str(src["id"]), src.get("condition"), src.get("category"))
        own = f"{src['community']}:{key}" if src.get("community") else None
        parts = trace.get(own or "") or trace.get(key) or src.get("rows") or []
        whose = ""
        if own and own in trace:  # a community's own figure in a street's document
            whose = f"{src['community']}："
            parts = [[r, f"{src['community']}·{s}", t, n] for r, s, t, n in parts]
        if src.get("role") == "上年同期":  # counted in last year's workbook, not this one
            parts = []
        sheets, where, counts = _parts_text(parts)
        if src.get("role") == "上年同期":
            sheets, where, counts = str(rules()["上年台账"]), "—", "—"
        ind = CATALOGUE.get(str(src.get("id")))
        out.append([src.get("n") or len(out) + 1, _place(section, document),
                    _block_sentence(block, src), str(src.get("text")),
                    whose + _indicator_label(src),
                    key.split("#")[0].split("|")[0], _formula(src, facts),
                    sheets or (ind.sheet if ind else ""), where, counts])
    return out


def workpaper_xlsx(title: str, rows: list[list[Any]], files: dict[str, str],
                   period: str = "") -> bytes:
    """The 底稿 workbook: 说明, 底稿 (one row per figure) and 台账文件 sheets."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wording = rules()
    wb = Workbook()
    ws = wb.active
    ws.title = str(wording["底稿表名"])
    ws.append(list(wording["列"]))
    for r in rows:
        ws.append(list(r))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    for letter, width in zip("ABCDEFGHIJ", (6, 18, 60, 12, 18, 24, 40, 12, 30, 10),
                             strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    sheets = wb.create_sheet(str(wording["台账表名"]))
    sheets.append(list(wording["台账列"]))
    from .schema import SHEETS
    order = {s.name: i for i, s in enumerate(SHEETS)}  # the workbook's own order
    # A street's 底稿 names its ledgers 社区·台账: each community's own workbook.
    used = sorted({s for r in rows for s in str(r[7]).split("、")
                   if s.rpartition("·")[2] in order},
                  key=lambda name: (name.rpartition("·")[0],
                                    order.get(name.rpartition("·")[2], len(order))))
    for sheet in used:
        owner = sheet.rpartition("·")[0]
        name = files.get(owner) or files.get(sheet) or files.get("*") or ""
        sheets.append([sheet, name, "行号为该工作表中的Excel行号"])
    for letter, width in zip("ABC", (16, 36, 36), strict=True):
        sheets.column_dimensions[letter].width = width
    note = wb.create_sheet(str(wording["说明表名"]))
    note.append([str(wording["说明"]).format(标题=title, 期间=period)])
    note.column_dimensions["A"].width = 100
    note["A1"].alignment = wrap
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _check(rows: list[list[Any]], index: Any, where: str) -> None:
    """Every cell through the personal-data guard (a name alone in a cell included)."""
    if index is None:
        return
    import html as _html

    from . import guard
    # The sentences are the document's words; every other cell is the kit's own (figures,
    # names of indicators and ledgers, row numbers). Each sentence once, as a cell of its
    # own, so a name standing alone is caught as well as an ID inside a sentence.
    sentences = dict.fromkeys(str(r[2]) for r in rows)
    cells = "".join(f"<tr><td>{_html.escape(c)}</td></tr>" for c in sentences)
    guard.check_html(f"<table>{cells}</table>", index, where=where)


def _same(path: Path, rows: list[list[Any]]) -> bool:
    """The 底稿 on disk already says exactly this (an unchanged re-run writes nothing)."""
    if not path.is_file():
        return False
    try:
        from openpyxl import load_workbook
        wb = load_workbook(path, read_only=True)
        ws = wb[str(rules()["底稿表名"])]
        old = [["" if v is None else v for v in r] for r in ws.iter_rows(min_row=2,
                                                                         values_only=True)]
        wb.close()
    except Exception:  # unreadable: write it again
        return False
    return old == [["" if v is None else v for v in r] for r in rows]


def workpaper_file(document: Any, facts: Any, rows: dict[str, Any] | LedgerBook | None,
                   index: Any = None, files: dict[str, str] | None = None) -> bytes:
    """The 底稿 of a document as xlsx bytes, after the personal-data guard (raises
    guard.PersonalDataError, naming no value, when any sentence holds personal data).
    ``files`` maps a ledger to its workbook's file name ("*" for all of one workbook)."""
    table = workpaper_rows(document, facts, rows)
    _check(table, index, where=f"{document.title}的数据底稿")
    start, end = _window(facts)
    period = f"统计期{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日"
    return workpaper_xlsx(document.title, table, files or {}, period)


def write_workpaper(document: Any, facts: Any, rows: dict[str, Any] | LedgerBook | None,
                    path: Path, index: Any = None, files: dict[str, str] | None = None
                    ) -> bool:
    """Write ``<文档名>.底稿.xlsx`` for a document; False when it already said the same.
    Nothing is written when the guard refuses it (guard.PersonalDataError)."""
    from .report import write_outputs

    table = workpaper_rows(document, facts, rows)
    _check(table, index, where=f"{document.title}的数据底稿")
    if _same(path, table):
        return False
    write_outputs({path: workpaper_file(document, facts, rows, None, files)})
    return True

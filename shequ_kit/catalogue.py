"""The indicator catalogue of indicators.md, one declaration per indicator.

An indicator is data: its id, 名称, unit, better direction, kind, the ledger it reads, the
columns it cannot do without, and a formula assembled from a handful of small pieces
(row selections, counts, sums, distinct people, breakdowns, ratios of other indicators).
Adding an indicator that fits these pieces is one ``_add`` line; the few definitions that
do not fit (employment spells, 低保 months, hazard deadlines) are small named functions
below, each carrying the wording of the contract it implements.

The pieces are evaluated against a ``Scope``: one workbook, one period (1 Jan .. as-of)
and one optional 条件. The scope filters each ledger once and remembers every result, so
a ratio that reuses two counts computes nothing twice.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from .model import LedgerBook
from .schema import ENUM, ENUMS, SAFETY_ITEMS, SHEETS, SHEETS_BY_NAME, EnumSpec

UP, DOWN, NEUTRAL = "↑", "↓", "—"
COUNT, AMOUNT, RATE, RATIO, BREAKDOWN, VALUE = (
    "count", "amount", "rate", "ratio", "breakdown", "value")

PROFILE = "基本情况"
SAFETY = "平安稳定"
ACT = "活动台账"
VOL = "志愿者名册"
SRV = "志愿服务记录"
DIBAO = "低保台账"
DIS = "残疾人台账"
UNEMP = "失业人员台账"
DISP = "矛盾纠纷台账"
HAZ = "安全隐患台账"
ASSIST = "帮扶台账"
DON = "捐赠台账"
INFO = "信息报送台账"

KEY_VALUE_SHEETS = frozenset(s.name for s in SHEETS if s.key_value)


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Result:
    """An indicator's value with the numerator and denominator that make a ratio honest.

    ``value`` None is 无数据. For plain counts and amounts numerator and denominator are
    None; for ratios they are kept even when the denominator is 0 (value None), so the
    reader of a report can see why a rate is missing.
    """

    value: Any = None
    numerator: Any = None
    denominator: Any = None


NODATA = Result()


def plain(x: Any) -> Any:
    """A JSON-ready number: numpy scalars unwrapped, integral amounts as int, NaN as None."""
    if x is None or x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if hasattr(x, "item"):
        x = x.item()
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, float):
        if x != x:  # NaN
            return None
        if x.is_integer() and abs(x) < 2**53:
            return int(x)
    return x


def round_half_up(x: float | None, digits: int) -> float | None:
    """四舍五入 as the genre writes it (Python's round() would give 2.5 -> 2)."""
    if x is None:
        return None
    q = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP))


def divide(num: Any, den: Any, scale: float = 1, digits: int | None = None) -> Result:
    """A ratio; a zero or missing denominator is 无数据, never 0 and never an error."""
    num, den = plain(num), plain(den)
    if num is None or den is None:
        return Result(None, num, den)
    if den == 0:
        return Result(None, num, den)
    value = num / den * scale
    if digits is not None:
        value = round_half_up(value, digits)
    return Result(value, num, den)


# ---------------------------------------------------------------------------
# Enumerations and 条件
# ---------------------------------------------------------------------------

def enum_of(sheet: str, column: str) -> str | None:
    """The ENUMS key of a sheet's enum column (None when the column is not an enum)."""
    spec = SHEETS_BY_NAME.get(sheet)
    if spec is None:
        return None
    for col in spec.columns:
        if col.name == column and col.kind == ENUM:
            return col.enum
    return None


def enum_columns(sheet: str) -> tuple[str, ...]:
    spec = SHEETS_BY_NAME.get(sheet)
    if spec is None or spec.key_value:
        return ()
    return tuple(c.name for c in spec.columns if c.kind == ENUM)


def _all_enum_columns() -> dict[str, str]:
    """Every enum column name of any table ledger -> its ENUMS key (first declaration)."""
    out: dict[str, str] = {}
    for s in SHEETS:
        if s.key_value:
            continue
        for c in s.columns:
            if c.kind == ENUM and c.name not in out:
                out[c.name] = c.enum or c.name
    return out


ENUM_COLUMNS = _all_enum_columns()


def enum_spec(enums: dict[str, Any] | None, key: str) -> EnumSpec:
    """The street's list when the workbook carries one, else the built-in default."""
    if enums and key in enums and enums[key] is not None:
        spec = enums[key]
        if isinstance(spec, EnumSpec):
            return spec
        if isinstance(spec, dict):
            return EnumSpec(tuple(spec.get("values", ())), dict(spec.get("aliases", {})))
        return EnumSpec(tuple(spec))
    return ENUMS[key]


def canonical_condition(condition: dict[str, str] | None, enums: dict[str, Any] | None
                        ) -> dict[str, str]:
    """A 条件 with every value mapped to its canonical enum value.

    A column that is no enum column of any ledger, or a value outside the list in force,
    is a mistake in the parameters: it raises a Chinese ValueError instead of quietly
    giving 无数据.
    """
    out: dict[str, str] = {}
    for key, raw in (condition or {}).items():
        column = str(key).strip()
        if column not in ENUM_COLUMNS:
            allowed = "、".join(ENUM_COLUMNS)
            raise ValueError(f"条件中的“{column}”不是可以筛选的台账列（可用：{allowed}）")
        spec = enum_spec(enums, ENUM_COLUMNS[column])
        value = str(raw).strip()
        if value not in spec.values:
            mapped = spec.aliases.get(value)
            if mapped is None:
                for suffix in ("残疾", "类", "纠纷"):
                    if value.endswith(suffix) and value[: -len(suffix)] in spec.values:
                        mapped = value[: -len(suffix)]
                        break
            if mapped is None:
                allowed = "、".join(spec.values)
                raise ValueError(
                    f"条件“{column}: {value}”的取值不在“{column}”的列表中（可选：{allowed}）")
            value = mapped
        out[column] = value
    return out


# ---------------------------------------------------------------------------
# Scope: one workbook, one period, one 条件
# ---------------------------------------------------------------------------

def _ts(d: date) -> pd.Timestamp:
    return pd.Timestamp(d)


class Scope:
    """Everything a formula may look at, filtered once and remembered.

    ``condition`` must already be canonical (``canonical_condition``). It filters a
    ledger only on the enum columns that ledger declares: a ratio's profile denominator
    (常住人口) is never filtered by 条线. A declared enum column of the 条件 that the
    ledger's frame lacks makes that ledger 无数据.
    """

    def __init__(self, book: LedgerBook, condition: dict[str, str] | None = None,
                 as_of: date | None = None, start: date | None = None,
                 windowed: bool = False):
        self.book = book
        self.as_of = as_of or book.as_of
        self.start = start or date(self.as_of.year, 1, 1)
        self.condition = dict(condition or {})
        # A window the run named (--period): the 平安稳定 sheet's figures are the
        # workbook's whole period and say nothing of a part of it but a zero.
        self.windowed = windowed
        self.lo = _ts(self.start)
        self.year_lo = _ts(date(self.start.year, 1, 1))
        self.hi = _ts(self.as_of) + pd.Timedelta(days=1)  # exclusive: dates may carry a time
        self._frames: dict[str, pd.DataFrame | None] = {}
        self._results: dict[str, Result] = {}
        self.memo: dict[Any, Any] = {}

    # -- ledgers -----------------------------------------------------------------------
    def frame(self, sheet: str) -> pd.DataFrame | None:
        if sheet in self._frames:
            return self._frames[sheet]
        df = self.book.sheets.get(sheet)
        if df is not None and self.condition:
            mask = pd.Series(True, index=df.index)
            for column, value in self.condition.items():
                if column not in enum_columns(sheet):
                    continue
                if column not in df.columns:
                    df = None
                    break
                mask &= df[column].astype(object).eq(value).fillna(False).astype(bool)
            if df is not None:
                df = df[mask]
        self._frames[sheet] = df
        return df

    def has(self, ind: Indicator) -> bool:
        """The ledger and every column the indicator cannot do without are present."""
        if any(self.frame(other) is None for other in ind.also):
            return False
        if ind.sheet in KEY_VALUE_SHEETS:
            return True
        df = self.frame(ind.sheet)
        if df is None:
            return False
        for need in ind.needs:
            options = need if isinstance(need, tuple) else (need,)
            if not any(o in df.columns for o in options):
                return False
        return True

    # -- dates -------------------------------------------------------------------------
    def in_period(self, dates: pd.Series) -> pd.Series:
        return ((dates >= self.lo) & (dates < self.hi)).fillna(False).astype(bool)

    def upto(self, dates: pd.Series) -> pd.Series:
        """On or before the as-of date."""
        return (dates < self.hi).fillna(False).astype(bool)

    def before(self, dates: pd.Series) -> pd.Series:
        """Before the period (before 1 January)."""
        return (dates < self.lo).fillna(False).astype(bool)

    def before_year(self, dates: pd.Series) -> pd.Series:
        """Before 1 January of the period's year (last year's, whatever the window)."""
        return (dates < self.year_lo).fillna(False).astype(bool)

    @property
    def whole_book(self) -> bool:
        """The scope covers the workbook's own period (1 January .. its as-of date)."""
        return (self.start, self.as_of) == (self.book.period_start, self.book.as_of)

    def active(self, starts: pd.Series, ends: pd.Series, at: date | None = None) -> pd.Series:
        """Start ≤ the date and (no end, or end after it): the contract's 'active'."""
        t = _ts(at or self.as_of) + pd.Timedelta(days=1)
        started = (starts < t).fillna(False).astype(bool)
        running = (ends.isna() | (ends >= t)).fillna(False).astype(bool)
        return started & running

    # -- other indicators ----------------------------------------------------------------
    def result(self, indicator_id: str) -> Result:
        if indicator_id not in self._results:
            ind = CATALOGUE[indicator_id]
            self._results[indicator_id] = ind.formula(self) if self.has(ind) else NODATA
        return self._results[indicator_id]

    def enum_values(self, sheet: str, column: str) -> tuple[str, ...]:
        key = enum_of(sheet, column) or column
        return enum_spec(self.book.enums, key).values


def column(df: pd.DataFrame, name: str, default: Any = None) -> pd.Series:
    """A column, or a column of ``default`` when the ledger does not keep it.

    Used only for columns whose absence has a meaning in the contract (an end date that
    no one filled in, 面向居民 empty = 是); a column an indicator needs is in ``needs``.
    """
    if name in df.columns:
        return df[name]
    if default is None:
        return pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    return pd.Series(default, index=df.index)


# ---------------------------------------------------------------------------
# Row predicates
# ---------------------------------------------------------------------------

Pred = Callable[[pd.DataFrame, Scope], pd.Series]


def yes(col: str, empty: bool = False) -> Pred:
    """A yes/no column is 是 (an empty cell, or an absent column, reads as ``empty``)."""
    def pred(df: pd.DataFrame, scope: Scope) -> pd.Series:
        if col not in df.columns:
            return pd.Series(empty, index=df.index, dtype=bool)
        return df[col].astype("boolean").fillna(empty).astype(bool)
    return pred


def eq(col: str, *values: str) -> Pred:
    def pred(df: pd.DataFrame, scope: Scope) -> pd.Series:
        return df[col].astype(object).isin(values).astype(bool)
    return pred


def ne(col: str, value: str) -> Pred:
    def pred(df: pd.DataFrame, scope: Scope) -> pd.Series:
        return ~df[col].astype(object).eq(value).fillna(False).astype(bool)
    return pred


def dated_in_period(col: str) -> Pred:
    def pred(df: pd.DataFrame, scope: Scope) -> pd.Series:
        return scope.in_period(column(df, col))
    return pred


def rectified(df: pd.DataFrame, scope: Scope) -> pd.Series:
    """整改日期 ≤ as-of, or 整改情况=已整改 without a date (the contract's rule)."""
    done = column(df, "整改日期")
    dated = scope.upto(done)
    if "整改情况" in df.columns:
        dateless = done.isna() & df["整改情况"].astype(object).eq("已整改").fillna(False)
        dated = dated | dateless.astype(bool)
    return dated


# ---------------------------------------------------------------------------
# Row selections
# ---------------------------------------------------------------------------

PERIOD, UPTO, BEFORE, ALL, ACTIVE = "period", "upto", "before", "all", "active"
BEFORE_YEAR = "before_year"


@dataclass(frozen=True)
class Rows:
    """The rows of one ledger an indicator looks at.

    mode: PERIOD (``date`` in the period), UPTO (``date`` ≤ as-of), BEFORE (``date``
    before the period's first day), BEFORE_YEAR (``date`` before 1 January, also for a
    quarter or a month), ALL (every row), ACTIVE (``date`` ≤ as-of and ``end`` empty or
    after it). ``where`` narrows further.
    """

    sheet: str
    date: str | None = None
    mode: str = PERIOD
    where: tuple[Pred, ...] = ()
    end: str | None = None

    def __call__(self, scope: Scope) -> pd.DataFrame:
        key = ("rows", self)
        if key in scope.memo:
            return scope.memo[key]
        df = scope.frame(self.sheet)
        assert df is not None  # Scope.has() was checked before any formula runs
        if self.mode == PERIOD:
            df = df[scope.in_period(df[self.date])]
        elif self.mode == UPTO:
            df = df[scope.upto(df[self.date])]
        elif self.mode == BEFORE:
            df = df[scope.before(df[self.date])]
        elif self.mode == BEFORE_YEAR:
            df = df[scope.before_year(df[self.date])]
        elif self.mode == ACTIVE:
            df = df[scope.active(df[self.date], column(df, self.end))]
        for pred in self.where:
            df = df[pred(df, scope)]
        scope.memo[key] = df
        return df

    def where_also(self, *preds: Pred) -> Rows:
        return Rows(self.sheet, self.date, self.mode, self.where + preds, self.end)


# ---------------------------------------------------------------------------
# Aggregations (each is a formula: Scope -> Result)
# ---------------------------------------------------------------------------

Formula = Callable[[Scope], Result]


@dataclass(frozen=True)
class Count:
    """Rows (场次, 件, 处, 篇, 户 of a register)."""

    rows: Rows

    def __call__(self, scope: Scope) -> Result:
        return Result(int(len(self.rows(scope))))


@dataclass(frozen=True)
class Sum:
    """Σ of a column over the rows (人次, 户次, 元, 小时); empty cells add nothing."""

    rows: Rows
    col: str

    def __call__(self, scope: Scope) -> Result:
        df = self.rows(scope)
        return Result(plain(pd.to_numeric(df[self.col], errors="coerce").sum()) if len(df) else 0)


@dataclass(frozen=True)
class Distinct:
    """Distinct people (人) by an identifying column."""

    rows: Rows
    col: str = "身份证号"

    def __call__(self, scope: Scope) -> Result:
        return Result(int(self.rows(scope)[self.col].dropna().nunique()))


@dataclass(frozen=True)
class Months:
    """Distinct calendar months of the rows' dates."""

    rows: Rows

    def __call__(self, scope: Scope) -> Result:
        return Result(int(self.rows(scope)[self.rows.date].dt.month.nunique()))


@dataclass(frozen=True)
class ByMonth:
    """Rows per month of the period, keys "1".. the as-of month, zeros included."""

    rows: Rows

    def __call__(self, scope: Scope) -> Result:
        months = self.rows(scope)[self.rows.date].dt.month.value_counts()
        return Result({str(m): int(months.get(m, 0))
                       for m in range(scope.start.month, scope.as_of.month + 1)})


@dataclass(frozen=True)
class Breakdown:
    """One figure per enum value, every value of the list in force listed (zeros too).

    measure: "count" (rows), "sum" (Σ ``of``), "distinct" (distinct ``of``).
    """

    rows: Rows
    col: str
    measure: str = "count"
    of: str | None = None

    def __call__(self, scope: Scope) -> Result:
        df = self.rows(scope)
        keys = scope.enum_values(self.rows.sheet, self.col)
        groups = df.groupby(df[self.col].astype(object), sort=False, dropna=True)
        if self.measure == "count":
            got = groups.size()
        elif self.measure == "sum":
            got = groups[self.of].sum()
        else:
            got = groups[self.of].nunique()
        out = {k: plain(got.get(k, 0)) for k in keys}
        # A value the street's list no longer holds still counts somewhere visible.
        for k, v in got.items():
            if k not in out and k is not None:
                out[str(k)] = plain(v)
        return Result(out)


@dataclass(frozen=True)
class Item:
    """A figure of the 基本情况 sheet (absent or empty -> 无数据)."""

    name: str

    def __call__(self, scope: Scope) -> Result:
        return Result(plain(scope.book.profile.get(self.name)))


def population(scope: Scope) -> Result:
    """常住人口, or the contract's fallback (实有人口, else 户籍人口 + 流动人口)."""
    p = scope.book.profile
    for key in ("常住人口", "实有人口"):
        if plain(p.get(key)) is not None:
            return Result(plain(p[key]))
    registered, floating = plain(p.get("户籍人口")), plain(p.get("流动人口"))
    if registered is not None and floating is not None:
        return Result(registered + floating)
    return NODATA


@dataclass(frozen=True)
class SafetyItem:
    """A figure of the 平安稳定 sheet; the sheet or the item absent -> 无数据 (never 0)."""

    name: str

    def __call__(self, scope: Scope) -> Result:
        if scope.book.safety is None:
            return NODATA
        value = plain(scope.book.safety.get(self.name))
        if scope.windowed and not scope.whole_book and value != 0:
            # A count of the workbook's whole period cannot be split into a quarter or a
            # week; a zero holds for every part of it (杜绝 stays judged).
            return NODATA
        return Result(value)


@dataclass(frozen=True)
class WholePeriod:
    """A figure the ledger keeps for its whole period without dates (走访服务次数 of the
    残疾人台账): a quarter or a week of it cannot be told (无数据)."""

    formula: Formula

    def __call__(self, scope: Scope) -> Result:
        if scope.windowed and not scope.whole_book:
            return NODATA
        return self.formula(scope)


Operand = str | Formula


def _operand(scope: Scope, op: Operand) -> Any:
    return scope.result(op).value if isinstance(op, str) else op(scope).value


@dataclass(frozen=True)
class Ratio:
    """numerator / denominator × scale; either side an indicator id or a formula."""

    num: Operand
    den: Operand
    scale: float = 1
    digits: int | None = None

    def __call__(self, scope: Scope) -> Result:
        return divide(_operand(scope, self.num), _operand(scope, self.den),
                      self.scale, self.digits)


# ---------------------------------------------------------------------------
# Definitions that need more than one piece
# ---------------------------------------------------------------------------

def _volunteer_active(scope: Scope) -> Result:
    """Distinct 编号 serving in the period that are among the registered / registered."""
    served = set(Rows(SRV, "日期")(scope)["志愿者编号"].dropna().map(_code))
    registered_rows = Rows(VOL, "注册日期", UPTO)(scope)
    registered = set(registered_rows["志愿者编号"].dropna().map(_code))
    return divide(len(served & registered), len(registered_rows))


def _code(x: Any) -> str:
    """1001, 1001.0 and "1001" are one 编号."""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    s = str(x).strip()
    return s[:-2] if s.endswith(".0") and s[:-2].isdigit() else s


def _dibao_period_amount(scope: Scope) -> Result:
    """Σ over rows of 月保障金 × months of the period at whose end the row was active.

    A month's end is its last day, or the as-of date for the month that holds it.
    """
    df = scope.frame(DIBAO)
    assert df is not None
    starts, ends = df["纳入日期"], column(df, "退出日期")
    money = pd.to_numeric(df["月保障金(元)"], errors="coerce").fillna(0)
    total = 0.0
    y = scope.as_of.year
    for m in range(scope.start.month, scope.as_of.month + 1):
        days = calendar.monthrange(y, m)[1]
        end = date(y, m, days)
        end = min(end, scope.as_of)
        month = float(money[scope.active(starts, ends, at=end)].sum())
        if scope.windowed:  # a week or a range pays its days' share of a month
            first = max(date(y, m, 1), scope.start)
            month *= ((end - first).days + 1) / days
        total += month
    return Result(plain(round(total, 2) if scope.windowed else total))


@dataclass
class Spells:
    """The people of 失业人员台账 for one period, by the contract's definitions."""

    open_ids: set[str] = field(default_factory=set)  # registered_in_year
    end_ids: set[str] = field(default_factory=set)  # active at the as-of date
    reemployed_ids: set[str] = field(default_factory=set)
    ended_other_ids: set[str] = field(default_factory=set)  # 注销 in the period
    trained_ids: set[str] = field(default_factory=set)
    reemployed_rows: pd.DataFrame | None = None

    @property
    def rate_denominator(self) -> int:
        """registered_in_year − those ended by another reason and not reemployed."""
        return len(self.open_ids) - len(self.ended_other_ids - self.reemployed_ids)


def spells(scope: Scope, hard: bool = False) -> Spells:
    """Open during the period: 登记失业日期 ≤ as-of and not ended (再就业日期 or 注销日期)
    before 1 January. A person with several registrations (re-entries) is one person;
    an end-date column the ledger does not keep means no registration ended that way.
    """
    key = ("spells", hard)
    if key in scope.memo:
        return scope.memo[key]
    df = scope.frame(UNEMP)
    assert df is not None
    if hard:
        df = df[yes("就业困难人员")(df, scope)]
    ids = df["身份证号"]
    job, cancel = column(df, "再就业日期"), column(df, "注销日期")
    ended_before = scope.before(job) | scope.before(cancel)
    open_ = scope.upto(df["登记失业日期"]) & ~ended_before
    active = scope.active(df["登记失业日期"], job) & ~scope.upto(cancel)
    re_in = open_ & scope.in_period(job)
    out = Spells(
        open_ids=set(ids[open_].dropna()),
        end_ids=set(ids[active].dropna()),
        reemployed_ids=set(ids[re_in].dropna()),
        ended_other_ids=set(ids[open_ & scope.in_period(cancel)].dropna()),
        reemployed_rows=df[re_in],
    )
    if "参加培训" in df.columns:
        out.trained_ids = set(ids[open_ & yes("参加培训")(df, scope)].dropna())
    scope.memo[key] = out
    return out


def _emp_registered(scope: Scope) -> Result:
    return Result(len(spells(scope).open_ids))


def _emp_end(scope: Scope) -> Result:
    return Result(len(spells(scope).end_ids))


def _emp_reemployed(scope: Scope) -> Result:
    return Result(len(spells(scope).reemployed_ids))


def _emp_rate(scope: Scope) -> Result:
    s = spells(scope)
    return divide(len(s.reemployed_ids), s.rate_denominator)


def _emp_hard_reemployed(scope: Scope) -> Result:
    return Result(len(spells(scope, hard=True).reemployed_ids))


def _emp_hard_rate(scope: Scope) -> Result:
    s = spells(scope, hard=True)
    return divide(len(s.reemployed_ids), s.rate_denominator)


def _emp_training(scope: Scope) -> Result:
    s = spells(scope)
    return divide(len(s.trained_ids), len(s.open_ids))


def _emp_by_form(scope: Scope) -> Result:
    rows = spells(scope).reemployed_rows
    assert rows is not None
    got = rows.groupby(rows["就业形式"].astype(object), dropna=True)["身份证号"].nunique()
    keys = scope.enum_values(UNEMP, "就业形式")
    out = {k: int(got.get(k, 0)) for k in keys}
    for k, v in got.items():
        out.setdefault(str(k), int(v))
    return Result(out)


HAZ_FOUND = Rows(HAZ, "发现日期")


def hazard_ontime_masks(scope: Scope) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """The found hazards, those rectified on time and those with a 整改期限 (the ratio's
    rows; the 底稿 lists the same ones)."""
    df = HAZ_FOUND(scope)
    deadline, done = df["整改期限"], df["整改日期"]
    considered = deadline.notna()
    if "整改情况" in df.columns:
        dateless = done.isna() & df["整改情况"].astype(object).eq("已整改").fillna(False)
        considered &= ~dateless.astype(bool)
    ontime = considered & (done <= deadline).fillna(False) & scope.upto(done)
    return df, ontime.fillna(False).astype(bool), considered.fillna(False).astype(bool)


def _hazard_ontime(scope: Scope) -> Result:
    """整改日期 ≤ 整改期限 and ≤ as-of / found rows with a 整改期限; a dateless 已整改
    row is left out of both (its day is unknown)."""
    _, ontime, considered = hazard_ontime_masks(scope)
    return divide(int(ontime.sum()), int(considered.sum()))


def _hazard_avg_days(scope: Scope) -> Result:
    """mean(整改日期 − 发现日期) over rectified rows with a date, rounded to one decimal."""
    df = HAZ_FOUND(scope)
    done = df[scope.upto(df["整改日期"])]
    days = (done["整改日期"] - done["发现日期"]).dt.days
    return divide(int(days.sum()), int(len(days)), digits=1)


# ---------------------------------------------------------------------------
# The declaration
# ---------------------------------------------------------------------------

Need = str | tuple[str, ...]  # a column, or alternatives of which one suffices


@dataclass(frozen=True)
class Indicator:
    """One indicator of indicators.md.

    kind: count | amount | rate | ratio | breakdown | value (a stated figure of a
    key-value sheet). needs: columns of ``sheet`` without which the indicator is 无数据.
    filters: the enum columns a 条件 may name (by default every enum column of
    ``sheet``). also: other ledgers the formula reads, absent -> 无数据. scale and digits shape a ratio's value (per 100, per 10 000, one
    decimal). total: False when a street total makes no sense (months_covered).
    """

    id: str
    name: str
    unit: str
    better: str
    kind: str
    sheet: str
    needs: tuple[Need, ...]
    formula: Formula
    filters: tuple[str, ...] = ()
    also: tuple[str, ...] = ()  # other ledgers the formula reads directly
    scale: float = 1
    digits: int | None = None
    total: bool = True

    @property
    def is_ratio(self) -> bool:
        return self.kind in (RATE, RATIO)

    @property
    def rows(self) -> Rows | None:
        """The dated rows a count or sum counts (what the every-month targets look at)."""
        rows = getattr(self.formula, "rows", None)
        if isinstance(rows, Rows) and rows.mode == PERIOD and rows.date:
            return rows
        return None


CATALOGUE: dict[str, Indicator] = {}


def _add(id: str, name: str, unit: str, better: str, kind: str, sheet: str,
         needs: Iterable[Need], formula: Formula, **kw: Any) -> None:
    if id in CATALOGUE:
        raise ValueError(f"指标重复声明：{id}")
    kw.setdefault("filters", enum_columns(sheet))
    if isinstance(formula, Ratio):  # street totals pool with the same scale and rounding
        kw.setdefault("scale", formula.scale)
        kw.setdefault("digits", formula.digits)
    CATALOGUE[id] = Indicator(id, name, unit, better, kind, sheet, tuple(needs), formula, **kw)


# 基本情况 ---------------------------------------------------------------------
_add("profile.households", "户数", "户", NEUTRAL, VALUE, PROFILE, (), Item("户数"))
_add("profile.population", "常住人口", "人", NEUTRAL, VALUE, PROFILE, (), population)
_add("profile.floating_share", "流动人口与常住人口之比", "%", NEUTRAL, RATE, PROFILE, (),
     Ratio(Item("流动人口"), "profile.population"))
_add("profile.elderly_share", "60周岁以上老年人占比", "%", NEUTRAL, RATE, PROFILE, (),
     Ratio(Item("60周岁以上老年人"), "profile.population"))
_add("profile.party_members", "党员数", "名", NEUTRAL, VALUE, PROFILE, (), Item("党员数"))
_add("profile.density", "人口密度", "人/平方公里", NEUTRAL, RATIO, PROFILE, (),
     Ratio("profile.population", Item("辖区面积(平方公里)")))
_add("profile.residents_per_worker", "每名社区工作者服务居民数", "人", DOWN, RATIO, PROFILE, (),
     Ratio("profile.population", Item("社区工作者数")))
_add("profile.workers_per_10k", "每万常住人口社区工作者数", "人", UP, RATIO, PROFILE, (),
     Ratio(Item("社区工作者数"), "profile.population", scale=10000))

# 活动 ---------------------------------------------------------------------------
ACT_ROWS = Rows(ACT, "日期")
ACT_FOR_RESIDENTS = ACT_ROWS.where_also(yes("面向居民", empty=True))
_add("activity.count", "开展活动", "场次", UP, COUNT, ACT, (), Count(ACT_ROWS))
_add("activity.participants", "参与居民", "人次", UP, COUNT, ACT, (),
     Sum(ACT_FOR_RESIDENTS, "参与人次"))
_add("activity.avg_participants", "场均参与", "人次", UP, RATIO, ACT, (),
     Ratio("activity.participants", Count(ACT_FOR_RESIDENTS)))
_add("activity.per_100_residents", "每百名居民参与", "人次", UP, RATIO, ACT, (),
     Ratio("activity.participants", "profile.population", scale=100))
_add("activity.months_covered", "有活动的月份", "个月", UP, COUNT, ACT, (), Months(ACT_ROWS),
     total=False)
# 活动台账's 志愿者人次 and the 志愿服务记录's rows are two measures: named apart (issue 8).
_add("activity.volunteer_visits", "活动中志愿者参与", "人次", UP, COUNT, ACT, ("志愿者人次",),
     Sum(ACT_ROWS, "志愿者人次"))
_add("activity.materials", "发放宣传资料", "份", UP, COUNT, ACT, ("发放资料(份)",),
     Sum(ACT_ROWS, "发放资料(份)"))
_add("activity.by_line", "分条线活动", "场次", NEUTRAL, BREAKDOWN, ACT, (),
     Breakdown(ACT_ROWS, "条线"))
_add("activity.by_type", "分类型活动", "场次", NEUTRAL, BREAKDOWN, ACT, (),
     Breakdown(ACT_ROWS, "活动类型"))
_add("activity.by_month", "月度活动", "场次", NEUTRAL, BREAKDOWN, ACT, (), ByMonth(ACT_ROWS))

# 志愿服务 -----------------------------------------------------------------------
SRV_ROWS = Rows(SRV, "日期")
_add("volunteer.registered", "注册志愿者", "名", UP, COUNT, VOL, (),
     Count(Rows(VOL, "注册日期", UPTO)))
_add("volunteer.new", "新注册志愿者", "名", UP, COUNT, VOL, (), Count(Rows(VOL, "注册日期")))
_add("volunteer.registration_rate", "志愿者注册率", "%", UP, RATE, VOL, (),
     Ratio("volunteer.registered", "profile.population"))
_add("volunteer.service_times", "志愿服务记录", "人次", UP, COUNT, SRV, (), Count(SRV_ROWS))
_add("volunteer.hours", "志愿服务时长", "小时", UP, AMOUNT, SRV, (),
     Sum(SRV_ROWS, "服务时长(小时)"))
_add("volunteer.hours_per_volunteer", "人均服务时长", "小时", UP, RATIO, SRV, (),
     Ratio("volunteer.hours", "volunteer.registered"))
_add("volunteer.active_rate", "活跃志愿者比例", "%", UP, RATE, SRV, (), _volunteer_active,
     also=(VOL,))

# 低保 ---------------------------------------------------------------------------
DIBAO_ACTIVE = Rows(DIBAO, "纳入日期", ACTIVE, end="退出日期")
_add("dibao.households", "低保户", "户", NEUTRAL, COUNT, DIBAO, (), Distinct(DIBAO_ACTIVE))
_add("dibao.persons", "低保人数", "人", NEUTRAL, COUNT, DIBAO, (), Sum(DIBAO_ACTIVE, "保障人数"))
_add("dibao.by_class", "分类别低保户", "户", NEUTRAL, BREAKDOWN, DIBAO, (),
     Breakdown(DIBAO_ACTIVE, "类别", "distinct", "身份证号"))
_add("dibao.persons_by_class", "分类别低保人数", "人", NEUTRAL, BREAKDOWN, DIBAO, (),
     Breakdown(DIBAO_ACTIVE, "类别", "sum", "保障人数"))
_add("dibao.new", "新纳入", "户", NEUTRAL, COUNT, DIBAO, (), Count(Rows(DIBAO, "纳入日期")))
_add("dibao.exited", "退出", "户", NEUTRAL, COUNT, DIBAO, ("退出日期",),
     Count(Rows(DIBAO, "退出日期")))
_add("dibao.monthly_amount", "月保障金", "元", NEUTRAL, AMOUNT, DIBAO, (),
     Sum(DIBAO_ACTIVE, "月保障金(元)"))
_add("dibao.period_amount", "期内发放低保金（估算）", "元", NEUTRAL, AMOUNT, DIBAO, (),
     _dibao_period_amount)
_add("dibao.coverage_rate", "低保保障面", "%", NEUTRAL, RATE, DIBAO, (),
     Ratio("dibao.persons", Item("户籍人口")))

# 残疾人 -------------------------------------------------------------------------
DIS_ROWS = Rows(DIS, mode=ALL)
_add("disability.total", "残疾人", "人", NEUTRAL, COUNT, DIS, (), Distinct(DIS_ROWS))
_add("disability.by_type", "分类别残疾人", "人", NEUTRAL, BREAKDOWN, DIS, (),
     Breakdown(DIS_ROWS, "残疾类别", "distinct", "身份证号"))
_add("disability.by_grade", "分等级残疾人", "人", NEUTRAL, BREAKDOWN, DIS, (),
     Breakdown(DIS_ROWS, "残疾等级", "distinct", "身份证号"))
_add("disability.severe", "重度残疾人（一、二级）", "人", NEUTRAL, COUNT, DIS, (),
     Distinct(DIS_ROWS.where_also(eq("残疾等级", "一级", "二级"))))
_add("disability.certified_rate", "持证率", "%", UP, RATE, DIS, ("是否持证",),
     Ratio(Count(DIS_ROWS.where_also(yes("是否持证"))), Count(DIS_ROWS)))
_add("disability.subsidy", "享受两项补贴", "人", NEUTRAL, COUNT, DIS, ("两项补贴",),
     Distinct(DIS_ROWS.where_also(yes("两项补贴"))))
_add("disability.visits", "走访服务", "人次", UP, COUNT, DIS, ("走访服务次数",),
     WholePeriod(Sum(DIS_ROWS, "走访服务次数")))
_add("disability.visits_per_person", "人均走访服务", "次", UP, RATIO, DIS, ("走访服务次数",),
     Ratio("disability.visits", "disability.total"))

# 就业 ---------------------------------------------------------------------------
_add("employment.registered_in_year", "期内在册登记失业人员", "人", NEUTRAL, COUNT, UNEMP, (),
     _emp_registered)
_add("employment.unemployed_end", "期末登记失业人员", "人", DOWN, COUNT, UNEMP, (), _emp_end)
_add("employment.reemployed", "实现再就业", "人", UP, COUNT, UNEMP, ("再就业日期",),
     _emp_reemployed)
_add("employment.reemployment_rate", "登记失业人员再就业率", "%", UP, RATE, UNEMP,
     ("再就业日期",), _emp_rate)
_add("employment.hard_reemployed", "就业困难人员实现就业", "人", UP, COUNT, UNEMP,
     ("再就业日期", "就业困难人员"), _emp_hard_reemployed)
_add("employment.hard_reemployment_rate", "就业困难人员再就业率", "%", UP, RATE, UNEMP,
     ("再就业日期", "就业困难人员"), _emp_hard_rate)
_add("employment.training_rate", "培训参与率", "%", UP, RATE, UNEMP, ("参加培训",), _emp_training)
_add("employment.by_form", "分就业形式", "人", NEUTRAL, BREAKDOWN, UNEMP,
     ("再就业日期", "就业形式"), _emp_by_form)

# 平安 ---------------------------------------------------------------------------
DISP_ROWS = Rows(DISP, "受理日期")
_add("dispute.accepted", "受理矛盾纠纷", "件", NEUTRAL, COUNT, DISP, (), Count(DISP_ROWS))
# Neutral: it follows how many disputes arose; the success rate carries the judgement.
_add("dispute.resolved", "调解成功", "件", NEUTRAL, COUNT, DISP, (),
     Count(DISP_ROWS.where_also(eq("调解结果", "调解成功"))))
_add("dispute.transferred", "移交处理", "件", NEUTRAL, COUNT, DISP, (),
     Count(DISP_ROWS.where_also(eq("调解结果", "移交处理"))))
_add("dispute.success_rate", "调解成功率", "%", UP, RATE, DISP, (),
     Ratio("dispute.resolved", Count(DISP_ROWS.where_also(ne("调解结果", "调解中")))))
_add("dispute.by_type", "分类型纠纷", "件", NEUTRAL, BREAKDOWN, DISP, (),
     Breakdown(DISP_ROWS, "纠纷类型"))

RECTIFIED = ("整改日期", "整改情况")
_add("hazard.found", "排查安全隐患", "处", NEUTRAL, COUNT, HAZ, (), Count(HAZ_FOUND))
# Neutral: it follows how many hazards were found; the rectified rate carries the judgement.
_add("hazard.rectified", "已整改", "处", NEUTRAL, COUNT, HAZ, (RECTIFIED,),
     Count(HAZ_FOUND.where_also(rectified)))
_add("hazard.rectified_rate", "隐患整改率", "%", UP, RATE, HAZ, (RECTIFIED,),
     Ratio("hazard.rectified", "hazard.found"))
_add("hazard.ontime_rate", "按期整改率", "%", UP, RATE, HAZ, ("整改日期", "整改期限"),
     _hazard_ontime)
_add("hazard.avg_days", "平均整改天数", "天", DOWN, RATIO, HAZ, ("整改日期",), _hazard_avg_days,
     digits=1)
_add("hazard.major", "重大隐患", "处", NEUTRAL, COUNT, HAZ, ("隐患等级",),
     Count(HAZ_FOUND.where_also(eq("隐患等级", "重大"))))
# Neutral: fewer of last year's hazards left to fix this year is good news, not a fall.
_add("hazard.carried_over", "上年结转整改", "处", NEUTRAL, COUNT, HAZ, ("整改日期",),
     Count(Rows(HAZ, "发现日期", BEFORE_YEAR, where=(dated_in_period("整改日期"),))))
_add("hazard.by_type", "分类别隐患", "处", NEUTRAL, BREAKDOWN, HAZ, (),
     Breakdown(HAZ_FOUND, "隐患类别"))

for _item, _suffix in SAFETY_ITEMS:
    _name, _unit = _item.rstrip(")").split("(")
    _add(f"safety.{_suffix}", _name, _unit, DOWN, VALUE, SAFETY, (), SafetyItem(_item))

# 帮扶、捐赠、信息 ----------------------------------------------------------------
ASSIST_ROWS = Rows(ASSIST, "日期")
_add("assistance.visits", "帮扶", "户次", UP, COUNT, ASSIST, (), Sum(ASSIST_ROWS, "户次"))
_add("assistance.amount", "帮扶金额", "元", UP, AMOUNT, ASSIST, ("金额(元)",),
     Sum(ASSIST_ROWS, "金额(元)"))
_add("assistance.by_group", "分对象帮扶", "户次", NEUTRAL, BREAKDOWN, ASSIST, (),
     Breakdown(ASSIST_ROWS, "对象类别", "sum", "户次"))

DON_ROWS = Rows(DON, "日期")
_add("donation.amount", "募集捐款", "元", UP, AMOUNT, DON, (), Sum(DON_ROWS, "金额(元)"))
_add("donation.donors", "捐款", "人次", UP, COUNT, DON, ("捐赠人次",), Sum(DON_ROWS, "捐赠人次"))

INFO_ROWS = Rows(INFO, "报送日期")
_add("info.submitted", "报送信息", "篇", UP, COUNT, INFO, (), Count(INFO_ROWS))
_add("info.adopted", "录用信息", "篇", UP, COUNT, INFO, ("是否录用",),
     Count(INFO_ROWS.where_also(yes("是否录用"))))
_add("info.adoption_rate", "信息录用率", "%", UP, RATE, INFO, ("是否录用",),
     Ratio("info.adopted", "info.submitted"))

del _item, _suffix, _name, _unit


def indicator(indicator_id: str) -> Indicator:
    """The declaration of an id, with a Chinese message for an id that is not in it."""
    try:
        return CATALOGUE[indicator_id]
    except KeyError:
        raise ValueError(f"未知的指标：{indicator_id}") from None

"""Numbers, dates and ordinals written the way Chinese work summaries write them.

Leadership quotes figures straight from the summary, so every figure must look like the
genre's own: ``8420人次`` without separators in prose, amounts of 10000元 and more as
``1.34万元``, percentages with one decimal rounded half-up (四舍五入, as a reader checking
by hand would round), and 同比 phrases such as ``同比增长12.3%`` or ``提高2.1个百分点``.
Tables may use thousands separators, because there the eye scans columns.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = [
    "round_half_up", "plain_number", "fmt_count", "fmt_amount", "fmt_pct", "fmt_ratio",
    "fmt_value", "fmt_quantity", "yoy_phrase", "pp_change", "relative_change",
    "cn_date", "cn_month_day", "as_of_phrase", "cn_number", "heading_ordinal",
    "paren_ordinal", "item_ordinal", "enumerate_shi", "month_list", "is_rate_unit",
]

RATE_UNITS = ("%",)
AMOUNT_UNIT = "元"
WAN = Decimal(10000)


def _dec(x: float | int | Decimal) -> Decimal:
    """Decimal through repr, so 0.0625 stays 0.0625 rather than its binary neighbour."""
    if isinstance(x, Decimal):
        return x
    if isinstance(x, bool):
        return Decimal(int(x))
    if isinstance(x, int):
        return Decimal(x)
    return Decimal(repr(float(x)))


def round_half_up(x: float | int | Decimal, digits: int = 1) -> Decimal:
    """四舍五入 to ``digits`` decimals: 12.25 → 12.3, never banker's 12.2."""
    quantum = Decimal(1).scaleb(-digits)
    return _dec(x).quantize(quantum, rounding=ROUND_HALF_UP)


def plain_number(x: float | int | Decimal, max_digits: int = 2, sep: bool = False) -> str:
    """A number with at most ``max_digits`` decimals and no trailing zeros (0.80 → 0.8)."""
    d = round_half_up(x, max_digits)
    if d == d.to_integral_value():
        d = d.quantize(Decimal(1))
    else:
        d = d.normalize()
    text = f"{d:,}" if sep else f"{d}"
    return "0" if text in ("-0",) else text


def is_rate_unit(unit: str | None) -> bool:
    return unit in RATE_UNITS


def fmt_count(n: float | int, sep: bool = False) -> str:
    """An exact count as a bare integer (8420); a fractional sum keeps its decimals."""
    return plain_number(n, 2, sep=sep)


def fmt_amount(yuan: float | int, sep: bool = False) -> str:
    """元 amounts: below 10000 as written (4943.5元), from 10000 as 万元 with two decimals."""
    d = _dec(yuan)
    if abs(d) >= WAN:
        wan = round_half_up(d / WAN, 2)
        return f"{wan:,}万元" if sep else f"{wan}万元"
    return f"{plain_number(d, 2, sep=sep)}元"


def fmt_pct(fraction: float | int, digits: int = 1) -> str:
    """A rate stored as a fraction, shown as a percentage with one decimal (0.635 → 63.5%)."""
    return f"{round_half_up(_dec(fraction) * 100, digits)}%"


def fmt_ratio(x: float | int, sep: bool = False) -> str:
    """Averages and other non-rate ratios: one decimal, half-up (12.25 → 12.3)."""
    d = round_half_up(x, 1)
    return f"{d:,}" if sep else f"{d}"


def _is_integral(x: Any) -> bool:
    try:
        return _dec(x) == _dec(x).to_integral_value()
    except (ArithmeticError, ValueError, TypeError):
        return False


def fmt_value(value: Any, unit: str | None, table: bool = False, ratio: bool = False) -> str:
    """The figure alone (rates with %, amounts with 元/万元, counts bare).

    ``ratio`` marks an average or other non-rate ratio, shown with one decimal even when
    it happens to be whole. ``table`` allows thousands separators.
    """
    if value is None:
        return "无数据"
    if is_rate_unit(unit):
        return fmt_pct(value)
    if unit == AMOUNT_UNIT:
        return fmt_amount(value, sep=table)
    if ratio or not _is_integral(value):
        return fmt_ratio(value, sep=table)
    return fmt_count(value, sep=table)


def fmt_quantity(value: Any, unit: str | None, table: bool = False, ratio: bool = False
                 ) -> str:
    """Figure and unit together as prose writes them: 8420人次, 1.34万元, 63.5%."""
    text = fmt_value(value, unit, table=table, ratio=ratio)
    if value is None or is_rate_unit(unit) or unit == AMOUNT_UNIT or not unit:
        return text
    return f"{text}{unit}"


def relative_change(value: float | int, previous: float | int) -> Decimal | None:
    """(value − previous) / previous, or None when the previous figure is 0."""
    if previous == 0:
        return None
    return (_dec(value) - _dec(previous)) / _dec(previous)


def pp_change(value: float | int, previous: float | int) -> Decimal:
    """Change of a rate in percentage points (fractions in, points out)."""
    return (_dec(value) - _dec(previous)) * 100


def yoy_phrase(value: Any, previous: Any, unit: str | None, prefix: str = "同比") -> str | None:
    """The 同比 phrase: 同比增长12.3%, 同比下降4.0%, 较上年同期持平, 上年同期为0,
    较上年同期提高2.1个百分点, 无上年数据.

    Returns None when the current figure itself is missing (nothing to compare).
    """
    if value is None or isinstance(value, dict):
        return None
    if previous is None or isinstance(previous, dict):
        return "无上年数据"
    if is_rate_unit(unit):
        points = round_half_up(pp_change(value, previous), 1)
        if points == 0:
            return "较上年同期持平"
        word = "提高" if points > 0 else "下降"
        return f"较上年同期{word}{abs(points)}个百分点"
    if _dec(value) == _dec(previous):
        return "较上年同期持平"
    rel = relative_change(value, previous)
    if rel is None:
        return "上年同期为0"
    pct = round_half_up(rel * 100, 1)
    if pct == 0:
        return "与上年同期基本持平"
    word = "增长" if pct > 0 else "下降"
    return f"{prefix}{word}{abs(pct)}%"


# -- dates -------------------------------------------------------------------------------

def _as_date(d: date | str) -> date:
    return date.fromisoformat(d) if isinstance(d, str) else d


def cn_date(d: date | str) -> str:
    """2024年12月31日 (no leading zeros, as documents are dated)."""
    d = _as_date(d)
    return f"{d.year}年{d.month}月{d.day}日"


def cn_month_day(d: date | str) -> str:
    d = _as_date(d)
    return f"{d.month}月{d.day}日"


def as_of_phrase(d: date | str, with_year: bool = False) -> str:
    """截至6月30日 (or 截至2024年6月30日 where the year is not plain from context)."""
    return f"截至{cn_date(d) if with_year else cn_month_day(d)}"


# -- ordinals ----------------------------------------------------------------------------

_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """Chinese numerals for ordinals and small counts: 1 → 一, 10 → 十, 23 → 二十三."""
    if n < 0:
        raise ValueError(f"序号不能为负数：{n}")
    if n < 10:
        return _DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        head = "" if tens == 1 else _DIGITS[tens]
        return f"{head}十{_DIGITS[ones] if ones else ''}"
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        if rest == 0:
            return f"{_DIGITS[hundreds]}百"
        if rest < 10:
            return f"{_DIGITS[hundreds]}百零{_DIGITS[rest]}"
        tail = cn_number(rest)
        return f"{_DIGITS[hundreds]}百{'一' + tail if rest < 20 else tail}"
    return str(n)


def heading_ordinal(n: int) -> str:
    """一、 二、 … for the document's main headings."""
    return f"{cn_number(n)}、"


def paren_ordinal(n: int) -> str:
    """（一） （二） … for the thematic sections inside 主要工作及成效."""
    return f"（{cn_number(n)}）"


def item_ordinal(n: int) -> str:
    """一是 二是 … for points inside a paragraph."""
    return f"{cn_number(n)}是"


def enumerate_shi(points: list[str], end: str = "。") -> str:
    """Points joined the genre's way: 一是……；二是……。 (trailing punctuation normalised)."""
    cleaned = [p.rstrip("。；;，,") for p in points if p and p.strip()]
    if not cleaned:
        return ""
    return "；".join(f"{item_ordinal(i)}{p}" for i, p in enumerate(cleaned, 1)) + end


def month_list(months: list[int]) -> str:
    """Months as prose, runs collapsed: [2, 7, 8, 9] → 2月、7月至9月."""
    ms = sorted(set(months))
    runs: list[tuple[int, int]] = []
    for m in ms:
        if runs and m == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], m)
        else:
            runs.append((m, m))
    parts = []
    for a, b in runs:
        if a == b:
            parts.append(f"{a}月")
        elif b == a + 1:
            parts.extend([f"{a}月", f"{b}月"])
        else:
            parts.append(f"{a}月至{b}月")
    return "、".join(parts)

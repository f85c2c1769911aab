"""The report's period in words, and how much of the year it covers.

A summary as of 30 June is a 上半年 report: it must never say 全年 or 年度目标, and an
annual count target (全年开展活动不少于120场次) cannot be 未完成 at mid-year when half the
year has gone and half the sessions are done. The genre judges such targets against
序时进度 (时间过半、任务过半). Every module that speaks of the period (narrative, drafting,
targets, the street overview) takes its words from here, so the annual and the mid-year
wording live in one YAML file (``rules/period.yaml``) and cannot drift apart.

Any other window a report may cover (``--period 2024Q3``, ``2024-03``, ``2024W15``, a
range of dates) is a ``Period``: its dates, its canonical key, the label the genre writes
(2024年第三季度, 2024年第15周（4月8日—4月14日）), the same window a year before (同比) and
the window before it (环比). A sub-year window is judged like the half year: counts
against 序时进度 by the window's share of the year, rates and 杜绝 by level.
"""

from __future__ import annotations

import calendar
import copy
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import numfmt, yamltext

__all__ = ["PERIOD_FILE", "period_key", "period_word", "elapsed_share", "words", "pace_words",
           "status_text", "report_as_of", "Period", "PeriodError", "parse_period",
           "year_to_date", "window_share", "report_words", "report_period_word", "describe",
           "prior_phrase", "period_note", "message", "KINDS", "YEAR", "HALF", "QUARTER",
           "MONTH", "WEEK", "RANGE"]

PERIOD_FILE = Path(__file__).resolve().parent / "rules" / "period.yaml"

ANNUAL, FIRST_HALF, MID_YEAR = "年度", "上半年", "年中"


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return yamltext.load(PERIOD_FILE.read_text(encoding="utf-8"))


def _as_date(as_of: date | str) -> date:
    return as_of if isinstance(as_of, date) else date.fromisoformat(str(as_of)[:10])


def report_as_of(facts: Any) -> str:
    """The as-of date that names a report's period: its own for a half-year report,
    31 December for an annual one (CommunityFacts or StreetFacts)."""
    return str(facts.as_of) if facts.half_year else f"{facts.year}-12-31"


def period_key(as_of: date | str) -> str:
    """年度 (as of 31 December), 上半年 (30 June) or 年中 (any other date)."""
    d = _as_date(as_of)
    if (d.month, d.day) == (12, 31):
        return ANNUAL
    return FIRST_HALF if (d.month, d.day) == (6, 30) else MID_YEAR


def period_word(as_of: date | str) -> str:
    """全年 / 上半年 / 今年以来: the word a sentence about the period opens with."""
    return str(_data()["期间"][period_key(as_of)])


def elapsed_share(as_of: date | str) -> float:
    """The share of the year gone by the as-of date, counted in months: whole months ÷ 12,
    the as-of month by its days gone. 30 June gives exactly 0.5, as 时间过半 says; 31
    December gives 1."""
    d = _as_date(as_of)
    days = calendar.monthrange(d.year, d.month)[1]
    return min(1.0, ((d.month - 1) + d.day / days) / 12)


def words(as_of: date | str) -> dict[str, Any]:
    """The phrases of this period (期间, 目标标题, 无目标, 无问题, 查漏补缺, 未完成, 目标任务,
    下一阶段, 来期, 回顾, 开头, 标题词, 下一步标题, 状态 …), with {期间} {年} {次年} filled in."""
    key = ANNUAL if period_key(as_of) == ANNUAL else "年中"
    out = copy.deepcopy(_data()[key])
    year = _as_date(as_of).year
    return _filled({"期间": period_word(as_of), **out},
                   {"年": str(year), "次年": str(year + 1)})


def _filled(raw: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """{期间} first (other words contain it), then the other placeholders."""
    values = {"期间": str(raw.get("期间", "")), **values}

    def fill(v: str) -> str:
        for k, x in values.items():
            v = v.replace("{" + k + "}", x)
        return v

    return {k: fill(v) if isinstance(v, str) else v for k, v in raw.items()}


def pace_words(kind: str | None = None) -> dict[str, Any]:
    """The phrases of 序时进度 (状态, 应完成, 完成比例, 未完成, 说明); a window short of
    the year to date (``kind`` quarter, month, week …) explains its share in its own 说明."""
    out = copy.deepcopy(_data()["序时进度"])
    if kind is not None and kind != YEAR:
        out["说明"] = out["分期说明"]
    return out


def status_text(target: dict[str, Any]) -> str:
    """What the leader reads in a target's 完成情况: 完成/未完成 in the annual report;
    at mid-year 达到序时进度/未达序时进度 for a target judged on its due share, and
    已达标/暂未达标 for the others (a rate at 90% of 95% is not yet 未完成 in June).
    The evaluated target carries ``pace`` and ``elapsed`` (targets.evaluate), so the
    words follow from the target alone."""
    status = str(target.get("status") or "")
    if target.get("pace"):
        return str(pace_words()["状态"].get(status, status))
    elapsed = target.get("elapsed")
    if isinstance(elapsed, (int, float)) and elapsed < 1:
        return str(_data()["年中"]["状态"].get(status, status))
    return status


# ---------------------------------------------------------------------------
# Any window: --period 2024, 2024H1, 2024Q3, 2024-03, 2024W15, 2024-03-01..2024-03-31
# ---------------------------------------------------------------------------

YEAR, HALF, QUARTER, MONTH, WEEK, RANGE = "year", "half", "quarter", "month", "week", "range"
KINDS = (YEAR, HALF, QUARTER, MONTH, WEEK, RANGE)


class PeriodError(ValueError):
    """A period the user wrote that names no window, or one the ledgers cannot cover."""


def message(key: str, **values: Any) -> str:
    """A Chinese message of rules/period.yaml's 错误 (the accepted forms filled in)."""
    texts = _data()["错误"]
    values.setdefault("写法", texts["写法"])
    return str(texts[key]).format(**values)


def _section(kind: str, start: date) -> str:
    """The 分期/标签 entry of a kind: the half year has two (上半年 and 下半年)."""
    if kind == HALF:
        return "H1" if start.month == 1 else "H2"
    return kind


def _weeks_in(year: int) -> int:
    return date(year, 12, 28).isocalendar()[1]


def _shift_year(d: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes the 28th)."""
    last = calendar.monthrange(d.year + years, d.month)[1]
    return date(d.year + years, d.month, min(d.day, last))


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def window_share(start: date, end: date) -> float:
    """The share of the year a window covers, counted as elapsed_share counts: whole
    months ÷ 12, a month partly covered by its days. 1 January .. as-of gives exactly
    elapsed_share(as-of); a quarter 0.25; days outside the end's year do not count."""
    year = end.year
    lo = max(start, date(year, 1, 1))
    total = 0.0
    for m in range(lo.month, end.month + 1):
        first, last = date(year, m, 1), _month_end(year, m)
        a, b = max(first, lo), min(last, end)
        if a <= b:
            total += ((b - a).days + 1) / last.day
    return min(1.0, total / 12)


@dataclass(frozen=True)
class Period:
    """One window of one year, as the user named it and as the genre writes it."""

    kind: str  # year | half | quarter | month | week | range
    start: date
    end: date  # inclusive
    key: str
    label: str

    @property
    def year(self) -> int:
        """The year the window belongs to (an ISO week's year: 2025W01 starts in 2024)."""
        return int(self.key[:4])

    @property
    def share(self) -> float:
        """The window's share of its year (序时进度)."""
        return window_share(self.start, self.end)

    @property
    def whole_year(self) -> bool:
        return self.kind == YEAR and (self.end.month, self.end.day) == (12, 31)

    def last_year(self) -> Period:
        """同比: the same window a year before (the same week number, month, quarter or
        half; a range or a year to date the same days)."""
        y = self.year - 1
        if self.kind == WEEK:
            return _week(y, min(int(self.key[5:]), _weeks_in(y)))
        if self.kind in (YEAR, RANGE):
            return _make(self.kind, _shift_year(self.start, -1), _shift_year(self.end, -1))
        return _make(self.kind, _shift_year(self.start, -1), _month_end(y, self.end.month))

    def previous(self) -> Period | None:
        """环比: the window before (last half, quarter, month or week); None for a year
        or a range of dates, which have no 上期 in the genre."""
        if self.kind == WEEK:
            iso = (self.start - timedelta(days=7)).isocalendar()
            return _week(iso[0], iso[1])
        if self.kind in (HALF, QUARTER, MONTH):
            months = {HALF: 6, QUARTER: 3, MONTH: 1}[self.kind]
            first = self.start.month - months
            year = self.start.year
            if first < 1:
                first, year = first + 12, year - 1
            return _make(self.kind, date(year, first, 1), _month_end(year, first + months - 1))
        return None

    def clip(self, as_of: date) -> Period:
        """The window cut at an as-of date (a year to date keeps its key and label)."""
        if self.end <= as_of:
            return self
        return Period(self.kind, self.start, max(as_of, self.start), self.key, self.label)

    def values(self) -> dict[str, str]:
        """The placeholders of labels, titles and words ({年} {季度} {周} {起月} …)."""
        y = self.year
        out = {"年": str(y), "次年": str(y + 1), "月": str(self.start.month),
               "起月": str(self.start.month), "起日": str(self.start.day),
               "止月": str(self.end.month), "止日": str(self.end.day),
               "季度": str(_data()["季度"][(self.start.month - 1) // 3]), "周": ""}
        if self.kind == WEEK:
            out["周"] = str(int(self.key[5:]))
        out["标签"] = self.label
        return out

    def words(self) -> dict[str, Any]:
        """The phrases of this window (rules/period.yaml): a year's as words(end) gives
        them (年度, or 上半年/今年以来 up to a mid-year as-of date); a sub-year window the
        年中 phrases with its own 分期 entry over them (本季度, 下一季度 …)."""
        if self.kind == YEAR:
            out = words(self.end)
            out["标签"] = self.label
            return out
        data = _data()
        raw = {**copy.deepcopy(data["年中"]), **copy.deepcopy(data["分期"][_section(self.kind,
                                                                                 self.start)])}
        return _filled(raw, self.values())

    def to_dict(self, note: str | None = None) -> dict[str, Any]:
        """The JSON-able form CommunityFacts.period and StreetFacts.period hold."""
        return {"kind": self.kind, "key": self.key, "label": self.label,
                "start": self.start.isoformat(), "end": self.end.isoformat(),
                "share": self.share, "note": note, "words": self.words()}


def _label(kind: str, start: date, end: date, key: str) -> str:
    probe = Period(kind, start, end, key, "")
    pattern = str(_data()["标签"][_section(kind, start)])
    values = probe.values()
    for k, v in values.items():
        pattern = pattern.replace("{" + k + "}", v)
    return pattern


def _key(kind: str, start: date, end: date) -> str:
    if kind == YEAR:
        return str(start.year)
    if kind == HALF:
        return f"{start.year}H{1 if start.month == 1 else 2}"
    if kind == QUARTER:
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    if kind == MONTH:
        return f"{start.year}-{start.month:02d}"
    return f"{start.isoformat()}..{end.isoformat()}"


def _make(kind: str, start: date, end: date) -> Period:
    key = _key(kind, start, end)
    return Period(kind, start, end, key, _label(kind, start, end, key))


def _week(year: int, week: int) -> Period:
    start = date.fromisocalendar(year, week, 1)
    end = start + timedelta(days=6)
    key = f"{year}W{week:02d}"
    return Period(WEEK, start, end, key, _label(WEEK, start, end, key))


def year_to_date(year: int, as_of: date) -> Period:
    """The default period: 1 January .. the as-of date of that year."""
    return _make(YEAR, date(year, 1, 1), as_of)


_FORMS = (
    (YEAR, re.compile(r"(\d{4})年?(?:度|全年)?")),
    (HALF, re.compile(r"(\d{4})?年?H([12])")),
    (QUARTER, re.compile(r"(\d{4})?年?Q([1-4])")),
    (WEEK, re.compile(r"(\d{4})?-?W(\d{1,2})")),
    (MONTH, re.compile(r"(\d{4})-(\d{1,2})")),
    (RANGE, re.compile(r"(\d{4}-\d{1,2}-\d{1,2})(?:\.\.|～|~|至)(\d{4}-\d{1,2}-\d{1,2})")),
)


def _iso(text: str, whole: str) -> date:
    try:
        y, m, d = (int(x) for x in text.split("-"))
        return date(y, m, d)
    except ValueError:
        raise PeriodError(message("日期无效", 文本=whole, 日期=text)) from None


def parse_period(text: str | None, default_year: int | None = None) -> Period:
    """A period as the user writes it on the command line (see rules/period.yaml 错误.写法
    for the forms). Without a year (``Q3``, ``H1``, ``W15``) or without any text,
    ``default_year`` is the year; a year alone is the whole year (the run cuts it at the
    as-of date)."""
    raw = "" if text is None else str(text)
    norm = unicodedata.normalize("NFKC", raw).strip().upper().replace(" ", "")
    if not norm:
        if default_year is None:
            raise PeriodError(message("无法识别", 文本=raw))
        return _make(YEAR, date(default_year, 1, 1), date(default_year, 12, 31))
    for kind, pattern in _FORMS:
        m = pattern.fullmatch(norm)
        if m is None:
            continue
        if kind == RANGE:
            start, end = _iso(m.group(1), raw), _iso(m.group(2), raw)
            if end < start:
                raise PeriodError(message("倒置", 文本=raw))
            if start.year != end.year:
                raise PeriodError(message("跨年", 文本=raw, 起=start.isoformat(),
                                          止=end.isoformat()))
            return _make(RANGE, start, end)
        year_text = m.group(1)
        if year_text is None and default_year is None:
            raise PeriodError(message("无年份", 文本=raw))
        year = int(year_text) if year_text is not None else int(default_year or 0)
        if not 1900 <= year <= 2999:
            raise PeriodError(message("无法识别", 文本=raw))
        if kind == YEAR:
            return _make(YEAR, date(year, 1, 1), date(year, 12, 31))
        n = int(m.group(2))
        if kind == HALF:
            return _make(HALF, date(year, 1 if n == 1 else 7, 1), _month_end(year, 6 * n))
        if kind == QUARTER:
            return _make(QUARTER, date(year, 3 * n - 2, 1), _month_end(year, 3 * n))
        if kind == MONTH:
            if not 1 <= n <= 12:
                raise PeriodError(message("无法识别", 文本=raw))
            return _make(MONTH, date(year, n, 1), _month_end(year, n))
        weeks = _weeks_in(year)
        if not 1 <= n <= weeks:
            raise PeriodError(message("无此周", 年=year, 周=n, 周数=weeks))
        return _week(year, n)
    raise PeriodError(message("无法识别", 文本=raw))


# ---------------------------------------------------------------------------
# The words of a report's own period (facts with or without a Period)
# ---------------------------------------------------------------------------

def describe(facts: Any) -> dict[str, Any]:
    """The period of a CommunityFacts or StreetFacts in the form of ``Period.to_dict``:
    its own when the run named one, else the year to the as-of date (annual or mid-year
    words as today)."""
    own = getattr(facts, "period", None)
    if own:
        return own
    as_of = report_as_of(facts)
    start = date(int(facts.year), 1, 1)
    end = _as_date(facts.as_of)
    label = _label(YEAR, start, end, str(facts.year))
    return {"kind": YEAR, "key": str(facts.year), "label": label,
            "start": start.isoformat(), "end": end.isoformat(),
            "share": elapsed_share(as_of), "note": None,
            "words": {**words(as_of), "标签": label}}


def report_words(facts: Any) -> dict[str, Any]:
    """The phrases of a report's period: the run's period when it named one, else the
    annual or mid-year words of its as-of date."""
    own = getattr(facts, "period", None)
    if own and own.get("words"):
        return copy.deepcopy(own["words"])
    return words(report_as_of(facts))


def report_period_word(facts: Any) -> str:
    """全年 / 上半年 / 本季度 / 本月 / 本周 …: what a sentence about the period opens with."""
    return str(report_words(facts)["期间"])


def prior_phrase(value: Any, prior: Any, unit: str | None, word: str) -> str | None:
    """环比 as the genre writes it: 较上季度增加3场次, 较上月下降2.5个百分点, 与上周持平
    (rules/period.yaml 环比). None without a 上期 word or a figure to compare."""
    if not word or not isinstance(value, (int, float)) or not isinstance(prior, (int, float)):
        return None
    texts = _data()["环比"]
    if numfmt.is_rate_unit(unit):
        points = numfmt.round_half_up(numfmt.pp_change(value, prior), 1)
        diff = f"{abs(points)}个百分点"
        sign = (points > 0) - (points < 0)
    else:
        delta = value - prior
        diff = numfmt.fmt_quantity(abs(delta), unit)
        sign = (delta > 0) - (delta < 0)
    key = {1: "增加", -1: "减少", 0: "持平"}[sign]
    return str(texts[key]).format(上期=word, 差=diff)


def period_note(facts: Any) -> str:
    """What 数据说明 adds for a period the run named: where 环比 comes from, and a
    window the ledgers cover only in part. '' for the default period."""
    own = getattr(facts, "period", None)
    if not own:
        return ""
    texts = _data()["环比"]
    out = ""
    word = own["words"].get("上期")
    priors = [r for r in getattr(facts, "indicators", []) if r.get("prior_label")]
    if word and priors:
        out += str(texts["说明"]).format(上期=word, 上期全称=priors[0]["prior_label"])
    elif word:
        out += str(texts["无"]).format(上期=word)
    if own.get("note"):
        out += str(own["note"]) + "。"
    return out

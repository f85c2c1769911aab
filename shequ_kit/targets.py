"""工作目标 as the plans write them, read into a testable form and checked against a value.

A community's plan says 达到50%以上, 每月至少开展一次, 杜绝, 较上年提高1个百分点 or
应保尽保; analysts copy those phrases into the parameters files as they stand, because
that is the wording leadership recognises in the summary's target table. This module
turns such a phrase into a ``Target`` (the grammar table of indicators.md) and judges
it: 完成 / 未完成 / 未达预期 (a 力争 target missed) / 无法评估 (with the reason) /
定性目标 (listed, never judged).

A phrase that carries a number we cannot read is an error naming the file, the entry and
the text, so a target is never silently dropped; a phrase without any measurable form
(应保尽保, 底数清、情况明) is a 定性目标, never an error.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

from .numfmt import plain_number, round_half_up

__all__ = [
    "Target", "TargetError", "parse_target", "evaluate", "check_condition", "parse_number", "GRANULARITIES",
    "KINDS",
]

# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------

AT_LEAST, AT_MOST, ZERO = "at_least", "at_most", "zero"
INCREASE, DECREASE = "increase", "decrease"
PP_INCREASE, PP_DECREASE = "pp_increase", "pp_decrease"
PCT_INCREASE, PCT_DECREASE = "pct_increase", "pct_decrease"
ABS_INCREASE, ABS_DECREASE = "abs_increase", "abs_decrease"
QUALITATIVE = "qualitative"

#: granularity -> (kind, Chinese words a plan uses after 每)
GRANULARITIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "week": ("every_week", ("周", "星期")),
    "half_month": ("every_half_month", ("半月", "半个月")),
    "month": ("every_month", ("月", "个月")),
    "quarter": ("every_quarter", ("季度", "季", "个季度")),
    "half_year": ("every_half_year", ("半年",)),
}
_PERIOD_WORD = {w: g for g, (_, words) in GRANULARITIES.items() for w in words}
# How a lacking period is counted in prose: 尚有 2 个月未开展. 个半月 would read as
# "one and a half months", hence 个半月时段 / 个半年度.
_PERIOD_COUNT_UNIT = {"week": "周", "half_month": "个半月时段", "month": "个月",
                      "quarter": "个季度", "half_year": "个半年度"}

KINDS: tuple[str, ...] = (
    AT_LEAST, AT_MOST, ZERO, INCREASE, DECREASE, PP_INCREASE, PP_DECREASE, PCT_INCREASE,
    PCT_DECREASE, ABS_INCREASE, ABS_DECREASE, QUALITATIVE,
) + tuple(kind for kind, _ in GRANULARITIES.values())

COMPLETE, MISSED, SHORT_OF_HOPE, UNASSESSABLE, QUALITATIVE_STATUS = (
    "完成", "未完成", "未达预期", "无法评估", "定性目标")

RATE_UNITS = frozenset({"%"})

# Units a plan may write after N, and which indicator units each agrees with. 万元 is
# read as a number (…万) followed by 元, so it needs no entry of its own.
_UNIT_AGREES: dict[str, frozenset[str]] = {
    "场次": frozenset({"场次", "场", "次", "期", "回"}),
    "人次": frozenset({"人次", "次"}),
    "户次": frozenset({"户次", "次"}),
    "人": frozenset({"人", "名"}),
    "名": frozenset({"名", "人"}),
    "件": frozenset({"件", "起"}),
    "起": frozenset({"起", "件"}),
    "个月": frozenset({"个月", "月"}),
}
_TARGET_UNITS = (
    "个百分点", "百分点", "人/平方公里", "人次", "户次", "场次", "个月", "小时", "%",
    "场", "次", "期", "回", "人", "名", "户", "元", "件", "起", "处", "篇", "份", "天", "月",
)

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_CHARS = "".join(_CN_DIGITS) + "".join(_CN_SMALL) + "".join(_CN_BIG)
_NUM = rf"(?:\d+(?:,\d{{3}})*(?:\.\d+)?[万亿]?|[{_CN_CHARS}]+)"
_UNIT = "|".join(re.escape(u) for u in _TARGET_UNITS)
_NOT_NUM = rf"[^\d{_CN_CHARS}]"

# Words that promise a measure: a 定性目标 holding one was probably a number the grammar
# could not read (五成五, 过半, 翻一番).
_MEASURE_WORDS = re.compile(rf"[{_CN_CHARS}]|达到|以上|以下|不低于|不少于|不超过|控制在|提高|增长|"
                            r"下降|减少|翻番|翻一番|过半|成以上")

# Words in front of or behind N in the comparison forms, with the direction they give.
_LEAST_WORDS = ("大于等于", "不低于", "不少于", "至少", "最少", "≥", ">=", "以上", "及以上")
_MOST_WORDS = ("小于等于", "不超过", "不高于", "不多于", "控制在", "最多", "至多", "≤", "<=",
               "以内", "之内", "以下", "及以下")
_NEUTRAL_WORDS = ("确保", "达到", "完成", "实现", "保持", "累计", "达", "为", "在")
_MARKERS = sorted(_LEAST_WORDS + _MOST_WORDS + _NEUTRAL_WORDS, key=len, reverse=True)

_UP_WORDS = ("提高", "提升", "上升", "增长", "增加")
_DOWN_WORDS = ("下降", "降低", "减少")
_LEADS = ("较上年同期", "比上年同期", "较上年", "比上年", "较去年", "比去年", "同比", "逐年",
          "每年", "年均")

_FORMS_HELP = ("可用写法：达到N、N以上、不低于N、不少于N、确保N、完成N、实现N、≥N、N；"
               "不超过N、控制在N以内、N以下、≤N；杜绝…、无…、零、0；每周/每半月/每月/每季度/"
               "每半年（至少）一次；全年N次；逐年提高、逐年下降；较上年提高N个百分点；"
               "较上年增长N%；前加“力争”为争取目标")


class TargetError(ValueError):
    """A target phrase that cannot be read; the message names where it came from."""

    def __init__(self, message: str, source: str = "", text: str = ""):
        self.source = source
        self.text = text
        super().__init__(message)


@dataclass
class Target:
    """One target read from a parameters file.

    ``threshold`` is on the value's scale (a fraction for rates, 元 for 万元); for the
    relative forms it is the step (1个百分点 → 0.01, 10% → 0.10, 5场 → 5). ``granularity``
    is set for the every-period forms, so the caller knows to ask the engine for coverage.
    """

    indicator: str
    text: str
    kind: str
    condition: dict[str, str] | None = None
    threshold: float | None = None
    soft: bool = False
    granularity: str | None = None
    source: str = ""
    name: str = ""
    unit: str = ""
    indicator_kind: str = ""
    better: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def qualitative(self) -> bool:
        return self.kind == QUALITATIVE

    @property
    def is_rate(self) -> bool:
        return self.indicator_kind == "rate" or self.unit in RATE_UNITS


# ---------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------

def _chinese_number(text: str) -> int | None:
    """一千零五十 → 1050, 两万 → 20000, 十二 → 12; None when ``text`` is not a numeral."""
    if not text or any(ch not in _CN_CHARS for ch in text):
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            if digit is not None and digit != 0 and _CN_DIGITS[ch] != 0:
                return None  # 二三: not a numeral a plan writes
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            section += (1 if digit is None and ch == "十" else (digit or 0)) * _CN_SMALL[ch]
            if digit is None and ch != "十":
                return None  # 百 or 千 without a digit
            digit = None
        else:
            section += digit or 0
            if section == 0:
                return None
            total += section * _CN_BIG[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


def parse_number(text: str) -> float | int | None:
    """Arabic (1,050 / 1.5万) or Chinese (一百二十, 两期's 两) numerals; None otherwise.

    Plans mix both freely, and 万 multiplies either (2万元 and 两万元 are 20000元).
    """
    text = text.strip()
    m = re.fullmatch(r"(\d+(?:,\d{3})*(?:\.\d+)?)([万亿]?)", text)
    if m:
        base = float(m.group(1).replace(",", ""))
        value = base * (_CN_BIG[m.group(2)] if m.group(2) else 1)
        return int(value) if float(value).is_integer() else value
    return _chinese_number(text)


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

_YEAR_BASE = re.compile(r"(不低于|不少于|不超过|不高于|不多于)(\d{4})年(?:的|水平的?|实际)?(?=\d)")


def _normalise(text: str) -> str:
    """Full-width digits and signs to half-width, no spaces, no closing punctuation."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text)
    text = text.strip("“”\"'‘’「」")
    text = re.sub(r"[。.;；,，!！、]+$", "", text)
    text = re.sub(rf"百分之({_NUM})", r"\1%", text)
    return text


def _indicator(indicator_id: str) -> Any:
    from .catalogue import CATALOGUE

    return CATALOGUE.get(indicator_id)


def _where(source: str, text: str) -> str:
    head = f"{source}：" if source else ""
    return f"{head}目标“{text}”"


def parse_target(text: str, indicator_id: str, condition: dict | None = None,
                 source: str = "") -> Target:
    """Read a plan's phrase for one indicator (and 条件) into a Target.

    Raises TargetError, naming ``source`` (file and entry) and the text, for a phrase
    with a number that fits no form, a % on a count, a unit that contradicts the
    indicator's, or an every-period form on a figure that is not counted from dated rows.
    """
    raw = "" if text is None else str(text)
    where = _where(source, raw)

    def fail(reason: str) -> TargetError:
        return TargetError(f"{where}{reason}", source=source, text=raw)

    ind, cond = _indicator_and_condition(indicator_id, condition, source, raw, fail)
    body = _normalise(raw)
    if not body:
        raise fail("为空，请写明目标，或删除这一条")
    soft = False
    for word in ("力争", "争取"):
        if body.startswith(word):
            soft, body = True, body[len(word):]
            break

    # 不低于2024年的20篇: a plan's 逐年提高 written with last year's figure (plan.py writes
    # it so); the year only names where the figure came from.
    based = _YEAR_BASE.match(body)
    if based:
        body = based.group(1) + body[based.end():]
    base = dict(indicator=indicator_id, text=raw, condition=cond, soft=soft, source=source,
                name=ind.name, unit=ind.unit, indicator_kind=ind.kind, better=ind.better)
    is_rate = ind.kind == "rate" or ind.unit in RATE_UNITS

    for reader in (_every_period, _relative, _zero, _annual_count, _comparison):
        found = reader(body, ind, is_rate, fail)
        if found is not None:
            kind, threshold, extra = found
            gran = extra.pop("granularity", None)
            if based:
                extra["base_year"] = int(based.group(2))
            return Target(kind=kind, threshold=threshold, granularity=gran, extra=extra,
                          **base)
    if re.search(r"\d|%", body):
        raise fail(f"无法识别。{_FORMS_HELP}")
    qualitative = Target(kind=QUALITATIVE, **base)
    if _MEASURE_WORDS.search(body):
        # 达到五成五以上 reads as a measure to its author; listing it silently as a
        # 定性目标 would drop it from the evaluation without anyone noticing.
        qualitative.extra["warning"] = (f"{where}像是量化目标，但无法识别其中的数量，已按定性"
                                        f"目标列出、不作评估。{_FORMS_HELP}")
    return qualitative


def check_condition(indicator_id: str, condition: Any, source: str = ""
                    ) -> dict[str, str] | None:
    """The 条件 of a target entry, checked against the indicator's filter columns.

    Used on its own for a ``目标: null`` entry, which names an indicator and 条件 but no
    phrase. Values are left to the engine, which knows the street's enum lists.
    """
    def fail(reason: str) -> TargetError:
        return TargetError(f"{source + '：' if source else ''}指标“{indicator_id}”{reason}",
                           source=source)

    return _indicator_and_condition(indicator_id, condition, source, "", fail)[1]


def _indicator_and_condition(indicator_id: str, condition: Any, source: str, text: str,
                             fail: Any) -> tuple[Any, dict[str, str] | None]:
    ind = _indicator(indicator_id)
    if ind is None:
        raise TargetError(f"{source + '：' if source else ''}未知的指标“{indicator_id}”"
                          "（指标编号见指标目录，如 activity.count）", source=source, text=text)
    if ind.kind == "breakdown":
        raise fail(f"无法评估：指标“{ind.name}”是分项统计，请改用具体指标并写明条件")
    return ind, _check_condition(condition, ind, fail)


def _check_condition(condition: Any, ind: Any, fail: Any) -> dict[str, str] | None:
    if condition is None or condition == {}:
        return None
    if not isinstance(condition, dict):
        raise fail("的条件应写成“列名: 值”，如 {条线: 普法}")
    allowed = tuple(getattr(ind, "filters", ()) or ())
    out: dict[str, str] = {}
    for key, value in condition.items():
        key = str(key).strip()
        if key not in allowed:
            can = "、".join(allowed) if allowed else "无（该指标不能按条件筛选）"
            raise fail(f"的条件“{key}”不适用于指标“{ind.name}”（可用：{can}）")
        if value is None or str(value).strip() == "" or isinstance(value, (list, dict)):
            raise fail(f"的条件“{key}”应写一个取值")
        out[key] = str(value).strip()
    return out


def _agree_unit(unit: str | None, ind: Any, is_rate: bool, fail: Any) -> None:
    """A % on a count, or 人 where the indicator counts 人次, is a different figure."""
    if not unit:
        return
    if unit in ("个百分点", "百分点"):
        raise fail("中的“个百分点”只用于“较上年提高N个百分点”这类写法")
    if is_rate:
        if unit != "%":
            raise fail(f"的单位“{unit}”与指标“{ind.name}”（百分比）不符")
        return
    if unit == "%":
        raise fail(f"带有“%”，但指标“{ind.name}”的单位是{ind.unit}，不是比率")
    if unit == ind.unit or unit in _UNIT_AGREES.get(ind.unit, ()):
        return
    raise fail(f"的单位“{unit}”与指标“{ind.name}”的单位“{ind.unit}”不符")


def _scaled(n: float, unit: str | None, is_rate: bool, fail: Any) -> float:
    """N on the value's scale: a rate's percent as a fraction (95 and 95% are 0.95)."""
    if is_rate:
        if unit is None and n != 0 and n < 1 and not float(n).is_integer():
            raise fail("的数值小于1，看不出是百分之几；比率目标请写成百分数，如95%")
        return n / 100
    return n


def _every_period(body: str, ind: Any, is_rate: bool, fail: Any
                  ) -> tuple[str, None, dict] | None:
    m = re.fullmatch(r"(?:坚持|做到|保证|确保|实现)?(?:每个?(半个月|半月|星期|周|季度|季|半年|月)"
                     r"|(月月|周周))(.*)", body)
    if not m:
        return None
    word = m.group(1) or ("月" if m.group(2) == "月月" else "周")
    gran = _PERIOD_WORD[word]
    rest = m.group(3)
    n_match = re.fullmatch(rf"(?:至少|不少于|最少)?({_NOT_NUM}*?)({_NUM})(次|场次|场|期|回)(.*)",
                           rest)
    if n_match:
        n = parse_number(n_match.group(2))
        if n is None:
            raise fail(f"中的数字“{n_match.group(2)}”无法识别")
        if n != 1:
            raise fail(f"要求每{word}{plain_number(n)}次；目前只能检查每{word}是否至少开展一次，"
                       f"请改写为“每{word}至少一次”或“全年N次”")
    elif re.search(r"\d", rest):
        raise fail(f"无法识别。{_FORMS_HELP}")
    if getattr(ind, "rows", None) is None or is_rate or ind.kind in ("ratio", "value"):
        raise fail(f"按{word}检查，但指标“{ind.name}”不是按日期登记的计数，无法逐{word}检查")
    kind = GRANULARITIES[gran][0]
    return kind, None, {"granularity": gran}


def _relative(body: str, ind: Any, is_rate: bool, fail: Any
              ) -> tuple[str, float | None, dict] | None:
    leads = "|".join(_LEADS)
    dirs = "|".join(_UP_WORDS + _DOWN_WORDS)
    m = re.fullmatch(rf"({leads})?(?:有所)?({dirs})(.*)", body)
    if not m:
        return None
    lead, word, rest = m.group(1), m.group(2), m.group(3)
    up = word in _UP_WORDS
    if rest in ("", "了"):
        if not lead:
            return None  # a bare 提高 has no measure: read as a 定性目标
        return (INCREASE if up else DECREASE), None, {}
    n_match = re.fullmatch(rf"({_NUM})({_UNIT})?(以上|及以上)?", rest)
    if not n_match:
        if re.search(r"\d|%", rest):
            raise fail(f"无法识别。{_FORMS_HELP}")
        return None
    n = parse_number(n_match.group(1))
    if n is None:
        raise fail(f"中的数字“{n_match.group(1)}”无法识别")
    unit = n_match.group(2)
    if unit in ("个百分点", "百分点"):
        if not is_rate:
            raise fail(f"以百分点计，但指标“{ind.name}”不是比率")
        return (PP_INCREASE if up else PP_DECREASE), n / 100, {}
    if unit == "%":
        return (PCT_INCREASE if up else PCT_DECREASE), n / 100, {}
    if is_rate:
        raise fail("看不出是提高几个百分点还是增长百分之几，请写“较上年提高N个百分点”或“较上年增长N%”")
    _agree_unit(unit, ind, is_rate, fail)
    return (ABS_INCREASE if up else ABS_DECREASE), n, {}


def _zero(body: str, ind: Any, is_rate: bool, fail: Any) -> tuple[str, float, dict] | None:
    m = re.fullmatch(r"(?:确保|实现|做到|保持|力保)?(杜绝|不发生|无|零|0)(.*)", body)
    if not m:
        return None
    word, rest = m.group(1), m.group(2)
    if word == "0":
        unit_only = re.fullmatch(rf"({_UNIT})?", rest)
        if not unit_only:
            return None
        _agree_unit(unit_only.group(1), ind, is_rate, fail)
    elif word == "零" and rest and rest[0] in _CN_CHARS:
        return None
    return ZERO, 0, {}


def _annual_count(body: str, ind: Any, is_rate: bool, fail: Any
                  ) -> tuple[str, float, dict] | None:
    m = re.fullmatch(rf"(?:全年|年内|一年|每年|年度)(?:累计|共|至少|不少于|最少)?({_NOT_NUM}*?)"
                     rf"(?:不少于|至少)?({_NUM})({_UNIT})?(以上|及以上)?({_NOT_NUM}*)", body)
    if not m:
        return None
    n = parse_number(m.group(2))
    if n is None:
        raise fail(f"中的数字“{m.group(2)}”无法识别")
    unit = m.group(3)
    words = m.group(1) + (m.group(4) or "") + m.group(5)
    most = any(w in words for w in _MOST_WORDS)
    if most and any(w in words for w in _LEAST_WORDS):
        raise fail("既要求不低于又要求不超过，前后矛盾")
    _agree_unit(unit, ind, is_rate, fail)
    # "annual": the plan counts over the whole year, so a mid-year report judges it
    # against 序时进度 even where the figure is not a sum of dated rows.
    return (AT_MOST if most else AT_LEAST), _scaled(n, unit, is_rate, fail), {"annual": True}


def _comparison(body: str, ind: Any, is_rate: bool, fail: Any
                ) -> tuple[str, float, dict] | None:
    m = re.fullmatch(rf"({_NOT_NUM}*?)({_NUM})({_UNIT})?({_NOT_NUM}*)", body)
    if not m:
        return None
    pre, num, unit, post = m.groups()
    words = _split_markers(pre) if pre else []
    tail = _split_markers(post) if post else []
    if words is None or tail is None:
        return None
    if any(w not in ("以上", "及以上", "以内", "之内", "以下", "及以下") for w in tail):
        return None
    words += tail
    n = parse_number(num)
    if n is None:
        return None  # 一户一档 and the like: no figure at all
    least = any(w in _LEAST_WORDS for w in words)
    most = any(w in _MOST_WORDS for w in words)
    if least and most:
        raise fail("既要求不低于又要求不超过，前后矛盾")
    _agree_unit(unit, ind, is_rate, fail)
    return (AT_MOST if most else AT_LEAST), _scaled(n, unit, is_rate, fail), {}


def _split_markers(text: str) -> list[str] | None:
    """The comparison words a phrase is made of, or None when it holds anything else."""
    out: list[str] = []
    i = 0
    while i < len(text):
        for word in _MARKERS:
            if text.startswith(word, i):
                out.append(word)
                i += len(word)
                break
        else:
            return None
    return out


# ---------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------

_EPS = 1e-9


def _is_num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and not (
        isinstance(x, float) and math.isnan(x))


def _clean(x: float | None) -> float | int | None:
    """Float noise off a gap (0.1 + 0.2), integral values as int."""
    if x is None:
        return None
    x = round(float(x), 10)
    return int(x) if x.is_integer() else x


def _amount(n: float, target: Target) -> str:
    """A positive quantity with its unit, spaced as gap texts are (12 场次, 1.34 万元)."""
    unit = target.unit
    if unit == "元" and n >= 10_000:
        return f"{round_half_up(n / 10_000, 2):.2f} 万元"
    digits = 1 if target.indicator_kind == "ratio" else 2
    return f"{plain_number(n, digits)} {unit}".rstrip()


def _points(fraction: float) -> str:
    """A rate difference in 百分点 with one decimal; under 0.05 points says so."""
    pts = round_half_up(abs(fraction) * 100, 1)
    if pts == 0:
        return "不足 0.1 个百分点"
    return f"{pts:.1f} 个百分点"


def _phrase(word: str, quantity: str) -> str:
    """差 4.5 个百分点, but 差不足 0.1 个百分点 (no space inside the word)."""
    return f"{word}{quantity}" if quantity.startswith("不足") else f"{word} {quantity}"


def _quantity(diff: float, target: Target) -> str:
    return _points(diff) if target.is_rate else _amount(abs(diff), target)


def _short_text(short: float, target: Target) -> str:
    return _phrase("差", _quantity(short, target))


def _over_text(over: float, target: Target) -> str:
    return _phrase("超出", _quantity(over, target))


def _trend_text(diff: float, target: Target) -> str:
    if abs(diff) < _EPS:
        return "与上年持平"
    if target.is_rate:
        word = "提高" if diff > 0 else "下降"
    else:
        word = "增加" if diff > 0 else "减少"
    return _phrase(f"较上年{word}", _quantity(diff, target))


def _required(target: Target, previous: float) -> float:
    """The figure a relative target asks for, given last year's."""
    step = target.threshold or 0
    kind = target.kind
    if kind == PP_INCREASE:
        need = previous + step
    elif kind == PP_DECREASE:
        need = previous - step
    elif kind == PCT_INCREASE:
        need = previous * (1 + step)
    elif kind == PCT_DECREASE:
        need = previous * (1 - step)
    elif kind == ABS_INCREASE:
        need = previous + step
    else:  # ABS_DECREASE
        need = previous - step
    if target.indicator_kind == "count" and not target.is_rate:
        # Whole people and sessions: 42 篇 + 10% asks for 46.2, i.e. 47 篇 (or, going
        # down, at most 37.8, i.e. 37).
        up = kind in (PP_INCREASE, PCT_INCREASE, ABS_INCREASE)
        need = math.ceil(need - _EPS) if up else math.floor(need + _EPS)
    return need


def _paced(target: Target, elapsed: float) -> bool:
    """Whether a mid-year report judges this target against 序时进度: an at-least
    count or amount that accumulates over the year (a sum of the period's dated rows, or
    a phrase such as 全年N次), and the step of 较上年增加N on such a figure (last year's
    figure is already that of the same window). Rates, levels such as 注册志愿者, 杜绝
    and the every-period forms are judged as they stand."""
    if elapsed >= 1 - _EPS or target.is_rate:
        return False
    if target.kind not in (AT_LEAST, ABS_INCREASE, ABS_DECREASE):
        return False
    if target.indicator_kind not in ("count", "amount"):
        return False
    ind = _indicator(target.indicator)
    return bool(target.extra.get("annual")) or getattr(ind, "rows", None) is not None


def _due(target: Target, elapsed: float) -> float:
    """序时进度: the target's share for the time gone, whole units for counts."""
    due = (target.threshold or 0) * elapsed
    if target.indicator_kind == "count":
        return math.ceil(due - _EPS)
    return round(due, 2)


def evaluate(target: Target, value: Any, previous: Any,
             coverage: tuple[int, int, list[str]] | None = None,
             elapsed: float = 1.0) -> dict[str, Any]:
    """Judge one target, giving the entry of CommunityFacts.targets.

    ``gap`` is on the value's scale (a fraction for rates) and signed as value − what
    was asked (negative when short of an at-least target); for the every-period forms
    ``value`` is the number of periods covered and ``gap`` the number lacking. A met
    target has no gap. ``coverage`` is what the engine counted for every-period targets:
    (periods covered, periods in the report's window, labels of those lacking).
    ``elapsed`` is the share of the year the report covers (period.elapsed_share); below
    1 an accumulating at-least count or amount is judged against 序时进度: ``required``
    is the due share, ``annual`` the whole target, ``share`` value ÷ the whole target,
    and ``pace`` is True.
    """
    out: dict[str, Any] = {
        "指标": target.indicator, "名称": target.name,
        "条件": dict(target.condition) if target.condition else None,
        "目标": target.text, "value": value, "previous": previous, "unit": target.unit,
        "status": None, "reason": None, "gap": None, "gap_text": None,
        "soft": target.soft, "kind": target.kind, "threshold": target.threshold,
        "required": None, "来源": target.source,
    }
    if target.granularity:
        out["granularity"] = target.granularity
    if elapsed < 1 - _EPS:
        out["elapsed"] = elapsed  # a mid-year report: its status texts say so
    missed = SHORT_OF_HOPE if target.soft else MISSED

    def unassessable(reason: str) -> dict[str, Any]:
        out.update(status=UNASSESSABLE, reason=reason)
        return out

    if target.kind == QUALITATIVE:
        out.update(status=QUALITATIVE_STATUS, reason="不作量化评估")
        return out

    if target.granularity:
        out["count"] = value
        if coverage is None:
            out["value"] = None
            return unassessable("无数据")
        covered, total, lacking = coverage
        out.update(value=covered, periods=total, lacking=list(lacking), required=total)
        if not lacking and covered >= total:
            out["status"] = COMPLETE
            return out
        n = len(lacking) if lacking else total - covered
        out.update(status=missed, gap=n,
                   gap_text=f"尚有 {n} {_PERIOD_COUNT_UNIT[target.granularity]}未开展")
        return out

    if value is None or not _is_num(value):
        return unassessable("无数据")

    kind = target.kind
    if kind in (INCREASE, DECREASE) or kind.startswith(("pp_", "pct_", "abs_")):
        if previous is None or not _is_num(previous):
            return unassessable("无上年数据")
        if kind in (INCREASE, DECREASE):
            diff = value - previous
            ok = diff > _EPS if kind == INCREASE else diff < -_EPS
            out["required"] = previous
            if ok:
                out["status"] = COMPLETE
            else:
                out.update(status=missed, gap=_clean(diff), gap_text=_trend_text(diff, target))
            return out
        paced = kind in (ABS_INCREASE, ABS_DECREASE) and _paced(target, elapsed)
        if paced:  # 较上年增加10场 at mid-year: half the step on last year's first half
            need = _required(replace(target, threshold=(target.threshold or 0) * elapsed),
                             previous)
            out["pace"] = True
        else:
            need = _required(target, previous)
        out["required"] = _clean(need)
        up = kind in (PP_INCREASE, PCT_INCREASE, ABS_INCREASE)
        diff = value - need
        if (diff >= -_EPS) if up else (diff <= _EPS):
            out["status"] = COMPLETE
        else:
            out.update(status=missed, gap=_clean(diff),
                       gap_text=_short_text(diff, target) if up else _over_text(diff, target))
        return out

    need = target.threshold or 0
    out["required"] = target.threshold
    if _paced(target, elapsed):
        need = _due(target, elapsed)
        out.update(pace=True, required=_clean(need), annual=target.threshold,
                   share=value / target.threshold if target.threshold else None)
    diff = value - need
    if kind == AT_LEAST:
        if diff >= -_EPS:
            out["status"] = COMPLETE
        else:
            out.update(status=missed, gap=_clean(diff), gap_text=_short_text(diff, target))
    elif kind == AT_MOST:
        if diff <= _EPS:
            out["status"] = COMPLETE
        else:
            out.update(status=missed, gap=_clean(diff), gap_text=_over_text(diff, target))
    elif kind == ZERO:
        if abs(value) <= _EPS:
            out["status"] = COMPLETE
        elif target.is_rate:
            out.update(status=missed, gap=_clean(value), gap_text=_over_text(value, target))
        else:
            out.update(status=missed, gap=_clean(value),
                       gap_text=f"发生 {_amount(abs(value), target)}")
    else:  # pragma: no cover - every kind is handled above
        raise ValueError(f"未知的目标类型：{kind}")
    return out

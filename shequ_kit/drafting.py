"""Drafting 存在问题 and their next steps from a community's facts.

Real summaries name few problems (2-4), in a small stock vocabulary, and leadership
expects each to rest on something checkable. So every drafted problem comes from a rule
that cites its evidence (a missed target, N hazards still open, the months without any
activity). The rules, their thresholds and wording are data: the package ships them in
``rules/defaults_rules.yaml`` and a street (``parameters/defaults.yaml``) or a community
overrides them key by key, so there is one copy of each rule and a street edits only what
it wants different. The analyst always has the last word: 补充问题 are added after the
drafted ones, and 存在问题 in the parameters replaces them altogether.

So that no two communities read alike, the next steps are concrete measures drawn from a
phrase bank (``rules/phrases.yaml``: per 条线, indicator and rule kind), and the wording is
chosen among variants by a stable hash of the community, rule and indicator: the same
ledgers give the same words in every run, and each community its own.
"""

from __future__ import annotations

import calendar
import copy
import hashlib
import string
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import period, yamltext
from .numfmt import (
    fmt_pct,
    fmt_quantity,
    is_rate_unit,
    month_list,
    pp_change,
    relative_change,
    round_half_up,
)
from .sources import note_value

RULES_FILE = Path(__file__).resolve().parent / "rules" / "defaults_rules.yaml"
PHRASES_FILE = Path(__file__).resolve().parent / "rules" / "phrases.yaml"

# Rule kinds and the placeholders their wording may use.
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "目标未完成": ("指标", "目标", "实际", "差距"),
    "力争目标未达预期": ("指标", "目标", "实际", "差距"),
    "活动月份空缺": ("月份", "空缺月数"),
    "隐患未整改": ("未整改", "排查", "整改率"),
    "同比变差": ("指标", "方向", "变动", "本期", "上年同期"),
    "志愿者活跃度": ("活跃比例", "注册志愿者"),
    "台账不规范": ("条数", "台账"),
    "应有工作为零": ("指标", "上年同期"),
}
# Period words every rule may use (rules/period.yaml): {期间} 全年/上半年/今年以来/本季度…,
# {下一阶段} 全年/下半年/下一季度…, {目标任务} 年度目标/各项目标任务; the target rules also
# {未完成} 未完成年度目标/未达到序时进度/暂未达到目标要求.
PERIOD_PLACEHOLDERS = ("期间", "下一阶段", "目标任务")
for _kind in PLACEHOLDERS:
    PLACEHOLDERS[_kind] += PERIOD_PLACEHOLDERS + (
        ("未完成",) if _kind in ("目标未完成", "力争目标未达预期") else ())
COMMON_PLACEHOLDERS = PERIOD_PLACEHOLDERS
RULE_FIELDS = ("条件", "严重程度", "最多", "阈值", "百分点阈值", "最小基数", "措辞", "下一步",
               "启用", "不用于")
# The period kinds a rule's 不用于 may name (period.Period.kind).
PERIOD_KINDS = ("year", "half", "quarter", "month", "week", "range")
DEFAULT_LIMIT = 4

# Units of the "every period" target forms, where the value counts periods covered.
PERIOD_UNITS = (("half_month", "个半月"), ("half_year", "个半年"), ("week", "周"),
                ("month", "个月"), ("quarter", "个季度"))


class RulesError(ValueError):
    """A 版块 or 问题规则 entry that cannot be used; the message says which and why."""


@dataclass
class DraftedProblem:
    """One drafted problem with the figures it rests on (for 数据说明 and checking)."""

    rule: str
    text: str
    next_step: str
    severity: float
    evidence: dict[str, Any] = field(default_factory=dict)
    magnitude: float = 0.0
    # What the next step is worded from: the placeholders' values and the indicator the
    # problem is about ("" for the rules that speak for one thing: months, hazards …).
    values: dict[str, Any] = field(default_factory=dict, repr=False)
    subject: str = ""


@dataclass
class ProblemPlan:
    """What 四、存在问题 and 五、下一步工作打算 will say.

    source: "参数" when the parameters' 存在问题 replaced the drafted ones, "拟写" otherwise.
    """

    problems: list[str]
    next_steps: list[str]
    drafted: list[DraftedProblem]
    supplied: list[str]
    source: str


# -- configuration ---------------------------------------------------------------------

@lru_cache(maxsize=1)
def _builtin() -> dict[str, Any]:
    return yamltext.load(RULES_FILE.read_text(encoding="utf-8"))


def builtin_rules() -> dict[str, Any]:
    """The shipped 版块, 问题规则, 问题上限 and 问题选项 (a fresh copy each call)."""
    return copy.deepcopy(_builtin())


def _params_of(facts_or_params: Any) -> dict[str, Any]:
    params = getattr(facts_or_params, "params", facts_or_params)
    return params or {}


def problem_rules(facts_or_params: Any) -> dict[str, dict[str, Any]]:
    """The rules in force: the built-in ones overridden field by field by the parameters.

    ``规则名: null`` removes a rule; ``启用: false`` switches it off; a new name adds one.
    """
    rules = builtin_rules()["问题规则"]
    override = _params_of(facts_or_params).get("问题规则")
    if override is not None and not isinstance(override, dict):
        raise RulesError("参数「问题规则」应为「规则名称: 设置」的形式")
    for name, fields in (override or {}).items():
        if fields is None:
            rules.pop(name, None)
            continue
        if not isinstance(fields, dict):
            raise RulesError(f"参数「问题规则」中的规则「{name}」应为「字段: 值」的形式")
        rules[name] = {**rules.get(name, {}), **fields}
    for name, rule in rules.items():
        _check_rule(name, rule)
    return {n: r for n, r in rules.items() if r.get("启用", True) is not False}


def _check_rule(name: str, rule: dict[str, Any]) -> None:
    where = f"问题规则「{name}」"
    unknown = [k for k in rule if k not in RULE_FIELDS]
    if unknown:
        raise RulesError(f"{where}中有无法识别的字段：{'、'.join(map(str, unknown))}；"
                         f"可用字段：{'、'.join(RULE_FIELDS)}")
    kind = rule.get("条件")
    if kind not in PLACEHOLDERS:
        raise RulesError(f"{where}的条件「{kind}」无法识别；可用的条件：{'、'.join(PLACEHOLDERS)}")
    for key in ("严重程度", "阈值", "百分点阈值", "最小基数", "最多"):
        if key in rule and (isinstance(rule[key], bool)
                            or not isinstance(rule[key], (int, float))):
            raise RulesError(f"{where}的「{key}」应为数字，实际为「{rule[key]}」")
    skip = rule.get("不用于", [])
    if not isinstance(skip, list) or any(k not in PERIOD_KINDS for k in skip):
        raise RulesError(f"{where}的「不用于」应为期间类型的列表（{'、'.join(PERIOD_KINDS)}），"
                         f"实际为「{skip}」")
    for key in ("措辞", "下一步"):
        text = rule.get(key)
        if key == "下一步" and text is None:
            continue  # drawn from the phrase bank
        variants = _variants(text)
        if not variants or not all(isinstance(t, str) and t.strip() for t in variants):
            raise RulesError(f"{where}缺少「{key}」")
        for t in variants:
            _check_placeholders(f"{where}的「{key}」", t, PLACEHOLDERS[kind])


def _variants(text: Any) -> list[Any]:
    """A wording written as one sentence or as a list of variants, as a list."""
    if isinstance(text, str):
        return [text]
    if isinstance(text, list):
        return list(text)
    return []


def _check_placeholders(where: str, text: str, allowed: tuple[str, ...]) -> None:
    allowed = tuple(allowed) + COMMON_PLACEHOLDERS
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        raise RulesError(f"{where}中花括号不成对：{text}") from exc
    bad = [n for n in names if n not in allowed]
    if bad:
        raise RulesError(f"{where}中有无法识别的占位符{{{bad[0]}}}；"
                         f"可用的占位符：{'、'.join('{' + p + '}' for p in allowed)}")


def problem_limit(facts_or_params: Any) -> int:
    value = _params_of(facts_or_params).get("问题上限", builtin_rules().get("问题上限"))
    if value is None:
        return DEFAULT_LIMIT
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RulesError(f"参数「问题上限」应为不小于0的整数，实际为「{value}」")
    return value


def problem_options(facts_or_params: Any) -> list[str]:
    """Stock capacity problems an analyst may copy into 补充问题."""
    options = _params_of(facts_or_params).get("问题选项")
    if options is None:
        options = builtin_rules().get("问题选项", [])
    return [str(o) for o in options]


# -- the phrase bank ----------------------------------------------------------------------

# Placeholders of the 下一步 bank's sections other than 规则, and of the intros.
BANK_PLACEHOLDERS = {"条线": ("指标",), "指标": ("指标",), "问题引语": (),
                     "下一步引语": ("时间", "围绕"), "特色亮点": ("亮点",)}


@lru_cache(maxsize=1)
def _phrases() -> dict[str, Any]:
    bank = yamltext.load(PHRASES_FILE.read_text(encoding="utf-8")) or {}
    check_phrases(bank)
    return bank


def phrase_bank() -> dict[str, Any]:
    """The shipped phrase bank (rules/phrases.yaml): intros and next-step measures, a
    fresh copy each call. Kept as data so wording is edited without touching code."""
    return copy.deepcopy(_phrases())


def check_phrases(bank: dict[str, Any]) -> None:
    """Every variant a non-empty string using only the placeholders its place allows,
    so a bad edit of the bank fails when it is read, not in the middle of a batch."""
    def check(where: str, variants: Any, allowed: tuple[str, ...]) -> None:
        if not isinstance(variants, list) or not variants or \
                not all(isinstance(v, str) and v.strip() for v in variants):
            raise RulesError(f"短语库中「{where}」应为非空的说法列表")
        for v in variants:
            _check_placeholders(f"短语库「{where}」", v, allowed)

    check("问题引语", bank.get("问题引语"), BANK_PLACEHOLDERS["问题引语"])
    check("下一步引语", bank.get("下一步引语"), BANK_PLACEHOLDERS["下一步引语"])
    steps = bank.get("下一步") or {}
    for section in ("条线", "指标"):
        for key, variants in (steps.get(section) or {}).items():
            check(f"下一步/{section}/{key}", variants, BANK_PLACEHOLDERS[section])
    for kind, variants in (steps.get("规则") or {}).items():
        if kind not in PLACEHOLDERS:
            raise RulesError(f"短语库中「下一步/规则」的条件「{kind}」无法识别")
        check(f"下一步/规则/{kind}", variants, PLACEHOLDERS[kind])
    highlight = bank.get("特色亮点") or {}
    check("特色亮点/措辞", highlight.get("措辞"), BANK_PLACEHOLDERS["特色亮点"])


def stable_index(n: int, *parts: Any) -> int:
    """A reproducible choice among n variants keyed by the parts (community, rule,
    indicator): sha256, not Python's hash(), which is salted per process."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % max(n, 1)


def _choose(variants: list[str], parts: tuple[Any, ...], used: set[str] | None = None) -> str:
    """The variant the parts pick; within one report, the next unused one if it is taken,
    so two problems of a kind are not answered by the same sentence."""
    start = stable_index(len(variants), *parts)
    for k in range(len(variants)):
        v = variants[(start + k) % len(variants)]
        if used is None or v not in used:
            return v
    return variants[start]


def period_word(facts: Any) -> str:
    """全年 / 上半年 / 今年以来, as the genre names the period a report covers."""
    return period_values(facts)["期间"]


def problems_intro(facts: Any) -> str:
    """The sentence that opens 存在问题 (T9), in one of the bank's variants."""
    template = _choose(phrase_bank()["问题引语"], (facts.community, "问题引语"))
    return template.format_map(_Fill({"期间": period_word(facts)}))


def next_steps_intro(facts: Any, when: str, theme: str | None) -> str:
    """The sentence that opens 下一步工作打算: ``when`` is 下半年 or the next year, ``theme``
    the 中心工作 the community works towards (or None)."""
    around = f"紧紧围绕“{theme.strip('“”')}”的工作要求，" if theme else ""
    template = _choose(phrase_bank()["下一步引语"], (facts.community, "下一步引语"))
    return template.format_map(_Fill({"时间": when, "围绕": around,
                                      "期间": period_word(facts)}))


def blocks_config(facts_or_params: Any) -> list[dict[str, Any]]:
    """The 版块 in force: a list in the parameters replaces the built-in list; a mapping
    changes only the named 版块 (``版块名称: null`` drops one)."""
    blocks = builtin_rules()["版块"]
    override = _params_of(facts_or_params).get("版块")
    if isinstance(override, list):
        blocks = copy.deepcopy(override)
    elif isinstance(override, dict):
        by_name = {b["名称"]: b for b in blocks}
        for name, fields in override.items():
            if fields is None:
                by_name.pop(name, None)
            elif isinstance(fields, dict):
                by_name[name] = {**by_name.get(name, {"名称": name}), **fields}
            else:
                raise RulesError(f"参数「版块」中的「{name}」应为「字段: 值」的形式")
        blocks = list(by_name.values())
    elif override is not None:
        raise RulesError("参数「版块」应为列表，或「版块名称: 设置」的形式")
    for i, b in enumerate(blocks, 1):
        if not isinstance(b, dict) or not b.get("名称") or not b.get("标题"):
            raise RulesError(f"参数「版块」第{i}项缺少「名称」或「标题」")
        for key in ("条线", "指标", "图表"):
            b[key] = list(b.get(key) or [])
    return blocks


# -- helpers shared with the narrative --------------------------------------------------

def clean_item(text: Any) -> str:
    """An analyst's item without trailing punctuation, so the document adds its own."""
    return str(text).strip().rstrip("。；;，,、")


def target_label(target: dict[str, Any]) -> str:
    """The indicator as a reader knows it: 开展活动（普法） for a filtered target."""
    name = target.get("名称") or target.get("指标") or ""
    cond = target.get("条件") or {}
    if cond and target.get("指标") == "activity.count":
        return "".join(str(v) for v in cond.values()) + "活动"  # 普法活动, 消防安全检查巡查活动
    if cond:
        return f"{name}（{'、'.join(str(v) for v in cond.values())}）"
    return str(name)


def _period_unit(kind: str | None) -> str | None:
    kind = kind or ""
    if not kind.startswith("every"):
        return None
    for key, unit in PERIOD_UNITS:
        if key in kind:
            return unit
    return "期"


def target_actual_text(target: dict[str, Any], table: bool = False) -> str:
    """The actual figure of a target: 63.5%, 8420人次, or 10个月 for 每月一次 forms."""
    value = target.get("value")
    if value is None or isinstance(value, dict):
        return "无数据"
    unit = _period_unit(target.get("kind")) or target.get("unit")
    if _period_unit(target.get("kind")):
        return f"{value}{unit}达标"
    note_value(target.get("指标"), target.get("条件"), value, unit, target.get("名称"))
    return fmt_quantity(value, unit, table=table)


def target_gap_text(target: dict[str, Any]) -> str:
    """The gap as the genre writes it (差4.5个百分点, 差12场次, 发生2起), or ''."""
    text = target.get("gap_text")
    if text:
        return "".join(str(text).split())
    gap = target.get("gap")
    if gap is None or isinstance(gap, dict):
        return ""
    unit = _period_unit(target.get("kind")) or target.get("unit")
    if is_rate_unit(unit):
        return f"差{round_half_up(abs(gap) * 100, 1)}个百分点"
    return f"差{fmt_quantity(abs(gap), unit)}"


def target_pace_text(target: dict[str, Any]) -> str:
    """For a target judged against 序时进度: 序时进度60场次，已完成目标任务的47.5%;
    '' for any other target. The leader sees what was due by now and how far the whole
    year's target has come."""
    return "，".join(p for p in (_due_text(target), _share_text(target)) if p)


def _share_text(target: dict[str, Any]) -> str:
    """已完成目标任务的47.5% for a target judged against 序时进度, '' otherwise."""
    share = target.get("share")
    if not target.get("pace") or not _is_number(share):
        return ""
    return str(period.pace_words()["完成比例"].format(比例=fmt_pct(share)))


def _due_text(target: dict[str, Any]) -> str:
    """序时进度60场次 for a target judged against 序时进度, '' otherwise."""
    if not target.get("pace") or target.get("required") is None:
        return ""
    due = fmt_quantity(target["required"], target.get("unit"))
    return str(period.pace_words()["应完成"].format(应完成=due))


def target_note_text(target: dict[str, Any]) -> str:
    """The 差距或说明 of a quantified target: the gap, and at mid-year the due share and
    the progress on the whole target (序时进度60场次，差3场次，已完成目标任务的47.5%)."""
    gap = "" if target.get("status") == "完成" else target_gap_text(target)
    return "，".join(p for p in (_due_text(target), gap, _share_text(target)) if p)


def period_values(facts: Any) -> dict[str, str]:
    """The period words a rule's wording may use, for this facts' period."""
    words = period.report_words(facts)
    return {"期间": str(words["期间"]), "下一阶段": str(words["下一阶段"]),
            "目标任务": str(words["目标任务"])}


class _Fill(dict):
    def __missing__(self, key: str) -> str:  # validated up front; kept as a safety net
        raise RulesError(f"问题规则中的占位符{{{key}}}无法填写")


def _fill(template: str, values: dict[str, Any]) -> str:
    return clean_item(template.format_map(_Fill(values)))


def _problem(facts: Any, rule: dict[str, Any], name: str, subject: str,
             values: dict[str, Any], evidence: dict[str, Any], magnitude: float,
             condition: Any = None) -> DraftedProblem:
    """A drafted problem worded in the variant its community, rule and indicator pick.
    Its next step is worded later, once the problems to state are chosen."""
    values = {**values, **period_values(facts)}
    parts = (facts.community, name, subject + _cond_key(condition), "措辞")
    text = _fill(_choose(_variants(rule["措辞"]), parts), values)
    return DraftedProblem(name, text, "", float(rule.get("严重程度", 0)), evidence,
                          magnitude, values=values, subject=subject)


def _cond_key(condition: Any) -> str:
    if not isinstance(condition, dict) or not condition:
        return ""
    return "".join(f"[{k}={v}]" for k, v in condition.items())


# -- the rule kinds ---------------------------------------------------------------------

def _targets_with(facts: Any, status: str) -> list[tuple[int, dict[str, Any]]]:
    return [(i, t) for i, t in enumerate(facts.targets or []) if t.get("status") == status]


def _rule_targets(facts: Any, rule: dict[str, Any], name: str, status: str
                  ) -> list[DraftedProblem]:
    out = []
    for _, t in _targets_with(facts, status):
        written = str(t.get("目标") or "")
        if status == "未达预期" and written.startswith("力争"):
            written = written[2:]  # 争取实现…达到60%的目标, not …力争达到60%的目标
        values = {"指标": target_label(t), "目标": written,
                  "实际": target_actual_text(t), "差距": target_gap_text(t) or "尚有差距",
                  "未完成": _missed_words(facts, t)}
        if _due_text(t):  # at mid-year the reader needs what was due by now
            values["差距"] = f"{_due_text(t)}，{values['差距']}"
        evidence = {"指标": t.get("指标"), "条件": t.get("条件"), "目标": t.get("目标"),
                    "实际": t.get("value"), "差距": t.get("gap")}
        out.append(_problem(facts, rule, name, str(t.get("指标") or ""), values, evidence,
                            _shortfall(t), condition=t.get("条件")))
    # the widest shortfall first (equal ones keep the parameters' order: a stable sort),
    # each indicator's worst before a second target on the same indicator, so a rule
    # capped at two names two different pieces of work
    out.sort(key=lambda p: -p.magnitude)
    firsts: list[DraftedProblem] = []
    repeats: list[DraftedProblem] = []
    for p in out:
        (repeats if any(q.subject == p.subject for q in firsts) else firsts).append(p)
    return firsts + repeats


def _shortfall(target: dict[str, Any]) -> float:
    """How far a target is missed, as a share of what it asked: 38.7 points short of 55%
    is 0.70, 3 of 12 months is 0.25. It ranks missed targets, so the worst is stated."""
    gap, value = target.get("gap"), target.get("value")
    if not _is_number(gap) or not _is_number(value):
        return 0.0
    whole = abs(float(value)) + abs(float(gap))
    return abs(float(gap)) / whole if whole else 0.0


def _missed_words(facts: Any, target: dict[str, Any]) -> str:
    """未完成年度目标 / 未达到序时进度 / 暂未达到目标要求, as the period and target call."""
    if target.get("pace"):
        return str(period.pace_words()["未完成"])
    return str(period.report_words(facts)["未完成"])


def _rule_months(facts: Any, rule: dict[str, Any], name: str) -> list[DraftedProblem]:
    row = facts.row("activity.by_month")
    if row is None or not isinstance(row.get("value"), dict):
        return []
    by_month = row["value"]
    start = date.fromisoformat(facts.period_start)
    end = date.fromisoformat(facts.as_of)
    months = range(start.month, end.month + 1) if start.year == end.year else range(1, 13)
    if period.describe(facts)["kind"] != period.YEAR:
        # A week or a range of days: only the months it covers whole can be empty.
        months = [m for m in months if start <= date(start.year, m, 1)
                  and date(start.year, m, calendar.monthrange(start.year, m)[1]) <= end]
    empty = [m for m in months if not by_month.get(str(m))]
    if not empty or len(empty) < rule.get("阈值", 1):
        return []
    values = {"月份": month_list(empty), "空缺月数": len(empty)}
    return [_problem(facts, rule, name, "", values, {"空缺月份": empty}, len(empty))]


def _rule_hazards(facts: Any, rule: dict[str, Any], name: str) -> list[DraftedProblem]:
    row = facts.row("hazard.rectified_rate")
    if row is None or row.get("value") is None:
        return []
    if row["value"] >= rule.get("阈值", 1.0):
        return []
    found, fixed = row.get("denominator"), row.get("numerator")
    if found is None or fixed is None:
        found, fixed = facts.value("hazard.found"), facts.value("hazard.rectified")
    if found is None or fixed is None:
        return []
    values = {"未整改": int(found - fixed), "排查": int(found), "整改率": fmt_pct(row["value"])}
    return [_problem(facts, rule, name, "", values, dict(values), found - fixed)]


def _rule_yoy(facts: Any, rule: dict[str, Any], name: str, skip: set[str]
              ) -> list[DraftedProblem]:
    rel_limit = float(rule.get("阈值", 0.10))
    pp_limit = float(rule.get("百分点阈值", 10))
    base = float(rule.get("最小基数", 0))
    out = []
    for r in facts.indicators or []:
        better = r.get("better")
        value, prev = r.get("value"), r.get("previous")
        if better not in ("↑", "↓") or r.get("condition") or r.get("level") == "street":
            continue  # neutral figures are never a problem for moving
        if r.get("id") in skip or not _is_number(value) or not _is_number(prev):
            continue
        if value == 0 or prev == 0:
            continue  # to or from nothing: no percentage a reader can weigh (下降100.0%)
        unit = r.get("unit")
        ratio = r.get("id", "").split(".")[-1].startswith(("avg_", "per_")) or \
            "_per_" in r.get("id", "")
        if is_rate_unit(unit):
            points = pp_change(value, prev)
            worse = points < -pp_limit if better == "↑" else points > pp_limit
            if not worse:
                continue
            change = f"{abs(round_half_up(points, 1))}个百分点"
            magnitude = float(abs(points)) / 100
        else:
            rel = relative_change(value, prev)
            if rel is None:
                continue
            worse = rel < -rel_limit if better == "↑" else rel > rel_limit
            if not worse:
                continue
            change = f"{abs(round_half_up(rel * 100, 1))}%"
            magnitude = float(abs(rel))
            if not ratio and abs(prev) < base:
                # a small count: 1 → 2 起 is no "上升100.0%"; say 上升1起, and weigh the
                # change against the base so it neither fires nor ranks like a big one
                diff = float(value) - float(prev)
                magnitude = abs(diff) / base
                if magnitude <= rel_limit:
                    continue
                change = fmt_quantity(abs(diff), unit)
        values = {"指标": r.get("name") or r.get("id"),
                  "方向": "下降" if better == "↑" else "上升", "变动": change,
                  "本期": fmt_quantity(value, unit, ratio=ratio),
                  "上年同期": fmt_quantity(prev, unit, ratio=ratio)}
        out.append(_problem(facts, rule, name, str(r.get("id") or ""), values,
                            {"指标": r.get("id"), "本期": value, "上年同期": prev}, magnitude))
    out.sort(key=lambda p: -p.magnitude)
    return out


def _rule_volunteers(facts: Any, rule: dict[str, Any], name: str) -> list[DraftedProblem]:
    row = facts.row("volunteer.active_rate")
    if row is None or row.get("value") is None or row["value"] >= rule.get("阈值", 0.5):
        return []
    registered = row.get("denominator")
    if registered is None:
        registered = facts.value("volunteer.registered")
    values = {"活跃比例": fmt_pct(row["value"]),
              "注册志愿者": registered if registered is not None else ""}
    return [_problem(facts, rule, name, "", values, {"活跃志愿者比例": row["value"]},
                     1 - row["value"])]


def _rule_ledgers(facts: Any, rule: dict[str, Any], name: str) -> list[DraftedProblem]:
    excluded = {k: v for k, v in (facts.quality or {}).get("excluded_rows", {}).items() if v}
    total = sum(excluded.values())
    if total == 0 or total < rule.get("阈值", 1):
        return []
    values = {"条数": total, "台账": "、".join(excluded)}
    return [_problem(facts, rule, name, "", values, {"未计入记录": excluded}, total)]


def _rule_zero(facts: Any, rule: dict[str, Any], name: str) -> list[DraftedProblem]:
    """应有工作为零: an ↑ count or amount at 0 this period where last year's same window
    had some, in a ledger that does hold rows (a header-only ledger is told in 数据说明,
    not blamed as work undone). A target already missed for it speaks for itself."""
    from .catalogue import CATALOGUE

    empty = set((facts.quality or {}).get("ledgers_empty") or [])
    missed = {t.get("指标") for t in facts.targets or [] if not t.get("条件")
              and t.get("status") in ("未完成", "未达预期")}
    out = []
    for r in facts.indicators or []:
        ind = CATALOGUE.get(r.get("id", ""))
        value, prev = r.get("value"), r.get("previous")
        if (ind is None or ind.kind not in ("count", "amount") or ind.better != "↑"
                or r.get("condition") or r.get("level") == "street" or ind.sheet in empty
                or ind.id in missed or value != 0 or not _is_number(prev) or prev <= 0):
            continue
        values = {"指标": r.get("name") or ind.name,
                  "上年同期": fmt_quantity(prev, r.get("unit"))}
        out.append(_problem(facts, rule, name, ind.id, values,
                            {"指标": ind.id, "本期": 0, "上年同期": prev}, float(prev)))
    out.sort(key=lambda p: -p.magnitude)
    return out


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


# -- the engine --------------------------------------------------------------------------

# Indicators a specialised rule speaks for: when it fires, a missed target on the same
# indicator is not drafted again (the specialised wording is the genre's and cites more).
COVERS: dict[str, str] = {"隐患未整改": "hazard.rectified_rate",
                          "志愿者活跃度": "volunteer.active_rate"}


def draft_problems(facts: Any, limit: int | None = None) -> list[DraftedProblem]:
    """Apply the rules in force to one community: at most ``limit`` (问题上限), most
    severe first. Each indicator is drafted once: a missed target is not drafted again
    for its 同比, and a specialised rule (hazards, volunteers) replaces the bare target.

    The places go first to the worst case of each rule and only then to a rule's second
    case: a community's open hazards or empty months say more about it than a third
    missed target would. Each problem gets its next step (see ``_next_step``)."""
    rules = problem_rules(facts)
    found: list[tuple[DraftedProblem, int]] = []
    covered: set[str] = set()
    later: dict[str, list[tuple[int, str, dict[str, Any]]]] = {"target": [], "yoy": []}
    period_kind = period.describe(facts)["kind"]
    for order, (name, rule) in enumerate(rules.items()):
        kind = rule["条件"]
        if period_kind in (rule.get("不用于") or ()):
            continue  # e.g. a week's share of active volunteers says nothing of the team
        if kind in ("目标未完成", "力争目标未达预期"):
            later["target"].append((order, name, rule))
            continue
        if kind == "同比变差":
            later["yoy"].append((order, name, rule))
            continue
        if kind == "活动月份空缺":
            items = _rule_months(facts, rule, name)
        elif kind == "隐患未整改":
            items = _rule_hazards(facts, rule, name)
        elif kind == "志愿者活跃度":
            items = _rule_volunteers(facts, rule, name)
        elif kind == "应有工作为零":
            items = _rule_zero(facts, rule, name)
        else:
            items = _rule_ledgers(facts, rule, name)
        if items and kind in COVERS:
            covered.add(COVERS[kind])
        found.extend((p, order) for p in _cap(items, rule))
    for order, name, rule in later["target"]:
        status = "未完成" if rule["条件"] == "目标未完成" else "未达预期"
        items = [p for p in _rule_targets(facts, rule, name, status)
                 if p.evidence.get("条件") or p.evidence.get("指标") not in covered]
        items = _cap(items, rule)
        covered.update(p.evidence["指标"] for p in items if not p.evidence.get("条件"))
        found.extend((p, order) for p in items)
    for order, name, rule in later["yoy"]:
        found.extend((p, order) for p in _cap(_rule_yoy(facts, rule, name, covered), rule))

    def rank(po: tuple[DraftedProblem, int]) -> tuple[float, int, float]:
        return (-po[0].severity, po[1], -po[0].magnitude)

    found.sort(key=rank)
    cap = max(problem_limit(facts) if limit is None else limit, 0)
    first: list[tuple[DraftedProblem, int]] = []
    rest: list[tuple[DraftedProblem, int]] = []
    for po in found:
        (rest if any(po[0].rule == f[0].rule for f in first) else first).append(po)
    chosen = sorted((first + rest)[:cap], key=rank)
    used: set[str] = set()
    for p, _ in chosen:
        p.next_step = _next_step(facts, rules[p.rule], p, used)
    return [p for p, _ in chosen]


def _next_step(facts: Any, rule: dict[str, Any], problem: DraftedProblem, used: set[str]
               ) -> str:
    """The measure that answers a problem: the rule's own 下一步 when a street or community
    wrote one, else the phrase bank's, most specific first (the 条线 of a filtered target,
    the indicator, its family ``prefix.*``, then the rule kind's general wording)."""
    condition = problem.evidence.get("条件") if problem.subject else None
    parts = (facts.community, problem.rule, problem.subject + _cond_key(condition))
    own = _variants(rule.get("下一步"))
    if own:
        candidates = [own]
    else:
        bank = phrase_bank().get("下一步") or {}
        by_line, by_indicator = bank.get("条线") or {}, bank.get("指标") or {}
        candidates = [by_line.get(str(v)) for v in (condition or {}).values()]
        if problem.subject:
            family = problem.subject.split(".")[0] + ".*"
            candidates += [by_indicator.get(problem.subject), by_indicator.get(family)]
        candidates.append((bank.get("规则") or {}).get(rule["条件"]))
    for variants in candidates:
        if variants:
            template = _choose(list(variants), parts, used)
            used.add(template)
            return _fill(template, problem.values)
    return ""


def highlight_step(facts: Any) -> str | None:
    """One step that carries a 特色亮点 project forward (巩固“邻里值班室”工作成效…), so the
    plan speaks of the community's own work too. None when no highlight names a project
    plainly enough to be carried into a sentence."""
    conf = phrase_bank().get("特色亮点") or {}
    names = [n for n in (_project_name(i, conf) for i in _items(_params_of(facts), "特色亮点"))
             if n]
    if not names or not conf.get("措辞"):
        return None
    name = _choose(names, (facts.community, "特色亮点"))
    template = _choose(list(conf["措辞"]), (facts.community, "特色亮点", name))
    return _fill(template, {"亮点": name, "期间": period_word(facts)})


def _project_name(item: str, conf: dict[str, Any]) -> str | None:
    """The project a highlight names: its quoted name with a following noun from the
    bank (“阳光四点钟”课堂), else its first clause without the opening verb
    (成立天运路一条街志愿服务队 → 天运路一条街志愿服务队); None when neither reads cleanly."""
    clause = item.replace(",", "，").replace("；", "，").split("，")[0].strip()
    left, right = clause.find("“"), clause.find("”")
    if 0 <= left < right:
        name = clause[left:right + 1]
        tail = clause[right + 1:]
        nouns = sorted((str(n) for n in conf.get("名词") or []), key=len, reverse=True)
        for noun in nouns:
            if tail.startswith(noun):
                name += noun
                break
            if tail.endswith(noun) and len(tail) <= 8:
                name += tail
                break
        return name if len(name) > 2 else None
    for verb in (str(v) for v in conf.get("动词") or []):
        if clause.startswith(verb) and 2 <= len(clause) - len(verb) <= 16:
            return clause[len(verb):]
    return None


def _cap(items: list[DraftedProblem], rule: dict[str, Any]) -> list[DraftedProblem]:
    most = rule.get("最多")
    return items if most is None else items[: int(most)]


def _items(params: dict[str, Any], key: str) -> list[str]:
    raw = params.get(key)
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    return [clean_item(x) for x in raw if x is not None and clean_item(x)]


def plan_problems(facts: Any) -> ProblemPlan:
    """The problems and next steps the document states.

    The parameters' 存在问题 replace the drafted problems (and their drafted steps);
    otherwise the drafted ones come first and 补充问题 follow, together at most 问题上限
    (补充问题 always kept, so each one takes the place of the least severe drafted one). Next steps: the
    parameters' 下一步工作打算 first, then one drafted step per drafted problem kept, then
    (unless the analyst wrote the problems) one step carrying a 特色亮点 project forward.
    """
    params = _params_of(facts)
    replaced = _items(params, "存在问题")
    supplied = _items(params, "补充问题")
    if replaced:
        drafted: list[DraftedProblem] = []
        problems = replaced
        source = "参数"
    else:
        # 问题上限 bounds what the section lists: the analyst's 补充问题 are always kept and
        # the drafted ones, most severe first, fill the places left.
        extra = list(supplied)
        drafted = draft_problems(facts, limit=problem_limit(facts) - len(extra))
        texts = {p.text for p in drafted}
        problems = [p.text for p in drafted] + [s for s in extra if s not in texts]
        source = "拟写"
    steps = _items(params, "下一步工作打算")
    for p in drafted:
        if p.next_step and p.next_step not in steps:
            steps.append(p.next_step)
    if not replaced:
        extra_step = highlight_step(facts)
        if extra_step and extra_step not in steps:
            steps.append(extra_step)
    return ProblemPlan(problems=problems, next_steps=steps, drafted=drafted,
                       supplied=supplied if not replaced else [], source=source)

"""Next year's 工作计划 from this year's ledgers: targets, tasks and a parameters draft.

A community writes its annual plan right after its summary, and the plan's targets are
exactly what the next summary will be judged on (seed 001: 使登记失业人员再就业率达到50%,
每月至少举办一次…, 杜绝…). So the plan is derived, not typed: each of this year's evaluated
targets becomes next year's by a declared rule (a target met with room is raised a step,
a missed one is kept, never lowered, with a measure; 逐年提高 is pinned to this year's
figure), the 主要任务 answer this year's weak spots 版块 by 版块, and the same targets are
written as a parameters draft the community edits and adopts for next year's summary.

All wording and every number the rules use live in ``rules/plan_rules.yaml``; the section
builders follow doctypes' SectionBuilder signature (facts, spec, ctx) so the 文种 “计划”
is an outline of section kinds, and they build narrative's Section/Paragraph/Item/Table
model so HTML, PDF and Word render a plan as they render a summary.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import math
import re
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import drafting, period, yamltext
from .drafting import (
    clean_item,
    phrase_bank,
    plan_problems,
    stable_index,
    target_actual_text,
    target_gap_text,
    target_label,
)
from .facts import CommunityFacts
from .narrative import (
    TARGET_SHORT_CELL,
    Document,
    Item,
    Paragraph,
    Section,
    Signature,
    Table,
    _cover,
    _issuer,
    _leading_bodies,
    _signed_on,
)
from .numfmt import fmt_pct, fmt_quantity, heading_ordinal, paren_ordinal, plain_number
from .paths import check_name, inside
from .targets import TargetError, evaluate, parse_number, parse_target

__all__ = ["SECTION_KINDS", "RULES_FILE", "plan_rules", "check_rules", "plan_title", "next_year_targets",
           "goal_sentence", "draft_yaml", "draft_name", "draft_path", "write_draft", "build_plan",
           "street_plan_summary", "PlanContext"]

RULES_FILE = Path(__file__).resolve().parent / "rules" / "plan_rules.yaml"

_EPS = 1e-9
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?[万亿]?|[零〇一二两三四五六七八九十百千万亿]+")
_ANNUAL_HEADS = ("全年", "年内", "每年", "年度")
_COUNT_WORDS = ("累计", "共", "至少", "不少于", "最少", "不超过", "控制在")
_SOFT = ("力争", "争取")


_REQUIRED = ("标题", "提纲", "开头语", "指导思想", "指导句", "围绕句", "工作目标", "下年目标",
             "依据", "确保", "主要任务", "保障措施", "结束语", "目标对照表", "草案")
_REASONS = ("提高", "余量不足", "已到上限", "保持", "杜绝", "每期", "每期未完成", "逐年",
            "逐年下降", "相对", "相对无数", "未完成", "未达预期", "无法评估", "定性")


@lru_cache(maxsize=1)
def _rules() -> dict[str, Any]:
    rules = yamltext.load(RULES_FILE.read_text(encoding="utf-8"))
    check_rules(rules)
    return rules


def check_rules(rules: Any) -> None:
    """Every part the plan reads is there and every number a number, so a bad edit of
    plan_rules.yaml fails when it is read, naming the key, not half-way through a batch."""
    where = "计划规则 plan_rules.yaml"
    if not isinstance(rules, dict):
        raise drafting.RulesError(f"{where}应为「键: 值」的形式")
    missing = [k for k in _REQUIRED if k not in rules]
    if missing:
        raise drafting.RulesError(f"{where}缺少「{'、'.join(missing)}」")
    lacking = [k for k in _REASONS if not isinstance((rules["依据"] or {}).get(k), str)]
    if lacking:
        raise drafting.RulesError(f"{where}的「依据」缺少「{'、'.join(lacking)}」")
    conf = rules["下年目标"] or {}
    numbers = [("比率", "上限")] + [("计数", "比例")]
    for part, key in numbers:
        value = (conf.get(part) or {}).get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise drafting.RulesError(f"{where}中「下年目标/{part}/{key}」应为数字，实际为「{value}」")
    for part, key in (("比率", "步长"), ("计数", "取整")):
        rows = (conf.get(part) or {}).get(key)
        if not isinstance(rows, list) or not rows or not all(
                isinstance(r, dict) and isinstance(r.get(key), (int, float)) for r in rows):
            raise drafting.RulesError(f"{where}中「下年目标/{part}/{key}」应为列表，每行写「{key}」")
    kinds = set(SECTION_KINDS)
    for spec in rules["提纲"]:
        if not isinstance(spec, dict) or spec.get("类型") not in kinds:
            raise drafting.RulesError(f"{where}的「提纲」中有无法识别的类型「{spec}」；"
                                      f"可用：{'、'.join(kinds)}")


def plan_rules() -> dict[str, Any]:
    """The shipped plan wording and derivation rules (a fresh copy each call)."""
    return copy.deepcopy(_rules())


def _next(facts: CommunityFacts) -> int:
    return int(facts.year) + 1


def _words(facts: CommunityFacts) -> dict[str, Any]:
    """The placeholders every plan template may use."""
    params = facts.params or {}
    guide = str(params.get("指导思想") or "").strip()
    theme = str(params.get("中心工作") or "").strip().strip("“”")
    rules = _rules()
    return {
        "社区": facts.community, "街道": facts.street or "", "年": facts.year,
        "下年": _next(facts), "单位": _issuer(facts), "领导机关": _leading_bodies(facts),
        "指导思想": guide, "中心工作": theme,
        "指导": rules["指导句"].format(指导思想=guide) if guide else "",
        "围绕": rules["围绕句"].format(街道=facts.street or "", 中心工作=theme) if theme else "",
    }


def _fill(template: str, values: dict[str, Any]) -> str:
    return str(template).format_map(_Blank(values))


class _Blank(dict):
    """A template naming a placeholder the place does not offer reads it as empty rather
    than failing a whole batch on one street's wording edit."""

    def __missing__(self, key: str) -> str:
        return ""


def _pick(variants: Any, *parts: Any) -> str:
    items = [variants] if isinstance(variants, str) else list(variants or [])
    return str(items[stable_index(len(items), *parts)]) if items else ""


def plan_title(facts: CommunityFacts) -> str:
    """<社区名称><Y+1>年工作计划."""
    return _fill(_rules()["标题"], {"社区": facts.community, "下年": _next(facts)})


# ======================================================================================
# Next year's targets
# ======================================================================================

def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and not (
        isinstance(x, float) and math.isnan(x))


def _is_rate(t: dict[str, Any]) -> bool:
    return t.get("unit") == "%"


def _kind_of(indicator_id: str) -> str:
    from .catalogue import CATALOGUE

    ind = CATALOGUE.get(indicator_id)
    return ind.kind if ind is not None else ""


def _quantity(value: float, t: dict[str, Any]) -> str:
    """A target level as a plan writes it: 55%, 130场次, 5500元."""
    if _is_rate(t):
        return fmt_pct(value) if not float(value * 100).is_integer() else \
            f"{plain_number(value * 100)}%"
    return f"{plain_number(value)}{t.get('unit') or ''}"


def _step_rate(threshold: float, conf: dict[str, Any]) -> float:
    for row in conf.get("步长") or []:
        if "低于" not in row or threshold < float(row["低于"]) - _EPS:
            return float(row["步长"])
    return 0.05


def _rounding(threshold: float, conf: dict[str, Any]) -> float:
    for row in conf.get("取整") or []:
        if "低于" not in row or threshold < float(row["低于"]):
            return float(row["取整"])
    return 1.0


def _round_to(x: float, unit: float) -> float:
    """Half up to a multiple of ``unit``: 132 → 130 by 5s, 8.8 → 9 by 1s."""
    return math.floor(x / unit + 0.5) * unit


def _with_number(text: str, old: float, new_display: str, rate: bool) -> str | None:
    """The phrase with the figure that reads ``old`` replaced: the plan keeps its own words
    (达到50%以上 → 达到55%以上, 全年不少于两次 → 全年不少于3次)."""
    for m in _NUMBER.finditer(text):
        n = parse_number(m.group())
        if n is None:
            continue
        if abs((n / 100 if rate else n) - old) < 1e-6:
            return text[:m.start()] + new_display + text[m.end():]
    return None


def _raised(t: dict[str, Any], conf: dict[str, Any]) -> tuple[str, float, str] | None:
    """(new phrase, new level, the step in words) for a met at-least target with room,
    or None with the reason left to the caller."""
    threshold, value = t.get("threshold"), t.get("value")
    if not _num(threshold) or not _num(value):
        return None
    if _is_rate(t):
        rate = conf["比率"]
        step = _step_rate(threshold, rate)
        new = min(round(threshold + step, 6), float(rate.get("上限", 1)))
        words = f"{plain_number(step * 100)}个百分点"
        shown = plain_number(new * 100)
    else:
        count = conf["计数"]
        share = float(count.get("比例", 0.1))
        unit = _rounding(threshold, count)
        new = _round_to(threshold * (1 + share), unit)
        words = f"至{{新目标}}（按{plain_number(share * 100)}%取整）"
        if new <= threshold + _EPS:  # 2 × 1.1 rounds back to 2: one rounding unit up
            new = threshold + unit
            words = "至{新目标}"
        cap = (conf.get("指标上限") or {}).get(t.get("指标"))
        if cap is not None:
            new = min(new, float(cap))
        words = words.replace("{新目标}", _quantity(new, t))
        shown = plain_number(new)
    if new <= threshold + _EPS or value < new - _EPS:
        return None
    text = _with_number(str(t.get("目标") or ""), threshold, shown, _is_rate(t))
    if text is None:
        return None
    try:
        parsed = parse_target(text, t["指标"], t.get("条件"))
    except TargetError:
        return None
    if parsed.kind != t.get("kind") or abs((parsed.threshold or 0) - new) > 1e-6:
        return None
    return text, new, words


def _at_cap(t: dict[str, Any], conf: dict[str, Any]) -> str | None:
    """The cap a met target already stands at (100% of 隐患整改率, 12个月), or None."""
    threshold = t.get("threshold")
    if not _num(threshold):
        return None
    cap = (conf.get("指标上限") or {}).get(t.get("指标"))
    if cap is None and _is_rate(t):
        cap = conf["比率"].get("上限")
    if cap is not None and threshold >= float(cap) - _EPS:
        return _quantity(float(cap), t)
    return None


def _required_next(t: dict[str, Any]) -> Any:
    """What a relative target (较上年提高1个百分点) asks next year, this year's figure
    being next year's 上年."""
    try:
        parsed = parse_target(str(t["目标"]), t["指标"], t.get("条件"))
    except TargetError:
        return None
    value = t.get("value")
    if not _num(value):
        return None
    return evaluate(parsed, value, value).get("required")


def _result_words(t: dict[str, Any]) -> str:
    if t.get("status") == "完成":
        return "已完成目标"
    gap = target_gap_text(t)
    return f"未完成目标（{gap}）" if gap else "未完成目标"


def next_year_targets(facts: CommunityFacts, rules: dict[str, Any] | None = None
                      ) -> list[dict[str, Any]]:
    """This year's evaluated targets as next year's, one for one and in the same order.

    Each entry: 指标, 条件 (only when the target has one), 目标 (next year's phrase, read
    by targets.parse_target), 依据 (why, in Chinese, for the draft's comment), 做法
    (提高/保持/改写, short for the table), 原目标, 实际, 状态, and 措施 for a target not met
    (未完成 or 未达预期: kept as it was, never lowered).
    """
    conf = (rules or _rules())["下年目标"]
    why = (rules or _rules())["依据"]
    y, ny = facts.year, _next(facts)
    plan = plan_problems(facts)
    used: set[str] = set()
    out: list[dict[str, Any]] = []
    for t in facts.targets or []:
        old = str(t.get("目标") or "")
        actual = target_actual_text(t)
        values: dict[str, Any] = {"年": y, "下年": ny, "实际": actual, "目标": old,
                                  "差距": target_gap_text(t) or "尚有差距",
                                  "原因": t.get("reason") or "无数据"}
        entry: dict[str, Any] = {"指标": t["指标"]}
        if t.get("条件"):
            entry["条件"] = dict(t["条件"])
        entry.update(目标=old, 原目标=old, 实际=actual, 状态=t.get("status"), 做法="保持")
        status, kind = t.get("status"), str(t.get("kind") or "")
        missed = status in ("未完成", "未达预期")
        if status == "定性目标":
            entry["依据"] = _fill(why["定性"], values)
        elif status == "无法评估" or status is None:
            entry["依据"] = _fill(why["无法评估"], values)
        elif kind in ("increase", "decrease"):
            entry.update(_year_on_year(t, conf, why, values, missed))
        elif kind.startswith("every_"):
            values["实际"] = actual.replace("达标", "达到要求")
            entry["依据"] = _fill(why["每期未完成" if missed else "每期"], values)
        elif kind == "zero":
            entry["依据"] = _fill(why["未完成" if missed else "杜绝"], values)
        elif kind.startswith(("pp_", "pct_", "abs_")):
            need = _required_next(t)
            values["完成情况"] = _result_words(t)
            if need is not None:
                values["应达"] = _quantity(need, t) if _is_rate(t) else fmt_quantity(
                    need, t.get("unit"))
                entry["依据"] = _fill(why["相对"], values)
            else:
                entry["依据"] = _fill(why["相对无数"], values)
        elif missed:
            entry["依据"] = _fill(why["未达预期" if status == "未达预期" else "未完成"], values)
        elif kind == "at_least":
            entry.update(_met_at_least(t, conf, why, values))
        else:  # at_most met
            entry["依据"] = _fill(why["保持"], values)
        if missed:
            entry["措施"] = _measure(facts, t, plan, used)
        out.append(entry)
    return out


def _met_at_least(t: dict[str, Any], conf: dict[str, Any], why: dict[str, Any],
                  values: dict[str, Any]) -> dict[str, Any]:
    if _kind_of(t["指标"]) in (conf.get("保持类型") or []):
        return {"依据": _fill(why["保持"], values)}
    cap = _at_cap(t, conf)
    if cap is not None:
        return {"依据": _fill(why["已到上限"], {**values, "上限": cap})}
    raised = _raised(t, conf)
    if raised is None:
        step = (f"{plain_number(_step_rate(t['threshold'], conf['比率']) * 100)}个百分点"
                if _is_rate(t) else f"{plain_number(float(conf['计数']['比例']) * 100)}%")
        return {"依据": _fill(why["余量不足"], {**values, "步长": step})}
    text, _new, step = raised
    return {"目标": text, "做法": "提高", "依据": _fill(why["提高"], {**values, "步长": step})}


def _year_on_year(t: dict[str, Any], conf: dict[str, Any], why: dict[str, Any],
                  values: dict[str, Any], missed: bool) -> dict[str, Any]:
    """逐年提高 pinned to a figure: this year's, or last year's where this year fell
    below it (the bar is never lowered)."""
    value, prev = t.get("value"), t.get("previous")
    if not _num(value):
        return {"依据": _fill(why["无法评估"], values)}
    kind = t["kind"]
    year, figure = values["年"], value
    if missed and _num(prev):
        year, figure = int(values["年"]) - 1, prev
    soft = "力争" if t.get("soft") else ""
    text = soft + _fill(conf["逐年"][kind], {"年": year, "数": _quantity(figure, t)})
    try:
        parsed = parse_target(text, t["指标"], t.get("条件"))
    except TargetError:
        return {"依据": _fill(why["保持"], values)}
    if parsed.kind not in ("at_least", "at_most"):
        return {"依据": _fill(why["保持"], values)}
    key = "逐年" if kind == "increase" else "逐年下降"
    reason = _fill(why[key], {**values, "年": year})
    if missed:
        reason = f"{values['年']}年实际{values['实际']}，未完成目标，" \
                 f"以{year}年的{_quantity(figure, t)}为底线"
    return {"目标": text, "做法": "改写", "依据": reason}


def _key(indicator: Any, condition: Any) -> tuple[Any, str]:
    return indicator, json.dumps(condition or {}, sort_keys=True, ensure_ascii=False)


def _problem_key(p: Any, kinds: dict[str, Any]) -> tuple[Any, str]:
    """The target a drafted problem speaks for: its own 指标 and 条件, or the indicator a
    specialised rule covers (隐患未整改 → hazard.rectified_rate)."""
    ev = p.evidence or {}
    indicator = ev.get("指标") if isinstance(ev.get("指标"), str) else None
    if indicator:
        return _key(indicator, ev.get("条件"))
    return _key(drafting.COVERS.get(str(kinds.get(p.rule, p.rule))), None)


def _measure(facts: CommunityFacts, t: dict[str, Any], plan: Any, used: set[str]) -> str:
    """The measure answering a missed target: the problem plan's own next step for it
    where it drafted one, else the phrase bank's (条线, indicator, family, rule kind)."""
    key = _key(t.get("指标"), t.get("条件"))
    kinds = {name: rule.get("条件") for name, rule in drafting.problem_rules(facts).items()}
    for p in getattr(plan, "drafted", []) or []:
        if _problem_key(p, kinds) == key and p.next_step:
            used.add(p.next_step)
            return clean_item(p.next_step)
    bank = phrase_bank().get("下一步") or {}
    by_line, by_ind, by_rule = bank.get("条线") or {}, bank.get("指标") or {}, bank.get("规则") or {}
    ind = str(t.get("指标") or "")
    rule = "力争目标未达预期" if t.get("status") == "未达预期" else "目标未完成"
    candidates = [by_line.get(str(v)) for v in (t.get("条件") or {}).values()]
    candidates += [by_ind.get(ind), by_ind.get(ind.split(".")[0] + ".*"), by_rule.get(rule)]
    written = str(t.get("目标") or "")
    for word in _SOFT:
        written = written.removeprefix(word)
    values = {"指标": target_label(t), "目标": written, "实际": target_actual_text(t),
              "差距": target_gap_text(t) or "尚有差距", **drafting.period_values(facts),
              "未完成": "未完成目标"}
    for variants in candidates:
        if not variants:
            continue
        items = [str(v) for v in variants]
        start = stable_index(len(items), facts.community, "计划措施", ind, key[1])
        for k in range(len(items)):
            text = items[(start + k) % len(items)]
            if text not in used:
                used.add(text)
                return clean_item(_fill(text, values))
    return ""


# ======================================================================================
# The plan's sentences
# ======================================================================================

def _subject(t: dict[str, Any]) -> str:
    """The goal's subject: 登记失业人员再就业率, 普法活动, 开展各类活动."""
    cond = t.get("条件") or {}
    kind_word, line = str(cond.get("活动类型") or ""), str(cond.get("条线") or "")
    if t["指标"] == "activity.count" and len(cond) == 2 and kind_word and line and \
            kind_word[:2] in line:
        return f"{kind_word}活动"  # 应急演练活动, not 应急管理应急演练活动
    if cond:
        return target_label({"指标": t["指标"], "名称": t.get("名称") or _name(t["指标"]),
                             "条件": t["条件"]})
    named = (_rules().get("目标主语") or {}).get(t["指标"])
    if isinstance(named, dict):
        every = str(t.get("kind") or "").startswith("every_") or \
            str(t.get("目标") or "").lstrip("力争").startswith(("每", "月月", "周周"))
        named = named.get("每期" if every else "默认") or named.get("默认")
    return str(named or t.get("名称") or _name(t["指标"]))


def _name(indicator_id: str) -> str:
    from .catalogue import CATALOGUE

    ind = CATALOGUE.get(indicator_id)
    return ind.name if ind is not None else indicator_id


def goal_sentence(target: dict[str, Any]) -> str:
    """A target as a plan's clause: 登记失业人员再就业率达到55%以上, 普法活动每月至少开展
    一次, 全年开展各类活动不少于130场次, 杜绝群体性事件发生, 就业困难人员再就业率力争达到
    60%. ``target`` needs 指标, 目标 and 条件 (名称 helps)."""
    text = str(target.get("目标") or "").strip().rstrip("。；;，,")
    soft = next((w for w in _SOFT if text.startswith(w)), "")
    body = text[len(soft):]
    subject = _subject(target)
    head = next((h for h in _ANNUAL_HEADS if body.startswith(h)), "")
    zero = re.fullmatch(r"(?:确保|实现|做到|保持)?(杜绝|无|零|0)(?:发生)?", body)
    if head:
        rest = body[len(head):]
        if rest[:1].isdigit() or rest.startswith(_COUNT_WORDS) or \
                (rest[:1] and parse_number(rest[:1]) is not None):
            sentence = f"{head}{subject}{rest}"
        else:
            sentence = body
        return soft + sentence
    if zero:
        word = zero.group(1)
        sentence = f"杜绝{subject}发生" if word in ("杜绝", "零", "0") else f"确保无{subject}"
        return soft + sentence
    if subject and any(subject[i:i + 2] in body for i in range(len(subject) - 1)):
        return soft + body  # 杜绝火灾事故发生, 确保无重大刑事案件: the phrase names it
    if body[:1].isdigit():
        body = f"达到{body}"
    elif target.get("kind") == "qualitative" or _is_qualitative(target):
        body = f"做到{body}"
    return f"{subject}{soft}{body}"


def _ensure(sentence: str) -> str:
    """确保… for a task's target, unless the clause already says 力争 or 确保."""
    if any(w in sentence for w in _SOFT + ("确保",)):
        return f"{sentence}。"
    return _fill(_rules()["确保"], {"目标句": sentence}) + "。"


def _is_qualitative(target: dict[str, Any]) -> bool:
    try:
        return parse_target(str(target.get("目标")), target["指标"],
                            target.get("条件")).qualitative
    except (TargetError, KeyError):
        return False


def _blocks(facts: CommunityFacts) -> list[dict[str, Any]]:
    return drafting.blocks_config(facts)


def _block_named(blocks: list[dict[str, Any]], name: Any) -> dict[str, Any]:
    for b in blocks:
        if b["名称"] == name:
            return b
    return blocks[-1]


def _block_of(blocks: list[dict[str, Any]], indicator_id: str | None,
              condition: dict[str, Any] | None) -> dict[str, Any] | None:
    """The 版块 a target or problem belongs to: by its 条线, else by the 版块's 指标."""
    line = (condition or {}).get("条线")
    if line:
        for b in blocks:
            if line in b["条线"]:
                return b
    if indicator_id:
        for b in blocks:
            if any(fnmatch.fnmatchcase(indicator_id, p) for p in b["指标"]):
                return b
    return None


def _block_by_words(blocks: list[dict[str, Any]], text: str) -> dict[str, Any]:
    words = _rules()["主要任务"].get("关键词") or {}
    for b in blocks:
        if any(w in text for w in words.get(b["名称"], []) or []):
            return b
    return blocks[-1]


def _targets_by_block(facts: CommunityFacts, derived: list[dict[str, Any]]
                      ) -> list[tuple[dict[str, Any], list[str]]]:
    blocks = _blocks(facts)
    other = _block_named(blocks, _rules()["工作目标"].get("其他版块"))
    names = {t["指标"]: t.get("名称") for t in facts.targets or []}
    grouped: dict[str, list[str]] = {b["名称"]: [] for b in blocks}
    for d in derived:
        b = _block_of(blocks, d["指标"], d.get("条件")) or other
        sentence = goal_sentence({**d, "名称": names.get(d["指标"])})
        if sentence not in grouped[b["名称"]]:
            grouped[b["名称"]].append(sentence)
    return [(b, grouped[b["名称"]]) for b in blocks if grouped[b["名称"]]]


# ======================================================================================
# Section builders (doctypes' SectionBuilder: facts, spec, ctx)
# ======================================================================================

def _heading(spec: dict[str, Any], ctx: Any, default: str) -> str:
    return f"{heading_ordinal(ctx.number())}{spec.get('标题') or default}"


def _problem_plan(facts: CommunityFacts, ctx: Any) -> Any:
    plan = getattr(ctx, "plan", None)
    return plan if plan is not None else plan_problems(facts)


def _derived(facts: CommunityFacts, ctx: Any) -> list[dict[str, Any]]:
    """next_year_targets once per document: ctx keeps it where it can."""
    cached = getattr(ctx, "_plan_targets", None)
    if cached is None:
        cached = next_year_targets(facts)
        try:
            ctx._plan_targets = cached
        except AttributeError:  # a frozen or slotted context: compute each time
            pass
    return cached


def opening_section(facts: CommunityFacts, spec: dict[str, Any], ctx: Any) -> Section:
    """The sentence before 一、: why and on what ground the plan is made."""
    text = _fill(_pick(_rules()["开头语"], facts.community, "计划开头语"), _words(facts))
    return Section("plan-opening", "", blocks=[Paragraph(text, "sk-opening")])


def guiding_section(facts: CommunityFacts, spec: dict[str, Any], ctx: Any) -> Section:
    """一、指导思想: the parameters' 指导思想 and 中心工作 in the genre's opening."""
    text = _fill(_pick(_rules()["指导思想"], facts.community, "计划指导思想"), _words(facts))
    return Section("plan-guiding", _heading(spec, ctx, "指导思想"), blocks=[Paragraph(text)])


def goals_section(facts: CommunityFacts, spec: dict[str, Any], ctx: Any) -> Section:
    """二、工作目标: next year's targets in the plan's own phrasing, numbered by 版块."""
    conf = _rules()["工作目标"]
    words = _words(facts)
    groups = _targets_by_block(facts, _derived(facts, ctx))
    if not groups:
        return Section("plan-goals", _heading(spec, ctx, "工作目标"),
                       blocks=[Paragraph(_fill(conf["无目标"], words))])
    blocks: list[Any] = [Paragraph(_fill(_pick(conf["总体"], facts.community, "计划目标"),
                                         words))]
    for n, (block, sentences) in enumerate(groups, 1):
        blocks.append(Item(n, block["名称"], "，".join(sentences) + "。"))
    return Section("plan-goals", _heading(spec, ctx, "工作目标"), blocks=blocks)


def tasks_section(facts: CommunityFacts, spec: dict[str, Any], ctx: Any) -> Section:
    """三、主要任务 by 版块: this year's weak spots answered first, then the community's own
    下一步工作打算 and 特色亮点, then standing tasks so no 版块 is left empty."""
    conf = _rules()["主要任务"]
    words = _words(facts)
    blocks = _blocks(facts)
    plan = _problem_plan(facts, ctx)
    derived = _derived(facts, ctx)
    names = {t["指标"]: t.get("名称") for t in facts.targets or []}
    tasks: dict[str, list[tuple[str, str]]] = {b["名称"]: [] for b in blocks}
    own: dict[str, list[tuple[str, str]]] = {b["名称"]: [] for b in blocks}
    seen: set[str] = set()

    def add(where: dict[str, list[tuple[str, str]]], block: dict[str, Any], caption: str,
            body: str = "") -> None:
        caption = clean_item(caption)
        if caption and caption not in seen:
            seen.add(caption)
            where[block["名称"]].append((caption, body))

    kinds = {name: rule.get("条件") for name, rule in drafting.problem_rules(facts).items()}
    by_key = {_key(d["指标"], d.get("条件")): d for d in derived}
    answered: set[tuple[Any, str]] = set()
    for p in getattr(plan, "drafted", []) or []:
        key = _problem_key(p, kinds)
        indicator, cond = key[0], (p.evidence or {}).get("条件")
        block = _block_of(blocks, indicator, cond if indicator else None)
        if block is None:
            block = _block_named(blocks, (conf.get("规则版块") or {}).get(kinds.get(p.rule)))
        d = by_key.get(key)
        body = ""
        if d is not None and d.get("措施"):
            answered.add(key)
            if "确保" not in p.next_step:  # 确保普法活动月月开展 says it already
                body = _ensure(goal_sentence({**d, "名称": names.get(d["指标"])}))
        add(tasks, block, p.next_step, body)
    for d in derived:
        if not d.get("措施") or _key(d["指标"], d.get("条件")) in answered:
            continue
        block = _block_of(blocks, d["指标"], d.get("条件")) or _block_named(
            blocks, _rules()["工作目标"].get("其他版块"))
        body = "" if "确保" in d["措施"] else _ensure(goal_sentence(
            {**d, "名称": names.get(d["指标"])}))
        add(tasks, block, d["措施"], body)
    for item in drafting._items(facts.params or {}, "下一步工作打算"):
        add(own, _block_by_words(blocks, item), item)
    step = drafting.highlight_step(facts)
    if step:
        add(own, _block_by_words(blocks, step), step)

    for name, mine in own.items():  # the community's own words win over a bank phrase
        heads = {c[:6] for c, _ in mine}
        tasks[name] = [(c, b) for c, b in tasks[name] if c[:6] not in heads]
    most = int(conf.get("每版块最多", 5))
    out: list[Any] = [Paragraph(_fill(_pick(conf["引语"], facts.community, "计划任务引语"),
                                      words))]
    per_block = conf.get("版块") or {}
    n = 0
    for b in blocks:
        name = b["名称"]
        items = tasks[name][:max(most - len(own[name]), 2)] + own[name]
        standing = _standing(facts, b, per_block.get(name) or {}, seen)
        for text in standing:
            if len(items) >= 2:
                break
            seen.add(text)
            items.append((text, ""))
        if not items:
            continue
        n += 1
        title = (per_block.get(name) or {}).get("标题") or b["标题"]
        out.append(Section(f"plan-task-{name}", f"{paren_ordinal(n)}{title}", level=2,
                           blocks=[_task(i, c, body) for i, (c, body) in enumerate(items, 1)]))
    return Section("plan-tasks", _heading(spec, ctx, "主要任务"), blocks=out)


def _task(number: int, text: str, body: str) -> Item | Paragraph:
    """A measure with the target it serves is an Item (the measure set as its caption, the
    target after it, as seed 001 writes 1、落实目标责任。…); a task on its own is a plain
    numbered paragraph, as the plans list 1、计划农村劳动力转移技能培训开班两期。"""
    if body:
        return Item(number, text, body)
    return Paragraph(f"{number}、{clean_item(text)}。")


def _standing(facts: CommunityFacts, block: dict[str, Any], conf: dict[str, Any],
              seen: set[str]) -> list[str]:
    """A 版块's standing tasks in this community's order; a street's own 版块 without
    any falls back on the phrase bank's measures for its 条线."""
    variants = [clean_item(v) for v in conf.get("常规") or []]
    if not variants:
        by_line = (phrase_bank().get("下一步") or {}).get("条线") or {}
        variants = [clean_item(v) for line in block["条线"] for v in by_line.get(line) or []]
    if not variants:
        return []
    start = stable_index(len(variants), facts.community, "计划常规", block["名称"])
    ordered = variants[start:] + variants[:start]
    return [v for v in ordered if v not in seen]


def safeguards_section(facts: CommunityFacts, spec: dict[str, Any], ctx: Any) -> Section:
    """四、保障措施: the declared measures, each in the variant this community picks."""
    conf = _rules()["保障措施"]
    words = _words(facts)
    blocks: list[Any] = [Paragraph(_fill(conf["引语"], words))]
    for i, m in enumerate(conf["措施"], 1):
        text = _fill(_pick(m["说法"], facts.community, "保障措施", m["标题"]), words)
        blocks.append(Item(i, m["标题"], text))
    return Section("plan-safeguards", _heading(spec, ctx, "保障措施"), blocks=blocks)


def closing_section(facts: CommunityFacts, spec: dict[str, Any], ctx: Any) -> Section:
    """The closing resolve and the 落款."""
    text = _fill(_pick(_rules()["结束语"], facts.community, "计划结束语"), _words(facts))
    return Section("plan-closing", "", blocks=[
        Paragraph(text), Signature([_issuer(facts), _signed_on(facts)])])


def targets_table_section(facts: CommunityFacts, spec: dict[str, Any], ctx: Any
                          ) -> Section | None:
    """附表: each target, this year's result and next year's, for the leader's check."""
    conf = _rules()["目标对照表"]
    derived = _derived(facts, ctx)
    if not derived:
        return None
    words = _words(facts)
    rows = []
    for t, d in zip(facts.targets or [], derived, strict=False):
        rows.append([target_label(t), d["原目标"], target_actual_text(t, table=True),
                     period.status_text(t) or "", d["目标"], d["做法"]])
    columns = [_fill(c, words) for c in conf["列"]]
    return Section("plan-targets-table", spec.get("标题") or _fill(conf["标题"], words),
                   blocks=[Table(columns, rows, caption="", short=TARGET_SHORT_CELL)])


SectionBuilder = Callable[[CommunityFacts, dict, Any], "Section | list[Section] | None"]

# Kinds are named so they cannot clash with the summary's in doctypes' one registry
# (计划开头语, not 开头语).
SECTION_KINDS: dict[str, SectionBuilder] = {
    "计划开头语": opening_section,
    "指导思想": guiding_section,
    "工作目标": goals_section,
    "主要任务": tasks_section,
    "保障措施": safeguards_section,
    "计划结束语": closing_section,
    "目标对照表": targets_table_section,
}


class PlanContext:
    """A minimal stand-in for doctypes.BuildContext, so a plan can be built on its own
    (tests, the street summary, a notebook opened by hand)."""

    def __init__(self, facts: CommunityFacts):
        self._n = 0
        self._facts = facts
        self._plan: Any = None
        self.line: str | None = None
        self.lines: list[str] = []

    def number(self) -> int:
        self._n += 1
        return self._n

    @property
    def plan(self) -> Any:
        if self._plan is None:
            self._plan = plan_problems(self._facts)
        return self._plan


def build_plan(facts: CommunityFacts, outline: list[dict[str, Any]] | None = None) -> Document:
    """One community's <Y+1>年工作计划 from the declared outline (rules 提纲)."""
    ctx = PlanContext(facts)
    sections: list[Section] = []
    for spec in outline or _rules()["提纲"]:
        built = SECTION_KINDS[spec["类型"]](facts, dict(spec), ctx)
        if built is None:
            continue
        sections.extend(built if isinstance(built, list) else [built])
    title = plan_title(facts)
    return Document(title, _cover(title, facts.street, facts.year, facts.as_of), sections)


# ======================================================================================
# The parameters draft
# ======================================================================================

def _scalar(value: Any) -> str:
    """A YAML scalar that reads back as the same string (JSON's quoting is valid YAML)."""
    return json.dumps(str(value), ensure_ascii=False)


def draft_name(facts: CommunityFacts, adopted: bool = False) -> str:
    """<社区名称>.<Y+1>.草案.yaml (or the adopted <社区名称>.<Y+1>.yaml)."""
    conf = _rules()["草案"]
    return _fill(conf["采用后文件名" if adopted else "文件名"],
                 {"社区": facts.community, "下年": _next(facts)})


def draft_yaml(facts: CommunityFacts) -> str:
    """Next year's parameters draft: a Chinese header saying where it comes from and how
    to adopt it, 社区名称 and 所属街道, and each derived target with a comment saying why
    (its 措施 as 说明 where it was missed). It loads with params.load_params unchanged."""
    conf = _rules()["草案"]
    words = {"社区": facts.community, "年": facts.year, "下年": _next(facts),
             "采用后文件名": draft_name(facts, adopted=True)}
    lines = [f"# {line}".rstrip() for line in _fill(conf["说明"], words).splitlines()]
    lines += [f"社区名称: {_scalar(facts.community)}"]
    if facts.street:
        lines.append(f"所属街道: {_scalar(facts.street)}")
    derived = next_year_targets(facts)
    if derived:
        lines += ["", "targets:"]
    for d in derived:
        lines.append(f"  # {d['依据']}")
        lines.append(f"  - 指标: {d['指标']}")
        if d.get("条件"):
            cond = ", ".join(f"{_scalar(k)}: {_scalar(v)}" for k, v in d["条件"].items())
            lines.append(f"    条件: {{{cond}}}")
        lines.append(f"    目标: {_scalar(d['目标'])}")
        if d.get("措施"):
            lines.append(f"    说明: {_scalar('措施：' + d['措施'])}")
    return "\n".join(lines) + "\n"


def draft_path(out_dir: Path | str, facts: CommunityFacts, key: str | None = None) -> Path:
    """OUT/<年>/<社区名称>/<社区名称>.<Y+1>.草案.yaml, checked as every output path is:
    the draft is written beside the plan, never into the user's parameters folder.
    ``key`` is the run's key of the community: ``街道/社区名称`` for a name found in two
    streets puts the draft in that street's folder, beside that community's plan."""
    root = Path(out_dir)
    parts = (key or facts.community).split("/")
    what = ["所属街道", "社区名称"] if len(parts) == 2 else ["社区名称"] * len(parts)
    folder = root.joinpath(str(int(facts.year)),
                           *(check_name(part, w) for part, w in zip(parts, what, strict=False)))
    return inside(root, folder / check_name(draft_name(facts), "文件名", limit=False))


def write_draft(out_dir: Path | str, facts: CommunityFacts, index: Any = None,
                written_digest: str | None = None, now: datetime | None = None,
                key: str | None = None) -> Path:
    """Write the draft at :func:`draft_path`, after the personal-data guard (``index``,
    the run's guard.PersonalLookup) has read it. A draft already there that is not the
    one this kit wrote last (``written_digest``, from the manifest) may hold the
    community's edits: it is kept as ``….草案.已编辑-<年月日>-<时分>.yaml``, never
    overwritten."""
    from . import guard
    from .fingerprint import file_digest

    text = draft_yaml(facts)
    path = draft_path(out_dir, facts, key)
    if index is not None:
        guard.check_text(text, index, where=path.name)
    if path.is_file() and path.read_text(encoding="utf-8") != text and \
            file_digest(path) != written_digest:
        stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M")
        kept = inside(Path(out_dir), path.with_name(f"{path.name[:-5]}.已编辑-{stamp}.yaml"))
        path.rename(kept)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


# ======================================================================================
# Street level
# ======================================================================================

def street_plan_summary(street_facts: Any, community_facts: list[CommunityFacts]
                        ) -> Document:
    """<街道><Y+1>年社区工作目标汇总: for each community how many targets are raised,
    kept, kept although missed, and rewritten, then each community's raised ones."""
    year = int(street_facts.year)
    street = str(street_facts.street)
    title = f"{street}{year + 1}年社区工作目标汇总"
    rows: list[list[str]] = []
    raised_lines: list[Paragraph] = []
    for f in community_facts:
        derived = next_year_targets(f)
        missed = [d for d in derived if d["状态"] in ("未完成", "未达预期")]
        count = {k: sum(1 for d in derived if d["做法"] == k and d not in missed)
                 for k in ("提高", "保持", "改写")}
        rows.append([f.community, str(len(derived)), str(count["提高"]), str(count["保持"]),
                     str(len(missed)), str(count["改写"])])
        names = {t["指标"]: t.get("名称") for t in f.targets or []}
        up = [goal_sentence({**d, "名称": names.get(d["指标"])}) for d in derived
              if d["做法"] == "提高"]
        if up:
            raised_lines.append(Paragraph(f"{f.community}：{'，'.join(up)}。"))
    intro = Paragraph(f"根据各社区{year}年目标完成情况，按统一规则推出{year + 1}年工作目标"
                      f"（完成且有余量的提高，未完成的保持不降低并落实措施），汇总如下：")
    table = Table(["社区", "目标数", "提高", "保持", "未完成保持", "改写为具体数"], rows)
    sections = [Section("street-plan-table", f"{heading_ordinal(1)}各社区目标推出情况",
                        blocks=[intro, table])]
    if raised_lines:
        sections.append(Section("street-plan-raised", f"{heading_ordinal(2)}提高的目标",
                                blocks=list(raised_lines)))
    as_of = str(street_facts.as_of)
    return Document(title, _cover(title, street, year, as_of), sections)

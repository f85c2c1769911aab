"""The street overview (年度社区工作汇总): a street's communities side by side.

Leadership reads it to see the street as a whole, so it speaks first in words, as the
genre does: the street's totals (rates pooled as indicators.md requires), the communities
that stand out, the problems several communities share and the street's measures for
them; then the tables, the heat map and the rankings. It is built from ``StreetFacts``
with the same document model as a community's summary (narrative.py, which keeps
re-exporting ``build_overview`` and ``OVERVIEW_INDICATORS`` for older imports).

Two rules keep the comparison fair to the communities it names: a tie for first place is
stated as a tie (均为100.0%的有6个社区), never one community picked arbitrarily; and a
community is named as lagging only when it is in the worst quartile and worse than the
street average. The street average of a count is the communities' mean, of a rate the
pooled rate (Σ numerators ÷ Σ denominators), and the text says so. All wording,
thresholds and the street's measures are data in ``rules/overview_rules.yaml``.
"""

from __future__ import annotations

import json
import math
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import period as periods
from . import sources, yamltext
from .drafting import target_label
from .facts import CommunityFacts, StreetFacts
from .narrative import STATUS_TEXT, Document, Paragraph, Section, Table, _cover, _num
from .numfmt import (
    as_of_phrase,
    fmt_pct,
    fmt_quantity,
    heading_ordinal,
    is_rate_unit,
    item_ordinal,
    month_list,
    pp_change,
    relative_change,
    round_half_up,
    yoy_phrase,
)

__all__ = ["build_overview", "OVERVIEW_INDICATORS", "overview_rules", "street_average",
           "laggards", "common_problems", "CommonProblem"]

RULES_FILE = Path(__file__).resolve().parent / "rules" / "overview_rules.yaml"

# Key figures of the street overview: (id, short column label).
OVERVIEW_INDICATORS: tuple[tuple[str, str], ...] = (
    ("activity.count", "开展活动"),
    ("activity.participants", "参与居民"),
    ("volunteer.registered", "注册志愿者"),
    ("volunteer.hours", "志愿服务时长"),
    ("dibao.households", "低保户"),
    ("disability.total", "残疾人"),
    ("employment.reemployment_rate", "再就业率"),
    ("dispute.success_rate", "调解成功率"),
    ("hazard.rectified_rate", "隐患整改率"),
    ("info.adopted", "录用信息"),
)

# A shared problem of these kinds speaks for the indicator: a missed target on the same
# indicator is not stated again as a second problem.
COVERS: dict[str, str] = {"隐患未整改": "hazard.rectified_rate",
                          "志愿者活跃度": "volunteer.active_rate",
                          "活动月份空缺": "activity.months_covered"}


@lru_cache(maxsize=1)
def _load_rules() -> str:
    return RULES_FILE.read_text(encoding="utf-8")


def overview_rules() -> dict[str, Any]:
    """The overview's wording and thresholds (a fresh copy: callers may change it)."""
    return yamltext.load(_load_rules())


def _fill(template: str, **values: Any) -> str:
    return template.format(**values)


def _pick(variants: list[str] | str, *key: Any) -> str:
    """One of several wordings, chosen by a stable hash of ``key`` (not Python's salted
    hash()), so a street's overview reads the same on every run."""
    if isinstance(variants, str):
        return variants
    digest = zlib.crc32("|".join(str(k) for k in key).encode("utf-8"))
    return variants[digest % len(variants)]


# ======================================================================================
# Figures: metadata, averages, ranking
# ======================================================================================

def _meta(street: StreetFacts, indicator_id: str) -> dict[str, Any]:
    for f in street.communities:
        r = f.row(indicator_id)
        if r is not None:
            return r
    for r in street.totals:
        if r.get("id") == indicator_id and not r.get("condition"):
            return r
    return {"id": indicator_id, "unit": None, "better": "—"}


def _total_row(street: StreetFacts, indicator_id: str) -> dict[str, Any] | None:
    for r in street.totals:
        if r.get("id") == indicator_id and not r.get("condition"):
            sources.note_row(r, street.trace)  # the words may state it (数据溯源)
            return r
    return None


def _total(street: StreetFacts, indicator_id: str) -> Any:
    r = _total_row(street, indicator_id)
    return None if r is None else r.get("value")


def _is_ratio(indicator_id: str, unit: str | None) -> bool:
    tail = indicator_id.split(".")[-1]
    return is_rate_unit(unit) or tail.startswith(("avg_", "per_")) or "_per_" in tail


def _values(street: StreetFacts, indicator_id: str) -> list[tuple[str, float]]:
    return [(f.community, f.value(indicator_id)) for f in street.communities
            if _num(f.value(indicator_id))]


def street_average(street: StreetFacts, indicator_id: str) -> float | None:
    """The street's average level of an indicator, which each community is compared with.

    A count or amount: the mean over the communities with data (the total ÷ their number).
    A rate or ratio: the pooled street rate (Σ numerators ÷ Σ denominators, as the street
    total), never the mean of the communities' rates, which would weigh a community of 10
    hazards like one of 100.
    """
    meta = _meta(street, indicator_id)
    have = _values(street, indicator_id)
    if not have:
        return None
    if not _is_ratio(indicator_id, meta.get("unit")):
        return sum(v for _, v in have) / len(have)
    total = _total(street, indicator_id)
    if _num(total):
        return total
    rows = [f.row(indicator_id) for f in street.communities]
    nums = [r.get("numerator") for r in rows if r is not None and _num(r.get("value"))]
    dens = [r.get("denominator") for r in rows if r is not None and _num(r.get("value"))]
    if nums and all(_num(x) for x in nums + dens) and sum(dens):
        return sum(nums) / sum(dens)
    return None


def _fmt(value: float, indicator_id: str, unit: str | None, average: bool = False,
         table: bool = False) -> str:
    """A figure as prose writes it; a mean of counts gets one decimal at most (149.6场次,
    12143人次), a rate its usual one."""
    if average and not _is_ratio(indicator_id, unit):
        value = float(round_half_up(value, 1))
    return fmt_quantity(value, unit, table=table, ratio=_is_ratio(indicator_id, unit))


def _worse(a: float, b: float, better: str) -> bool:
    return a < b if better == "↑" else a > b


def laggards(pairs: list[tuple[str, float]], average: float | None, better: str,
             share: float, shown: Any = str) -> list[tuple[str, float]]:
    """The communities that really lag: in the worst ``share`` (a quartile) of ``pairs`` by
    the better direction, and worse than ``average`` as the reader sees the figures
    (``shown`` formats them; a value shown equal to the average is not worse). A tie at the
    quartile's edge takes every tied community: no arbitrary choice between equals."""
    if better not in ("↑", "↓") or average is None or len(pairs) < 2:
        return []
    ranked = sorted(pairs, key=lambda cv: cv[1], reverse=(better == "↓"))  # worst first
    k = max(1, math.ceil(len(ranked) * share))
    edge = ranked[k - 1][1]
    out = []
    for name, value in ranked:
        if _worse(edge, value, better):
            break
        if _worse(value, average, better) and shown(value) != shown(average):
            out.append((name, value))
    return out


def _names(pairs: list[tuple[str, float]], shown: Any) -> str:
    return "、".join(f"{name}（{shown(value)}）" for name, value in pairs)


def _best(pairs: list[tuple[str, float]], better: str, shown: Any
          ) -> tuple[list[tuple[str, float]], float]:
    """The best value and every community showing it (a tie is several)."""
    ranked = sorted(pairs, key=lambda cv: cv[1], reverse=(better == "↑"))
    top = ranked[0][1]
    return [(n, v) for n, v in ranked if shown(v) == shown(top)], top


def _period_word(street: StreetFacts) -> str:
    return periods.report_period_word(street)


def _target_words(street: StreetFacts) -> dict[str, str]:
    """{目标称谓}: 年度目标, or 工作目标 in a quarter, a month or a week."""
    return {"目标称谓": str(periods.report_words(street)["目标称谓"])}


# ======================================================================================
# 一、街道总体情况
# ======================================================================================

def _summary_section(street: StreetFacts, rules: dict[str, Any], number: int) -> Section:
    words = {"期间": _period_word(street), "社区数": len(street.communities),
             "截至": as_of_phrase(street.as_of)}
    blocks: list[Any] = []
    for para in rules["总体情况"]:
        clauses = []
        for clause in para["分句"]:
            iid = clause["指标"]
            row = _total_row(street, iid)
            if row is None or not _num(row.get("value")):
                continue
            text = _fill(clause["措辞"], 数值=_fmt(row["value"], iid, row.get("unit")))
            if clause.get("同比") and _num(row.get("previous")):
                text += f"，{yoy_phrase(row['value'], row['previous'], row.get('unit'))}"
            if clause.get("同比") and _num(row.get("prior")):  # 环比 of a named period
                prior = periods.prior_phrase(row["value"], row["prior"], row.get("unit"),
                                             str(periods.report_words(street).get("上期") or ""))
                text += f"，{prior}" if prior else ""
            clauses.append(text)
        if clauses:
            lead = _fill(para["开头"], **words)
            sep = para.get("分隔", "，")
            blocks.append(Paragraph(f"{lead}{sep.join(clauses)}{para.get('结尾', '')}。"))
    counts = _target_counts(street.communities)
    quantified = sum(c["量化"] for c in counts.values())
    assessed = sum(c["已评估"] for c in counts.values())
    if assessed:
        done = sum(c["完成"] for c in counts.values())
        blocks.append(Paragraph(_fill(rules["目标总体"], 量化=quantified, 已评估=assessed,
                                      完成=done, 完成率=fmt_pct(done / assessed)) + "。"))
    if not blocks:
        blocks.append(Paragraph("各社区台账中暂无可汇总的主要工作数据。"))
    from .trends import trend_paragraph, trend_series  # 近三年来, with three years of ledgers

    trend = trend_paragraph(street)
    if trend is not None:
        blocks.append(trend)
    return Section("street_summary", f"{heading_ordinal(number)}{rules['标题']['总体情况']}",
                   blocks=blocks, charts=["trend"] if trend and trend_series(street) else [])


# ======================================================================================
# 二、工作亮点 and 六、各社区工作比较
# ======================================================================================

@dataclass
class _Compared:
    """One indicator across the communities, as both sections state it."""

    indicator_id: str
    label: str
    unit: str | None
    better: str
    pairs: list[tuple[str, float]]
    average: float

    def shown(self, value: float) -> str:
        return _fmt(value, self.indicator_id, self.unit)

    @property
    def average_text(self) -> str:
        return _fmt(self.average, self.indicator_id, self.unit, average=True)


def _compared(street: StreetFacts, rules: dict[str, Any]) -> list[_Compared]:
    out = []
    for iid in rules["亮点指标"]:
        meta = _meta(street, iid)
        better = meta.get("better")
        pairs = _values(street, iid)
        average = street_average(street, iid)
        if better not in ("↑", "↓") or len(pairs) < 2 or average is None:
            continue
        out.append(_Compared(iid, str(meta.get("name") or iid), meta.get("unit"), better,
                             pairs, average))
    return out


def _superlative(c: _Compared, rules: dict[str, Any]) -> str:
    kind = "比率" if _is_ratio(c.indicator_id, c.unit) else "数量"
    return rules["最值"][c.better][kind]


def _highlights_section(street: StreetFacts, rules: dict[str, Any], number: int,
                        compared: list[_Compared]) -> Section:
    points: list[str] = []
    firsts: dict[str, list[tuple[_Compared, float]]] = {}  # a single leader's indicators
    for c in compared:
        best, top = _best(c.pairs, c.better, c.shown)
        if len(best) == len(c.pairs):
            points.append(_fill(rules["亮点全部"], 指标=c.label, 数值=c.shown(top)))
        elif len(best) > 1:
            points.append(_fill(rules["亮点并列"], 指标=c.label, 数值=c.shown(top),
                                社区数=len(best)))
        elif c.shown(top) != c.average_text and not _worse(top, c.average, c.better):
            if best[0][0] not in firsts:
                points.append(best[0][0])  # a place holder, filled below
            firsts.setdefault(best[0][0], []).append((c, top))
    for i, point in enumerate(points):
        if point not in firsts:
            continue
        leads = firsts[point]
        if len(leads) == 1:
            c, top = leads[0]
            points[i] = _fill(rules["亮点单个"], 社区=point, 指标=c.label,
                              最=_superlative(c, rules), 数值=c.shown(top),
                              优于=rules["优于平均"][c.better], 平均=c.average_text)
        else:
            points[i] = _fill(rules["亮点多项"], 社区=point,
                              指标=_and([c.label for c, _ in leads]),
                              数值=_and([c.shown(top) for c, top in leads]))
    blocks: list[Any] = []
    if points:
        blocks.append(Paragraph(rules["亮点开头"]))
        last = len(points)
        blocks.extend(Paragraph(f"{item_ordinal(i)}{p}{'。' if i == last else '；'}",
                                "sk-problem") for i, p in enumerate(points, 1))
    improved = []
    for c in compared:
        row = _total_row(street, c.indicator_id)
        if row is None or not _num(row.get("value")) or not _num(row.get("previous")):
            continue
        if _improved(row["value"], row["previous"], c.unit, c.better):
            improved.append(c.label)
    if improved:
        blocks.append(Paragraph(_fill(rules["亮点同比"], 指标="、".join(improved)) + "。"))
    if not blocks:
        blocks.append(Paragraph(rules["亮点为空"]))
    return Section("street_highlights", f"{heading_ordinal(number)}{rules['标题']['亮点']}",
                   blocks=blocks)


def _and(words: list[str]) -> str:
    """甲、乙和丙."""
    return words[0] if len(words) == 1 else f"{'、'.join(words[:-1])}和{words[-1]}"


def _improved(value: float, previous: float, unit: str | None, better: str) -> bool:
    """Better than last year as the 同比 phrase would show it (not a rounding whisker)."""
    if is_rate_unit(unit):
        change = float(round_half_up(pp_change(value, previous), 1))
    else:
        rel = relative_change(value, previous)
        if rel is None:
            return False
        change = float(round_half_up(rel * 100, 1))
    return change > 0 if better == "↑" else change < 0


def _lag_phrase(c: _Compared, rules: dict[str, Any], key: str = "后进措辞") -> str:
    lag = laggards(c.pairs, c.average, c.better, float(rules["后进分位"]), c.shown)
    if not lag:
        return ""
    return _fill(rules[key], 名单=_names(lag, c.shown), 劣于=rules["劣于平均"][c.better],
                 平均=c.average_text)


def _ranking_section(street: StreetFacts, rules: dict[str, Any], number: int,
                     compared: list[_Compared]) -> Section:
    lines = []
    for c in compared:
        best, top = _best(c.pairs, c.better, c.shown)
        if len(best) == len(c.pairs):
            continue  # equal everywhere: nothing to compare (工作亮点 says so)
        ahead = sum(1 for _, v in c.pairs
                    if _worse(c.average, v, c.better) and c.shown(v) != c.average_text)
        if len(best) > 1:
            lead = _fill(rules["比较并列"], 社区数=len(best), 数值=c.shown(top))
        else:
            lead = _fill(rules["比较最佳"], 社区=best[0][0], 最=_superlative(c, rules),
                         数值=c.shown(top))
        lines.append(_fill(rules["比较"], 指标=c.label, 平均=c.average_text,
                           优于=rules["优于平均"][c.better], 优于平均数=ahead, 最佳=lead,
                           后进=_lag_phrase(c, rules, "比较后进")))
    last = len(lines)
    blocks = [Paragraph(f"{item_ordinal(i)}{p}{'。' if i == last else '；'}", "sk-problem")
              for i, p in enumerate(lines, 1)] or [Paragraph(rules["比较为空"])]
    return Section("ranking", f"{heading_ordinal(number)}各社区工作比较",
                   blocks=blocks, charts=["street_ranking"] if lines else [])


# ======================================================================================
# 三、共性问题 and 四、下一步工作打算
# ======================================================================================

@dataclass
class CommonProblem:
    """A problem several communities share, with the street's measure for it."""

    rule: str
    text: str
    next_step: str
    communities: list[str]
    indicator: str | None = None
    values: dict[str, Any] = field(default_factory=dict, repr=False)


def _empty_months(facts: CommunityFacts) -> list[int]:
    row = facts.row("activity.by_month")
    if row is None or not isinstance(row.get("value"), dict):
        return []
    by_month = row["value"]
    start, end = date.fromisoformat(facts.period_start), facts.as_of_date
    months = range(start.month, end.month + 1) if start.year == end.year else range(1, 13)
    return [m for m in months if not by_month.get(str(m))]


def _target_counts(comms: list[CommunityFacts]) -> dict[str, dict[str, int]]:
    out = {}
    for f in comms:
        ts = f.targets or []
        cnt = {s: sum(1 for t in ts if t.get("status") == s) for s in STATUS_TEXT}
        quantified = len(ts) - cnt["定性目标"]
        out[f.community] = {**cnt, "量化": quantified, "已评估": quantified - cnt["无法评估"]}
    return out


def _problem(street: StreetFacts, name: str, rule: dict[str, Any], communities: list[str],
             indicator: str | None = None, **values: Any) -> CommonProblem:
    words = periods.report_words(street)
    values = {"社区数": len(communities), "后进": "", "目标称谓": words["目标称谓"],
              "下一阶段": words["下一阶段"], **values}
    return CommonProblem(name, _fill(rule["措辞"], **values), "", communities, indicator,
                         values)


def _choose_steps(street: StreetFacts, rules: dict[str, Any],
                  problems: list[CommonProblem]) -> None:
    """Each problem's measure: a variant picked by a stable hash, moved on to the next
    variant when another problem of the same kind already took it (two missed targets
    are not answered with the same sentence)."""
    used: dict[str, set[int]] = {}
    for p in problems:
        variants = rules["共性问题"][p.rule]["下一步"]
        variants = [variants] if isinstance(variants, str) else list(variants)
        first = variants.index(_pick(variants, street.street, street.year, p.rule,
                                     p.indicator or ""))
        taken = used.setdefault(p.rule, set())
        order = [(first + k) % len(variants) for k in range(len(variants))]
        index = next((i for i in order if i not in taken), first)
        taken.add(index)
        p.next_step = _fill(variants[index], **p.values)


def _lag_for(street: StreetFacts, rules: dict[str, Any], indicator_id: str) -> str:
    meta = _meta(street, indicator_id)
    pairs = _values(street, indicator_id)
    average = street_average(street, indicator_id)
    if average is None or meta.get("better") not in ("↑", "↓"):
        return ""
    c = _Compared(indicator_id, str(meta.get("name") or indicator_id), meta.get("unit"),
                  meta["better"], pairs, average)
    return _lag_phrase(c, rules)


def _hazards(street: StreetFacts, rules: dict[str, Any], name: str, rule: dict[str, Any]
             ) -> list[CommonProblem]:
    below, open_ = [], 0
    for f in street.communities:
        r = f.row("hazard.rectified_rate")
        if r is None or not _num(r.get("value")) or r["value"] >= float(rule.get("阈值", 1.0)):
            continue
        below.append(f.community)
        if _num(r.get("denominator")) and _num(r.get("numerator")):
            open_ += int(r["denominator"] - r["numerator"])
    if not below:
        return []
    return [_problem(street, name, rule, below, "hazard.rectified_rate", 未整改=open_,
                     后进=_lag_for(street, rules, "hazard.rectified_rate"))]


def _months(street: StreetFacts, rules: dict[str, Any], name: str, rule: dict[str, Any]
            ) -> list[CommonProblem]:
    gaps = {f.community: _empty_months(f) for f in street.communities}
    gaps = {k: v for k, v in gaps.items() if v}
    if not gaps:
        return []
    tally = Counter(m for months in gaps.values() for m in months)
    most = max(tally.values())
    focus = ""
    if most >= 2:
        focus = _fill(rule["集中"], 月份=month_list([m for m, n in tally.items() if n == most]),
                      月份社区数=most)
    return [_problem(street, name, rule, sorted(gaps), "activity.by_month", 集中=focus)]


def _targets(street: StreetFacts, rules: dict[str, Any], name: str, rule: dict[str, Any],
             covered: set[str]) -> list[CommonProblem]:
    groups: dict[str, dict[str, Any]] = {}  # one target (指标 and 条件) missed by several
    for f in street.communities:
        for t in f.targets or []:
            if t.get("status") != "未完成" or t.get("指标") in covered:
                continue
            key = json.dumps([t.get("指标"), t.get("条件") or {}], ensure_ascii=False,
                             sort_keys=True)
            g = groups.setdefault(key, {"target": t, "communities": []})
            g["communities"].append(f.community)
    ranked = sorted(groups.items(), key=lambda kg: -len(kg[1]["communities"]))
    out = []
    for key, g in ranked[: int(rule.get("最多", 2))]:
        t, members = g["target"], g["communities"]
        indicator = None if t.get("条件") else t.get("指标")
        lag = _lag_for(street, rules, indicator) if indicator else ""
        wording = dict(rule)
        if len(members) == len(street.communities) and rule.get("全部"):
            wording["措辞"] = rule["全部"]
        out.append(_problem(street, name, wording, members, key, 指标=target_label(t),
                            后进=lag))
    return out


def _yoy(street: StreetFacts, rules: dict[str, Any], name: str, rule: dict[str, Any],
         covered: set[str]) -> list[CommonProblem]:
    rel_limit, pp_limit = float(rule.get("阈值", 0.10)), float(rule.get("百分点阈值", 10))
    found = []
    for iid in rules["亮点指标"]:
        meta = _meta(street, iid)
        better, unit = meta.get("better"), meta.get("unit")
        if better not in ("↑", "↓") or iid in covered:
            continue
        worse = []
        for f in street.communities:
            value, prev = f.value(iid), f.previous(iid)
            if not _num(value) or not _num(prev):
                continue
            if is_rate_unit(unit):
                change = float(pp_change(value, prev)) / pp_limit
            else:
                rel = relative_change(value, prev)
                if rel is None:
                    continue
                change = float(rel) / rel_limit
            if (change < -1) if better == "↑" else (change > 1):
                worse.append(f.community)
        if worse:
            size = f"{pp_limit:g}个百分点" if is_rate_unit(unit) else f"{rel_limit * 100:g}%"
            found.append(_problem(street, name, rule, worse, iid,
                                  指标=str(meta.get("name") or iid),
                                  方向="下降" if better == "↑" else "上升", 幅度=size))
    found.sort(key=lambda p: -len(p.communities))
    return found[: int(rule.get("最多", 1))]


def _volunteers(street: StreetFacts, rules: dict[str, Any], name: str, rule: dict[str, Any]
                ) -> list[CommonProblem]:
    limit = float(rule.get("阈值", 0.5))
    low = [f.community for f in street.communities
           if _num(f.value("volunteer.active_rate")) and f.value("volunteer.active_rate") < limit]
    if not low:
        return []
    return [_problem(street, name, rule, low, "volunteer.active_rate", 阈值=fmt_pct(limit, 0),
                     后进=_lag_for(street, rules, "volunteer.active_rate"))]


def common_problems(street: StreetFacts, rules: dict[str, Any] | None = None
                    ) -> list[CommonProblem]:
    """The problems at least 共性问题最少社区数 communities share, most widely shared first
    (at most 共性问题上限). A problem one community has alone belongs in its own summary,
    not in the street's."""
    rules = rules if rules is not None else overview_rules()
    least = int(rules["共性问题最少社区数"])
    found: list[tuple[CommonProblem, int]] = []
    later = []
    covered: set[str] = set()
    for order, (name, rule) in enumerate(rules["共性问题"].items()):
        kind = rule["条件"]
        if kind in ("目标未完成", "同比下降"):
            later.append((order, name, rule))
            continue
        if kind == "隐患未整改":
            items = _hazards(street, rules, name, rule)
        elif kind == "活动月份空缺":
            items = _months(street, rules, name, rule)
        elif kind == "志愿者活跃度":
            items = _volunteers(street, rules, name, rule)
        else:
            raise ValueError(f"街道汇总的共性问题“{name}”的条件“{kind}”无法识别")
        items = [p for p in items if len(p.communities) >= least]
        if items and kind in COVERS:
            covered.add(COVERS[kind])
        found.extend((p, order) for p in items)
    for order, name, rule in later:
        if rule["条件"] == "目标未完成":
            items = _targets(street, rules, name, rule, covered)
        else:
            items = _yoy(street, rules, name, rule, covered)
        found.extend((p, order) for p in items if len(p.communities) >= least)
    found.sort(key=lambda po: (-len(po[0].communities), po[1]))
    problems = [p for p, _ in found][: int(rules["共性问题上限"])]
    _choose_steps(street, rules, problems)
    return problems


def _problems_section(rules: dict[str, Any], number: int, problems: list[CommonProblem],
                      street: StreetFacts) -> Section:
    section = Section("common_problems",
                      f"{heading_ordinal(number)}{rules['标题']['共性问题']}")
    if not problems:
        section.blocks.append(Paragraph(_fill(rules["共性问题为空"], **_target_words(street))))
        return section
    section.blocks.append(Paragraph(_fill(rules["共性问题开头"], **_target_words(street))))
    last = len(problems)
    section.blocks.extend(
        Paragraph(f"{item_ordinal(i)}{p.text}{'。' if i == last else '；'}", "sk-problem")
        for i, p in enumerate(problems, 1))
    return section


def _next_section(street: StreetFacts, rules: dict[str, Any], number: int,
                  problems: list[CommonProblem]) -> Section:
    words = periods.report_words(street)
    heading = rules["标题"]["下一步_半年" if street.half_year else "下一步"]
    if periods.describe(street)["kind"] != periods.YEAR:  # 下一步工作打算 of a quarter
        heading = words["下一步标题"]
    section = Section("street_next_steps", f"{heading_ordinal(number)}{heading}")
    coming = words["来期"]
    if not problems:
        section.blocks.append(Paragraph(_fill(rules["下一步为空"], 下一期=coming)))
        return section
    section.blocks.append(Paragraph(_fill(_pick(rules["下一步开头"], street.street, street.year),
                                          下一期=coming)))
    steps = [p.next_step for p in problems] + [rules["下一步结尾"]]
    section.blocks.extend(Paragraph(f"{i}、{s}。", "sk-step") for i, s in enumerate(steps, 1))
    return section


# ======================================================================================
# The tables and the document
# ======================================================================================

def _key_figures_section(street: StreetFacts, rules: dict[str, Any], number: int,
                         pw: str) -> Section:
    comms = street.communities
    cols = [label for _, label in OVERVIEW_INDICATORS]
    rows = []
    for f in comms:
        row = [f.community]
        for iid, _ in OVERVIEW_INDICATORS:
            r = f.row(iid)
            row.append(fmt_quantity(r.get("value"), r.get("unit"), table=True)
                       if r is not None and _num(r.get("value")) else "无数据")
        rows.append(row)
    total_row, average_row, notes = [f"{street.street}合计"], [rules["平均行"]], []
    for iid, label in OVERVIEW_INDICATORS:
        value = _total(street, iid)
        meta = _meta(street, iid)
        total_row.append(fmt_quantity(value, meta.get("unit"), table=True) if _num(value)
                         else "无数据")
        average = street_average(street, iid)
        average_row.append(_fmt(average, iid, meta.get("unit"), average=True, table=True)
                           if average is not None else "无数据")
        lacking = sum(1 for f in comms if not _num(f.value(iid)))
        if lacking and _num(value):
            notes.append(f"{label}有{lacking}个社区无数据，未计入合计和平均")
    rows.extend([total_row, average_row])
    note = rules["表注"] + ("；" + "；".join(notes) if notes else "") + "。"
    # The sentence is the table's lead, so heading, sentence and table share a page.
    return Section("key_figures", f"{heading_ordinal(number)}主要工作数据", blocks=[
        Table(["社区"] + cols, rows, css="sk-table sk-wide", caption="各社区主要工作数据",
              note=note, lead=f"{pw}各社区主要工作数据及{street.street}合计、平均如下。")])


def _targets_section(street: StreetFacts, rules: dict[str, Any], number: int) -> Section:
    counts = _target_counts(street.communities)
    trows, rates = [], []
    for f in street.communities:
        c = counts[f.community]
        rate = c["完成"] / c["已评估"] if c["已评估"] else None
        if rate is not None:
            rates.append((f.community, rate))
        trows.append([f.community, str(c["量化"]), str(c["完成"]), str(c["未完成"]),
                      str(c["未达预期"]), str(c["无法评估"]),
                      fmt_pct(rate) if rate is not None else "—"])
    behind = sum(1 for c in counts.values() if c["未完成"])
    assessed = sum(c["已评估"] for c in counts.values())
    if behind and assessed:
        average = sum(c["完成"] for c in counts.values()) / assessed
        lag = laggards(rates, average, "↑", float(rules["后进分位"]), fmt_pct)
        lag_text = _fill(rules["目标后进"], 名单=_names(lag, fmt_pct)) if lag else ""
        scope = rules["目标未完成全部"] if behind == len(street.communities) else \
            _fill(rules["目标未完成范围"], 社区数=len(street.communities), 未完成社区数=behind)
        summary = _fill(rules["目标说明"], 范围=scope, 平均=fmt_pct(average),
                        后进=lag_text, **_target_words(street)) + "。"
    else:
        summary = _fill(rules["目标全部完成"], **_target_words(street))
    title = periods.report_words(street)["目标标题"]
    return Section("targets", f"{heading_ordinal(number)}{title}", blocks=[
        Table(["社区", "量化目标", "完成", "未完成", "未达预期", "无法评估", "完成率"], trows,
              caption=f"各社区{title}", lead=summary)],
        charts=["street_heatmap"] if any(int(r[1]) for r in trows) else [])


def build_overview(street: StreetFacts) -> Document:
    """The street's 年度社区工作汇总: first in words (totals, highlights, shared problems
    and the street's measures), then key figures per community with the street total and
    average, the comparison with leaders and laggards, target completion, and communities
    that failed."""
    rules = overview_rules()
    comms = street.communities
    pw = _period_word(street)
    words = periods.report_words(street)
    n_all = len(comms) + len(street.failed)
    opening = f"{words['开头']}，{street.street}共有{n_all}个社区"
    opening += "纳入工作总结汇总" if not street.failed else \
        f"报送台账，其中{len(comms)}个社区已生成工作总结，{len(street.failed)}个社区因台账问题未能生成"
    opening += f"。现将各社区主要工作情况、{words['目标标题']}汇总如下："
    sections = [Section("opening", "", blocks=[Paragraph(opening, "sk-opening")])]

    compared = _compared(street, rules)
    problems = common_problems(street, rules)
    sections += [
        _summary_section(street, rules, 1),
        _highlights_section(street, rules, 2, compared),
        _problems_section(rules, 3, problems, street),
        _next_section(street, rules, 4, problems),
        _key_figures_section(street, rules, 5, pw),
        _ranking_section(street, rules, 6, compared),
        _targets_section(street, rules, 7),
    ]
    if street.failed:
        sections.append(Section("failed", f"{heading_ordinal(8)}未能生成总结的社区", blocks=[
            Paragraph(f"以下{len(street.failed)}个社区的台账未能生成工作总结，请核实后重新报送："),
            Table(["社区", "原因"], [[k, v] for k, v in street.failed.items()])]))

    toc = Section("toc", "目录", blocks=[Paragraph(s.heading, "sk-toc")
                                         for s in sections if s.heading])
    sections.insert(1, toc)
    return Document(street.title, _cover(street.title, street.street, street.year,
                                         street.as_of, periods.describe(street)["start"]),
                    sections)

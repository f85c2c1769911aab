"""The words of a 专项工作总结: one 条线 (or a group such as 创文) over one period.

Most of what a community files besides its annual summary is about one line of work
(普法, 就业再就业, 低保, 消防 …), and the 创文 office wants it weekly. Such a document is
the summary's material cut to the line: the line's activities with the names the ledger
gives them, the figures of the indicators the line owns (the 条线指标 map of 专项.yaml,
so a street can move an indicator between lines), the targets set for the line, the
problems drafted for it and their next steps, and the 落款. The builders follow
doctypes.SectionBuilder; their headings and sentences come from the 文种's 期间措辞
(本周开展情况, 下一步重点 …), so a weekly report differs from an annual one in YAML only.
"""

from __future__ import annotations

import fnmatch
from dataclasses import replace
from typing import Any

from . import doctypes
from .drafting import (
    COVERS,
    blocks_config,
    draft_problems,
    phrase_bank,
    problem_limit,
    problem_rules,
    stable_index,
)
from .facts import CommunityFacts
from .narrative import (
    CHART_SOURCES,
    ITEM_BUILDERS,
    Item,
    Paragraph,
    Section,
    Signature,
    _charts_with_data,
    _Ctx,
    _issuer,
    _leading_bodies,
    _line_label,
    _named_events,
    _num,
    _p,
    _period_word,
    _signed_on,
    _stated,
    _targets_section,
)
from .numfmt import heading_ordinal, item_ordinal, plain_number

__all__ = ["SECTION_KINDS", "build_street", "has_data", "line_indicators", "line_problems",
           "line_targets", "street_has_data", "street_title"]


def line_indicators(doctype: doctypes.DocType, lines: list[str]) -> list[str]:
    """The indicator patterns (``employment.*``) the lines own, from the 文种's 条线指标."""
    mapping = doctype.get("条线指标") or {}
    out: list[str] = []
    for line in lines:
        for pattern in mapping.get(line) or []:
            if pattern not in out:
                out.append(str(pattern))
    return out


def _matches(indicator_id: str | None, patterns: list[str]) -> bool:
    return bool(indicator_id) and any(fnmatch.fnmatchcase(str(indicator_id), p)
                                      for p in patterns)


def _line_counts(facts: CommunityFacts, lines: list[str]) -> list[tuple[str, Any]]:
    by_line = facts.value("activity.by_line")
    if not isinstance(by_line, dict):
        return []
    return [(line, by_line[line]) for line in lines
            if _num(by_line.get(line)) and by_line[line] > 0]


def _has_figure(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_stated(v) for v in value.values())
    return _stated(value)


def has_data(facts: CommunityFacts, doctype: doctypes.DocType, lines: list[str]) -> bool:
    """Whether the period holds anything about the lines: an activity of theirs or a
    stated figure of an indicator they own. Without it no 专项 is written."""
    if _line_counts(facts, lines):
        return True
    patterns = line_indicators(doctype, lines)
    return any(_matches(r.get("id"), patterns) and not r.get("condition")
               and _has_figure(r.get("value")) for r in facts.indicators or [])


def line_targets(facts: CommunityFacts, patterns: list[str], lines: list[str]
                 ) -> list[dict[str, Any]]:
    """The targets set for the lines: on an indicator they own, or counted on their 条线."""
    out = []
    for t in facts.targets or []:
        cond = t.get("条件") or {}
        if cond.get("条线") in lines or (not cond.get("条线") and _matches(t.get("指标"),
                                                                         patterns)):
            out.append(t)
    return out


def line_problems(facts: CommunityFacts, patterns: list[str], lines: list[str]) -> list[Any]:
    """The drafted problems about the lines (each with its next step), at most 问题上限:
    a missed target of theirs, a figure of theirs worse than last year, their hazards or
    volunteers. The community's own 存在问题 text cannot be told apart by line and stays
    in the summary."""
    rules = problem_rules(facts)
    mine = line_targets(facts, patterns, lines)
    rows = [r for r in facts.indicators or []
            if ((r.get("condition") or {}).get("条线") in lines)
            or (not (r.get("condition") or {}).get("条线") and _matches(r.get("id"), patterns))]
    # The rules see only the lines' own targets and figures: a rule that drafts its two
    # worst cases must find them among the line's, not the community's.
    scoped = replace(facts, targets=mine, indicators=rows)
    out = []
    for p in draft_problems(scoped, limit=len(rules) * 10):
        cond = p.evidence.get("条件") or {}
        subject = p.evidence.get("指标") or COVERS.get(str(rules[p.rule]["条件"]))
        if cond.get("条线") in lines or (not cond.get("条线") and _matches(subject, patterns)):
            out.append(p)
    return out[:problem_limit(facts)]


# -- the section builders ----------------------------------------------------------------

def _text(spec: dict[str, Any], key: str, ctx: doctypes.BuildContext, default: str) -> str:
    """A heading or sentence: the outline entry's own, else the 期间措辞's, filled."""
    template = spec.get(key) or ctx.words.get(key) or default
    return doctypes.fill(str(template), {**_values(ctx), **ctx.words})


def _values(ctx: doctypes.BuildContext) -> dict[str, Any]:
    f = ctx.facts
    guide = _p(f, "指导思想")
    return {"社区": f.community, "街道": f.street or "", "条线": ctx.line or "",
            "期间": ctx.period.get("label") or f"{f.year}年", "单位": _issuer(f),
            "领导机关": _leading_bodies(f), "时间": ctx.words.get("时间") or _period_word(f),
            "指导思想句": f"坚持以{guide}为指导，" if guide else ""}


def _patterns(ctx: doctypes.BuildContext) -> list[str]:
    cached = getattr(ctx, "_line_patterns", None)
    if cached is None:
        cached = line_indicators(ctx.doctype, ctx.lines)
        ctx._line_patterns = cached  # type: ignore[attr-defined]
    return cached


def _opening(facts: CommunityFacts, spec: dict[str, Any], ctx: doctypes.BuildContext
             ) -> Section:
    text = _text(spec, "开头", ctx, "{时间}，{单位}{指导思想句}在{领导机关}的指导下，"
                 "扎实开展{条线}工作。现将{期间}{条线}工作总结如下：")
    return Section("opening", "", blocks=[Paragraph(text, "sk-opening")])


def _line_clause(facts: CommunityFacts, line: str, n: Any) -> str:
    """普法类活动14场次，定期开展…: the summary's clause, naming also the line's largest
    one-off activities (the summary names those once, in its overview paragraph; a 专项
    has no such paragraph)."""
    events = facts.events or {}
    mine = list((events.get("by_line") or {}).get(line) or [])
    mine += [e for e in events.get("largest") or [] if e.get("line") == line]
    named = _named_events(mine, n)
    return f"{_line_label(line)}{plain_number(n)}场次" + (f"，{named}" if named else "")


def _activity_item(facts: CommunityFacts, ctx: doctypes.BuildContext, spec: dict[str, Any]
                   ) -> tuple[str, str] | None:
    counts = _line_counts(facts, ctx.lines)
    if not counts:
        return None
    when = _values(ctx)["时间"]
    caption = _text(spec, "活动标题", ctx, "精心组织{条线}活动，扎实推进{条线}工作")
    if len(counts) == 1:
        return caption, f"{when}开展{_line_clause(facts, *counts[0])}。"
    total = sum(n for _, n in counts)
    parts = [_line_clause(facts, line, n) for line, n in counts]
    body = (f"{when}围绕{'、'.join(line for line, _ in counts)}等工作开展活动"
            f"{plain_number(total)}场次：" +
            "".join(f"{item_ordinal(i)}{p}{'。' if i == len(parts) else '；'}"
                    for i, p in enumerate(parts, 1)))
    return caption, body


def _line_charts(facts: CommunityFacts, ctx: doctypes.BuildContext) -> list[str]:
    """The charts of the summary's 版块 for these lines whose figures the lines own."""
    patterns = _patterns(ctx)
    out: list[str] = []
    for block in blocks_config(facts):
        if not set(block["条线"]) & set(ctx.lines):
            continue
        for key in _charts_with_data(facts, block):
            sources = CHART_SOURCES.get(key) or ()
            if key not in out and any(_matches(s, patterns) for s in sources):
                out.append(key)
    return out


def _work(facts: CommunityFacts, spec: dict[str, Any], ctx: doctypes.BuildContext
          ) -> Section | None:
    """一、主要工作开展情况 (本周开展情况): the line's activities, then its figures."""
    drafts: list[tuple[str, str]] = []
    activity = _activity_item(facts, ctx, spec)
    if activity:
        drafts.append(activity)
    patterns = _patterns(ctx)
    if patterns:
        c = _Ctx(facts, patterns)
        for builder in ITEM_BUILDERS:
            drafts.extend(d for d in builder(c) if d[1])
    if not drafts:
        return None
    heading = _text(spec, "标题", ctx, "主要工作开展情况")
    items = [Item(i, cap, body) for i, (cap, body) in enumerate(drafts, 1)]
    return Section("line_work", f"{heading_ordinal(ctx.number())}{heading}", blocks=items,
                   charts=_line_charts(facts, ctx))


def _targets(facts: CommunityFacts, spec: dict[str, Any], ctx: doctypes.BuildContext
             ) -> Section | None:
    chosen = line_targets(facts, _patterns(ctx), ctx.lines)
    if not chosen:
        return None
    section = _targets_section(replace(facts, targets=chosen), ctx.number())
    section.key = "line_targets"
    section.charts = []  # the chart draws every target of the community
    if spec.get("标题") or ctx.words.get("目标"):
        number = section.heading.split("、", 1)[0] + "、"
        section.heading = number + _text(spec, "标题", ctx, str(ctx.words.get("目标")))
    return section


def _line_plan(ctx: doctypes.BuildContext) -> list[Any]:
    cached = getattr(ctx, "_line_plan", None)
    if cached is None:
        cached = line_problems(ctx.facts, _patterns(ctx), ctx.lines)
        ctx._line_plan = cached  # type: ignore[attr-defined]
    return cached


def _problems(facts: CommunityFacts, spec: dict[str, Any], ctx: doctypes.BuildContext
              ) -> Section:
    heading = _text(spec, "标题", ctx, "存在问题")
    section = Section("line_problems", f"{heading_ordinal(ctx.number())}{heading}")
    problems = _line_plan(ctx)
    if not problems:
        section.blocks.append(Paragraph(_text(spec, "无问题", ctx,
                                              "对照{条线}工作要求和台账数据，本期未发现需要重点说明"
                                              "的问题，但与居民群众的期盼相比仍有提升空间。")))
        return section
    for i, p in enumerate(problems, 1):
        section.blocks.append(Paragraph(f"{i}、{p.text}。", "sk-problem"))
    return section


def _bank_steps(facts: CommunityFacts, lines: list[str]) -> list[str]:
    """One measure from the phrase bank per line (by a stable choice), when no problem
    gave the line a step of its own."""
    by_line = ((phrase_bank().get("下一步") or {}).get("条线") or {})
    out = []
    for line in lines:
        variants = list(by_line.get(line) or [])
        if variants:
            out.append(str(variants[stable_index(len(variants), facts.community, line)]))
    return out


def _next(facts: CommunityFacts, spec: dict[str, Any], ctx: doctypes.BuildContext
          ) -> Section:
    heading = _text(spec, "标题", ctx, "下一步工作打算")
    section = Section("line_next_steps", f"{heading_ordinal(ctx.number())}{heading}")
    steps: list[str] = []
    for p in _line_plan(ctx):
        if p.next_step and p.next_step not in steps:
            steps.append(p.next_step)
    if not steps:  # the phrase bank's measure for each line, when no problem gave one
        steps = _bank_steps(facts, ctx.lines)
    intro = _text(spec, "引语", ctx, "{下一阶段}，社区将重点做好以下工作：")
    if not steps:
        section.blocks.append(Paragraph(_text(spec, "无措施", ctx,
                                              "{下一阶段}，社区将继续扎实推进{条线}工作，"
                                              "查漏补缺，确保各项工作落到实处。")))
        return section
    section.blocks.append(Paragraph(intro))
    for i, step in enumerate(steps, 1):
        section.blocks.append(Paragraph(f"{i}、{step}。", "sk-step"))
    return section


def _signature(facts: CommunityFacts, spec: dict[str, Any], ctx: doctypes.BuildContext
               ) -> Section:
    return Section("signature", "", blocks=[Signature([_issuer(facts), _signed_on(facts)])])


SECTION_KINDS: dict[str, doctypes.SectionBuilder] = {
    "专项开头语": _opening,
    "条线工作": _work,
    "条线目标": _targets,
    "条线问题": _problems,
    "条线下一步": _next,
    "落款": _signature,
}


# -- the street's 专项汇总 ------------------------------------------------------------------

STREET_INDICATORS_MAX = 4  # figure columns of the per-community table beside 活动场次


def _street_indicators(street: Any, patterns: list[str]) -> list[tuple[str, str]]:
    """(id, name) of the lines' plain figures the street totals: counts and rates,
    not breakdowns, in catalogue order, at most STREET_INDICATORS_MAX."""
    out = []
    for r in street.totals or []:
        if r.get("condition") or not _matches(r.get("id"), patterns):
            continue
        if not _num(r.get("value")) or any(r["id"] == o[0] for o in out):
            continue
        out.append((r["id"], str(r.get("name") or r["id"])))
    return out[:STREET_INDICATORS_MAX]


def street_has_data(street: Any, doctype: doctypes.DocType, lines_: list[str]) -> bool:
    """Whether any community of the street has something about the lines."""
    return any(has_data(f, doctype, lines_) for f in street.communities)


def street_title(doctype: doctypes.DocType, street: Any, line: str) -> str:
    """The street 汇总's title from the 文种's 汇总标题 ({街道}{期间}{条线}工作汇总)."""
    period = doctypes.period_of(street)
    values = doctypes._values(doctype, street, line, period, doctypes.words_for(doctype, period))
    return doctypes.fill(str(doctype.get("汇总标题") or "{街道}{期间}{条线}工作汇总"), values)


def build_street(doctype: doctypes.DocType | str, street: Any, line: str,
                 params_dir: Any = None) -> Any:
    """A street's 专项汇总 for one 条线 (or group): the street's figures for the line,
    one row per community, what each community did, and the line's targets."""
    from .narrative import Document, Table
    from .numfmt import fmt_quantity

    dt = doctype if isinstance(doctype, doctypes.DocType) \
        else doctypes.load_doctype(doctype, params_dir)
    comms = list(street.communities)
    lines_ = doctypes.expand_lines(line, comms[0] if comms else street)
    patterns = line_indicators(dt, lines_)
    period = doctypes.period_of(street)
    words = doctypes.words_for(dt, period)
    values = doctypes._values(dt, street, line, period, words)
    title = street_title(dt, street, line)
    when = doctypes.fill(str(words.get("时间") or "{期间}"), values)
    sections: list[Section] = []
    number = 0

    counts = {f.community: sum(n for _, n in _line_counts(f, lines_)) for f in comms}
    total = sum(counts.values())
    active = [c for c, n in counts.items() if n]
    lead = f"{when}，{street.street}{len(comms)}个社区围绕{line}工作"
    lead += (f"共开展{'、'.join(lines_)}类活动{plain_number(total)}场次，{len(active)}个社区开展了相关活动。"
             if total else "扎实推进各项工作。")
    sections.append(Section("opening", "", blocks=[Paragraph(
        lead + f"现将{values['期间']}各社区{line}工作汇总如下：", "sk-opening")]))

    figures = _street_indicators(street, patterns)
    columns = ["社区", "活动场次"] + [name for _, name in figures]
    rows = []
    for f in comms:
        row = [f.community, f"{plain_number(counts[f.community])}场次"]
        for iid, _ in figures:
            r = f.row(iid)
            row.append(fmt_quantity(r["value"], r.get("unit"), table=True)
                       if r is not None and _num(r.get("value")) else "无数据")
        rows.append(row)
    sums = [f"{street.street}合计", f"{plain_number(total)}场次"]
    for iid, _ in figures:
        r = next(x for x in street.totals if x.get("id") == iid and not x.get("condition"))
        sums.append(fmt_quantity(r["value"], r.get("unit"), table=True))
    rows.append(sums)
    number += 1
    sections.append(Section("line_figures", f"{heading_ordinal(number)}主要工作数据", blocks=[
        Table(columns, rows, css="sk-table sk-wide", caption=f"各社区{line}工作数据",
              note="合计中比率按全街道分子、分母汇总计算。" if figures else "")]))

    told = []
    for f in comms:
        clauses = [_line_clause(f, ln, n) for ln, n in _line_counts(f, lines_)]
        if clauses:
            told.append(Paragraph(f"{f.community}：{when}开展" + "；".join(clauses) + "。"))
    if told:
        number += 1
        sections.append(Section("line_communities", f"{heading_ordinal(number)}各社区工作情况",
                                blocks=told))

    target_rows = []
    for f in comms:
        mine = [t for t in line_targets(f, patterns, lines_)
                if t.get("status") not in ("定性目标", "无法评估", None)]
        if mine:
            done = sum(1 for t in mine if t.get("status") == "完成")
            target_rows.append([f.community, str(len(mine)), str(done), str(len(mine) - done)])
    if target_rows and "条线目标" not in set(words.get("省略") or []):  # as the communities'
        number += 1
        sections.append(Section("line_targets", f"{heading_ordinal(number)}目标完成情况", blocks=[
            Table(["社区", "量化目标", "已完成", "未完成或未达预期"], target_rows,
                  caption=f"各社区{line}工作目标完成情况")]))
    return Document(title, doctypes._cover(title, street, period), sections,
                    parts={s.key: [s.key] for s in sections})

"""The street overview (年度社区工作汇总): a street's communities side by side.

Leadership reads it to see the street as a whole, so it is built from ``StreetFacts``
(every community's facts and the street totals, rates pooled as indicators.md requires)
with the same document model as a community's summary (narrative.py), which keeps
re-exporting ``build_overview`` and ``OVERVIEW_INDICATORS`` for older imports.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .facts import StreetFacts
from .narrative import STATUS_TEXT, Document, Paragraph, Section, Table, _cover, _num
from .numfmt import enumerate_shi, fmt_pct, fmt_quantity, heading_ordinal

__all__ = ["build_overview", "OVERVIEW_INDICATORS"]


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


def _meta(street: StreetFacts, indicator_id: str) -> dict[str, Any]:
    for f in street.communities:
        r = f.row(indicator_id)
        if r is not None:
            return r
    for r in street.totals:
        if r.get("id") == indicator_id and not r.get("condition"):
            return r
    return {"id": indicator_id, "unit": None, "better": "—"}


def _total(street: StreetFacts, indicator_id: str) -> Any:
    for r in street.totals:
        if r.get("id") == indicator_id and not r.get("condition"):
            return r.get("value")
    return None


def build_overview(street: StreetFacts) -> Document:
    """The street's 年度社区工作汇总: key figures per community with the street total
    (pooled rates), leaders and laggards, target completion, and communities that failed."""
    comms = street.communities
    half = street.half_year
    pw = ("上半年" if date.fromisoformat(street.as_of).month == 6 else "今年以来") if half \
        else "全年"
    n_all = len(comms) + len(street.failed)
    opening = f"{street.year}年{'上半年' if half else ''}，{street.street}共有{n_all}个社区"
    opening += "纳入工作总结汇总" if not street.failed else \
        f"报送台账，其中{len(comms)}个社区已生成工作总结，{len(street.failed)}个社区因台账问题未能生成"
    opening += "。现将各社区主要工作数据、年度目标完成情况汇总如下："
    sections = [Section("opening", "", blocks=[Paragraph(opening, "sk-opening")])]

    # 一、主要指标
    cols = [label for _, label in OVERVIEW_INDICATORS]
    rows = []
    for f in comms:
        row = [f.community]
        for iid, _ in OVERVIEW_INDICATORS:
            r = f.row(iid)
            row.append(fmt_quantity(r.get("value"), r.get("unit"), table=True)
                       if r is not None and _num(r.get("value")) else "无数据")
        rows.append(row)
    total_row, notes = [f"{street.street}合计"], []
    for iid, label in OVERVIEW_INDICATORS:
        value = _total(street, iid)
        meta = _meta(street, iid)
        total_row.append(fmt_quantity(value, meta.get("unit"), table=True) if _num(value)
                         else "无数据")
        lacking = sum(1 for f in comms if not _num(f.value(iid)))
        if lacking and _num(value):
            notes.append(f"{label}有{lacking}个社区无数据，未计入合计")
    rows.append(total_row)
    note = "注：比率类指标的合计为全街道汇总计算（各社区分子之和÷分母之和），不是各社区比率的平均数"
    note += ("；" + "；".join(notes) if notes else "") + "。"
    sec1 = Section("key_figures", f"{heading_ordinal(1)}主要工作数据", blocks=[
        Paragraph(f"{pw}各社区主要工作数据及{street.street}合计如下。"),
        Table(["社区"] + cols, rows, css="sk-table sk-wide", caption="各社区主要工作数据",
              note=note)])
    sections.append(sec1)

    # 二、比较
    lines = []
    for iid, label in OVERVIEW_INDICATORS:
        meta = _meta(street, iid)
        better = meta.get("better")
        if better not in ("↑", "↓"):
            continue
        have = [(f.community, f.value(iid)) for f in comms if _num(f.value(iid))]
        if len(have) < 2:
            continue
        have.sort(key=lambda cv: cv[1], reverse=(better == "↑"))
        best, worst = have[0], have[-1]
        if best[1] == worst[1]:
            continue
        unit = meta.get("unit")
        if unit == "%":
            word_best, word_worst = ("最高", "最低") if better == "↑" else ("最低", "最高")
        else:
            word_best, word_worst = ("最多", "最少") if better == "↑" else ("最少", "最多")
        lines.append(f"{label}{word_best}的是{best[0]}（{fmt_quantity(best[1], unit)}），"
                     f"{word_worst}的是{worst[0]}（{fmt_quantity(worst[1], unit)}）")
    sec2 = Section("ranking", f"{heading_ordinal(2)}各社区工作比较",
                   blocks=[Paragraph(enumerate_shi(lines) if lines else
                                     "各社区可比较的数据不足，暂不作比较。")],
                   charts=["street_ranking"] if lines else [])
    sections.append(sec2)

    # 三、目标
    trows = []
    for f in comms:
        ts = f.targets or []
        cnt = {s: sum(1 for t in ts if t.get("status") == s) for s in STATUS_TEXT}
        quantified = len(ts) - cnt["定性目标"]
        assessed = quantified - cnt["无法评估"]
        rate = fmt_pct(cnt["完成"] / assessed) if assessed else "—"
        trows.append([f.community, str(quantified), str(cnt["完成"]), str(cnt["未完成"]),
                      str(cnt["未达预期"]), str(cnt["无法评估"]), rate])
    behind = [r[0] for r in trows if r[3] != "0"]
    summary = ("各社区年度目标完成情况如下表。" +
               (f"{'、'.join(behind)}尚有目标未完成，需重点督促。" if behind else
                "已评估的目标均已完成或正在推进。"))
    sec3 = Section("targets", f"{heading_ordinal(3)}年度目标完成情况", blocks=[
        Paragraph(summary),
        Table(["社区", "量化目标", "完成", "未完成", "未达预期", "无法评估", "完成率"], trows,
              caption="各社区年度目标完成情况")],
        charts=["street_heatmap"] if any(int(r[1]) for r in trows) else [])
    sections.append(sec3)

    if street.failed:
        sections.append(Section("failed", f"{heading_ordinal(4)}未能生成总结的社区", blocks=[
            Paragraph(f"以下{len(street.failed)}个社区的台账未能生成工作总结，请核实后重新报送："),
            Table(["社区", "原因"], [[k, v] for k, v in street.failed.items()])]))

    toc = Section("toc", "目录", blocks=[Paragraph(s.heading, "sk-toc")
                                         for s in sections if s.heading])
    sections.insert(1, toc)
    return Document(street.title, _cover(street.title, street.street, street.year,
                                         street.as_of), sections)

"""The street overview (年度社区工作汇总) from two hand-made communities and one failure."""

import copy
import json
from pathlib import Path

from shequ_kit.facts import CommunityFacts, StreetFacts
from shequ_kit.narrative import Table, build_overview

BASE = json.loads((Path(__file__).parent / "fixtures" / "narrative_tianyun.json")
                  .read_text(encoding="utf-8"))


def street(failed=None) -> StreetFacts:
    a = CommunityFacts.from_dict(copy.deepcopy(BASE))
    b = CommunityFacts.from_dict(copy.deepcopy(BASE))
    b.community = "苏眼井社区"
    b.row("activity.count")["value"] = 50
    b.row("employment.reemployment_rate").update(value=0.5, numerator=20, denominator=40)
    b.row("hazard.rectified_rate").update(value=1.0, numerator=30, denominator=30)
    b.indicators = [r for r in b.indicators if not r["id"].startswith("info.")]
    b.targets = [t for t in b.targets if t["status"] != "未完成"]
    totals = [
        {"id": "activity.count", "value": 146, "unit": "场次", "better": "↑", "level": "street"},
        # pooled: (61 + 20) / (96 + 40) = 81 / 136 = 0.5956 → 59.6%
        # (the average of 63.5% and 50.0% would be 56.8%)
        {"id": "employment.reemployment_rate", "value": 81 / 136, "numerator": 81,
         "denominator": 136, "unit": "%", "better": "↑", "level": "street"},
        {"id": "info.adopted", "value": 35, "unit": "篇", "better": "↑", "level": "street"},
    ]
    return StreetFacts("闸弄口街道", 2024, "2024-12-31", False, [a, b], totals,
                       failed if failed is not None else
                       {"龙柏社区": "错误：龙柏社区.xlsx / 基本情况 缺少常住人口"})


def test_title_opening_and_toc():
    doc = build_overview(street())
    assert doc.title == "闸弄口街道2024年度社区工作汇总"
    t = doc.text()
    assert "闸弄口街道共有3个社区报送台账，其中2个社区已生成工作总结，1个社区因台账问题未能生成" in t
    toc = doc.section("toc").text().split("\n")
    assert toc == ["目录", "一、街道总体情况", "二、工作亮点", "三、共性问题", "四、下一步工作打算",
                   "五、主要工作数据", "六、各社区工作比较", "七、年度目标完成情况",
                   "八、未能生成总结的社区"]


def test_key_figures_with_pooled_street_total():
    sec = build_overview(street()).section("key_figures")
    table = next(b for b in sec.blocks if isinstance(b, Table))
    assert table.columns[:3] == ["社区", "开展活动", "参与居民"]
    rows = {r[0]: r for r in table.rows}
    col = table.columns.index("再就业率")
    assert rows["天运社区"][col] == "63.5%"
    assert rows["苏眼井社区"][col] == "50.0%"
    assert rows["闸弄口街道合计"][col] == "59.6%"
    info = table.columns.index("录用信息")
    assert rows["苏眼井社区"][info] == "无数据"
    assert "录用信息有1个社区无数据，未计入合计" in table.note


def test_leaders_and_laggards_by_better_direction():
    t = build_overview(street()).section("ranking").text()
    # the mean of 96 and 50; with two communities the worst quartile is the one below it
    assert ("开展活动方面，全街道平均为73场次，高于平均水平的有1个社区，天运社区最多（96场次），"
            "苏眼井社区（50场次）排名靠后") in t
    assert "苏眼井社区最高（100.0%），天运社区（94.8%）排名靠后" in t
    # neutral figures (低保户, 残疾人) are not ranked; equal figures are not compared
    assert "低保户" not in t and "参与居民" not in t


def test_target_completion_and_charts():
    doc = build_overview(street())
    table = next(b for b in doc.section("targets").blocks if isinstance(b, Table))
    rows = {r[0]: r for r in table.rows}
    # 天运社区: 7 targets, 1 qualitative → 6; 完成 2 of 6 assessed = 33.3%
    assert rows["天运社区"] == ["天运社区", "6", "2", "3", "1", "0", "33.3%"]
    # 苏眼井社区: the 3 未完成 removed → 3 quantified, 完成 2 → 66.7%
    assert rows["苏眼井社区"] == ["苏眼井社区", "3", "2", "0", "1", "0", "66.7%"]
    # pooled completion (2 + 2) / (6 + 3) = 44.4%; 天运社区 (33.3%) is below it
    assert "天运社区（33.3%）的完成率低于全街道平均水平" in doc.section("targets").text()
    assert doc.chart_keys() == ["street_ranking", "street_heatmap"]


def test_failed_communities_listed_with_reason_or_section_absent():
    doc = build_overview(street())
    assert "龙柏社区\t错误：龙柏社区.xlsx / 基本情况 缺少常住人口" in doc.section("failed").text()
    ok = build_overview(street(failed={}))
    assert ok.section("failed") is None
    assert "共有2个社区纳入工作总结汇总" in ok.text()

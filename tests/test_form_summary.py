"""The optional one-page 摘要 (主要数据与亮点) that opens the summary for leaders: off
unless the parameters say 摘要: true; key figures with last year's and the 同比 worked
out by hand from tests/fixtures/narrative_tianyun.json; two or three highlights."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from shequ_kit.facts import CommunityFacts
from shequ_kit.narrative import Paragraph, Table, build_document

FIXTURE = Path(__file__).parent / "fixtures" / "narrative_tianyun.json"
BASE = json.loads(FIXTURE.read_text(encoding="utf-8"))


def facts(**params) -> CommunityFacts:
    data = copy.deepcopy(BASE)
    data["params"].update(params)
    return CommunityFacts.from_dict(data)


def summary(f: CommunityFacts):
    return build_document(f).section("summary")


def test_off_unless_the_parameters_ask_for_it():
    assert summary(facts()) is None
    assert summary(facts(摘要=False)) is None
    doc = build_document(facts(摘要=True))
    assert doc.sections[0].key == "summary"
    assert doc.sections[0].heading == "主要数据与亮点"


def test_key_figures_with_last_year_and_the_change():
    table = next(b for b in summary(facts(摘要=True)).blocks if isinstance(b, Table))
    assert table.columns == ["指标", "2024年", "上年同期", "同比"]
    rows = {r[0]: r for r in table.rows}
    assert 6 <= len(rows) <= 10
    # 96 vs 80 场次: +16/80 = +20.0%
    assert rows["开展各类活动"] == ["开展各类活动", "96场次", "80场次", "增长20.0%"]
    # 8420 vs 7500: +920/7500 = +12.27% → 12.3%
    assert rows["参与居民"][1:] == ["8,420人次", "7,500人次", "增长12.3%"]
    # rates in points: 63.5% − 61.4% = 2.1
    assert rows["登记失业人员再就业率"][1:] == ["63.5%", "61.4%", "提高2.1个百分点"]
    # 35 vs 42 篇: −7/42 = −16.67% → 16.7%
    assert rows["信息录用"][1:] == ["35篇", "42篇", "下降16.7%"]


def test_figures_without_data_are_left_out_and_the_list_is_data():
    f = facts(摘要=True, 摘要指标=[{"指标": "activity.count", "名称": "活动"},
                                   {"指标": "no.such", "名称": "无此指标"},
                                   {"指标": "info.adopted", "名称": "录用"},
                                   {"指标": "volunteer.registered", "名称": "志愿者"}])
    table = next(b for b in summary(f).blocks if isinstance(b, Table))
    assert [r[0] for r in table.rows] == ["活动", "录用", "志愿者"]
    # fewer than three figures with data: no page worth opening the document
    f = facts(摘要=True, 摘要指标=[{"指标": "activity.count", "名称": "活动"},
                                   {"指标": "no.such", "名称": "无此指标"}])
    assert summary(f) is None


def test_highlights_name_the_most_improved_figure_and_an_honour():
    points = next(b for b in summary(facts(摘要=True)).blocks if isinstance(b, Paragraph))
    # gains: 活动 +20.0%, 参与 +12.3%, 志愿者 +6.7%, 时长 +14.0%, 走访 +9.4%; rates weigh a
    # point like 10%: 再就业率 +2.1 → 21%, 调解成功率 +2.9 → 29% (the largest)
    assert points.text().startswith(
        "工作亮点：一是矛盾纠纷调解成功率97.5%，较上年同期提高2.9个百分点；")
    # 2 of 6 quantified targets met is under half: not a highlight; the honour is
    assert "量化工作目标" not in points.text()
    assert points.text().endswith("二是2024年被评为市级绿色社区。")


def test_targets_met_are_a_highlight_when_at_least_half_are():
    f = facts(摘要=True)
    for t in f.targets:
        if t["status"] in ("未完成", "未达预期"):
            t["status"] = "完成"
    points = next(b for b in summary(f).blocks if isinstance(b, Paragraph))
    assert "二是年初确定的6项量化工作目标全部完成；" in points.text()
    f.targets[0]["status"] = "未完成"  # 5 of 6: still at least half, counted
    points = next(b for b in summary(f).blocks if isinstance(b, Paragraph))
    assert "二是年初确定的6项量化工作目标中5项已完成；" in points.text()


def test_without_a_previous_year_the_summary_has_no_columns_of_dashes():
    f = facts(摘要=True)
    for r in f.indicators:
        r["previous"] = None
    table = next(b for b in summary(f).blocks if hasattr(b, "columns"))
    assert table.columns == ["指标", "2024年"]
    assert all(len(row) == 2 and "—" not in row for row in table.rows)

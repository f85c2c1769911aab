"""A half-year report (统计截止日期 6月30日) speaks of the half year everywhere.

The workbook is built by hand (tests/test_engine_helpers.py) and its figures worked by
hand: 6 activities from January to June, 3 of them 文体; 4 hazards found, 3 rectified.
At 30 June the year is half gone (6 whole months of 12), so a target of 10 sessions is
due 5 by now and 8 文体 sessions are due 4.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl

from shequ_kit.assemble import build_facts, year_facts
from shequ_kit.drafting import plan_problems
from shequ_kit.facts import StreetFacts
from shequ_kit.narrative import build_document, build_overview
from shequ_kit.period import elapsed_share
from tests.test_engine_helpers import activity, book

ACTIVITIES = [
    activity("2024-01-10"), activity("2024-02-12"), activity("2024-03-15"),
    activity("2024-04-05", line="文体"), activity("2024-05-06", line="文体"),
    activity("2024-06-20", line="文体"),
]
HAZARDS = [
    {"发现日期": "2024-02-01", "隐患类别": "消防", "整改日期": "2024-02-10"},
    {"发现日期": "2024-03-01", "隐患类别": "消防", "整改日期": "2024-03-05"},
    {"发现日期": "2024-04-01", "隐患类别": "消防", "整改日期": "2024-04-09"},
    {"发现日期": "2024-05-01", "隐患类别": "消防"},
]
TARGETS = [
    # ahead of 序时进度: 6 of 10 (due 5 at mid-year), 60% of the whole target
    {"指标": "activity.count", "目标": "不少于10场次"},
    # behind: 3 of 8 (due 4), 37.5% of the whole target
    {"指标": "activity.count", "条件": {"条线": "文体"}, "目标": "不少于8场"},
    # a rate is judged on its level: 3 of 4 hazards rectified is 75% < 90%
    {"指标": "hazard.rectified_rate", "目标": "达到90%以上"},
]


def half_year_facts(targets: list[dict] | None = None, as_of: date = date(2024, 6, 30)):
    b = book(as_of=as_of, 活动台账=ACTIVITIES, 安全隐患台账=HAZARDS)
    return build_facts(b, None, {"targets": TARGETS if targets is None else targets})


def doc_text(document) -> str:
    """Title, cover, headings, paragraphs, table leads, captions and cells."""
    return "\n".join([*document.cover.values(), document.text()])


def by_label(facts):
    return {(t["指标"], str(t.get("条件"))): t for t in facts.targets}


def table_rows(document) -> dict[str, list[str]]:
    section = next(s for s in document.sections if s.key == "targets")
    table = next(b for b in section.blocks if hasattr(b, "rows"))
    return {row[0]: row for row in table.rows}


def test_june_30_is_half_the_year():
    assert elapsed_share(date(2024, 6, 30)) == 0.5
    assert elapsed_share(date(2024, 12, 31)) == 1.0
    assert elapsed_share(date(2024, 3, 31)) == 0.25


def test_count_target_ahead_of_schedule_is_not_missed():
    t = by_label(half_year_facts())[("activity.count", "None")]
    assert t["pace"] is True
    assert t["required"] == 5 and t["annual"] == 10
    assert t["status"] == "完成"
    row = table_rows(build_document(half_year_facts()))["开展活动"]
    assert row[3] == "达到序时进度"
    assert "序时进度5场次" in row[4] and "已完成目标任务的60.0%" in row[4]


def test_count_target_behind_schedule_gives_its_progress():
    t = by_label(half_year_facts())[("activity.count", "{'条线': '文体'}")]
    assert t["required"] == 4
    assert t["status"] == "未完成" and t["gap"] == -1
    row = table_rows(build_document(half_year_facts()))["文体活动"]
    assert row[3] == "未达序时进度"
    assert row[4] == "序时进度4场次，差1场次，已完成目标任务的37.5%"


def test_due_share_of_an_odd_target_is_rounded_up_to_whole_sessions():
    facts = half_year_facts([{"指标": "activity.count", "目标": "全年不少于11场次"}])
    t = facts.targets[0]
    assert t["required"] == 6  # 11 × 0.5 = 5.5 → 6 whole sessions
    assert t["status"] == "完成"  # 6 held


def test_rate_target_is_judged_on_its_level():
    t = by_label(half_year_facts())[("hazard.rectified_rate", "None")]
    assert not t.get("pace")
    assert t["required"] == 0.9
    assert t["status"] == "未完成"
    row = table_rows(build_document(half_year_facts()))["隐患整改率"]
    assert row[3] == "暂未达标"


def test_half_year_document_has_no_annual_wording():
    document = build_document(half_year_facts())
    text = doc_text(document)
    assert "全年" not in text
    assert "年度" not in text
    assert "三、上半年目标完成情况" in text
    assert "上半年排查的4处隐患中尚有1处未整改" in text
    assert "文体活动未达到序时进度" in text
    assert "（目标不少于8场，实际3场次，序时进度4场次，差1场次）" in text


def test_half_year_drafted_problems_and_steps_follow_the_period():
    plan = plan_problems(half_year_facts())
    joined = "\n".join(plan.problems + plan.next_steps)
    assert "全年" not in joined and "年度" not in joined
    assert "文体" in plan.next_steps[0] and len(plan.next_steps) >= 2


def test_annual_report_of_the_same_workbook_is_unchanged():
    facts = half_year_facts(as_of=date(2024, 12, 31))
    t = by_label(facts)[("activity.count", "None")]
    assert not t.get("pace") and t["required"] == 10 and t["status"] == "未完成"
    text = doc_text(build_document(facts))
    assert "三、年度目标完成情况" in text
    assert "全年排查的4处隐患中尚有1处未整改" in text
    assert "开展活动未完成年度目标（目标不少于10场次，实际6场次，差4场次）" in text


def test_half_year_overview_cover_and_title():
    facts = half_year_facts()
    street = StreetFacts(street="闸弄口街道", year=2024, as_of="2024-06-30", half_year=True,
                         communities=[facts], totals=[])
    document = build_overview(street)
    assert street.title == "闸弄口街道2024年上半年社区工作汇总"
    cover = document.cover
    assert cover["统计期间"] == "2024年1月1日至2024年6月30日"
    assert cover["截止日期"] == "2024年6月30日"
    assert "上半年各社区主要工作数据" in doc_text(document)


def write_workbook(folder: Path, community: str, street: str, as_of: datetime) -> None:
    """A small workbook on disk: 基本情况 with its 统计截止日期 and one activity."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本情况"
    for row in (["项目", "数值"], ["社区名称", community], ["所属街道", street],
                ["统计截止日期", as_of], ["常住人口", 8000]):
        ws.append(row)
    ws = wb.create_sheet("活动台账")
    ws.append(["序号", "日期", "条线", "活动名称", "活动类型", "参与人次"])
    ws.append([1, datetime(2024, 3, 5), "党建", "主题党日", "会议学习", 30])
    path = folder / "2024" / f"{community}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def test_half_year_street_keeps_its_own_as_of_beside_an_annual_street(tmp_path: Path):
    write_workbook(tmp_path, "天运社区", "闸弄口街道", datetime(2024, 6, 30))
    write_workbook(tmp_path, "丰乐社区", "青枫街道", datetime(2024, 12, 31))
    result = year_facts(tmp_path, 2024, params_dir=None)
    half, whole = result.streets["闸弄口街道"], result.streets["青枫街道"]
    assert (half.as_of, half.half_year) == ("2024-06-30", True)
    assert (whole.as_of, whole.half_year) == ("2024-12-31", False)
    cover = build_overview(half).cover
    assert cover["统计期间"] == "2024年1月1日至2024年6月30日"
    assert half.title == "闸弄口街道2024年上半年社区工作汇总"


def test_a_level_such_as_registered_volunteers_is_not_paced():
    roster = [{"志愿者编号": str(1000 + i), "注册日期": "2023-05-01"} for i in range(3)]
    b = book(as_of=date(2024, 6, 30), 志愿者名册=roster)
    facts = build_facts(b, None, {"targets": [
        {"指标": "volunteer.registered", "目标": "不少于4名"}]})
    t = facts.targets[0]
    assert t["value"] == 3 and not t.get("pace")
    assert t["required"] == 4 and t["status"] == "未完成"  # half of 4 would have passed


def test_target_chart_speaks_of_the_half_year():
    from matplotlib.figure import Figure

    from shequ_kit.charts import draw

    fig = draw("target_completion", half_year_facts(), titled=False)
    assert isinstance(fig, Figure)
    assert fig.get_label() == "上半年目标完成情况"
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    texts += [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert any(s.startswith("达到序时进度，实际6场次") for s in texts)
    assert any(s.startswith("未达序时进度，实际3场次") for s in texts)
    assert "已达标或达到序时进度" in texts
    assert not any("未完成" in s or "年度" in s for s in texts)


def test_step_over_last_year_is_paced_on_the_same_window():
    # 2023: 4 sessions by 30 June and 3 more after it, which the first half leaves out
    last = book(year=2023, as_of=date(2023, 12, 31), 活动台账=[
        activity("2023-01-09"), activity("2023-02-13"), activity("2023-04-11"),
        activity("2023-06-28"), activity("2023-08-01"), activity("2023-10-10"),
        activity("2023-12-01")])
    current = book(as_of=date(2024, 6, 30), 活动台账=ACTIVITIES)
    facts = build_facts(current, last, {"targets": [
        {"指标": "activity.count", "目标": "较上年增加4场次"}]})
    t = facts.targets[0]
    assert (t["value"], t["previous"]) == (6, 4)
    assert t["required"] == 6 and t["pace"] is True  # 4 + half of 4
    assert t["status"] == "完成"
    row = table_rows(build_document(facts))["开展活动"]
    assert row[3] == "达到序时进度" and row[4] == "序时进度6场次"

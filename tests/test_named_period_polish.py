"""Named-period runs (a week, a month, a quarter) read as their period throughout: the
数据核对单 is named after the run's period (a weekly run never replaces the annual list),
and the prose of a weekly or monthly 专项/总结 says 本周/本月 where an annual one says 全年.

Hand-made 天运社区 workbook; every expected figure is worked out below by hand.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest

from shequ_kit import batch, checklist, doctypes, report
from shequ_kit.assemble import year_facts
from shequ_kit.period import parse_period

YEAR = 2024


def write_book(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本情况"
    for row in (["项目", "数值"], ["社区名称", "天运社区"], ["所属街道", "青枫街道"],
                ["常住人口", 8000], ["统计截止日期", datetime(YEAR, 12, 31)]):
        ws.append(row)
    ws = wb.create_sheet("活动台账")
    ws.append(["序号", "日期", "条线", "活动名称", "活动类型", "参与人次"])
    # 2024W15 is 8–14 April: two 宣传文明 activities in it (9 and 12 April), one outside.
    ws.append([1, datetime(YEAR, 4, 9), "宣传文明", "文明劝导", "宣传", 20])
    ws.append([2, datetime(YEAR, 4, 12), "宣传文明", "垃圾分类宣传", "宣传", 30])
    ws.append([3, datetime(YEAR, 3, 5), "普法", "民法典进社区", "宣传", 40])
    ws.append([4, "某日", "文体", "广场舞", "文体", 30])  # row 5: date unreadable → left out
    ws.append([5, datetime(YEAR, 9, 10), "普法", "反诈宣传", "宣传", 25])  # the second half
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


@pytest.fixture(scope="module")
def street(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("polish")
    write_book(base / "data" / str(YEAR) / "天运社区.xlsx")
    params = base / "parameters"
    params.mkdir()
    (params / "defaults.yaml").write_text(
        "targets:\n  - 指标: activity.count\n    条件: {条线: 宣传文明}\n"
        "    目标: 全年不少于52场次\n"
        "条线组:\n  创文: [宣传文明, 环境卫生, 志愿服务]\n", encoding="utf-8")
    return base


def facts_for(street: Path, period: str | None):
    return year_facts(street / "data", YEAR, street / "parameters",
                      period=None if period is None else parse_period(period))


# -- 1. the 数据核对单 is named after the run's period ----------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("2024W15", "天运社区2024年第15周数据核对单"),
    ("2024-03", "天运社区2024年3月数据核对单"),
    ("2024Q3", "天运社区2024年第三季度数据核对单"),
    ("2024H1", "天运社区2024年上半年数据核对单"),
    ("2024", "天运社区2024年数据核对单"),   # a named whole year: as the default run
])
def test_checklist_title_names_the_period(text: str, expected: str) -> None:
    period = parse_period(text).to_dict()
    assert checklist.checklist_title("天运社区", YEAR, False, period) == expected


def test_default_titles_stay() -> None:
    assert checklist.checklist_title("天运社区", YEAR, False) == "天运社区2024年数据核对单"
    assert checklist.checklist_title("天运社区", YEAR, True) == "天运社区2024年上半年数据核对单"


def test_a_weekly_run_writes_its_own_checklist_beside_the_annual_one(street: Path) -> None:
    out = street / "out"
    index = report.NullIndex()
    say = SimpleNamespace(line=lambda text: pytest.fail(text))
    for period in (None, "2024W15"):
        facts = facts_for(street, period)
        batch._write_checklists(facts, out, index, say)
    folder = out / str(YEAR) / "天运社区"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["天运社区2024年数据核对单.html", "天运社区2024年数据核对单.xlsx",
                     "天运社区2024年第15周数据核对单.html", "天运社区2024年第15周数据核对单.xlsx"]
    weekly = (folder / "天运社区2024年第15周数据核对单.html").read_text(encoding="utf-8")
    assert "<title>天运社区2024年第15周数据核对单</title>" in weekly or \
        "天运社区2024年第15周数据核对单" in weekly
    assert "第5行" in weekly  # the unreadable date (活动台账 row 5) is listed


# -- 4. the weekly 创文 report: no pro-rated targets ------------------------------------

def headings(document) -> list[str]:
    return [s.heading for s in document.sections if s.heading]


def test_the_weekly_chuangwen_report_has_no_targets_section(street: Path) -> None:
    facts = facts_for(street, "2024W15").communities["天运社区"]
    document = doctypes.build("专项", facts, line="创文")
    # 全年52场次 pro-rated to one week is 1场次 (52 × 7/366, rounded up): a number that tells
    # a leader nothing, so the weekly declaration leaves the section and its problems out.
    assert headings(document) == ["一、本周创文工作开展情况", "二、存在问题", "三、下一步工作重点"]
    text = "".join(str(b) for s in document.sections for b in s.blocks)
    assert "序时进度" not in text and "目标" not in text
    # the week's two 宣传文明 activities (9 and 12 April; 5 March is outside) are stated
    assert "本周开展宣传文明类活动2场次" in text, text


def test_a_monthly_line_report_keeps_its_targets(street: Path) -> None:
    facts = facts_for(street, "2024-04").communities["天运社区"]
    document = doctypes.build("专项", facts, line="创文")
    assert "二、目标完成情况" in headings(document)


# -- 3. a line report names its own period ------------------------------------------------

def document_text(document) -> str:
    return "".join(str(b) for s in document.sections for b in s.blocks)


def test_a_second_half_line_report_says_xiabannian_not_shangbannian(street: Path) -> None:
    facts = facts_for(street, "2024H2").communities["天运社区"]
    text = document_text(doctypes.build("专项", facts, line="普法"))
    # one 普法 activity in July–December (10 September; 5 March is the first half)
    assert "下半年开展普法类活动1场次" in text, text
    assert "上半年" not in text
    assert "2025年，社区将" in text  # the next stage after a second half is next year


def test_a_monthly_line_report_says_benyue(street: Path) -> None:
    facts = facts_for(street, "2024-03").communities["天运社区"]
    text = document_text(doctypes.build("专项", facts, line="普法"))
    assert "本月开展普法类活动1场次" in text, text
    assert "下月，社区将" in text
    for word in ("全年", "年度", "上半年", "下半年"):
        assert word not in text.replace("全年不少于52场次", ""), word


# -- 4. a week's volunteers: no 0.0小时, no 活跃度 problem --------------------------------

FIXTURE = Path(__file__).parent / "fixtures" / "narrative_tianyun.json"


def fixture_facts(text: str | None, **values):
    import json

    from shequ_kit.facts import CommunityFacts

    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for row in data["indicators"]:
        if row["id"] in values:
            row["value"] = values[row["id"]]
    facts = CommunityFacts.from_dict(data)
    if text is not None:
        facts.period = parse_period(text).to_dict()
    return facts


def test_the_volunteer_activity_problem_is_not_drafted_for_a_week() -> None:
    from shequ_kit.drafting import draft_problems

    # 40% active against the rule's 阈值 0.5: a problem for a month, not for one week
    # (the fixture sets no target on volunteer.active_rate, so only the rule speaks).
    def rules(text: str) -> list[str]:
        return [p.rule for p in draft_problems(fixture_facts(text), limit=20)]

    assert "志愿者活跃度" in rules("2024-03")
    assert "志愿者活跃度" not in rules("2024W15")


def test_a_rule_names_only_known_period_kinds() -> None:
    from shequ_kit.drafting import RulesError, _check_rule

    rule = {"条件": "志愿者活跃度", "措辞": "志愿者活跃度不高", "不用于": ["周"]}
    with pytest.raises(RulesError, match="不用于"):
        _check_rule("志愿者活跃度", rule)
    _check_rule("志愿者活跃度", {**rule, "不用于": ["week", "month"]})


def test_a_per_volunteer_figure_that_rounds_to_nothing_is_not_stated() -> None:
    from shequ_kit.narrative import _Ctx, _volunteer_items

    # 2 hours over 320 volunteers is 0.006 hours each: written as 0.0小时, so left out;
    # 11.76 hours each (the fixture's year) is written 11.8小时.
    week = dict(_volunteer_items(_Ctx(fixture_facts(
        "2024W15", **{"volunteer.hours": 2, "volunteer.hours_per_volunteer": 2 / 320}))))
    assert "人均服务时长" not in week["常态化开展志愿服务，志愿精神深入人心"]
    year = dict(_volunteer_items(_Ctx(fixture_facts(None))))
    assert "人均服务时长11.8小时" in year["常态化开展志愿服务，志愿精神深入人心"]


def test_the_weekly_street_summary_has_no_targets_section(street: Path) -> None:
    from shequ_kit import lines

    def headings_of(text: str) -> list[str]:
        facts = facts_for(street, text)
        return headings(lines.build_street("专项", next(iter(facts.streets.values())), "创文"))

    assert not any("目标" in h for h in headings_of("2024W15"))
    assert "三、目标完成情况" in headings_of("2024-04")


# -- 3. the year's honours, undated in the parameters, are not "this week's" ---------------

@pytest.mark.parametrize(("text", "opening"), [
    (None, "全年社区先后荣获"),          # the annual summary, as before
    ("2024H1", "上半年社区先后荣获"),
    ("2024Q3", "今年以来社区先后荣获"),
    ("2024-03", "今年以来社区先后荣获"),
    ("2024W15", "今年以来社区先后荣获"),
])
def test_honours_are_said_since_the_start_of_the_year_in_a_short_period(text, opening) -> None:
    from shequ_kit.narrative import _highlights

    facts = fixture_facts(text)
    facts.params["荣誉"] = ["区级“平安社区”", "街道先进基层党组织"]
    section = _highlights(facts, 6)
    said = "".join(str(b) for b in section.blocks)
    assert f"{opening}区级“平安社区”和街道先进基层党组织等2项荣誉称号。" in said, said


def test_the_weekly_summary_judges_no_target(street: Path) -> None:
    week = facts_for(street, "2024W15").communities["天运社区"]
    document = doctypes.build("总结", week)
    assert not any("目标" in h for h in headings(document))
    assert "序时进度" not in document_text(document)
    # the facts themselves keep their targets (the 底稿, the 专项 of a month)
    assert week.targets
    month = doctypes.build("总结", facts_for(street, "2024-04").communities["天运社区"])
    assert any(h.endswith("本月目标完成情况") for h in headings(month)), headings(month)

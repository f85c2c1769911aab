"""专项工作总结 for one 条线 or a 条线组, from a hand-made ledger with its figures by hand.

The ledger (tests/test_engine_helpers.py), 2024, as of 31 December:
- 活动台账: 普法 — “民法典宣传” on 10 January, 10 February and 10 March (3 sessions: a
  recurring activity, 3 ≥ 重复开展最少场次 3, but in 3 of 12 months: not monthly) and
  “宪法日宣传” on 4 December (once); 党建 — 2 sessions; 宣传文明 — 2 sessions, 环境卫生 — 1.
  So 普法 has 4 sessions in 4 months (January, February, March, December).
- 安全隐患台账: 4 hazards found, 3 rectified: 整改率 3 ÷ 4 = 75.0%.
Targets: 普法 activities every month (4 months met, 8 short: 未完成); hazards rectified
100% (75.0%: 未完成).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from shequ_kit import doctypes, lines
from shequ_kit.assemble import build_facts
from tests.test_engine_helpers import activity, book

ACTIVITIES = [
    activity("2024-01-10", line="普法", kind="宣传", 活动名称="民法典宣传"),
    activity("2024-02-10", line="普法", kind="宣传", 活动名称="民法典宣传"),
    activity("2024-03-10", line="普法", kind="宣传", 活动名称="民法典宣传"),
    activity("2024-12-04", line="普法", kind="宣传", 活动名称="宪法日宣传", people=80),
    activity("2024-05-10", line="党建", 活动名称="主题党日"),
    activity("2024-06-10", line="党建", 活动名称="主题党日"),
    activity("2024-04-10", line="宣传文明", kind="宣传", 活动名称="文明礼仪宣讲"),
    activity("2024-07-10", line="宣传文明", kind="宣传", 活动名称="文明礼仪宣讲"),
    activity("2024-08-10", line="环境卫生", kind="环境整治", 活动名称="清洁家园"),
]
HAZARDS = [
    {"发现日期": "2024-02-01", "隐患类别": "消防", "整改日期": "2024-02-10"},
    {"发现日期": "2024-03-01", "隐患类别": "消防", "整改日期": "2024-03-05"},
    {"发现日期": "2024-04-01", "隐患类别": "消防", "整改日期": "2024-04-09"},
    {"发现日期": "2024-05-01", "隐患类别": "消防"},
]
TARGETS = [
    {"指标": "activity.count", "条件": {"条线": "普法"}, "目标": "每月至少开展一次"},
    {"指标": "hazard.rectified_rate", "目标": "100%"},
]
GROUPS = {"创文": ["宣传文明", "环境卫生", "志愿服务"]}


def facts():
    b = book(活动台账=ACTIVITIES, 安全隐患台账=HAZARDS)
    return build_facts(b, None, {"targets": TARGETS, "条线组": GROUPS,
                                 "指导思想": "习近平新时代中国特色社会主义思想"})


def special(line: str, f=None):
    return doctypes.build("专项", f or facts(), line=line)


def test_a_line_summary_states_its_activities_targets_problems_and_steps() -> None:
    doc = special("普法")
    text = doc.text()
    assert doc.title == "天运社区2024年普法工作总结"
    opening = doc.section("opening").text()
    assert opening.startswith("2024年，天运社区")
    assert opening.endswith("现将2024年普法工作总结如下：")
    work = doc.section("line_work")
    assert work.heading == "一、主要工作开展情况"
    assert "2024年开展普法类活动4场次" in work.text()
    assert "民法典宣传（3场次）" in work.text()  # recurring, named with its count
    assert "宪法日宣传" in work.text()  # the line's one-off activity is named too
    targets = doc.section("line_targets")
    assert targets.heading == "二、目标完成情况"
    table = next(b for b in targets.blocks if hasattr(b, "rows"))
    assert [r[0] for r in table.rows] == ["普法活动"]  # not the hazards target
    assert table.rows[0][2] == "4个月达标" and table.rows[0][3] == "未完成"
    problems = doc.section("line_problems")
    assert problems.heading == "三、存在问题"
    assert "普法活动" in problems.text() and "尚有8个月未开展" in problems.text()
    assert doc.section("line_next_steps").heading == "四、下一步工作打算"
    assert doc.section("line_next_steps").text().count("\n2、") == 0  # one problem, one step
    # Nothing of the other lines: no 党建 sessions, no hazards.
    assert "党建" not in text and "隐患" not in text and "主题党日" not in text
    assert text.endswith("2024年12月31日")


def test_a_line_with_indicators_states_their_figures() -> None:
    doc = special("消防安全")
    work = doc.section("line_work").text()
    # 4 found, 3 rectified, 75.0%; the line has no activities, so no activity item.
    assert "排查各类安全隐患4处" in work and "已整改3处" in work and "整改率75.0%" in work
    assert "场次" not in work
    rows = next(b for b in doc.section("line_targets").blocks if hasattr(b, "rows")).rows
    assert [r[0] for r in rows] == ["隐患整改率"]
    assert "尚有1处未整改" in doc.section("line_problems").text()
    assert "普法" not in doc.text()


def test_a_group_is_its_lines_together() -> None:
    doc = special("创文")
    assert doc.title == "天运社区2024年创文工作总结"
    work = doc.section("line_work").text()
    # 宣传文明 2 + 环境卫生 1 = 3; 志愿服务 has none and is not named.
    assert "围绕宣传文明、环境卫生等工作开展活动3场次" in work
    assert "宣传文明类活动2场次" in work and "环境卫生类活动1场次" in work
    assert "志愿服务类" not in work
    assert doc.section("line_targets") is None  # no target of these lines


def test_unknown_lines_and_bad_groups_are_refused_with_the_closest_names() -> None:
    f = facts()
    with pytest.raises(doctypes.DocTypeError, match="未知的条线“普发”，是不是.*“普法”"):
        doctypes.expand_lines("普发", f)
    with pytest.raises(doctypes.DocTypeError, match="条线组：创文"):
        doctypes.expand_lines("创卫工作", f)
    f.params["条线组"] = {"创文": ["宣传文明", "文明实践"]}
    with pytest.raises(doctypes.DocTypeError, match="文明实践不是本街道的条线"):
        doctypes.expand_lines("创文", f)
    # 创文 is also an alias of 宣传文明 in the ledgers: as a 专项 the group wins.
    assert doctypes.expand_lines("创文", facts()) == ["宣传文明", "环境卫生", "志愿服务"]


def test_a_line_without_data_has_nothing_to_say() -> None:
    dt = doctypes.load_doctype("专项")
    f = facts()
    assert not lines.has_data(f, dt, ["退役军人"])
    assert not lines.has_data(f, dt, ["就业社保"])  # no ledger: no figure either
    assert lines.has_data(f, dt, ["普法"]) and lines.has_data(f, dt, ["消防安全"])


def test_the_weekly_report_words_come_from_the_period() -> None:
    """A week as the period module describes it (facts.period): the 专项 YAML's week
    wording, in the genre of the 创文 weekly reports."""
    f = facts()
    f.period = {"kind": "week", "key": "2024W15", "label": "2024年第15周（4月8日—4月14日）",
                "start": "2024-04-08", "end": "2024-04-14"}
    doc = special("创文", f)
    assert doc.title == "天运社区2024年第15周（4月8日—4月14日）创文工作总结"
    assert doc.section("opening").text().endswith("现将本周工作总结如下：")
    assert doc.section("line_work").heading == "一、本周创文工作开展情况"
    assert doc.section("line_problems").heading == "二、存在问题"
    assert doc.section("line_next_steps").heading == "三、下一步工作重点"
    assert doc.section("line_work").text().count("本周") >= 1
    assert doc.cover["统计期间"] == "2024年4月8日至2024年4月14日"


def test_a_run_for_a_line_without_data_says_so_and_writes_nothing(tmp_path: Path) -> None:
    """No kernel is started: the run finds no 退役军人 work in the period."""
    import io

    from shequ_kit import report
    from shequ_kit.batch import run_batch
    from tests.test_zeros_writer import activities, write_book

    data = tmp_path / "data"
    write_book(data, 2024, {"活动台账": activities(2024, [("普法", "宣传")] * 3)})
    params = tmp_path / "parameters"
    params.mkdir()
    (params / "defaults.yaml").write_text(yaml.safe_dump({"条线组": GROUPS}, allow_unicode=True),
                                          encoding="utf-8")
    log = io.StringIO()
    before = report.executions()
    result = run_batch(data, 2024, tmp_path / "out", params, docs=["专项"], lines=["退役军人"],
                       formats=["html"], log=log, progress=False)
    assert result.exit_code == 0, log.getvalue()
    assert "天运社区2024年退役军人没有数据，未生成专项工作总结" in log.getvalue()
    assert report.executions() == before
    folder = tmp_path / "out" / "2024" / "天运社区"
    assert not [p for p in folder.iterdir() if "工作总结" in p.name]
    assert result.reports == {} or all("退役军人" not in k for k in result.reports)
    bad = run_batch(data, 2024, tmp_path / "out", params, docs=["专项"], lines=["退伍军人"],
                    formats=["html"], log=log, progress=False)
    assert bad.exit_code == 2 and "是不是“退役军人”" in (bad.error or "")


def test_a_doctype_whose_sections_nobody_provides_fails_its_reports_clearly(tmp_path: Path
                                                                           ) -> None:
    """As 计划 does before plan.py is there: each community's report fails with the
    missing 类型 named, and no kernel is started."""
    import io

    from shequ_kit import report
    from shequ_kit.batch import run_batch
    from tests.test_zeros_writer import activities, write_book

    data = tmp_path / "data"
    write_book(data, 2024, {"活动台账": activities(2024, [("普法", "宣传")] * 3)})
    params = tmp_path / "parameters"
    (params / "文种").mkdir(parents=True)
    (params / "defaults.yaml").write_text("{}\n", encoding="utf-8")
    (params / "文种" / "简报.yaml").write_text(
        '名称: 简报\n标题: "{社区}{期间}工作简报"\n章节: [开头语, 工作亮点]\n', encoding="utf-8")
    log = io.StringIO()
    before = report.executions()
    result = run_batch(data, 2024, tmp_path / "out", params, docs=["简报"], formats=["html"],
                       log=log, progress=False)
    assert result.exit_code == 1
    assert result.failed == {"community:天运社区|简报|2024":
                             "文种“简报”所需的章节类型尚未提供：工作亮点（当前版本还不能生成简报）"}
    assert report.executions() == before


def test_comma_lists_on_the_command_line() -> None:
    from shequ_kit.cli import _list

    assert _list("普法，就业社保、创文,") == ["普法", "就业社保", "创文"]
    assert _list(None) == []

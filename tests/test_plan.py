"""Next year's 工作计划: targets derived by the declared rules, the plan's four parts, the
parameters draft that loads as it stands and is evaluated by next year's summary.

Each derived target below is worked by hand from rules/plan_rules.yaml:
比率 步长 5个百分点 (0.5 below 10%), 上限 95%; 计数 +10% rounded by size (1 below 20, 5
below 200, 10 below 2000); 杜绝/每期/较上年/定性 kept; 逐年提高 pinned to a figure.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from shequ_kit import assemble, fingerprint, plan
from shequ_kit.facts import CommunityFacts
from shequ_kit.narrative import Item, Section
from shequ_kit.params import community_targets, load_params
from shequ_kit.paths import UnsafeNameError
from shequ_kit.targets import evaluate, parse_target
from shequ_kit.values import personal_like


def target(indicator: str, text: str, value: Any, previous: Any = None,
           condition: dict | None = None, coverage: tuple | None = None) -> dict:
    """One evaluated target, judged by the real evaluator."""
    return evaluate(parse_target(text, indicator, condition), value, previous,
                    coverage=coverage)


def facts(targets: list[dict], community: str = "天运社区", **params: Any) -> CommunityFacts:
    return CommunityFacts(
        community=community, street="青枫街道", year=2024, period_start="2024-01-01",
        as_of="2024-12-31", half_year=False, profile={"组织类型": "党总支"}, safety=None,
        targets=targets,
        params={"指导思想": "习近平新时代中国特色社会主义思想", "中心工作": "加快大转型、提升青枫",
                "targets": [], **params})


MIXED = [
    # 72% against 50%: 50 + 5 = 55 ≤ 72 → 达到55%以上
    target("employment.reemployment_rate", "达到50%以上", 0.72, 0.6),
    # 100% against 95%: the target is at the 95% cap → kept
    target("dispute.success_rate", "不低于95%", 1.0, 0.9),
    # 3.4% against 3%: below 10% the step is 0.5 point, 3.5% > 3.4% → kept
    target("volunteer.registration_rate", "达到3%以上", 0.034, 0.03),
    # 力争 60% met with 66%: 65% ≤ 66% → 力争达到65%
    target("employment.hard_reemployment_rate", "力争达到60%", 0.66, 0.5),
    # missed: 80% of 90% → kept, with a measure
    target("hazard.rectified_rate", "达到90%以上", 0.8, 0.9),
    # 杜绝 met → kept
    target("safety.fires", "杜绝火灾事故发生", 0, 0),
    # 逐年提高 met (20 > 17) → 不低于2024年的20篇
    target("info.adopted", "逐年提高", 20, 17),
    # 每月一次 met → kept
    target("activity.count", "每月至少开展一次", 12, 11, {"条线": "普法"}, (12, 12, [])),
    # 定性 → kept verbatim
    target("dibao.households", "应保尽保", 30, 28),
    # 10 × 1.1 = 11 (rounded by 1s below 20), 12 ≥ 11 → 全年不少于11场次
    target("activity.count", "全年不少于10场次", 12, 9),
    # 1200 × 1.1 = 1320 (rounded by 10s), 1500 ≥ 1320 → 1320小时
    target("volunteer.hours", "全年志愿服务不少于1200小时", 1500, 1100),
    # 较上年提高5%: kept; next year asks 1000 × 1.05 = 1050人次
    target("activity.participants", "较上年提高5%", 1000, 900),
    # 12 months is the cap of 有活动的月份 → kept
    target("activity.months_covered", "达到12个月", 12, 12),
]
# 每月一次 on the months covered: kept, and said of 社区活动 (a second entry on the same
# indicator, so not in MIXED: one parameters file holds one entry per indicator)
MONTHLY = target("activity.months_covered", "每月开展一次", 12, 12, coverage=(12, 12, []))


def derived_by_old(derived: list[dict]) -> dict[tuple, dict]:
    return {(d["指标"], str(d.get("条件")), d["原目标"]): d for d in derived}


def test_each_target_is_derived_by_the_declared_rules() -> None:
    d = derived_by_old(plan.next_year_targets(facts(MIXED)))
    get = lambda i, old, c=None: d[(i, str(c), old)]  # noqa: E731
    rate = get("employment.reemployment_rate", "达到50%以上")
    assert rate["目标"] == "达到55%以上" and rate["做法"] == "提高"
    assert rate["依据"].startswith("2024年实际72.0%，已完成目标")
    assert rate["依据"].endswith("提高5个百分点")
    assert get("dispute.success_rate", "不低于95%")["目标"] == "不低于95%"
    small = get("volunteer.registration_rate", "达到3%以上")
    assert small["目标"] == "达到3%以上" and "不足0.5个百分点" in small["依据"]
    assert get("employment.hard_reemployment_rate", "力争达到60%")["目标"] == "力争达到65%"
    missed = get("hazard.rectified_rate", "达到90%以上")
    assert missed["目标"] == "达到90%以上" and missed["做法"] == "保持"
    assert "未完成目标（差10.0个百分点）" in missed["依据"] and missed["措施"]
    assert get("safety.fires", "杜绝火灾事故发生")["目标"] == "杜绝火灾事故发生"
    assert get("info.adopted", "逐年提高")["目标"] == "不低于2024年的20篇"
    assert get("activity.count", "每月至少开展一次", {"条线": "普法"})["目标"] == "每月至少开展一次"
    assert get("dibao.households", "应保尽保")["目标"] == "应保尽保"
    assert get("activity.count", "全年不少于10场次")["目标"] == "全年不少于11场次"
    hours = get("volunteer.hours", "全年志愿服务不少于1200小时")
    assert hours["目标"] == "全年志愿服务不少于1320小时"
    assert hours["依据"].endswith("提高至1320小时（按10%取整）")
    rel = get("activity.participants", "较上年提高5%")
    assert rel["目标"] == "较上年提高5%" and "即2025年应达到1050人次" in rel["依据"]
    assert get("activity.months_covered", "达到12个月")["目标"] == "达到12个月"
    # only the missed one carries a measure
    assert [x["指标"] for x in d.values() if x.get("措施")] == ["hazard.rectified_rate"]


def test_every_derived_target_parses_to_its_level() -> None:
    expected = {"达到55%以上": 0.55, "力争达到65%": 0.65, "不低于2024年的20篇": 20,
                "全年不少于11场次": 11, "全年志愿服务不少于1320小时": 1320}
    for d in plan.next_year_targets(facts(MIXED)):
        parsed = parse_target(d["目标"], d["指标"], d.get("条件"))
        if d["目标"] in expected:
            assert parsed.threshold == pytest.approx(expected[d["目标"]])
    assert parse_target("力争达到65%", "employment.hard_reemployment_rate").soft


def test_room_below_one_step_keeps_and_a_missed_year_on_year_is_not_lowered() -> None:
    derived = plan.next_year_targets(facts([
        # 10 sessions met exactly: 11 > 10 → kept
        target("activity.count", "全年不少于10场次", 10, 9),
        # 3.6% against 3%: 3.5% ≤ 3.6% → 3.5%
        target("volunteer.registration_rate", "达到3%以上", 0.036, 0.03),
        # 逐年提高 missed (15 < 17): last year's 17 stays the floor
        target("info.adopted", "逐年提高", 15, 17),
        # 两次 × 1.1 = 2.2 rounds back to 2: one unit up, 3 ≤ 3 → 3次 in the plan's words
        target("activity.count", "全年不少于两次", 3, 1, {"条线": "应急管理", "活动类型": "应急演练"}),
        # a missed 每月 target: kept, with a measure
        target("activity.count", "每月至少开展一次", 9, 11, {"条线": "普法"},
               (9, 12, ["3月", "7月", "8月"])),
    ]))
    assert [d["目标"] for d in derived] == ["全年不少于10场次", "达到3.5%以上",
                                          "不低于2023年的17篇", "全年不少于3次",
                                          "每月至少开展一次"]
    assert derived[3]["依据"].endswith("提高至3场次")
    assert "尚有3个月未开展" in derived[4]["依据"] and derived[4]["措施"]
    assert derived[2]["措施"]


def test_targets_grammar_reads_a_figure_pinned_to_a_year() -> None:
    t = parse_target("不低于2024年的20篇", "info.adopted")
    assert (t.kind, t.threshold, t.extra["base_year"]) == ("at_least", 20, 2024)
    t = parse_target("不超过2024年的3起", "safety.fires")
    assert (t.kind, t.threshold) == ("at_most", 3)


class StandInContext:
    """doctypes.BuildContext as the plan's builders see it."""

    def __init__(self) -> None:
        self.n = 0
        self.plan = None

    def number(self) -> int:
        self.n += 1
        return self.n


def test_section_builders_follow_the_doctype_signature() -> None:
    ctx = StandInContext()
    f = facts(MIXED)
    guide = plan.SECTION_KINDS["指导思想"](f, {"类型": "指导思想"}, ctx)
    goals = plan.SECTION_KINDS["工作目标"](f, {"类型": "工作目标", "标题": "奋斗目标"}, ctx)
    assert isinstance(guide, Section) and guide.heading == "一、指导思想"
    assert goals.heading == "二、奋斗目标"
    assert "习近平新时代中国特色社会主义思想" in guide.text()
    assert "青枫街道“加快大转型、提升青枫”" in guide.text()
    assert set(plan.SECTION_KINDS) >= {"指导思想", "工作目标", "主要任务", "保障措施"}


def test_the_plan_has_the_four_parts_with_numbers() -> None:
    doc = plan.build_plan(facts(MIXED + [MONTHLY]))
    assert doc.title == plan.plan_title(facts(MIXED)) == "天运社区2025年工作计划"
    assert [h for h in doc.toc() if h[1] == "、"] == [
        "一、指导思想", "二、工作目标", "三、主要任务", "四、保障措施"]
    goals = doc.section("plan-goals").text()
    for clause in ("登记失业人员再就业率达到55%以上", "就业困难人员再就业率力争达到65%",
                   "杜绝火灾事故发生", "普法活动每月至少开展一次", "全年开展各类活动不少于11场次",
                   "全年志愿服务不少于1320小时", "低保工作做到应保尽保", "有活动的月份达到12个月",
                   "社区活动每月开展一次"):
        assert clause in goals
    tasks = doc.section("plan-tasks")
    assert [s.heading[:3] for s in tasks.subsections][:2] == ["（一）", "（二）"]
    # the missed hazard target is answered with a measure and the target it serves
    assert "确保安全隐患整改率达到90%以上" in tasks.text()
    safeguards = doc.section("plan-safeguards")
    assert [b.caption for b in safeguards.blocks if isinstance(b, Item)][:2] == [
        "加强组织领导", "强化队伍建设"]
    table = doc.section("plan-targets-table").blocks[0]
    rows = {(r[0], r[1]): r for r in table.rows}
    assert rows[("开展活动", "全年不少于10场次")][2:] == ["12场次", "完成", "全年不少于11场次",
                                                   "提高"]


def test_two_communities_with_different_weak_spots_get_different_tasks() -> None:
    law = facts([target("activity.count", "每月至少开展一次", 8, 11, {"条线": "普法"},
                        (8, 12, ["1月", "2月", "7月", "8月"])),
                 target("hazard.rectified_rate", "100%", 1.0, 1.0)], community="甲社区")
    hazards = facts([target("activity.count", "每月至少开展一次", 12, 11, {"条线": "普法"},
                            (12, 12, [])),
                     target("hazard.rectified_rate", "100%", 0.75, 1.0)], community="乙社区")
    a = plan.build_plan(law).section("plan-tasks").text()
    b = plan.build_plan(hazards).section("plan-tasks").text()
    assert "普法活动月月开展" in a and "确保安全隐患整改率" not in a
    assert "确保安全隐患整改率达到100%" in b
    assert "普法活动每月至少开展一次" not in b
    assert a != b


def test_the_community_s_own_next_steps_are_tasks_in_their_block() -> None:
    f = facts(MIXED, 下一步工作打算=["建成社区“邻里食堂”，为高龄老人提供助餐服务",
                                "成立业主委员会，理顺物业管理关系"])
    tasks = plan.build_plan(f).section("plan-tasks")
    by_heading = {s.heading: s.text() for s in tasks.subsections}
    livelihood = next(t for h, t in by_heading.items() if "民生" in h)
    governance = next(t for h, t in by_heading.items() if "社区管理" in h)
    assert "建成社区“邻里食堂”" in livelihood
    assert "成立业主委员会" in governance


# -- the parameters draft ------------------------------------------------------------------

def test_the_draft_loads_through_params_unchanged(tmp_path: Path) -> None:
    f = facts(MIXED)
    text = plan.draft_yaml(f)
    assert text.startswith("# 天运社区2025年度参数（草案）")
    assert "# 2024年实际72.0%，已完成目标（达到50%以上），提高5个百分点" in text
    assert "天运社区.2025.yaml" in text  # how to adopt it
    (tmp_path / "天运社区.yaml").write_text(text, encoding="utf-8")
    merged = load_params(tmp_path, "天运社区", "青枫街道")
    derived = plan.next_year_targets(f)
    assert [(e["指标"], e["目标"]) for e in merged["targets"]] == [
        (d["指标"], d["目标"]) for d in derived]
    assert merged["所属街道"] == "青枫街道"
    assert len(community_targets(merged)) == len(MIXED)
    missed = next(e for e in merged["targets"] if e["指标"] == "hazard.rectified_rate")
    assert missed["说明"].startswith("措施：")


def test_draft_path_stays_under_out(tmp_path: Path) -> None:
    f = facts(MIXED)
    assert plan.draft_path(tmp_path, f) == tmp_path / "2024" / "天运社区" / "天运社区.2025.草案.yaml"
    bad = facts(MIXED, community="../天运社区")
    with pytest.raises(UnsafeNameError):
        plan.draft_path(tmp_path, bad)


def test_write_draft_keeps_an_edited_draft(tmp_path: Path) -> None:
    f = facts(MIXED)
    path = plan.write_draft(tmp_path, f)
    first = fingerprint.file_digest(path)
    assert plan.write_draft(tmp_path, f, written_digest=first) == path  # unchanged: no copy
    assert [p.name for p in path.parent.iterdir()] == ["天运社区.2025.草案.yaml"]
    path.write_text(path.read_text(encoding="utf-8") + "# 社区改过\n", encoding="utf-8")
    plan.write_draft(tmp_path, f, written_digest=first, now=datetime(2025, 1, 3, 9, 30))
    kept = path.with_name("天运社区.2025.草案.已编辑-20250103-0930.yaml")
    assert kept.read_text(encoding="utf-8").endswith("# 社区改过\n")
    assert path.read_text(encoding="utf-8") == plan.draft_yaml(f)


ACTIVITY_HEAD = ["序号", "日期", "条线", "活动名称", "活动类型", "参与人次"]
UNEMPLOYED_HEAD = ["序号", "姓名", "身份证号", "登记失业日期", "再就业日期", "就业形式"]
RESIDENT, RESIDENT_ID = "林晓梅", "110101199003077578"


def write_book(folder: Path, year: int, sessions: int) -> None:
    """天运社区's workbook: ``sessions`` 文体 activities, one a month from January (a
    month may hold two), and one registered unemployed resident re-employed in March."""
    path = folder / str(year) / "天运社区.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本情况"
    for row in (["项目", "数值"], ["社区名称", "天运社区"], ["所属街道", "青枫街道"],
                ["组织类型", "党总支"], ["常住人口", 8000],
                ["统计截止日期", datetime(year, 12, 31)]):
        ws.append(row)
    ws = wb.create_sheet("活动台账")
    ws.append(ACTIVITY_HEAD)
    for i in range(sessions):
        ws.append([i + 1, datetime(year, i % 12 + 1, 10 + i // 12), "文体", f"文体活动{i + 1}",
                   "文体", 20])
    ws = wb.create_sheet("失业人员台账")
    ws.append(UNEMPLOYED_HEAD)
    ws.append([1, RESIDENT, RESIDENT_ID, datetime(year, 1, 5), datetime(year, 3, 1), "灵活就业"])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def test_an_adopted_draft_is_what_next_year_s_summary_evaluates(tmp_path: Path) -> None:
    data, params, out = tmp_path / "data", tmp_path / "parameters", tmp_path / "out"
    params.mkdir()
    (params / "天运社区.yaml").write_text(
        "社区名称: 天运社区\n所属街道: 青枫街道\ntargets:\n"
        "  - 指标: activity.count\n    目标: 全年不少于10场次\n", encoding="utf-8")
    write_book(data, 2024, 12)   # 12 ≥ 10: met; 10 × 1.1 = 11 ≤ 12 → 全年不少于11场次
    write_book(data, 2025, 10)   # next year: 10 sessions
    f2024 = assemble.year_facts(data, 2024, params).communities["天运社区"]
    draft = plan.draft_path(out, f2024)
    draft.parent.mkdir(parents=True)
    draft.write_text(plan.draft_yaml(f2024), encoding="utf-8")
    assert not (params / "天运社区.2025.草案.yaml").exists()  # never into the user's folder

    before = assemble.year_facts(data, 2025, params).communities["天运社区"].targets[0]
    assert (before["目标"], before["status"]) == ("全年不少于10场次", "完成")
    # adopted: renamed to 天运社区.2025.yaml in the parameters folder
    draft.rename(params / "天运社区.2025.yaml")
    after = assemble.year_facts(data, 2025, params).communities["天运社区"].targets[0]
    assert (after["目标"], after["status"], after["gap"]) == ("全年不少于11场次", "未完成", -1)
    # the 2024 summary is untouched by the 2025 file
    again = assemble.year_facts(data, 2024, params).communities["天运社区"].targets[0]
    assert again["目标"] == "全年不少于10场次"
    # an incremental run notices the adopted file
    inputs = fingerprint.community_inputs("天运社区", [], params, params / "x.ipynb",
                                          {"year": 2025}, street="青枫街道")
    assert inputs["params_year"] is not None
    assert "params_year" not in fingerprint.community_inputs(
        "天运社区", [], params, params / "x.ipynb", {"year": 2024}, street="青枫街道")


def test_no_personal_data_in_the_plan_or_the_draft(tmp_path: Path) -> None:
    data, params = tmp_path / "data", tmp_path / "parameters"
    params.mkdir()
    (params / "defaults.yaml").write_text(
        "targets:\n  - 指标: employment.reemployment_rate\n    目标: 达到50%以上\n",
        encoding="utf-8")
    write_book(data, 2024, 12)
    f = assemble.year_facts(data, 2024, params).communities["天运社区"]
    text = plan.build_plan(f).text() + plan.draft_yaml(f)
    assert "达到55%以上" in text  # 1 of 1 re-employed: 100% ≥ 55%
    assert RESIDENT not in text and RESIDENT_ID not in text
    assert personal_like(text) == []


def test_street_plan_summary_counts_what_each_community_proposes() -> None:
    a = facts(MIXED, community="甲社区")
    b = facts([target("hazard.rectified_rate", "达到90%以上", 0.8, 0.9)], community="乙社区")

    class Street:
        street, year, as_of = "青枫街道", 2024, "2024-12-31"

    doc = plan.street_plan_summary(Street(), [a, b])
    assert doc.title == "青枫街道2025年社区工作目标汇总"
    rows = {r[0]: r for r in doc.sections[0].blocks[1].rows}
    # 甲: 13 targets; raised: 再就业率, 困难人员, 活动场次, 志愿服务时长 = 4; rewritten: 逐年提高
    # = 1; missed and kept: 隐患整改率 = 1; kept: 13 − 4 − 1 − 1 = 7
    assert rows["甲社区"][1:] == ["13", "4", "7", "1", "1"]
    assert rows["乙社区"][1:] == ["1", "0", "0", "1", "0"]


def test_the_plan_renders_through_the_summary_s_model() -> None:
    """HTML and Word come from the same model as the summary's: nothing plan-specific."""
    from shequ_kit.docparts import block_from_json, section_part
    from shequ_kit.docx_writer import document_docx, docx_text

    doc = plan.build_plan(facts(MIXED))
    html = doc.html()
    assert "<h2>三、主要任务</h2>" in html and "<h3>（一）" in html
    for top in doc.sections:
        for s in top.walk():
            part = section_part(s)
            assert [block_from_json(b).text() for b in part["blocks"]] == [
                b.text() for b in s.own_blocks]
    text = docx_text(document_docx(doc))
    assert "天运社区2025年工作计划" in text and "四、保障措施" in text
    assert "登记失业人员再就业率达到55%以上" in text


def test_a_year_file_of_another_street_is_not_applied(tmp_path: Path) -> None:
    (tmp_path / "天运社区.yaml").write_text(
        "所属街道: 青枫街道\ntargets:\n  - 指标: activity.count\n    目标: 全年不少于10场次\n",
        encoding="utf-8")
    (tmp_path / "天运社区.2025.yaml").write_text(
        "所属街道: 九堡街道\ntargets:\n  - 指标: activity.count\n    目标: 全年不少于11场次\n",
        encoding="utf-8")
    notes: list[str] = []
    merged = load_params(tmp_path, "天运社区", "青枫街道", notes, year=2025)
    # a namesake's year file is left out; the community's own file still applies
    assert [e["目标"] for e in merged["targets"]] == ["全年不少于10场次"]
    assert "天运社区.2025.yaml" in notes[0] and "九堡街道" in notes[0]
    own = load_params(tmp_path, "天运社区", "青枫街道", year=2024)
    assert [e["目标"] for e in own["targets"]] == ["全年不少于10场次"]


def test_a_bad_edit_of_the_plan_rules_is_named() -> None:
    from shequ_kit.drafting import RulesError

    rules = plan.plan_rules()
    plan.check_rules(rules)
    rules["下年目标"]["计数"]["比例"] = "一成"
    with pytest.raises(RulesError, match="下年目标/计数/比例"):
        plan.check_rules(rules)
    rules = plan.plan_rules()
    del rules["依据"]["提高"]
    with pytest.raises(RulesError, match="依据.*提高"):
        plan.check_rules(rules)
    rules = plan.plan_rules()
    rules["提纲"].append({"类型": "开头语"})
    with pytest.raises(RulesError, match="开头语"):
        plan.check_rules(rules)


def test_namesakes_in_two_streets_get_their_drafts_in_their_own_folders(tmp_path: Path) -> None:
    """Two 天运社区 in two streets: each plan is written to OUT/<年>/<街道>/天运社区/, and
    each draft must sit beside its own plan, not share one path where the second run would
    move the first aside as 已编辑."""
    f = facts(MIXED)
    one = plan.draft_path(tmp_path, f, "青枫街道/天运社区")
    two = plan.draft_path(tmp_path, f, "闸弄口街道/天运社区")
    assert one == tmp_path / "2024" / "青枫街道" / "天运社区" / "天运社区.2025.草案.yaml"
    assert two == tmp_path / "2024" / "闸弄口街道" / "天运社区" / "天运社区.2025.草案.yaml"
    plan.write_draft(tmp_path, f, key="青枫街道/天运社区")
    plan.write_draft(tmp_path, f, key="闸弄口街道/天运社区")
    assert one.is_file() and two.is_file()
    assert not list(tmp_path.rglob("*已编辑*"))
    with pytest.raises(UnsafeNameError):
        plan.draft_path(tmp_path, f, "青枫街道/..")

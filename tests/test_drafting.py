"""存在问题 drafting: each rule fires on its condition and not otherwise, at most four, most
severe first, neutral indicators never drafted, and the analyst's 补充问题 / 存在问题."""

from pathlib import Path

import pytest
import yaml

from shequ_kit.drafting import (
    RulesError,
    blocks_config,
    draft_problems,
    plan_problems,
    problem_options,
    problem_rules,
)
from shequ_kit.facts import CommunityFacts


def row(id_, name, unit, better, value, previous=None, num=None, den=None):
    return {"id": id_, "name": name, "unit": unit, "better": better, "value": value,
            "previous": previous, "numerator": num, "denominator": den}


def make(indicators=(), targets=(), quality=None, params=None, as_of="2024-12-31"):
    return CommunityFacts(
        community="天运社区", street="闸弄口街道", year=2024, period_start="2024-01-01",
        as_of=as_of, half_year=as_of != "2024-12-31",
        profile={"社区名称": "天运社区", "常住人口": 8420, "组织类型": "党支部"},
        safety=None, indicators=list(indicators), targets=list(targets),
        quality=quality or {}, params=params or {})


def target(ind, name, status, value, written, unit="%", gap=None, gap_text=None,
           kind="at_least", cond=None):
    return {"指标": ind, "名称": name, "条件": cond, "目标": written, "value": value,
            "previous": None, "unit": unit, "status": status, "reason": None, "gap": gap,
            "gap_text": gap_text, "soft": written.startswith("力争"), "kind": kind}


def texts(facts):
    return [p.text for p in draft_problems(facts)]


RULES_DIR = Path(__file__).resolve().parents[1] / "shequ_kit" / "rules"
RULES = yaml.safe_load((RULES_DIR / "defaults_rules.yaml").read_text(encoding="utf-8"))["问题规则"]
STEPS = yaml.safe_load((RULES_DIR / "phrases.yaml").read_text(encoding="utf-8"))["下一步"]


def _listed(text):
    return [text] if isinstance(text, str) else list(text)


def worded(rule, **values):
    """Every way the shipped rule may word a problem with these hand-worked values."""
    return {t.format(期间="全年", 未完成="未完成年度目标", 下一阶段="全年", 目标任务="年度目标", **values) for t in _listed(RULES[rule]["措辞"])}


def stepped(variants, **values):
    """Every way a phrase-bank list may word a step with these values."""
    return {t.format(期间="全年", 未完成="未完成年度目标", 下一阶段="全年", 目标任务="年度目标", **values) for t in variants}


# -- each rule ------------------------------------------------------------------------

def test_missed_target_cites_target_actual_and_gap():
    f = make(targets=[target("employment.reemployment_rate", "登记失业人员再就业率", "未完成",
                             0.455, "达到50%以上", gap=-0.045, gap_text="差 4.5 个百分点")])
    [text] = texts(f)
    assert text in worded("目标未完成", 指标="登记失业人员再就业率", 目标="达到50%以上",
                          实际="45.5%", 差距="差4.5个百分点")
    assert draft_problems(f)[0].next_step in \
        STEPS["指标"]["employment.reemployment_rate"]


def test_met_target_is_not_a_problem():
    f = make(targets=[target("employment.reemployment_rate", "登记失业人员再就业率", "完成",
                             0.635, "达到50%以上")])
    assert texts(f) == []


def test_soft_target_not_reached():
    f = make(targets=[target("employment.hard_reemployment_rate", "就业困难人员再就业率",
                             "未达预期", 0.45, "力争达到60%", gap=-0.15)])
    problems = draft_problems(f)
    assert problems[0].text in worded("力争目标未达预期", 指标="就业困难人员再就业率",
                                      目标="达到60%", 实际="45.0%", 差距="差15.0个百分点")
    assert problems[0].next_step in STEPS["指标"]["employment.hard_reemployment_rate"]


def test_monthly_target_on_filtered_activity_reads_as_activity():
    f = make(targets=[target("activity.count", "开展活动", "未完成", 10, "每月至少一次",
                             unit="场次", gap=2, kind="every_month", cond={"条线": "普法"})])
    # 12 months, 10 covered → 差2个月
    assert texts(f)[0] in worded("目标未完成", 指标="普法活动", 目标="每月至少一次",
                                 实际="10个月达标", 差距="差2个月")


def by_month(zero_months):
    return row("activity.by_month", "月度活动", "场次", "—",
               {str(m): (0 if m in zero_months else 5) for m in range(1, 13)})


def test_months_without_activity():
    f = make([by_month({2, 7, 8})])
    assert texts(f)[0] in worded("活动月份空缺", 月份="2月、7月、8月", 空缺月数=3)
    assert draft_problems(f)[0].next_step in stepped(STEPS["规则"]["活动月份空缺"],
                                                     月份="2月、7月、8月", 空缺月数=3)


def test_every_month_with_activity_drafts_nothing():
    assert texts(make([by_month(set())])) == []


def test_half_year_only_looks_at_months_of_the_period():
    # As of 30 June: July to December are outside the period, only March counts.
    f = make([by_month({3, 7, 8, 9, 10, 11, 12})], as_of="2024-06-30")
    assert texts(f)[0] in worded("活动月份空缺", 月份="3月", 空缺月数=1)


def test_no_activity_ledger_drafts_no_month_problem():
    f = make([row("activity.by_month", "月度活动", "场次", "—", None)])
    assert texts(f) == []


def test_hazards_not_rectified():
    # 55 of 58 rectified → 58 - 55 = 3 still open
    f = make([row("hazard.rectified_rate", "隐患整改率", "%", "↑", 55 / 58, num=55, den=58)])
    assert texts(f)[0] in worded("隐患未整改", 排查=58, 未整改=3, 整改率="94.8%")


def test_all_hazards_rectified_drafts_nothing():
    f = make([row("hazard.rectified_rate", "隐患整改率", "%", "↑", 1.0, num=58, den=58)])
    assert texts(f) == []


def test_hazard_rule_speaks_for_the_hazard_target():
    f = make([row("hazard.rectified_rate", "隐患整改率", "%", "↑", 55 / 58, num=55, den=58)],
             targets=[target("hazard.rectified_rate", "隐患整改率", "未完成", 55 / 58, "100%")])
    [text] = texts(f)
    assert text in worded("隐患未整改", 排查=58, 未整改=3, 整改率="94.8%")


def test_up_indicator_falling_more_than_ten_percent():
    # (4943.5 - 6100) / 6100 = -18.96% → 19.0%
    f = make([row("donation.amount", "募集捐款", "元", "↑", 4943.5, 6100)])
    assert texts(f)[0] in worded("同比变差", 指标="募集捐款", 方向="下降", 变动="19.0%",
                                 本期="4943.5元", 上年同期="6100元")
    assert draft_problems(f)[0].next_step in STEPS["指标"]["donation.*"]


def test_down_indicator_rising_more_than_ten_percent():
    # (31 - 25) / 25 = +24%
    f = make([row("employment.unemployed_end", "期末登记失业人员", "人", "↓", 31, 25)])
    assert texts(f)[0] in worded("同比变差", 指标="期末登记失业人员", 方向="上升", 变动="24.0%",
                                 本期="31人", 上年同期="25人")


def test_changes_within_ten_percent_or_for_the_better_are_not_problems():
    f = make([row("activity.count", "开展活动", "场次", "↑", 90, 100),      # exactly -10%
              row("info.adopted", "录用信息", "篇", "↑", 60, 40),           # better
              row("employment.unemployed_end", "期末登记失业人员", "人", "↓", 20, 30)])
    assert texts(f) == []


def test_rate_falls_are_measured_in_points():
    # 0.80 → 0.65 is 15 points (> 10); 0.80 → 0.72 is 8 points (not drafted)
    f = make([row("dispute.success_rate", "调解成功率", "%", "↑", 0.65, 0.80)])
    assert texts(f)[0] in worded("同比变差", 指标="调解成功率", 方向="下降", 变动="15.0个百分点",
                                 本期="65.0%", 上年同期="80.0%")
    assert texts(make([row("dispute.success_rate", "调解成功率", "%", "↑", 0.72, 0.80)])) == []


def test_neutral_indicators_never_drafted_for_moving():
    f = make([row("dibao.exited", "退出", "户", "—", 11, 3),                 # +267%
              row("dispute.accepted", "受理矛盾纠纷", "件", "—", 10, 40)])   # -75%
    assert texts(f) == []


def test_no_previous_or_zero_previous_is_not_a_trend():
    f = make([row("donation.amount", "募集捐款", "元", "↑", 100, None),
              row("safety.fires", "火灾事故", "起", "↓", 2, 0)])
    assert texts(f) == []


def test_volunteer_activity_rate():
    # 128 of 320 registered served: 40.0% < 50%
    f = make([row("volunteer.active_rate", "活跃志愿者比例", "%", "↑", 0.4, num=128, den=320)])
    assert texts(f)[0] in worded("志愿者活跃度", 注册志愿者=320, 活跃比例="40.0%")
    assert texts(make([row("volunteer.active_rate", "活跃志愿者比例", "%", "↑", 0.5,
                           num=160, den=320)])) == []


def test_rows_left_out_of_ledgers():
    f = make(quality={"excluded_rows": {"活动台账": 2, "低保台账": 1, "帮扶台账": 0}})
    assert texts(f)[0] in worded("台账不规范", 台账="活动台账、低保台账", 条数=3)
    assert texts(make(quality={"excluded_rows": {"活动台账": 0}})) == []


# -- the engine ------------------------------------------------------------------------

def everything():
    """Seven problems of different rules, to see the cap and the order."""
    return make(
        [by_month({2}),
         row("hazard.rectified_rate", "隐患整改率", "%", "↑", 0.9, num=9, den=10),
         row("donation.amount", "募集捐款", "元", "↑", 50, 100),
         row("volunteer.active_rate", "活跃志愿者比例", "%", "↑", 0.3, num=3, den=10)],
        targets=[target("info.adopted", "录用信息", "未完成", 35, "逐年提高", unit="篇",
                        gap=-7, gap_text="较上年减少7篇"),
                 target("employment.hard_reemployment_rate", "就业困难人员再就业率",
                        "未达预期", 0.45, "力争达到60%")],
        quality={"excluded_rows": {"活动台账": 2}})


def test_at_most_four_most_severe_first():
    problems = draft_problems(everything())
    # severities: 目标未完成 90, 隐患未整改 80, 力争 60, 活动月份空缺 50, 同比 40, 志愿者 30, 台账 20
    assert [p.rule for p in problems] == ["目标未完成", "隐患未整改", "力争目标未达预期",
                                          "活动月份空缺"]


def test_supplementary_problems_added_within_the_limit():
    f = everything()
    f.params = {"补充问题": ["社区工作人员短缺，活动阵地不足。"],
                "下一步工作打算": ["新增一处室外健身场所"]}
    plan = plan_problems(f)
    # three drafted (the least severe of the four gives way) then the analyst's
    assert [p.rule for p in plan.drafted] == ["目标未完成", "隐患未整改", "力争目标未达预期"]
    assert plan.problems[0] in worded("目标未完成", 指标="录用信息", 目标="逐年提高",
                                      实际="35篇", 差距="较上年减少7篇")
    assert plan.problems[1] in worded("隐患未整改", 排查=10, 未整改=1, 整改率="90.0%")
    assert plan.problems[3] == "社区工作人员短缺，活动阵地不足"
    # the parameters' steps first, then one drafted step per drafted problem
    assert plan.next_steps[0] == "新增一处室外健身场所"
    assert plan.next_steps[1:] == [p.next_step for p in plan.drafted]
    assert plan.next_steps[1] in STEPS["指标"]["info.*"]
    assert plan.next_steps[2] in stepped(STEPS["规则"]["隐患未整改"], 未整改=1)
    assert plan.source == "拟写"


def test_parameters_problems_replace_the_drafted_ones():
    f = everything()
    f.params = {"存在问题": ["居民参与度不高", "经费保障不足"], "补充问题": ["不会出现"],
                "下一步工作打算": ["成立业主委员会"]}
    plan = plan_problems(f)
    assert plan.problems == ["居民参与度不高", "经费保障不足"]
    assert plan.next_steps == ["成立业主委员会"]
    assert plan.drafted == [] and plan.source == "参数"


def test_nothing_to_draft_gives_only_the_analysts_items():
    f = make(params={"补充问题": ["活动阵地不足"]})
    assert plan_problems(f).problems == ["活动阵地不足"]
    assert plan_problems(make()).problems == []


# -- rules as data ---------------------------------------------------------------------

def test_threshold_overridden_by_key():
    f = make([row("donation.amount", "募集捐款", "元", "↑", 4943.5, 6100)],
             params={"问题规则": {"同比变差": {"阈值": 0.25}}})   # -19% is within 25%
    assert texts(f) == []
    rules = problem_rules(f)
    assert rules["同比变差"]["百分点阈值"] == 10     # fields not overridden are kept


def test_rule_switched_off_and_removed():
    base = [row("volunteer.active_rate", "活跃志愿者比例", "%", "↑", 0.3, num=3, den=10)]
    assert texts(make(base, params={"问题规则": {"志愿者活跃度": {"启用": False}}})) == []
    assert texts(make(base, params={"问题规则": {"志愿者活跃度": None}})) == []


def test_wording_overridden():
    f = make([row("volunteer.active_rate", "活跃志愿者比例", "%", "↑", 0.3, num=3, den=10)],
             params={"问题规则": {"志愿者活跃度": {"措辞": "部分志愿者参与服务不够经常（{活跃比例}）"}}})
    assert texts(f) == ["部分志愿者参与服务不够经常（30.0%）"]


def test_limit_overridden():
    f = everything()
    f.params = {"问题上限": 2}
    assert len(draft_problems(f)) == 2


@pytest.mark.parametrize("override, fragment", [
    ({"志愿者活跃度": {"措辞": "活跃度低{比例}"}}, "无法识别的占位符{比例}"),
    ({"新规则": {"条件": "人口太多", "措辞": "x", "下一步": "y"}}, "条件「人口太多」无法识别"),
    ({"台账不规范": {"阈值": "三条"}}, "「阈值」应为数字"),
    ({"台账不规范": {"门槛": 3}}, "无法识别的字段：门槛"),
])
def test_bad_rules_are_named_in_chinese(override, fragment):
    with pytest.raises(RulesError) as err:
        problem_rules({"问题规则": override})
    assert fragment in str(err.value)


def test_problem_options_listed_and_replaceable():
    assert "社区工作人员短缺，工作任务繁重" in problem_options({})
    assert problem_options({"问题选项": ["经费不足"]}) == ["经费不足"]


def test_blocks_override_by_name_and_by_list():
    blocks = blocks_config({"版块": {"社区治理": {"标题": "深化网格治理，提升服务水平"}}})
    names = [b["名称"] for b in blocks]
    assert names[0] == "党建引领" and len(names) == 6
    assert blocks[-1]["标题"] == "深化网格治理，提升服务水平"
    assert blocks[-1]["条线"] == ["物业管理", "卫生健康", "其他"]   # kept from the built-in
    only = blocks_config({"版块": [{"名称": "党建", "标题": "抓党建，促发展", "条线": ["党建"]}]})
    assert [b["名称"] for b in only] == ["党建"] and only[0]["指标"] == []
    with pytest.raises(RulesError, match="缺少「名称」或「标题」"):
        blocks_config({"版块": [{"名称": "党建"}]})

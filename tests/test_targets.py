"""The target grammar of indicators.md, read from the plans' own Chinese, and judged.

Every expected threshold, gap and gap text is worked out by hand in the comments.
"""

from __future__ import annotations

import pytest

from shequ_kit.catalogue import CATALOGUE
from shequ_kit.targets import TargetError, evaluate, parse_number, parse_target

RATE = "employment.reemployment_rate"  # %
ACT = "activity.count"  # 场次, counted from dated rows
FIRES = "safety.fires"  # 起, a stated figure
DAYS = "hazard.avg_days"  # 天, a ratio, lower is better


def test_catalogue_units_these_tests_rely_on():
    assert (CATALOGUE[RATE].unit, CATALOGUE[RATE].kind) == ("%", "rate")
    assert (CATALOGUE[ACT].unit, CATALOGUE[ACT].kind) == ("场次", "count")
    assert CATALOGUE[FIRES].unit == "起"
    assert CATALOGUE["safety.petitions"].unit == "件"
    assert CATALOGUE["activity.participants"].unit == "人次"
    assert CATALOGUE["donation.amount"].unit == "元"
    assert CATALOGUE["volunteer.registered"].unit == "名"


# -- the grammar table, row by row --------------------------------------------------------

GRAMMAR = [
    # value ≥ N; on a rate N is a percent, stored as a fraction (50% → 0.5)
    ("达到50%", RATE, "at_least", 0.5),
    ("50%以上", RATE, "at_least", 0.5),
    ("达到50%以上", RATE, "at_least", 0.5),
    ("确保95%", RATE, "at_least", 0.95),
    ("不低于90%", RATE, "at_least", 0.9),
    ("不少于12场", ACT, "at_least", 12),
    ("完成12场次", ACT, "at_least", 12),
    ("实现24场", ACT, "at_least", 24),
    ("≥12", ACT, "at_least", 12),
    (">=12", ACT, "at_least", 12),
    ("＞＝12", ACT, "at_least", 12),  # full-width, as a Chinese input method types it
    ("12", ACT, "at_least", 12),  # a bare N
    ("95", RATE, "at_least", 0.95),  # a bare number on a rate means percent
    ("100%", "hazard.rectified_rate", "at_least", 1.0),
    ("百分之九十五", RATE, "at_least", 0.95),
    # value ≤ N
    ("不超过3起", FIRES, "at_most", 3),
    ("控制在7天以内", DAYS, "at_most", 7),
    ("5天以下", DAYS, "at_most", 5),
    ("≤3", "safety.petitions", "at_most", 3),
    # value = 0
    ("杜绝", FIRES, "zero", 0),
    ("杜绝火灾事故发生", FIRES, "zero", 0),
    ("无", FIRES, "zero", 0),
    ("确保无重大刑事案件", "safety.major_criminal_cases", "zero", 0),
    ("零", FIRES, "zero", 0),
    ("0", FIRES, "zero", 0),
    ("0起", FIRES, "zero", 0),
    # 全年N次: the count ≥ N
    ("全年12次", ACT, "at_least", 12),
    ("全年不少于两次", ACT, "at_least", 2),
    ("全年开展普法活动十二场", ACT, "at_least", 12),
    # relative to last year
    ("逐年提高", "info.adopted", "increase", None),
    ("逐年上升", "info.adopted", "increase", None),
    ("逐年下降", "safety.petitions", "decrease", None),
    ("较上年提高1个百分点", "volunteer.registration_rate", "pp_increase", 0.01),
    ("较上年提高10%", "info.adopted", "pct_increase", 0.1),
    ("增长10%", "info.adopted", "pct_increase", 0.1),
    # 五个百分点 → 0.05
    ("每年提高五个百分点以上", "employment.training_rate", "pp_increase", 0.05),
]


@pytest.mark.parametrize(("text", "indicator", "kind", "threshold"), GRAMMAR)
def test_grammar_table(text, indicator, kind, threshold):
    t = parse_target(text, indicator)
    assert t.kind == kind
    assert t.threshold == pytest.approx(threshold) if threshold is not None \
        else t.threshold is None
    assert not t.soft
    assert t.granularity is None
    assert t.text == text


EVERY = [
    ("每周一次", "week", "every_week"),
    ("每周至少一次", "week", "every_week"),
    ("每半月一次", "half_month", "every_half_month"),
    ("每月至少一次", "month", "every_month"),
    ("每月一次", "month", "every_month"),
    ("每月开展一次普法宣传活动", "month", "every_month"),
    ("每月至少举办一次法制讲座", "month", "every_month"),
    ("每季度一次", "quarter", "every_quarter"),
    ("每季度至少一次", "quarter", "every_quarter"),
    ("每半年一次", "half_year", "every_half_year"),
    ("每半年至少开展一次", "half_year", "every_half_year"),
]


@pytest.mark.parametrize(("text", "granularity", "kind"), EVERY)
def test_every_period_forms_expose_granularity(text, granularity, kind):
    t = parse_target(text, ACT, {"条线": "普法"})
    assert (t.kind, t.granularity) == (kind, granularity)
    assert t.condition == {"条线": "普法"}


def test_soft_target_keeps_its_test():
    t = parse_target("力争达到60%", "employment.hard_reemployment_rate")
    assert (t.kind, t.threshold, t.soft) == ("at_least", 0.6, True)
    t = parse_target("力争每月一次", ACT)
    assert (t.kind, t.soft) == ("every_month", True)


@pytest.mark.parametrize("text", ["应保尽保", "底数清、情况明", "做到全覆盖", "一户一档",
                                  "动态管理"])
def test_text_without_a_measurable_form_is_qualitative(text):
    t = parse_target(text, "dibao.households")
    assert t.kind == "qualitative"
    assert t.granularity is None


# -- numbers and units --------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("两", 2), ("十", 10), ("十二", 12), ("二十", 20), ("一百二十", 120),
    ("一千零五十", 1050), ("两万", 20000), ("三万五千", 35000),
    ("1050", 1050), ("1,050", 1050), ("1.5万", 15000), ("12.5", 12.5),
])
def test_numbers(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize(("text", "indicator", "threshold"), [
    ("两期", ACT, 2),
    ("十二次", ACT, 12),
    ("一百二十人次", "activity.participants", 120),
    ("一千零五十人次", "activity.participants", 1050),
    ("两万元", "donation.amount", 20000),
    ("2万元", "donation.amount", 20000),  # 万元 multiplies by 10000
    ("达到1.5万元", "donation.amount", 15000),  # 1.5 × 10000
    ("500人", "volunteer.registered", 500),  # 人 for 名: the same people
    ("不超过3起", "safety.petitions", 3),  # 起 for 件: the same cases
])
def test_numerals_and_units(text, indicator, threshold):
    assert parse_target(text, indicator).threshold == threshold


@pytest.mark.parametrize(("text", "indicator", "says"), [
    ("100%", ACT, "%"),  # a % on a count
    ("0%", FIRES, "%"),
    ("8000人", "activity.participants", "人次"),  # 人 is not 人次
    ("12场", RATE, "场"),  # a count unit on a rate
    ("5000元", ACT, "元"),
    ("较上年提高1个百分点", ACT, "不是比率"),  # 百分点 only on a rate
    ("较上年提高2", RATE, "个百分点"),  # points or percent? unclear
    ("0.95", RATE, "95%"),  # 0.95% or 95%? unclear
])
def test_unit_errors(text, indicator, says):
    with pytest.raises(TargetError) as err:
        parse_target(text, indicator, source="参数文件 天运社区.yaml targets 第2条")
    message = str(err.value)
    assert message.startswith("参数文件 天运社区.yaml targets 第2条：")
    assert f"“{text}”" in message
    assert says in message


def test_unreadable_figure_is_an_error_naming_source_and_text():
    with pytest.raises(TargetError) as err:
        parse_target("低于5%", RATE, source="参数文件 defaults.yaml targets 第3条（第12行）")
    assert str(err.value).startswith(
        "参数文件 defaults.yaml targets 第3条（第12行）：目标“低于5%”无法识别")
    assert err.value.text == "低于5%"


@pytest.mark.parametrize(("text", "indicator", "says"), [
    ("每月两次", ACT, "至少一次"),
    ("每月一次", FIRES, "不是按日期登记的计数"),  # a stated figure has no dates
    ("每月一次", RATE, "不是按日期登记的计数"),
    ("不低于5起以下", FIRES, "矛盾"),
    ("", ACT, "为空"),
])
def test_forms_that_cannot_be_checked(text, indicator, says):
    with pytest.raises(TargetError, match=says):
        parse_target(text, indicator)


def test_unknown_indicator_condition_and_breakdown():
    with pytest.raises(TargetError, match="未知的指标“activity.cnt”"):
        parse_target("12", "activity.cnt")
    with pytest.raises(TargetError, match="条件“街道”不适用"):
        parse_target("12", ACT, {"街道": "闸弄口街道"})
    with pytest.raises(TargetError, match="分项统计"):
        parse_target("12", "activity.by_line")


# -- evaluation: statuses -------------------------------------------------------------------

def test_result_carries_every_key_facts_documents():
    r = evaluate(parse_target("达到50%以上", RATE), 0.635, 0.58)
    for key in ("指标", "名称", "条件", "目标", "value", "previous", "unit", "status",
                "reason", "gap", "gap_text", "soft", "kind"):
        assert key in r
    assert (r["指标"], r["名称"], r["目标"], r["unit"]) == (RATE, "登记失业人员再就业率",
                                                       "达到50%以上", "%")
    assert (r["value"], r["previous"], r["条件"]) == (0.635, 0.58, None)
    # 63.5% ≥ 50%: met, no gap
    assert (r["status"], r["gap"], r["gap_text"], r["soft"], r["kind"]) == (
        "完成", None, None, False, "at_least")


def test_missed_rate_gap_in_points():
    r = evaluate(parse_target("达到50%以上", RATE), 0.455, None)
    # 45.5% − 50% = −4.5 points, stored as the fraction −0.045
    assert r["status"] == "未完成"
    assert r["gap"] == pytest.approx(-0.045)
    assert r["gap_text"] == "差 4.5 个百分点"


def test_soft_target_missed_is_short_of_hope():
    r = evaluate(parse_target("力争达到60%", "employment.hard_reemployment_rate"), 0.45, 0.5)
    # 45% − 60% = −15 points
    assert (r["status"], r["soft"]) == ("未达预期", True)
    assert r["gap"] == pytest.approx(-0.15)
    assert r["gap_text"] == "差 15.0 个百分点"


def test_exactly_on_target_is_met():
    # 19 of 20 = 0.95 against 95%
    assert evaluate(parse_target("不低于95%", RATE), 19 / 20, None)["status"] == "完成"
    assert evaluate(parse_target("12场", ACT), 12, None)["status"] == "完成"


def test_count_gap_in_the_indicator_unit():
    r = evaluate(parse_target("全年开展24场", ACT), 12, 20)
    # 12 − 24 = −12 场次
    assert (r["status"], r["gap"], r["gap_text"]) == ("未完成", -12, "差 12 场次")


def test_amount_gap_in_wan_yuan():
    r = evaluate(parse_target("两万元", "donation.amount"), 6600, None)
    # 6600 − 20000 = −13400 元 = 1.34 万元
    assert (r["gap"], r["gap_text"]) == (-13400, "差 1.34 万元")


def test_a_gap_under_a_tenth_of_a_point_is_not_shown_as_zero():
    r = evaluate(parse_target("50%", RATE), 0.4996, None)
    # 49.96% − 50% = −0.04 points, which would round to 0.0
    assert r["status"] == "未完成"
    assert r["gap_text"] == "差不足 0.1 个百分点"


def test_at_most_over_the_limit():
    r = evaluate(parse_target("控制在7天以内", DAYS), 10.5, None)
    # 10.5 − 7 = 3.5 天 over
    assert (r["status"], r["gap"], r["gap_text"]) == ("未完成", 3.5, "超出 3.5 天")
    assert evaluate(parse_target("控制在7天以内", DAYS), 7, None)["status"] == "完成"


def test_zero_target_counts_what_happened():
    r = evaluate(parse_target("杜绝", FIRES), 2, 0)
    assert (r["status"], r["gap"], r["gap_text"]) == ("未完成", 2, "发生 2 起")
    assert evaluate(parse_target("杜绝", FIRES), 0, 1)["status"] == "完成"
    r = evaluate(parse_target("无", "safety.petitions"), 3, None)
    assert r["gap_text"] == "发生 3 件"


def test_every_month_coverage():
    t = parse_target("每月至少一次", ACT, {"条线": "普法"})
    r = evaluate(t, 14, None, coverage=(10, 12, ["2月", "7月"]))
    # 12 months, 10 with a 普法 activity: 2 lacking
    assert (r["status"], r["value"], r["gap"]) == ("未完成", 10, 2)
    assert r["gap_text"] == "尚有 2 个月未开展"
    assert r["lacking"] == ["2月", "7月"]
    assert r["条件"] == {"条线": "普法"}
    full = evaluate(t, 30, None, coverage=(12, 12, []))
    assert (full["status"], full["value"], full["gap"]) == ("完成", 12, None)


def test_every_period_half_year_and_soft():
    # As of 30 June the engine counts two quarters; both covered.
    t = parse_target("每季度一次", ACT)
    assert evaluate(t, 3, None, coverage=(2, 2, []))["status"] == "完成"
    soft = parse_target("力争每周一次", ACT)
    r = evaluate(soft, 40, None, coverage=(49, 53, ["第3周", "第9周", "第20周", "第30周"]))
    # 53 − 49 = 4 weeks lacking
    assert (r["status"], r["gap"], r["gap_text"]) == ("未达预期", 4, "尚有 4 周未开展")
    r = evaluate(parse_target("每半年一次", ACT), 1, None, coverage=(1, 2, ["下半年"]))
    assert r["gap_text"] == "尚有 1 个半年度未开展"


def test_increase_and_decrease():
    up = parse_target("逐年提高", "info.adopted")
    assert evaluate(up, 43, 42)["status"] == "完成"
    r = evaluate(up, 35, 42)
    # 35 − 42 = −7 篇
    assert (r["status"], r["gap"], r["gap_text"]) == ("未完成", -7, "较上年减少 7 篇")
    same = evaluate(up, 42, 42)
    assert (same["status"], same["gap_text"]) == ("未完成", "与上年持平")
    down = parse_target("逐年下降", "safety.petitions")
    r = evaluate(down, 7, 5)
    # 7 − 5 = +2 件
    assert (r["status"], r["gap"], r["gap_text"]) == ("未完成", 2, "较上年增加 2 件")
    assert evaluate(down, 4, 5)["status"] == "完成"
    rate_up = evaluate(parse_target("逐年提高", RATE), 0.60, 0.62)
    # 60% − 62% = −2 points
    assert rate_up["gap_text"] == "较上年下降 2.0 个百分点"


def test_points_over_last_year():
    t = parse_target("较上年提高1个百分点", "volunteer.registration_rate")
    r = evaluate(t, 0.058, 0.052)
    # needs 5.2% + 1 = 6.2%; 5.8% − 6.2% = −0.4 points
    assert r["status"] == "未完成"
    assert r["required"] == pytest.approx(0.062)
    assert r["gap"] == pytest.approx(-0.004)
    assert r["gap_text"] == "差 0.4 个百分点"
    assert evaluate(t, 0.063, 0.052)["status"] == "完成"


def test_percent_growth_on_a_count_needs_whole_items():
    t = parse_target("较上年增长10%", "info.adopted")
    # 42 × 1.10 = 46.2 → 47 篇 needed; 45 − 47 = −2
    r = evaluate(t, 45, 42)
    assert (r["required"], r["gap"], r["gap_text"]) == (47, -2, "差 2 篇")
    assert evaluate(t, 47, 42)["status"] == "完成"
    assert evaluate(t, 46, 42)["status"] == "未完成"


def test_unassessable_with_reason():
    r = evaluate(parse_target("达到50%", RATE), None, 0.5)
    assert (r["status"], r["reason"], r["gap"]) == ("无法评估", "无数据", None)
    r = evaluate(parse_target("逐年提高", "info.adopted"), 35, None)
    assert (r["status"], r["reason"]) == ("无法评估", "无上年数据")
    r = evaluate(parse_target("较上年提高1个百分点", "volunteer.registration_rate"), 0.06, None)
    assert (r["status"], r["reason"]) == ("无法评估", "无上年数据")
    r = evaluate(parse_target("每月一次", ACT, {"条线": "普法"}), None, None, coverage=None)
    assert (r["status"], r["reason"], r["value"]) == ("无法评估", "无数据", None)


def test_qualitative_is_listed_not_judged():
    r = evaluate(parse_target("应保尽保", "dibao.households"), 96, 101)
    assert (r["status"], r["gap"], r["gap_text"], r["kind"]) == (
        "定性目标", None, None, "qualitative")
    assert r["value"] == 96
    # no data does not make a qualitative target unassessable
    assert evaluate(parse_target("应保尽保", "dibao.households"), None, None)["status"] == "定性目标"


@pytest.mark.parametrize("text", ["达到五成五以上", "力争过半", "较上年明显提高"])
def test_a_measure_the_grammar_cannot_read_is_listed_with_a_warning(text):
    t = parse_target(text, "employment.reemployment_rate", source="参数文件 defaults.yaml")
    assert t.kind == "qualitative"
    warning = t.extra["warning"]
    assert warning.startswith(f"参数文件 defaults.yaml：目标“{text}”像是量化目标")
    assert "可用写法：达到N" in warning


@pytest.mark.parametrize("text", ["应保尽保", "底数清、情况明", "做到应保尽保、动态管理"])
def test_a_truly_qualitative_target_carries_no_warning(text):
    t = parse_target(text, "dibao.households")
    assert t.kind == "qualitative" and "warning" not in t.extra


def test_the_warning_reaches_the_analysts_checklist(tmp_path):
    from shequ_kit import sample
    from shequ_kit.assemble import year_facts

    sample.generate(tmp_path / "data", communities=1, years=(2024,), seed=4)
    params = tmp_path / "parameters"
    params.mkdir()
    (params / "defaults.yaml").write_text(
        "targets:\n  - 指标: employment.reemployment_rate\n    目标: 达到五成五以上\n",
        encoding="utf-8")
    [facts] = year_facts(tmp_path / "data", 2024, params).communities.values()
    [w] = [w for w in facts.quality["target_warnings"] if w["kind"] == "target_unreadable"]
    assert "达到五成五以上" in w["message"] and w["severity"] == "警告"
    [t] = facts.targets
    assert t["status"] == "定性目标"

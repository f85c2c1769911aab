"""基本情况, 活动 and 志愿服务 indicators, each figure worked out by hand below."""

from __future__ import annotations

from datetime import date

import pytest

from shequ_kit.engine import compute
from shequ_kit.schema import ENUMS
from tests.test_engine_helpers import PROFILE, activity, book, frame


def values(b, **kw):
    return {k: r.value for k, r in compute(b, **kw).items()}


# -- 基本情况 ------------------------------------------------------------------------

def test_profile_figures_and_ratios():
    res = compute(book())
    assert res["profile.households"].value == 3000
    assert res["profile.population"].value == 8000
    assert res["profile.party_members"].value == 200
    # 流动人口 2000 / 常住人口 8000
    assert res["profile.floating_share"].value == pytest.approx(0.25)
    assert (res["profile.floating_share"].numerator, res["profile.floating_share"].denominator) \
        == (2000, 8000)
    # 1600 / 8000
    assert res["profile.elderly_share"].value == pytest.approx(0.2)
    # 8000 人 / 0.5 平方公里
    assert res["profile.density"].value == pytest.approx(16000)
    # 8000 / 16 社区工作者
    assert res["profile.residents_per_worker"].value == pytest.approx(500)
    # 16 / 8000 × 10000
    assert res["profile.workers_per_10k"].value == pytest.approx(20)
    assert res["profile.workers_per_10k"].numerator == 16


def test_population_fallbacks():
    # No 常住人口: 实有人口 first.
    p = {k: v for k, v in PROFILE.items() if k != "常住人口"}
    assert compute(book(profile={**p, "实有人口": 9000}))["profile.population"].value == 9000
    # Neither: 户籍人口 6000 + 流动人口 1500 = 7500.
    p2 = {**p, "户籍人口": 6000, "流动人口": 1500}
    assert compute(book(profile=p2))["profile.population"].value == 7500


def test_profile_missing_item_and_zero_denominator():
    no_workers = {k: v for k, v in PROFILE.items() if k != "社区工作者数"}
    res = compute(book(profile=no_workers))
    assert res["profile.residents_per_worker"].value is None
    assert res["profile.workers_per_10k"].value is None
    zero = compute(book(profile={**PROFILE, "社区工作者数": 0}))
    # 8000 / 0: 无数据, not 0 and not an error; the 0 stays visible as the denominator.
    assert zero["profile.residents_per_worker"].value is None
    assert zero["profile.residents_per_worker"].denominator == 0
    # 0 / 8000 is a real 0.
    assert zero["profile.workers_per_10k"].value == 0


# -- 活动 --------------------------------------------------------------------------

ACTIVITIES = [
    activity("2023-12-30", "党建", "会议学习", 100),  # last year: not counted
    activity("2024-01-15", "普法", "讲座培训", 50, 志愿者人次=2, **{"发放资料(份)": 100}),
    activity("2024-01-20", "普法", "宣传", 30, 志愿者人次=3, **{"发放资料(份)": 200}),
    activity("2024-03-05", "党建", "会议学习", 20, 面向居民=False),  # internal meeting
    activity("2024-07-01", "综治平安", "检查巡查", 40, 志愿者人次=5),
    activity("2025-01-02", "文体", "文体", 60),  # after the as-of date
]


def test_activity_indicators():
    v = values(book(活动台账=ACTIVITIES))
    assert v["activity.count"] == 4  # the four 2024 rows
    assert v["activity.participants"] == 120  # 50 + 30 + 40; the 否 row left out
    assert v["activity.avg_participants"] == pytest.approx(40)  # 120 / 3 rows counted
    assert v["activity.per_100_residents"] == pytest.approx(1.5)  # 120 / 8000 × 100
    assert v["activity.months_covered"] == 3  # January, March, July
    assert v["activity.volunteer_visits"] == 10  # 2 + 3 + 5 (an empty cell adds nothing)
    assert v["activity.materials"] == 300  # 100 + 200
    by_line = v["activity.by_line"]
    assert list(by_line) == list(ENUMS["条线"].values)  # every value, in list order
    assert by_line["普法"] == 2 and by_line["党建"] == 1 and by_line["综治平安"] == 1
    assert sum(by_line.values()) == 4
    by_type = v["activity.by_type"]
    assert list(by_type) == list(ENUMS["活动类型"].values)
    assert (by_type["讲座培训"], by_type["宣传"], by_type["会议学习"], by_type["检查巡查"]) \
        == (1, 1, 1, 1)
    assert v["activity.by_month"] == {str(m): n for m, n in zip(
        range(1, 13), [2, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0], strict=True)}


def test_activity_avg_has_its_own_denominator():
    res = compute(book(活动台账=ACTIVITIES))["activity.avg_participants"]
    # Rows counted in participants (3), not activity.count (4).
    assert (res.numerator, res.denominator) == (120, 3)


def test_activity_without_residents_column_counts_every_row():
    rows = [activity("2024-02-01", people=10), activity("2024-02-02", people=15)]
    v = values(book(活动台账=rows))
    assert v["activity.participants"] == 25
    assert v["activity.avg_participants"] == pytest.approx(12.5)


def test_half_year_window_and_months():
    v = values(book(as_of=date(2024, 6, 30), 活动台账=ACTIVITIES))
    assert v["activity.count"] == 3  # January ×2, March; July is after 30 June
    assert list(v["activity.by_month"]) == ["1", "2", "3", "4", "5", "6"]
    assert v["activity.by_month"]["1"] == 2


def test_as_of_argument_overrides_the_workbook_date():
    v = values(book(活动台账=ACTIVITIES), as_of=date(2024, 1, 31))
    assert v["activity.count"] == 2
    assert v["activity.by_month"] == {"1": 2}


def test_empty_ledger_gives_zero_absent_ledger_gives_no_data():
    empty = frame("活动台账", [], columns=["日期", "条线", "活动名称", "活动类型", "参与人次"])
    v = values(book(活动台账=empty))
    assert v["activity.count"] == 0
    assert v["activity.participants"] == 0
    assert v["activity.months_covered"] == 0
    assert v["activity.avg_participants"] is None  # 0 / 0
    assert set(v["activity.by_line"].values()) == {0}
    # A ledger the community does not keep: 无数据 everywhere, never 0.
    v2 = values(book())
    for i in ("activity.count", "activity.participants", "activity.by_line", "activity.by_month",
              "activity.per_100_residents"):
        assert v2[i] is None, i


def test_only_rows_of_other_years_give_zero():
    v = values(book(活动台账=[activity("2023-05-01"), activity("2025-02-01")]))
    assert v["activity.count"] == 0
    assert v["activity.by_month"] == {str(m): 0 for m in range(1, 13)}


def test_missing_optional_column_only_hits_its_indicators():
    rows = [activity("2024-02-01", people=10)]
    v = values(book(活动台账=rows))
    assert v["activity.volunteer_visits"] is None  # no 志愿者人次 column
    assert v["activity.materials"] is None  # no 发放资料(份) column
    assert v["activity.count"] == 1


def test_filters_by_line_and_type():
    b = book(活动台账=ACTIVITIES)
    law = values(b, condition={"条线": "普法"})
    assert law["activity.count"] == 2
    assert law["activity.participants"] == 80  # 50 + 30
    assert law["activity.per_100_residents"] == pytest.approx(1.0)  # 80 / 8000 × 100
    assert law["activity.by_month"]["1"] == 2
    both = values(b, condition={"条线": "普法", "活动类型": "宣传"})
    assert both["activity.count"] == 1
    # An alias in a 条件 means its canonical value: 禁毒 is 综治平安.
    assert values(b, condition={"条线": "禁毒"})["activity.count"] == 1
    # A filter the ledger cannot take: 无数据, not 0 and not everything.
    assert values(b, condition={"隐患等级": "重大"})["activity.count"] is None
    # 基本情况 has no 条线: a 条件 on a profile figure is 无数据, yet the profile
    # denominator of a filtered activity ratio stays the whole population (above).
    assert law["profile.population"] is None


def test_filter_value_outside_the_list_is_a_chinese_error():
    b = book(活动台账=ACTIVITIES)
    with pytest.raises(ValueError, match="条线.*跳舞"):
        compute(b, condition={"条线": "跳舞"})
    with pytest.raises(ValueError, match="颜色"):
        compute(b, condition={"颜色": "红"})


def test_filter_follows_the_street_lists():
    from shequ_kit.schema import EnumSpec
    enums = {"条线": EnumSpec(ENUMS["条线"].values + ("楼道自治",))}
    rows = [activity("2024-04-01", "楼道自治"), activity("2024-04-02", "党建")]
    b = book(活动台账=rows, enums=enums)
    assert values(b, condition={"条线": "楼道自治"})["activity.count"] == 1
    assert values(b)["activity.by_line"]["楼道自治"] == 1


# -- 志愿服务 ----------------------------------------------------------------------

VOLUNTEERS = [
    {"志愿者编号": "V1", "姓名": "甲", "注册日期": "2022-05-01"},
    {"志愿者编号": "V2", "姓名": "乙", "注册日期": "2024-03-01"},
    {"志愿者编号": "V3", "姓名": "丙", "注册日期": "2024-11-20"},
    {"志愿者编号": "V4", "姓名": "丁", "注册日期": "2025-01-05"},  # after the as-of date
]
SERVICE = [
    {"日期": "2024-02-01", "志愿者编号": "V1", "服务时长(小时)": 2.0},
    {"日期": "2024-02-10", "志愿者编号": "V1", "服务时长(小时)": 1.5},
    {"日期": "2024-05-01", "志愿者编号": "V2", "服务时长(小时)": 3.0},
    {"日期": "2024-06-01", "志愿者编号": "V9", "服务时长(小时)": 2.0},  # not in the 名册
    {"日期": "2023-12-31", "志愿者编号": "V3", "服务时长(小时)": 4.0},  # last year
]


def test_volunteer_indicators():
    res = compute(book(志愿者名册=VOLUNTEERS, 志愿服务记录=SERVICE))
    v = {k: r.value for k, r in res.items()}
    assert v["volunteer.registered"] == 3  # V1, V2, V3
    assert v["volunteer.new"] == 2  # V2, V3 registered in 2024
    assert v["volunteer.registration_rate"] == pytest.approx(3 / 8000)
    assert v["volunteer.service_times"] == 4  # the unknown 编号 V9 still counts
    assert v["volunteer.hours"] == pytest.approx(8.5)  # 2 + 1.5 + 3 + 2
    assert v["volunteer.hours_per_volunteer"] == pytest.approx(8.5 / 3)
    # V1 and V2 served and are registered (V9 is not; V3 served only last year): 2 / 3.
    assert v["volunteer.active_rate"] == pytest.approx(2 / 3)
    assert (res["volunteer.active_rate"].numerator, res["volunteer.active_rate"].denominator) \
        == (2, 3)


def test_volunteers_half_year():
    v = values(book(as_of=date(2024, 6, 30), 志愿者名册=VOLUNTEERS, 志愿服务记录=SERVICE))
    assert v["volunteer.registered"] == 2  # V1, V2
    assert v["volunteer.new"] == 1
    assert v["volunteer.active_rate"] == pytest.approx(1.0)  # V1, V2 of 2


def test_volunteer_codes_typed_as_numbers_match():
    roster = [{"志愿者编号": "1001", "姓名": "甲", "注册日期": "2020-01-01"}]
    service = [{"日期": "2024-03-01", "志愿者编号": 1001.0, "服务时长(小时)": 1.0}]
    v = values(book(志愿者名册=roster, 志愿服务记录=service))
    assert v["volunteer.active_rate"] == pytest.approx(1.0)


def test_service_log_without_roster():
    v = values(book(志愿服务记录=SERVICE))
    assert v["volunteer.service_times"] == 4
    assert v["volunteer.registered"] is None
    assert v["volunteer.hours_per_volunteer"] is None
    assert v["volunteer.active_rate"] is None

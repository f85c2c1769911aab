"""The JSON form, 同比 over the same window of last year, coverage by period and street
totals. Expected figures are worked out by hand in each test."""

from __future__ import annotations

import json
from datetime import date

import pytest

from shequ_kit.catalogue import CATALOGUE
from shequ_kit.engine import (
    change,
    coverage,
    facts_rows,
    previous_window,
    rows,
    street_totals,
)
from tests.test_engine_helpers import activity, book

ROW_KEYS = ["community", "year", "period", "id", "name", "unit", "value", "numerator",
            "denominator", "previous"]


def by_id(out, condition=None):
    return {r["id"]: r for r in out if r.get("condition") == condition}


def half_year_pair():
    current = book(2024, as_of=date(2024, 6, 30), 活动台账=[
        activity("2024-01-10", "普法", people=30),
        activity("2024-05-10", "党建", people=20),
        activity("2024-08-10", "普法", people=50),  # after the as-of date
    ])
    previous = book(2023, 活动台账=[  # its own as-of is 31 Dec 2023
        activity("2023-02-01", "普法", people=10),
        activity("2023-06-30", "党建", people=10),  # last day of the window: counted
        activity("2023-07-01", "普法", people=10),  # outside last year's first half
        activity("2023-11-01", "普法", people=10),
    ])
    return current, previous


def test_row_shape_and_same_window_of_last_year():
    current, previous = half_year_pair()
    out = rows(current, previous)
    assert [r["id"] for r in out] == list(CATALOGUE)  # catalogue order, one row each
    r = by_id(out)["activity.count"]
    assert list(r) == ROW_KEYS  # exactly these keys, no condition key when unfiltered
    assert r["community"] == "天运社区" and r["year"] == 2024
    assert r["period"] == ["2024-01-01", "2024-06-30"]
    assert r["value"] == 2  # January, May
    # Last year over 1 Jan .. 30 Jun 2023, not its workbook's whole year: Feb, 30 Jun.
    assert r["previous"] == 2
    assert isinstance(r["value"], int) and isinstance(r["previous"], int)
    assert by_id(out)["activity.participants"]["previous"] == 20  # 10 + 10
    json.dumps(out, ensure_ascii=False)  # plain JSON, nothing numpy


def test_ratio_rows_carry_numerator_and_denominator():
    r = by_id(rows(book()))["profile.floating_share"]
    assert (r["value"], r["numerator"], r["denominator"]) == (0.25, 2000, 8000)
    assert isinstance(r["value"], float)
    # A rate of exactly 100 % stays a fraction as a float, not the integer 1.
    full = book(profile={"常住人口": 100, "流动人口": 100})
    assert by_id(rows(full))["profile.floating_share"]["value"] == 1.0
    assert isinstance(by_id(rows(full))["profile.floating_share"]["value"], float)


def test_missing_previous_year_is_no_data_not_zero():
    current, _ = half_year_pair()
    out = rows(current, None)
    assert all(r["previous"] is None for r in out)


def test_previous_year_without_the_ledger():
    current, _ = half_year_pair()
    out = by_id(rows(current, book(2023)))
    assert out["activity.count"]["previous"] is None  # last year kept no activity log
    assert out["profile.population"]["previous"] == 8000


def test_previous_window_keeps_month_and_day():
    assert previous_window(date(2024, 6, 30), 2023) == date(2023, 6, 30)
    assert previous_window(date(2024, 2, 29), 2023) == date(2023, 2, 28)  # no 29 Feb 2023


def test_condition_rows():
    current, previous = half_year_pair()
    out = rows(current, previous, conditions=(None, {"条线": "普法"}))
    law = by_id(out, {"条线": "普法"})
    # Only indicators whose ledger has 条线 are listed under this 条件.
    assert set(law) == {i for i in CATALOGUE if i.startswith("activity.")}
    assert law["activity.count"]["value"] == 1  # 10 Jan
    assert law["activity.count"]["previous"] == 1  # 1 Feb 2023 (July, Nov are outside)
    assert list(law["activity.count"]) == ROW_KEYS + ["condition"]
    # An alias in a 条件 is written back canonically; a repeated 条件 is listed once.
    again = rows(current, previous, conditions=({"条线": "普法"}, {"条线": "普法"}))
    assert len(again) == len(law)


def test_condition_error_is_chinese():
    current, previous = half_year_pair()
    with pytest.raises(ValueError, match="条线"):
        rows(current, previous, conditions=({"条线": "不存在的条线"},))


def test_facts_rows_add_better_previous_parts_and_change():
    current = book(profile={"常住人口": 8000, "流动人口": 2000},
                   活动台账=[activity("2024-03-01")] * 12)
    previous = book(2023, profile={"常住人口": 8000, "流动人口": 1600},
                    活动台账=[activity("2023-03-01")] * 10)
    out = by_id(facts_rows(current, previous))
    count = out["activity.count"]
    assert count["better"] == "↑"
    assert count["change"] == {"delta": 2, "relative": pytest.approx(0.2), "pp": None}  # 12 vs 10
    share = out["profile.floating_share"]
    assert (share["previous_numerator"], share["previous_denominator"]) == (1600, 8000)
    # 0.25 − 0.20 = 5 percentage points; no relative change for a rate.
    assert share["change"]["pp"] == pytest.approx(5.0)
    assert share["change"]["relative"] is None
    assert list(count)[:7] == ["community", "year", "period", "id", "name", "unit", "better"]


def test_change_rules():
    assert change({"id": "activity.count", "value": 5, "previous": 0}) == \
        {"delta": 5, "relative": None, "pp": None}  # 上年同期为0
    assert change({"id": "activity.count", "value": 5, "previous": None})["delta"] is None
    # A non-rate ratio gets a relative change: 12.5 vs 10 → +25 %.
    r = change({"id": "activity.avg_participants", "value": 12.5, "previous": 10.0})
    assert r["relative"] == pytest.approx(0.25) and r["pp"] is None
    b = change({"id": "activity.by_line", "value": {"普法": 3, "党建": 1},
                "previous": {"普法": 1, "党建": 2}})
    assert b["delta"] == {"普法": 2, "党建": -1}


# -- coverage ----------------------------------------------------------------------

LAW_AND_MORE = [
    activity("2024-01-15", "普法"),
    activity("2024-03-03", "普法"),
    activity("2024-03-20", "党建"),
    activity("2024-05-05", "普法"),
    activity("2024-11-11", "普法"),
    activity("2023-02-02", "普法"),  # last year: covers nothing
]


def test_coverage_by_month_quarter_half_year():
    b = book(活动台账=LAW_AND_MORE)
    law = {"条线": "普法"}
    # 普法 in January, March, May, November.
    assert coverage(b, "activity.count", law, "month") == (
        4, 12, ["2月", "4月", "6月", "7月", "8月", "9月", "10月", "12月"])
    assert coverage(b, "activity.count", law, "quarter") == (3, 4, ["第三季度"])
    assert coverage(b, "activity.count", law, "half_year") == (2, 2, [])
    # Without the 条件 the 20 March 党建 meeting counts too: still March only.
    assert coverage(b, "activity.count", None, "月")[0] == 4


def test_coverage_by_half_month():
    b = book(活动台账=LAW_AND_MORE)
    covered, total, lacking = coverage(b, "activity.count", {"条线": "普法"}, "half_month")
    # 15 Jan is the first half; 3 Mar, 5 May, 11 Nov too: 4 of 24.
    assert (covered, total) == (4, 24)
    assert "1月上半月" not in lacking and "1月下半月" in lacking
    assert coverage(b, "activity.count", None, "半月")[0] == 5  # 20 Mar: 3月下半月


def test_coverage_by_week_cut_at_as_of():
    b = book(as_of=date(2024, 1, 31), 活动台账=LAW_AND_MORE)
    # 2024-01-01 is a Monday: weeks 1-7, 8-14, 15-21, 22-28 and 29-31 (cut at the as-of).
    covered, total, lacking = coverage(b, "activity.count", None, "week")
    assert (covered, total) == (1, 5)
    assert lacking[0] == "第1周（1月1日—1月7日）"
    assert lacking[-1] == "第5周（1月29日—1月31日）"


def test_coverage_half_year_report_and_no_data():
    b = book(as_of=date(2024, 6, 30), 活动台账=LAW_AND_MORE)
    assert coverage(b, "activity.count", None, "month") == (3, 6, ["2月", "4月", "6月"])
    assert coverage(book(), "activity.count", None, "month") is None  # no activity log
    assert coverage(b, "activity.count", {"隐患等级": "重大"}, "month") is None
    with pytest.raises(ValueError, match="整改率"):
        coverage(book(), "hazard.rectified_rate", None, "month")
    with pytest.raises(ValueError, match="检查周期"):
        coverage(b, "activity.count", None, "每天")


# -- street totals -----------------------------------------------------------------

def row(community, indicator_id, value, numerator=None, denominator=None, previous=None,
        prev_num=None, prev_den=None, condition=None):
    r = {"community": community, "year": 2024, "period": ["2024-01-01", "2024-12-31"],
         "id": indicator_id, "name": CATALOGUE[indicator_id].name,
         "unit": CATALOGUE[indicator_id].unit, "value": value, "numerator": numerator,
         "denominator": denominator, "previous": previous,
         "previous_numerator": prev_num, "previous_denominator": prev_den}
    if condition:
        r["condition"] = condition
    return r


STREET_ROWS = [
    row("甲社区", "activity.count", 10, previous=8),
    row("乙社区", "activity.count", 5, previous=4),
    row("丙社区", "activity.count", None),
    row("甲社区", "employment.reemployment_rate", 0.5, 1, 2, 0.25, 1, 4),
    row("乙社区", "employment.reemployment_rate", 0.9, 9, 10, 0.75, 3, 4),
    row("丙社区", "employment.reemployment_rate", None, 0, 0),  # zero denominator
    row("甲社区", "hazard.avg_days", 2.5, 10, 4),
    row("乙社区", "hazard.avg_days", 10.5, 21, 2),
    row("甲社区", "activity.months_covered", 12),
    row("乙社区", "activity.months_covered", 9),
    row("甲社区", "activity.by_line", {"普法": 2, "党建": 1}),
    row("乙社区", "activity.by_line", {"普法": 1, "党建": 0}),
    row("甲社区", "volunteer.registered", 30, previous=25),
    row("乙社区", "volunteer.registered", 20, previous=None),
    row("甲社区", "activity.count", 2, previous=1, condition={"条线": "普法"}),
    row("乙社区", "activity.count", 1, previous=3, condition={"条线": "普法"}),
    {**row("闸弄口街道", "activity.count", 999), "level": "street"},  # ignored
]


def test_street_totals_sum_and_pool():
    out = street_totals(STREET_ROWS, "闸弄口街道", 2024, ["2024-01-01", "2024-12-31"])
    totals = {(r["id"], json.dumps(r.get("condition"), ensure_ascii=False)): r for r in out}
    count = totals[("activity.count", "null")]
    assert count["level"] == "street" and count["community"] == "闸弄口街道"
    assert count["value"] == 15  # 10 + 5; 丙 has no activity log
    assert count["missing_communities"] == 1
    assert count["previous"] == 12  # 8 + 4
    rate = totals[("employment.reemployment_rate", "null")]
    # Pooled (1 + 9) / (2 + 10) = 0.8333, not the mean of 0.5 and 0.9 (0.7).
    assert rate["value"] == pytest.approx(10 / 12)
    assert (rate["numerator"], rate["denominator"]) == (10, 12)
    assert rate["missing_communities"] == 1
    assert rate["previous"] == pytest.approx(4 / 8)  # (1 + 3) / (4 + 4)
    # (10 + 21) / (4 + 2) = 5.1667 → 5.2 days
    assert totals[("hazard.avg_days", "null")]["value"] == 5.2
    assert ("activity.months_covered", "null") not in totals
    assert totals[("activity.by_line", "null")]["value"] == {"普法": 3, "党建": 1}
    # 乙 has no figure for last year: no total for last year rather than a lopsided one.
    reg = totals[("volunteer.registered", "null")]
    assert (reg["value"], reg["previous"]) == (50, None)
    law = totals[("activity.count", '{"条线": "普法"}')]
    assert (law["value"], law["previous"], law["condition"]) == (3, 4, {"条线": "普法"})
    assert all(r["value"] != 999 for r in out)


def test_street_total_of_no_data_everywhere():
    out = street_totals([row("甲社区", "safety.fires", None), row("乙社区", "safety.fires", None)],
                        "闸弄口街道", 2024, ["2024-01-01", "2024-12-31"])
    assert out[0]["value"] is None and out[0]["missing_communities"] == 2


def test_street_totals_from_real_rows():
    a = book(活动台账=[activity("2024-01-01", people=10)] * 3)
    b = book(community="清江社区", profile={"常住人口": 2000}, 活动台账=[activity("2024-02-01")])
    out = street_totals(facts_rows(a) + facts_rows(b), "闸弄口街道", 2024,
                        ["2024-01-01", "2024-12-31"])
    t = {r["id"]: r for r in out}
    assert t["activity.count"]["value"] == 4
    assert t["profile.population"]["value"] == 10000  # 8000 + 2000
    # (30 + 10) participants / 10000 residents × 100 = 0.4
    assert t["activity.per_100_residents"]["value"] == pytest.approx(0.4)
    # 清江社区 has no 流动人口: left out of the pooled share, counted as missing.
    assert t["profile.floating_share"]["value"] == pytest.approx(0.25)
    assert t["profile.floating_share"]["missing_communities"] == 1

"""Figures written the genre's way; expected strings worked out by hand."""

from datetime import date

import pytest

from shequ_kit.numfmt import (
    as_of_phrase,
    cn_date,
    cn_number,
    enumerate_shi,
    fmt_amount,
    fmt_pct,
    fmt_quantity,
    fmt_ratio,
    fmt_value,
    heading_ordinal,
    item_ordinal,
    month_list,
    paren_ordinal,
    yoy_phrase,
)


def test_counts_in_prose_have_no_separators_tables_may():
    assert fmt_quantity(8420, "人次") == "8420人次"
    assert fmt_quantity(8420, "人次", table=True) == "8,420人次"
    assert fmt_quantity(12, "场次") == "12场次"


@pytest.mark.parametrize("yuan, expected", [
    (13400, "1.34万元"),      # 13400 / 10000 = 1.34
    (12250, "1.23万元"),      # 1.225 half-up → 1.23 (banker's would give 1.22)
    (10000, "1.00万元"),      # from 10000 on: 万元 with two decimals
    (9999, "9999元"),         # below 10000: as written
    (4943.5, "4943.5元"),
    (161250, "16.13万元"),    # 16.125 half-up → 16.13
])
def test_amounts(yuan, expected):
    assert fmt_amount(yuan) == expected


@pytest.mark.parametrize("fraction, expected", [
    (0.635, "63.5%"),
    (0.12345, "12.3%"),   # 12.345 → 12.3 (second decimal 4 rounds down)
    (0.0625, "6.3%"),     # 6.25 → 6.3 half-up; banker's rounding would print 6.2
    (0.125, "12.5%"),
    (1, "100.0%"),
    (0, "0.0%"),
])
def test_percentages_one_decimal_half_up(fraction, expected):
    assert fmt_pct(fraction) == expected


def test_other_ratios_one_decimal_half_up():
    assert fmt_ratio(12.25) == "12.3"
    assert fmt_ratio(2) == "2.0"
    # 3762.5 hours / 320 volunteers = 11.7578… → 11.8
    assert fmt_quantity(3762.5 / 320, "小时", ratio=True) == "11.8小时"


def test_missing_value_is_never_zero():
    assert fmt_value(None, "人") == "无数据"


@pytest.mark.parametrize("value, previous, unit, expected", [
    (110, 100, "场次", "同比增长10.0%"),          # (110-100)/100
    (88, 100, "场次", "同比下降12.0%"),           # (88-100)/100
    (8420, 7500, "人次", "同比增长12.3%"),        # 920/7500 = 12.266…%
    (100, 100, "场次", "较上年同期持平"),
    (5, 0, "场次", "上年同期为0"),
    (0.635, 0.614, "%", "较上年同期提高2.1个百分点"),   # 63.5 - 61.4
    (0.5, 0.55, "%", "较上年同期下降5.0个百分点"),
    (0.6, 0.6, "%", "较上年同期持平"),
    (3, None, "件", "无上年数据"),
])
def test_yoy_phrases(value, previous, unit, expected):
    assert yoy_phrase(value, previous, unit) == expected


def test_yoy_without_current_value_says_nothing():
    assert yoy_phrase(None, 3, "件") is None


def test_dates():
    assert cn_date(date(2024, 12, 31)) == "2024年12月31日"
    assert cn_date("2025-01-05") == "2025年1月5日"
    assert as_of_phrase("2024-06-30") == "截至6月30日"
    assert as_of_phrase("2024-06-30", with_year=True) == "截至2024年6月30日"


@pytest.mark.parametrize("n, expected", [
    (1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (23, "二十三"),
    (100, "一百"), (105, "一百零五"), (110, "一百一十"), (123, "一百二十三"),
])
def test_chinese_numbers(n, expected):
    assert cn_number(n) == expected


def test_ordinals():
    assert heading_ordinal(3) == "三、"
    assert paren_ordinal(2) == "（二）"
    assert item_ordinal(4) == "四是"
    assert enumerate_shi(["化解矛盾纠纷。", "落实防火责任"]) == "一是化解矛盾纠纷；二是落实防火责任。"
    assert enumerate_shi([]) == ""


def test_month_lists_collapse_runs():
    assert month_list([2, 7, 8, 9]) == "2月、7月至9月"
    assert month_list([3, 4]) == "3月、4月"
    assert month_list([12, 1]) == "1月、12月"

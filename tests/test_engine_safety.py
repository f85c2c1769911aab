"""平安 (disputes, hazards, 平安稳定), 帮扶, 捐赠 and 信息 indicators, worked by hand."""

from __future__ import annotations

from datetime import date

import pytest

from shequ_kit.engine import compute
from shequ_kit.schema import SAFETY_ITEMS
from tests.test_engine_helpers import book


def values(b, **kw):
    return {k: r.value for k, r in compute(b, **kw).items()}


def case(day, kind, result):
    return {"受理日期": day, "纠纷类型": kind, "调解结果": result}


DISPUTES = [
    case("2024-01-05", "邻里纠纷", "调解成功"),
    case("2024-02-05", "婚姻家庭", "调解成功"),
    case("2024-03-05", "邻里纠纷", "移交处理"),
    case("2024-04-05", "物业纠纷", "调解中"),
    case("2024-05-05", "邻里纠纷", "调解不成功"),
    case("2023-12-20", "邻里纠纷", "调解成功"),  # last year
]


def test_disputes():
    v = values(book(矛盾纠纷台账=DISPUTES))
    assert v["dispute.accepted"] == 5
    assert v["dispute.resolved"] == 2
    assert v["dispute.transferred"] == 1
    assert v["dispute.success_rate"] == pytest.approx(0.5)  # 2 / (5 − 1 still 调解中)
    by_type = v["dispute.by_type"]
    assert (by_type["邻里纠纷"], by_type["婚姻家庭"], by_type["物业纠纷"]) == (3, 1, 1)
    assert sum(by_type.values()) == 5


def test_dispute_filters():
    b = book(矛盾纠纷台账=DISPUTES)
    v = values(b, condition={"纠纷类型": "邻里纠纷"})
    assert v["dispute.accepted"] == 3
    assert v["dispute.success_rate"] == pytest.approx(1 / 3)  # 1 success of 3 concluded
    # 来源 is a column of this ledger but these rows do not keep it: 无数据.
    assert values(b, condition={"来源": "排查"})["dispute.accepted"] is None


def hazard(found, kind, grade="一般", deadline=None, done=None, state=None):
    return {"发现日期": found, "隐患类别": kind, "隐患等级": grade, "整改期限": deadline,
            "整改日期": done, "整改情况": state}


HAZARDS = [
    hazard("2024-02-01", "消防", deadline="2024-02-15", done="2024-02-10"),  # on time, 9 days
    hazard("2024-03-01", "燃气", "重大", "2024-03-10", "2024-03-20"),  # late, 19 days
    hazard("2024-04-01", "用电", deadline="2024-04-30", state="已整改"),  # done, no date
    hazard("2024-05-01", "消防", deadline="2024-05-31", state="整改中"),  # not done
    hazard("2024-06-01", "电动自行车", done="2024-06-05"),  # no deadline, 4 days
    hazard("2023-11-01", "消防", deadline="2023-12-01", done="2024-01-10"),  # carried over
    hazard("2024-12-20", "燃气", deadline="2025-01-10", done="2025-01-05"),  # done next year
    hazard("2023-10-01", "用电", done="2023-10-05"),  # all last year
]


def test_hazards():
    res = compute(book(安全隐患台账=HAZARDS))
    v = {k: r.value for k, r in res.items()}
    assert v["hazard.found"] == 6  # the six found in 2024
    # Rectified by 31 Dec: Feb, Mar, Apr (已整改 without a date), Jun.
    assert v["hazard.rectified"] == 4
    assert v["hazard.rectified_rate"] == pytest.approx(4 / 6)
    # With a deadline, dateless 已整改 left out: Feb, Mar, May, Dec → on time: Feb only.
    assert v["hazard.ontime_rate"] == pytest.approx(0.25)
    assert (res["hazard.ontime_rate"].numerator, res["hazard.ontime_rate"].denominator) == (1, 4)
    # (9 + 19 + 4) / 3 = 10.67 → 10.7
    assert v["hazard.avg_days"] == 10.7
    assert (res["hazard.avg_days"].numerator, res["hazard.avg_days"].denominator) == (32, 3)
    assert v["hazard.major"] == 1
    assert v["hazard.carried_over"] == 1  # found Nov 2023, rectified Jan 2024
    by_type = v["hazard.by_type"]
    assert (by_type["消防"], by_type["燃气"], by_type["用电"], by_type["电动自行车"]) \
        == (2, 2, 1, 1)
    assert sum(by_type.values()) == 6


def test_hazard_avg_days_rounds_half_up():
    rows = [hazard("2024-03-01", "消防", done=d)
            for d in ("2024-03-11", "2024-03-12", "2024-03-11", "2024-03-11")]
    # (10 + 11 + 10 + 10) / 4 = 10.25 → 四舍五入 10.3 (banker's rounding would say 10.2)
    assert values(book(安全隐患台账=rows))["hazard.avg_days"] == 10.3


def test_hazards_half_year():
    v = values(book(as_of=date(2024, 6, 30), 安全隐患台账=HAZARDS))
    assert v["hazard.found"] == 5  # February to June
    assert v["hazard.rectified"] == 4
    assert v["hazard.ontime_rate"] == pytest.approx(1 / 3)  # Feb of Feb, Mar, May


def test_hazard_missing_columns():
    no_deadline = [{k: v for k, v in r.items() if k != "整改期限"} for r in HAZARDS]
    v = values(book(安全隐患台账=no_deadline))
    assert v["hazard.ontime_rate"] is None
    assert v["hazard.rectified"] == 4
    state_only = [{k: v for k, v in r.items() if k != "整改日期"} for r in HAZARDS]
    v = values(book(安全隐患台账=state_only))
    assert v["hazard.rectified"] == 1  # only the 已整改 row is known to be done
    assert v["hazard.avg_days"] is None
    assert v["hazard.carried_over"] is None
    bare = [{k: v for k, v in r.items() if k in ("发现日期", "隐患类别")} for r in HAZARDS]
    v = values(book(安全隐患台账=bare))
    assert v["hazard.found"] == 6
    for i in ("hazard.rectified", "hazard.rectified_rate", "hazard.major"):
        assert v[i] is None, i


def test_safety_sheet_values():
    v = values(book(safety={"火灾事故(起)": 0, "刑事案件(起)": 3}))
    assert v["safety.fires"] == 0  # stated 0: 杜绝 may be written
    assert v["safety.criminal_cases"] == 3
    assert v["safety.petitions"] is None  # not stated: nothing is said
    absent = values(book())
    assert all(absent[f"safety.{s}"] is None for _, s in SAFETY_ITEMS)


ASSISTANCE = [
    {"日期": "2024-01-10", "对象类别": "低保户", "帮扶形式": "走访慰问", "户次": 10, "金额(元)": 1000},
    {"日期": "2024-02-10", "对象类别": "残疾人", "帮扶形式": "物资", "户次": 5, "金额(元)": None},
    {"日期": "2024-03-10", "对象类别": "低保户", "帮扶形式": "临时救助", "户次": 2,
     "金额(元)": 2000.5},
    {"日期": "2023-12-25", "对象类别": "低保户", "帮扶形式": "走访慰问", "户次": 8, "金额(元)": 800},
]


def test_assistance():
    v = values(book(帮扶台账=ASSISTANCE))
    assert v["assistance.visits"] == 17  # 10 + 5 + 2
    assert v["assistance.amount"] == pytest.approx(3000.5)  # 1000 + 2000.5
    assert v["assistance.by_group"]["低保户"] == 12 and v["assistance.by_group"]["残疾人"] == 5
    assert sum(v["assistance.by_group"].values()) == 17
    assert values(book(帮扶台账=ASSISTANCE), condition={"帮扶形式": "走访慰问"})[
        "assistance.visits"] == 10
    no_money = [{k: x for k, x in r.items() if k != "金额(元)"} for r in ASSISTANCE]
    assert values(book(帮扶台账=no_money))["assistance.amount"] is None


def test_donations_and_information():
    donations = [
        {"日期": "2024-03-01", "项目": "慈善一日捐", "捐赠人次": 100, "金额(元)": 5000},
        {"日期": "2024-09-09", "项目": "助学", "捐赠人次": None, "金额(元)": 1200.5},
        {"日期": "2023-06-01", "项目": "慈善一日捐", "捐赠人次": 90, "金额(元)": 4000},
    ]
    info = [
        {"报送日期": "2024-01-03", "标题": "甲", "类型": "简报", "是否录用": True},
        {"报送日期": "2024-02-03", "标题": "乙", "类型": "简报", "是否录用": False},
        {"报送日期": "2024-03-03", "标题": "丙", "类型": "公众号", "是否录用": None},
        {"报送日期": "2024-04-03", "标题": "丁", "类型": "公众号", "是否录用": True},
        {"报送日期": "2023-12-03", "标题": "戊", "类型": "简报", "是否录用": True},
    ]
    b = book(捐赠台账=donations, 信息报送台账=info)
    v = values(b)
    assert v["donation.amount"] == pytest.approx(6200.5)
    assert v["donation.donors"] == 100
    assert v["info.submitted"] == 4
    assert v["info.adopted"] == 2  # empty 是否录用 = 否
    assert v["info.adoption_rate"] == pytest.approx(0.5)
    brief = values(b, condition={"类型": "简报"})
    assert (brief["info.submitted"], brief["info.adopted"]) == (2, 1)

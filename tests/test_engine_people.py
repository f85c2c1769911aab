"""低保, 残疾人 and 就业 indicators: registers of people, active spells, distinct people.
Every expected figure is worked out by hand next to it."""

from __future__ import annotations

from datetime import date

import pytest

from shequ_kit.engine import compute
from shequ_kit.schema import ENUMS
from tests.test_engine_helpers import book, frame

# Made-up ID strings: the engine only needs them to tell people apart.
A, B, C, D, E = (f"11010519800101{n:03d}X" for n in range(5))


def values(b, **kw):
    return {k: r.value for k, r in compute(b, **kw).items()}


def dibao(pid, cls, persons, money, start, end=None):
    return {"户主姓名": "户主", "身份证号": pid, "类别": cls, "保障人数": persons,
            "月保障金(元)": money, "纳入日期": start, "退出日期": end}


DIBAO = [
    dibao(A, "A", 3, 1000, "2022-01-01"),  # active all year
    dibao(B, "B", 2, 600, "2023-06-01", "2024-03-31"),  # exits on a month's last day
    dibao(C, "B", 1, 400, "2024-09-10"),  # new in September
    dibao(B, "C", 2, 500, "2024-10-01"),  # B comes back in October, now class C
    dibao(D, "A", 4, 1200, "2021-01-01", "2023-12-31"),  # exited last year
    dibao(E, "C", 1, 300, "2025-01-10"),  # after the as-of date
]


def test_dibao_at_year_end():
    v = values(book(低保台账=DIBAO))
    assert v["dibao.households"] == 3  # A, C and B (its second period)
    assert v["dibao.persons"] == 6  # 3 + 1 + 2
    assert v["dibao.by_class"] == {"A": 1, "B": 1, "C": 1}  # A: A; B: C; C: B
    assert v["dibao.persons_by_class"] == {"A": 3, "B": 1, "C": 2}
    assert v["dibao.new"] == 2  # C in September, B in October
    assert v["dibao.exited"] == 1  # B on 31 March; D left in 2023
    assert v["dibao.monthly_amount"] == 1900  # 1000 + 400 + 500
    assert v["dibao.coverage_rate"] == pytest.approx(6 / 7000)  # persons / 户籍人口


def test_dibao_period_amount_counts_months_active_at_their_end():
    v = values(book(低保台账=DIBAO))
    # A: 12 month-ends × 1000 = 12000
    # B first period: active on 31 Jan and 29 Feb; on 31 Mar it has exited: 2 × 600 = 1200
    # C: 30 Sep, 31 Oct, 30 Nov, 31 Dec: 4 × 400 = 1600
    # B second period: 31 Oct, 30 Nov, 31 Dec: 3 × 500 = 1500
    assert v["dibao.period_amount"] == 12000 + 1200 + 1600 + 1500


def test_dibao_half_year():
    v = values(book(as_of=date(2024, 6, 30), 低保台账=DIBAO))
    assert v["dibao.households"] == 1  # only A on 30 June
    assert v["dibao.persons"] == 3
    assert v["dibao.new"] == 0
    assert v["dibao.exited"] == 1
    assert v["dibao.period_amount"] == 6 * 1000 + 2 * 600


def test_dibao_without_exit_column():
    rows = [{k: v for k, v in r.items() if k != "退出日期"} for r in DIBAO[:1]]
    v = values(book(低保台账=rows))
    assert v["dibao.households"] == 1
    assert v["dibao.exited"] is None  # the ledger does not record exits


def test_dibao_absent_ledger_and_missing_household_population():
    assert values(book())["dibao.households"] is None
    v = values(book(profile={"常住人口": 8000}, 低保台账=DIBAO))
    assert v["dibao.persons"] == 6
    assert v["dibao.coverage_rate"] is None  # no 户籍人口


# -- 残疾人 ------------------------------------------------------------------------

def person(pid, kind, grade, cert=None, subsidy=None, visits=None):
    return {"姓名": "某", "身份证号": pid, "残疾类别": kind, "残疾等级": grade,
            "是否持证": cert, "两项补贴": subsidy, "走访服务次数": visits}


DISABLED = [
    person(A, "肢体", "一级", True, True, 3),
    person(B, "肢体", "三级", False, False, 2),
    person(C, "视力", "二级", None, True, 0),  # empty 是否持证 = 否
    person(D, "精神", "四级", True, None, None),
]


def test_disability_indicators():
    v = values(book(残疾人台账=DISABLED))
    assert v["disability.total"] == 4
    assert list(v["disability.by_type"]) == list(ENUMS["残疾类别"].values)  # all seven
    assert v["disability.by_type"] == {"视力": 1, "听力": 0, "言语": 0, "肢体": 2, "智力": 0,
                                       "精神": 1, "多重": 0}
    assert v["disability.by_grade"] == {"一级": 1, "二级": 1, "三级": 1, "四级": 1}
    assert v["disability.severe"] == 2  # 一级 A, 二级 C
    assert v["disability.certified_rate"] == pytest.approx(0.5)  # A, D of 4
    assert v["disability.subsidy"] == 2  # A, C
    assert v["disability.visits"] == 5  # 3 + 2 + 0
    assert v["disability.visits_per_person"] == pytest.approx(1.25)  # 5 / 4


def test_disability_missing_columns_and_empty_ledger():
    rows = [{k: v for k, v in r.items() if k not in ("是否持证", "走访服务次数")}
            for r in DISABLED]
    v = values(book(残疾人台账=rows))
    assert v["disability.total"] == 4
    assert v["disability.certified_rate"] is None
    assert v["disability.visits"] is None
    assert v["disability.visits_per_person"] is None
    empty = frame("残疾人台账", [], columns=["姓名", "身份证号", "残疾类别", "残疾等级",
                                             "是否持证", "走访服务次数"])
    v = values(book(残疾人台账=empty))
    assert v["disability.total"] == 0
    assert v["disability.visits"] == 0
    assert v["disability.certified_rate"] is None  # 0 / 0
    assert v["disability.visits_per_person"] is None


# -- 就业 --------------------------------------------------------------------------

P1, P2, P3, P4, P5, P6, P7, P8 = (f"33010619900101{n:03d}X" for n in range(8))


def reg(pid, start, job=None, form=None, cancel=None, hard=False, training=False):
    return {"姓名": "某", "身份证号": pid, "登记失业日期": start, "就业困难人员": hard,
            "参加培训": training, "再就业日期": job, "就业形式": form, "注销日期": cancel,
            "注销原因": "迁出" if cancel else None}


UNEMPLOYED = [
    reg(P1, "2023-05-01", job="2024-03-01", form="单位就业", hard=True, training=True),
    reg(P2, "2022-01-01", job="2023-11-01", form="单位就业"),  # ended before the period
    reg(P2, "2024-02-01", job="2024-09-01", form="灵活就业"),  # P2 re-enters, finds work
    reg(P3, "2024-04-01", cancel="2024-08-01", hard=True),  # moves away
    reg(P4, "2023-09-01", training=True),  # still unemployed
    reg(P5, "2024-06-01", hard=True),  # still unemployed
    reg(P6, "2024-03-01", job="2025-02-01", form="自主创业"),  # works only next year
    reg(P7, "2025-01-10"),  # registers after the as-of date
    reg(P8, "2021-01-01", cancel="2023-06-01"),  # ended by 注销 before the period
    reg(P1, "2024-05-01"),  # P1 unemployed again after the March job
]


def test_employment_year():
    res = compute(book(失业人员台账=UNEMPLOYED))
    v = {k: r.value for k, r in res.items()}
    # Open during 2024: P1, P2, P3, P4, P5, P6 (P2's and P1's two registrations count once).
    assert v["employment.registered_in_year"] == 6
    # Active on 31 Dec: P4, P5, P6 (job in 2025), P1 (second registration).
    assert v["employment.unemployed_end"] == 4
    assert v["employment.reemployed"] == 2  # P1 (March), P2 (September)
    # Denominator: 6 − P3 (注销 in the period, not re-employed) = 5; 2 / 5.
    assert v["employment.reemployment_rate"] == pytest.approx(0.4)
    rate = res["employment.reemployment_rate"]
    assert (rate.numerator, rate.denominator) == (2, 5)
    # 就业困难人员 rows: P1 (first), P3, P5. Open: 3; P3 ended by 注销: 3 − 1 = 2.
    assert v["employment.hard_reemployed"] == 1  # P1
    assert v["employment.hard_reemployment_rate"] == pytest.approx(0.5)
    # Trained among the 6: P1, P4.
    assert v["employment.training_rate"] == pytest.approx(2 / 6)
    assert v["employment.by_form"] == {"单位就业": 1, "灵活就业": 1, "自主创业": 0,
                                       "公益性岗位": 0, "其他": 0}


def test_employment_half_year():
    v = values(book(as_of=date(2024, 6, 30), 失业人员台账=UNEMPLOYED))
    # Open by 30 June: P1, P2 (Feb), P3 (Apr), P4, P5 (Jun), P6 (Mar) = 6.
    assert v["employment.registered_in_year"] == 6
    # On 30 June P1 is registered again (since 1 May), P2 works only from September,
    # P3 leaves only in August: P1..P6 are all registered.
    assert v["employment.unemployed_end"] == 6
    assert v["employment.reemployed"] == 1  # P1 in March
    assert v["employment.reemployment_rate"] == pytest.approx(1 / 6)  # no 注销 by June


def test_employment_without_cancellation_column():
    rows = [{k: v for k, v in r.items() if k not in ("注销日期", "注销原因")}
            for r in UNEMPLOYED[:3]]
    v = values(book(失业人员台账=rows))
    # P1 open and re-employed; P2's first registration ended 2023, second open and
    # re-employed: 2 people, both re-employed.
    assert v["employment.registered_in_year"] == 2
    assert v["employment.reemployment_rate"] == pytest.approx(1.0)


def test_employment_missing_columns():
    rows = [{k: v for k, v in r.items()
             if k not in ("再就业日期", "就业形式", "就业困难人员", "参加培训")}
            for r in UNEMPLOYED]
    v = values(book(失业人员台账=rows))
    # Without 再就业日期 nobody is known to have left by a job: P1..P6 open, and at the
    # year end P1, P2, P4, P5, P6 (P3 left by 注销).
    assert v["employment.registered_in_year"] == 6
    assert v["employment.unemployed_end"] == 5
    for i in ("employment.reemployed", "employment.reemployment_rate",
              "employment.hard_reemployed", "employment.hard_reemployment_rate",
              "employment.training_rate", "employment.by_form"):
        assert v[i] is None, i


def test_employment_zero_denominator():
    # One person, moved away during the year: 1 − 1 = 0 → 无数据.
    v = values(book(失业人员台账=[reg(P1, "2024-01-10", cancel="2024-02-01")]))
    assert v["employment.registered_in_year"] == 1
    assert v["employment.reemployment_rate"] is None
    assert v["employment.hard_reemployment_rate"] is None  # nobody is 就业困难人员

"""Any period (--period): parsing, windows, 同比, 环比, 序时进度 and the words.

Two small workbooks are written by hand, 2023 and 2024 of 天运社区, with activities on
known dates; every figure below is counted from these lists by hand:

2024 (统计截止日期 12月31日), 18 activities:
  01-03 (第1周)  02-20  03-01 03-15 03-31 (3月: 3)
  04-01 04-07 (第14周 4月1日—7日: 2)  04-08 04-10 04-14 (第15周 4月8日—14日: 3)
  04-15  06-30  07-01 08-15 09-10(文体) 09-30 (第三季度: 4)  10-01
  第二季度 04-01 .. 06-30: 04-01 04-07 04-08 04-10 04-14 04-15 06-30 = 7
  2024-03-10..2024-04-08: 03-15 03-31 04-01 04-07 04-08 = 5
2023 (统计截止日期 12月31日), 7 activities:
  03-02 03-20 (3月: 2)  04-12 (第15周 4月10日—16日: 1)  07-05 08-08 (第三季度: 2)
  12-27 (第52周 12月25日—31日: 1)  11-11
平安稳定 2024: 火灾事故 0 起, 刑事案件 2 起 (the whole year's; a quarter's is unknown).
低保台账 2024 (active at a window's end is what 低保户 counts):
  户1 纳入 2023-05-01        户2 纳入 2024-08-01
  户3 纳入 2024-01-10 退出 2024-05-15        户4 纳入 2024-09-01
  at 9月30日: 户1 户2 户4 = 3; at 6月30日: 户1 = 1; at 3月31日: 户1 户3 = 2
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from shequ_kit.assemble import year_facts
from shequ_kit.narrative import build_document, build_overview
from shequ_kit.period import (
    Period,
    PeriodError,
    parse_period,
    prior_phrase,
    year_to_date,
)

A2024 = [("2024-01-03", "党建"), ("2024-02-20", "党建"), ("2024-03-01", "党建"),
         ("2024-03-15", "党建"), ("2024-03-31", "党建"), ("2024-04-01", "党建"),
         ("2024-04-07", "党建"), ("2024-04-08", "党建"), ("2024-04-10", "党建"),
         ("2024-04-14", "党建"), ("2024-04-15", "党建"), ("2024-06-30", "党建"),
         ("2024-07-01", "党建"), ("2024-08-15", "党建"), ("2024-09-10", "文体"),
         ("2024-09-30", "党建"), ("2024-10-01", "党建"), ("2024-11-20", "党建")]
A2023 = [("2023-03-02", "党建"), ("2023-03-20", "党建"), ("2023-04-12", "党建"),
         ("2023-07-05", "党建"), ("2023-08-08", "党建"), ("2023-11-11", "党建"),
         ("2023-12-27", "党建")]

TARGETS = """社区名称: 天运社区
targets:
  - {指标: activity.count, 目标: 不少于20场次}
  - {指标: activity.count, 条件: {条线: 文体}, 目标: 不少于4场}
  - {指标: safety.fires, 目标: 杜绝火灾事故}
"""


def check_digit(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


def valid_id(n: int) -> str:
    first = f"3301061985{n:02d}0101{n:03d}"[:17]
    return first + check_digit(first)


DIBAO = [(1, "2023-05-01", None), (2, "2024-08-01", None), (3, "2024-01-10", "2024-05-15"),
         (4, "2024-09-01", None)]


def write_book(root: Path, year: int, as_of: datetime, acts: list[tuple[str, str]],
               safety: dict[str, int] | None = None, community: str = "天运社区",
               dibao: list[tuple[int, str, str | None]] | None = None) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本情况"
    for row in (["项目", "数值"], ["社区名称", community], ["所属街道", "闸弄口街道"],
                ["统计截止日期", as_of], ["常住人口", 8000], ["户数", 3000]):
        ws.append(row)
    ws = wb.create_sheet("活动台账")
    ws.append(["序号", "日期", "条线", "活动名称", "活动类型", "参与人次"])
    for i, (day, line) in enumerate(acts, 1):
        ws.append([i, datetime.fromisoformat(day), line, f"{line}活动", "会议学习", 20])
    if dibao:
        ws = wb.create_sheet("低保台账")
        ws.append(["序号", "户主姓名", "身份证号", "类别", "保障人数", "月保障金(元)", "纳入日期",
                   "退出日期"])
        for n, start, end in dibao:
            ws.append([n, f"户主{n}", valid_id(n), "A", 2, 800, datetime.fromisoformat(start),
                       datetime.fromisoformat(end) if end else None])
    if safety is not None:
        ws = wb.create_sheet("平安稳定")
        ws.append(["项目", "数值"])
        for k, v in safety.items():
            ws.append([k, v])
    path = root / str(year) / f"{community}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("periods")
    write_book(root / "data", 2024, datetime(2024, 12, 31), A2024,
               safety={"火灾事故(起)": 0, "刑事案件(起)": 2}, dibao=DIBAO)
    write_book(root / "data", 2023, datetime(2023, 12, 31), A2023,
               safety={"火灾事故(起)": 1, "刑事案件(起)": 3})
    params = root / "parameters"
    params.mkdir()
    (params / "天运社区.yaml").write_text(TARGETS, encoding="utf-8")
    return root / "data", params


_CACHE: dict[str, object] = {}


def facts_of(data: tuple[Path, Path], text: str | None):
    if text not in _CACHE:
        period = None if text is None else parse_period(text)
        result = year_facts(data[0], 2024, data[1], period=period)
        assert not result.failures, result.failures
        _CACHE[text] = result
    result = _CACHE[text]
    return result.communities["天运社区"]  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("text,kind,start,end,key,label", [
    ("2024", "year", date(2024, 1, 1), date(2024, 12, 31), "2024", "2024年"),
    ("2024H1", "half", date(2024, 1, 1), date(2024, 6, 30), "2024H1", "2024年上半年"),
    ("2024h2", "half", date(2024, 7, 1), date(2024, 12, 31), "2024H2", "2024年下半年"),
    ("2024Q3", "quarter", date(2024, 7, 1), date(2024, 9, 30), "2024Q3", "2024年第三季度"),
    ("2024-03", "month", date(2024, 3, 1), date(2024, 3, 31), "2024-03", "2024年3月"),
    ("2024-3", "month", date(2024, 3, 1), date(2024, 3, 31), "2024-03", "2024年3月"),
    ("2024W15", "week", date(2024, 4, 8), date(2024, 4, 14), "2024W15",
     "2024年第15周（4月8日—4月14日）"),
    ("2024-W05", "week", date(2024, 1, 29), date(2024, 2, 4), "2024W05",
     "2024年第5周（1月29日—2月4日）"),
    ("2025W01", "week", date(2024, 12, 30), date(2025, 1, 5), "2025W01",
     "2025年第1周（12月30日—1月5日）"),
    ("2024-03-01..2024-03-31", "range", date(2024, 3, 1), date(2024, 3, 31),
     "2024-03-01..2024-03-31", "2024年3月1日至3月31日"),
    ("２０２４Ｑ１", "quarter", date(2024, 1, 1), date(2024, 3, 31), "2024Q1", "2024年第一季度"),
])
def test_every_form_parses(text, kind, start, end, key, label):
    p = parse_period(text)
    assert (p.kind, p.start, p.end, p.key, p.label) == (kind, start, end, key, label)
    assert parse_period(p.key) == p  # the key is canonical


def test_a_form_without_year_takes_the_default_year():
    assert parse_period("Q3", default_year=2024).key == "2024Q3"
    assert parse_period("", default_year=2023).key == "2023"
    with pytest.raises(PeriodError, match="没有写年份"):
        parse_period("Q3")


@pytest.mark.parametrize("text,words", [
    ("2024Q5", "可用的写法"),
    ("2024-13", "可用的写法"),
    ("季度", "可用的写法"),
    ("2023W53", "2023年没有第53周"),
    ("2024-03-05..2025-01-10", "跨越了年度"),
    ("2024-03-31..2024-03-01", "结束日期早于开始日期"),
    ("2024-02-30..2024-03-10", "“2024-02-30”无效"),
])
def test_refusals_name_the_text_and_the_forms(text, words):
    with pytest.raises(PeriodError) as err:
        parse_period(text)
    assert words in str(err.value)
    if words == "可用的写法":
        assert text in str(err.value) and "2024W15" in str(err.value)


def test_last_year_and_previous():
    q3 = parse_period("2024Q3")
    assert q3.last_year().key == "2023Q3"
    assert q3.previous().key == "2024Q2"
    assert parse_period("2024Q1").previous().key == "2023Q4"
    assert parse_period("2024-01").previous().key == "2023-12"
    assert parse_period("2024H1").previous().key == "2023H2"
    w1 = parse_period("2024W01")
    assert w1.previous().key == "2023W52"
    assert (w1.last_year().start, w1.last_year().end) == (date(2023, 1, 2), date(2023, 1, 8))
    # 2020 had 53 ISO weeks, 2019 only 52: 同比 takes the last week of 2019.
    assert parse_period("2020W53").last_year().key == "2019W52"
    assert parse_period("2024").previous() is None
    assert parse_period("2024-03-01..2024-03-31").previous() is None
    assert parse_period("2024-03-01..2024-03-31").last_year().key == "2023-03-01..2023-03-31"


def test_share_of_the_year():
    assert parse_period("2024Q3").share == pytest.approx(0.25)
    assert parse_period("2024-03").share == pytest.approx(1 / 12)
    assert parse_period("2024H2").share == pytest.approx(0.5)
    # 第15周 is 7 of April's 30 days: 7/30 of a month.
    assert parse_period("2024W15").share == pytest.approx(7 / 30 / 12)
    ytd = year_to_date(2024, date(2024, 6, 30))
    assert (ytd.kind, ytd.key, ytd.label, ytd.share) == ("year", "2024", "2024年", 0.5)


def test_words_of_each_kind():
    assert parse_period("2024Q3").words()["期间"] == "本季度"
    assert parse_period("2024-03").words()["期间"] == "本月"
    assert parse_period("2024W15").words()["期间"] == "本周"
    assert parse_period("2024-03-01..2024-03-31").words()["期间"] == "本期"
    assert parse_period("2024Q3").words()["下一阶段"] == "下一季度"
    assert parse_period("2024W15").words()["来期"] == "下周"
    assert parse_period("2024H2").words()["来期"] == "2025年"
    assert parse_period("2024").words()["期间"] == "全年"
    assert year_to_date(2024, date(2024, 6, 30)).words()["期间"] == "上半年"


def test_prior_phrase():
    assert prior_phrase(4, 7, "场次", "上季度") == "较上季度减少3场次"
    assert prior_phrase(3, 1, "场次", "上月") == "较上月增加2场次"
    assert prior_phrase(1, 1, "场次", "上周") == "与上周持平"
    assert prior_phrase(0.9, 0.85, "%", "上月") == "较上月增加5.0个百分点"
    assert prior_phrase(3, 1, "场次", "") is None


# ---------------------------------------------------------------------------
# Facts over a window
# ---------------------------------------------------------------------------

def test_default_and_named_year_give_the_same_figures(data):
    plain, named = facts_of(data, None), facts_of(data, "2024")
    assert plain.period is None and "period" not in plain.to_dict()
    assert named.period["kind"] == "year" and named.period["label"] == "2024年"
    assert plain.indicators == named.indicators
    assert plain.targets == named.targets
    assert plain.title == named.title == "天运社区2024年度工作总结"
    assert plain.value("activity.count") == 18 and plain.previous("activity.count") == 7


def test_quarter_counts_same_window_last_year_and_the_quarter_before(data):
    f = facts_of(data, "2024Q3")
    assert (f.period_start, f.as_of, f.half_year) == ("2024-07-01", "2024-09-30", True)
    row = f.row("activity.count")
    assert row["value"] == 4          # 07-01 08-15 09-10 09-30
    assert row["previous"] == 2       # 2023-07-05 2023-08-08
    assert row["prior"] == 7          # 第二季度
    assert row["prior_label"] == "2024年第二季度"
    assert row["period"] == ["2024-07-01", "2024-09-30"]
    assert f.value("activity.by_month") == {"7": 1, "8": 1, "9": 2}
    assert f.value("activity.count", {"条线": "文体"}) == 1
    assert f.period == {**f.period, "kind": "quarter", "key": "2024Q3",
                        "label": "2024年第三季度", "start": "2024-07-01",
                        "end": "2024-09-30", "note": None}
    assert f.period["words"]["期间"] == "本季度"
    assert f.title == "天运社区2024年第三季度工作总结"
    # Households are the profile's, stated as at the window's end.
    assert f.value("profile.households") == 3000
    # 低保户 active at 9月30日, and at the end of 第二季度 for 环比; 新纳入 in the quarter.
    row = f.row("dibao.households")
    assert (row["value"], row["prior"]) == (3, 1)
    assert f.value("dibao.new") == 2
    assert facts_of(data, "2024-03").value("dibao.households") == 2

def test_quarter_targets_are_judged_by_their_share_of_the_year(data):
    f = facts_of(data, "2024Q3")
    t = {(x["指标"], str(x["条件"])): x for x in f.targets}
    total = t[("activity.count", "None")]
    # 20 a year, a quarter is 0.25: 5 due, 4 held.
    assert (total["required"], total["pace"], total["status"]) == (5, True, "未完成")
    assert total["elapsed"] == pytest.approx(0.25)
    # 4 文体 a year: 1 due this quarter, 1 held.
    culture = t[("activity.count", "{'条线': '文体'}")]
    assert (culture["required"], culture["status"]) == (1, "完成")
    # 杜绝火灾事故: the year's 0 fires hold for the quarter, judged by level.
    fires = t[("safety.fires", "None")]
    assert (fires["value"], fires["status"]) == (0, "完成")
    assert "pace" not in fires
    # 刑事案件 2 in the year: how many in the quarter is unknown.
    assert f.value("safety.criminal_cases") is None
    assert facts_of(data, None).value("safety.criminal_cases") == 2


def test_month_and_its_prior(data):
    f = facts_of(data, "2024-03")
    row = f.row("activity.count")
    assert (row["value"], row["previous"], row["prior"]) == (3, 2, 1)
    assert row["prior_label"] == "2024年2月"
    assert row["prior_change"]["delta"] == 2
    assert f.title == "天运社区2024年3月工作总结"


def test_week_and_its_prior(data):
    f = facts_of(data, "2024W15")
    row = f.row("activity.count")
    assert (row["value"], row["previous"], row["prior"]) == (3, 1, 2)
    assert f.title == "天运社区2024年第15周工作总结"
    assert f.period["label"] == "2024年第15周（4月8日—4月14日）"


def test_first_week_takes_its_prior_from_last_years_book(data):
    row = facts_of(data, "2024W01").row("activity.count")
    # 2024-01-03 against 2023-12-27 (第52周 of 2023, in the 2023 workbook).
    assert (row["value"], row["prior"], row["prior_label"]) == (
        1, 1, "2023年第52周（12月25日—12月31日）")


def test_range_counts_its_days_and_has_no_prior(data):
    f = facts_of(data, "2024-03-10..2024-04-08")
    row = f.row("activity.count")
    assert row["value"] == 5
    assert row["previous"] == 1  # 2023-03-20 (2023-04-12 is after 4月8日)
    assert row["prior"] is None and row["prior_label"] is None
    assert f.title == "天运社区2024年3月10日至4月8日工作总结"


def test_without_last_years_book_no_yoy_and_no_prior_for_q1(tmp_path: Path):
    write_book(tmp_path, 2024, datetime(2024, 12, 31), A2024)
    f = year_facts(tmp_path, 2024, None, period=parse_period("2024Q1")).communities["天运社区"]
    row = f.row("activity.count")
    assert (row["value"], row["previous"], row["prior"]) == (5, None, None)
    text = build_document(f).text()
    assert "台账未覆盖上季度，文中不作环比" in text


def test_a_period_after_the_as_of_date_fails_naming_it(tmp_path: Path):
    write_book(tmp_path, 2024, datetime(2024, 6, 30), A2024)
    result = year_facts(tmp_path, 2024, None, period=parse_period("2024Q3"))
    assert "天运社区" not in result.communities
    reason = result.failures["天运社区"]
    assert "2024年第三季度" in reason and "2024年6月30日" in reason


def test_a_period_partly_covered_says_so(tmp_path: Path):
    write_book(tmp_path, 2024, datetime(2024, 6, 30), A2024)
    result = year_facts(tmp_path, 2024, None, period=parse_period("2024-06-16..2024-07-15"))
    f = result.communities["天运社区"]
    assert (f.period_start, f.as_of) == ("2024-06-16", "2024-06-30")
    assert f.value("activity.count") == 1  # 06-30
    assert "只统计到2024年6月30日" in f.period["note"]
    assert any(p.kind == "period_partial" for p in result.problems["天运社区"])
    assert "只统计到2024年6月30日" in build_document(f).text()


def test_a_period_of_another_year_is_refused(data):
    with pytest.raises(PeriodError, match="不在2024年内"):
        year_facts(data[0], 2024, data[1], period=parse_period("2023Q3"))


# ---------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------

def test_quarterly_summary_speaks_of_the_quarter(data):
    f = facts_of(data, "2024Q3")
    doc = build_document(f)
    text = doc.text()
    assert doc.title == "天运社区2024年第三季度工作总结"
    assert doc.cover["统计期间"] == "2024年7月1日至2024年9月30日"
    assert "2024年第三季度，" in text
    assert "现将2024年第三季度工作总结如下" in text
    assert "本季度社区共开展各类活动4场次" in text
    assert "较上季度减少3场次" in text
    assert "本季度目标完成情况" in text
    assert "下一季度" in text
    assert "未达序时进度" in text
    assert "环比数据为2024年第二季度台账的统计结果" in text
    assert "天运社区居委会\n2024年9月30日" in text  # signed at the quarter's end
    for word in ("全年", "上半年", "下半年", "年度目标"):
        assert word not in text, word


def test_weekly_summary_speaks_of_the_week(data):
    f = facts_of(data, "2024W15")
    doc = build_document(f)
    text = doc.text()
    charts = [c for sec in doc.sections for c in sec.charts]
    assert "monthly_activity" not in charts  # a week has no month-by-month chart
    assert "monthly_activity" in [c for sec in build_document(facts_of(data, "2024Q3")).sections
                                  for c in sec.charts]
    assert "本周社区共开展各类活动3场次" in text
    assert "较上周增加1场次" in text
    assert "下周" in text
    for word in ("全年", "上半年", "下半年", "年度目标", "月月有活动", "本季度"):
        assert word not in text, word


def test_street_overview_of_a_quarter(data):
    facts_of(data, "2024Q3")
    street = _CACHE["2024Q3"].streets["闸弄口街道"]  # type: ignore[attr-defined]
    assert street.period["key"] == "2024Q3" and street.half_year
    assert street.title == "闸弄口街道2024年第三季度社区工作汇总"
    doc = build_overview(street)
    assert doc.cover["统计期间"] == "2024年7月1日至2024年9月30日"
    text = doc.text()
    assert text.startswith("2024年第三季度，闸弄口街道") or "2024年第三季度，闸弄口街道" in text
    assert "全年" not in text and "上半年" not in text
    assert "共开展各类活动4场次，同比增长100.0%，较上季度减少3场次" in text


def test_period_round_trips_through_json(data):
    from shequ_kit.facts import CommunityFacts

    f = facts_of(data, "2024-03")
    back = CommunityFacts.from_json(f.to_json())
    assert back.period == f.period and back.title == f.title
    assert isinstance(parse_period("2024-03"), Period)


def test_figures_the_ledger_keeps_for_its_whole_period(data):
    q3 = facts_of(data, "2024Q3")
    # 期内发放低保金 (800 元 a household a month): July 户1, August 户1 户2,
    # September 户1 户2 户4 = 800 + 1600 + 2400.
    assert q3.value("dibao.period_amount") == 4800
    # 第15周 is 7 of April's 30 days, 户1 and 户3 active on 4月14日: 1600 × 7 ÷ 30.
    assert facts_of(data, "2024W15").value("dibao.period_amount") == pytest.approx(373.33)


def test_empty_months_only_of_months_the_window_covers_whole(data):
    from shequ_kit.drafting import plan_problems

    # No activity 5月13日—19日 (第20周), but a week says nothing of May.
    week = plan_problems(facts_of(data, "2024W20"))
    assert not any("5月" in p for p in week.problems)
    # May itself had none.
    month = plan_problems(facts_of(data, "2024-05"))
    assert any("5月" in p and "活动" in p for p in month.problems), month.problems


def test_undated_visits_are_no_figure_of_a_quarter():
    from shequ_kit.engine import compute
    from tests.test_engine_helpers import book

    b = book(残疾人台账=[{"身份证号": valid_id(1), "残疾类别": "肢体", "残疾等级": "二级",
                        "走访服务次数": 4},
                       {"身份证号": valid_id(2), "残疾类别": "视力", "残疾等级": "四级",
                        "走访服务次数": 2}])
    assert compute(b, ids=["disability.visits"])["disability.visits"].value == 6
    quarter = compute(b, ids=["disability.visits", "disability.total"],
                      start=date(2024, 7, 1), as_of=date(2024, 9, 30))
    assert quarter["disability.visits"].value is None
    assert quarter["disability.total"].value == 2  # the register as at 9月30日


def test_street_totals_carry_the_prior_window(data):
    facts_of(data, "2024Q3")
    street = _CACHE["2024Q3"].streets["闸弄口街道"]  # type: ignore[attr-defined]
    total = next(r for r in street.totals if r["id"] == "activity.count")
    assert (total["value"], total["previous"], total["prior"]) == (4, 2, 7)
    assert total["period"] == ["2024-07-01", "2024-09-30"]
    plain = facts_of(data, None) and _CACHE[None].streets["闸弄口街道"]  # type: ignore[attr-defined]
    assert all("prior" not in r for r in plain.totals)


def test_helpers_take_the_period_as_text(data):
    from shequ_kit.assemble import community_facts, street_facts

    f = community_facts("天运社区", 2024, data[0], data[1], period="2024-03")
    assert (f.period["key"], f.value("activity.count")) == ("2024-03", 3)
    assert street_facts(None, 2024, data[0], data[1], period="Q3").period["key"] == "2024Q3"
    assert community_facts("天运社区", 2024, data[0], data[1], period="").period is None


def test_a_week_across_new_year_counts_its_days_of_the_year(tmp_path: Path):
    # 2025年第1周 is 2024-12-30 .. 2025-01-05; the 2025 workbook holds 1月1日—5日.
    write_book(tmp_path, 2025, datetime(2025, 12, 31), [("2025-01-02", "党建"),
                                                        ("2025-01-04", "党建")])
    # 2024: 12-30 is in the week but in last year's book (not counted); 同比 is
    # 2024年第1周 over the same five weekdays (1月3日—7日: 01-05, not 01-02); 环比 is
    # 第52周 over the same days (12月25日—29日: 12-27, not 12-24).
    write_book(tmp_path, 2024, datetime(2024, 12, 31), [
        ("2024-01-02", "党建"), ("2024-01-05", "党建"), ("2024-12-24", "党建"),
        ("2024-12-27", "党建"), ("2024-12-30", "党建")])
    result = year_facts(tmp_path, 2025, None, period=parse_period("2025W01"))
    f = result.communities["天运社区"]
    assert (f.period_start, f.as_of) == ("2025-01-01", "2025-01-05")
    row = f.row("activity.count")
    assert (row["value"], row["previous"], row["prior"]) == (2, 1, 1)
    assert "跨越年度" in f.period["note"]
    assert f.title == "天运社区2025年第1周工作总结"

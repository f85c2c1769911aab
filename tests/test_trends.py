"""近三年来: earlier years' ledgers read once, the multi-year series, its wording and chart.

Every street here is written by hand with openpyxl: a community's 活动台账 holds a stated
number of sessions of a stated size, its 信息报送台账 a stated number of adopted items, so
each figure below is worked out from the rows written, not taken from the code.
"""

from __future__ import annotations

import copy
import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from shequ_kit import charts, checklist, history, trends
from shequ_kit.assemble import year_facts
from shequ_kit.facts import CommunityFacts, StreetFacts
from shequ_kit.narrative import build_document
from shequ_kit.overview import build_overview
from shequ_kit.sample import generate, sample_years
from tests.test_charts import all_text, assert_legible

STREET = "测试街道"
ACT_HEAD = ["序号", "日期", "条线", "活动名称", "活动类型", "参与人次"]
INFO_HEAD = ["序号", "报送日期", "标题", "是否录用"]
RAW_ID = "110101199003077777"  # shaped like an ID number: it must never be shown unmasked


def write_book(path: Path, name: str, year: int, sessions: int, people: int,
               adopted: int, street: str = STREET) -> Path:
    """One community's workbook: ``sessions`` activities of ``people`` each (one a month
    from January, then again), ``adopted`` of ``adopted + 1`` items adopted."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本情况"
    ws.append(["项目", "数值"])
    for k, v in {"社区名称": name, "所属街道": street, "统计截止日期": datetime(year, 12, 31),
                 "户数": 2000, "户籍人口": 4500, "常住人口": 5000}.items():
        ws.append([k, v])
    ws = wb.create_sheet("活动台账")
    ws.append(ACT_HEAD)
    for i in range(sessions):
        ws.append([i + 1, datetime(year, i % 12 + 1, 10 + i // 12), "党建", f"学习会{i + 1}",
                   "会议学习", people])
    ws = wb.create_sheet("信息报送台账")
    ws.append(INFO_HEAD)
    for i in range(adopted + 1):
        ws.append([i + 1, datetime(year, i % 12 + 1, 5), f"工作简报第{i + 1}期",
                   "是" if i < adopted else "否"])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def broken(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK\x03\x04 not a workbook")
    return path


# 天运社区: 10, 12, 15 sessions; 20, 15, 20 people a session (200, 180, 300 人次);
# 3, 5, 8 items adopted.
TIANYUN = {2022: (10, 20, 3), 2023: (12, 15, 5), 2024: (15, 20, 8)}


def street_of(root: Path, years: dict[int, tuple[int, int, int]], name: str = "天运社区"
              ) -> Path:
    for year, (sessions, people, adopted) in years.items():
        write_book(root / str(year) / f"{name}.xlsx", name, year, sessions, people, adopted)
    return root


def facts_of(root: Path, name: str = "天运社区", year: int = 2024) -> CommunityFacts:
    result = year_facts(root, year, params_dir=None)
    assert not result.failures, result.failures
    return next(f for f in result.communities.values() if f.community == name)


# -- history -------------------------------------------------------------------------------

def test_three_years_give_the_series_of_the_declared_indicators(tmp_path: Path) -> None:
    f = facts_of(street_of(tmp_path, TIANYUN))
    h = f.history
    assert h["years"] == [2022, 2023, 2024]
    assert h["gaps"] == [] and h["window"] == ["01-01", "12-31"]
    assert h["series"]["activity.count"] == [10, 12, 15]
    assert h["series"]["activity.participants"] == [200, 180, 300]  # 10×20, 12×15, 15×20
    assert h["series"]["info.adopted"] == [3, 5, 8]
    assert h["series"]["volunteer.registered"] == [None, None, None]  # no 志愿者名册
    assert set(h["series"]) == set(history.trend_ids())
    json.dumps(f.to_dict(), ensure_ascii=False)  # JSON-able
    assert CommunityFacts.from_json(f.to_json()).history == h


def test_every_year_counts_the_same_window_as_this_year(tmp_path: Path) -> None:
    """A report as of 30 June compares each earlier year's first half: of 12 sessions a
    year, one a month, 6 fall in January to June."""
    root = street_of(tmp_path, {2022: (12, 10, 0), 2023: (12, 10, 0)})
    path = write_book(tmp_path / "2024" / "天运社区.xlsx", "天运社区", 2024, 6, 10, 0)
    wb = openpyxl.load_workbook(path)
    wb["基本情况"]["B4"] = datetime(2024, 6, 30)
    wb.save(path)
    f = facts_of(root)
    assert f.history["window"] == ["01-01", "06-30"]
    assert f.history["series"]["activity.count"] == [6, 6, 6]


def test_wording_three_years(tmp_path: Path) -> None:
    f = facts_of(street_of(tmp_path, TIANYUN))
    text = trends.trend_text(f)
    assert text == (
        "近三年来，社区开展活动场次逐年增长，由2022年的10场次增加到2024年的15场次，"
        "较2022年增长50.0%；"  # (15 − 10) ÷ 10
        "参与活动居民人次先降后升，2024年为300人次，较2022年增长50.0%；"  # 300 ÷ 200
        # 3 at first is under 10: a difference, never 增长166.7%
        "信息录用篇数逐年增长，由2022年的3篇增加到2024年的8篇，较2022年增加5篇。")
    # three years show two years of growth: 逐年增长, not 连续三年增长
    assert "连续" not in text


def test_four_years_rising_are_three_years_of_growth(tmp_path: Path) -> None:
    years = {2021: (10, 20, 2), **TIANYUN}
    years[2022] = (11, 20, 3)  # 10, 11, 12, 15 sessions: up three times
    f = facts_of(street_of(tmp_path, years))
    assert f.history["years"] == [2021, 2022, 2023, 2024]
    text = trends.trend_text(f)
    assert text.startswith("近四年来，社区开展活动场次连续三年增长，由2021年的10场次增加到"
                           "2024年的15场次，较2021年增长50.0%；")
    # 10×20, 11×20, 12×15, 15×20 = 200, 220, 180, 300: up, down, up
    assert "参与活动居民人次有所波动，2024年为300人次，较2021年增长50.0%" in text
    # 2, 3, 5, 8 adopted: from 2 on, a difference
    assert text.endswith("信息录用篇数连续三年增长，由2021年的2篇增加到2024年的8篇，"
                         "较2021年增加6篇。")


def test_the_summary_and_the_overview_say_it_with_the_chart(tmp_path: Path) -> None:
    street_of(tmp_path, TIANYUN)
    # 望江社区: 20, 18, 25 sessions of 10; 12, 12, 12 items adopted
    street_of(tmp_path, {2022: (20, 10, 12), 2023: (18, 10, 12), 2024: (25, 10, 12)},
              "望江社区")
    result = year_facts(tmp_path, 2024, params_dir=None)
    doc = build_document(result.communities["天运社区"])
    section = doc.section("work.trend")
    assert section is not None and section.heading.endswith("近三年工作成效")
    assert section.charts == ["trend"]
    assert "近三年来，社区开展活动场次逐年增长" in doc.text()
    notes = doc.section("notes").text()
    assert "近年趋势为2022年、2023年、2024年各年同期（1月1日至12月31日）台账的统计结果。" in notes

    street = result.streets[STREET]
    # sessions 30, 30, 40 (10 + 20, 12 + 18, 15 + 25); adopted 15, 17, 20
    assert street.history["series"]["activity.count"] == [30, 30, 40]
    assert street.history["series"]["info.adopted"] == [15, 17, 20]
    assert street.history["communities"] == 2
    overview = build_overview(street)
    summary = overview.section("street_summary")
    assert "trend" in summary.charts
    text = summary.text()
    # 30 → 30 → 40 stood still one year: no 逐年, only first against last
    assert ("近三年来，全街道开展活动场次由2022年的30场次增加到2024年的40场次，"
            "较2022年增长33.3%") in text  # 10 ÷ 30
    assert "逐年" not in text.split("近三年来")[1].split("；")[0]
    # 15, 17, 20 adopted: from 15 on, a percentage (5 ÷ 15)
    assert "信息录用篇数逐年增长，由2022年的15篇增加到2024年的20篇，较2022年增长33.3%" in text
    assert StreetFacts.from_json(street.to_json()).history == street.history


def test_a_community_without_three_years_leaves_the_street_without_a_trend(tmp_path: Path
                                                                         ) -> None:
    street_of(tmp_path, TIANYUN)
    street_of(tmp_path, {2023: (18, 10, 12), 2024: (25, 10, 12)}, "望江社区")  # new in 2023
    result = year_facts(tmp_path, 2024, params_dir=None)
    assert result.communities["天运社区"].history["years"] == [2022, 2023, 2024]
    assert result.communities["望江社区"].history == {}
    assert result.streets[STREET].history == {}
    assert "近三年" not in build_overview(result.streets[STREET]).text()


def test_two_years_only_read_as_today(tmp_path: Path) -> None:
    f = facts_of(street_of(tmp_path, {2023: TIANYUN[2023], 2024: TIANYUN[2024]}))
    assert f.history == {}
    assert "history_unreadable" not in f.quality
    doc = build_document(f)
    assert doc.section("work.trend") is None
    assert "trend" not in doc.chart_keys()
    assert "近年趋势" not in doc.text() and "近两年" not in doc.text()
    assert charts.draw("trend", f) is None


def test_a_gap_of_one_year_is_said_not_bridged(tmp_path: Path) -> None:
    """2021, 2022 and 2024 without 2023: three years, but not running; only first and
    last are compared, the missing year named, and nothing said 逐年 or 连续."""
    years = {2021: (10, 20, 2), 2022: TIANYUN[2022], 2024: TIANYUN[2024]}
    f = facts_of(street_of(tmp_path, years))
    assert f.history["years"] == [2021, 2022, 2024]
    assert f.history["gaps"] == [2023]
    text = trends.trend_text(f)
    assert text.startswith("2021年以来（2023年无台账数据，未作比较），社区开展活动场次由2021年的"
                           "10场次增加到2024年的15场次，较2021年增长50.0%；")
    assert "逐年" not in text and "连续" not in text and "近三年" not in text
    assert trends.trend_title(f) == "2021年以来工作成效"
    # no 同比 either: 2022 is not last year
    assert f.quality["has_previous"] is False


def test_two_years_with_a_gap_give_no_trend(tmp_path: Path) -> None:
    f = facts_of(street_of(tmp_path, {2022: TIANYUN[2022], 2024: TIANYUN[2024]}))
    assert f.history == {}
    assert trends.trend_text(f) is None


def test_a_broken_earlier_workbook_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    root = street_of(tmp_path, {2023: TIANYUN[2023], 2024: TIANYUN[2024]})
    broken(root / "2022" / "天运社区.xlsx")
    result = year_facts(root, 2024, params_dir=None)
    assert not result.failures
    f = result.communities["天运社区"]
    assert f.history == {}  # 2023 and 2024 only
    warnings = [p for p in result.problems["天运社区"] if p.kind == "history_unreadable"]
    assert len(warnings) == 1 and warnings[0].severity == "警告"
    assert warnings[0].message.startswith("2022年台账无法读取，近年趋势未计入2022年")
    assert warnings[0].file == "天运社区.xlsx"
    # mending the broken workbook must redo the report: it is an input
    assert result.earlier_inputs["天运社区"] == [root / "2022" / "天运社区.xlsx"]
    rows = checklist.checklist_rows(result.problems["天运社区"])
    assert any("2022年台账无法读取" in r[7] and r[1] == "警告" for r in rows)


def test_an_unreadable_year_inside_the_span_is_named_masked(tmp_path: Path) -> None:
    """2021, 2023 and 2024 read; the 2022 workbook names its community with an ID-shaped
    text, which the reader refuses: the warning names the year and masks the value."""
    root = street_of(tmp_path, {2021: (10, 20, 2), 2023: TIANYUN[2023],
                                2024: TIANYUN[2024]})
    bad = write_book(root / "2022" / "天运社区.xlsx", "天运社区", 2022, 11, 20, 3)
    wb = openpyxl.load_workbook(bad)
    wb["基本情况"]["B2"] = f"天运社区/{RAW_ID}"
    wb.save(bad)
    result = year_facts(root, 2024, params_dir=None)
    assert not result.failures
    f = result.communities["天运社区"]
    assert f.history["years"] == [2021, 2023, 2024]
    assert f.history["gaps"] == [2022] and f.history["unreadable"] == [2022]
    assert f.quality["history_unreadable"] == [2022]
    notes = build_document(f).section("notes").text()
    assert "2022年台账无法读取，未计入近年趋势，详见数据核对单。" in notes
    warnings = [p for p in result.problems["天运社区"] if p.kind == "history_unreadable"]
    assert len(warnings) == 1
    shown = json.dumps([w.to_dict() for w in warnings], ensure_ascii=False)
    assert "2022年台账无法读取" in shown
    assert RAW_ID not in shown and RAW_ID[:14] not in shown


def test_earlier_years_in_street_folders_match_by_street_and_name(tmp_path: Path) -> None:
    """2022 filed as <年>/<街道>/, 2023 and 2024 flat: one community all the same; a
    namesake of another street is not taken for it."""
    write_book(tmp_path / "2022" / STREET / "天运社区.xlsx", "天运社区", 2022, *TIANYUN[2022])
    write_book(tmp_path / "2022" / "别的街道" / "天运社区.xlsx", "天运社区", 2022, 99, 99, 9,
               street="别的街道")
    for year in (2023, 2024):
        write_book(tmp_path / str(year) / "天运社区.xlsx", "天运社区", year, *TIANYUN[year])
    f = facts_of(tmp_path)
    assert f.history["series"]["activity.count"] == [10, 12, 15]


def test_earlier_years_read_only_the_ledgers_the_trends_need() -> None:
    sheets = history.trend_sheets()
    assert {"基本情况", "活动台账", "志愿者名册", "志愿服务记录", "信息报送台账",
            "失业人员台账"} <= sheets
    assert "低保台账" not in sheets and "残疾人台账" not in sheets


# -- wording rules -------------------------------------------------------------------------

def facts_with(series: dict[str, list], years: list[int], year: int = 2024,
               as_of: str = "2024-12-31") -> CommunityFacts:
    return CommunityFacts(community="天运社区", street=STREET, year=year,
                          period_start=f"{year}-01-01", as_of=as_of,
                          half_year=as_of.endswith("06-30"), profile={}, safety=None,
                          history={"years": years, "series": series, "gaps": [],
                                   "window": ["01-01", as_of[5:]]})


@pytest.mark.parametrize(("values", "expected"), [
    ([5, 4, 3], "开展活动场次逐年下降，由2022年的5场次减少到2024年的3场次，较2022年减少2场次"),
    ([40, 30, 20], "开展活动场次逐年下降，由2022年的40场次减少到2024年的20场次，较2022年下降50.0%"),
    ([20, 30, 25], "开展活动场次先升后降，2024年为25场次，较2022年增长25.0%"),
    ([20, 20, 20], "开展活动场次各年均为20场次"),
    ([0, 4, 12], "开展活动场次从无到有，2024年达到12场次"),
    ([12, 4, 0], None),  # ends at 0: never an achievement, never 下降100.0%
    ([12, None, 14], None),  # two years with a figure are no trend
])
def test_shapes_of_a_count(values, expected) -> None:
    f = facts_with({"activity.count": values}, [2022, 2023, 2024])
    assert trends.indicator_phrase(f, "activity.count", "开展活动场次") == expected


def test_a_rate_rises_in_points() -> None:
    f = facts_with({"employment.reemployment_rate": [0.3, 0.35, 0.42]}, [2022, 2023, 2024])
    assert trends.indicator_phrase(f, "employment.reemployment_rate", "再就业率") == (
        "再就业率逐年提高，由2022年的30.0%提高到2024年的42.0%，较2022年提高12.0个百分点")
    # 63.51% and 63.54% both read 63.5%: that year stood still
    f = facts_with({"employment.reemployment_rate": [0.6, 0.6351, 0.6354]}, [2022, 2023, 2024])
    phrase = trends.indicator_phrase(f, "employment.reemployment_rate", "再就业率")
    assert phrase.startswith("再就业率由2022年的60.0%提高到2024年的63.5%")


def test_a_half_year_looks_back_over_the_same_half_years() -> None:
    f = facts_with({"activity.count": [10, 12, 15]}, [2022, 2023, 2024], as_of="2024-06-30")
    text = trends.trend_text(f)
    assert text == ("从近三年同期看，社区开展活动场次逐年增长，由2022年同期的10场次增加到"
                    "2024年同期的15场次，较2022年同期增长50.0%。")
    assert "全年" not in text


# -- the chart -----------------------------------------------------------------------------

def test_the_trend_chart_is_legible_for_five_years_of_large_figures() -> None:
    years = [2020, 2021, 2022, 2023, 2024]
    f = facts_with({"activity.count": [1630, 1830, 1805, 1900, 2104],
                    "activity.participants": [139266, 153100, 146827, 160222, 171005],
                    "volunteer.registered": [4042, 4587, 5086, 5500, 6010],
                    "volunteer.hours": [15629.5, 16567.5, 21082.5, 22000, 23456.5]}, years)
    fig = charts.draw("trend", f)
    text = all_text(fig)
    assert "近五年主要工作数据" in text
    for label in ("2020年", "2024年", "开展活动（场次）", "志愿服务时长（小时）", "171005", "23456.5"):
        assert label in text
    assert_legible(fig)


def test_the_trend_chart_for_a_street_and_a_missing_year() -> None:
    street = StreetFacts(street=STREET, year=2024, as_of="2024-12-31", half_year=False,
                         communities=[], totals=[],
                         history={"years": [2021, 2022, 2023, 2024], "gaps": [],
                                  "series": {"activity.count": [30, None, 35, 40],
                                             "activity.participants": [300, 320, 350, 400],
                                             "volunteer.registered": [10, 11, 12, 12]}})
    fig = charts.draw("trend", street)
    text = all_text(fig)
    assert "近四年主要工作数据" in text
    assert "无数据" in text and "开展活动（场次）" in text and "参与居民（人次）" in text
    assert_legible(fig)
    # without history nothing is drawn
    empty = copy.deepcopy(street)
    empty.history = {}
    assert charts.draw("trend", empty) is None


# -- sample --------------------------------------------------------------------------------

def test_sample_years_count_or_list() -> None:
    assert sample_years(3) == [2022, 2023, 2024]
    assert sample_years([3]) == [2022, 2023, 2024]
    assert sample_years([2024, 2023]) == [2023, 2024]
    assert sample_years((2023, 2024)) == [2023, 2024]


def test_a_three_year_sample_street_has_trends(tmp_path: Path) -> None:
    paths = generate(tmp_path, communities=2, years=3)
    assert sorted({p.parent.name for p in paths}) == ["2022", "2023", "2024"]
    result = year_facts(tmp_path, 2024, params_dir=None)
    assert not result.failures
    for f in result.communities.values():
        counts = f.history["series"]["activity.count"]
        assert f.history["years"] == [2022, 2023, 2024]
        assert all(isinstance(v, int) and v > 0 for v in counts)
        # the generator keeps 2022 below 2023's pace: the street grows over the years
        assert counts[0] < max(counts[1:])
        assert trends.trend_text(f).startswith("近三年来，社区")
    assert date.fromisoformat(next(iter(result.streets.values())).as_of).year == 2024


def test_a_changed_earlier_workbook_changes_the_reports_fingerprint(tmp_path: Path) -> None:
    from shequ_kit import fingerprint

    root = street_of(tmp_path, TIANYUN)
    result = year_facts(root, 2024, params_dir=None)
    # 2023 is last year's workbook (同比, already an input); 2022 is the look-back's
    assert result.earlier_inputs["天运社区"] == [root / "2022" / "天运社区.xlsx"]
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text("{}", encoding="utf-8")

    def digest() -> str:
        facts = year_facts(root, 2024, params_dir=None)
        return fingerprint.combine(fingerprint.community_inputs(
            "天运社区", facts.inputs["天运社区"], None, notebook,
            earlier=facts.earlier_inputs["天运社区"]))

    before = digest()
    write_book(root / "2022" / "天运社区.xlsx", "天运社区", 2022, 9, 20, 3)
    assert digest() != before
    # two years only: no earlier inputs, the fingerprint as before this change
    two = year_facts(street_of(tmp_path / "two", {2023: TIANYUN[2023], 2024: TIANYUN[2024]}),
                     2024, params_dir=None)
    assert two.earlier_inputs["天运社区"] == []
    assert "earlier_workbooks" not in fingerprint.community_inputs(
        "天运社区", two.inputs["天运社区"], None, notebook, earlier=[])


def test_a_named_half_year_looks_back_over_the_same_half_a_quarter_does_not(tmp_path: Path
                                                                            ) -> None:
    """Sessions fall one a month from January (write_book), so January-June hold: 2022
    (10 sessions, months 1-10) 6; 2023 (12) 6; 2024 (15: months 1-12, then 1-3) 9."""
    root = street_of(tmp_path, TIANYUN)
    result = year_facts(root, 2024, params_dir=None, period="2024H1")
    f = result.communities["天运社区"]
    assert f.history["window"] == ["01-01", "06-30"]
    assert f.history["series"]["activity.count"] == [6, 6, 9]
    text = trends.trend_text(f)
    # 6, 6, 9: one year stood still, so no 逐年
    assert text.startswith("从近三年同期看，社区开展活动场次由2022年同期的6场次增加到2024年同期的"
                           "9场次，较2022年同期增加3场次")  # 6 is under 10: a difference
    assert trends.year_labels(f) == ["2022年1-6月", "2023年1-6月", "2024年1-6月"]
    quarter = year_facts(root, 2024, params_dir=None, period="2024Q1")
    assert quarter.communities["天运社区"].history == {}
    assert quarter.earlier_inputs["天运社区"] == []

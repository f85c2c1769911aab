"""Every item of the "Tolerance" list of ledgers.md, on workbooks written here with openpyxl
the way community secretaries fill them in by hand, plus the .xls/.ods files LibreOffice
saved (tests/fixtures/ledgers). Expected values are worked out by hand next to each case.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import Workbook
from openpyxl.styles import Border, PatternFill, Side

from shequ_kit import reader

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ledgers"

# Fake people: region code 990101 (no such region) and valid GB 11643 check characters
# (checked below with the standard's own rule, not with the reader's).
ID_A = "990101196804020313"
ID_B = "990101199009170420"
PHONE_A = "17400001234"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def gb11643(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


assert gb11643(ID_A[:17]) == ID_A[-1] and gb11643(ID_B[:17]) == ID_B[-1]

PROFILE: list[tuple[str, Any]] = [("社区名称", "试点社区"), ("所属街道", "青枫街道"),
                                  ("常住人口", 5000)]

# One valid record per table sheet (header, row), for a 2024 workbook.
RECORDS: dict[str, tuple[list[str], list[Any]]] = {
    "活动台账": (["序号", "日期", "条线", "活动名称", "活动类型", "参与人次", "志愿者人次",
                "发放资料(份)", "面向居民"],
               [1, datetime(2024, 5, 6), "党建", "主题党日", "会议学习", 30, 2, 10, "是"]),
    "志愿者名册": (["序号", "志愿者编号", "姓名", "身份证号", "手机号", "注册日期"],
                [1, "1001", "柯小满", ID_A, PHONE_A, datetime(2022, 3, 1)]),
    "志愿服务记录": (["序号", "日期", "志愿者编号", "服务时长(小时)"],
                 [1, datetime(2024, 4, 13), "1001", 2]),
    "低保台账": (["序号", "户主姓名", "身份证号", "类别", "保障人数", "月保障金(元)", "纳入日期",
              "退出日期"],
             [1, "荀一禾", ID_B, "A", 2, 1200, datetime(2022, 1, 1), None]),
    "残疾人台账": (["序号", "姓名", "身份证号", "残疾人证号", "残疾类别", "残疾等级", "是否持证"],
               [1, "柯小满", ID_A, ID_A + "42", "肢体", "二级", "是"]),
    "矛盾纠纷台账": (["序号", "受理日期", "纠纷类型", "调解结果", "办结日期"],
                 [1, datetime(2024, 3, 2), "邻里纠纷", "调解成功", datetime(2024, 3, 9)]),
    "安全隐患台账": (["序号", "发现日期", "隐患类别", "整改日期", "整改情况"],
                 [1, datetime(2024, 6, 1), "消防", datetime(2024, 6, 5), "已整改"]),
    "帮扶台账": (["序号", "日期", "对象类别", "帮扶形式", "户次", "金额(元)"],
             [1, datetime(2024, 1, 30), "低保户", "走访慰问", 1, 300]),
    "捐赠台账": (["序号", "日期", "项目", "捐赠人次", "金额(元)"],
             [1, datetime(2024, 5, 19), "慈善一日捐", 86, 12860.5]),
}


def workbook(sheets: dict[str, list[list[Any]]], profile: list[tuple[str, Any]] = PROFILE
             ) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "基本情况"
    ws.append(["项目", "数值"])
    for key, value in profile:
        ws.append([key, value])
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    return wb


def save_read(wb: Workbook, tmp_path: Path, stem: str = "试点社区"):
    path = tmp_path / f"{stem}.xlsx"
    wb.save(path)
    return reader.read_workbook(path, year=2024)


def one_record(sheet: str, **cells: Any) -> list[list[Any]]:
    """The sheet's valid record with some cells replaced (header row first)."""
    header, row = RECORDS[sheet]
    row = list(row)
    for column, value in cells.items():
        row[header.index(column)] = value
    return [header, row]


def plain(value: Any) -> Any:
    if value is None or value is pd.NaT:
        return None
    if not isinstance(value, str) and pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def column(book: Any, sheet: str, name: str) -> list[Any]:
    return [plain(v) for v in book.sheets[sheet][name].tolist()]


def rows_of(book: Any, sheet: str) -> list[int]:
    return [int(r) for r in book.sheets[sheet]["_row"].tolist()]


def errors_at(book: Any, sheet: str) -> list[str]:
    return [str(p) for p in book.problems if p.is_error and p.sheet == sheet]


# ---------------------------------------------------------------------------
# Title rows above the header; header = first row within 20 holding every ★ column
# ---------------------------------------------------------------------------


def test_merged_title_and_fill_line_above_the_header(tmp_path: Path) -> None:
    header, row = RECORDS["活动台账"]
    wb = workbook({"活动台账": [["2024年试点社区活动台账"],
                               ["填报单位：试点社区居委会", None, None, "填报日期：2025年1月6日"],
                               [],
                               header, row,
                               [2, datetime(2024, 6, 1), "普法", "法律讲座", "讲座培训", 45]]})
    wb["活动台账"].merge_cells("A1:I1")
    book = save_read(wb, tmp_path)
    # Title on row 1, 填报 line on row 2, blank row 3, header row 4 -> records on rows 5 and 6.
    assert rows_of(book, "活动台账") == [5, 6]
    assert column(book, "活动台账", "参与人次") == [30, 45]
    assert column(book, "活动台账", "活动名称") == ["主题党日", "法律讲座"]
    assert not book.errors, [str(p) for p in book.errors]


def test_header_is_the_first_row_with_all_required_columns(tmp_path: Path) -> None:
    header, row = RECORDS["活动台账"]
    # A grouping row above the real header holds 序号 and 日期 but not 条线/活动名称/…
    group = ["序号", "日期", "活动情况", None, None, "参与情况"]
    book = save_read(workbook({"活动台账": [group, header, row]}), tmp_path)
    assert rows_of(book, "活动台账") == [3]
    assert column(book, "活动台账", "条线") == ["党建"]
    assert not book.errors, [str(p) for p in book.errors]


def test_header_on_row_20_is_still_found(tmp_path: Path) -> None:
    header, row = RECORDS["活动台账"]
    notes = [[f"填表说明第{i}条"] for i in range(1, 20)]  # rows 1-19
    book = save_read(workbook({"活动台账": [*notes, header, row]}), tmp_path)
    assert rows_of(book, "活动台账") == [21]
    assert not book.errors, [str(p) for p in book.errors]


# ---------------------------------------------------------------------------
# Headers: spaces, line breaks, full-width brackets, unit suffixes, aliases
# ---------------------------------------------------------------------------

HEADER_CASES = [
    # (sheet, canonical column, header as typed, cell, expected value)
    ("志愿服务记录", "服务时长(小时)", "服务时长（小时）", 2, 2.0),
    ("志愿服务记录", "服务时长(小时)", "服务时长\n(小时)", 2, 2.0),
    ("志愿服务记录", "服务时长(小时)", " 服务 时长 (小时) ", 2, 2.0),
    ("志愿服务记录", "服务时长(小时)", "服务时长", 2, 2.0),
    ("活动台账", "日期", "日 期", datetime(2024, 5, 6), date(2024, 5, 6)),
    ("活动台账", "日期", "活动日期", datetime(2024, 5, 6), date(2024, 5, 6)),
    ("活动台账", "参与人次", "参与人数", 30, 30),
    ("活动台账", "参与人次", "参与人次（人次）", 30, 30),
    ("活动台账", "参与人次", "参与人次\n(人)", 30, 30),
    ("活动台账", "发放资料(份)", "发放资料", 10, 10),
    ("捐赠台账", "金额(元)", "金额（元）", 12860.5, 12860.5),
    ("捐赠台账", "金额(元)", "金额", 12860.5, 12860.5),
    ("低保台账", "保障人数", "保障人口", 2, 2),
    ("低保台账", "保障人数", "家庭保障人数", 2, 2),
    ("低保台账", "纳入日期", "审批日期", datetime(2022, 1, 1), date(2022, 1, 1)),
    ("低保台账", "月保障金(元)", "月保障金（元）", 1200, 1200.0),
    ("帮扶台账", "户次", "人次", 1, 1),
]


@pytest.mark.parametrize(("sheet", "canonical", "typed", "cell", "expected"), HEADER_CASES)
def test_header_variants(tmp_path: Path, sheet: str, canonical: str, typed: str, cell: Any,
                         expected: Any) -> None:
    header, row = RECORDS[sheet]
    row = list(row)
    i = header.index(canonical)
    header = [*header[:i], typed, *header[i + 1:]]
    row[i] = cell
    book = save_read(workbook({sheet: [header, row]}), tmp_path)
    assert sheet in book.sheets, [str(p) for p in book.problems]
    assert column(book, sheet, canonical) == [expected]
    assert not book.errors, [str(p) for p in book.errors]


@pytest.mark.parametrize(("typed", "canonical"), [("活动 台账", "活动台账"),
                                                  ("活动记录", "活动台账"),
                                                  (" 捐赠台账 ", "捐赠台账")])
def test_sheet_names_after_removing_spaces_and_aliases(tmp_path: Path, typed: str,
                                                       canonical: str) -> None:
    book = save_read(workbook({typed: one_record(canonical)}), tmp_path)
    assert canonical in book.sheets
    assert rows_of(book, canonical) == [2]


# ---------------------------------------------------------------------------
# 合计/总计/小计 rows, blank rows, pre-numbered blank rows, formatted empty rows
# ---------------------------------------------------------------------------


def _three_activities() -> list[list[Any]]:
    header, _ = RECORDS["活动台账"]
    return [header,
            [1, datetime(2024, 1, 20), "党建", "主题党日", "会议学习", 35, 4, 50, "否"],
            [2, datetime(2024, 3, 5), "志愿服务", "学雷锋便民服务", "便民服务", 120, 10, 200, "是"],
            [3, datetime(2024, 5, 6), "普法", "民法典进社区", "讲座培训", 18, 0, 0, "是"]]


@pytest.mark.parametrize("label", ["合计", "总计", "小计", " 合 计 "])
def test_total_row_labelled_in_seq_with_values(tmp_path: Path, label: str) -> None:
    # 35 + 120 + 18 = 173 participants, 4 + 10 + 0 = 14 volunteers, 50 + 200 + 0 = 250.
    rows = [*_three_activities(), [label, None, None, None, None, 173, 14, 250, None]]
    book = save_read(workbook({"活动台账": rows}), tmp_path)
    assert rows_of(book, "活动台账") == [2, 3, 4]
    assert sum(column(book, "活动台账", "参与人次")) == 173
    assert not [p for p in book.problems if p.row == 5], [str(p) for p in book.problems]


def test_total_row_with_formulas_and_no_cached_values(tmp_path: Path) -> None:
    # openpyxl stores formulas without a cached result: the reader sees empty cells.
    rows = [*_three_activities(),
            ["合计", None, None, None, None, "=SUM(F2:F4)", "=SUM(G2:G4)", "=SUM(H2:H4)", None]]
    book = save_read(workbook({"活动台账": rows}), tmp_path)
    assert rows_of(book, "活动台账") == [2, 3, 4]
    assert not [p for p in book.problems if p.row == 5], [str(p) for p in book.problems]


def test_total_label_in_first_cell_without_seq_column(tmp_path: Path) -> None:
    header = ["日期", "志愿者编号", "服务时长(小时)"]
    rows = [header, [datetime(2024, 2, 3), "1001", 2], [datetime(2024, 4, 13), "1001", 3.5],
            ["总计", None, 5.5]]
    book = save_read(workbook({"志愿者名册": one_record("志愿者名册"), "志愿服务记录": rows}),
                     tmp_path)
    assert rows_of(book, "志愿服务记录") == [2, 3]
    assert column(book, "志愿服务记录", "服务时长(小时)") == [2.0, 3.5]
    assert not [p for p in book.problems if p.sheet == "志愿服务记录"], \
        [str(p) for p in book.problems]


def test_monthly_subtotals_in_the_middle(tmp_path: Path) -> None:
    header, _ = RECORDS["捐赠台账"]
    rows = [header,
            [1, datetime(2024, 1, 5), "新春送温暖", 10, 1000],
            [2, datetime(2024, 1, 25), "慈善一日捐", 20, 2000],
            ["小计", None, None, 30, 3000],
            [3, datetime(2024, 2, 8), "爱心助学", 5, 500],
            ["小计", None, None, 5, 500],
            ["合计", None, None, 35, 3500]]
    book = save_read(workbook({"捐赠台账": rows}), tmp_path)
    assert rows_of(book, "捐赠台账") == [2, 3, 5]
    assert sum(column(book, "捐赠台账", "金额(元)")) == 3500.0  # 1000 + 2000 + 500
    assert not [p for p in book.problems if p.sheet == "捐赠台账"], [str(p) for p in book.problems]


def test_unlabelled_row_of_column_sums_is_a_total(tmp_path: Path) -> None:
    header, _ = RECORDS["捐赠台账"]
    # 86 + 12 + 40 = 138 people, 12860.5 + 6000 + 3200 = 22060.5 yuan; nothing else filled.
    rows = [header,
            [1, datetime(2024, 5, 19), "慈善一日捐", 86, 12860.5],
            [2, datetime(2024, 8, 30), "金秋助学", 12, 6000],
            [3, datetime(2024, 11, 2), "爱心衣物", 40, 3200],
            [None, None, None, 138, 22060.5]]
    book = save_read(workbook({"捐赠台账": rows}), tmp_path)
    assert rows_of(book, "捐赠台账") == [2, 3, 4]
    assert not [p for p in book.problems if p.row == 5], [str(p) for p in book.problems]


def test_blank_prenumbered_and_formatted_empty_rows(tmp_path: Path) -> None:
    rows = _three_activities()
    rows.insert(2, [])  # a blank row between records -> records on rows 2, 4, 5
    rows += [[n] for n in range(4, 11)]  # 序号 4..10 filled in advance on rows 6-12
    wb = workbook({"活动台账": rows})
    ws = wb["活动台账"]
    thin = Side(style="thin")
    for r in range(13, 41):  # bordered, shaded, but empty
        for c in range(1, 10):
            cell = ws.cell(r, c)
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.fill = PatternFill("solid", fgColor="FFF2CC")
            cell.number_format = "yyyy-mm-dd" if c == 2 else "General"
    book = save_read(wb, tmp_path)
    assert rows_of(book, "活动台账") == [2, 4, 5]
    assert not [p for p in book.problems if p.sheet == "活动台账"], [str(p) for p in book.problems]
    assert book.excluded_rows.get("活动台账", 0) == 0


def test_a_real_record_whose_numbers_equal_the_sums_is_kept(tmp_path: Path) -> None:
    header, _ = RECORDS["捐赠台账"]
    # 5 + 5 = 10 and 100 + 100 = 200, but row 4 has its date and 项目: a record, not a total.
    rows = [header, [1, datetime(2024, 1, 5), "新春送温暖", 5, 100],
            [2, datetime(2024, 1, 6), "慈善一日捐", 5, 100],
            [3, datetime(2024, 1, 7), "爱心助学", 10, 200]]
    book = save_read(workbook({"捐赠台账": rows}), tmp_path)
    assert rows_of(book, "捐赠台账") == [2, 3, 4]
    assert not book.problems, [str(p) for p in book.problems]


def test_an_incomplete_row_is_reported_not_dropped(tmp_path: Path) -> None:
    header, row = RECORDS["活动台账"]
    # Row 3 holds only 参与人次 = 99, which is not the column's sum (30): an incomplete record.
    rows = [header, row, [None, None, None, None, None, 99]]
    book = save_read(workbook({"活动台账": rows}), tmp_path)
    assert rows_of(book, "活动台账") == [2]
    assert {p.row for p in book.errors} == {3}
    assert {p.column for p in book.errors} == {"日期", "条线", "活动名称", "活动类型"}


# ---------------------------------------------------------------------------
# Merged cells inside the data
# ---------------------------------------------------------------------------


def test_merged_date_over_several_rows(tmp_path: Path) -> None:
    header, _ = RECORDS["活动台账"]
    rows = [header,
            [1, datetime(2024, 3, 5), "志愿服务", "学雷锋便民服务", "便民服务", 120],
            [2, None, "普法", "学雷锋普法宣传", "宣传", 40],
            [3, None, None, "学雷锋环境整治", "环境整治", 25],
            [4, datetime(2024, 3, 8), "群团", "三八妇女节座谈", "会议学习", 30]]
    wb = workbook({"活动台账": rows})
    wb["活动台账"].merge_cells("B2:B4")  # one 日期 over three activities
    wb["活动台账"].merge_cells("C3:C4")  # one 条线 over two
    book = save_read(wb, tmp_path)
    assert rows_of(book, "活动台账") == [2, 3, 4, 5]
    assert column(book, "活动台账", "日期") == [date(2024, 3, 5)] * 3 + [date(2024, 3, 8)]
    assert column(book, "活动台账", "条线") == ["志愿服务", "普法", "普法", "群团"]
    assert not book.errors, [str(p) for p in book.errors]


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

# 2024-01-01 is Excel serial 45292; 6 May is day 31+29+31+30+6 = 127 of 2024, i.e. 126 days
# later: 45292 + 126 = 45418.
DATE_CASES = [45418, 45418.0, datetime(2024, 5, 6), datetime(2024, 5, 6, 14, 30),
              "2024-05-06", "2024/5/6", "2024.5.6", "2024年5月6日", "20240506",
              " 2024-5-6 ", "2024年05月06日"]


@pytest.mark.parametrize("cell", DATE_CASES, ids=[repr(c) for c in DATE_CASES])
def test_date_forms(tmp_path: Path, cell: Any) -> None:
    book = save_read(workbook({"活动台账": one_record("活动台账", 日期=cell)}), tmp_path)
    assert column(book, "活动台账", "日期") == [date(2024, 5, 6)]
    assert not book.problems, [str(p) for p in book.problems]


# ---------------------------------------------------------------------------
# Numbers as text, full-width digits, separators, units; codes typed as numbers
# ---------------------------------------------------------------------------

NUMBER_CASES = [
    ("活动台账", "参与人次", "12", 12),
    ("活动台账", "参与人次", "１２", 12),
    ("活动台账", "参与人次", "1,200", 1200),
    ("活动台账", "参与人次", "30人", 30),
    ("活动台账", "参与人次", "30人次", 30),
    ("活动台账", "参与人次", 12.0, 12),
    ("活动台账", "参与人次", " 45 ", 45),
    ("活动台账", "发放资料(份)", "200份", 200),
    ("捐赠台账", "金额(元)", "1,200元", 1200.0),
    ("捐赠台账", "金额(元)", "１２００", 1200.0),
    ("捐赠台账", "金额(元)", "3,200.50元", 3200.5),
    ("捐赠台账", "金额(元)", "１２３.５", 123.5),
    ("低保台账", "月保障金(元)", "1,050元", 1050.0),
    ("志愿服务记录", "服务时长(小时)", "2.5", 2.5),
    ("志愿服务记录", "服务时长(小时)", "1.5小时", 1.5),
]


@pytest.mark.parametrize(("sheet", "name", "cell", "expected"), NUMBER_CASES)
def test_number_forms(tmp_path: Path, sheet: str, name: str, cell: Any, expected: Any) -> None:
    sheets = {sheet: one_record(sheet, **{name: cell})}
    if sheet == "志愿服务记录":
        sheets["志愿者名册"] = one_record("志愿者名册")
    book = save_read(workbook(sheets), tmp_path)
    assert column(book, sheet, name) == [expected]
    assert not book.problems, [str(p) for p in book.problems]


def test_codes_typed_as_numbers_text_and_floats_are_one_code(tmp_path: Path) -> None:
    roster_header, _ = RECORDS["志愿者名册"]
    roster = [roster_header,
              [1, 1001, "柯小满", ID_A, PHONE_A, datetime(2022, 3, 1)],
              [2, 1002.0, "荀一禾", ID_B, "17400005678", datetime(2023, 6, 15)],
              [3, "1003", "闻一苇", None, None, datetime(2024, 2, 1)]]
    service = [["序号", "日期", "志愿者编号", "服务时长(小时)"],
               [1, datetime(2024, 2, 3), "1001", 2],
               [2, datetime(2024, 4, 13), 1002, 3],
               [3, datetime(2024, 9, 9), 1003.0, 1.5],
               [4, datetime(2024, 9, 10), " 1001 ", 1]]
    book = save_read(workbook({"志愿者名册": roster, "志愿服务记录": service}), tmp_path)
    assert column(book, "志愿者名册", "志愿者编号") == ["1001", "1002", "1003"]
    assert column(book, "志愿服务记录", "志愿者编号") == ["1001", "1002", "1003", "1001"]
    assert not book.problems, [str(p) for p in book.problems]


def test_id_typed_as_text_in_a_general_cell_is_kept_whole(tmp_path: Path) -> None:
    book = save_read(workbook({"残疾人台账": one_record("残疾人台账", 身份证号=f" {ID_A} ",
                                                         残疾人证号=None)}), tmp_path)
    assert column(book, "残疾人台账", "身份证号") == [ID_A]
    assert not book.problems, [str(p) for p in book.problems]


def test_lowercase_x_check_character_is_accepted(tmp_path: Path) -> None:
    # GB 11643: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, check character "10X98765432"
    # indexed by the weighted sum mod 11; "X" needs a remainder of 2. Choose the 17th digit
    # (weight 2) that gives it.
    body16 = "9901011980010100"
    partial = sum(int(c) * w for c, w in zip(body16, WEIGHTS[:16], strict=True))
    last = next(d for d in range(10) if (partial + 2 * d) % 11 == 2)
    lower = f"{body16}{last}x"
    book = save_read(workbook({"残疾人台账": one_record("残疾人台账", 身份证号=lower,
                                                         残疾人证号=None)}), tmp_path)
    assert column(book, "残疾人台账", "身份证号")[0].upper() == lower.upper()
    assert not book.problems, [str(p) for p in book.problems]


def test_id_that_excel_turned_into_a_float_is_an_error_of_its_own(tmp_path: Path) -> None:
    # Excel keeps 15 significant digits: 990101196804020313 becomes 9.90101196804020e17.
    as_float = float(ID_A[:15] + "000")
    wrong_length = ID_A[:17]
    header, row = RECORDS["残疾人台账"]
    row2 = [2, "荀一禾", wrong_length, None, "视力", "一级", "是"]
    row1 = list(row)
    row1[2], row1[3] = as_float, None
    book = save_read(workbook({"残疾人台账": [header, row1, row2]}), tmp_path)
    assert "残疾人台账" in book.sheets
    assert rows_of(book, "残疾人台账") == []
    by_row = {p.row: p for p in book.errors if p.sheet == "残疾人台账"}
    assert set(by_row) == {2, 3}, [str(p) for p in book.problems]
    assert by_row[2].column == "身份证号"
    assert by_row[2].message != by_row[3].message  # its own message, not "wrong length"
    assert ID_A[:15] not in str(by_row[2])


# ---------------------------------------------------------------------------
# Yes/no
# ---------------------------------------------------------------------------

YES_NO = [("是", True), ("否", False), ("Y", True), ("N", False), ("√", True), ("×", False),
          (1, True), (0, False), ("1", True), ("0", False), ("有", True), ("无", False),
          (" 是 ", True), (None, True)]  # empty 面向居民 = 是 (ledgers.md)


@pytest.mark.parametrize(("cell", "expected"), YES_NO, ids=[repr(c) for c, _ in YES_NO])
def test_yes_no_forms(tmp_path: Path, cell: Any, expected: bool) -> None:
    book = save_read(workbook({"活动台账": one_record("活动台账", 面向居民=cell)}), tmp_path)
    assert column(book, "活动台账", "面向居民") == [expected]
    assert not book.problems, [str(p) for p in book.problems]


def test_empty_certificate_flag_means_no(tmp_path: Path) -> None:
    book = save_read(workbook({"残疾人台账": one_record("残疾人台账", 是否持证=None)}), tmp_path)
    assert column(book, "残疾人台账", "是否持证") == [False]


# ---------------------------------------------------------------------------
# Enum values with stray spaces, a suffix or an alias
# ---------------------------------------------------------------------------

ENUM_CASES = [
    ("活动台账", "条线", " 党建 ", "党建"),
    ("活动台账", "条线", "计生", "卫生健康"),
    ("活动台账", "条线", "垃圾分类", "环境卫生"),
    ("活动台账", "条线", "双拥", "退役军人"),
    ("活动台账", "活动类型", "讲座培训 ", "讲座培训"),
    ("残疾人台账", "残疾类别", "肢体残疾", "肢体"),
    ("残疾人台账", "残疾等级", "2", "二级"),
    ("残疾人台账", "残疾等级", 2, "二级"),
    ("低保台账", "类别", "A类", "A"),
    ("低保台账", "类别", " B ", "B"),
    ("矛盾纠纷台账", "纠纷类型", "家庭婚姻", "婚姻家庭"),
    ("矛盾纠纷台账", "纠纷类型", "劳动争议纠纷", "劳动争议"),
    ("矛盾纠纷台账", "调解结果", "达成协议", "调解成功"),
    ("矛盾纠纷台账", "调解结果", "未结", "调解中"),
    ("安全隐患台账", "隐患类别", "电动车", "电动自行车"),
    ("帮扶台账", "帮扶形式", "救助金", "临时救助"),
]


@pytest.mark.parametrize(("sheet", "name", "cell", "expected"), ENUM_CASES)
def test_enum_forms(tmp_path: Path, sheet: str, name: str, cell: Any, expected: str) -> None:
    cells: dict[str, Any] = {name: cell}
    if sheet == "残疾人台账":
        cells["残疾人证号"] = None  # the 证号 check is a separate warning
    book = save_read(workbook({sheet: one_record(sheet, **cells)}), tmp_path)
    assert column(book, sheet, name) == [expected]
    assert not book.problems, [str(p) for p in book.problems]


def test_street_enum_list_replaces_the_default(tmp_path: Path) -> None:
    enums = reader.merge_enums({"低保类别": {"取值": ["一类", "二类", "三类"]}})
    header, row = RECORDS["低保台账"]
    rows = [header,
            [1, "荀一禾", ID_B, "一类", 2, 1200, datetime(2022, 1, 1), None],
            [2, "柯小满", ID_A, "A", 1, 800, datetime(2023, 1, 1), None]]
    path = tmp_path / "试点社区.xlsx"
    workbook({"低保台账": rows}).save(path)
    book = reader.read_workbook(path, year=2024, enums=enums)
    assert column(book, "低保台账", "类别") == ["一类"]
    assert [(p.row, p.column, p.value) for p in book.errors] == [(3, "类别", "A")]


# ---------------------------------------------------------------------------
# .xls and .ods saved by LibreOffice, 合计/小计 rows holding computed sums
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("ext", ["xls", "ods"])
def test_libreoffice_files(ext: str) -> None:
    book = reader.read_workbook(FIXTURES / f"银杏社区.{ext}", year=2024)
    assert book.community == "银杏社区" and book.street == "青枫街道"
    assert book.as_of == date(2024, 12, 31)
    assert book.profile["常住人口"] == 5200
    assert not book.errors, [str(p) for p in book.errors]

    # 活动台账: title row 1, 填报 line row 2, header row 3, records 4-8, 合计 (=SUM) on row 9.
    assert rows_of(book, "活动台账") == [4, 5, 6, 7, 8]
    assert column(book, "活动台账", "日期") == [date(2024, 1, 20), date(2024, 3, 5),
                                                date(2024, 5, 6), date(2024, 7, 1),
                                                date(2024, 10, 12)]
    assert column(book, "活动台账", "参与人次") == [35, 120, 18, 60, 42]  # 275, not 550
    assert sum(column(book, "活动台账", "志愿者人次")) == 23  # 4 + 10 + 0 + 6 + 3
    assert column(book, "活动台账", "发放资料(份)") == [50, 200, 0, 80, None]
    assert column(book, "活动台账", "面向居民") == [False, True, True, True, True]

    # 志愿服务记录: no 序号 column; 小计 in the first cell on row 5 (=SUM -> 7).
    assert rows_of(book, "志愿服务记录") == [2, 3, 4]
    assert column(book, "志愿服务记录", "服务时长(小时)") == [2.0, 3.5, 1.5]
    assert column(book, "志愿服务记录", "志愿者编号") == ["1001", "1002", "1001"]
    assert column(book, "志愿者名册", "志愿者编号") == ["1001", "1002"]

    # 捐赠台账: an unlabelled row of column sums on row 5 (138 people, 22060.5 yuan).
    assert rows_of(book, "捐赠台账") == [2, 3, 4]
    assert column(book, "捐赠台账", "金额(元)") == [12860.5, 6000.0, 3200.0]
    assert column(book, "捐赠台账", "捐赠人次") == [86, 12, 40]

    sheets_with_problems = {p.sheet for p in book.problems if p.row is not None}
    assert not sheets_with_problems & {"活动台账", "志愿服务记录", "捐赠台账", "志愿者名册"}, \
        [str(p) for p in book.problems]


def test_profile_with_a_title_row_units_and_a_text_as_of_date(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "基本情况"
    ws.append(["2024年试点社区基本情况"])
    ws.append(["项目", "数值"])
    for key, value in (("社区名称", "试点社区"), ("所属街道", "青枫街道"), ("常住人口", "8,620人"),
                       ("辖区面积", "35万平方米"), ("60岁以上老年人", "1,234"),
                       ("统计截止日期", "2024年6月30日")):
        ws.append([key, value])
    book = save_read(wb, tmp_path)
    assert book.profile["常住人口"] == 8620
    assert book.profile["辖区面积(平方公里)"] == pytest.approx(0.35)  # 350,000 m² = 0.35 km²
    assert book.profile["60周岁以上老年人"] == 1234
    assert book.as_of == date(2024, 6, 30) and book.is_half_year
    assert not book.problems, [str(p) for p in book.problems]


def test_area_given_in_square_metres_header(tmp_path: Path) -> None:
    book = save_read(workbook({}, [*PROFILE, ("辖区面积(平方米)", 1_250_000)]), tmp_path)
    assert book.profile["辖区面积(平方公里)"] == pytest.approx(1.25)


def test_xls_and_ods_among_xlsx_in_one_year(tmp_path: Path) -> None:
    folder = tmp_path / "2024"
    folder.mkdir()
    workbook({"活动台账": one_record("活动台账")}).save(folder / "试点社区.xlsx")
    shutil.copy(FIXTURES / "银杏社区.ods", folder / "银杏社区.ods")
    result = reader.read_year(tmp_path, 2024)
    assert sorted(result.books) == ["试点社区", "银杏社区"]
    assert not result.failures
    assert rows_of(result.books["银杏社区"], "活动台账") == [4, 5, 6, 7, 8]

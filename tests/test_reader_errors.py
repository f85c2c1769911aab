"""Every kind of "Bad input" in ledgers.md: what the user gets.

For each kind: error or warning, the file, sheet, Excel row, column, the value (masked if
personal: IDs 990101********0313, phones 174****1234, names never), a Chinese message, and
whether the row is left out (errors) or kept (warnings). Workbooks are written here with
openpyxl; rows and values are worked out by hand from the layout written.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import Workbook

from shequ_kit import reader
from shequ_kit.model import ERROR, WARNING, LedgerError, Problem

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def gb11643(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


# Fake people (region code 990101 does not exist); check characters verified by the rule.
ID_A = "990101196804020313"
ID_B = "990101199009170420"
ID_C = "990101195503120121"
assert all(gb11643(i[:17]) == i[-1] for i in (ID_A, ID_B, ID_C))
# ID_A with a wrong check character: the right one is 3, 5 is not.
ID_BAD_CHECK = ID_A[:17] + "5"
NAMES = ("柯小满", "荀一禾", "闻一苇")
PHONE = "17400001234"

PROFILE: list[tuple[str, Any]] = [("社区名称", "试点社区"), ("所属街道", "青枫街道"),
                                  ("常住人口", 5000)]
FILE = "试点社区.xlsx"


def masked_id(raw: str) -> str:
    return raw[:6] + "*" * 8 + raw[-4:]


def workbook(sheets: dict[str, list[list[Any]]],
             profile: list[tuple[str, Any]] = PROFILE) -> Workbook:
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


def read(sheets: dict[str, list[list[Any]]], tmp_path: Path,
         profile: list[tuple[str, Any]] = PROFILE, stem: str = "试点社区"):
    path = tmp_path / f"{stem}.xlsx"
    workbook(sheets, profile).save(path)
    return reader.read_workbook(path, year=2024)


def rows_of(book: Any, sheet: str) -> list[int]:
    return [int(r) for r in book.sheets[sheet]["_row"].tolist()]


def cell(book: Any, sheet: str, row: int, name: str) -> Any:
    frame = book.sheets[sheet]
    value = frame.loc[frame["_row"] == row, name].iloc[0]
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.date() if isinstance(value, pd.Timestamp) else value


# Names a Chinese message may carry as they are (products, file types).
LATIN_OK = re.compile(r"Excel|WPS|xlsx|xls|ods|[^\s（）()“”\"、，。：；]+\.(xlsx|xls|ods)")


def chinese(message: str) -> bool:
    """Chinese, and no English words beyond product names and file names."""
    rest = LATIN_OK.sub("", message)
    return bool(re.search(r"[\u4e00-\u9fff]", message)) and not re.search(r"[A-Za-z]{4,}", rest)


def assert_clean(problems: list[Problem]) -> None:
    """No message, value or location carries a name, a whole ID or a whole phone."""
    for p in problems:
        text = f"{p} {p.value} {p.message}"
        assert not re.search(r"\d{15}", text), text
        assert not re.search(r"174\d{8}", text), text
        for name in NAMES:
            assert name not in text, text
        assert chinese(p.message), p.message


def only(book: Any, sheet: str, severity: str) -> Problem:
    found = [p for p in book.problems if p.sheet == sheet and p.severity == severity]
    assert len(found) == 1, [str(p) for p in book.problems]
    assert not [p for p in book.problems if p.sheet == sheet and p.severity != severity], \
        [str(p) for p in book.problems]
    return found[0]


def located(p: Problem, sheet: str, row: int, column: str) -> None:
    assert (p.file, p.sheet, p.row, p.column) == (FILE, sheet, row, column), str(p)


ACT_HEADER = ["序号", "日期", "条线", "活动名称", "活动类型", "参与人次", "志愿者人次",
              "发放资料(份)", "面向居民"]


def activities(bad: dict[str, Any]) -> list[list[Any]]:
    """Three activities on rows 2-4; row 3 carries the bad cells."""
    good1 = [1, datetime(2024, 1, 20), "党建", "主题党日", "会议学习", 35, 4, 50, "否"]
    good3 = [3, datetime(2024, 5, 6), "普法", "民法典进社区", "讲座培训", 18, 0, 0, "是"]
    mid = [2, datetime(2024, 3, 5), "志愿服务", "学雷锋便民服务", "便民服务", 120, 10, 200, "是"]
    for name, value in bad.items():
        mid[ACT_HEADER.index(name)] = value
    return [ACT_HEADER, good1, mid, good3]


# ---------------------------------------------------------------------------
# Errors leave their row out
# ---------------------------------------------------------------------------

ROW_ERRORS = [
    # (column, bad cell, value shown)
    ("活动名称", None, ""),  # a required cell that is empty
    ("日期", None, ""),
    ("日期", "2024-13-45", "2024-13-45"),  # a date that is not a date
    ("日期", "下旬", "下旬"),
    ("参与人次", "很多", "很多"),  # a number that is not a number
    ("参与人次", -3, "-3"),  # breaks its bound (≥ 0)
    ("参与人次", "12.5", "12.5"),  # 人次 is a whole number
    ("条线", "噪音治理", "噪音治理"),  # an enum value outside its list
    ("活动类型", "联欢", "联欢"),
]


@pytest.mark.parametrize(("name", "bad", "shown"), ROW_ERRORS)
def test_error_in_a_required_cell_leaves_the_row_out(tmp_path: Path, name: str, bad: Any,
                                                     shown: str) -> None:
    book = read({"活动台账": activities({name: bad})}, tmp_path)
    p = only(book, "活动台账", ERROR)
    located(p, "活动台账", 3, name)
    assert p.value.strip() == shown
    assert rows_of(book, "活动台账") == [2, 4]
    assert book.excluded_rows.get("活动台账") == 1
    assert_clean(book.problems)


BOUND_ERRORS = [
    # (sheet, header, row, column, bad) — row 2 is the only record
    ("志愿服务记录", ["日期", "志愿者编号", "服务时长(小时)"],
     [datetime(2024, 4, 13), "1001", 0], "服务时长(小时)", "0"),  # 0 < h
    ("志愿服务记录", ["日期", "志愿者编号", "服务时长(小时)"],
     [datetime(2024, 4, 13), "1001", 25], "服务时长(小时)", "25"),  # h ≤ 24
    ("低保台账", ["户主姓名", "身份证号", "类别", "保障人数", "月保障金(元)", "纳入日期"],
     ["荀一禾", ID_B, "A", 0, 1200, datetime(2022, 1, 1)], "保障人数", "0"),  # ≥ 1
    ("低保台账", ["户主姓名", "身份证号", "类别", "保障人数", "月保障金(元)", "纳入日期"],
     ["荀一禾", ID_B, "A", 2, -100, datetime(2022, 1, 1)], "月保障金(元)", "-100"),  # ≥ 0
    ("帮扶台账", ["日期", "对象类别", "帮扶形式", "户次"],
     [datetime(2024, 1, 30), "低保户", "走访慰问", 0], "户次", "0"),  # ≥ 1
    ("捐赠台账", ["日期", "项目", "金额(元)"],
     [datetime(2024, 5, 19), "慈善一日捐", "若干"], "金额(元)", "若干"),
]


@pytest.mark.parametrize(("sheet", "header", "row", "name", "shown"), BOUND_ERRORS)
def test_number_breaking_its_bound_is_an_error(tmp_path: Path, sheet: str, header: list[str],
                                               row: list[Any], name: str, shown: str) -> None:
    roster = [["志愿者编号", "姓名", "注册日期"], ["1001", "柯小满", datetime(2022, 3, 1)]]
    book = read({sheet: [header, row], "志愿者名册": roster}, tmp_path)
    p = only(book, sheet, ERROR)
    located(p, sheet, 2, name)
    assert p.value.strip().removesuffix(".0") == shown
    assert rows_of(book, sheet) == []
    assert_clean(book.problems)


def test_service_hours_of_exactly_24_are_allowed(tmp_path: Path) -> None:
    roster = [["志愿者编号", "姓名", "注册日期"], ["1001", "柯小满", datetime(2022, 3, 1)]]
    service = [["日期", "志愿者编号", "服务时长(小时)"], [datetime(2024, 4, 13), "1001", 24]]
    book = read({"志愿服务记录": service, "志愿者名册": roster}, tmp_path)
    assert rows_of(book, "志愿服务记录") == [2]
    assert not book.problems, [str(p) for p in book.problems]


DIS_HEADER = ["序号", "姓名", "身份证号", "残疾类别", "残疾等级"]


@pytest.mark.parametrize(("bad", "masked"), [
    (ID_A[:17], True),  # 17 characters
    (ID_A + "1", True),  # 19 characters
    ("9901011968O4020313", True),  # a letter O among the digits
    ("身份证待补", False),
])
def test_malformed_id_in_a_required_column_is_an_error(tmp_path: Path, bad: str,
                                                       masked: bool) -> None:
    rows = [DIS_HEADER, [1, "柯小满", bad, "肢体", "二级"], [2, "荀一禾", ID_B, "视力", "一级"]]
    book = read({"残疾人台账": rows}, tmp_path)
    p = only(book, "残疾人台账", ERROR)
    located(p, "残疾人台账", 2, "身份证号")
    assert rows_of(book, "残疾人台账") == [3]
    if masked:
        assert p.value != bad and "*" in p.value
    assert_clean(book.problems)


def test_id_turned_into_a_float_by_excel_is_an_error_with_its_own_message(tmp_path: Path
                                                                          ) -> None:
    as_float = float(ID_A[:15] + "000")  # what Excel keeps of 990101196804020313
    rows = [DIS_HEADER, [1, "柯小满", as_float, "肢体", "二级"],
            [2, "荀一禾", ID_B[:17], "视力", "一级"]]
    book = read({"残疾人台账": rows}, tmp_path)
    errors = {p.row: p for p in book.errors}
    assert set(errors) == {2, 3}, [str(p) for p in book.problems]
    located(errors[2], "残疾人台账", 2, "身份证号")
    assert errors[2].message != errors[3].message
    assert rows_of(book, "残疾人台账") == []
    assert_clean(book.problems)


END_BEFORE_START = [
    ("低保台账", ["户主姓名", "身份证号", "类别", "保障人数", "月保障金(元)", "纳入日期", "退出日期"],
     ["荀一禾", ID_B, "A", 2, 1200, datetime(2023, 5, 1), datetime(2023, 4, 30)], "退出日期"),
    ("失业人员台账", ["姓名", "身份证号", "登记失业日期", "再就业日期"],
     ["柯小满", ID_A, datetime(2024, 3, 1), datetime(2024, 2, 28)], "再就业日期"),
    ("失业人员台账", ["姓名", "身份证号", "登记失业日期", "注销日期"],
     ["柯小满", ID_A, datetime(2024, 3, 1), datetime(2024, 1, 2)], "注销日期"),
    ("安全隐患台账", ["发现日期", "隐患类别", "整改日期"],
     [datetime(2024, 6, 10), "燃气", datetime(2024, 6, 9)], "整改日期"),
    ("矛盾纠纷台账", ["受理日期", "纠纷类型", "调解结果", "办结日期"],
     [datetime(2024, 9, 2), "邻里纠纷", "调解成功", datetime(2024, 8, 30)], "办结日期"),
]


@pytest.mark.parametrize(("sheet", "header", "row", "end"), END_BEFORE_START,
                         ids=[c[3] for c in END_BEFORE_START])
def test_end_date_before_its_start_is_an_error(tmp_path: Path, sheet: str, header: list[str],
                                               row: list[Any], end: str) -> None:
    same_day = list(row)
    start = {"退出日期": "纳入日期", "再就业日期": "登记失业日期", "注销日期": "登记失业日期",
             "整改日期": "发现日期", "办结日期": "受理日期"}[end]
    same_day[header.index(end)] = same_day[header.index(start)]  # same day is fine
    if "身份证号" in header:
        same_day[header.index("身份证号")] = ID_C
    book = read({sheet: [header, row, same_day]}, tmp_path)
    p = only(book, sheet, ERROR)
    located(p, sheet, 2, end)
    assert rows_of(book, sheet) == [3]
    assert_clean(book.problems)


def test_repeated_unique_id_second_and_later_are_errors(tmp_path: Path) -> None:
    rows = [DIS_HEADER, [1, "柯小满", ID_A, "肢体", "二级"], [2, "荀一禾", ID_B, "视力", "一级"],
            [3, "闻一苇", ID_A, "听力", "三级"], [4, "闻一苇", ID_A, "听力", "三级"]]
    book = read({"残疾人台账": rows}, tmp_path)
    errors = sorted(book.errors, key=lambda p: p.row or 0)
    assert [(p.row, p.column) for p in errors] == [(4, "身份证号"), (5, "身份证号")]
    assert all(p.file == FILE and p.value == masked_id(ID_A) for p in errors)
    assert rows_of(book, "残疾人台账") == [2, 3]
    assert_clean(book.problems)


def test_repeated_volunteer_code_in_its_number_and_text_forms(tmp_path: Path) -> None:
    rows = [["序号", "志愿者编号", "姓名", "注册日期"],
            [1, 1001, "柯小满", datetime(2022, 3, 1)],
            [2, "1001.0", "荀一禾", datetime(2023, 6, 15)],
            [3, "1002", "闻一苇", datetime(2023, 6, 15)]]
    book = read({"志愿者名册": rows}, tmp_path)
    p = only(book, "志愿者名册", ERROR)
    located(p, "志愿者名册", 3, "志愿者编号")
    assert rows_of(book, "志愿者名册") == [2, 4]
    assert_clean(book.problems)


DIBAO_HEADER = ["序号", "户主姓名", "身份证号", "类别", "保障人数", "月保障金(元)", "纳入日期",
                "退出日期"]


def test_repeated_household_and_start_date_is_an_error(tmp_path: Path) -> None:
    rows = [DIBAO_HEADER,
            [1, "荀一禾", ID_B, "A", 2, 1200, datetime(2022, 1, 1), datetime(2022, 12, 31)],
            [2, "荀一禾", ID_B, "A", 2, 1200, datetime(2022, 1, 1), datetime(2022, 12, 31)],
            [3, "荀一禾", ID_B, "B", 2, 900, datetime(2023, 2, 1), None]]
    book = read({"低保台账": rows}, tmp_path)
    errors = [p for p in book.errors if p.sheet == "低保台账"]
    assert {p.row for p in errors} == {3}, [str(p) for p in book.problems]
    assert all(p.file == FILE for p in errors)
    assert rows_of(book, "低保台账") == [2, 4]
    assert_clean(book.problems)


def test_overlapping_periods_of_one_household_are_an_error(tmp_path: Path) -> None:
    rows = [DIBAO_HEADER,
            [1, "荀一禾", ID_B, "A", 2, 1200, datetime(2022, 1, 1), datetime(2023, 6, 30)],
            [2, "荀一禾", ID_B, "B", 2, 900, datetime(2023, 3, 1), None],  # overlaps row 2
            [3, "柯小满", ID_A, "A", 1, 800, datetime(2022, 1, 1), datetime(2022, 12, 31)],
            [4, "柯小满", ID_A, "B", 1, 600, datetime(2023, 2, 1), None]]  # after: fine
    book = read({"低保台账": rows}, tmp_path)
    errors = [p for p in book.errors if p.sheet == "低保台账"]
    assert len(errors) == 1 and errors[0].row in (2, 3), [str(p) for p in book.problems]
    assert errors[0].file == FILE
    kept = rows_of(book, "低保台账")
    assert 4 in kept and 5 in kept and len(kept) == 3
    assert_clean(book.problems)


# ---------------------------------------------------------------------------
# Warnings keep their row
# ---------------------------------------------------------------------------


def test_id_failing_its_check_digit_is_a_warning(tmp_path: Path) -> None:
    rows = [DIS_HEADER, [1, "柯小满", ID_BAD_CHECK, "肢体", "二级"]]
    book = read({"残疾人台账": rows}, tmp_path)
    p = only(book, "残疾人台账", WARNING)
    located(p, "残疾人台账", 2, "身份证号")
    assert p.value == masked_id(ID_BAD_CHECK) == "990101********0315"
    assert rows_of(book, "残疾人台账") == [2]
    assert_clean(book.problems)


OPTIONAL_WARNINGS = [
    # (sheet, header, row, column) — the bad optional cell is read as empty
    ("活动台账", ACT_HEADER,
     [1, datetime(2024, 3, 5), "志愿服务", "学雷锋", "便民服务", 120, 10, "很多", "是"],
     "发放资料(份)", "很多", None),
    ("活动台账", ACT_HEADER,
     [1, datetime(2024, 3, 5), "志愿服务", "学雷锋", "便民服务", 120, -2, 5, "是"],
     "志愿者人次", "-2", None),
    # treated as empty, and an empty 面向居民 means 是
    ("活动台账", ACT_HEADER,
     [1, datetime(2024, 3, 5), "志愿服务", "学雷锋", "便民服务", 120, 10, 5, "不一定"],
     "面向居民", "不一定", True),
    ("失业人员台账", ["姓名", "身份证号", "性别", "登记失业日期"],
     ["柯小满", ID_A, "未知", datetime(2024, 3, 1)], "性别", "未知", None),
    ("矛盾纠纷台账", ["受理日期", "纠纷类型", "调解结果", "办结日期"],
     [datetime(2024, 9, 2), "邻里纠纷", "调解成功", "不详"], "办结日期", "不详", None),
    ("帮扶台账", ["日期", "对象类别", "帮扶形式", "户次", "金额(元)"],
     [datetime(2024, 1, 30), "低保户", "走访慰问", 1, "一袋米"], "金额(元)", "一袋米", None),
]


@pytest.mark.parametrize(("sheet", "header", "row", "name", "shown", "empty"),
                         OPTIONAL_WARNINGS, ids=[c[3] for c in OPTIONAL_WARNINGS])
def test_bad_value_in_an_optional_column_is_a_warning(tmp_path: Path, sheet: str,
                                                      header: list[str], row: list[Any],
                                                      name: str, shown: str, empty: Any) -> None:
    book = read({sheet: [header, row]}, tmp_path)
    p = only(book, sheet, WARNING)
    located(p, sheet, 2, name)
    assert p.value.strip().removesuffix(".0") == shown
    assert rows_of(book, sheet) == [2]
    assert cell(book, sheet, 2, name) == empty  # the cell is treated as empty
    assert_clean(book.problems)


def test_malformed_id_in_an_optional_column_is_a_warning(tmp_path: Path) -> None:
    rows = [["志愿者编号", "姓名", "身份证号", "注册日期"],
            ["1001", "柯小满", ID_A[:16], datetime(2022, 3, 1)]]
    book = read({"志愿者名册": rows}, tmp_path)
    p = only(book, "志愿者名册", WARNING)
    located(p, "志愿者名册", 2, "身份证号")
    assert p.value != ID_A[:16]
    assert rows_of(book, "志愿者名册") == [2]
    assert_clean(book.problems)


def test_unknown_volunteer_code_is_a_warning(tmp_path: Path) -> None:
    roster = [["志愿者编号", "姓名", "注册日期"], ["1001", "柯小满", datetime(2022, 3, 1)]]
    service = [["日期", "志愿者编号", "服务时长(小时)"],
               [datetime(2024, 4, 13), "1001", 2], [datetime(2024, 4, 14), "2002", 3]]
    book = read({"志愿者名册": roster, "志愿服务记录": service}, tmp_path)
    p = only(book, "志愿服务记录", WARNING)
    located(p, "志愿服务记录", 3, "志愿者编号")
    assert p.value == "2002"
    assert rows_of(book, "志愿服务记录") == [2, 3]
    assert_clean(book.problems)


EVENTS = [
    ("活动台账", ACT_HEADER, [1, None, "党建", "主题党日", "会议学习", 30, 2, 10, "是"], "日期"),
    ("志愿服务记录", ["日期", "志愿者编号", "服务时长(小时)"], [None, "1001", 2], "日期"),
    ("帮扶台账", ["日期", "对象类别", "帮扶形式", "户次"], [None, "低保户", "走访慰问", 1], "日期"),
    ("捐赠台账", ["日期", "项目", "金额(元)"], [None, "慈善一日捐", 500], "日期"),
    ("矛盾纠纷台账", ["受理日期", "纠纷类型", "调解结果"], [None, "邻里纠纷", "调解成功"], "受理日期"),
    ("安全隐患台账", ["发现日期", "隐患类别"], [None, "消防"], "发现日期"),
    ("信息报送台账", ["报送日期", "标题"], [None, "社区开展消防演练"], "报送日期"),
]


@pytest.mark.parametrize(("sheet", "header", "row", "name"), EVENTS, ids=[e[0] for e in EVENTS])
def test_event_date_outside_the_year_is_a_warning(tmp_path: Path, sheet: str,
                                                  header: list[str], row: list[Any],
                                                  name: str) -> None:
    row = list(row)
    row[header.index(name)] = datetime(2023, 12, 28)  # a 2024 workbook
    roster = [["志愿者编号", "姓名", "注册日期"], ["1001", "柯小满", datetime(2022, 3, 1)]]
    book = read({sheet: [header, row], "志愿者名册": roster}, tmp_path)
    p = only(book, sheet, WARNING)
    located(p, sheet, 2, name)
    assert "2023" in p.value
    assert rows_of(book, sheet) == [2]
    assert_clean(book.problems)


HALF_YEAR = [*PROFILE, ("统计截止日期", datetime(2024, 6, 30))]


def test_date_after_the_as_of_date_is_a_warning(tmp_path: Path) -> None:
    acts = [ACT_HEADER, [1, datetime(2024, 6, 30), "党建", "主题党日", "会议学习", 30, 2, 10, "是"],
            [2, datetime(2024, 8, 1), "普法", "法律讲座", "讲座培训", 40, 0, 0, "是"]]
    dibao = [DIBAO_HEADER, [1, "荀一禾", ID_B, "A", 2, 1200, datetime(2024, 9, 1), None]]
    book = read({"活动台账": acts, "低保台账": dibao}, tmp_path, profile=HALF_YEAR)
    assert book.as_of == date(2024, 6, 30)
    located(only(book, "活动台账", WARNING), "活动台账", 3, "日期")
    located(only(book, "低保台账", WARNING), "低保台账", 2, "纳入日期")
    assert rows_of(book, "活动台账") == [2, 3]
    assert rows_of(book, "低保台账") == [2]
    assert_clean(book.problems)


def test_disability_certificate_disagreeing_with_category_or_grade(tmp_path: Path) -> None:
    header = ["姓名", "身份证号", "残疾人证号", "残疾类别", "残疾等级"]
    rows = [header,
            ["柯小满", ID_A, ID_A + "42", "肢体", "二级"],  # 4 肢体, 2 二级: agrees
            ["荀一禾", ID_B, ID_B + "12", "肢体", "二级"],  # 1 视力: disagrees
            ["闻一苇", ID_C, ID_C + "43", "肢体", "二级"]]  # grade 3: disagrees
    book = read({"残疾人台账": rows}, tmp_path)
    warnings = sorted(book.warnings, key=lambda p: p.row or 0)
    assert [(p.row, p.column) for p in warnings] == [(3, "残疾人证号"), (4, "残疾人证号")], \
        [str(p) for p in book.problems]
    assert not book.errors
    assert rows_of(book, "残疾人台账") == [2, 3, 4]
    assert_clean(book.problems)


@pytest.mark.parametrize("bad", ["1740000123", "174000012345", "2740000123a"])
def test_malformed_phone_is_a_masked_warning(tmp_path: Path, bad: str) -> None:
    rows = [["志愿者编号", "姓名", "手机号", "注册日期"],
            ["1001", "柯小满", PHONE, datetime(2022, 3, 1)],
            ["1002", "荀一禾", bad, datetime(2022, 3, 1)]]
    book = read({"志愿者名册": rows}, tmp_path)
    p = only(book, "志愿者名册", WARNING)
    located(p, "志愿者名册", 3, "手机号")
    assert p.value != bad and bad not in str(p)
    assert rows_of(book, "志愿者名册") == [2, 3]
    assert_clean(book.problems)


# ---------------------------------------------------------------------------
# Sheet-level and workbook-level problems
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [
    [["序号", "日期", "条线", "活动名称", "活动类型"],  # no 参与人次 (★)
     [1, datetime(2024, 5, 6), "党建", "主题党日", "会议学习"]],
    [*[[f"说明{i}"] for i in range(20)], ACT_HEADER,  # header on row 21: too low
     [1, datetime(2024, 5, 6), "党建", "主题党日", "会议学习", 30, 2, 10, "是"]],
], ids=["missing-required-column", "header-below-row-20"])
def test_sheet_without_a_usable_header_is_one_error_and_absent(tmp_path: Path,
                                                               rows: list[list[Any]]) -> None:
    book = read({"活动台账": rows}, tmp_path)
    errors = [p for p in book.problems if p.sheet == "活动台账"]
    assert len(errors) == 1 and errors[0].is_error, [str(p) for p in book.problems]
    assert errors[0].file == FILE and chinese(errors[0].message)
    assert "活动台账" not in book.sheets  # 无数据, never zero rows


def test_missing_optional_column_is_no_error(tmp_path: Path) -> None:
    rows = [ACT_HEADER[:6], [1, datetime(2024, 5, 6), "党建", "主题党日", "会议学习", 30]]
    book = read({"活动台账": rows}, tmp_path)
    assert rows_of(book, "活动台账") == [2]
    assert "志愿者人次" not in book.sheets["活动台账"].columns
    assert "志愿者人次" in book.missing_columns.get("活动台账", [])
    assert not book.errors


def test_empty_sheet_with_its_header_is_zero_rows_and_absent_sheet_is_absent(
        tmp_path: Path) -> None:
    book = read({"活动台账": [ACT_HEADER]}, tmp_path)
    assert len(book.sheets["活动台账"]) == 0
    assert "捐赠台账" not in book.sheets
    assert not book.errors


def test_unknown_sheet_and_column_are_warnings(tmp_path: Path) -> None:
    rows = [[*ACT_HEADER, "天气"], [1, datetime(2024, 5, 6), "党建", "主题党日", "会议学习", 30,
                                    2, 10, "是", "晴"]]
    book = read({"活动台账": rows, "值班表": [["日期", "值班人"]]}, tmp_path)
    assert not book.errors
    assert any("值班表" in str(p) for p in book.warnings), [str(p) for p in book.problems]
    assert any(p.sheet == "活动台账" and "天气" in str(p) for p in book.warnings), \
        [str(p) for p in book.problems]
    assert rows_of(book, "活动台账") == [2]


def test_file_that_cannot_be_opened(tmp_path: Path) -> None:
    path = tmp_path / "坏文件社区.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(LedgerError) as info:
        reader.read_workbook(path, year=2024)
    assert info.value.problems and all(p.is_error for p in info.value.problems)
    assert chinese(info.value.problems[0].message)
    assert "坏文件社区.xlsx" in str(info.value)


def test_workbook_without_profile_sheet_fails(tmp_path: Path) -> None:
    wb = workbook({"活动台账": activities({})})
    del wb["基本情况"]
    path = tmp_path / "试点社区.xlsx"
    wb.save(path)
    with pytest.raises(LedgerError) as info:
        reader.read_workbook(path, year=2024)
    assert chinese(info.value.problems[0].message)
    assert "基本情况" in str(info.value)


def test_workbook_without_any_population_fails(tmp_path: Path) -> None:
    profile = [("社区名称", "试点社区"), ("所属街道", "青枫街道"), ("户数", 1800)]
    with pytest.raises(LedgerError) as info:
        read({"活动台账": activities({})}, tmp_path, profile=profile)
    assert chinese(info.value.problems[0].message)


def test_population_falls_back_with_a_warning(tmp_path: Path) -> None:
    profile = [("社区名称", "试点社区"), ("所属街道", "青枫街道"), ("户籍人口", 4200),
               ("流动人口", 800)]
    book = read({}, tmp_path, profile=profile)
    assert book.profile["常住人口"] == 5000  # 4200 + 800
    assert any(p.sheet == "基本情况" for p in book.warnings), [str(p) for p in book.problems]


def test_name_from_the_file_stem_or_the_profile(tmp_path: Path) -> None:
    unnamed = [("所属街道", "青枫街道"), ("常住人口", 3000)]
    book = read({}, tmp_path, profile=unnamed, stem="松涛社区")
    assert book.community == "松涛社区" and book.warnings
    other = read({}, tmp_path, stem="别名社区")  # profile says 试点社区
    assert other.community == "试点社区" and other.warnings
    assert not other.errors


@pytest.mark.parametrize("name", ["../上级社区", "a/b社区", ".隐藏社区", "换行\n社区"])
def test_unsafe_community_name_fails_that_community(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "2024"
    folder.mkdir()
    workbook({}, [("社区名称", name), ("所属街道", "青枫街道"), ("常住人口", 10)]).save(
        folder / "危险社区.xlsx")
    workbook({}, [("社区名称", "安好社区"), ("所属街道", "青枫街道"), ("常住人口", 10)]).save(
        folder / "安好社区.xlsx")
    result = reader.read_year(tmp_path, 2024)
    assert list(result.books) == ["安好社区"]
    assert len(result.failures) == 1
    problems = next(iter(result.failures.values()))
    assert problems and all(p.is_error and chinese(p.message) for p in problems)


def test_one_bad_workbook_among_good_ones(tmp_path: Path) -> None:
    folder = tmp_path / "2024"
    folder.mkdir()
    for name, population in (("东湖社区", 3000), ("西岭社区", 4000)):
        workbook({"活动台账": activities({})},
                 [("社区名称", name), ("所属街道", "青枫街道"), ("常住人口", population)]
                 ).save(folder / f"{name}.xlsx")
    (folder / "南桥社区.xlsx").write_bytes(b"this is not a workbook")
    workbook({}, [("所属街道", "青枫街道")]).save(folder / "北苑社区.xlsx")  # no population
    (folder / "~$东湖社区.xlsx").write_bytes(b"lock")  # Excel/WPS owner file
    (folder / ".~lock.西岭社区.xlsx#").write_text("lock")  # LibreOffice lock file
    result = reader.read_year(tmp_path, 2024)
    assert sorted(result.books) == ["东湖社区", "西岭社区"]
    assert rows_of(result.books["东湖社区"], "活动台账") == [2, 3, 4]
    assert len(result.failures) == 2
    for problems in result.failures.values():
        assert problems and all(p.is_error and chinese(p.message) for p in problems)
    failed_files = {p.file for ps in result.failures.values() for p in ps}
    assert failed_files == {"南桥社区.xlsx", "北苑社区.xlsx"}
    lock = [p for p in result.problems if "~" in str(p)]
    assert len(lock) == 2 and all(not p.is_error for p in lock), \
        [str(p) for p in result.problems]


def test_two_workbooks_of_one_community_both_fail(tmp_path: Path) -> None:
    folder = tmp_path / "2024"
    folder.mkdir()
    profile = [("社区名称", "东湖社区"), ("所属街道", "青枫街道"), ("常住人口", 3000)]
    workbook({}, profile).save(folder / "东湖社区.xlsx")
    workbook({}, profile).save(folder / "东湖社区（修改版）.xlsx")
    workbook({}, [("社区名称", "西岭社区"), ("所属街道", "青枫街道"), ("常住人口", 10)]).save(
        folder / "西岭社区.xlsx")
    result = reader.read_year(tmp_path, 2024)
    assert sorted(result.books) == ["西岭社区"]
    reported = [p for ps in result.failures.values() for p in ps] + list(result.problems)
    errors = [p for p in reported if p.is_error]
    assert errors and all(chinese(p.message) for p in errors)
    text = " ".join(str(p) for p in errors)
    assert "东湖社区.xlsx" in text and "东湖社区（修改版）.xlsx" in text, text
    assert "东湖社区" not in result.books


def test_a_formula_without_a_saved_result_is_reported_as_a_formula(tmp_path: Path) -> None:
    # openpyxl writes the formula but no cached result (as a program or a workbook saved
    # with calculation off does): the cell reads empty, and the clerk is told why.
    book = read({"活动台账": activities({"参与人次": "=SUM(40,2)"})}, tmp_path)
    p = only(book, "活动台账", ERROR)
    located(p, "活动台账", 3, "参与人次")
    assert p.kind == "formula_no_value"
    assert "是公式" in p.message and "必填项为空" not in p.message
    assert rows_of(book, "活动台账") == [2, 4]
    assert_clean(book.problems)


def test_a_truly_empty_required_cell_is_still_reported_as_empty(tmp_path: Path) -> None:
    book = read({"活动台账": activities({"参与人次": None})}, tmp_path)
    p = only(book, "活动台账", ERROR)
    assert p.kind == "required_empty" and p.message == "必填项为空"

"""The reader on workbooks written here with openpyxl, shaped the way communities fill them:
aliases, title rows, 合计 rows, merged dates, missing sheets and columns, bad rows. The
expected rows, values and problems are counted by hand from the rows written below."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from shequ_kit import reader
from shequ_kit.model import LedgerError


def check_digit(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


def pid(n: int) -> str:
    first = f"3301061980{n:02d}0101{n:03d}"[:17]
    return first + check_digit(first)


PROFILE = {"社区名称": "天运社区", "所属街道": "闸弄口街道", "常住人口": 8000}


def write(path: Path, sheets: dict[str, list[list]], profile: dict | None = None,
          merges: dict[str, list[str]] | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本情况"
    ws.append(["项目", "数值"])
    for k, v in (PROFILE if profile is None else profile).items():
        ws.append([k, v])
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def d(text: str) -> datetime:
    return datetime.fromisoformat(text)


ACT_HEAD = ["序号", "日期", "条线", "活动名称", "活动类型", "参与人次"]


def test_aliases_title_rows_totals_and_blank_rows(tmp_path: Path) -> None:
    path = write(tmp_path / "2024" / "天运社区.xlsx", {
        " 活动 记录 ": [  # an alias of 活动台账, with spaces
            ["2024年天运社区活动台账"],
            ["填报单位：天运社区居民委员会", None, None, None, "填报日期：2025年1月5日"],
            ["序 号", "活动\n日期", "工作条线", "活动主题", "类型", "参与人数（人）", "不明列"],
            [1, d("2024-01-12"), "普法", "宪法宣传", "宣传", 30],
            [2, "2024.3.8", "妇联", "三八节活动", "节日活动", "５０"],
            [None, None, None, None, None, None],  # blank
            [3, None, None, None, None, None],  # pre-numbered, nothing else
            [4, "2024年6月30日", " 普法 ", "民法典讲座", "讲座培训", "20人"],
            ["合计", None, None, None, None, 100],
            [None, None, None, None, None, 100],  # the sums again, without a label
        ],
    }, merges={" 活动 记录 ": ["A1:F1"]})
    book = reader.read_workbook(path, year=2024)
    df = book.sheets["活动台账"]
    assert list(df["活动名称"]) == ["宪法宣传", "三八节活动", "民法典讲座"]
    assert list(df["_row"]) == [4, 5, 8]  # Excel rows: header on row 3
    assert list(df["条线"]) == ["普法", "群团", "普法"]
    assert list(df["参与人次"]) == [30, 50, 20]
    assert str(df["参与人次"].dtype) == "Int64"
    assert str(df["日期"].dtype) == "datetime64[ns]"
    assert [t.date().isoformat() for t in df["日期"]] == ["2024-01-12", "2024-03-08",
                                                           "2024-06-30"]
    assert not book.errors
    assert [p.kind for p in book.warnings] == ["unknown_column"]
    assert book.warnings[0].column == "不明列"
    assert book.excluded_rows["活动台账"] == 0
    # optional columns not kept; 序号 is not reported
    assert book.missing_columns["活动台账"] == ["志愿者人次", "发放资料(份)", "面向居民",
                                               "共建单位", "备注"]
    assert "志愿者名册" in book.absent_sheets and "志愿者名册" not in book.sheets
    assert book.safety is None


def test_merged_dates_give_every_row_the_date_shown(tmp_path: Path) -> None:
    path = write(tmp_path / "2024" / "天运社区.xlsx", {"活动台账": [
        ACT_HEAD,
        [1, d("2024-05-06"), "普法", "甲", "宣传", 10],
        [2, None, "党建", "乙", "会议学习", 20],
        [3, None, "文体", "丙", "文体", 30],
        [4, d("2024-05-07"), "文体", "丁", "文体", 40],
    ]}, merges={"活动台账": ["B2:B4"]})
    df = reader.read_workbook(path, year=2024).sheets["活动台账"]
    assert [t.day for t in df["日期"]] == [6, 6, 6, 7]


def test_bad_rows_are_left_out_and_located(tmp_path: Path) -> None:
    path = write(tmp_path / "2024" / "天运社区.xlsx", {"活动台账": [
        ACT_HEAD,
        [1, "2024-13-45", "普法", "甲", "宣传", 10],  # row 2: not a date → error
        [2, d("2024-02-01"), "噪音", "乙", "宣传", 10],  # row 3: enum → error
        [3, d("2024-02-02"), "普法", None, "宣传", 10],  # row 4: required empty → error
        [4, d("2024-02-03"), "普法", "丙", "宣传", -5],  # row 5: below 0 → error
        [5, d("2023-12-30"), "普法", "丁", "宣传", 5],  # row 6: last year → warning, kept
        [6, d("2024-02-04"), "普法", "戊", "宣传", 5],  # row 7: fine
    ]})
    book = reader.read_workbook(path, year=2024)
    errors = [(p.row, p.column, p.kind) for p in book.errors]
    assert errors == [(2, "日期", "bad_date"), (3, "条线", "enum"),
                      (4, "活动名称", "required_empty"), (5, "参与人次", "out_of_range")]
    assert str(book.errors[0]) == ('错误：天运社区.xlsx / 活动台账 / 第2行 / 日期: "2024-13-45" '
                                   '不是有效日期')
    assert book.excluded_rows["活动台账"] == 4
    assert list(book.sheets["活动台账"]["活动名称"]) == ["丁", "戊"]
    assert [(p.row, p.kind) for p in book.warnings] == [(6, "outside_year")]


def test_duplicates_overlaps_and_end_dates(tmp_path: Path) -> None:
    a, b, c = pid(1), pid(2), pid(3)
    path = write(tmp_path / "2024" / "天运社区.xlsx", {
        "残疾人台账": [
            ["序号", "姓名", "身份证号", "残疾类别", "残疾等级"],
            [1, "某甲", a, "肢体残疾", 2],
            [2, "某乙", b, "视力", "一级"],
            [3, "某甲", a, "肢体", "二级"],  # row 4: same ID again → error
        ],
        "低保台账": [
            ["序号", "户主姓名", "身份证号", "类别", "保障人数", "月保障金(元)", "纳入日期",
             "退出日期"],
            [1, "某丙", c, "A类", 2, 800, d("2022-01-01"), d("2023-06-30")],
            [2, "某丙", c, "A", 2, 800, d("2023-06-30"), None],  # starts as the first ends
            [3, "某丙", c, "B", 1, 500, d("2023-09-01"), None],  # row 4: overlaps row 3
            [4, "某丁", b, "C", 1, 300, d("2024-03-01"), d("2024-01-01")],  # row 5: ends early
            [5, "某丙", c, "A", 2, 800, d("2022-01-01"), None],  # row 6: key repeats row 2
        ],
    })
    book = reader.read_workbook(path, year=2024)
    got = [(p.sheet, p.row, p.kind) for p in book.errors]
    assert got == [("低保台账", 4, "overlap"), ("低保台账", 5, "end_before_start"),
                   ("低保台账", 6, "duplicate"), ("残疾人台账", 4, "duplicate")]
    dup = [p for p in book.errors if p.sheet == "残疾人台账"][0]
    assert dup.value == a[:6] + "********" + a[-4:]
    assert "第2行" in dup.message
    assert list(book.sheets["残疾人台账"]["残疾类别"]) == ["肢体", "视力"]
    assert list(book.sheets["低保台账"]["_row"]) == [2, 3]
    assert book.excluded_rows == {"残疾人台账": 1, "低保台账": 3}


def test_personal_values_never_in_problems(tmp_path: Path) -> None:
    good = pid(4)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    path = write(tmp_path / "2024" / "天运社区.xlsx", {"志愿者名册": [
        ["序号", "志愿者编号", "姓名", "身份证号", "手机号", "注册日期"],
        [1, 1001, "欧阳明", wrong, "13812345678", d("2020-01-01")],  # check digit: warning
        [2, "1002", "司马青", 3.30106198e17, "1381234567", d("2020-01-01")],  # float ID
        [3, "1001.0", "诸葛亮", None, None, d("2020-01-01")],  # 1001 again → error
    ]})
    book = reader.read_workbook(path, year=2024)
    kinds = [(p.row, p.column, p.kind, p.severity) for p in book.problems]
    assert kinds == [(2, "身份证号", "check_digit", "警告"),
                     (3, "身份证号", "id_as_number", "警告"),
                     (3, "手机号", "bad_phone", "警告"),
                     (4, "志愿者编号", "duplicate", "错误")]
    text = "\n".join(str(p) for p in book.problems)
    for secret in ("欧阳明", "司马青", "诸葛亮", wrong, "1381234567"):
        assert secret not in text
    assert not re.search(r"\d{15,}", text)
    assert book.problems[0].value == wrong[:6] + "********" + wrong[-4:]
    assert book.problems[2].value == "138***4567"
    roster = book.sheets["志愿者名册"]
    assert list(roster["志愿者编号"]) == ["1001", "1002"]
    assert list(roster["身份证号"]) == [wrong, None]  # kept for counting, never shown


def test_missing_required_column_makes_the_ledger_absent(tmp_path: Path) -> None:
    path = write(tmp_path / "2024" / "天运社区.xlsx", {"帮扶台账": [
        ["序号", "日期", "对象类别", "金额(元)"],  # lacks 帮扶形式 and 户次
        [1, d("2024-01-01"), "低保户", 500],
    ]})
    book = reader.read_workbook(path, year=2024)
    assert "帮扶台账" not in book.sheets and "帮扶台账" in book.absent_sheets
    [p] = book.errors
    assert p.sheet == "帮扶台账" and p.row is None and "帮扶形式、户次" in p.message


def test_empty_sheet_with_header_is_zero_rows(tmp_path: Path) -> None:
    path = write(tmp_path / "2024" / "天运社区.xlsx", {"捐赠台账": [
        ["序号", "日期", "项目", "金额(元)"]]})
    book = reader.read_workbook(path, year=2024)
    assert len(book.sheets["捐赠台账"]) == 0 and not book.problems
    assert list(book.sheets["捐赠台账"].columns) == ["序号", "日期", "项目", "金额(元)", "_row"]


def test_profile_key_values_and_safety(tmp_path: Path) -> None:
    path = write(tmp_path / "2024" / "天运社区.xlsx", {
        "平安稳定": [["项目", "数值"], ["火灾事故(起)", 0], ["信访", "3件"]],
    }, profile={"社区名称": "天运社区", "所属街道": "闸弄口街道", "统计截止日期": "2024年6月30日",
                "户籍人口": "7,000", "流动人口": 2000, "辖区面积(平方米)": 350000,
                "60岁以上老年人": 1500})
    book = reader.read_workbook(path, year=2024)
    assert book.as_of.isoformat() == "2024-06-30" and book.is_half_year
    assert book.profile["常住人口"] == 9000  # 7000 + 2000, with a warning
    assert [p.kind for p in book.warnings] == ["population_derived"]
    assert book.profile["辖区面积(平方公里)"] == pytest.approx(0.35)
    assert book.profile["60周岁以上老年人"] == 1500
    assert book.safety == {"火灾事故(起)": 0, "信访(件)": 3}


def test_workbooks_that_cannot_be_used(tmp_path: Path) -> None:
    broken = tmp_path / "2024" / "坏社区.xlsx"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"this is not a workbook")
    with pytest.raises(LedgerError) as err:
        reader.read_workbook(broken, year=2024)
    assert "无法打开" in str(err.value) and "坏社区.xlsx" in str(err.value)
    nopop = write(tmp_path / "2024" / "无人社区.xlsx", {},
                  profile={"社区名称": "无人社区", "所属街道": "某街道"})
    with pytest.raises(LedgerError) as err:
        reader.read_workbook(nopop, year=2024)
    assert "人口" in str(err.value)
    unsafe = write(tmp_path / "x" / "a.xlsx", {}, profile={**PROFILE, "社区名称": "../etc"})
    with pytest.raises(LedgerError):
        reader.read_workbook(unsafe, year=2024)


def test_read_year_isolates_failures_and_duplicates(tmp_path: Path) -> None:
    write(tmp_path / "2024" / "天运社区.xlsx", {})
    write(tmp_path / "2024" / "天运社区(副本).xlsx", {})  # also says 天运社区
    write(tmp_path / "2024" / "望江社区.xlsx", {}, profile={**PROFILE, "社区名称": "望江社区"})
    (tmp_path / "2024" / "坏.xls").write_bytes(b"\x00\x01")
    (tmp_path / "2024" / "~$望江社区.xlsx").write_bytes(b"lock")
    assert [p.name for p in reader.find_workbooks(tmp_path, 2024)] == [
        "坏.xls", "天运社区(副本).xlsx", "天运社区.xlsx", "望江社区.xlsx"]
    result = reader.read_year(tmp_path, 2024)
    assert list(result.books) == ["望江社区"]
    assert sorted(result.failures) == ["坏", "天运社区"]
    assert len(result.failures["天运社区"]) == 2
    assert {p.kind for p in result.problems} == {"lock_file", "duplicate_community"}
    only = reader.read_year(tmp_path, 2024, communities=["望江社区"])
    assert list(only.books) == ["望江社区"] and not only.failures


def test_merge_enums() -> None:
    specs = reader.merge_enums({"低保类别": {"取值": ["一类", "二类"], "别名": {"全额": "一类"}},
                                "性别": {"增加": ["未知"]}})
    assert specs["低保类别"].values == ("一类", "二类")
    assert specs["低保类别"].aliases == {"全额": "一类"}
    assert specs["性别"].values == ("男", "女", "未知")
    assert reader.merge_enums(None)["条线"].aliases["妇联"] == "群团"
    for bad in ({"不存在": ["a"]}, {"性别": {"替换": ["a"]}}, {"性别": "男"},
                {"性别": {"别名": {"M": "男性"}}}, ["性别"]):
        with pytest.raises(ValueError, match="枚举"):
            reader.merge_enums(bad)


def test_street_enums_reach_the_rows(tmp_path: Path) -> None:
    path = write(tmp_path / "2024" / "天运社区.xlsx", {"低保台账": [
        ["序号", "户主姓名", "身份证号", "类别", "保障人数", "月保障金", "审批日期"],
        [1, "某甲", pid(5), "全额", 2, 800, d("2023-01-01")],
        [2, "某乙", pid(6), "A", 2, 800, d("2023-01-01")],  # not in the street's list
    ]})
    enums = reader.merge_enums({"低保类别": {"取值": ["一类", "二类"], "别名": {"全额": "一类"}}})
    book = reader.read_workbook(path, year=2024, enums=enums)
    assert list(book.sheets["低保台账"]["类别"]) == ["一类"]
    assert [(p.row, p.kind) for p in book.errors] == [(3, "enum")]
    assert book.enums["低保类别"].values == ("一类", "二类")

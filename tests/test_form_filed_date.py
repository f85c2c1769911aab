"""The 填报日期 line above a ledger's header is the workbook's metadata: the reader keeps
it with the profile (the 落款 is dated by it), never as a record. Workbooks are written
here the way clerks fill them (ledgers.md, Tolerance)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from shequ_kit import reader

HEADER = ["序号", "日期", "条线", "活动名称", "活动类型", "参与人次"]
RECORD = [1, datetime(2024, 5, 6), "党建", "主题党日", "会议学习", 30]


def read(tmp_path: Path, sheets: dict[str, list[list[Any]]],
         profile_rows: list[list[Any]] | None = None):
    wb = Workbook()
    ws = wb.active
    ws.title = "基本情况"
    for row in profile_rows or []:
        ws.append(row)
    ws.append(["项目", "数值"])
    for row in (["社区名称", "试点社区"], ["所属街道", "青枫街道"], ["常住人口", 5000]):
        ws.append(row)
    for name, rows in sheets.items():
        sheet = wb.create_sheet(name)
        for row in rows:
            sheet.append(row)
    path = tmp_path / "试点社区.xlsx"
    wb.save(path)
    return reader.read_workbook(path, year=2024)


def test_the_fill_line_above_the_header_is_kept_as_the_filing_date(tmp_path: Path) -> None:
    book = read(tmp_path, {"活动台账": [["2024年试点社区活动台账"],
                                       ["填报单位：试点社区居委会", None, None,
                                        "填报日期：2025年1月8日"],
                                       HEADER, RECORD]})
    assert book.profile["填报日期"] == date(2025, 1, 8)
    # metadata, not a record: the one activity is still the only row
    assert book.sheets["活动台账"]["活动名称"].tolist() == ["主题党日"]


def test_the_latest_date_wins_and_a_label_cell_may_hold_the_date_beside_it(
        tmp_path: Path) -> None:
    book = read(tmp_path, {
        "活动台账": [["填报日期：2025年1月6日"], HEADER, RECORD],
        "捐赠台账": [["填报日期", None, "2025-01-12"],
                   ["序号", "日期", "项目", "捐赠人次", "金额(元)"],
                   [1, datetime(2024, 5, 19), "慈善一日捐", 86, 1000]],
    })
    assert book.profile["填报日期"] == date(2025, 1, 12)


def test_a_line_on_the_profile_sheet_counts_and_free_text_is_ignored(tmp_path: Path) -> None:
    book = read(tmp_path, {"活动台账": [["填报日期：年后补填"], HEADER, RECORD]},
                profile_rows=[["填报日期： 2025.1.9"]])
    assert book.profile["填报日期"] == date(2025, 1, 9)


def test_no_fill_line_no_filing_date(tmp_path: Path) -> None:
    book = read(tmp_path, {"活动台账": [["填报单位：试点社区居委会"], HEADER, RECORD]})
    assert "填报日期" not in book.profile

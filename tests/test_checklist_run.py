"""The 数据核对单: analyst notes leave the leader's PDF and land, masked, in a file beside it.

One real run (reader, facts, papermill, WeasyPrint) on a hand-made 天运社区 workbook with a
wrong ID check digit (a warning, the row is kept) and an unreadable date (an error, the
row is left out); plus the checklist's own rows and guard on hand-made problems.
"""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from shequ_kit import checklist, guard
from shequ_kit.batch import DONE, run_batch
from shequ_kit.model import Problem
from shequ_kit.privacy import PersonalIndex

YEAR = 2024
# 11010519491231002X is valid (check digit X); ending in 1 instead, the check digit is wrong.
BAD_ID = "110105194912310021"
PHONE = "13812345678"
MESSAGE = "身份证号校验位错误"


def write_book(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本情况"
    for row in (["项目", "数值"], ["社区名称", "天运社区"], ["所属街道", "青枫街道"],
                ["常住人口", 8000], ["统计截止日期", datetime(YEAR, 12, 31)]):
        ws.append(row)
    ws = wb.create_sheet("活动台账")
    ws.append(["序号", "日期", "条线", "活动名称", "活动类型", "参与人次"])
    for i in range(1, 4):
        ws.append([i, datetime(YEAR, i, 10), "文体", f"广场舞展演{i}", "文体", 30])
    ws.append([4, "某日", "文体", "广场舞展演4", "文体", 30])  # row 5: date unreadable → left out
    ws = wb.create_sheet("志愿者名册")
    ws.append(["序号", "志愿者编号", "姓名", "身份证号", "手机号", "注册日期"])
    ws.append([1, "1001", "欧阳明", BAD_ID, PHONE, datetime(2020, 1, 1)])  # row 2
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("checklist")
    write_book(base / "data" / str(YEAR) / "天运社区.xlsx")
    params = base / "parameters"
    params.mkdir()
    (params / "defaults.yaml").write_text("targets: []\n", encoding="utf-8")
    out = base / "out"
    result = run_batch(base / "data", YEAR, out_dir=out, params_dir=params, workers=1)
    assert result.reports["community:天运社区"]["status"] == DONE, result.reports
    return out / str(YEAR) / "天运社区"


def test_the_leaders_report_carries_no_analyst_note(run: Path) -> None:
    pdf = subprocess.run(["pdftotext", "-layout", str(run / f"天运社区{YEAR}年度工作总结.pdf"),
                          "-"], capture_output=True, text=True, check=True).stdout
    html = (run / f"天运社区{YEAR}年度工作总结.html").read_text(encoding="utf-8")
    for text in (pdf, html):
        assert MESSAGE not in text
        assert "日期无法识别" not in text
    squeezed = "".join(pdf.split())
    # the one line a leader reads: 1 row (活动台账 row 5) left out
    assert "1条记录因填写问题未计入统计，详见数据核对单。" in squeezed


def test_the_checklist_lists_each_problem_masked(run: Path) -> None:
    html = (run / f"天运社区{YEAR}年数据核对单.html").read_text(encoding="utf-8")
    wb = openpyxl.load_workbook(run / f"天运社区{YEAR}年数据核对单.xlsx")
    cells = [[str(c) if c is not None else "" for c in r]
             for r in wb.active.iter_rows(values_only=True)]
    assert cells[0] == [f"天运社区{YEAR}年数据核对单"] + [""] * (len(cells[0]) - 1)
    assert tuple(cells[1]) == checklist.COLUMNS
    rows = {(r[3], r[4], r[5]): r for r in cells[2:]}
    id_row = rows[("志愿者名册", "第2行", "身份证号")]
    assert id_row[1] == "警告" and MESSAGE in id_row[7] and id_row[8] == "请核对"
    assert id_row[6] == "110105********0021"  # first 6 and last 4 digits, as the reader masks
    assert id_row[2] == "天运社区.xlsx"
    date_row = rows[("活动台账", "第5行", "日期")]
    assert date_row[1] == "错误" and date_row[8] == "未计入统计"
    assert "110105********0021" in html and MESSAGE in html
    for text in (html, "\n".join("\t".join(r) for r in cells)):
        assert BAD_ID not in text and PHONE not in text and "欧阳明" not in text


# -- the checklist's rows and guard, on hand-made problems ------------------------------

def test_rows_errors_first_then_warnings_in_file_sheet_row_order() -> None:
    problems = [
        Problem("警告", "unknown_id", "志愿者编号不在志愿者名册中", "a.xlsx", "志愿服务记录", 9,
                "志愿者编号", "1009"),
        Problem("错误", "bad_date", "日期无法识别", "a.xlsx", "活动台账", 7, "日期", "某日"),
        {"severity": "警告", "kind": "target_condition_mismatch", "message": "请核对条线",
         "file": "a.xlsx", "sheet": "活动台账", "row": None, "column": "条线",
         "value": "消防安全"},
    ]
    rows = checklist.checklist_rows(problems)
    assert [r[:7] for r in rows] == [
        ["1", "错误", "a.xlsx", "活动台账", "第7行", "日期", "某日"],
        ["2", "警告", "a.xlsx", "活动台账", "—", "条线", "消防安全"],
        ["3", "警告", "a.xlsx", "志愿服务记录", "第9行", "志愿者编号", "1009"],
    ]


def test_the_guard_refuses_a_checklist_holding_a_raw_id() -> None:
    index = PersonalIndex.from_values(ids=["11010519491231002X"], names=["欧阳明"])
    leaked = Problem("警告", "x", "核对", "a.xlsx", "志愿者名册", 2, "身份证号",
                     "11010519491231002X")
    with pytest.raises(guard.PersonalDataError):
        checklist.checklist_files("核对单", [leaked], index)
    named = Problem("警告", "x", "核对", "a.xlsx", "志愿者名册", 2, "姓名", "欧阳明")
    with pytest.raises(guard.PersonalDataError):
        checklist.checklist_files("核对单", [named], index)
    masked = Problem("警告", "x", "核对", "a.xlsx", "志愿者名册", 2, "身份证号",
                     "110105********002X")
    files = checklist.checklist_files("核对单", [masked], index)
    assert set(files) == {"html", "xlsx"}

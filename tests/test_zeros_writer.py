"""No zero bragged, no target without data in the leader's table: hand-made workbooks of
天运社区 (2023 and 2024) read by the real reader, facts assembled, the summary written."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import openpyxl
import yaml

from shequ_kit import assemble
from shequ_kit.facts import CommunityFacts
from shequ_kit.narrative import Table, build_document

ACTIVITY_HEAD = ["序号", "日期", "条线", "活动名称", "活动类型", "参与人次"]
DONATION_HEAD = ["序号", "日期", "项目", "捐赠人次", "金额(元)"]
UNEMPLOYED_HEAD = ["序号", "姓名", "身份证号", "登记失业日期", "再就业日期", "就业形式"]
# Valid IDs (check digits worked out by hand with the GB 11643 weights).
ID_1 = "11010519491231002X"
ID_2 = "110101199003077578"


def write_book(folder: Path, year: int, sheets: dict[str, list[list]]) -> None:
    path = folder / str(year) / "天运社区.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本情况"
    for row in (["项目", "数值"], ["社区名称", "天运社区"], ["所属街道", "青枫街道"],
                ["常住人口", 8000], ["统计截止日期", datetime(year, 12, 31)]):
        ws.append(row)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def activities(year: int, rows: list[tuple[str, str]]) -> list[list]:
    """One 活动台账: (条线, 活动类型) per row, one a month from January."""
    return [ACTIVITY_HEAD] + [[i, datetime(year, i, 10), line, f"活动{i}", kind, 20]
                              for i, (line, kind) in enumerate(rows, 1)]


def facts_of(tmp_path: Path, targets: list[dict] | None = None) -> CommunityFacts:
    params = tmp_path / "parameters"
    params.mkdir(exist_ok=True)
    (params / "defaults.yaml").write_text(
        yaml.safe_dump({"targets": targets or []}, allow_unicode=True), encoding="utf-8")
    result = assemble.year_facts(tmp_path / "data", 2024, params)
    assert not result.failures, result.failures
    return result.communities["天运社区"]


def work_text(f: CommunityFacts) -> str:
    s = build_document(f).section("work")
    return "" if s is None else s.text()


# -- A. a header-only ledger is not written as a zero ------------------------------------

def test_header_only_donation_ledger_writes_no_donation_sentence(tmp_path: Path) -> None:
    data = tmp_path / "data"
    # Last year: 2 donations, 3000 + 2000 = 5000元. This year the sheet holds only its header.
    write_book(data, 2023, {"活动台账": activities(2023, [("文体", "文体")] * 3),
                            "捐赠台账": [DONATION_HEAD,
                                     [1, datetime(2023, 3, 1), "慈善一日捐", 30, 3000],
                                     [2, datetime(2023, 9, 1), "助学", 20, 2000]]})
    write_book(data, 2024, {"活动台账": activities(2024, [("文体", "文体")] * 3),
                            "捐赠台账": [DONATION_HEAD]})
    f = facts_of(tmp_path)
    doc = build_document(f)
    text = doc.text()
    assert "捐款" not in work_text(f)
    assert "0元" not in text and "100.0%" not in text and "100%" not in text
    assert "断档" not in text  # an empty ledger is not blamed as work undone
    notes = doc.section("notes").text()
    assert "捐赠台账未填写记录，相关内容未写入总结。" in notes
    assert not re.search(r"使用的台账：[^。]*捐赠台账", notes)
    # The activity ledger has 3 rows and is written as usual.
    assert "全年社区共开展各类活动3场次" in work_text(f)


def test_a_target_on_a_header_only_ledger_is_not_judged_on_its_zero(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_book(data, 2024, {"活动台账": activities(2024, [("文体", "文体")] * 3),
                            "捐赠台账": [DONATION_HEAD]})
    f = facts_of(tmp_path, [{"指标": "donation.amount", "目标": "全年不少于5000元"},
                            {"指标": "activity.count", "目标": "全年不少于3场"}])
    donation = next(t for t in f.targets if t["指标"] == "donation.amount")
    assert (donation["status"], donation["reason"]) == ("无法评估", "台账未填写记录")
    doc = build_document(f)
    table = next(b for b in doc.section("targets").blocks if isinstance(b, Table))
    assert [r[0] for r in table.rows] == ["开展活动"]
    assert "以下目标因缺少数据未作评估：募集捐款（台账未填写记录）。" in doc.section("notes").text()
    assert "募集捐款" not in doc.section("problems").text()


# -- A. a real zero where work was expected is never an achievement ----------------------

def test_zero_reemployment_is_not_written_as_an_achievement(tmp_path: Path) -> None:
    data = tmp_path / "data"
    # 2 people registered unemployed in 2024, nobody found a job: reemployed 0, rate 0%.
    write_book(data, 2024, {"失业人员台账": [
        UNEMPLOYED_HEAD,
        [1, "甲", ID_1, datetime(2024, 2, 1), None, None],
        [2, "乙", ID_2, datetime(2024, 3, 1), None, None]]})
    f = facts_of(tmp_path)
    assert f.value("employment.reemployed") == 0  # a real zero (ledgers.md), not 无数据
    work = work_text(f)
    assert "在册登记失业人员2人" in work
    assert "再就业0" not in work and "实现再就业" not in work
    assert "再就业率0" not in work and "0.0%" not in work


def test_no_clause_anywhere_in_the_work_section_states_a_zero(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_book(data, 2024, {
        "活动台账": activities(2024, [("文体", "文体")] * 2),
        "捐赠台账": [DONATION_HEAD, [1, datetime(2024, 3, 1), "物资捐赠", 0, 0]],
        "失业人员台账": [UNEMPLOYED_HEAD, [1, "甲", ID_1, datetime(2024, 2, 1), None, None]]})
    work = work_text(facts_of(tmp_path))
    assert "募集捐款" not in work and "参与捐款0" not in work
    assert not re.search(r"(?<![\d.])0(元|人|户|件|处|篇|场次|人次|名|项)", work)


def test_zero_where_last_year_had_work_is_a_problem_worded_as_a_human_would(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    donations_2023 = [DONATION_HEAD, [1, datetime(2023, 3, 1), "慈善一日捐", 30, 3000],
                      [2, datetime(2023, 9, 1), "助学", 20, 2000]]
    # This year the ledger holds one row of goods worth 0元: a real zero, not an empty ledger.
    write_book(data, 2023, {"捐赠台账": donations_2023})
    write_book(data, 2024, {"捐赠台账": [DONATION_HEAD,
                                     [1, datetime(2024, 5, 1), "物资捐赠", 0, 0]]})
    f = facts_of(tmp_path)
    doc = build_document(f)
    problems = doc.section("problems").text()
    assert "募集捐款工作出现断档，本期尚无相关记录（上年同期5000元）" in problems
    assert "100" not in doc.text()  # no 同比下降100.0% beside the zero
    assert "募集捐款" not in work_text(f)


# -- C. targets without data: out of the table, once in 数据说明 ---------------------------

def test_target_without_data_is_left_out_of_the_table_and_told_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    # 12 activities, no hazard ledger at all: the hazard target cannot be judged.
    write_book(data, 2024, {"活动台账": activities(2024, [("文体", "文体")] * 12)})
    f = facts_of(tmp_path, [{"指标": "activity.count", "目标": "全年不少于10场"},
                            {"指标": "hazard.rectified_rate", "目标": "100%"}])
    doc = build_document(f)
    targets = doc.section("targets")
    table = next(b for b in targets.blocks if isinstance(b, Table))
    assert [r[0] for r in table.rows] == ["开展活动"]
    assert "无法评估" not in targets.text() and "无数据" not in targets.text()
    assert "年初确定的2项量化工作目标中，已完成1项，1项因缺少数据未作评估" in targets.text()
    notes = doc.section("notes").text()
    assert notes.count("隐患整改率") == 1
    assert "以下目标因缺少数据未作评估：隐患整改率。" in notes


def test_no_target_done_is_not_written_as_done_zero(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_book(data, 2024, {"活动台账": activities(2024, [("文体", "文体")] * 3)})
    f = facts_of(tmp_path, [{"指标": "activity.count", "目标": "全年不少于10场"}])
    lead = build_document(f).section("targets").text()
    assert "已完成0项" not in lead
    assert "年初确定的1项量化工作目标中，未完成1项。" in lead


# -- D. 条线+活动类型 that finds nothing while the 活动类型 sits under another 条线 ---------

def test_mismatched_line_and_type_target_is_a_warning_not_a_zero(tmp_path: Path) -> None:
    data = tmp_path / "data"
    # 4 检查巡查 rows, all filed under 综治平安; none under 消防安全.
    write_book(data, 2024, {"活动台账": activities(
        2024, [("综治平安", "检查巡查")] * 4 + [("文体", "文体")] * 2)})
    f = facts_of(tmp_path, [
        {"指标": "activity.count", "条件": {"条线": "消防安全", "活动类型": "检查巡查"},
         "目标": "全年不少于4次"},
        {"指标": "activity.count", "目标": "全年不少于5场"}])
    fire = next(t for t in f.targets if t["条件"])
    assert fire["status"] == "无法评估"
    warnings = f.quality["target_warnings"]
    assert len(warnings) == 1
    w = warnings[0]
    assert (w["severity"], w["sheet"], w["column"], w["value"]) == (
        "警告", "活动台账", "条线", "消防安全")
    assert "4条" in w["message"] and "综治平安" in w["message"]
    assert w["message"].startswith("目标“消防安全检查巡查活动全年不少于4次”")
    doc = build_document(f)
    table = next(b for b in doc.section("targets").blocks if isinstance(b, Table))
    assert [r[0] for r in table.rows] == ["开展活动"]  # 6 ≥ 5 → 完成; the fire row left out
    assert "0场次" not in doc.text()
    assert "消防安全检查巡查" in doc.section("notes").text()


def test_a_line_and_type_target_with_no_such_rows_anywhere_stays_a_plain_miss(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_book(data, 2024, {"活动台账": activities(2024, [("文体", "文体")] * 3)})
    f = facts_of(tmp_path, [
        {"指标": "activity.count", "条件": {"条线": "消防安全", "活动类型": "检查巡查"},
         "目标": "全年不少于4次"}])
    assert f.targets[0]["status"] == "未完成"
    assert f.quality["target_warnings"] == []

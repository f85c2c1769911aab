"""数据溯源: a hand-made workbook whose rows are known by heart, its summary's figures
traced back to exactly those Excel rows in the 底稿, with no personal value in it."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import yaml

from shequ_kit import assemble, export, sources, trace
from shequ_kit.narrative import Paragraph, Table, build_document

ACTIVITY_HEAD = ["序号", "日期", "条线", "活动名称", "活动类型", "参与人次"]
UNEMPLOYED_HEAD = ["序号", "姓名", "身份证号", "登记失业日期", "再就业日期", "就业形式"]
# Valid IDs (check digits by the GB 11643 weights, as in test_zeros_writer).
ID_1 = "11010519491231002X"
ID_2 = "110101199003077578"
NAMES = ("张秀英", "李建国")

# Excel row 1 is the header. Row 2 is dated last December: in the workbook, outside the
# period. Rows 3..7 are this year's: 普法 on rows 3, 4 and 6, 文体 on rows 5 and 7.
ACTIVITIES = [
    ACTIVITY_HEAD,
    [1, datetime(2023, 12, 20), "文体", "迎新年联欢", "文体", 50],
    [2, datetime(2024, 1, 10), "普法", "宪法宣传", "宣传", 20],
    [3, datetime(2024, 2, 10), "普法", "民法典讲座", "讲座培训", 30],
    [4, datetime(2024, 3, 10), "文体", "广场舞比赛", "文体", 40],
    [5, datetime(2024, 4, 10), "普法", "反诈宣传", "宣传", 25],
    [6, datetime(2024, 5, 10), "文体", "书画展", "文体", 15],
]
# Row 2: registered last June, back at work in March (the numerator); row 3: registered
# in February, still looking (denominator only). 再就业率 = 1 / 2.
UNEMPLOYED = [
    UNEMPLOYED_HEAD,
    [1, NAMES[0], ID_1, datetime(2023, 6, 1), datetime(2024, 3, 1), "单位就业"],
    [2, NAMES[1], ID_2, datetime(2024, 2, 1), None, None],
]


def write_book(folder: Path, year: int, sheets: dict[str, list[list]]) -> Path:
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
    return path


@pytest.fixture()
def street(tmp_path: Path):
    write_book(tmp_path / "data", 2024, {"活动台账": ACTIVITIES, "失业人员台账": UNEMPLOYED})
    params = tmp_path / "parameters"
    params.mkdir()
    targets = [{"指标": "activity.count", "条件": {"条线": "普法"}, "目标": "全年不少于2场"},
               {"指标": "employment.reemployment_rate", "目标": "达到40%"}]
    (params / "defaults.yaml").write_text(
        yaml.safe_dump({"targets": targets}, allow_unicode=True), encoding="utf-8")
    result = assemble.year_facts(tmp_path / "data", 2024, params)
    assert not result.failures, result.failures
    return result


def test_indicator_rows_are_the_hand_counted_excel_rows(street) -> None:
    book = street.books["天运社区"]
    assert trace.indicator_rows(book, "activity.count") == [("计数", "活动台账", [3, 4, 5, 6, 7])]
    assert trace.indicator_rows(book, "activity.count", {"条线": "普法"}) == [
        ("计数", "活动台账", [3, 4, 6])]
    assert trace.indicator_rows(book, "activity.by_line", category="文体") == [
        ("计数", "活动台账", [5, 7])]
    assert trace.indicator_rows(book, "employment.reemployment_rate") == [
        ("分子", "失业人员台账", [2]), ("分母", "失业人员台账", [2, 3])]
    # A window the caller names: January and February only.
    assert trace.indicator_rows(book, "activity.count", as_of=datetime(2024, 2, 29).date()) \
        == [("计数", "活动台账", [3, 4])]


def test_ranges_are_compact_and_read_back() -> None:
    assert trace.ranges([5, 6, 7, 9, 40, 41]) == "5-7,9,40-41"
    assert trace.parse_ranges("5-7,9,40-41") == [5, 6, 7, 9, 40, 41]
    assert trace.ranges([]) == ""


def _figure(document, text: str, indicator_id: str, condition=None):
    for section, block, src in sources.figures(document):
        if src["text"] == text and src["id"] == indicator_id \
                and (src.get("condition") or None) == condition:
            return section, block, src
    raise AssertionError(f"{text} ({indicator_id}) not tied: "
                         f"{[(s['text'], s['id']) for _, _, s in sources.figures(document)]}")


def test_workpaper_lists_each_figures_rows_and_the_sentence_links_to_it(
        street, tmp_path: Path) -> None:
    facts = street.communities["天运社区"]
    book = street.books["天运社区"]
    doc = build_document(facts)
    # The 工作 section's sentence: 共开展各类活动5场次 (rows 3..7).
    _, block, count = _figure(doc, "5场次", "activity.count")
    assert isinstance(block, Paragraph) and "5场次" in block.content
    # The targets table: 普法 3场次 (rows 3, 4, 6) and the rate 50.0% (1 / 2).
    _, table, pufa = _figure(doc, "3场次", "activity.count", {"条线": "普法"})
    assert isinstance(table, Table)
    _, _, rate = _figure(doc, "50.0%", "employment.reemployment_rate")

    path = tmp_path / "out" / "天运社区2024年度工作总结.底稿.xlsx"
    assert trace.write_workpaper(doc, facts, book, path, street.personal,
                                 files={"*": book.path.name})
    wb = openpyxl.load_workbook(path)
    ws = wb["底稿"]
    header = [c.value for c in ws[1]]
    assert header == ["序号", "所在部分", "句子", "数字", "指标", "指标编号", "口径/公式", "台账",
                      "行号", "条数"]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2,
                                                                          values_only=True)}
    got = rows[count["n"]]
    assert (got["数字"], got["指标编号"], got["台账"], got["行号"], got["条数"]) == (
        "5场次", "activity.count", "活动台账", "第3–7行", "5")
    assert "5场次" in got["句子"] and got["指标"] == "开展活动"
    assert got["口径/公式"] == "统计期内活动台账的记录条数（场次）"
    got = rows[pufa["n"]]
    assert (got["行号"], got["条数"]) == ("第3–4、6行", "3")
    assert got["指标"] == "开展活动（条线：普法）" and "限条线为“普法”" in got["口径/公式"]
    got = rows[rate["n"]]
    assert got["行号"] == "分子：第2行\n分母：第2–3行"
    assert got["条数"] == "分子：1\n分母：2"
    assert [c.value for c in wb["台账文件"]["A"][1:]] == ["活动台账", "失业人员台账"]
    assert wb["台账文件"]["B2"].value == "天运社区.xlsx"

    # The HTML marks the figure with its 底稿 row; the text around it is unchanged.
    html = block.html()
    span = re.search(r'<span class="sk-fig" data-trace="(\d+)" title="([^"]*)">5场次</span>',
                     html)
    assert span is not None and int(span.group(1)) == count["n"]
    assert span.group(2) == f"底稿序号{count['n']}：开展活动"  # no trace in the facts yet
    assert re.sub(r"<[^>]+>", "", html) == re.sub(r"<[^>]+>", "", Paragraph(
        block.content, block.css, sources=[{"text": "无"}]).html())

    # No personal value anywhere in the workbook: names, IDs, phones.
    cells = [str(c) for s in wb.worksheets for r in s.iter_rows(values_only=True)
             for c in r if c is not None]
    for secret in (*NAMES, ID_1, ID_2, ID_1[-6:], ID_2[:6] + "1990"):
        assert not any(secret in c for c in cells), secret
    # An unchanged re-run writes nothing.
    assert not trace.write_workpaper(doc, facts, book, path, street.personal)


def test_tooltip_names_the_rows_once_the_facts_carry_the_trace(street) -> None:
    facts = street.communities["天运社区"]
    facts.trace = trace.trace_rows(street.books["天运社区"], facts)
    assert facts.trace["activity.count|条线=普法"] == [["计数", "活动台账", "3-4,6", 3]]
    doc = build_document(facts)
    _, block, src = _figure(doc, "5场次", "activity.count")
    assert f'title="底稿序号{src["n"]}：开展活动，活动台账第3–7行（5条）">5场次</span>' \
        in block.html()


def test_a_personal_sentence_is_refused_not_written(street, tmp_path: Path) -> None:
    from shequ_kit.guard import PersonalDataError
    facts = street.communities["天运社区"]
    doc = build_document(facts)
    _, block, _ = _figure(doc, "5场次", "activity.count")
    block.content = block.content.replace("5场次", f"5场次（{ID_1}）")
    path = tmp_path / "x.底稿.xlsx"
    with pytest.raises(PersonalDataError):
        trace.write_workpaper(doc, facts, street.books["天运社区"], path, street.personal)
    assert not path.exists()


def _pdf_text(html: str, tmp_path: Path, name: str) -> str:
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(export.render_pdf(html))
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext is needed (poppler-utils)"
    return subprocess.run([tool, "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_spans_leave_the_pdf_text_unchanged(street, tmp_path: Path) -> None:
    facts = street.communities["天运社区"]
    doc = build_document(facts)
    marked = "".join(s.html() for s in doc.sections[:3])
    assert 'class="sk-fig"' in marked
    for _, block, _ in sources.figures(doc):
        block.sources = []
    plain = "".join(s.html() for s in doc.sections[:3])
    assert 'class="sk-fig"' not in plain
    page = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head>'
            "<body>{}</body></html>")
    assert _pdf_text(page.format(marked), tmp_path, "marked") == \
        _pdf_text(page.format(plain), tmp_path, "plain")


def test_replayed_rows_give_back_every_figure_of_a_sample_community() -> None:
    """The rows the 底稿 lists are the rows the figure counted: on the sample's 天运社区,
    every count is the number of its rows, every sum the sum of its column over them,
    every count of people the distinct IDs among them, every breakdown key likewise."""
    from shequ_kit.catalogue import CATALOGUE, Breakdown, Count, Distinct, Sum

    root = Path(__file__).resolve().parents[1]
    result = assemble.year_facts(root / "data" / "sample", 2024, root / "parameters",
                                 communities=["天运社区"])
    facts, book = result.communities["天运社区"], result.books["天运社区"]
    traced = trace.trace_rows(book, facts)
    checked = 0
    for row in facts.indicators:
        formula = CATALOGUE[row["id"]].formula
        if row.get("condition") or not isinstance(formula, (Count, Sum, Distinct, Breakdown)):
            continue
        frame = book.sheets[formula.rows.sheet]
        values = row["value"] if isinstance(row["value"], dict) else {None: row["value"]}
        for category, value in values.items():
            if not value:
                continue
            (role, sheet, ranges, n), = traced[trace.trace_key(row["id"], None, category)]
            counted = frame[frame["_row"].isin(trace.parse_ranges(ranges))]
            assert (sheet, len(counted)) == (formula.rows.sheet, n)
            if isinstance(formula, Count) or (isinstance(formula, Breakdown)
                                              and formula.measure == "count"):
                got = len(counted)
            elif isinstance(formula, Sum):
                got = counted[formula.col].sum()
            elif isinstance(formula, Distinct):
                got = counted[formula.col].nunique()
            elif formula.measure == "sum":
                got = counted[formula.of].sum()
            else:
                got = counted[formula.of].nunique()
            assert got == pytest.approx(value), (row["id"], category)
            checked += 1
    assert checked > 60


def test_a_street_total_lists_each_communitys_rows(street, tmp_path: Path) -> None:
    from shequ_kit.overview import build_overview

    sf = street.streets["青枫街道"]
    sf.trace = trace.street_trace({"天运社区": street.books["天运社区"]}, sf,
                                  {"activity.count"})
    assert sf.trace["activity.count"] == [["计数", "天运社区·活动台账", "3-7", 5]]
    assert sf.trace["天运社区:activity.count"] == [["计数", "活动台账", "3-7", 5]]
    doc = build_overview(sf)
    rows = trace.workpaper_rows(doc, sf)
    total = [r for r in rows if r[5] == "activity.count" and r[3] == "5场次"]
    assert total and total[0][7] == "天运社区·活动台账" and total[0][8] == "天运社区：第3–7行"


def test_a_named_period_traces_only_its_own_window(tmp_path: Path) -> None:
    """2024-02: one activity, on Excel row 4 (民法典讲座, 10 February)."""
    write_book(tmp_path / "data", 2024, {"活动台账": ACTIVITIES})
    params = tmp_path / "parameters"
    params.mkdir()
    (params / "defaults.yaml").write_text("{}\n", encoding="utf-8")
    result = assemble.year_facts(tmp_path / "data", 2024, params, period="2024-02")
    facts = result.communities["天运社区"]
    assert facts.value("activity.count") == 1
    traced = trace.trace_rows(result.books["天运社区"], facts, {"activity.count"})
    assert traced == {"activity.count": [["计数", "活动台账", "4", 1]]}

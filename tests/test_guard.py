"""The personal-data guard on outputs a real kernel produced, one case per cell."""

from __future__ import annotations

import copy
import logging
from pathlib import Path

import nbformat
import pytest
from test_export_helpers import (
    RESIDENT_IDS,
    RESIDENT_NAMES,
    RESIDENT_PHONES,
    StandInIndex,
    execute,
    notebook,
)

from shequ_kit import export, guard

INDEX = StandInIndex()
ID, PHONE = RESIDENT_IDS[0], RESIDENT_PHONES[0]
WANG, GAOFENG = RESIDENT_NAMES  # 王平, 高峰 (高峰 is also the word "peak")

CASES = [
    ("code", "from IPython.display import HTML, display", ["setup"]),
    ("code", f"display(HTML('<p>经核实，低保户身份证号{ID}的收入已变化。</p>'))",
     ["id-paragraph"]),
    ("code", "import matplotlib.pyplot as plt\n"
             "plt.rcParams['font.family'] = ['Noto Sans CJK SC']\n"
             "fig, ax = plt.subplots(figsize=(3, 2))\n"
             "ax.bar(['一月'], [3])\n"
             f"ax.set_title('咨询电话{PHONE}')", ["phone-title"]),
    ("code", f"display(HTML('<table><tr><th>户主</th><th>人数</th></tr>"
             f"<tr><td>{WANG}</td><td>3</td></tr></table>'))", ["name-cell"]),
    ("code", f"display(HTML('<ul><li>{GAOFENG}</li></ul>'))", ["name-list"]),
    ("code", f"print(['{WANG}', 3])", ["name-printed"]),
    ("code", f"display(HTML('<p>夏季用电{GAOFENG}期间，社区开展安全巡查12次。</p>'))",
     ["name-word-in-prose"]),
    ("code", "display(HTML('<table><tr><th>项目</th></tr><tr><td>用电高峰巡查</td></tr>"
             "</table>'))", ["longer-cell"]),
]


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    path = execute(notebook(CASES), tmp_path_factory.mktemp("guard"), "guard")
    return nbformat.read(str(path), as_version=4)


def only(nb: nbformat.NotebookNode, tag: str) -> nbformat.NotebookNode:
    """The executed notebook reduced to one case (outputs as the kernel made them); the
    case keeps its position so the message's cell number can be checked."""
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if tag not in cell.metadata.get("tags", []):
            cell.outputs = []
            cell.source = "pass"
    return out


def position(tag: str) -> int:
    return next(i for i, c in enumerate(CASES) if tag in c[2]) + 1


@pytest.mark.parametrize("tag, kind", [
    ("id-paragraph", "身份证号或手机号"),
    ("phone-title", "身份证号或手机号"),
    ("name-cell", "姓名"),
    ("name-list", "姓名"),
    ("name-printed", "姓名"),
])
def test_refuses_personal_data_and_names_the_cell(executed: nbformat.NotebookNode, tag: str,
                                                  kind: str) -> None:
    with pytest.raises(guard.PersonalDataError) as info:
        guard.check_notebook(only(executed, tag), INDEX)
    message = str(info.value)
    assert f"第{position(tag)}个单元格（标签：{tag}）" in message
    assert kind in message
    for value in (*RESIDENT_IDS, PHONE, *RESIDENT_NAMES, ID[-4:], PHONE[-4:]):
        assert value not in message


def test_phone_case_really_is_a_chart_title_text_output(executed: nbformat.NotebookNode
                                                        ) -> None:
    # The kernel's own repr of the title (Text(0.5, 1.0, '…')) is what carries the phone.
    cell = only(executed, "phone-title").cells[position("phone-title") - 1]
    plain = [o for o in cell.outputs if o.output_type == "execute_result"]
    assert plain and PHONE in plain[0].data["text/plain"]
    assert plain[0].data["text/plain"].startswith("Text(")


def test_accepts_a_name_equal_word_inside_prose(executed: nbformat.NotebookNode) -> None:
    guard.check_notebook(only(executed, "name-word-in-prose"), INDEX)
    guard.check_notebook(only(executed, "longer-cell"), INDEX)
    html = export.to_html(only(executed, "name-word-in-prose"), meta={"title": "测试"})
    assert f"夏季用电{GAOFENG}期间" in html
    guard.check_html(html, INDEX)


def test_first_line_holding_an_id_is_not_quoted() -> None:
    nb = notebook([("code", f"x = '{ID}'\nprint(x)", [])])
    with pytest.raises(guard.PersonalDataError) as info:
        guard.check_notebook(nb, INDEX)
    message = str(info.value)
    assert "第1个单元格" in message and "首行" not in message and ID[-4:] not in message


def test_untagged_cell_is_named_by_its_first_line() -> None:
    nb = notebook([("code", "# 低保户名单\nprint('王平')", [])])
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="王平\n")]
    with pytest.raises(guard.PersonalDataError, match="第1个单元格（首行：# 低保户名单）"):
        guard.check_notebook(nb, INDEX)


def test_widget_state_in_metadata_is_checked() -> None:
    # A dropdown of residents saved with the notebook keeps their names in its state.
    nb = notebook([], metadata={"widgets": {"application/vnd.jupyter.widget-state+json": {
        "state": {"m1": {"state": {"_options_labels": ["全部", WANG]}}}}}})
    with pytest.raises(guard.PersonalDataError, match="元数据"):
        guard.check_notebook(nb, INDEX)


def test_html_tags_cannot_split_an_id() -> None:
    with pytest.raises(guard.PersonalDataError):
        guard.check_html(f"<p>{ID[:9]}<b>{ID[9:]}</b></p>", INDEX)


def test_name_in_table_cell_across_inline_markup() -> None:
    with pytest.raises(guard.PersonalDataError):
        guard.check_html(f"<table><tr><td>{WANG[0]}<span>{WANG[1]}</span></td></tr></table>",
                         INDEX)


def test_log_text_is_checked_and_filtered() -> None:
    guard.check_text("天运社区：已导出 天运社区.pdf，低保户12户", INDEX)
    with pytest.raises(guard.PersonalDataError, match="日志"):
        guard.check_text(f"第5行 手机号 {PHONE} 格式不对", INDEX)
    with pytest.raises(guard.PersonalDataError):
        guard.check_text(f"户主: {WANG}", INDEX)
    guard.check_text(f"用电{GAOFENG}期间巡查", INDEX)

    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    logger = logging.getLogger("shequ_kit.test_guard")
    logger.propagate = False
    handler = Keep()
    handler.addFilter(guard.GuardLogFilter(INDEX))
    logger.addHandler(handler)
    try:
        logger.warning("身份证号 %s 重复", ID)
        logger.warning("共%d户", 12)
    finally:
        logger.removeHandler(handler)
    assert records == [guard.GuardLogFilter.NOTICE, "共12户"]


def test_export_refuses_and_writes_nothing(executed: nbformat.NotebookNode,
                                           tmp_path: Path) -> None:
    nb = only(executed, "name-cell")
    src = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(src))
    out = tmp_path / "out"
    with pytest.raises(guard.PersonalDataError):
        export.export(src, out / "a.html", out / "a.pdf", INDEX, meta={"title": "测试"})
    assert not out.exists()

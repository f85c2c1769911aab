"""The Word file is made from what the notebook shows: the model parts its outputs carry
(with the analyst's revisions), its charts, its other HTML, and nothing from cells left
out of the export."""

from __future__ import annotations

import base64
import io

import docx
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from test_docx_writer import META, png

from shequ_kit import docparts, docx_writer, export, notebook
from shequ_kit.narrative import Document, Item, Paragraph, Section, Signature, Table


def doc() -> Document:
    return Document("测试社区2024年度工作总结", {}, [
        Section("profile", "一、社区基本情况", blocks=[
            Paragraph("测试社区有居民120户。"),
            Table(["项目", "数值"], [["户数", "120户"]], caption="社区基本情况",
                  lead="基本情况如下。", note="数据截至年底。")]),
        Section("work", "二、主要工作及成效", blocks=[
            Section("work.a", "（一）以党建为引领", level=2, blocks=[
                Item(1, "加强党员队伍建设", "现有党员15名。")])]),
        Section("closing", "", blocks=[Signature(["测试社区居委会", "2025年1月10日"])]),
    ])


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list:
    """What the notebook helpers display, as a kernel would send it."""
    outputs: list = []

    def display(obj: object, raw: bool = False) -> None:
        outputs.append(obj if raw else {"text/html": obj.data})

    monkeypatch.setattr("IPython.display.display", display)
    return outputs


def test_blocks_survive_the_json_round_trip() -> None:
    blocks = [b for s in doc().sections for t in s.walk() for b in t.own_blocks]
    assert [docparts.block_from_json(docparts.block_to_json(b)) for b in blocks] == blocks


def test_show_section_sends_the_revised_model_beside_the_html(shown: list) -> None:
    d = doc()
    notebook.revise(d, "有居民120户", "有居民130户")
    notebook.show_section(d, "work", None)
    notebook.show_section(d, "profile", None)
    parts = [o[docparts.MODEL_MIME] for o in shown]
    assert [p["key"] for p in parts] == ["work", "work.a", "profile"]
    assert parts[1]["blocks"] == [{"type": "item", "number": 1, "caption": "加强党员队伍建设",
                                   "body": "现有党员15名。",
                                   "label": "1、加强党员队伍建设。"}]
    assert parts[2]["blocks"][0] == {"type": "paragraph", "content": "测试社区有居民130户。",
                                     "css": ""}
    assert "有居民130户" in shown[2]["text/html"]  # the same words in the HTML the PDF prints


def _cell(outputs: list[dict], tags: list[str] | None = None):
    cell = new_code_cell("")
    cell.outputs = [new_output("display_data", data=o) for o in outputs]
    if tags:
        cell.metadata["tags"] = tags
    return cell


def executed_notebook() -> object:
    d = doc()
    d.section("profile").blocks[0] = Paragraph("测试社区有居民130户（分析员改过的）。")
    chart = base64.b64encode(png()).decode("ascii")
    nb = new_notebook()
    nb.cells = [
        _cell([{export.META_MIME: META, "text/html": "<h1>封面</h1>"}]),
        _cell([{"text/html": "<p>不导出的工作单元格</p>"}], tags=["no-export"]),
        _cell([{"text/html": "<p>模型之外的HTML</p>",
                docparts.MODEL_MIME: docparts.section_part(d.section("profile"))}]),
        _cell([{"text/html": "<p>二、主要工作及成效</p>",
                docparts.MODEL_MIME: docparts.section_part(d.section("work"))},
               {"text/html": f'<figure class="chart sk-chart"><img src="data:image/png;base64,'
                             f'{chart}" alt="x"><figcaption>各月开展活动场次</figcaption>'
                             "</figure>"}]),
        _cell([{"text/html": "<h3>补充说明</h3><p>分析员自己加的一段。</p><table><thead><tr>"
                             "<th>小区</th><th>户数</th></tr></thead><tbody><tr><td>一区"
                             "</td><td>60户</td></tr></tbody></table>"}]),
        _cell([{"text/html": "<p>x</p>",
                docparts.MODEL_MIME: docparts.section_part(d.section("work.a"))}]),
        _cell([{"text/html": "<p>x</p>",
                docparts.MODEL_MIME: docparts.section_part(d.section("closing"))}]),
    ]
    return nb


def test_the_word_file_has_what_the_notebook_shows_in_order() -> None:
    data = docx_writer.notebook_docx(executed_notebook())
    lines = [x for x in docx_writer.docx_text(data).splitlines() if x]
    assert lines == [
        "测试社区2024年度工作总结", "所属街道：测试街道",
        "统计期间：2024年1月1日至2024年12月31日",
        "一、社区基本情况", "测试社区有居民130户（分析员改过的）。", "基本情况如下。",
        "社区基本情况", "项目", "数值", "户数", "120户", "数据截至年底。",
        "二、主要工作及成效", "图1　各月开展活动场次",
        "补充说明", "分析员自己加的一段。", "小区", "户数", "一区", "60户",
        "（一）以党建为引领", "1、加强党员队伍建设。现有党员15名。",
        "测试社区居委会", "2025年1月10日"]
    read = docx.Document(io.BytesIO(data))
    assert len(read.tables) == 2 and len(read.inline_shapes) == 1
    styles = {p.text: p.style.name for p in read.paragraphs}
    assert styles["补充说明"] == "Heading 2"  # an <h3> is a second-level heading
    assert styles["（一）以党建为引领"] == "Heading 2"


def test_an_error_output_stops_the_word_file_as_it_stops_the_html() -> None:
    nb = executed_notebook()
    nb.cells[3].outputs.append(new_output("error", ename="ValueError", evalue="坏",
                                          traceback=[]))
    with pytest.raises(export.ExportError, match="运行出错"):
        docx_writer.notebook_docx(nb)


def test_the_export_keeps_the_model_beside_the_html_it_rewrites() -> None:
    # export._prepare rewrites every output it shows; the model a part carries must
    # survive it, or the Word file would print the part's HTML instead (docparts).
    assert docparts.MODEL_MIME in export.CARRIED_MIMES

"""What the analyst sees is what is exported: an edited notebook run for real with
papermill, its HTML and PDF read back (the PDF with pdftotext) for every addition, in
order; a widget is a warning naming its cell, never silence and never in the PDF."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from test_export_helpers import execute, notebook, pdf_pages

from shequ_kit import export

TITLE = "天运社区2024年度工作总结"

CELLS = [
    ("code", 'community = "天运社区"\nyear = 2024', ["parameters"]),
    ("code", "from shequ_kit.export import show_cover\n"
             f"show_cover({{'title': '{TITLE}', 'street': '青枫街道', 'kind': 'community'}})", []),
    ("markdown", "## 补充一、楼道长队伍\n\n今年新增楼道长十二名，覆盖全部楼栋。", []),
    ("markdown", "使用说明：这一段不应导出", ["no-export"]),
    ("code", "import pandas as pd\n"
             "pd.DataFrame({'楼栋': ['一幢', '二幢'], '楼道长人数': [3, 4]})", []),
    ("code", "import sys\nprint('补充说明：数据截至年底。')\nprint('标准错误里的话', file=sys.stderr)", []),
    ("code", "import matplotlib.pyplot as plt\n"
             "fig, ax = plt.subplots(figsize=(4, 2))\n"
             "ax.bar(['一季度', '二季度'], [5, 7])\n"
             "ax.set_title('楼道长季度新增人数')", []),  # its Text(…) repr is no text
    ("code", "import ipywidgets\nipywidgets.IntSlider()", []),
    ("code", "from IPython.display import Markdown\nMarkdown('结尾一段：**全年工作**圆满完成。')", []),
]
CHART_CELL = 6  # its metadata carries the figure's caption
CAPTION = "图表题注：楼道长季度新增"

# What a reader must find, in this order (hand-written from CELLS above).
IN_ORDER = ["补充一、楼道长队伍", "今年新增楼道长十二名", "楼栋", "楼道长人数", "一幢", "二幢",
            "补充说明：数据截至年底。", CAPTION, "结尾一段：", "全年工作", "圆满完成"]


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    nb = notebook(CELLS)
    nb.cells[CHART_CELL].metadata["caption"] = CAPTION
    return execute(nb, tmp_path_factory.mktemp("loop-export"), "edited")


@pytest.fixture(scope="module")
def exported(executed: Path) -> tuple[str, list[str], list[str]]:
    html, warnings = export.to_html_with_warnings(executed)
    pdf = executed.with_suffix(".pdf")
    pdf.write_bytes(export.render_pdf(html))
    return html, warnings, pdf_pages(pdf)


def _positions(text: str, markers: list[str]) -> list[int]:
    found = []
    start = 0
    for marker in markers:
        at = text.find(marker, start)
        assert at >= 0, f"“{marker}”缺失或顺序不对"
        found.append(at)
        start = at + len(marker)
    return found


def test_every_visible_output_reaches_the_html_in_order(exported) -> None:
    html = exported[0]
    _positions("".join(export.visible_text(html)), IN_ORDER)
    for absent in ("使用说明：这一段不应导出", "标准错误里的话", "IntSlider", "<pre", "Text("):
        assert absent not in html, absent


def test_markdown_heading_keeps_its_level_and_joins_nothing_else(exported) -> None:
    html = exported[0]
    assert re.search(r"<h2[^>]*>补充一、楼道长队伍</h2>", html)
    assert "<p>今年新增楼道长十二名，覆盖全部楼栋。</p>" in html
    assert '<p class="sk-print">补充说明：数据截至年底。</p>' in html


def test_dataframe_is_a_formal_table_without_its_unnamed_index(exported) -> None:
    html = exported[0]
    table = re.search(r'<table class="dataframe">.*?</table>', html, re.DOTALL)
    assert table is not None
    heads = re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", table.group(0), re.DOTALL)
    assert [h.strip() for h in heads] == ["楼栋", "楼道长人数"]
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(0), re.DOTALL)
    assert [re.findall(r"<td>(.*?)</td>", r) for r in rows[1:]] == [["一幢", "3"], ["二幢", "4"]]
    assert "<style" not in table.group(0) and 'border="1"' not in table.group(0)


def test_figure_has_its_caption(exported) -> None:
    html = exported[0]
    assert re.search(r'<figure class="chart">\s*<img [^>]*src="data:image/png;base64,[^"]+"[^>]*>'
                     rf"\s*<figcaption>{CAPTION}</figcaption>", html)


def test_pdf_text_holds_the_additions_in_order(exported) -> None:
    text = "".join(exported[2])
    _positions(re.sub(r"\s+", "", text), [m.replace(" ", "") for m in IN_ORDER])
    assert "使用说明" not in text and "标准错误" not in text


def test_widget_is_a_chinese_warning_naming_its_cell(exported) -> None:
    html, warnings, pages = exported
    # The parameters cell is cell 1, so the widget is the 8th cell as JupyterLab counts.
    assert len(warnings) == 1
    assert warnings[0].startswith("第8个单元格（首行：import ipywidgets）") and "交互控件" in warnings[0]
    assert "交互控件" not in html and "交互控件" not in "".join(pages)


def test_markdown_cells_pass_the_script_check() -> None:
    nb = notebook([("markdown", "<script>alert(1)</script>", [])],
                  metadata={"shequ_kit": {"title": TITLE}})
    with pytest.raises(export.ExportError, match="第1个单元格.*可执行的网页代码"):
        export.to_html(nb)


def test_markdown_cells_pass_the_personal_data_guard(tmp_path: Path) -> None:
    from test_export_helpers import RESIDENT_IDS, StandInIndex

    from shequ_kit import guard

    nb = notebook([("markdown", f"走访记录：{RESIDENT_IDS[0]}", [])],
                  metadata={"shequ_kit": {"title": TITLE}})
    nb_path = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(nb_path))
    html_path = tmp_path / "out.html"
    with pytest.raises(guard.PersonalDataError):
        export.export(nb_path, html_path, None, StandInIndex())
    assert not html_path.exists()


def test_every_shipped_markdown_cell_is_a_note_for_the_analyst_not_for_the_leader() -> None:
    # The shipped notebooks' markdown cells are usage notes and section labels ("摘要（…
    # 参数 `摘要: true` 时显示）"); everything markdown is exported unless tagged, so each
    # must carry no-export or the label prints in every community's PDF.
    import json

    root = Path(__file__).resolve().parents[1] / "notebooks"
    for path in sorted(root.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        untagged = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown"
                    and "no-export" not in (c.get("metadata") or {}).get("tags", [])]
        assert not untagged, (path.name, untagged)


def test_code_in_an_analysts_markdown_is_set_in_the_sc_faces(tmp_path: Path) -> None:
    # A markdown cell with `摘要: true` in backticks printed its Latin letters in DejaVu
    # Sans Mono; every face in the PDF is a Simplified Chinese one.
    import subprocess

    from nbformat.v4 import new_markdown_cell, new_notebook

    from shequ_kit import export

    nb = new_notebook()
    nb.cells.append(new_markdown_cell("## 补充\n\n参数写 `摘要: true` 即可，代码：\n\n    show(doc)\n"))
    html = export.to_html(nb, meta={"title": "测试社区2024年度工作总结"})
    export.html_to_pdf(html, tmp_path / "x.pdf")
    fonts = subprocess.run(["pdffonts", str(tmp_path / "x.pdf")], capture_output=True,
                           text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all("CJK-SC" in line.split()[0] for line in fonts), fonts

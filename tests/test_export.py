"""Export of a real executed notebook: HTML read back as text, PDF read back with poppler."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_output
from test_export_helpers import (
    StandInIndex,
    execute,
    notebook,
    pdf_fonts,
    pdf_pages,
)

from shequ_kit import export

TITLE = "天运社区2024年度工作总结"

# Three paragraphs repeated eight times: more than one A4 page of body text, so page
# numbers 1 and 2 must both be printed.
LONG_TEXT = ("全年社区共开展各类活动48场次，参与居民2300人次，同比增长12.5%。一是宣传教育，"
             "开展法治宣传活动12场次，发放宣传资料1500份；二是文体活动，举办广场舞比赛、"
             "重阳节文艺汇演等活动20场次；三是志愿服务，组织志愿者参与环境整治16场次。")

COMMUNITY_CELLS = [
    ("code", 'community = "天运社区"\nyear = 2024', ["parameters"]),
    ("code", "from shequ_kit.export import show_cover\n"
             "show_cover({'title': '天运社区2024年度工作总结', 'street': '闸弄口街道',\n"
             "            'period': ['2024-01-01', '2024-12-31'], 'as_of': '2024-12-31',\n"
             "            'kind': 'community'})", []),
    ("markdown", "analyst-note-marker：修改参数后重新运行", []),
    ("code", "import sys, warnings\n"
             "print('stdout-marker')\n"
             "print('stderr-marker', file=sys.stderr)\n"
             "warnings.warn('warning-marker')", []),
    ("code", "from IPython.display import HTML, display\n"
             "display(HTML('<h2>一、社区基本情况</h2><p>天运社区辖区面积0.52平方公里，有居民1268户"
             "3420人。</p><table class=\"sk-table\"><thead><tr><th>项目</th><th>数量</th></tr>"
             "</thead><tbody><tr><td>户数</td><td>1268</td></tr><tr><td>党员</td><td>96</td>"
             "</tr></tbody></table>'))", []),
    ("code", "import matplotlib\n"
             "import matplotlib.pyplot as plt\n"
             "plt.rcParams['font.family'] = ['Noto Sans CJK SC']\n"
             "fig, ax = plt.subplots(figsize=(6, 3))\n"
             "ax.bar(['一月', '二月', '三月'], [12, 18, 9])\n"
             "ax.set_title('各月活动场次');\n"
             "plt.show()", []),
    ("code", "'plain-repr-marker'", []),
    ("code", "display(HTML('<p>hidden-marker</p>'))", ["no-export"]),
    ("code", "display(HTML('<h2>二、主要工作及成效</h2>' + ''.join("
             f"'<p>{LONG_TEXT}</p>' for _ in range(8))))", []),
    ("code", "display(HTML('<h2>三、年度目标完成情况</h2><p>全部目标均已完成。</p>'))", []),
]


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("community")
    return execute(notebook(COMMUNITY_CELLS), folder, "天运社区")


@pytest.fixture(scope="module")
def exported(executed: Path) -> tuple[Path, Path, list[Path]]:
    out = executed.parent / "out"
    html, pdf = out / "天运社区.html", out / "天运社区.pdf"
    written = export.export(executed, html, pdf, StandInIndex())
    return html, pdf, written


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.src: list[str] = []
        self.href: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name == "src":
                self.src.append(value or "")
            if name == "href":
                self.href.append(value or "")


def _refs(html: str) -> _Refs:
    parser = _Refs()
    parser.feed(html)
    return parser


def test_executed_notebook_has_the_noise_the_export_must_drop(executed: Path) -> None:
    # The premise of the HTML tests: the notebook really holds streams, a warning, a
    # plain-text result and a PNG, so their absence from the HTML means something.
    nb = nbformat.read(str(executed), as_version=4)
    kinds = [(o.output_type, getattr(o, "name", "")) for c in nb.cells
             for o in c.get("outputs", [])]
    assert ("stream", "stdout") in kinds
    assert ("stream", "stderr") in kinds
    assert any("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
    assert any(o.output_type == "execute_result" for c in nb.cells for o in c.get("outputs", []))


def test_html_is_a_self_contained_chinese_document(exported: tuple[Path, Path, list[Path]]
                                                    ) -> None:
    html_path, _, written = exported
    assert html_path in written
    html = html_path.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html
    assert f"<title>{TITLE}</title>" in html
    for marker in ("stderr-marker", "warning-marker", "hidden-marker", "display(HTML",
                   "plt.rcParams", "show_cover(", "<pre", "In [", "Out[", "Traceback",
                   "UserWarning"):
        assert marker not in html, marker
    # What the analyst sees in JupyterLab is exported (issue 10): the note, the printed
    # line and the plain result, as paragraphs.
    for marker in ("analyst-note-marker", "stdout-marker", "plain-repr-marker"):
        assert marker in html, marker
    refs = _refs(html)
    assert "script" not in refs.tags and "link" not in refs.tags
    assert "<script" not in html.lower()
    assert refs.src and all(s.startswith("data:image/png;base64,") for s in refs.src)
    assert all(h.startswith("#") for h in refs.href)
    assert not re.search(r"https?://", html)
    # Narrative, table and cover made it.
    assert "一、社区基本情况" in html and "<td>1268</td>" in html
    assert "闸弄口街道" in html and "2024年1月1日至2024年12月31日" in html
    # A community summary has no 目录.
    assert 'class="toc"' not in html


def test_html_names_simplified_chinese_faces_only(exported: tuple[Path, Path, list[Path]]
                                                  ) -> None:
    html = exported[0].read_text(encoding="utf-8")
    families = re.findall(r"font-family:\s*([^;}]+)", html)
    assert families
    allowed = set(export.SERIF_FACES) | set(export.SANS_FACES)
    for decl in families:
        names = [n.strip().strip('"\'') for n in decl.replace("!important", "").split(",")]
        assert set(names) <= allowed, decl


def test_pdf_has_cover_text_and_page_numbers(exported: tuple[Path, Path, list[Path]]) -> None:
    _, pdf_path, written = exported
    assert pdf_path in written
    pages = pdf_pages(pdf_path)
    # Cover, then at least two body pages (eight long paragraphs do not fit on one).
    assert len(pages) >= 3
    assert TITLE in pages[0] and "闸弄口街道" in pages[0]
    assert not re.search(r"—\s*\d+\s*—", pages[0])  # the cover carries no number
    assert "一、社区基本情况" in pages[1]
    # Body pages are numbered from 1 after the cover: physical page 2 shows — 1 —.
    assert re.search(r"—\s*1\s*—", pages[1])
    assert re.search(r"—\s*2\s*—", pages[2])
    text = "".join(pages)
    assert "同比增长12.5%" in text
    for marker in ("stderr-marker", "warning-marker", "In ["):
        assert marker not in text


def test_pdf_embeds_simplified_chinese_fonts_only(exported: tuple[Path, Path, list[Path]]
                                                  ) -> None:
    fonts = pdf_fonts(exported[1])
    assert fonts
    for font in fonts:
        assert font["emb"] == "yes", font
        name = font["name"].split("+", 1)[-1]
        assert "SC" in name, font
        assert not any(tag in name for tag in ("JP", "KR", "TC", "HK")), font


def test_export_leaves_no_temporary_files(exported: tuple[Path, Path, list[Path]]) -> None:
    html_path, _, _ = exported
    names = sorted(p.name for p in html_path.parent.iterdir())
    assert names == ["天运社区.html", "天运社区.pdf"]


def test_overview_gets_a_table_of_contents_with_page_numbers(
        executed: Path, tmp_path: Path) -> None:
    html = export.to_html(executed, meta={"kind": "overview",
                                          "title": "闸弄口街道2024年度社区工作汇总"})
    assert 'class="toc"' in html
    for anchor, heading in (("sec-1", "一、社区基本情况"), ("sec-2", "二、主要工作及成效"),
                            ("sec-3", "三、年度目标完成情况")):
        assert f'<a href="#{anchor}">{heading}</a>' in html
        assert f'<h2 id="{anchor}">{heading}' in html
    pdf = tmp_path / "汇总.pdf"
    export.html_to_pdf(html, pdf)
    pages = pdf_pages(pdf)
    assert "闸弄口街道2024年度社区工作汇总" in pages[0]
    toc = pages[1]
    assert "目" in toc and not re.search(r"—\s*\d+\s*—", toc)  # front matter: unnumbered
    # Each entry's number must be the number printed at the foot of the page where the
    # heading stands (pages after the cover and the 目录 count from 1).
    for heading in ("一、社区基本情况", "二、主要工作及成效", "三、年度目标完成情况"):
        entry = re.search(re.escape(heading) + r"\s*\.+\s*(\d+)", toc)
        assert entry, heading
        where = next(i for i, p in enumerate(pages[2:], start=2) if heading in p)
        footer = re.search(r"—\s*(\d+)\s*—", pages[where])
        assert footer and footer.group(1) == entry.group(1), heading
    # 三、 follows eight long paragraphs, so it is not on the first body page.
    assert re.search(r"三、年度目标完成情况\s*\.+\s*1\b", toc) is None


@pytest.fixture(scope="module")
def failed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("failed")
    cells = [
        ("code", "from shequ_kit.export import show_cover\n"
                 "show_cover({'title': '龙柏社区2024年度工作总结'})", []),
        ("code", "from IPython.display import HTML, display\n"
                 "display(HTML('<h2>一、社区基本情况</h2>'))", []),
        ("code", "households = 0\nrate = 100 / households", ["目标完成率"]),
        ("code", "display(HTML('<p>不会运行到这里</p>'))", []),
    ]
    return execute(notebook(cells), folder, "龙柏社区", allow_errors=True)


def test_error_output_refuses_export_naming_the_cell(failed: Path) -> None:
    out = failed.parent / "out"
    with pytest.raises(export.ExportError) as info:
        export.export(failed, out / "龙柏社区.html", out / "龙柏社区.pdf", StandInIndex())
    message = str(info.value)
    # Papermill adds two banner cells to the executed copy; the message counts cells as
    # the analyst's own notebook has them: the failing cell is the 3rd.
    assert "第3个单元格（标签：目标完成率）" in message
    assert "运行出错" in message and "ZeroDivisionError" in message
    assert not out.exists() or not any(out.iterdir())


def _nb_with_html(fragment: str, tags: list[str] | None = None) -> nbformat.NotebookNode:
    nb = notebook([])
    cell = new_code_cell("show(part)")
    if tags:
        cell.metadata["tags"] = tags
    cell.outputs = [new_output("display_data", data={"text/html": fragment})]
    nb.cells.append(cell)
    return nb


@pytest.mark.parametrize("fragment", [
    '<p>见<img src="https://example.org/logo.png"></p>',
    '<link rel="stylesheet" href="//cdn.example.org/x.css">',
    '<div style="background: url(http://example.org/a.png)">背景</div>',
    "<style>@import 'x.css';</style><p>样式</p>",
])
def test_network_references_are_refused(fragment: str) -> None:
    with pytest.raises(export.ExportError, match="第1个单元格（首行：show\\(part\\)）.*网络资源"):
        export.to_html(_nb_with_html(fragment), meta={"title": TITLE})


@pytest.mark.parametrize("fragment", [
    "<script>alert(1)</script>",
    '<p onclick="go()">点击</p>',
    '<a href="javascript:go()">链接</a>',
    '<img src="x.png" ONERROR="go()">',
    '<a href="java\tscript:go()">链接</a>',
    '<a href=" JavaScript:go()">链接</a>',
    '<iframe srcdoc="x"></iframe>',
])
def test_scripts_are_refused(fragment: str) -> None:
    with pytest.raises(export.ExportError,
                       match="第1个单元格（标签：图表）的输出含有可执行的网页代码"):
        export.to_html(_nb_with_html(fragment, ["图表"]), meta={"title": TITLE})


@pytest.mark.parametrize("text", [
    "居民议事会讨论“onerror=处理办法”",
    "宣传栏写着 javascript:void(0) 的字样",
    '<img src=x onerror=alert(1)> 社区',
    "onclick = 点击",
])
def test_text_that_only_reads_like_code_is_exported(text: str) -> None:
    # Escaped by the narrative, these are words in a paragraph, not code: judged on the
    # parsed document they pass, and the words reach the reader unchanged.
    from shequ_kit.narrative import Paragraph

    html = export.to_html(_nb_with_html(Paragraph(text).html()), meta={"title": TITLE})
    assert text in export.visible_text(html)


def test_missing_title_is_refused_in_chinese() -> None:
    with pytest.raises(export.ExportError, match="缺少报告标题"):
        export.to_html(_nb_with_html("<p>正文</p>"))


def test_cover_precedence_argument_over_metadata_over_output() -> None:
    nb = _nb_with_html("<p>正文</p>")
    cover = new_output("display_data", data={
        export.META_MIME: {"title": "输出中的标题", "street": "输出中的街道"},
        "text/html": "<h1>输出中的标题</h1>"})
    nb.cells.insert(0, new_code_cell("show_cover(...)", outputs=[cover]))
    export.set_cover(nb, {"title": "元数据中的标题"})
    html = export.to_html(nb, meta={"as_of": "2024-06-30"})
    assert "<title>元数据中的标题</title>" in html
    assert "输出中的街道" in html  # from the output, not overridden
    assert "2024年6月30日" in html
    assert "<h1>输出中的标题</h1>" not in html  # the cover output is not repeated


def test_character_without_glyph_is_refused(tmp_path: Path) -> None:
    # U+13000 (an Egyptian hieroglyph) is in no CJK face: it would print as a box.
    html = export.to_html(_nb_with_html("<p>符号\U00013000</p>"), meta={"title": TITLE})
    with pytest.raises(export.ExportError, match="U\\+13000"):
        export.html_to_pdf(html, tmp_path / "x.pdf")
    assert not any(tmp_path.iterdir())


def test_a_short_table_keeps_its_caption_and_rows_on_one_page(tmp_path: Path) -> None:
    from shequ_kit.narrative import Table

    # A page holds 26 such paragraphs: 48 leave room for half the table on page 2 of the
    # body, so without the rule the table would split there.
    text = "".join(f"<p>第{i}段正文，用来把表格推到页尾附近。</p>" for i in range(1, 49))
    # 10 rows: short enough to be kept whole (narrative.KEEP_WHOLE_ROWS); longer tables
    # break between rows, their first and last rows held (test_layout_pages.py).
    table = Table(["社区", "完成率"], [[f"第{i}社区", f"{i}.0%"] for i in range(1, 11)],
                  caption="各社区年度目标完成情况").html()
    html = export.to_html(_nb_with_html(text + table), meta={"title": TITLE})
    export.html_to_pdf(html, tmp_path / "x.pdf")
    pages = pdf_pages(tmp_path / "x.pdf")
    assert len(pages) >= 2
    holder = [i for i, page in enumerate(pages)
              if "各社区年度目标完成情况" in re.sub(r"\s+", "", page)]
    assert len(holder) == 1
    page = pages[holder[0]]
    assert all(f"第{i}社区" in page for i in range(1, 11)), page
    assert "第48段正文" in pages[holder[0] - 1]  # the table did not fit after it


def test_fonts_are_subset_by_harfbuzz() -> None:
    # Without libharfbuzz-subset WeasyPrint falls back to fontTools, ~5 s more per PDF.
    assert not export.slow_font_subsetting(), "缺少 libharfbuzz-subset0，请运行 make setup"


def test_cover_meta_of_a_half_year_community_summary() -> None:
    from shequ_kit.facts import CommunityFacts

    facts = CommunityFacts(community="苏眼井社区", street="闸弄口街道", year=2024,
                           period_start="2024-01-01", as_of="2024-06-30", half_year=True,
                           profile={}, safety=None)
    meta = export.cover_meta(facts)
    assert meta["kind"] == "community" and meta["community"] == "苏眼井社区"
    html = export.to_html(_nb_with_html("<p>正文</p>"), meta=meta)
    # Half-year: 上半年 in the title, the period ends on the as-of date 6月30日.
    assert "<title>苏眼井社区2024年上半年工作总结</title>" in html
    assert "2024年1月1日至2024年6月30日" in html
    assert "<th>截止日期</th><td>2024年6月30日</td>" in html


@pytest.mark.parametrize("paragraphs", [22, 23, 24, 25, 26])
def test_a_long_table_never_leaves_its_caption_alone(tmp_path: Path, paragraphs: int) -> None:
    from shequ_kit.narrative import Table

    # 20 rows break across pages; pushed towards the foot of a page, a <caption> would
    # stay there alone while the rows moved on (seen on a targets table).
    text = "".join(f"<p>第{i}段正文，用来把表格推到页尾附近。</p>" for i in range(1, paragraphs))
    table = Table(["社区", "完成率"], [[f"第{i}社区", f"{i}.0%"] for i in range(1, 21)],
                  caption="各社区年度目标完成情况").html()
    html = export.to_html(_nb_with_html(text + table), meta={"title": TITLE})
    export.html_to_pdf(html, tmp_path / "x.pdf")
    for page in pdf_pages(tmp_path / "x.pdf"):
        flat = re.sub(r"\s+", "", page)
        has_caption = "各社区年度目标完成情况" in flat
        has_rows = bool(re.search(r"第\d+社区", flat))
        assert has_caption == has_rows, page

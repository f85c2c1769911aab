"""The Word file read back as a reader's Word would: page, margins, east-Asian faces,
real headings, tables, pictures with captions, page numbers, 落款, and the guard.

The document is built by hand; every expected value comes from GB/T 9704-2012 as the
brief states it (A4, 37/35/28/26 mm, 2号 = 22 pt title, 3号 = 16 pt body at 28 pt, two
characters of indent = 32 pt, 4号 = 14 pt page numbers)."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from PIL import Image
from test_export_helpers import RESIDENT_IDS, StandInIndex

from shequ_kit import docx_writer, guard
from shequ_kit.docx_writer import Figure
from shequ_kit.narrative import Document, Item, Paragraph, Section, Signature, Table


def png(width: int = 400, height: int = 200) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (70, 110, 150)).save(buf, format="PNG")
    return buf.getvalue()


def sample_document(extra: list | None = None) -> Document:
    return Document("测试社区2024年度工作总结", {"所属街道": "测试街道"}, [
        Section("opening", "", blocks=[Paragraph(
            "2024年，测试社区党支部、居委会团结带领居民群众积极开展各项工作。"
            "现将2024年度工作总结如下：")]),
        Section("profile", "一、社区基本情况", blocks=[
            Paragraph("测试社区辖区面积0.5平方公里，有居民120户。"),
            Table(["项目", "数值"], [["户数", "120户"], ["党员", "15名"]],
                  caption="社区基本情况"),
            *(extra or [])]),
        Section("work", "二、主要工作及成效", charts=["monthly_activity"], blocks=[
            Paragraph("全年社区共开展各类活动12场次。"),
            Section("work.党建引领", "（一）以党建为引领，全面推进社区建设", level=2, blocks=[
                Item(1, "加强党员队伍建设", "社区党支部现有党员15名。")])]),
        Section("closing", "", blocks=[
            Paragraph("总之，2024年社区工作取得了一定的成绩。"),
            Signature(["测试社区党支部、居委会", "2025年1月10日"])]),
    ])


META = {"title": "测试社区2024年度工作总结", "street": "测试街道",
        "period": ["2024-01-01", "2024-12-31"], "as_of": "2024-12-31", "kind": "community"}


@pytest.fixture(scope="module")
def data() -> bytes:
    charts = {"monthly_activity": Figure(png(), "各月开展活动场次")}
    return docx_writer.document_docx(sample_document(), charts, META)


@pytest.fixture(scope="module")
def read(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def close(a: int, b: int) -> bool:
    return abs(int(a) - int(b)) <= int(Mm(0.1))


def east_asian(style: docx.styles.style.BaseStyle) -> str:
    return style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def paragraph(read: docx.document.Document, text: str) -> docx.text.paragraph.Paragraph:
    found = [p for p in read.paragraphs if p.text == text]
    assert found, f"没有段落“{text}”"
    return found[0]


def test_page_is_a4_with_the_standard_margins(read: docx.document.Document) -> None:
    sec = read.sections[0]
    assert close(sec.page_width, Mm(210)) and close(sec.page_height, Mm(297))
    assert close(sec.top_margin, Mm(37)) and close(sec.bottom_margin, Mm(35))
    assert close(sec.left_margin, Mm(28)) and close(sec.right_margin, Mm(26))


def test_styles_name_the_official_faces_for_east_asian_text(read: docx.document.Document
                                                            ) -> None:
    styles = read.styles
    assert east_asian(styles["Normal"]) == "仿宋_GB2312"
    assert east_asian(styles["Title"]) == "方正小标宋简体"
    assert east_asian(styles["Heading 1"]) == "黑体"
    assert east_asian(styles["Heading 2"]) == "楷体_GB2312"
    body = styles["Normal"]
    assert body.font.size == Pt(16) and styles["Title"].font.size == Pt(22)
    assert body.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert body.paragraph_format.line_spacing == Pt(28)
    assert body.paragraph_format.first_line_indent == Pt(32)
    assert styles["Title"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_font_table_carries_the_fallback_chains(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        table = z.read("word/fontTable.xml").decode("utf-8")
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋,Noto Serif CJK SC"/>' in table
    assert '<w:font w:name="方正小标宋简体"><w:altName w:val="华文中宋,Noto Serif CJK SC"/>' \
        in table
    assert '<w:font w:name="楷体_GB2312"><w:altName w:val="楷体,Noto Serif CJK SC"/>' in table


def test_headings_are_word_headings_with_outline_levels(read: docx.document.Document) -> None:
    assert paragraph(read, "测试社区2024年度工作总结").style.name == "Title"
    assert paragraph(read, "一、社区基本情况").style.name == "Heading 1"
    assert paragraph(read, "二、主要工作及成效").style.name == "Heading 1"
    assert paragraph(read, "（一）以党建为引领，全面推进社区建设").style.name == "Heading 2"
    for name, level in (("Heading 1", "0"), ("Heading 2", "1")):
        outline = read.styles[name].element.pPr.find(qn("w:outlineLvl"))
        assert outline is not None and outline.get(qn("w:val")) == level


def test_text_follows_the_model_in_order(data: bytes) -> None:
    lines = [x for x in docx_writer.docx_text(data).splitlines() if x]
    expected = ["测试社区2024年度工作总结", "所属街道：测试街道",
                "统计期间：2024年1月1日至2024年12月31日", lines[3], "一、社区基本情况",
                "测试社区辖区面积0.5平方公里，有居民120户。", "社区基本情况",
                "项目", "数值", "户数", "120户", "党员", "15名", "二、主要工作及成效",
                "全年社区共开展各类活动12场次。", "图1　各月开展活动场次",
                "（一）以党建为引领，全面推进社区建设",
                "1、加强党员队伍建设。社区党支部现有党员15名。",
                "总之，2024年社区工作取得了一定的成绩。", "测试社区党支部、居委会",
                "2025年1月10日"]
    assert lines == expected
    assert lines[3].startswith("2024年，测试社区党支部")  # 截止日期 = period's end: not repeated


def test_tables_are_real_tables_with_a_repeating_header(read: docx.document.Document) -> None:
    assert len(read.tables) == 1
    table = read.tables[0]
    assert [[c.text for c in r.cells] for r in table.rows] == [
        ["项目", "数值"], ["户数", "120户"], ["党员", "15名"]]
    header = table.rows[0]._tr.trPr.find(qn("w:tblHeader"))
    assert header is not None


def test_charts_are_pictures_with_numbered_captions(read: docx.document.Document,
                                                    data: bytes) -> None:
    assert len(read.inline_shapes) == 1
    picture = read.inline_shapes[0]
    assert close(picture.width, Mm(150))  # the style's width, within the 156 mm type area
    assert close(picture.height, Mm(75))  # the PNG's 2:1 kept
    caption = paragraph(read, "图1　各月开展活动场次")
    assert caption.style.name == "Caption"
    assert "SEQ 图" in caption._p.xml
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        assert len(media) == 1 and z.read(media[0]) == png()


def test_page_numbers_sit_at_the_outer_side(read: docx.document.Document) -> None:
    assert read.settings.odd_and_even_pages_header_footer
    sec = read.sections[0]
    odd, even = sec.footer.paragraphs[0], sec.even_page_footer.paragraphs[0]
    assert odd.text == "— 1 —" and even.text == "— 1 —"
    assert odd.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert even.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert "PAGE" in odd._p.xml and "PAGE" in even._p.xml
    assert read.styles["Footer"].font.size == Pt(14)


def test_items_signature_and_properties(read: docx.document.Document) -> None:
    item = paragraph(read, "1、加强党员队伍建设。社区党支部现有党员15名。")
    assert item.runs[0].text == "1、加强党员队伍建设。" and item.runs[0].bold
    assert not item.runs[1].bold
    for line in ("测试社区党支部、居委会", "2025年1月10日"):
        assert paragraph(read, line).style.paragraph_format.alignment == \
            WD_ALIGN_PARAGRAPH.RIGHT
    assert paragraph(read, "2025年1月10日").paragraph_format.right_indent == Pt(64)
    assert read.core_properties.author == ""
    assert read.core_properties.title == "测试社区2024年度工作总结"


def test_the_guard_refuses_personal_data_in_the_word_file() -> None:
    index = StandInIndex()
    clean = docx_writer.document_docx(sample_document(), meta=META, index=index)
    assert clean[:2] == b"PK"
    with pytest.raises(guard.PersonalDataError):
        docx_writer.document_docx(sample_document(
            [Paragraph(f"联系人证件号{RESIDENT_IDS[0]}。")]), meta=META, index=index)
    with pytest.raises(guard.PersonalDataError):  # a resident's name as a whole cell
        docx_writer.document_docx(sample_document(
            [Table(["姓名", "类别"], [["王平", "A类"]])]), meta=META, index=index)


def test_a_table_too_wide_for_the_page_turns_with_its_heading() -> None:
    columns = ["社区"] + [f"指标{i}" for i in range(1, 11)]  # 11 columns > 8
    wide = Document("测试街道2024年度社区工作汇总", {}, [
        Section("a", "一、街道总体情况", blocks=[Paragraph("全街道共有2个社区。")]),
        Section("b", "二、主要工作数据", blocks=[
            Table(columns, [["甲社区"] + ["1"] * 10, ["乙社区"] + ["2"] * 10],
                  lead="各社区主要工作数据如下。")]),
        Section("c", "三、共性问题", blocks=[Paragraph("一是……")]),
    ])
    read = docx.Document(io.BytesIO(docx_writer.document_docx(wide)))
    sections = read.sections
    assert [s.page_width > s.page_height for s in sections] == [False, True, False]
    assert close(sections[1].page_width, Mm(297))
    body = read.element.body
    # the heading, its lead and the table sit in the landscape section (the second
    # section ends with the paragraph that carries its w:sectPr)
    breaks = [i for i, el in enumerate(body) if el.find(f".//{qn('w:sectPr')}") is not None
              and el.tag == qn("w:p")]
    texts = ["".join(t.text for t in el.iter(qn("w:t"))) for el in body]
    assert texts.index("二、主要工作数据") > breaks[0]
    assert texts.index("各社区主要工作数据如下。") > breaks[0]
    assert breaks[1] < texts.index("三、共性问题")
    table = [i for i, el in enumerate(body) if el.tag == qn("w:tbl")][0]
    assert breaks[0] < table < breaks[1]

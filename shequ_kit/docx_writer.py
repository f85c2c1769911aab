"""The document model → an editable Word file (.docx) in the shape of a 公文.

Street offices revise a summary in Word or WPS before it is signed, so the .docx is a
real Word document, not a picture of the PDF: GB/T 9704-2012 page and type (A4, margins
37/35/28/26 mm, title 2号 小标宋, body 3号 仿宋 at a fixed 28 pt, headings 一、 in 黑体 and
（一） in 楷体 using Word's own Heading 1/2 styles so the navigation pane works, page
numbers “— 1 —” at the outer side of the foot), real tables, and the notebook's PNG charts
with numbered captions. Sizes, fonts and their fallbacks are data
(``rules/docx_style.yaml``).

It is built from the same model as the HTML/PDF: :func:`document_docx` takes a
``narrative.Document``; :func:`notebook_docx` takes an executed report notebook and reads
the parts it showed (``docparts.MODEL_MIME``, the charts' PNGs and captions, any other
HTML output as plain paragraphs and tables), so an edit the analyst made in the notebook
is in the Word file too. Every file passes the personal-data guard on its own text
before it is returned.
"""

from __future__ import annotations

import base64
import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from . import guard, yamltext
from .narrative import Document, Item, Paragraph, Section, Signature, Table

__all__ = ["STYLE_FILE", "Figure", "docx_html", "docx_text", "document_docx",
           "fontconfig_aliases", "notebook_docx", "style"]

STYLE_FILE = Path(__file__).resolve().parent / "rules" / "docx_style.yaml"
MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@lru_cache(maxsize=1)
def _style_text() -> str:
    return STYLE_FILE.read_text(encoding="utf-8")


def style() -> dict[str, Any]:
    """The 公文 format (a fresh copy, callers may change it)."""
    return yamltext.load(_style_text())


@dataclass
class Figure:
    """A chart as the notebook showed it: PNG bytes and its caption (without 图N)."""

    png: bytes
    caption: str = ""


@dataclass
class _Heading:
    text: str
    level: int


@dataclass
class _Content:
    """What goes into the Word file, in order."""

    title: str
    cover: list[str] = field(default_factory=list)
    kind: str = "community"
    pieces: list[Any] = field(default_factory=list)


# -- low-level OOXML helpers ---------------------------------------------------------------

def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _set_fonts(rpr: Any, chain: list[str], western: str) -> None:
    """East Asian face by name (w:eastAsia) so Word and WPS use it for 汉字; digits and
    letters in the western face."""
    from docx.oxml import OxmlElement

    fonts = rpr.find(_qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(_qn(attr), None)
    fonts.set(_qn("w:ascii"), western)
    fonts.set(_qn("w:hAnsi"), western)
    fonts.set(_qn("w:cs"), western)
    fonts.set(_qn("w:eastAsia"), chain[0])
    fonts.set(_qn("w:hint"), "eastAsia")


def _style_font(st: Any, chain: list[str], western: str, size: float, bold: bool = False
                ) -> None:
    from docx.shared import Pt, RGBColor

    st.font.size = Pt(size)
    st.font.bold = bold
    st.font.italic = False
    st.font.color.rgb = RGBColor(0, 0, 0)
    rpr = st.element.get_or_add_rPr()
    _set_fonts(rpr, chain, western)
    # the complex-script size too (w:szCs), which python-docx leaves unset: some
    # applications size a run by it when the run mixes scripts
    cs = rpr.find(_qn("w:szCs"))
    if cs is None:
        from docx.oxml import OxmlElement

        cs = OxmlElement("w:szCs")
        rpr.append(cs)
    cs.set(_qn("w:val"), str(int(round(size * 2))))


def _run_font(run: Any, chain: list[str], western: str, size: float | None = None,
              bold: bool | None = None) -> None:
    from docx.shared import Pt

    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    _set_fonts(run._element.get_or_add_rPr(), chain, western)


def _outline(st: Any, level: int) -> None:
    """Outline level in the style itself, so the navigation pane lists the heading in
    any application, whatever the style is called there."""
    from docx.oxml import OxmlElement

    ppr = st.element.get_or_add_pPr()
    el = ppr.find(_qn("w:outlineLvl"))
    if el is None:
        el = OxmlElement("w:outlineLvl")
        ppr.append(el)
    el.set(_qn("w:val"), str(level))


def _field(paragraph: Any, instr: str, result: str, chain: list[str], western: str,
           size: float | None = None) -> None:
    """A complex field (PAGE, SEQ …) with its current result, as Word writes one."""
    from docx.oxml import OxmlElement

    def run_with(child: Any) -> None:
        r = paragraph.add_run()
        _run_font(r, chain, western, size)
        r._element.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(_qn("w:fldCharType"), "begin")
    run_with(begin)
    text = OxmlElement("w:instrText")
    text.set(_qn("xml:space"), "preserve")
    text.text = f" {instr} "
    run_with(text)
    sep = OxmlElement("w:fldChar")
    sep.set(_qn("w:fldCharType"), "separate")
    run_with(sep)
    r = paragraph.add_run(result)
    _run_font(r, chain, western, size)
    end = OxmlElement("w:fldChar")
    end.set(_qn("w:fldCharType"), "end")
    run_with(end)


def _font_table(doc: Any, fonts: Mapping[str, Any]) -> None:
    """Declare every face with its fallbacks (w:altName, comma-separated as ECMA-376
    allows) and the GB2312 charset, so an office PC lacking 方正小标宋简体 or 仿宋_GB2312
    can substitute the next face of the chain."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import OxmlElement

    try:
        part = doc.part.part_related_by(RT.FONT_TABLE)
    except KeyError:
        return
    from lxml import etree

    root = etree.fromstring(part.blob)
    known = {f.get(_qn("w:name")) for f in root.findall(_qn("w:font"))}
    for chain in fonts.values():
        if not isinstance(chain, list) or not chain:
            continue
        name = chain[0]
        if name in known:
            continue
        known.add(name)
        font = OxmlElement("w:font")
        font.set(_qn("w:name"), name)
        if len(chain) > 1:
            alt = OxmlElement("w:altName")
            alt.set(_qn("w:val"), ",".join(chain[1:]))
            font.append(alt)
        charset = OxmlElement("w:charset")
        charset.set(_qn("w:val"), "86")  # GB2312
        font.append(charset)
        family = OxmlElement("w:family")
        family.set(_qn("w:val"), "modern" if "黑" in name or "Sans" in name else "roman")
        font.append(family)
        root.append(font)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                standalone=True)


def fontconfig_aliases(system_conf: str = "/etc/fonts/fonts.conf") -> str:
    """A fontconfig file that makes each face of the style's chains fall back to the
    next, for LibreOffice on Linux (point FONTCONFIG_FILE at it). Word and WPS on
    Windows use the font table's w:altName instead; LibreOffice ignores that and would
    give every missing 仿宋_GB2312 the system's default face (a sans, often the Japanese
    variant of Noto)."""
    from html import escape

    lines = ['<?xml version="1.0"?>', '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
             "<fontconfig>", f'  <include ignore_missing="yes">{escape(system_conf)}</include>']
    seen: set[str] = set()
    for chain in style()["字体"].values():
        if not isinstance(chain, list) or len(chain) < 2 or chain[0] in seen:
            continue
        seen.add(chain[0])
        prefer = "".join(f"<family>{escape(str(c))}</family>" for c in chain[1:])
        lines.append(f'  <alias binding="same"><family>{escape(str(chain[0]))}</family>'
                     f"<prefer>{prefer}</prefer></alias>")
    for name in style().get("替代加粗") or []:
        lines.append(f'  <match target="pattern"><test name="family"><string>{escape(str(name))}'
                     '</string></test><edit name="weight" mode="assign"><const>bold</const>'
                     "</edit></match>")
    lines.append("</fontconfig>")
    return "\n".join(lines) + "\n"


# -- the writer ----------------------------------------------------------------------------

class _Writer:
    def __init__(self, st: dict[str, Any]) -> None:
        import docx
        from docx.enum.section import WD_ORIENT
        from docx.shared import Mm

        self.st = st
        self.doc = docx.Document()
        self.fonts = st["字体"]
        self.west = str(self.fonts.get("西文") or "Times New Roman")
        self.sizes = st["字号"]
        self.figures = 0
        self.landscape = False
        page = st["页面"]
        sec = self.doc.sections[0]
        sec.orientation = WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = Mm(210), Mm(297)
        sec.top_margin, sec.bottom_margin = Mm(page["上边距毫米"]), Mm(page["下边距毫米"])
        sec.left_margin, sec.right_margin = Mm(page["左边距毫米"]), Mm(page["右边距毫米"])
        sec.footer_distance = Mm(page["页脚距离毫米"])
        sec.header_distance = Mm(15)
        self.text_width = Mm(210 - page["左边距毫米"] - page["右边距毫米"])
        self._styles()
        self._page_numbers()
        _font_table(self.doc, {k: v for k, v in self.fonts.items() if isinstance(v, list)})
        props = self.doc.core_properties
        props.author = ""
        props.last_modified_by = ""
        props.comments = ""
        props.keywords = ""
        props.subject = ""

    # styles ----------------------------------------------------------------------------

    def _styles(self) -> None:
        from docx.enum.style import WD_STYLE_TYPE
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
        from docx.shared import Pt

        st, f, s, w = self.st, self.fonts, self.sizes, self.west
        line = Pt(st["行距磅"])
        indent = Pt(s["正文"] * st["首行缩进字数"])
        styles = self.doc.styles

        def fixed(ps: Any, spacing: Any = line) -> None:
            pf = ps.paragraph_format
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = spacing
            pf.space_before = Pt(0)
            pf.space_after = Pt(0)

        normal = styles["Normal"]
        _style_font(normal, f["正文"], w, s["正文"])
        self._chinese(normal)
        fixed(normal)
        normal.paragraph_format.first_line_indent = indent
        normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        normal.paragraph_format.widow_control = True

        title = styles["Title"]
        title.base_style = normal
        _style_font(title, f["标题"], w, s["标题"])
        fixed(title, Pt(st["标题行距磅"]))
        title.paragraph_format.first_line_indent = Pt(0)
        title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.paragraph_format.space_after = line
        self._plain_borders(title)

        for name, chain, level in (("Heading 1", f["一级标题"], 0),
                                   ("Heading 2", f["二级标题"], 1),
                                   ("Heading 3", f["正文"], 2)):
            h = styles[name]
            h.base_style = normal
            _style_font(h, chain, w, s["正文"], bold=(level == 2))
            fixed(h)
            h.paragraph_format.first_line_indent = indent
            h.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            h.paragraph_format.keep_with_next = True
            _outline(h, level)

        cap = styles["Caption"]
        cap.base_style = normal
        _style_font(cap, f["图表题"], w, s["图表题"])
        fixed(cap)
        cap.paragraph_format.first_line_indent = Pt(0)
        cap.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

        def custom(name: str) -> Any:
            try:
                return styles[name]
            except KeyError:
                return styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)

        cell = custom("表格文字")
        cell.base_style = normal
        _style_font(cell, f["表格"], w, s["表格"])
        cell.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        cell.paragraph_format.first_line_indent = Pt(0)
        cell.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        cell.paragraph_format.space_before = Pt(2)
        cell.paragraph_format.space_after = Pt(2)

        note = custom("表注")
        note.base_style = normal
        _style_font(note, f["表格"], w, s["表格"])
        note.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        note.paragraph_format.first_line_indent = Pt(0)
        note.paragraph_format.space_after = Pt(6)

        cover = custom("副标题行")
        cover.base_style = normal
        _style_font(cover, f["二级标题"], w, s["正文"])
        fixed(cover)
        cover.paragraph_format.first_line_indent = Pt(0)
        cover.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

        sign = custom("落款")
        sign.base_style = normal
        _style_font(sign, f["正文"], w, s["正文"])
        fixed(sign)
        sign.paragraph_format.first_line_indent = Pt(0)
        sign.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT

        figure = custom("图片")
        figure.base_style = normal
        figure.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        figure.paragraph_format.first_line_indent = Pt(0)
        figure.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        figure.paragraph_format.keep_with_next = True
        figure.paragraph_format.space_before = Pt(6)

        footer = styles["Footer"]
        _style_font(footer, f["页码"], w, s["页码"])
        footer.paragraph_format.first_line_indent = Pt(0)
        footer.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE

    @staticmethod
    def _chinese(st: Any) -> None:
        """Simplified Chinese as the text's language: an application choosing among
        CJK faces (or a spelling checker) takes the SC one, not the Japanese variant."""
        from docx.oxml import OxmlElement

        rpr = st.element.get_or_add_rPr()
        lang = rpr.find(_qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(_qn("w:val"), "zh-CN")
        lang.set(_qn("w:eastAsia"), "zh-CN")

    @staticmethod
    def _plain_borders(st: Any) -> None:
        """python-docx's template draws a rule under Title; a 公文 title has none."""
        ppr = st.element.get_or_add_pPr()
        for el in ppr.findall(_qn("w:pBdr")):
            ppr.remove(el)

    def _page_numbers(self) -> None:
        """“— N —” in 4号 at the outer side: odd pages right, even pages left, one
        character in from the edge of the type area."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        self.doc.settings.odd_and_even_pages_header_footer = True
        sec = self.doc.sections[0]
        size = self.sizes["页码"]
        before, _, after = str(self.st["页码格式"]).partition("{页码}")
        for footer, align in ((sec.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                              (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0]
            p.style = self.doc.styles["Footer"]
            p.paragraph_format.alignment = align
            p.paragraph_format.first_line_indent = Pt(0)
            if align == WD_ALIGN_PARAGRAPH.RIGHT:
                p.paragraph_format.right_indent = Pt(size)
            else:
                p.paragraph_format.left_indent = Pt(size)
            chain = self.fonts["页码"]
            _run_font(p.add_run(before), chain, self.west, size)
            _field(p, "PAGE", "1", chain, self.west, size)
            _run_font(p.add_run(after), chain, self.west, size)

    # content ---------------------------------------------------------------------------

    def title(self, text: str, cover: Iterable[str]) -> None:
        self.doc.add_paragraph(text, style="Title")
        lines = [c for c in cover if c]
        for i, line in enumerate(lines):
            p = self.doc.add_paragraph(line, style="副标题行")
            if i == len(lines) - 1:
                from docx.shared import Pt

                p.paragraph_format.space_after = Pt(self.st["行距磅"])

    def heading(self, text: str, level: int) -> None:
        if text:
            self.doc.add_paragraph(text, style=f"Heading {min(max(level, 1), 3)}")

    def paragraph(self, text: str) -> None:
        if text:
            self.doc.add_paragraph(text, style="Normal")

    def item(self, item: Item) -> None:
        p = self.doc.add_paragraph(style="Normal")
        p.add_run(item.label).bold = True
        if item.body:
            p.add_run(item.body)

    def signature(self, sig: Signature) -> None:
        from docx.shared import Pt

        size = self.sizes["正文"]
        for i, line in enumerate(sig.lines):
            p = self.doc.add_paragraph(line, style="落款")
            last = i == len(sig.lines) - 1
            p.paragraph_format.right_indent = Pt(size * (self.st["落款右空字数"] if last
                                                         else 2))
            if i == 0:
                p.paragraph_format.space_before = Pt(self.st["行距磅"])

    def table(self, t: Table) -> None:
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.oxml import OxmlElement
        from docx.shared import Pt

        ncols = max([len(t.columns)] + [len(r) for r in t.rows]) or 1
        landscape = self.turned(t)
        if landscape and not self.landscape:  # its own landscape pages
            self._orient(landscape=True)
        if t.lead:
            self.paragraph(t.lead)
        if t.caption:
            cap = self.doc.add_paragraph(t.caption, style="Caption")
            cap.paragraph_format.keep_with_next = True
            cap.paragraph_format.space_before = Pt(6)
        wide = ncols > int(self.st["宽表格列数"])
        size = self.sizes["宽表格"] if wide else self.sizes["表格"]
        table = self.doc.add_table(rows=1 + len(t.rows), cols=ncols)
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        cells_text = [list(t.columns)] + [list(r) for r in t.rows]
        for ri, values in enumerate(cells_text):
            row = table.rows[ri]
            if ri == 0:  # the header row repeats on every page the table runs over
                trpr = row._tr.get_or_add_trPr()
                head = OxmlElement("w:tblHeader")
                head.set(_qn("w:val"), "true")
                trpr.append(head)
            cant = OxmlElement("w:cantSplit")
            row._tr.get_or_add_trPr().append(cant)
            for ci in range(ncols):
                value = str(values[ci]) if ci < len(values) else ""
                p = row.cells[ci].paragraphs[0]
                p.style = self.doc.styles["表格文字"]
                if t.kept and not landscape:  # a turned table runs over pages anyway
                    p.paragraph_format.keep_with_next = ri < len(cells_text) - 1
                elif ri == 0:
                    p.paragraph_format.keep_with_next = True
                run = p.add_run(value)
                if ri == 0:
                    _run_font(run, self.fonts["表头"], self.west, size)
                else:
                    run.font.size = Pt(size)
        if t.note:
            self.doc.add_paragraph(t.note, style="表注")
        else:
            spacer = self.doc.add_paragraph(style="表注")
            spacer.paragraph_format.space_after = Pt(0)
        if landscape:
            self._orient(landscape=False)

    def turned(self, t: Any) -> bool:
        """Whether a table is too wide for a portrait page (a street's table of every
        community's figures): it gets landscape pages of its own."""
        if not isinstance(t, Table):
            return False
        ncols = max([len(t.columns)] + [len(r) for r in t.rows]) or 1
        return ncols > int(self.st["横排表格列数"])

    def _orient(self, landscape: bool) -> None:
        """A new section on a new page, turned; margins and page numbers carry on (the
        footers stay linked to the first section's)."""
        from docx.enum.section import WD_ORIENT, WD_SECTION
        from docx.shared import Mm

        page = self.st["页面"]
        self.landscape = landscape
        sec = self.doc.add_section(WD_SECTION.NEW_PAGE)
        sec.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = (Mm(297), Mm(210)) if landscape else \
            (Mm(210), Mm(297))
        # the type area keeps its short side at the top, as a printed page turned
        sec.top_margin, sec.bottom_margin = Mm(page["上边距毫米"]), Mm(page["下边距毫米"])
        sec.left_margin, sec.right_margin = Mm(page["左边距毫米"]), Mm(page["右边距毫米"])

    def figure(self, fig: Figure) -> None:
        from docx.shared import Emu, Mm

        want = Mm(self.st["图片宽度毫米"])
        width = Emu(min(int(want), int(self.text_width)))
        try:
            from PIL import Image

            with Image.open(io.BytesIO(fig.png)) as im:
                w_px, h_px = im.size
            # never taller than about two thirds of the type area
            max_h = Mm(150)
            if w_px and h_px and width * h_px / w_px > max_h:
                width = Emu(int(max_h * w_px / h_px))
        except Exception:  # Pillow absent or odd PNG: keep the type-area width
            pass
        p = self.doc.add_paragraph(style="图片")
        run = p.add_run()
        shape = run.add_picture(io.BytesIO(fig.png), width=width)
        self.figures += 1
        doc_pr = shape._inline.find(_qn("wp:docPr"))
        if doc_pr is not None:
            doc_pr.set("descr", fig.caption or f"图{self.figures}")
        cap = self.doc.add_paragraph(style="Caption")
        before, _, rest = str(self.st["图题格式"]).partition("{序号}")
        chain, size = self.fonts["图表题"], self.sizes["图表题"]
        _run_font(cap.add_run(before), chain, self.west, size)
        _field(cap, "SEQ 图 \\* ARABIC", str(self.figures), chain, self.west, size)
        _run_font(cap.add_run(rest.replace("{题目}", fig.caption).rstrip()), chain, self.west,
                  size)

    def block(self, b: Any) -> None:
        if isinstance(b, Paragraph):
            self.paragraph(b.content)
        elif isinstance(b, Item):
            self.item(b)
        elif isinstance(b, Table):
            self.table(b)
        elif isinstance(b, Signature):
            self.signature(b)
        elif isinstance(b, Figure):
            self.figure(b)
        elif isinstance(b, _Heading):
            self.heading(b.text, b.level)

    def bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()


def _write(content: _Content, index: guard.PersonalLookup | None) -> bytes:
    w = _Writer(style())
    w.doc.core_properties.title = content.title
    w.title(content.title, content.cover)
    for i, piece in enumerate(content.pieces):
        following = content.pieces[i + 1] if i + 1 < len(content.pieces) else None
        if isinstance(piece, _Heading) and w.turned(following) and not w.landscape:
            w._orient(landscape=True)  # the heading turns with its table
        w.block(piece)
    data = w.bytes()
    if index is not None:
        guard.check_html(docx_html(data), index, where="导出的Word文件")
    return data


# -- from the model ------------------------------------------------------------------------

def _cover_lines(meta: Mapping[str, Any] | None) -> list[str]:
    if not meta:
        return []
    from .export import _cover_lines as lines

    period = meta.get("period") or []
    end = str(period[-1]) if isinstance(period, (list, tuple)) and period else ""
    # 截止日期 repeats the period's end in a yearly summary: said once
    return [f"{label}：{value}" for label, value in lines(dict(meta))
            if label != "截止日期" or str(meta.get("as_of", "")) != end]


def _section_pieces(section: Section, charts: Mapping[str, Figure]) -> list[Any]:
    out: list[Any] = [_Heading(section.heading, section.level)] if section.heading else []
    out += section.own_blocks
    out += [charts[k] for k in section.charts if k in charts]
    for sub in section.subsections:
        out += _section_pieces(sub, charts)
    return out


def document_docx(doc: Document, charts: Mapping[str, Figure] | None = None,
                  meta: Mapping[str, Any] | None = None,
                  index: guard.PersonalLookup | None = None) -> bytes:
    """A narrative Document as .docx bytes; ``charts`` maps a chart key to its PNG and
    caption (charts without one are left out, as the notebook leaves out a chart without
    data). With ``index`` the file's text passes the personal-data guard first."""
    pieces: list[Any] = []
    for s in doc.sections:
        if s.key == "toc":  # Word's navigation pane is the 目录
            continue
        pieces += _section_pieces(s, charts or {})
    return _write(_Content(title=doc.title, cover=_cover_lines(meta), pieces=pieces), index)


# -- from the executed notebook --------------------------------------------------------------

_HEAD_TAGS = {"h1": 1, "h2": 1, "h3": 2, "h4": 3, "h5": 3, "h6": 3}
_BLOCK_TAGS = {"p", "div", "li", "pre", "figcaption", "section", "br", "caption"}


class _HtmlPieces(HTMLParser):
    """Any other HTML output (an analyst's own cell, a chart figure) as headings,
    paragraphs, tables and pictures: the same words the PDF prints, in Word's own form."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[Any] = []
        self._text: list[str] = []
        self._head: int | None = None
        self._skip = 0
        self._table: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._header_row = False
        self._columns: list[str] = []
        self._figure: Figure | None = None
        self._in_caption = False

    def _flush(self) -> None:
        text = " ".join("".join(self._text).split())
        self._text = []
        if not text:
            return
        if self._figure is not None and self._in_caption:
            self._figure.caption = text
        elif self._head is not None:
            self.pieces.append(_Heading(text, self._head))
        else:
            self.pieces.append(Paragraph(text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("style", "script", "title"):
            self._skip += 1
        elif tag == "table":
            self._flush()
            self._table, self._columns = [], []
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
            self._header_row = self._header_row or tag == "th"
        elif tag == "tr" and self._table is not None:
            self._table.append([])
            self._header_row = False
        elif tag == "img":
            src = a.get("src") or ""
            m = re.match(r"data:image/png;base64,(.*)$", src, re.S)
            if m:
                self._flush()
                fig = Figure(base64.b64decode(m.group(1)), "")
                if self._figure is not None:
                    self._figure.png = fig.png
                else:
                    self.pieces.append(fig)
        elif tag == "figure":
            self._flush()
            self._figure = Figure(b"", "")
        elif tag == "figcaption":
            self._flush()
            self._in_caption = True
        elif tag in _HEAD_TAGS:
            self._flush()
            self._head = _HEAD_TAGS[tag]
        elif tag in _BLOCK_TAGS and self._cell is None:
            self._flush()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("img", "br"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "title") and self._skip:
            self._skip -= 1
        elif tag in ("td", "th") and self._cell is not None and self._table is not None:
            text = " ".join("".join(self._cell).split())
            self._table[-1].append(text)
            self._cell = None
        elif tag == "tr" and self._table is not None and self._header_row \
                and not self._columns and self._table:
            self._columns = self._table.pop()
        elif tag == "table" and self._table is not None:
            rows = [r for r in self._table if r]
            if self._columns or rows:
                columns = self._columns or rows.pop(0)
                self.pieces.append(Table(columns, rows))
            self._table = None
        elif tag == "figcaption":
            self._flush()
            self._in_caption = False
        elif tag == "figure" and self._figure is not None:
            self._flush()
            if self._figure.png:
                self.pieces.append(self._figure)
            self._figure = None
        elif tag in _HEAD_TAGS:
            self._flush()
            self._head = None
        elif tag in _BLOCK_TAGS and self._cell is None:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif self._table is None:
            self._text.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def _html_pieces(fragment: str) -> list[Any]:
    parser = _HtmlPieces()
    parser.feed(fragment)
    parser.close()
    return parser.pieces


def _part_pieces(part: Mapping[str, Any]) -> list[Any]:
    from .docparts import block_from_json

    out: list[Any] = []
    if part.get("heading"):
        out.append(_Heading(str(part["heading"]), int(part.get("level", 1))))
    out += [block_from_json(b) for b in part.get("blocks", [])]
    return out


def notebook_docx(nb: Any, meta: Mapping[str, Any] | None = None,
                  index: guard.PersonalLookup | None = None) -> bytes:
    """The executed report notebook as .docx bytes: the same outputs the HTML export
    shows, in the same order (cells tagged no-export and the cover's own output left
    out), each part of the summary from the model it carries. Raises
    export.ExportError as the HTML export does (an error output, a script)."""
    from . import export
    from .docparts import MODEL_MIME

    prepared = export._prepare(nb, dict(meta) if meta else None)
    pieces: list[Any] = []
    for cell in prepared.nb.cells:
        if cell.get("cell_type") != "code" or export._skipped(cell):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue
            data = output.get("data") or {}
            if export.META_MIME in data:
                continue
            if MODEL_MIME in data:
                pieces += _part_pieces(data[MODEL_MIME])
            elif "text/html" in data:
                pieces += _html_pieces(export._joined(data["text/html"]))
            elif "image/png" in data:
                pieces.append(Figure(base64.b64decode(export._joined(data["image/png"]))))
    m = prepared.meta
    return _write(_Content(title=str(m.get("title", "")), cover=_cover_lines(m),
                           kind=str(m.get("kind", "community")), pieces=pieces), index)


# -- reading a file back (the guard, tests) --------------------------------------------------

_TEXT_PARTS = re.compile(r"^(word/(document|header\d*|footer\d*|footnotes|endnotes|comments)"
                         r"\.xml|docProps/(core|app)\.xml)$")


def _docx_pieces(data: bytes) -> list[tuple[str, str]]:
    """("p" | "td" | "img", text) for every paragraph, table cell and picture
    description of the document, its headers and footers and its properties."""
    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    out: list[tuple[str, str]] = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if not _TEXT_PARTS.match(name):
                continue
            root = etree.fromstring(z.read(name))
            if name.startswith("docProps/"):
                out += [("p", el.text) for el in root.iter()
                        if isinstance(el.tag, str) and el.text and el.text.strip()]
                continue
            for el in root.iter(f"{w}p"):
                text = "".join(t.text or "" for t in el.iter(f"{w}t"))
                in_cell = any(a.tag == f"{w}tc" for a in el.iterancestors())
                out.append(("td" if in_cell else "p", text))
            out += [("img", el.get("descr")) for el in root.iter()
                    if isinstance(el.tag, str) and el.get("descr")]
    return out


def docx_html(data: bytes) -> str:
    """Every piece of text a reader (or Word's document properties) can see in a .docx,
    as simple HTML: paragraphs as <p>, table cells as <td>, pictures' descriptions as
    alt text. The guard reads this, so it judges whole cells as it does in the HTML."""
    from html import escape

    return "".join(f'<img alt="{escape(text)}">' if kind == "img"
                   else f"<{kind}>{escape(text)}</{kind}>"
                   for kind, text in _docx_pieces(data))


def docx_text(data: bytes) -> str:
    """The body's visible text, one paragraph or table cell a line (tests, a quick
    look); headers, footers and properties are left out."""
    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    return "\n".join("".join(t.text or "" for t in p.iter(f"{w}t"))
                     for p in root.iter(f"{w}p"))

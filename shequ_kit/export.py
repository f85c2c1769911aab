"""From an executed report notebook to the document leadership reads: HTML, then PDF.

The notebook's rich outputs (HTML fragments of the narrative, PNG charts) are the
document; code, prompts, streams and warnings stay in the notebook. The HTML is
self-contained (charts as data URIs, no scripts, no links to the network) because it is
mailed around and opened on office PCs without internet; the PDF is rendered from the
same HTML by WeasyPrint with Simplified Chinese faces only.

The cover (title, 所属街道, period, as-of date, kind) comes, by increasing precedence,
from an output produced by :func:`show_cover` in the notebook, from the notebook's
``metadata["shequ_kit"]`` (see :func:`set_cover`), and from the ``meta`` argument of
:func:`to_html`. A papermill run therefore needs nothing special: the report notebook's
first cell after the parameters calls ``show_cover(cover_meta(facts))``.

Everything is written only after the personal-data guard passed, to a temporary name in
the target folder and then renamed, so a reader never sees half a file and a refused
report leaves nothing behind. The nbconvert exporter, the font look-up and WeasyPrint's
font configuration are built once per process: a batch worker exporting a street's
communities pays for them once.
"""

from __future__ import annotations

import bisect
import copy
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import guard

if TYPE_CHECKING:  # heavy imports stay out of a kernel that only calls show_cover
    from nbformat import NotebookNode

__all__ = [
    "ExportError",
    "META_MIME",
    "cover_of",
    "NOTE_MIME",
    "SKIP_TAGS",
    "cover_meta",
    "export",
    "html_to_pdf",
    "render_pdf",
    "set_cover",
    "show_cover",
    "timings",
    "to_html",
    "to_html_with_warnings",
    "warm_up",
    "work_note",
]

log = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "shequ_report"
META_MIME = "application/vnd.shequ-kit.meta+json"
# An output meant for the analyst only (a helper's confirmation or warning): shown in
# JupyterLab, never in the document; one with level "warning" is said in the run's log.
NOTE_MIME = "application/vnd.shequ-kit.note+json"
# Representations that need a live browser (widgets, JavaScript): a document cannot show
# them, so such an output is left out with a warning naming its cell.
LIVE_MIMES: tuple[str, ...] = ("application/vnd.jupyter.widget-view+json",
                               "application/javascript", "text/javascript",
                               "application/vnd.bokehjs_exec.v0+json",
                               "application/vnd.plotly.v1+json")
METADATA_KEY = "shequ_kit"
# Cells tagged so are the analyst's own exploration (widgets, checks), not the document.
SKIP_TAGS: tuple[str, ...] = ("no-export", "不导出")
# Data kept beside an output's HTML through the export's rewriting (docparts.MODEL_MIME).
CARRIED_MIMES: tuple[str, ...] = ("application/vnd.shequ-kit.section+json",)
KINDS = ("community", "overview")

# Faces are named, never a generic family: a generic lets fontconfig or a browser pick a
# Japanese or Korean face for the same characters, whose glyph shapes differ.
SERIF_FACES = ("Noto Serif CJK SC", "Source Han Serif SC", "SimSun", "Songti SC")
SANS_FACES = ("Noto Sans CJK SC", "Source Han Sans SC", "SimHei", "Heiti SC",
              "Microsoft YaHei")


class ExportError(Exception):
    """The notebook cannot become a document (an error output, a script, a link to the
    network, a missing font or glyph); the message is Chinese and names the cell."""


# -- the cover ---------------------------------------------------------------------------

def _cn_date(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value  # already written out, e.g. 2024年12月31日
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def _cn_period(value: Any) -> str:
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return f"{_cn_date(value[0])}至{_cn_date(value[1])}"
    return _cn_date(value) if value else ""


def cover_meta(facts: Any) -> dict[str, Any]:
    """The cover of a CommunityFacts (kind community) or StreetFacts (kind overview)."""
    is_overview = hasattr(facts, "communities")
    start = (getattr(facts, "period_start", None)
             or (getattr(facts, "period", None) or {}).get("start") or f"{facts.year}-01-01")
    meta: dict[str, Any] = {
        "title": facts.title,
        "street": facts.street,
        "period": [start, facts.as_of],
        "as_of": facts.as_of,
        "kind": "overview" if is_overview else "community",
    }
    if not is_overview:
        meta["community"] = facts.community
    return meta


def _cover_html(meta: dict[str, Any]) -> str:
    from html import escape

    lines = "".join(f"<div>{escape(label)}：{escape(value)}</div>"
                    for label, value in _cover_lines(meta))
    return (f'<div class="shequ-cover"><h1>{escape(str(meta.get("title", "")))}</h1>'
            f"{lines}</div>")


def show_cover(meta: dict[str, Any] | Any) -> None:
    """Declare the cover from inside the notebook (papermill or JupyterLab).

    The output carries the cover as JSON for the export and as a small HTML heading so the
    analyst sees the title in JupyterLab; the export uses it for the cover and does not
    repeat it in the body.
    """
    from IPython.display import display

    if not isinstance(meta, dict):
        meta = cover_meta(meta)
    meta = _normalise_meta(meta, where="封面信息")
    display({META_MIME: meta, "text/html": _cover_html(meta)}, raw=True)


def set_cover(nb: NotebookNode, meta: dict[str, Any]) -> None:
    """Store the cover in the notebook's metadata (for notebooks built or edited by
    program, e.g. before papermill runs them)."""
    nb.metadata[METADATA_KEY] = _normalise_meta(meta, where="封面信息")


def _normalise_meta(meta: dict[str, Any], where: str) -> dict[str, Any]:
    out = {k: v for k, v in meta.items() if v is not None}
    for key in ("as_of",):
        if isinstance(out.get(key), (date, datetime)):
            out[key] = out[key].isoformat()
    if isinstance(out.get("period"), (list, tuple)):
        out["period"] = [v.isoformat() if isinstance(v, (date, datetime)) else v
                         for v in out["period"]]
    kind = out.setdefault("kind", "community")
    if kind not in KINDS:
        raise ExportError(f"{where}中的报告类型“{kind}”无效，应为 community（社区总结）"
                          "或 overview（街道汇总）")
    return out


_BRACKETED = re.compile(r"(（[^（）]*）)")


def title_parts(meta: dict[str, Any]) -> list[str]:
    """The cover title in the pieces a line may break between: the community's (or
    street's) name, then the rest, with a bracketed part on its own (2024年第15周 /
    （4月8日—4月14日） / 创文工作总结), so a long title wraps between words, never inside one."""
    title = str(meta.get("title") or "")
    head = str(meta.get("community") or meta.get("street") or "")
    parts: list[str] = []
    if head and title.startswith(head) and len(title) > len(head):
        parts.append(head)
        title = title[len(head):]
    parts.extend(p for p in _BRACKETED.split(title) if p)
    return parts


def _cover_lines(meta: dict[str, Any]) -> list[tuple[str, str]]:
    declared = meta.get("lines")
    if isinstance(declared, list) and declared:  # the 文种's own cover (doctypes 封面)
        return [(str(pair[0]), str(pair[1])) for pair in declared
                if isinstance(pair, (list, tuple)) and len(pair) == 2]
    lines: list[tuple[str, str]] = []
    if meta.get("street"):
        lines.append(("所属街道", str(meta["street"])))
    if meta.get("period"):
        lines.append(("统计期间", _cn_period(meta["period"])))
    if meta.get("as_of"):
        lines.append(("截止日期", _cn_date(meta["as_of"])))
    return lines


# -- preparing the notebook --------------------------------------------------------------

_H2 = re.compile(r"<h2\b([^>]*)>", re.IGNORECASE)
_ID_ATTR = re.compile(r"""\bid\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
# Attributes whose value is fetched or followed by a browser.
_URL_ATTRS = frozenset({"src", "href", "srcset", "poster", "data", "action", "formaction",
                        "xlink:href", "background", "cite", "longdesc", "manifest"})
_ACTIVE_TAGS = frozenset({"script", "iframe", "object", "embed", "applet", "frame",
                          "frameset"})
_ACTIVE_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
_REMOTE = re.compile(r"^(?:https?:|ftp:|//)", re.IGNORECASE)
_CSS_REMOTE = re.compile(r"url\(\s*[\"']?\s*(?:https?:|ftp:|//)|@import\b", re.IGNORECASE)


def _url_value(value: str | None) -> str:
    """An attribute value as a browser reads a URL: control characters and white space
    inside a scheme (``java\tscript:``) do not stop it, so they are removed first."""
    return "".join(ch for ch in (value or "") if ch > " " and ch != "\x7f").lower()


class _ActiveContent(HTMLParser):
    """Judges an output by its parsed DOM, not by substrings: text that merely *reads*
    ``onerror=`` or ``javascript:`` (a community named so, an escaped quotation) is data,
    while a real ``<script>``, an ``on…`` attribute or a ``javascript:`` link is code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.script: str | None = None
        self.remote: str | None = None
        self._in_style = 0

    def _attrs(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _ACTIVE_TAGS and self.script is None:
            self.script = f"<{tag}>"
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on") and self.script is None:
                self.script = f"{name}="
            if name in _URL_ATTRS or name == "style":
                url = _url_value(value)
                if name != "style" and url.startswith(_ACTIVE_SCHEMES) and self.script is None:
                    self.script = f"{name}={url.split(':', 1)[0]}:"
                if self.remote is None and (
                        (name != "style" and _REMOTE.match(url))
                        or (name in ("style", "srcset") and _CSS_REMOTE.search(value or ""))):
                    self.remote = name

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attrs(tag, attrs)
        if tag == "style":
            self._in_style += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attrs(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style" and self._in_style:
            self._in_style -= 1

    def handle_data(self, data: str) -> None:
        if self._in_style and self.remote is None and _CSS_REMOTE.search(data):
            self.remote = "style"


def active_content(fragment: str) -> tuple[str | None, str | None]:
    """(what makes ``fragment`` run code, what makes it fetch from the network), each
    None when absent."""
    parser = _ActiveContent()
    parser.feed(fragment)
    parser.close()
    return parser.script, parser.remote


class _HeadingText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[str] = []
        self._depth = 0
        self._parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h2":
            self._depth += 1
            self._parts = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self._depth:
            self._depth -= 1
            self.headings.append(" ".join("".join(self._parts).split()))

    def handle_data(self, data: str) -> None:
        if self._depth:
            self._parts.append(data)


class _Anchors:
    """Gives every h2 of the document a unique id and remembers its text for the 目录."""

    def __init__(self) -> None:
        self.toc: list[tuple[str, str]] = []
        self.used: set[str] = set()
        self.counter = 0

    def number(self, fragment: str) -> str:
        heads = _HeadingText()
        heads.feed(fragment)
        heads.close()
        texts = iter(heads.headings)

        def one(match: re.Match[str]) -> str:
            attrs = match.group(1)
            text = next(texts, "")
            existing = _ID_ATTR.search(attrs)
            if existing and existing.group(1) not in self.used:
                anchor, tag = existing.group(1), match.group(0)
            else:
                anchor = self._fresh()
                tag = f'<h2 id="{anchor}"{_ID_ATTR.sub("", attrs)}>'
            self.used.add(anchor)
            if text:
                self.toc.append((anchor, text))
            return tag

        return _H2.sub(one, fragment)

    def _fresh(self) -> str:
        while True:
            self.counter += 1
            anchor = f"sec-{self.counter}"
            if anchor not in self.used:
                return anchor


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _skipped(cell: dict[str, Any]) -> bool:
    return any(t in SKIP_TAGS for t in (cell.get("metadata") or {}).get("tags", []))


def work_note(message: str, level: str = "info") -> dict[str, Any]:
    """A display bundle the analyst sees in JupyterLab but the document leaves out; with
    ``level="warning"`` the run's log and manifest repeat the message."""
    from html import escape

    style = "color:#a15c00" if level == "warning" else "color:#555"
    return {NOTE_MIME: {"message": message, "level": level}, "text/plain": message,
            "text/html": f'<p style="{style}">{escape(message)}</p>'}


@dataclass
class _Prepared:
    nb: Any
    meta: dict[str, Any]
    toc: list[tuple[str, str]]
    warnings: list[str]


def _markdown_html(text: str) -> str:
    """Markdown as the document shows it: headings keep their level, paragraphs are body
    text (raw HTML in it passes the same script and network checks as any output)."""
    import mistune

    return str(mistune.html(text))


def _plain_html(text: str) -> str:
    """Printed or plain-text output as plain paragraphs, one per non-empty line."""
    from html import escape

    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "".join(f'<p class="sk-print">{escape(line)}</p>' for line in lines)


_PANDAS_STYLE = re.compile(r"<style\s+scoped\s*>.*?</style>", re.IGNORECASE | re.DOTALL)
_THEAD = re.compile(r"<thead>(.*?)</thead>", re.IGNORECASE | re.DOTALL)
_ROW_HEAD = re.compile(r"(<tr\b[^>]*>\s*)<th\b[^>]*>(.*?)</th>", re.IGNORECASE | re.DOTALL)


def _formal_frame(fragment: str) -> str:
    """A pandas DataFrame's HTML as a formal table: its notebook-only style block goes, and
    an unnamed index column (0, 1, 2 …) is dropped; a named index is data and stays."""
    if 'class="dataframe"' not in fragment:
        return fragment
    fragment = _PANDAS_STYLE.sub("", fragment)
    fragment = fragment.replace(' border="1" class="dataframe"', ' class="dataframe"')
    fragment = re.sub(r'<tr style="text-align: right;">', "<tr>", fragment)
    head = _THEAD.search(fragment)
    if head is None or head.group(1).lower().count("<tr") != 1:
        return fragment  # a named index adds a second header row; keep it
    first = _ROW_HEAD.search(head.group(1))
    if first is None or first.group(2).strip() or "rowspan" in fragment.lower():
        return fragment
    return _ROW_HEAD.sub(lambda m: m.group(1), fragment)


# A plain-text result that is only an object's repr — what a chart cell's last line
# returns (``Text(0.5, 1.0, '…')``, ``<BarContainer object of 3 artists>``) — is a
# by-product, not something the analyst wrote for the reader.
_OBJECT_REPR = re.compile(r"^\[?\s*<[^<>]*>\s*\]?$|^(?:Text|Line2D|Figure)\(", re.DOTALL)


def _display(html: str, metadata: dict[str, Any] | None = None) -> Any:
    from nbformat.v4 import new_output

    return new_output("display_data", data={"text/html": html}, metadata=metadata or {})


def _document_outputs(cell: Any, label: str, warnings: list[str]) -> list[Any]:
    """What of a code cell's outputs the document shows, in order, each as HTML or PNG:
    printed text and plain results as paragraphs, Markdown rendered, DataFrames as formal
    tables, figures with the cell's ``caption`` metadata. Live widgets and JavaScript are
    left out, each with a warning naming the cell; errors are checked elsewhere."""
    kept: list[Any] = []
    caption = str((cell.get("metadata") or {}).get("caption") or "").strip()
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "stream":
            if output.get("name") == "stdout" and _joined(output.get("text", "")).strip():
                kept.append(_display(_plain_html(_joined(output.get("text", "")))))
            continue  # stderr: warnings and logs, the analyst's business
        if kind not in ("display_data", "execute_result"):
            continue
        data = output.get("data") or {}
        if META_MIME in data or NOTE_MIME in data:
            continue
        live = [m for m in LIVE_MIMES if m in data]
        if live:
            what = "交互控件" if "widget" in live[0] else "网页脚本"
            warnings.append(f"{label}的输出是{what}，无法导出到 HTML/PDF，报告中已略去。"
                            "如需写入报告，请改为输出表格、图片或文字。")
            continue
        if "text/html" in data:
            html = _formal_frame(_joined(data["text/html"]))
            shown = _display(html, dict(output.get("metadata") or {}))
            # The document model a summary part carries beside its HTML (docparts): the
            # Word file is written from it, so it travels with the HTML it belongs to.
            shown["data"].update({m: v for m, v in data.items() if m in CARRIED_MIMES})
            kept.append(shown)
        elif "image/png" in data:
            meta = dict(output.get("metadata") or {})
            if caption:
                meta["caption"] = caption
            output = copy.deepcopy(output)
            output["output_type"] = "display_data"
            output.pop("execution_count", None)
            output["metadata"] = meta
            kept.append(output)
        elif "text/markdown" in data:
            kept.append(_display(_markdown_html(_joined(data["text/markdown"]))))
        elif "text/plain" in data:
            text = _joined(data["text/plain"])
            if text.strip() and not _OBJECT_REPR.match(text.strip()):
                kept.append(_display(_plain_html(text)))
        elif data:
            kinds = "、".join(sorted(data))
            warnings.append(f"{label}的输出格式（{kinds}）无法导出到 HTML/PDF，报告中已略去。")
    return kept


def _prepare(nb: NotebookNode, meta: dict[str, Any] | None) -> _Prepared:
    """Turn the notebook into what the document shows, check it, and number the h2
    headings for the 目录.

    What the analyst sees is what is exported: markdown cells (except those tagged
    ``no-export``, as the shipped notebooks tag their usage notes), printed text, plain
    results, Markdown, HTML, DataFrames and figures, in order; all of it then passes the
    script and network checks. An output that cannot be exported becomes a warning. An
    error output anywhere fails the export, even in a cell left out of the document: a
    notebook that stopped half-way has not produced the rest of the report.
    """
    from nbformat.v4 import new_code_cell

    nb = copy.deepcopy(nb)
    found_meta: dict[str, Any] = {}
    anchors = _Anchors()
    warnings: list[str] = []
    cells: list[Any] = []
    for position, cell in guard.numbered_cells(nb.cells):
        label = guard.cell_label(cell, position)
        kind = cell.get("cell_type")
        if kind == "markdown":
            if _skipped(cell) or not _joined(cell.get("source", "")).strip():
                continue
            shown = new_code_cell(metadata={"tags": []})
            shown.outputs = [_display(_markdown_html(_joined(cell.get("source", ""))))]
            cell, kind = shown, "code"
        if kind != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                ename = str(output.get("ename", "")) or "错误"
                raise ExportError(
                    f"{label}运行出错（{ename}），报告未导出。请在 JupyterLab 中打开该笔记本，"
                    "修正此单元格后重新运行。")
            data = output.get("data") or {}
            if META_MIME in data and not found_meta:
                found_meta = dict(data[META_MIME])
            note = data.get(NOTE_MIME)
            if isinstance(note, dict) and note.get("level") == "warning":
                warnings.append(f"{label}：{note.get('message', '')}")
        if _skipped(cell):
            cells.append(cell)  # the template leaves it out
            continue
        cell.outputs = _document_outputs(cell, label, warnings)
        for output in cell.outputs:
            data = output.get("data") or {}
            if "text/html" not in data:
                continue
            fragment = _joined(data["text/html"])
            script, remote = active_content(fragment)
            if script:
                raise ExportError(f"{label}的输出含有可执行的网页代码（{script}），报告中不允许"
                                  "脚本。请改为输出纯HTML（标题、段落、表格）或图片。")
            if remote:
                raise ExportError(f"{label}的输出引用了网络资源（网址或外部样式），报告须"
                                  "能离线打开。请去掉网址，图片请直接嵌入。")
            data["text/html"] = anchors.number(fragment)
        cells.append(cell)
    nb.cells = cells

    merged: dict[str, Any] = {}
    merged.update(found_meta)
    merged.update(dict(nb.metadata.get(METADATA_KEY) or {}))
    merged.update(meta or {})
    merged = _normalise_meta(merged, where="封面信息")
    if not str(merged.get("title") or "").strip():
        raise ExportError("缺少报告标题：请在笔记本中调用 show_cover(...)，或在导出时给出 "
                          "title（例如“天运社区2024年度工作总结”）。")
    return _Prepared(nb=nb, meta=merged, toc=anchors.toc if merged["kind"] == "overview" else [],
                     warnings=warnings)


def cover_of(nb: NotebookNode) -> dict[str, Any]:
    """The cover an export of ``nb`` would print (title, street, period …): where a
    re-export takes its file names from, as ``run`` takes them from the title."""
    return _prepare(nb, None).meta


# -- module-level singletons -------------------------------------------------------------

_lock = threading.Lock()
_timings: dict[str, float] = {}


def timings() -> dict[str, float]:
    """Seconds spent building each singleton (once per process), for the batch's report."""
    return dict(_timings)


@lru_cache(maxsize=1)
def _exporter() -> Any:
    t0 = time.perf_counter()
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_markdown=True,
        exclude_raw=True,
        exclude_unknown=True,
        embed_images=False,
        sanitize_html=False,
    )
    _timings["nbconvert"] = time.perf_counter() - t0
    return exporter


def _fc_list(*args: str) -> str:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise ExportError("未找到 fontconfig（fc-list），无法确认简体中文字体。请运行 make setup。")
    return subprocess.run([fc_list, *args], capture_output=True, text=True,
                          check=False).stdout


def _fc_families() -> set[str]:
    """Installed families that cover Simplified Chinese."""
    families: set[str] = set()
    for line in _fc_list(":lang=zh-cn", "family").splitlines():
        families.update(name.strip() for name in line.split(",") if name.strip())
    return families


@dataclass(frozen=True)
class _Fonts:
    serif: tuple[str, ...]
    sans: tuple[str, ...]


@lru_cache(maxsize=1)
def _installed_fonts() -> _Fonts:
    families = _fc_families()
    serif = tuple(f for f in SERIF_FACES if f in families)
    sans = tuple(f for f in SANS_FACES if f in families)
    if not serif and not sans:
        raise ExportError("未找到简体中文字体（Noto Serif CJK SC 或 Noto Sans CJK SC），"
                          "PDF 无法正确显示中文。请运行 make setup 安装 fonts-noto-cjk。")
    return _Fonts(serif=serif + sans, sans=sans or serif)


def _css_families(names: Iterable[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


@lru_cache(maxsize=1)
def _cmap() -> tuple[tuple[int, int], ...]:
    """Code-point ranges the chosen faces can draw (fontconfig's cached charsets): any
    other character would print as a tofu box."""
    t0 = time.perf_counter()
    fonts = _installed_fonts()
    ranges: list[tuple[int, int]] = []
    for family in dict.fromkeys(fonts.serif + fonts.sans):
        text = _fc_list(f":family={family}", "charset")
        for part in text.replace(":charset=", " ").split():
            lo, _, hi = part.partition("-")
            try:
                ranges.append((int(lo, 16), int(hi or lo, 16)))
            except ValueError:
                continue
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    _timings["charset"] = time.perf_counter() - t0
    return tuple(merged)


def _drawable(point: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    i = bisect.bisect_right(ranges, (point, 0x10FFFF)) - 1
    return i >= 0 and ranges[i][0] <= point <= ranges[i][1]


@lru_cache(maxsize=1)
def _weasy() -> tuple[Any, Any]:
    """WeasyPrint's font configuration and the PDF-only stylesheet naming installed faces."""
    t0 = time.perf_counter()
    from weasyprint import CSS, HTML
    from weasyprint.text import ffi
    from weasyprint.text.fonts import FontConfiguration

    if not (ffi.harfbuzz_subset and ffi.harfbuzz.hb_version_atleast(4, 1, 0)):
        log.warning("未找到 HarfBuzz 字体子集库（libharfbuzz-subset0），WeasyPrint 将改用较慢的"
                    " fontTools 嵌入字体，每份 PDF 约慢 5 秒。请运行 make setup 安装。")
    fonts = _installed_fonts()
    font_config = FontConfiguration()
    serif, sans = _css_families(fonts.serif), _css_families(fonts.sans)
    pdf_css = CSS(string=(
        f"html, body, p, td, li, div, span, figcaption, .cover-title {{ font-family: {serif}"
        " !important; }\n"
        f"h1, h2, h3, h4, h5, h6, th, caption, table.cover-facts th {{ font-family: {sans}"
        " !important; }\n"
        f"@page {{ @bottom-center {{ font-family: {serif}; }} }}\n"
        f"main h1, main h2, main h3 {{ font-family: {sans} !important; }}\n"
    ), font_config=font_config)
    # The first document pays for Pango and fontconfig loading the CJK faces (about
    # 0.7 s); paying it here keeps it out of the first report's time and the timings.
    HTML(string='<html lang="zh-CN"><body><p>预热</p><h1>预热</h1></body></html>'
         ).write_pdf(stylesheets=[pdf_css], font_config=font_config)
    _timings["weasyprint"] = time.perf_counter() - t0
    return font_config, pdf_css


def warm_up() -> dict[str, float]:
    """Build every singleton now (a batch worker calls this once when it starts) and
    return the seconds each took."""
    import nbformat

    _exporter()
    t0 = time.perf_counter()
    to_html(nbformat.v4.new_notebook(), meta={"title": "预热"})  # compiles the template
    _timings["template"] = time.perf_counter() - t0
    _cmap()
    _weasy()
    return timings()


def slow_font_subsetting() -> bool:
    """Whether WeasyPrint will embed fonts through fontTools (about 5 s more per PDF)."""
    from weasyprint.text import ffi

    return not (ffi.harfbuzz_subset and ffi.harfbuzz.hb_version_atleast(4, 1, 0))


# -- HTML ---------------------------------------------------------------------------------

def to_html(nb: NotebookNode | Path | str, meta: dict[str, Any] | None = None) -> str:
    """The self-contained HTML document of an executed notebook.

    ``meta`` overrides the cover given in the notebook (keys title, street, period, as_of,
    kind: "community" or "overview"; an overview gets a 目录 built from its h2 headings).
    Raises ExportError for an error output, a script or a network link, naming the cell.
    """
    return to_html_with_warnings(nb, meta)[0]


def to_html_with_warnings(nb: NotebookNode | Path | str, meta: dict[str, Any] | None = None
                          ) -> tuple[str, list[str]]:
    """:func:`to_html` and the Chinese warnings for what the document had to leave out
    (a widget, JavaScript) or what the notebook's helpers flagged (a ``revise`` that found
    nothing): they belong in the run's log and manifest, not in the leader's PDF."""
    if isinstance(nb, (str, Path)):
        import nbformat

        nb = nbformat.read(str(nb), as_version=4)
    prepared = _prepare(nb, meta)
    html_fonts = {"serif": _css_families(SERIF_FACES + SANS_FACES),
                  "sans": _css_families(SANS_FACES)}
    resources = {
        "shequ_kit": {
            "meta": prepared.meta,
            "cover_lines": _cover_lines(prepared.meta),
            "title_parts": title_parts(prepared.meta),
            "toc": prepared.toc,
            "skip_tags": list(SKIP_TAGS),
            "meta_mime": META_MIME,
            "fonts": html_fonts,
        }
    }
    exporter = _exporter()
    with _lock:
        body, _ = exporter.from_notebook_node(prepared.nb, resources=resources)
    return body, prepared.warnings


# -- PDF ----------------------------------------------------------------------------------

class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "title"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "title") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> list[str]:
    """The text a reader sees in an exported document, piece by piece: what the glyph
    check must cover, and what a test reads for leaked code or tracebacks."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return parser.parts


def _missing_glyphs(html: str) -> list[str]:
    chars = set("".join(visible_text(html)))
    ranges = _cmap()
    missing = []
    for ch in sorted(chars):
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs"):
            continue
        if not _drawable(ord(ch), ranges):
            missing.append(ch)
    return missing


def render_pdf(html: str) -> bytes:
    """The PDF of an exported HTML document, in memory.

    Only data: URLs are fetched (charts); anything else fails the render rather than
    reaching the network. A character the Chinese faces cannot draw fails too.
    """
    font_config, pdf_css = _weasy()  # first: its timing includes importing WeasyPrint
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    missing = _missing_glyphs(html)
    if missing:
        shown = "、".join(f"“{c}”（U+{ord(c):04X}）" for c in missing[:10])
        raise ExportError(f"以下字符在简体中文字体中没有字形，PDF 中会显示为方框：{shown}。"
                          "请改用常用字符。")
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    try:
        document = HTML(string=html, url_fetcher=fetcher, base_url=None)
        data = document.write_pdf(stylesheets=[pdf_css], font_config=font_config)
    except FatalURLFetchingError as exc:
        raise ExportError("HTML 引用了嵌入数据以外的资源（网址或本地文件），PDF 未生成。"
                          "图片请以 data URI 嵌入。") from exc
    return data


def html_to_pdf(html: str, out: Path) -> None:
    """Render and write the PDF atomically (a temporary name in the same folder, then
    renamed), so a half-written PDF never exists."""
    _write_atomic({Path(out): render_pdf(html)})


# -- the whole export --------------------------------------------------------------------

def _write_atomic(files: dict[Path, bytes]) -> None:
    temps: list[tuple[Path, Path]] = []
    try:
        for target, content in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                       dir=target.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            os.chmod(tmp, 0o644)
            temps.append((Path(tmp), target))
        for tmp, target in temps:
            os.replace(tmp, target)
    finally:
        for tmp, _ in temps:
            if tmp.exists():
                tmp.unlink()


def export(nb_path: Path | str, html_path: Path | str | None, pdf_path: Path | str | None,
           guard_index: guard.PersonalLookup, meta: dict[str, Any] | None = None
           ) -> list[Path]:
    """Executed notebook → HTML and/or PDF, written only after the guard passed.

    The guard sees the notebook (every output, source and metadata), then the HTML, then
    the log line; the PDF is rendered from the checked HTML. Either path may be None to
    skip that format. Returns the paths written.
    """
    import nbformat

    nb_path = Path(nb_path)
    nb = nbformat.read(str(nb_path), as_version=4)
    guard.check_notebook(nb, guard_index)
    html = to_html(nb, meta)
    guard.check_html(html, guard_index)
    files: dict[Path, bytes] = {}
    if html_path is not None:
        files[Path(html_path)] = html.encode("utf-8")
    if pdf_path is not None:
        files[Path(pdf_path)] = render_pdf(html)
    message = "已导出：" + "、".join(p.name for p in files)
    guard.check_text(message, guard_index)
    _write_atomic(files)
    log.info(message)
    return list(files)

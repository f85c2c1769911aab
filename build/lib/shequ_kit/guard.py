"""The last gate before anything leaves the machine: no ledger's personal data may pass.

A report notebook is free code written by analysts, so nothing upstream can promise that
an ID, a phone number or a resident's name did not slip into an output (a debugging
``print``, a table of ``df.head()``, a chart title). The guard looks at what is about to
be written (the executed notebook, the HTML, a log line) and refuses it as a whole. It
never shows what it found: its message points at the cell, so the analyst can fix the
code without the value being copied into yet another place.

Names are special: a name such as 王平 or 高峰 is also an ordinary word, so a name is
refused only where it stands alone as a value (a whole table cell, a list item, a JSON
value, a plain-text token) and not inside a sentence. IDs and phone numbers are refused
anywhere. The look-ups themselves belong to ``shequ_kit.privacy.PersonalIndex``; this
module only decides where to look.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from typing import Any, Protocol

from .values import personal_like

__all__ = [
    "PersonalDataError",
    "PersonalLookup",
    "GuardLogFilter",
    "cell_label",
    "numbered_cells",
    "dumps_checked",
    "check_html",
    "check_notebook",
    "check_text",
    "html_values",
    "text_tokens",
]


class PersonalLookup(Protocol):
    """What the guard needs from ``privacy.PersonalIndex`` (kept structural so the guard
    can be used with any index built from the ledgers)."""

    def find_in_text(self, text: str) -> list[str]: ...

    def find_in_cells(self, cells: Iterable[str]) -> list[str]: ...


class PersonalDataError(Exception):
    """An output holds a ledger's personal data; nothing of it may be written.

    ``where`` names the place (a cell, the HTML, a log line), ``kinds`` says what kind of
    data was found; the message is Chinese and holds no personal value.
    """

    def __init__(self, where: str, kinds: list[str], count: int):
        self.where = where
        self.kinds = kinds
        self.count = count
        what = "、".join(kinds)
        super().__init__(
            f"{where}含有台账中的个人信息（{what}，共{count}处），已拒绝输出。"
            "请修改该处代码，只输出统计数字，不要输出身份证号、手机号或姓名。"
        )


_TEXT_KIND = "身份证号或手机号"
_CELL_KIND = "姓名"

# Elements whose whole text is one value in a table or a list.
_VALUE_TAGS = frozenset({"td", "th", "li", "dd", "dt", "option", "caption", "figcaption",
                         "label", "button", "title"})
# Attributes that carry a value a reader can see (tooltips, alt text, form values).
_VALUE_ATTRS = ("title", "alt", "value", "aria-label", "placeholder")
_BLOCK_TAGS = frozenset({"p", "div", "br", "tr", "table", "ul", "ol", "section", "h1", "h2",
                         "h3", "h4", "h5", "h6"})

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
# A plain-text value ends at whitespace, quotes, brackets and list punctuation (the shapes
# of reprs: DataFrame columns, lists, dict values, "Text(0, 1, '张三')").
_TOKEN_SPLIT = re.compile(r"[\s'\"“”‘’()\[\]{}<>,，;；:：、|=]+")
# Long digit runs look like IDs or phones; they are never printed in a cell label.
_DIGITS = re.compile(r"\d{7,}[\dXx]?")


class _ValueParser(HTMLParser):
    """Collects the text of table cells, list items and visible attribute values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: list[str] = []
        self._stack: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in _VALUE_ATTRS and value:
                self.values.append(value)
        if tag in _VALUE_TAGS:
            self._stack.append([])
        elif tag in _BLOCK_TAGS and self._stack:
            # A cell holding several lines: each line is a value of its own as well.
            self._stack[-1].append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in _VALUE_ATTRS and value:
                self.values.append(value)
        if tag == "br" and self._stack:
            self._stack[-1].append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VALUE_TAGS and self._stack:
            self._emit(self._stack.pop())

    def handle_data(self, data: str) -> None:
        if self._stack:
            self._stack[-1].append(data)

    def close(self) -> None:
        super().close()
        while self._stack:  # unclosed <td>/<li> are legal HTML
            self._emit(self._stack.pop())

    def _emit(self, parts: list[str]) -> None:
        text = "".join(parts)
        whole = " ".join(text.split())
        if whole:
            self.values.append(whole)
        lines = [" ".join(line.split()) for line in text.split("\n")]
        self.values.extend(line for line in lines if line and line != whole)
        if self._stack:  # a nested cell's text is also part of its parent's text
            self._stack[-1].append(text)


def html_values(html: str) -> list[str]:
    """Whole values of an HTML fragment: table cells, list items, alt/title texts."""
    parser = _ValueParser()
    parser.feed(html)
    parser.close()
    return parser.values


def text_tokens(text: str) -> list[str]:
    """Plain-text output split into the values a repr shows (columns, list items)."""
    return [t for t in _TOKEN_SPLIT.split(_ANSI.sub("", text)) if t]


def _json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _json_strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _json_strings(v)


_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+")


def _strip_html_tags(html: str) -> str:
    # IDs/phones are looked for in the markup as it is (attributes included) and in the
    # text with tags removed, so "1381234<b>5678</b>" cannot slip through.
    return re.sub(r"<[^>]*>", "", html)


class _Findings:
    def __init__(self) -> None:
        self.text = 0
        self.cells = 0

    def add_text(self, index: PersonalLookup, text: str, forms: bool = True) -> None:
        """Ledger IDs and phones, and (``forms``) any ID or phone by its form alone: one
        typed into a parameters file matches no ledger and is refused all the same."""
        if text:
            self.text += len(index.find_in_text(text))
            if forms:
                self.text += len(personal_like(_DATA_URI.sub("", text)))

    def add_cells(self, index: PersonalLookup, cells: list[str]) -> None:
        if cells:
            self.cells += len(index.find_in_cells(cells))

    def raise_if_any(self, where: str) -> None:
        kinds = ([_TEXT_KIND] if self.text else []) + ([_CELL_KIND] if self.cells else [])
        if kinds:
            raise PersonalDataError(where, kinds, self.text + self.cells)


def _scan_html(found: _Findings, index: PersonalLookup, html: str) -> None:
    found.add_text(index, _ANSI.sub("", html))
    found.add_text(index, _strip_html_tags(html))
    found.add_cells(index, html_values(html))


def _scan_plain(found: _Findings, index: PersonalLookup, text: str) -> None:
    clean = _ANSI.sub("", text)
    found.add_text(index, clean)
    found.add_cells(index, text_tokens(clean))


def _scan_json(found: _Findings, index: PersonalLookup, value: Any) -> None:
    # Machine data (manifests, widget state, fingerprints, timings) is full of digit runs:
    # only the ledgers' own values are looked for here; what a reader sees is checked by form.
    strings = list(_json_strings(value))
    found.add_text(index, "\n".join(strings), forms=False)
    found.add_cells(index, [" ".join(s.split()) for s in strings if s.strip()])


def _scan_output(found: _Findings, index: PersonalLookup, output: dict[str, Any]) -> None:
    kind = output.get("output_type")
    if kind == "stream":
        _scan_plain(found, index, _joined(output.get("text", "")))
        return
    if kind == "error":
        _scan_plain(found, index, "\n".join(
            [str(output.get("ename", "")), str(output.get("evalue", ""))]
            + list(output.get("traceback", []))))
        return
    for mime, data in (output.get("data") or {}).items():
        if mime.startswith("image/") and mime != "image/svg+xml":
            continue  # pixels: chart text is checked where it is produced (text outputs)
        if mime.endswith("json") and not isinstance(data, str):
            _scan_json(found, index, data)
        elif mime in ("text/html", "image/svg+xml"):
            _scan_html(found, index, _joined(data))
        else:
            _scan_plain(found, index, _joined(data))
    if output.get("metadata"):
        _scan_json(found, index, output["metadata"])


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


# Cells papermill adds to the executed copy; they are not in the notebook the analyst edits.
PAPERMILL_TAGS = {"papermill-error-cell-tag": "papermill 添加的错误提示单元格",
                  "injected-parameters": "papermill 注入的参数单元格"}


def numbered_cells(cells: list[dict[str, Any]]) -> Iterator[tuple[int | None, dict[str, Any]]]:
    """Cells with their 0-based position in the source notebook (None for the cells papermill
    added), so a message sends the analyst to the cell they would edit."""
    position = 0
    for cell in cells:
        tags = (cell.get("metadata") or {}).get("tags", [])
        if any(t in PAPERMILL_TAGS for t in tags):
            yield None, cell
        else:
            yield position, cell
            position += 1


def cell_label(cell: dict[str, Any], position: int | None,
               index: PersonalLookup | None = None) -> str:
    """How a message points at a cell: its number (1-based, counted in the source notebook
    as the analyst sees it in JupyterLab) and its tag or the first line of its source,
    never a personal value."""
    tags = [t for t in (cell.get("metadata") or {}).get("tags", []) if t]
    for tag in tags:
        if tag in PAPERMILL_TAGS:
            return PAPERMILL_TAGS[tag]
    label = f"第{(position or 0) + 1}个单元格"
    if tags:
        return f"{label}（标签：{'、'.join(tags)}）"
    source = _joined(cell.get("source", ""))
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    if not first:
        return label
    if _DIGITS.search(first):
        return label
    if index is not None:
        if index.find_in_text(first) or index.find_in_cells(text_tokens(first)):
            return label
    if len(first) > 40:
        first = first[:40] + "…"
    return f"{label}（首行：{first}）"


def check_notebook(nb: dict[str, Any], index: PersonalLookup) -> None:
    """Refuse an executed notebook any of whose outputs, sources or metadata hold personal
    data. The executed notebook itself is kept in outputs/, so everything in it counts,
    not only what the HTML shows."""
    meta = _Findings()
    _scan_json(meta, index, dict(nb.get("metadata") or {}))
    meta.raise_if_any("笔记本的元数据（如交互控件的状态）")
    for position, cell in numbered_cells(nb.get("cells", [])):
        found = _Findings()
        for output in cell.get("outputs", []) or []:
            _scan_output(found, index, output)
        # Sources are code or notes: IDs and phones are refused anywhere in them; names
        # only as whole string values (a quoted "张三" in code is a value).
        source = _joined(cell.get("source", ""))
        found.add_text(index, source)
        quoted = re.findall(r"[\"'“‘]([^\"'”’\n]{1,20})[\"'”’]", source)
        found.add_cells(index, quoted)
        for attachment in (cell.get("attachments") or {}).values():
            _scan_json(found, index, {k: v for k, v in attachment.items()
                                      if not k.startswith("image/")})
        found.raise_if_any(cell_label(cell, position, index))


def check_html(html: str, index: PersonalLookup, where: str = "导出的HTML") -> None:
    """Refuse an HTML document or fragment holding an ID/phone anywhere or a name as a
    whole table cell, list item or visible attribute."""
    found = _Findings()
    _scan_html(found, index, html)
    found.raise_if_any(where)


def check_text(text: str, index: PersonalLookup, where: str = "日志") -> None:
    """Refuse a log line or message holding an ID/phone, or a name as a separate token."""
    found = _Findings()
    _scan_plain(found, index, text)
    found.raise_if_any(where)


class GuardLogFilter(logging.Filter):
    """A logging filter for long-running workers: a record whose text holds personal data
    is replaced by a notice, so a careless message can never reach a log file."""

    NOTICE = "（此条日志含有台账中的个人信息，已拦截）"

    def __init__(self, index: PersonalLookup):
        super().__init__()
        self.index = index

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # a malformed record: let logging report it as usual
            return True
        try:
            check_text(text, self.index)
        except PersonalDataError:
            record.msg = self.NOTICE
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


def dumps_checked(value: Any, index: PersonalLookup, where: str) -> str:
    """JSON text for a file or log, refused when it holds personal data."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    found = _Findings()
    _scan_json(found, index, value)
    found.raise_if_any(where)
    return text

"""The document model as JSON inside the notebook's outputs, so the Word file is made
from what the notebook shows.

Each part of the summary a notebook displays (one section's own paragraphs, items,
tables and 落款) carries, beside its HTML, the same blocks as plain JSON under
:data:`MODEL_MIME`. The Word export reads them back in output order: a sentence the
analyst changed with ``revise()`` before showing it, or a section left out, is changed or
left out in the .docx exactly as in the HTML/PDF. The kernel needs nothing beyond this
module (no python-docx) to write them.
"""

from __future__ import annotations

import html as _html
import re
from typing import Any

from .narrative import Document, Item, Paragraph, Section, Signature, Table

__all__ = ["MODEL_MIME", "block_from_json", "block_to_json", "part_for", "section_part"]

MODEL_MIME = "application/vnd.shequ-kit.section+json"

_KEY = re.compile(r'^<div class="sk-part" data-key="([^"]*)">')


def block_to_json(block: Any) -> dict[str, Any]:
    """One block as JSON (the model's own fields, nothing rendered)."""
    if isinstance(block, Paragraph):
        return {"type": "paragraph", "content": block.content, "css": block.css}
    if isinstance(block, Item):
        return {"type": "item", "number": block.number, "caption": block.caption,
                "body": block.body, "label": block.label}
    if isinstance(block, Table):
        return {"type": "table", "columns": [str(c) for c in block.columns],
                "rows": [[str(c) for c in r] for r in block.rows], "css": block.css,
                "caption": block.caption, "note": block.note, "lead": block.lead}
    if isinstance(block, Signature):
        return {"type": "signature", "lines": list(block.lines)}
    raise TypeError(f"unknown block {type(block).__name__}")


def block_from_json(data: dict[str, Any]) -> Paragraph | Item | Table | Signature:
    """The block back from :func:`block_to_json`."""
    kind = data.get("type")
    if kind == "paragraph":
        return Paragraph(str(data.get("content", "")), str(data.get("css", "")))
    if kind == "item":
        return Item(int(data.get("number", 0)), str(data.get("caption", "")),
                    str(data.get("body", "")))
    if kind == "table":
        return Table([str(c) for c in data.get("columns", [])],
                     [[str(c) for c in r] for r in data.get("rows", [])],
                     css=str(data.get("css", "sk-table")), caption=str(data.get("caption", "")),
                     note=str(data.get("note", "")), lead=str(data.get("lead", "")))
    if kind == "signature":
        return Signature([str(x) for x in data.get("lines", [])])
    raise ValueError(f"unknown block type {kind!r}")


def section_part(section: Section) -> dict[str, Any]:
    """A section's heading and own blocks (sub-sections come as parts of their own, in
    the order the notebook shows them)."""
    return {"key": section.key, "heading": section.heading, "level": section.level,
            "blocks": [block_to_json(b) for b in section.own_blocks]}


def part_for(root: Document | Section, fragment: str) -> dict[str, Any] | None:
    """The JSON part for an HTML fragment of ``Section.flow()``, found by the section key
    the fragment carries; None for a fragment that is not a section's part."""
    m = _KEY.match(fragment)
    if m is None:
        return None
    key = _html.unescape(m.group(1))
    if isinstance(root, Document):
        section = root.section(key)
    else:
        section = next((s for s in root.walk() if s.key == key), None)
    return section_part(section) if section is not None else None

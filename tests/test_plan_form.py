"""The plan's form on paper: its cover speaks of the year it plans, and its 附表 starts a
page of its own, as 附：数据说明 does in the summary. Rendered through the real export
(nbconvert template, WeasyPrint) and read back with pdftotext."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from shequ_kit import doctypes, export
from shequ_kit.assemble import community_facts

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def facts():
    return community_facts("天运社区", 2024, ROOT / "data/sample", ROOT / "parameters")


def _notebook(doc) -> nbformat.NotebookNode:
    """What the generated notebook shows once executed: the cover, then each part."""
    meta = dict(export.cover_meta(doc.facts) if hasattr(doc, "facts") else {})
    cells = [nbformat.v4.new_code_cell("show_cover(...)", outputs=[nbformat.v4.new_output(
        "display_data", data={export.META_MIME: meta, "text/html": ""})])]
    for section in doc.sections:
        cells.append(nbformat.v4.new_code_cell("show_part(...)", outputs=[
            nbformat.v4.new_output("display_data", data={"text/html": section.html()})]))
    return nbformat.v4.new_notebook(cells=cells)


def _pages(html: str, tmp_path: Path) -> list[str]:
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(export.render_pdf(html))
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext is needed (poppler-utils)"
    text = subprocess.run([tool, "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")


def test_the_plan_cover_names_the_planned_year_not_a_statistics_period(facts) -> None:
    plan = doctypes.build("计划", facts)
    assert plan.title == "天运社区2025年工作计划"
    lines = dict(plan.cover_lines())
    assert lines["计划年度"] == "2025年"
    assert lines["目标依据"].startswith("2024年台账")
    assert "统计期间" not in lines and "截止日期" not in lines
    # The summary, declaring no 封面, keeps its three lines.
    summary = dict(doctypes.build("总结", facts).cover_lines())
    assert list(summary) == ["所属街道", "统计期间", "截止日期"]


def test_the_plan_pdf_prints_its_cover_and_starts_the_annex_on_a_new_page(facts, tmp_path) -> None:
    plan = doctypes.build("计划", facts)
    meta = dict(export.cover_meta(facts), title=plan.title, lines=plan.cover_lines())
    html = export.to_html(_notebook(plan), meta)
    pages = _pages(html, tmp_path)
    cover = pages[0]
    assert "计划年度" in cover and "2025年" in cover
    assert "统计期间" not in cover
    annex = [i for i, page in enumerate(pages) if "附表：目标对照表" in page]
    assert annex, "the plan has no 附表 in its PDF"
    first_line = next(line.strip() for line in pages[annex[0]].splitlines() if line.strip())
    assert first_line.startswith("附表：目标对照表"), first_line
    # …and the page before it ends with the 落款, not with the table's first rows.
    assert "目标对照表" not in pages[annex[0] - 1].split("附表")[0][-200:]

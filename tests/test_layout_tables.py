"""A table long enough to break (more than narrative.KEEP_WHOLE_ROWS rows) breaks between
rows instead of moving whole and leaving the page before it half empty, but never leaves
its header with a single row at a page's foot nor its last row alone on the next page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_export import TITLE, _nb_with_html
from test_export_helpers import pdf_pages

from shequ_kit import export
from shequ_kit.narrative import HOLD_HEAD_ROWS, HOLD_TAIL_ROWS, KEEP_WHOLE_ROWS, Table

ROWS = 20


def table() -> Table:
    return Table(["社区", "完成率"], [[f"第{i}社区", f"{i}.0%"] for i in range(1, ROWS + 1)],
                 caption="各社区情况")


def test_only_the_first_and_last_rows_of_a_long_table_are_held():
    assert ROWS > KEEP_WHOLE_ROWS
    rows = re.findall(r"<tr( class=\"sk-hold\")?><td", table().html())
    held = [i for i, mark in enumerate(rows) if mark]
    assert held == [*range(1, HOLD_HEAD_ROWS), *range(ROWS - HOLD_TAIL_ROWS, ROWS)]
    short = Table(["社区"], [["甲社区"]] * KEEP_WHOLE_ROWS).html()
    assert "sk-hold" not in short and short.startswith('<div class="sk-keep">')


# Paragraphs before the table (measured on this template: a page holds 26): 9 leave room
# for all rows but the last (the table breaks, four rows go on), 23 for the header and
# the first row only (the table starts on the next page).
@pytest.mark.parametrize("paragraphs, parts", [(9, 2), (23, 1)])
def test_no_lone_row_at_either_end_of_a_page(tmp_path: Path, paragraphs: int,
                                              parts: int) -> None:
    text = "".join(f"<p>第{i}段正文，用来把表格推到页尾附近。</p>"
                   for i in range(1, paragraphs + 1))
    html = export.to_html(_nb_with_html(text + table().html()), meta={"title": TITLE})
    export.html_to_pdf(html, tmp_path / "x.pdf")
    counts = [len(re.findall(r"第\d+社区", page)) for page in pdf_pages(tmp_path / "x.pdf")]
    pieces = [c for c in counts if c]
    assert sum(pieces) == ROWS
    assert len(pieces) == parts, counts
    assert min(pieces) >= 2, counts  # no lone row on any page


def test_a_target_as_plans_write_it_is_not_broken_inside_a_word(tmp_path: Path) -> None:
    # 杜绝火灾事故发生 (8 characters) in the narrow 目标 column read 杜绝火灾事故发/生.
    from shequ_kit.narrative import TARGET_SHORT_CELL

    targets = Table(["指标", "目标", "实际完成", "完成情况", "差距或说明"],
                    [["火灾事故", "杜绝火灾事故发生", "0起", "完成", ""],
                     ["重大刑事案件", "确保无重大刑事案件", "0起", "完成", ""],
                     ["登记失业人员再就业率", "达到50%以上", "16.3%", "未完成",
                      "差33.7个百分点，另有说明文字若干用来占满这一栏"]],
                    css="sk-table sk-targets", caption="年度目标完成情况",
                    short=TARGET_SHORT_CELL)
    html = export.to_html(_nb_with_html(targets.html()), meta={"title": TITLE})
    export.html_to_pdf(html, tmp_path / "x.pdf")
    lines = "\n".join(pdf_pages(tmp_path / "x.pdf")).splitlines()
    for target in ("杜绝火灾事故发生", "确保无重大刑事案件"):
        assert any(target in line for line in lines), target

"""The front matter through the real export template: the cover title wraps only after
the community's or street's name (never 社区工/作汇总), and a 目录 is printed on the
cover's back only when it has at least three entries."""

from __future__ import annotations

import re

from nbformat.v4 import new_code_cell, new_output
from test_export_helpers import notebook

from shequ_kit import export


def overview(headings: list[str]):
    nb = notebook([])
    cell = new_code_cell("show(part)")
    body = "".join(f"<h2>{h}</h2><p>正文。</p>" for h in headings)
    cell.outputs = [new_output("display_data", data={"text/html": body})]
    nb.cells.append(cell)
    return nb


META = {"title": "青枫街道2024年度社区工作汇总", "street": "青枫街道", "kind": "overview",
        "as_of": "2024-12-31", "period": ["2024-01-01", "2024-12-31"]}


def test_a_toc_needs_three_entries():
    two = export.to_html(overview(["一、主要工作数据", "二、各社区工作比较"]), meta=META)
    assert '<nav class="toc">' not in two
    three = export.to_html(overview(["一、主要工作数据", "二、各社区工作比较",
                                     "三、年度目标完成情况"]), meta=META)
    assert '<nav class="toc">' in three
    assert three.count("<li><a href=") == 3


def test_the_cover_title_is_split_only_after_the_name():
    html = export.to_html(overview(["一、主要工作数据"]), meta=META)
    title = re.search(r'<h1 class="cover-title">(.*?)</h1>', html).group(1)
    assert title == "<span>青枫街道</span><span>2024年度社区工作汇总</span>"
    # each part is kept whole on the page
    assert re.search(r"\.cover-title span \{ white-space: nowrap; \}", html)
    community = dict(META, kind="community", community="天运社区",
                     title="天运社区2024年度工作总结")
    html = export.to_html(overview(["一、社区基本情况"]), meta=community)
    title = re.search(r'<h1 class="cover-title">(.*?)</h1>', html).group(1)
    assert title == "<span>天运社区</span><span>2024年度工作总结</span>"

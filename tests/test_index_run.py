"""A real run writes the street index, and no HTML the kit writes reaches the network."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from shequ_kit import sample
from shequ_kit.batch import run_batch

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2024
# A URL a browser would fetch: in src/href/srcset/poster/data attributes, in CSS url()
# or @import; protocol-relative (//cdn…) included.
FETCHED = re.compile(
    r"""(?:\b(?:src|href|srcset|poster|data)\s*=\s*["']?\s*(?:https?:|//))"""
    r"""|url\(\s*["']?\s*(?:https?:|//)|@import|//cdn""", re.IGNORECASE)


DATA: dict[str, Path] = {}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("data")
    sample.generate(data, communities=2, years=(YEAR,), seed=5)
    out = tmp_path_factory.mktemp("out")
    result = run_batch(data, YEAR, out_dir=out, params_dir=ROOT / "parameters", workers=2,
                       progress=False)
    assert result.exit_code == 0, result.failed
    DATA["data"] = data
    return out


def test_the_run_writes_an_index_linking_every_report(run: Path) -> None:
    year_dir = run / str(YEAR)
    page = (year_dir / "index.html").read_text(encoding="utf-8")
    hrefs = {unquote(h) for h in re.findall(r'href="([^"]*)"', page)}
    reports = {p.relative_to(year_dir).as_posix() for p in year_dir.rglob("*")
               if p.suffix in (".pdf", ".html", ".ipynb", ".xlsx", ".docx")
               and p.name != "index.html"}
    # Two communities (ipynb, html, pdf, docx, the 底稿 and the 核对单's html, xlsx each)
    # and the overview (ipynb, html, pdf, docx and its 底稿): the default formats.
    assert len(reports) == 2 * 7 + 5
    assert sum(r.endswith(".底稿.xlsx") for r in reports) == 3
    assert hrefs == reports
    assert page.count(">完成<") == 3


def test_no_html_output_fetches_anything_from_the_network(run: Path) -> None:
    pages = sorted(run.rglob("*.html"))
    # index, 2 summaries, 2 数据核对单, the overview.
    assert len(pages) == 6
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not FETCHED.search(text), (page.name, FETCHED.search(text))
        assert "<script" not in text.lower(), page.name


def test_each_summary_has_its_workpaper_and_its_figures_point_into_it(run: Path) -> None:
    """数据溯源: the manifest lists each summary's 底稿, and every figure the summary's
    HTML marks names a row of it (序号 1..N, each once)."""
    import json

    import openpyxl

    reports = json.loads((run / str(YEAR) / "manifest.json").read_text(encoding="utf-8"))
    entries = list(reports["reports"].values())
    assert sorted(e["kind"] for e in entries) == ["community", "community", "overview"]
    for entry in entries:
        book = run / entry["outputs"]["底稿"]
        assert book.name == Path(entry["outputs"]["html"]).stem + ".底稿.xlsx"
        ws = openpyxl.load_workbook(book, read_only=True)["底稿"]
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        assert len(rows) > 20
        assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
        assert any(r[5] == "activity.count" and "第" in str(r[8]) for r in rows)
        html = (run / entry["outputs"]["html"]).read_text(encoding="utf-8")
        marked = [int(n) for n in re.findall(r'class="sk-fig" data-trace="(\d+)"', html)]
        assert sorted(marked) == [r[0] for r in rows]


def test_rerun_keeps_the_page_and_a_failure_shows_its_reason(run: Path) -> None:
    """Last in this file: it changes the shared run."""
    index = run / str(YEAR) / "index.html"
    before = (index.read_bytes(), index.stat().st_mtime_ns)
    again = run_batch(DATA["data"], YEAR, out_dir=run, params_dir=ROOT / "parameters",
                      progress=False)
    assert again.executed == 0
    assert (index.read_bytes(), index.stat().st_mtime_ns) == before

    (broken,) = [p for p in sorted((DATA["data"] / str(YEAR)).glob("*.xlsx"))][:1]
    broken.write_bytes(b"not a workbook")
    third = run_batch(DATA["data"], YEAR, out_dir=run, params_dir=ROOT / "parameters",
                      progress=False)
    assert third.exit_code == 1
    page = index.read_text(encoding="utf-8")
    row = next(r for r in re.findall(r"<tr\b.*?</tr>", page, re.DOTALL)
               if f"<td>{broken.stem}</td>" in r)
    assert ">失败<" in row and "文件无法打开" in row
    assert page.count(">沿用<") == 1  # the other community; the overview was rebuilt


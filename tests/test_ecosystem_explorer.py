"""The explorer compares a community with the street's average, and its saved HTML shows
the first view offline (a picture and a table, not only widget state)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import papermill
from matplotlib.colors import to_hex

from shequ_kit import charts, notebook
from shequ_kit.facts import CommunityFacts, StreetFacts

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def community(name: str, value: float | None, previous: float | None) -> CommunityFacts:
    row = {"id": "activity.count", "name": "开展活动", "unit": "次", "better": "↑",
           "value": value, "previous": previous}
    return CommunityFacts(community=name, street="青枫街道", year=2024,
                          period_start="2024-01-01", as_of="2024-12-31", half_year=False,
                          profile={}, safety=None, indicators=[row])


def street() -> StreetFacts:
    comms = [community("甲社区", 30, 20), community("乙社区", 10, None),
             community("丙社区", None, 5), community("丁社区", 20, 10)]
    # The street's total (60) is what the overview compares with; the explorer must not.
    totals = [{"id": "activity.count", "name": "开展活动", "unit": "次", "better": "↑",
               "value": 60, "previous": 35, "level": "street"}]
    return StreetFacts(street="青枫街道", year=2024, as_of="2024-12-31", half_year=False,
                       communities=comms, totals=totals)


def test_the_average_over_the_communities_that_have_a_figure() -> None:
    avg = notebook.street_average(street(), "activity.count")
    # This year: 甲 30, 乙 10, 丁 20 → 20 over 3; last year: 甲 20, 丙 5, 丁 10 → 35/3.
    assert avg is not None
    assert avg["value"] == 20 and avg["count"] == 3
    assert abs(avg["previous"] - 35 / 3) < 1e-9
    assert notebook.street_average(street(), "no.such") is None


def test_the_table_ends_with_the_street_average_not_the_total() -> None:
    ex = notebook.Explorer(data_dir=SAMPLE, years=[2024])
    ex._cache[2024] = notebook._Year(facts=None, lines=(), street=street())
    html = ex.table_html(2024, notebook.ALL_LINES, "activity.count", "甲社区")
    last = re.findall(r"<tr[^>]*>(.*?)</tr>", html)[-1]
    cells = re.findall(r"<td>(.*?)</td>", last)
    # 20 against 11.7 (35/3): (20 − 35/3) / (35/3) = 5/7 = 71.4%.
    assert cells[:3] == ["青枫街道平均（3个社区）", "20次", "11.7次"]
    assert "71.4%" in cells[3]
    assert "合计" not in html and "60次" not in html


def test_the_chart_draws_the_average_as_its_reference() -> None:
    fig = charts.indicator_bar(street(), "activity.count")
    ax = fig.axes[0]
    assert [line.get_xdata()[0] for line in ax.lines] == [20]
    text = " ".join(charts.chart_texts(fig))
    assert "青枫街道平均" in text and "好于或持平街道平均" in text and "合计" not in text
    # 甲 30 and 丁 20 are at or above the average of 20; 乙 10 is below.
    colours = [to_hex(p.get_facecolor()) for p in ax.containers[-1].patches]
    assert colours == [charts.THIS_YEAR, charts.THIS_YEAR, charts.LAST_YEAR]


def test_the_saved_html_shows_the_first_view_offline(tmp_path: Path) -> None:
    from nbconvert import HTMLExporter

    out = tmp_path / "explore.ipynb"
    papermill.execute_notebook(str(ROOT / "notebooks" / "explore.ipynb"), str(out),
                               parameters={"community": "望江社区", "year": 2024,
                                           "data_dir": str(SAMPLE)},
                               cwd=str(ROOT / "notebooks"), kernel_name="python3",
                               progress_bar=False, execution_timeout=300)
    nb = nbformat.read(out, as_version=4)
    for template in ("lab", "classic"):
        html, _ = HTMLExporter(template_name=template).from_notebook_node(nb)
        # What a browser shows without running any script (no widget library from a CDN).
        static = re.sub(r"<script\b.*?</script>", "", html, flags=re.DOTALL | re.IGNORECASE)
        # (The lab template re-serialises HTML outputs: attributes may change order.)
        assert re.search(r'<img\b[^>]*\bsrc="data:image/png;base64,', static), template
        assert re.search(r"<tr\b[^>]*sk-chosen[^>]*>\s*<td>望江社区</td>", static), template
        assert "平均（" in static

"""The worked example of the contract: two communities, two years, read from their Excel
workbooks and computed, must give every figure of expected.json (computed from the records
by the catalogue's definitions, independently of this code)."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import pytest

from shequ_kit import engine, reader

HERE = Path(__file__).parent / "data" / "small-street"
EXPECTED = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
CASES = [(c, int(y)) for c, years in EXPECTED.items() for y in years]


@pytest.fixture(scope="module")
def books():
    out = {}
    for year in (2023, 2024):
        read = reader.read_year(HERE / "data", year)
        assert not read.failures, read.failures
        out[year] = read.books
    return out


def agree(expected, got) -> bool:
    if isinstance(expected, dict):
        # Every category of the example must match; categories the example's older lists
        # lack must be 0.
        return isinstance(got, dict) \
            and all(got.get(k) == v for k, v in expected.items()) \
            and all(v == 0 for k, v in got.items() if k not in expected)
    if expected is None or got is None:
        return expected is got
    return math.isclose(got, expected, rel_tol=0, abs_tol=1e-9)


@pytest.mark.parametrize(("community", "year"), CASES)
def test_every_expected_figure(books, community, year):
    book = books[year][community]
    assert book.as_of == date(year, 12, 31)
    got = engine.compute(book)
    wrong = {k: (v, got[k].value) for k, v in EXPECTED[community][str(year)].items()
             if not agree(v, got[k].value)}
    assert not wrong, wrong


@pytest.mark.parametrize("community", sorted(EXPECTED))
def test_previous_column_is_last_years_figure(books, community):
    out = {r["id"]: r for r in engine.rows(books[2024][community], books[2023][community])}
    for k, v in EXPECTED[community]["2023"].items():
        assert agree(v, out[k]["previous"]), (k, v, out[k]["previous"])
    json.dumps(list(out.values()), ensure_ascii=False)


def test_street_total_of_the_example(books):
    rows = [r for c in EXPECTED for r in engine.facts_rows(books[2024][c], books[2023][c])]
    totals = {r["id"]: r for r in engine.street_totals(
        rows, "天心街道", 2024, ["2024-01-01", "2024-12-31"])}
    e = {c: EXPECTED[c]["2024"] for c in EXPECTED}
    assert totals["activity.count"]["value"] == sum(x["activity.count"] for x in e.values())
    # Pooled: Σ 录用 / Σ 报送 of the two communities (59 + 44) / (60 + 57).
    adopted = sum(x["info.adopted"] for x in e.values())
    submitted = sum(x["info.submitted"] for x in e.values())
    assert (adopted, submitted) == (103, 117)
    assert totals["info.adoption_rate"]["value"] == pytest.approx(103 / 117)

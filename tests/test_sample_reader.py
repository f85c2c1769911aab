"""The committed sample street through the reader: every workbook reads, and exactly the
rows planted as bad are reported, with personal data masked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shequ_kit import reader

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
NAMES = ("天运社区", "望江社区", "柳岸社区", "桂花社区", "松林社区", "紫荆社区", "翠苑社区",
         "明月社区", "景园社区", "丰乐社区", "新塘社区", "安澜社区")
PLANTED_IN = {"柳岸社区", "松林社区", "翠苑社区", "景园社区"}
FULL_ID = re.compile(r"\d{17}[\dXx]")


def books_of(year: int) -> tuple[dict[str, object], object]:
    result = reader.read_year(SAMPLE, year)
    books = result.books
    if not isinstance(books, dict):
        books = {b.community: b for b in books}
    return books, result.failures


@pytest.fixture(scope="module")
def read() -> dict[int, dict[str, object]]:
    out = {}
    for year in (2023, 2024):
        books, failures = books_of(year)
        assert not failures, failures
        out[year] = books
    return out


def test_every_sample_workbook_reads(read: dict[int, dict[str, object]]) -> None:
    for year in (2023, 2024):
        assert sorted(read[year]) == sorted(NAMES)
        for name, book in read[year].items():
            assert book.street == "青枫街道"
            assert book.year == year and book.community == name


def test_the_shipped_sample_has_no_errors(read: dict[int, dict[str, object]]) -> None:
    # It passes its own validate; the planted check-digit warning stays, to show one.
    for year in (2023, 2024):
        for name, book in read[year].items():
            assert not book.errors, (year, name, [str(p) for p in book.errors])
    assert read[2024]["景园社区"].warnings


@pytest.fixture(scope="module")
def read_with_errors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    from shequ_kit import sample

    street = tmp_path_factory.mktemp("errors")
    sample.generate(street, errors=True)
    result = reader.read_year(street, 2024)
    assert not result.failures, result.failures
    return result.books


def test_only_the_planted_rows_are_errors(read_with_errors: dict[str, object]) -> None:
    for name, book in read_with_errors.items():
        if name not in PLANTED_IN - {"景园社区"}:
            assert not book.errors, (name, [str(p) for p in book.errors])


def _one(problems, sheet_names: tuple[str, ...], column: str):
    found = [p for p in problems if p.sheet in sheet_names and p.column == column]
    assert len(found) == 1, [str(p) for p in problems]
    return found[0]


def test_planted_rows_are_reported_where_they_are(read_with_errors: dict[str, object]) -> None:
    books = read_with_errors
    bad_date = _one(books["柳岸社区"].errors, ("活动台账",), "日期")
    assert "2024-13-45" in bad_date.value and bad_date.row is not None
    assert books["柳岸社区"].excluded_rows.get("活动台账", 0) == 1
    enum = _one(books["松林社区"].errors, ("矛盾纠纷台账",), "纠纷类型")
    assert enum.value == "噪音扰民"
    dup = _one(books["翠苑社区"].errors, ("残疾人台账", "残疾人名册"), "身份证号")
    check = _one(books["景园社区"].warnings, ("志愿者名册",), "身份证号")
    for p in (dup, check):
        assert "*" in p.value and not FULL_ID.search(p.value)  # masked, never the whole ID
    assert not books["景园社区"].errors


def test_no_message_carries_a_whole_id_or_phone(read: dict[int, dict[str, object]]) -> None:
    for year in (2023, 2024):
        for book in read[year].values():
            for p in book.problems:
                text = str(p)
                assert not FULL_ID.search(text), text
                assert not re.search(r"1740\d{7}", text), text

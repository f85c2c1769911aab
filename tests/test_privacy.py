"""The personal-data index: it finds the ledgers' IDs, phones and names where an output
would show them, misses near-misses, and holds no raw value when pickled."""

from __future__ import annotations

import pickle
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from shequ_kit import reader
from shequ_kit.privacy import PersonalIndex

ID_A = "11010519491231002X"  # check digit worked out in test_values
PHONE_A = "13812345678"


VOLUNTEER_HEAD = ["序号", "志愿者编号", "姓名", "身份证号", "手机号", "注册日期"]


def write_book(folder: Path, sheets: dict[str, list[list]]) -> Path:
    """天运社区's 2024 workbook: a 基本情况 sheet and the given sheets' rows."""
    path = folder / "2024" / "天运社区.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本情况"
    for row in (["项目", "数值"], ["社区名称", "天运社区"], ["所属街道", "闸弄口街道"],
                ["常住人口", 8000]):
        ws.append(row)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    path.parent.mkdir(parents=True)
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> PersonalIndex:
    path = write_book(tmp_path_factory.mktemp("p"), {
        "志愿者名册": [VOLUNTEER_HEAD,
                  [1, "1001", "欧阳明", ID_A.lower(), PHONE_A, datetime(2020, 1, 1)]],
        "低保台账": [["序号", "户主姓名", "身份证号", "类别", "保障人数", "月保障金(元)", "纳入日期"],
                 [1, "高峰", "110101199003077578", "A", 2, 800, datetime(2023, 1, 1)]]})
    book = reader.read_workbook(path, year=2024)
    assert len(book.sheets["低保台账"]) == 1 and len(book.sheets["志愿者名册"]) == 1
    return PersonalIndex.from_books([book])


def test_finds_ids_and_phones_typed_every_way(index: PersonalIndex) -> None:
    assert index.find_in_text(f"身份证{ID_A}已核实") == ["110105********002X"]
    assert index.find_in_text("id: 11010519491231002x") == ["110105********002X"]
    assert index.find_in_text("110105 19491231 002X") == ["110105********002X"]
    assert index.find_in_text("110105-1949-1231-002X") == ["110105********002X"]
    assert index.find_in_text("电话138 1234 5678") == ["138****5678"]
    assert index.find_in_text("电话：138-1234-5678。") == ["138****5678"]
    assert index.find_in_text("１３８１２３４５６７８") == ["138****5678"]
    assert index.find_in_text("110101199003077578") == ["110101********7578"]
    both = index.find_in_text(f"{PHONE_A} 和 {ID_A}")
    assert sorted(both) == ["110105********002X", "138****5678"]


def test_misses_near_misses(index: PersonalIndex) -> None:
    assert index.find_in_text("11010519491231003X") == []  # one digit off
    assert index.find_in_text("13812345679") == []
    assert index.find_in_text("1381234567") == []  # ten digits
    assert index.find_in_text("共计13812人，12345678元") == []
    assert index.find_in_text("") == []


def test_names_only_as_whole_cells(index: PersonalIndex) -> None:
    assert index.find_in_cells(["欧阳明", " 高峰 ", "高峰期", "天运社区", "", "欧阳"]) == [
        "**", "**"]
    assert index.find_in_cells([]) == []


def test_picklable_small_and_holds_no_raw_value(index: PersonalIndex) -> None:
    blob = pickle.dumps(index)
    assert len(blob) < 2000
    for raw in (ID_A, ID_A.lower(), PHONE_A, "110101199003077578"):
        assert raw.encode() not in blob
    for name in ("欧阳明", "高峰"):
        assert name.encode("utf-8") not in blob
        assert name.encode("utf-16-le") not in blob
    again = pickle.loads(blob)
    assert again.find_in_text(PHONE_A) == ["138****5678"]
    assert again.find_in_cells(["高峰"]) == ["**"]
    assert ID_A not in repr(index)


def test_salted_per_index(index: PersonalIndex) -> None:
    other = PersonalIndex.from_values(ids=[ID_A], phones=[PHONE_A], names=["高峰"])
    assert other.salt != index.salt
    assert not (other.ids & index.ids)  # the same ID hashes differently under another salt
    assert other.find_in_text(ID_A) == ["110105********002X"]


def test_sample_street_index(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    books = list(reader.read_year(sample, 2024).books.values())
    index = PersonalIndex.from_books(books)
    roster = books[0].sheets["志愿者名册"]
    some_id = next(v for v in roster["身份证号"] if v)
    some_phone = next(v for v in roster["手机号"] if v)
    some_name = roster["姓名"].iloc[0]
    assert index.find_in_text(f"x{some_id}x") and index.find_in_text(some_phone)
    assert index.find_in_cells([some_name]) == ["**"]
    assert len(pickle.dumps(index)) < 2_000_000


def test_people_in_rows_left_out_are_still_known_to_the_guard(tmp_path: Path) -> None:
    """A row with an error is left out of the figures, but its person is real: a report,
    chart or message must not be able to print them either."""
    path = write_book(tmp_path, {"志愿者名册": [
        VOLUNTEER_HEAD,
        [1, "1001", "欧阳明", ID_A, PHONE_A, datetime(2020, 1, 1)],
        # The phone typed as a number, as Excel keeps it unless the cell is text.
        [2, "1002", "司马青", "110101199003077578", 13912345678, "不详"]]})
    book = reader.read_workbook(path, year=2024)
    assert len(book.sheets["志愿者名册"]) == 1  # 司马青's row has no valid 注册日期
    assert book.excluded_rows["志愿者名册"] == 1
    index = PersonalIndex.from_books([book])
    assert index.find_in_cells(["司马青"]) == ["**"]
    assert index.find_in_text("110101199003077578") == ["110101********7578"]
    assert index.find_in_text("13912345678") == ["139****5678"]
    # The book keeps them apart from its frames, and out of its repr.
    assert "司马青" not in repr(book)

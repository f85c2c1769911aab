"""Cell parsers, one kind at a time, with values as hand-filled ledgers hold them.
Every expected value is worked out by hand next to the case."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from shequ_kit import schema
from shequ_kit.schema import EnumSpec
from shequ_kit.values import (
    PARSERS,
    CellError,
    id_check_char,
    id_is_valid,
    mask_id,
    mask_phone,
    mask_value,
    parse,
    parse_bool,
    parse_code,
    parse_date,
    parse_id,
    parse_int,
    parse_number,
    parse_phone,
)


def test_every_schema_kind_has_a_parser() -> None:
    kinds = {c.kind for s in schema.SHEETS for c in s.columns}
    assert kinds <= set(PARSERS)
    assert set(PARSERS) == {schema.TEXT, schema.INT, schema.NUMBER, schema.DATE, schema.ENUM,
                            schema.BOOL, schema.ID, schema.PHONE, schema.CODE}


@pytest.mark.parametrize(("raw", "expected"), [
    (datetime(2024, 5, 6, 14, 30), date(2024, 5, 6)),
    (date(2024, 5, 6), date(2024, 5, 6)),
    ("2024-05-06", date(2024, 5, 6)),
    ("2024/5/6", date(2024, 5, 6)),
    ("2024.5.6", date(2024, 5, 6)),
    ("2024.3.5", date(2024, 3, 5)),
    ("2024年3月5日", date(2024, 3, 5)),
    (" 2024 年 3 月 5 日 ", date(2024, 3, 5)),
    ("20240506", date(2024, 5, 6)),
    (20240506, date(2024, 5, 6)),
    ("２０２４－０５－０６", date(2024, 5, 6)),  # full-width digits and dash
    ("2024-05-06 00:00:00", date(2024, 5, 6)),
    # Excel serials: 45292 is 1 Jan 2024 (45292 days after 30 Dec 1899); 45418 is 6 May.
    (45292, date(2024, 1, 1)),
    (45418.0, date(2024, 5, 6)),
    ("45418", date(2024, 5, 6)),
])
def test_dates(raw, expected) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["2024-13-45", "2024-02-30", "下旬", "5.6", "2024年", -3, True])
def test_not_dates(raw) -> None:
    with pytest.raises(CellError) as err:
        parse_date(raw)
    assert err.value.kind == "bad_date" and "不是有效日期" in err.value.message


@pytest.mark.parametrize(("raw", "expected"), [
    (12, 12), (12.0, 12), ("12", 12), ("１２", 12), (" 30人 ", 30), ("1,200元", 1200),
    ("1，200", 1200), ("3万", 30000),
])
def test_ints(raw, expected) -> None:
    assert parse_int(raw) == expected


@pytest.mark.parametrize("raw", ["2.5", 2.5, "三十", "abc", "1-2"])
def test_not_ints(raw) -> None:
    with pytest.raises(CellError):
        parse_int(raw)


def test_numbers_units_and_bounds() -> None:
    assert parse_number("1,200.5元") == 1200.5
    assert parse_number(" 7243.8 ") == 7243.8
    area = schema.PROFILE.column("辖区面积(平方公里)")
    # 35万平方米 = 350 000 m² = 0.35 km².
    assert parse_number("35万平方米", area) == pytest.approx(0.35)
    assert parse_number("1.2平方公里", area) == pytest.approx(1.2)
    with pytest.raises(CellError):
        parse_number("3斤", area)
    hours = schema.SERVICE.column("服务时长(小时)")  # 0 < h ≤ 24
    assert parse_number(24, hours) == 24
    for bad in (0, -1, 24.5):
        with pytest.raises(CellError) as err:
            parse(bad, hours)
        assert err.value.kind == "out_of_range"
    people = schema.DIBAO.column("保障人数")  # int ≥ 1
    with pytest.raises(CellError):
        parse(0, people)
    assert parse("3人", people) == 3


@pytest.mark.parametrize(("raw", "expected"), [
    ("是", True), ("否", False), ("Y", True), ("n", False), ("√", True), ("×", False),
    (1, True), (0, False), (1.0, True), ("有", True), ("无", False), (" 是 ", True),
    (True, True),
])
def test_bools(raw, expected) -> None:
    assert parse_bool(raw) is expected


def test_not_a_bool() -> None:
    with pytest.raises(CellError):
        parse_bool("也许")
    with pytest.raises(CellError):
        parse_bool(2)


def test_enums_suffix_alias_spaces_and_street_lists() -> None:
    kind = schema.DISABILITY.column("残疾类别")
    assert parse("肢体残疾", kind) == "肢体"
    assert parse(" 肢 体 ", kind) == "肢体"
    grade = schema.DISABILITY.column("残疾等级")
    assert parse(2, grade) == "二级" and parse(2.0, grade) == "二级" and parse("2", grade) == "二级"
    dibao = schema.DIBAO.column("类别")
    assert parse("A类", dibao) == "A" and parse("b", dibao) == "B"
    line = schema.ACTIVITY.column("条线")
    assert parse("妇联", line) == "群团" and parse("创文", line) == "宣传文明"
    with pytest.raises(CellError) as err:
        parse("噪音扰民", schema.DISPUTES.column("纠纷类型"))
    assert err.value.kind == "enum" and "不在枚举列表中" in err.value.message
    street = {"低保类别": EnumSpec(("一类", "二类"), {"全额": "一类"})}
    assert parse("全额", dibao, street) == "一类"
    assert parse("二类", dibao, street) == "二类"
    with pytest.raises(CellError):
        parse("A", dibao, street)  # the street replaced the list


def test_codes_are_one_form() -> None:
    assert parse_code(1001) == parse_code(1001.0) == parse_code("1001") == parse_code(
        "1001.0") == parse_code(" 1001 ") == "1001"
    assert parse_code("V-07") == "V-07"


def test_check_digit_by_hand() -> None:
    # 11010519491231002: 1·7+1·9+0·10+1·5+0·8+5·4+1·2+9·1+4·6+9·3+1·7+2·9+3·10+1·5
    # +0·8+0·4+2·2 = 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2 → 'X'.
    assert id_check_char("11010519491231002") == "X"
    assert id_is_valid("11010519491231002X") and id_is_valid("11010519491231002x")
    assert not id_is_valid("110105194912310021")


def test_ids() -> None:
    assert parse_id("11010519491231002x") == "11010519491231002X"
    assert parse_id(" 110105 19491231 002X ") == "11010519491231002X"
    with pytest.raises(CellError) as err:
        parse_id("110105194912310021")
    assert err.value.kind == "check_digit" and err.value.keep
    assert err.value.value == "110105194912310021"
    for bad in ("11010519491231002", "1101051949123100ZX", "abc"):
        with pytest.raises(CellError) as err:
            parse_id(bad)
        assert err.value.kind == "bad_id" and not err.value.keep
    with pytest.raises(CellError) as err:
        parse_id(1.1010519491231e17)  # what Excel keeps of a typed ID: digits lost
    assert err.value.kind == "id_as_number" and "丢失" in err.value.message


def test_phones() -> None:
    assert parse_phone("138 1234 5678") == "13812345678"
    assert parse_phone("138-1234-5678") == "13812345678"
    assert parse_phone(13812345678.0) == "13812345678"
    assert parse_phone("+86 13812345678") == "13812345678"
    for bad in ("1381234567", "23812345678", "0571-8888888"):
        with pytest.raises(CellError):
            parse_phone(bad)


def test_masks() -> None:
    assert mask_id("110101199001011234") == "110101********1234"
    assert mask_phone("13812345678") == "138****5678"
    name = schema.VOLUNTEERS.column("姓名")
    assert mask_value("张三", name) == "***"
    note = schema.ACTIVITY.column("备注")
    assert "领导" not in mask_value("领导讲话", note)
    ident = schema.DISABILITY.column("身份证号")
    masked = mask_value(110101199001011234.0, ident)  # an ID Excel stored as a number
    assert masked.startswith("110101********") and len(masked) == 18
    plain = schema.ACTIVITY.column("日期")
    assert mask_value("2024-13-45", plain) == "2024-13-45"

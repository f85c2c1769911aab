"""IDs and phones are personal wherever they are typed, not only where the ledgers hold them.

ledgers.md refuses an ID or a mobile number in any output, whatever column or file it was
typed in. These tests type them where no ledger index can know them: a parameters file, a
日期 cell, a count column, free HTML, and check the form-based detector, the masking of
messages, the reader's refusal to count them and the output guard. Fake people only:
region code 990101 does not exist; the check characters are worked by GB 11643.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from shequ_kit import guard, reader, sample
from shequ_kit.assemble import year_facts
from shequ_kit.model import ERROR
from shequ_kit.narrative import Paragraph
from shequ_kit.privacy import PersonalIndex, personal_in_params
from shequ_kit.values import mask_personal, personal_like

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_char(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


ID_X = "99010119800101009X"  # check character X, worked by hand below
assert check_char(ID_X[:17]) == "X"
ID_PLAIN = "990101196804020313"
assert check_char(ID_PLAIN[:17]) == "3"
FULL_WIDTH_ID = "".join(chr(ord(c) + 0xFEE0) for c in ID_PLAIN)  # ９９０１０１…


@pytest.mark.parametrize("text, masked", [
    (f"联系人身份证{ID_X}，请核对", "990101********009X"),
    (f"身份证：{ID_X.lower()}", "990101********009X"),
    (f"证件号{FULL_WIDTH_ID}", "990101********0313"),
    ("联系电话139-1234-5678", "139****5678"),
    ("联系电话139 1234 5678", "139****5678"),
    ("电话：+86 13912345678", "139****5678"),
    ("手机13912345678。", "139****5678"),
])
def test_ids_and_phones_are_found_by_their_form(text: str, masked: str) -> None:
    found = personal_like(text)
    assert [f[2] for f in found] == [masked]
    assert masked in mask_personal(text)


@pytest.mark.parametrize("text", [
    "全年开展活动143场次，参与居民9791人次，同比增长12.4%。",
    "统计期间2024年1月1日至2024年12月31日",
    "指纹a13912345678b与sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "编号12345678901",  # eleven digits, but no mobile number starts 12
    "990101198013450313",  # an ID's shape with the 45th of month 13: not a birth date
])
def test_numbers_that_are_not_personal_are_left_alone(text: str) -> None:
    assert personal_like(text) == []
    assert mask_personal(text) == text


def test_the_guard_refuses_an_id_or_phone_no_ledger_holds() -> None:
    empty = PersonalIndex.from_values()
    for text in (f"特色亮点：联系人身份证{ID_X}", "热线139-1234-5678", f"证{FULL_WIDTH_ID}"):
        with pytest.raises(guard.PersonalDataError):
            guard.check_html(Paragraph(text).html(), empty)
    # The words and numbers of a real report pass, and so does an embedded chart whose
    # base64 text happens to hold a run of digits.
    guard.check_html(Paragraph("全年走访慰问困难群众208户次，发放慰问金7.02万元。").html(), empty)
    guard.check_html('<img src="data:image/png;base64,iVBO13912345678AAAA==">', empty)


ACT_HEADER = ["序号", "日期", "条线", "活动名称", "活动类型", "参与人次"]


def _book(tmp_path: Path, bad: dict[str, object]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "基本情况"
    for row in (["项目", "数值"], ["社区名称", "试点社区"], ["所属街道", "青枫街道"],
                ["常住人口", 5000]):
        ws.append(row)
    ws = wb.create_sheet("活动台账")
    ws.append(ACT_HEADER)
    good = [1, datetime(2024, 1, 20), "党建", "主题党日", "会议学习", 35]
    mid = [2, datetime(2024, 3, 5), "普法", "民法典进社区", "讲座培训", 18]
    for name, value in bad.items():
        mid[ACT_HEADER.index(name)] = value
    ws.append(good)
    ws.append(mid)
    path = tmp_path / "试点社区.xlsx"
    wb.save(path)
    return path


def test_an_id_typed_into_a_date_cell_is_masked_in_the_message(tmp_path: Path) -> None:
    book = reader.read_workbook(_book(tmp_path, {"日期": ID_X}), year=2024)
    [p] = [p for p in book.problems if p.sheet == "活动台账"]
    assert p.severity == ERROR and p.column == "日期" and p.row == 3
    assert p.value == "990101********009X"
    assert ID_X not in f"{p} {p.value} {p.message}"


@pytest.mark.parametrize("typed, shown", [(13912345678, "139****5678"),
                                          ("139-1234-5678", "139****5678"),
                                          (ID_PLAIN, "990101********0313")])
def test_a_phone_or_id_in_a_count_column_is_an_error_not_a_count(tmp_path: Path,
                                                                 typed: object,
                                                                 shown: str) -> None:
    book = reader.read_workbook(_book(tmp_path, {"参与人次": typed}), year=2024)
    [p] = [p for p in book.problems if p.sheet == "活动台账"]
    assert p.severity == ERROR and p.kind == "personal_in_number" and p.column == "参与人次"
    assert p.value == shown
    assert book.sheets["活动台账"]["参与人次"].tolist() == [35]  # row 3 is not counted


def test_parameters_holding_an_id_phone_or_resident_name_are_refused(tmp_path: Path) -> None:
    index = PersonalIndex.from_values(names=["柯小满"])
    params = {"特色亮点": ["成立志愿服务队", f"联系人身份证{ID_X}"],
              "下一步工作打算": ["开通热线139 1234 5678"], "荣誉": ["柯小满"],
              "共驻共建": ["柯小满等居民参与共建"]}
    found = personal_in_params(params, index)
    assert found == ["“特色亮点”第2项含有身份证号（990101********009X）",
                     "“下一步工作打算”第1项含有手机号（139****5678）",
                     "“荣誉”第1项是台账中的居民姓名"]
    assert personal_in_params({"特色亮点": ["成立志愿服务队"]}, index) == []


def test_a_community_whose_parameters_hold_a_phone_fails_alone(tmp_path: Path) -> None:
    data, params = tmp_path / "data", tmp_path / "parameters"
    sample.generate(data, communities=2, years=(2024,), seed=5)
    first, second = sample.community_names(2)
    params.mkdir()
    (params / f"{first}.yaml").write_text(
        f"所属街道: {sample.STREET}\n特色亮点:\n  - 开通便民热线139-1234-5678\n", encoding="utf-8")
    result = year_facts(data, 2024, params)
    assert first in result.failures and first not in result.communities
    reason = result.failures[first]
    assert "“特色亮点”第1项含有手机号（139****5678）" in reason
    assert "1391234" not in reason.replace("-", "")
    assert second in result.communities

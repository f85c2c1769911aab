"""The blank fill-in workbook, read back with openpyxl."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from shequ_kit import schema
from shequ_kit.template import write_template


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("tpl") / "台账模板.xlsx"
    write_template(path)
    return openpyxl.load_workbook(path)


def validations(ws) -> dict[str, object]:
    """Column letter (or single cell) -> its data validation."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            out[rng.split(":")[0].rstrip("0123456789") if ":" in rng else rng] = dv
    return out


def list_values(wb: openpyxl.Workbook, dv) -> list[str]:
    """The values a list validation offers, inline or from the hidden list sheet."""
    f = dv.formula1
    if f.startswith('"'):
        return f.strip('"').split(",")
    sheet, ref = f.split("!")
    col = ref.split(":")[0].replace("$", "").rstrip("0123456789")
    first, last = (int(p.replace("$", "").lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
                   for p in ref.split(":"))
    ws = wb[sheet]
    return [ws[f"{col}{r}"].value for r in range(first, last + 1)]


def is_red(cell) -> bool:
    color = cell.font.color
    return color is not None and isinstance(color.rgb, str) and color.rgb.endswith("C00000")


def letter(j: int) -> str:
    return openpyxl.utils.get_column_letter(j)


def test_every_sheet_and_header_in_schema_order(template: openpyxl.Workbook) -> None:
    assert template.sheetnames[0] == "说明"
    assert template.sheetnames[1:] == [s.name for s in schema.SHEETS]
    for sheet in schema.SHEETS:
        ws = template[sheet.name]
        if sheet.key_value:
            assert [c.value for c in ws[1]][:2] == ["项目", "数值"]
            assert [ws.cell(r, 1).value for r in range(2, len(sheet.columns) + 2)] == \
                [c.name for c in sheet.columns]
        else:
            assert [c.value for c in ws[1]] == [c.name for c in sheet.columns]
            assert ws.freeze_panes == "A2"


def test_required_headers_are_marked_without_changing_their_text(
        template: openpyxl.Workbook) -> None:
    ws = template["活动台账"]
    for j, col in enumerate(schema.ACTIVITY.columns, 1):
        cell = ws.cell(1, j)
        assert cell.value == col.name  # no ★ inside the header the reader looks for
        assert cell.comment is not None
        assert cell.comment.text.startswith("★ 必填") == col.required
        assert (cell.font.color is not None and cell.font.color.rgb.endswith("C00000")) == col.required
    profile = template["基本情况"]
    names = {profile.cell(r, 1).value: profile.cell(r, 1) for r in range(2, 30)}
    assert is_red(names["常住人口"]) and is_red(names["社区名称"])
    assert not is_red(names["户数"])


def test_every_enum_and_yes_no_column_has_its_drop_down(template: openpyxl.Workbook) -> None:
    checked = 0
    for sheet in schema.SHEETS:
        if sheet.key_value:
            continue
        ws = template[sheet.name]
        dvs = validations(ws)
        for j, col in enumerate(sheet.columns, 1):
            if col.kind == schema.ENUM:
                dv = dvs[letter(j)]
                assert dv.type == "list"
                assert str(dv.sqref) == f"{letter(j)}2:{letter(j)}1001"
                assert list_values(template, dv) == list(schema.ENUMS[col.enum].values)
                checked += 1
            elif col.kind == schema.BOOL:
                dv = dvs[letter(j)]
                assert dv.type == "list" and list_values(template, dv) == ["是", "否"]
                checked += 1
    # 活动 3 (条线, 活动类型, 面向居民) + 名册 2 (实名注册, 党员) + 服务记录 0 + 低保 2 (类别, 保障类型)
    # + 残疾人 4 (类别, 等级, 持证, 两项补贴) + 失业 6 (性别, 困难人员, 困难类别, 培训, 就业形式,
    # 注销原因) + 纠纷 3 + 隐患 3 + 帮扶 2 + 捐赠 1 (形式) + 信息 4 (类型, 两个层级, 录用) = 30
    assert checked == 30


def test_dates_numbers_and_ids(template: openpyxl.Workbook) -> None:
    ws = template["低保台账"]
    header = [c.value for c in ws[1]]
    dvs = validations(ws)
    j_date = header.index("纳入日期") + 1
    assert dvs[letter(j_date)].type == "date"
    assert ws.cell(2, j_date).number_format == "yyyy-mm-dd"
    assert ws.cell(1001, j_date).number_format == "yyyy-mm-dd"
    j_id = header.index("身份证号") + 1
    assert ws.cell(2, j_id).number_format == "@"  # typed IDs stay text, never 9.9E+17
    assert dvs[letter(j_id)].type == "textLength" and dvs[letter(j_id)].formula1 == "18"
    j_people = header.index("保障人数") + 1
    dv = dvs[letter(j_people)]
    assert dv.type == "whole" and dv.operator == "greaterThanOrEqual" and dv.formula1 == "1"
    service = template["志愿服务记录"]
    hours = validations(service)[letter([c.value for c in service[1]].index("服务时长(小时)") + 1)]
    assert hours.type == "decimal" and (hours.formula1, hours.formula2) == ("0", "24")
    vols = template["志愿者名册"]
    j_phone = [c.value for c in vols[1]].index("手机号") + 1
    assert vols.cell(5, j_phone).number_format == "@"


def test_key_value_sheets_have_checks_on_their_values(template: openpyxl.Workbook) -> None:
    ws = template["基本情况"]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    dvs = validations(ws)
    org = dvs[f"B{rows['组织类型']}"]
    assert org.type == "list" and list_values(template, org) == ["党委", "党总支", "党支部"]
    assert dvs[f"B{rows['统计截止日期']}"].type == "date"
    assert dvs[f"B{rows['常住人口']}"].type == "whole"
    safety = template["平安稳定"]
    assert [safety.cell(r, 1).value for r in range(2, 10)] == [n for n, _ in schema.SAFETY_ITEMS]


def test_guide_explains_filling_in_and_personal_data(template: openpyxl.Workbook) -> None:
    text = "\n".join(str(v) for r in template["说明"].iter_rows(values_only=True) for v in r if v)
    for needle in ("一行一条记录", "2024-05-06", "下拉", "110105********1234", "138****1234",
                   "姓名从不显示", "个人信息"):
        assert needle in text, needle
    for sheet in schema.SHEETS:
        assert sheet.name in text


def test_street_lists_replace_and_extend_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "街道模板.xlsx"
    extra = [f"专项工作{i}" for i in range(1, 41)]  # 21 + 40 values: too long to write inline
    write_template(path, enum_overrides={
        "低保类别": {"取值": ["一类", "二类", "三类"]},
        "条线": {"增加": extra, "别名": {"专项": "专项工作1"}},
    })
    wb = openpyxl.load_workbook(path)
    dibao = wb["低保台账"]
    j = [c.value for c in dibao[1]].index("类别") + 1
    assert list_values(wb, validations(dibao)[letter(j)]) == ["一类", "二类", "三类"]
    assert "枚举值" in wb.sheetnames and wb["枚举值"].sheet_state == "hidden"
    acts = wb["活动台账"]
    line = validations(acts)[letter([c.value for c in acts[1]].index("条线") + 1)]
    assert line.formula1.startswith("枚举值!")
    assert list_values(wb, line) == list(schema.ENUMS["条线"].values) + extra


def test_unknown_enum_in_overrides_is_refused_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="枚举“街道类别”不是台账中的枚举名称"):
        write_template(tmp_path / "x.xlsx", enum_overrides={"街道类别": {"取值": ["甲"]}})
    with pytest.raises(ValueError, match="不认识的项：替换"):
        write_template(tmp_path / "x.xlsx", enum_overrides={"条线": {"替换": ["甲"]}})


def test_writing_twice_gives_the_same_file(tmp_path: Path) -> None:
    write_template(tmp_path / "a.xlsx")
    write_template(tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()

"""The blank workbook a street office hands to its communities.

Most trouble in real ledgers starts at the keyboard: a 条线 typed three ways, an ID that
Excel turned into 1.1E+17, a date typed as 5.6. The template prevents what it can before
the reader has to tolerate it: canonical headers, drop-down lists for every enumeration
(the street's own lists when it has them), 是/否 lists, date and number checks, ID and
phone columns formatted as text, and a 说明 sheet saying how to fill it in and how
personal data is protected. Everything is read from shequ_kit.schema, so a new column
appears in the template without touching this file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import schema
from .reader import merge_enums
from .schema import BOOL, CODE, DATE, ENUM, ID, INT, NUMBER, PHONE, Column, EnumSpec, Sheet

__all__ = ["write_template", "enum_lists", "TEMPLATE_ROWS", "ENUM_SHEET", "GUIDE_SHEET"]

#: Rows below the header that carry validation and formats.
TEMPLATE_ROWS = 1000
ENUM_SHEET = "枚举值"
GUIDE_SHEET = "说明"
# Excel refuses an inline list longer than 255 characters; longer lists live on ENUM_SHEET.
_INLINE_LIMIT = 255

_REQUIRED_FONT = Font(bold=True, color="C00000")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
_WRAP = Alignment(horizontal="center", vertical="center", wrap_text=True)

_PURPOSE = {
    "基本情况": "社区概况，每个项目填一个数值（必填）",
    "活动台账": "一场活动一行",
    "志愿者名册": "一名注册志愿者一行",
    "志愿服务记录": "一名志愿者参加一次服务一行",
    "低保台账": "一户低保家庭的一段保障期一行（退出后再次纳入另起一行）",
    "残疾人台账": "一名持证或登记残疾人一行",
    "失业人员台账": "一次失业登记一行（同一人再次登记另起一行）",
    "矛盾纠纷台账": "一件矛盾纠纷一行",
    "安全隐患台账": "一处安全隐患一行",
    "帮扶台账": "一次帮扶（走访慰问、救助、物资等）一行",
    "捐赠台账": "一次募捐或一笔捐赠一行",
    "信息报送台账": "一篇上报的信息一行",
    "平安稳定": "本年度火灾、案件、信访等情况，没有发生的填0",
}


def enum_lists(overrides: Mapping[str, Any] | None = None) -> dict[str, EnumSpec]:
    """The enumerations in force: schema defaults with the street's 枚举 applied.

    Accepts the ``枚举`` mapping of defaults.yaml (取值 replaces, 增加 extends, 别名 adds
    aliases) or ready EnumSpecs. The merging is the reader's own, so the template offers
    exactly the lists the reader will accept for this street.
    """
    return merge_enums(overrides)


def _hint(col: Column, specs: dict[str, EnumSpec]) -> str:
    """The note on a header: what goes in the column, and whether it is personal."""
    parts = ["★ 必填" if col.required else "选填"]
    if col.kind == DATE:
        parts.append("日期，如2024-05-06")
    elif col.kind == ENUM and col.enum:
        parts.append("从下拉列表选择：" + "、".join(specs[col.enum].values))
    elif col.kind == BOOL:
        parts.append("选“是”或“否”" + ("（空白按“是”）" if col.empty_means is True else
                                         "（空白按“否”）" if col.empty_means is False else ""))
    elif col.kind == INT:
        parts.append("整数" + ("，不小于1" if col.min == 1 else "，不小于0" if col.min == 0 else ""))
    elif col.kind == NUMBER:
        parts.append("数字" + (f"，大于0且不超过{col.max:g}" if col.max is not None else ""))
    elif col.kind == ID:
        parts.append("18位身份证号（文本格式，末位可为X）")
    elif col.kind == PHONE:
        parts.append("11位手机号（文本格式）")
    elif col.kind == CODE:
        parts.append("编号（文本格式）" + ("，不可重复" if col.unique else ""))
    if col.personal:
        parts.append("个人信息：只用于核对和统计人数，不会出现在任何总结或提示中")
    elif col.free_text:
        parts.append("自由填写：不会出现在任何总结中")
    return "\n".join(parts)


class _Lists:
    """Writes long enumerations onto the hidden 枚举值 sheet and hands out references."""

    def __init__(self, wb: Workbook, specs: dict[str, EnumSpec]):
        self.wb = wb
        self.specs = specs
        self.ws: Any = None
        self.refs: dict[str, str] = {}

    def formula(self, key: str) -> str:
        values = self.specs[key].values
        inline = '"' + ",".join(values) + '"'
        if len(inline) <= _INLINE_LIMIT and not any("," in v for v in values):
            return inline
        if key not in self.refs:
            if self.ws is None:
                self.ws = self.wb.create_sheet(ENUM_SHEET)
                self.ws.sheet_state = "hidden"
            col = len(self.refs) + 1
            letter = get_column_letter(col)
            self.ws.cell(1, col, key).font = _HEADER_FONT
            for i, v in enumerate(values, 2):
                self.ws.cell(i, col, v)
            self.refs[key] = f"{ENUM_SHEET}!${letter}$2:${letter}${len(values) + 1}"
        return self.refs[key]


def _validation(col: Column, lists: _Lists) -> DataValidation | None:
    """An Excel check for one column, with Chinese prompts; None when nothing applies."""
    dv: DataValidation | None = None
    if col.kind == ENUM and col.enum:
        dv = DataValidation(type="list", formula1=lists.formula(col.enum), allow_blank=True)
        dv.error = "请从下拉列表中选择"
    elif col.kind == BOOL:
        dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
        dv.error = "请选择“是”或“否”"
    elif col.kind == DATE:
        dv = DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)",
                            formula2="DATE(2099,12,31)", allow_blank=True)
        dv.error = "请填写日期，如2024-05-06"
    elif col.kind in (INT, NUMBER):
        kind = "whole" if col.kind == INT else "decimal"
        low = "0" if col.min is None else f"{col.min:g}"
        if col.max is not None:
            dv = DataValidation(type=kind, operator="between", formula1=low,
                                formula2=f"{col.max:g}", allow_blank=True)
            dv.error = f"请填写{low}到{col.max:g}之间的数字"
        else:
            dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=low,
                                allow_blank=True)
            dv.error = f"请填写不小于{low}的{'整数' if col.kind == INT else '数字'}"
    elif col.kind in (ID, PHONE):
        length = "18" if col.kind == ID else "11"
        dv = DataValidation(type="textLength", operator="equal", formula1=length,
                            allow_blank=True)
        dv.error = f"应为{length}位"
    if dv is not None:
        dv.errorTitle = col.name
        dv.errorStyle = "warning" if col.kind in (DATE, ID, PHONE) else "stop"
        dv.showErrorMessage = True
    return dv


def _cell_format(col: Column) -> str | None:
    if col.kind == DATE:
        return "yyyy-mm-dd"
    if col.kind in (ID, PHONE, CODE):
        return "@"
    return None


def _width(col: Column) -> float:
    """Wide enough for what people type: an ID, a date, an activity's full name."""
    if col.name == "序号":
        return 6
    width = {ID: 21, PHONE: 14, DATE: 12, CODE: 12}.get(col.kind, 12)
    if col.kind == schema.TEXT and not col.personal:
        width = 30
    return max(width, 2 * len(col.name) + 2)


def _write_table(wb: Workbook, sheet: Sheet, lists: _Lists) -> None:
    ws = wb.create_sheet(sheet.name)
    last = TEMPLATE_ROWS + 1
    for j, col in enumerate(sheet.columns, 1):
        letter = get_column_letter(j)
        cell = ws.cell(1, j, col.name)
        cell.font = _REQUIRED_FONT if col.required else _HEADER_FONT
        cell.fill = _REQUIRED_FILL if col.required else _HEADER_FILL
        cell.alignment = _WRAP
        cell.comment = Comment(_hint(col, lists.specs), "模板", width=260, height=110)
        ws.column_dimensions[letter].width = _width(col)
        fmt = _cell_format(col)
        if fmt:
            for r in range(2, last + 1):
                ws.cell(r, j).number_format = fmt
        dv = _validation(col, lists)
        if dv is not None:
            dv.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(dv)
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "A2"


def _write_kv(wb: Workbook, sheet: Sheet, lists: _Lists) -> None:
    ws = wb.create_sheet(sheet.name)
    for j, (title, width) in enumerate((("项目", 26), ("数值", 18), ("填写说明", 60)), 1):
        cell = ws.cell(1, j, title)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
        ws.column_dimensions[get_column_letter(j)].width = width
    for i, col in enumerate(sheet.columns, 2):
        label = ws.cell(i, 1, col.name)
        if col.required:
            label.font = _REQUIRED_FONT
            label.fill = _REQUIRED_FILL
        ws.cell(i, 3, _hint(col, lists.specs).replace("\n", "；"))
        fmt = _cell_format(col)
        if fmt:
            ws.cell(i, 2).number_format = fmt
        dv = _validation(col, lists)
        if dv is not None:
            dv.add(f"B{i}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"


_GUIDE = (
    ("怎样填写", None),
    ("1", "每个社区每年填写一个文件，文件名为社区名称，如“天运社区.xlsx”，交街道时放在以年份命名的文件夹中。"),
    ("2", "每个工作表是一本台账。请不要修改工作表名称和表头文字；需要时可以在表头上方加标题行。"),
    ("3", "一行一条记录（每张表的记录单位见下表）。不要在数据中间插入小计，合计行可以放在最后。"),
    ("4", "表头标红的列（★）为必填，其余列有则填。把鼠标移到表头上可以看到该列的填写说明。"),
    ("5", "日期请填写为日期，如2024-05-06；也可写2024/5/6或2024年5月6日，但不要只写月份。"),
    ("6", "有下拉箭头的列请从列表中选择；是/否列选“是”或“否”。列表由街道统一设定。"),
    ("7", "身份证号、手机号、志愿者编号已设为文本格式，请勿改成数字格式，否则末尾几位会丢失。"),
    ("8", "本社区没有建立的台账，请删除整张工作表（总结中相关数据记为“无数据”）；"
          "建立了但本年度没有记录的，只保留表头（计为0）。"),
    ("9", "“基本情况”和“平安稳定”两张表只在“数值”一列填写；平安稳定中没有发生的情况请填0，"
          "空着表示不掌握情况，总结中不会写“杜绝”。"),
    ("10", "低保户退出后再次纳入、失业人员再就业后再次登记，都另起一行，不要改写原来的行。"),
    ("个人信息保护", None),
    ("11", "姓名、户主姓名、身份证号、手机号、残疾人证号只用于核对台账和统计人数；备注、地点、"
           "服务内容只在台账中留存。这些内容不会出现在任何工作总结、图表、表格或提示信息中。"),
    ("12", "检查台账时，提示只写文件、工作表、行号和列名：身份证号显示为110105********1234，"
           "手机号显示为138****1234，姓名从不显示。"),
    ("13", "本文件含有居民个人信息，请妥善保管，只通过单位内部渠道报送，不要上传到公共网盘或群聊。"),
)


def _write_guide(wb: Workbook, sheets: tuple[Sheet, ...]) -> None:
    ws = wb.create_sheet(GUIDE_SHEET, 0)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 96
    ws.cell(1, 1, "社区台账填写说明").font = Font(bold=True, size=16)
    ws.merge_cells("A1:B1")
    row = 2
    for key, text in _GUIDE:
        row += 1
        if text is None:
            row += 1
            ws.cell(row, 1, key).font = Font(bold=True, size=12)
            continue
        ws.cell(row, 1, key).alignment = Alignment(horizontal="center", vertical="top")
        ws.cell(row, 2, text).alignment = Alignment(wrap_text=True, vertical="top")
    row += 2
    ws.cell(row, 1, "各台账一览").font = Font(bold=True, size=12)
    row += 1
    for j, title in enumerate(("工作表", "记录单位与必填列"), 1):
        ws.cell(row, j, title).font = _HEADER_FONT
        ws.cell(row, j).fill = _HEADER_FILL
    for sheet in sheets:
        row += 1
        required = "、".join(c.name for c in sheet.required_columns) or "无"
        ws.cell(row, 1, sheet.name)
        ws.cell(row, 2, f"{_PURPOSE.get(sheet.name, '')}；必填：{required}").alignment = \
            Alignment(wrap_text=True, vertical="top")


def write_template(out: Path, enum_overrides: Mapping[str, Any] | None = None) -> None:
    """Write the blank ledger workbook to ``out`` (.xlsx).

    ``enum_overrides`` is the street's ``枚举`` from defaults.yaml (or EnumSpecs); the
    drop-down lists then offer the street's values rather than the built-in ones.
    """
    from .sample import save_reproducibly  # same fixed properties: reruns give equal files

    out = Path(out)
    specs = enum_lists(enum_overrides)
    wb = Workbook()
    wb.remove(wb.active)
    lists = _Lists(wb, specs)
    _write_guide(wb, schema.SHEETS)
    for sheet in schema.SHEETS:
        if sheet.key_value:
            _write_kv(wb, sheet, lists)
        else:
            _write_table(wb, sheet, lists)
    if lists.ws is not None:  # keep the hidden list sheet last
        wb.move_sheet(lists.ws, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(ENUM_SHEET))
    wb.active = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    save_reproducibly(wb, out)

"""Community workbooks → validated ``LedgerBook``s, with every problem told in Chinese.

The workbooks are filled by hand in Excel or WPS, so the reader follows ledgers.md's
Tolerance list (title rows, header variants and aliases, 合计 rows, merged cells, dates
and numbers as text) and sorts what it cannot accept into errors (the row is left out) and
warnings (the row is kept), exactly as the contract's "Bad input" section says. It knows
nothing about indicators: it hands over typed frames and the problems found.

Cells are read with python-calamine (fast, and the same code reads .xlsx, .xls and .ods);
formulas come back as their cached values and nothing in a workbook is executed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import python_calamine

from . import paths, schema
from .model import ERROR, WARNING, LedgerBook, LedgerError, Problem
from .schema import BOOL, DATE, INT, NUMBER, Column, EnumSpec, Sheet
from .values import (
    UNITS,
    CellError,
    compact,
    display,
    is_empty,
    mask_personal,
    mask_value,
    parse,
    parse_date,
)

__all__ = [
    "YearRead", "read_workbook", "read_year", "find_workbooks", "merge_enums",
    "community_key", "wanted_match",
    "WORKBOOK_SUFFIXES", "HEADER_SEARCH_ROWS",
]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
HEADER_SEARCH_ROWS = 20
# Sheets a workbook may carry besides the ledgers (the blank template's own pages).
IGNORED_SHEETS = frozenset({"说明", "填表说明", "枚举值"})
# Date columns that may lie after the as-of date (a deadline is set ahead).
FUTURE_OK = frozenset({("安全隐患台账", "整改期限")})
# Lines under a table that carry signatures, not records.
FOOTER_LABELS = ("填表人", "制表人", "审核人", "负责人", "填报人", "注：", "注:", "说明：")
# The clerk's 填报日期 line above a ledger's header (``填报日期：2025年1月8日``).
FILED_LABEL = "填报日期"


# ---------------------------------------------------------------------------
# Enumerations in force
# ---------------------------------------------------------------------------

def _merge_spec(base: EnumSpec, override: Any, key: str) -> EnumSpec:
    if isinstance(override, EnumSpec):
        return override
    if isinstance(override, list | tuple):
        return EnumSpec(tuple(str(v) for v in override))
    if not isinstance(override, Mapping):
        raise ValueError(f"枚举“{key}”的写法不对：应写取值列表，或写“取值/增加/别名”")
    unknown = set(override) - {"取值", "增加", "别名"}
    if unknown:
        raise ValueError(f"枚举“{key}”中有不认识的项：{'、'.join(sorted(map(str, unknown)))}"
                         "（可写：取值、增加、别名）")
    values = list(base.values)
    if override.get("取值") is not None:
        if not isinstance(override["取值"], list | tuple):
            raise ValueError(f"枚举“{key}”的“取值”应为列表")
        values = [str(v) for v in override["取值"]]
    added = override.get("增加") or ()
    if not isinstance(added, list | tuple):
        raise ValueError(f"枚举“{key}”的“增加”应为列表")
    for v in added:
        if str(v) not in values:
            values.append(str(v))
    extra = override.get("别名") or {}
    if not isinstance(extra, Mapping):
        raise ValueError(f"枚举“{key}”的“别名”应写成“别名: 取值”的对应表")
    aliases = dict(base.aliases)
    aliases.update({str(k): str(v) for k, v in extra.items()})
    wrong = sorted({v for v in aliases.values() if v not in values})
    if wrong:
        raise ValueError(f"枚举“{key}”的别名指向了不在列表中的取值：{'、'.join(wrong)}")
    if not values:
        raise ValueError(f"枚举“{key}”的取值列表不能为空")
    return EnumSpec(tuple(values), aliases)


def merge_enums(overrides: Mapping[str, Any] | None) -> dict[str, EnumSpec]:
    """The enumerations in force for a street: built-in lists with defaults.yaml's 枚举
    applied (取值 replaces, 增加 extends, 别名 adds aliases), because regions differ."""
    if overrides is not None and not isinstance(overrides, Mapping):
        raise ValueError("“枚举”应写成“枚举名称: 设置”的对应表")
    specs = dict(schema.ENUMS)
    for key, override in (overrides or {}).items():
        if key not in specs:
            raise ValueError(f"枚举“{key}”不是台账中的枚举名称（可选：{'、'.join(specs)}）")
        specs[key] = _merge_spec(specs[key], override, key)
    return specs


# ---------------------------------------------------------------------------
# Names of sheets, columns and 项目
# ---------------------------------------------------------------------------

_MARKS = re.compile(r"[★☆*※＊]")
_PAREN = re.compile(r"\([^()]*\)$")


def _key(text: Any) -> str:
    return _MARKS.sub("", compact(text)).lower()


def _base(key: str) -> str:
    return _PAREN.sub("", key)


def _unit(key: str) -> str:
    m = re.search(r"\(([^()]*)\)$", key)
    return m.group(1) if m else ""


@cache
def _lookups(sheet_name: str) -> tuple[dict[str, Column], dict[str, Column]]:
    """Exact and bracket-free header keys of a sheet's columns (exact wins)."""
    sheet = schema.SHEETS_BY_NAME[sheet_name]
    exact: dict[str, Column] = {}
    base: dict[str, Column] = {}
    for col in sheet.columns:
        for name in (col.name, *col.aliases):
            exact.setdefault(_key(name), col)
    for col in sheet.columns:
        for name in (col.name, *col.aliases):
            base.setdefault(_base(_key(name)), col)
    return exact, base


def _match_column(sheet: Sheet, header: Any) -> Column | None:
    if is_empty(header):
        return None
    exact, base = _lookups(sheet.name)
    k = _key(header)
    return exact.get(k) or base.get(_base(k)) or exact.get(_base(k))


@cache
def _sheet_keys() -> dict[str, Sheet]:
    out: dict[str, Sheet] = {}
    for sheet in schema.SHEETS:
        for name in (sheet.name, *sheet.aliases):
            out.setdefault(_key(name), sheet)
    return out


def _match_sheet(name: str) -> Sheet | None:
    keys = _sheet_keys()
    k = _key(name)
    if k in keys:
        return keys[k]
    # 2024年活动台账, 天运社区低保台账: a prefix before a known name.
    hits = [(len(key), s) for key, s in keys.items() if k.endswith(key)]
    return max(hits, key=lambda h: h[0])[1] if hits else None


# ---------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------

@dataclass
class _Sink:
    file: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, severity: str, kind: str, message: str, sheet: str = "",
            row: int | None = None, column: str = "", value: str = "") -> None:
        self.problems.append(Problem(severity, kind, message, self.file, sheet, row, column,
                                     value))

    def cell(self, severity: str, issue_kind: str, message: str, sheet: str, row: int,
             col: Column, raw: Any) -> None:
        self.add(severity, issue_kind, message, sheet, row, col.name, mask_value(raw, col))


# ---------------------------------------------------------------------------
# Cells from calamine
# ---------------------------------------------------------------------------

def _grid(sheet: Any) -> list[list[Any]]:
    """All rows from A1 (so list index + 1 is the Excel row), merged areas filled with the
    value shown, as a merged 日期 over several activities means."""
    rows = [list(r) for r in sheet.to_python(skip_empty_area=False)]
    # A stray space typed near row 1,048,576 makes the used range a million rows long;
    # trailing rows with nothing but blanks are not records, so they are dropped here
    # rather than walked row by row by every later check.
    while rows and (rows[-1].count("") + rows[-1].count(None) == len(rows[-1])
                    or all(is_empty(v) for v in rows[-1])):
        rows.pop()
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ():
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            for c in range(c0, c1 + 1):
                if c < len(rows[r]) and (r, c) != (r0, c0) and is_empty(rows[r][c]):
                    rows[r][c] = value
    return rows


def _open(path: Path) -> Any:
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError:
        reason = "文件设有打开密码，无法读取，请去掉密码后重新提交"
    except FileNotFoundError:
        reason = "文件不存在"
    except Exception:  # noqa: BLE001 - any failure to parse means "cannot be opened"
        reason = "文件无法打开：不是有效的Excel/WPS表格文件，或文件已损坏"
    raise LedgerError([Problem(ERROR, "unreadable", reason, path.name)])


# ---------------------------------------------------------------------------
# Key-value sheets (基本情况, 平安稳定)
# ---------------------------------------------------------------------------

_KV_HEADERS = frozenset({"项目", "指标", "名称", "项目名称"})


def _read_kv(grid: list[list[Any]], sheet: Sheet, sink: _Sink,
             enums: Mapping[str, EnumSpec]) -> dict[str, tuple[Any, int]]:
    """{项目: (typed value, Excel row)} of a 项目 | 数值 sheet."""
    header = next((i for i, r in enumerate(grid[:HEADER_SEARCH_ROWS])
                   if any(_key(c) in _KV_HEADERS for c in r)), None)
    out: dict[str, tuple[Any, int]] = {}
    for i, row in enumerate(grid):
        if header is not None and i <= header:
            continue
        filled = [(j, c) for j, c in enumerate(row) if not is_empty(c)]
        if not filled:
            continue
        label = filled[0][1]
        col = _match_column(sheet, label)
        excel_row = i + 1
        if col is None:
            if header is not None and not isinstance(label, int | float):
                sink.add(WARNING, "unknown_item", "不认识的项目，已忽略", sheet.name, excel_row,
                         display(label))
            continue
        raw = filled[1][1] if len(filled) > 1 else None
        if col.name in out:
            sink.add(WARNING, "duplicate_item", "项目重复，以前面一行为准", sheet.name,
                     excel_row, col.name)
            continue
        if is_empty(raw):
            continue
        try:
            value = parse(raw, col, enums)
        except CellError as issue:
            severity = ERROR if col.required else WARNING
            tail = "" if col.required else "，按未填处理"
            sink.cell(severity, issue.kind, issue.message + tail, sheet.name, excel_row, col,
                      raw)
            continue
        unit = _unit(_key(label))
        factor = UNITS.get(col.name, {}).get(unit)
        if factor is not None and isinstance(raw, int | float) and unit != _unit(_key(col.name)):
            value = value * factor
        out[col.name] = (value, excel_row)
    return out


# ---------------------------------------------------------------------------
# Table sheets
# ---------------------------------------------------------------------------

@dataclass
class _Table:
    sheet: Sheet
    frame: pd.DataFrame | None = None
    excluded: int = 0
    missing: list[str] = field(default_factory=list)
    rejected_personal: dict[str, list[str]] = field(default_factory=dict)


def _find_header(grid: list[list[Any]], sheet: Sheet) -> tuple[int | None, dict[int, Column]]:
    required = {c.name for c in sheet.required_columns}
    best: tuple[int, dict[int, Column]] = (-1, {})
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        mapping: dict[int, Column] = {}
        for j, cell in enumerate(row):
            col = _match_column(sheet, cell)
            if col is not None and col not in mapping.values():
                mapping[j] = col
        names = {c.name for c in mapping.values()}
        if required <= names:
            return i, mapping
        if len(names & required) > len({c.name for c in best[1].values()} & required):
            best = (i, mapping)
    return None, best[1]


def _is_total(row: list[Any], cells: dict[str, Any]) -> bool:
    first = next((c for c in row if not is_empty(c)), None)
    for cell in (first, cells.get("序号")):
        if isinstance(cell, str) and compact(cell).startswith(schema.TOTAL_LABELS):
            return True
    return False


def _is_footer(row: list[Any]) -> bool:
    first = next((c for c in row if not is_empty(c)), None)
    return isinstance(first, str) and compact(first).startswith(FOOTER_LABELS)


def _numeric_columns(sheet: Sheet) -> set[str]:
    return {c.name for c in sheet.columns if c.kind in (INT, NUMBER) and c.name != "序号"}


def _sums_row(numeric: set[str], cells: dict[str, Any], sums: dict[str, float]) -> bool:
    """A row holding only numbers, each the sum of its column so far: a 合计 without label."""
    filled = {k: v for k, v in cells.items() if not is_empty(v) and k != "序号"}
    if not filled or not set(filled) <= numeric:
        return False
    for k, v in filled.items():
        if not isinstance(v, int | float) or abs(float(v) - sums.get(k, 0.0)) > 0.005:
            return False
    return True


RowRule = Callable[[Sheet, dict[str, Any], int, "_Context"], None]


@dataclass
class _Context:
    sink: _Sink
    year: int
    as_of: date
    enums: Mapping[str, EnumSpec]
    raw: dict[str, Any] = field(default_factory=dict)  # the row's raw cells
    errors: int = 0
    path: Path | None = None
    sheet_title: str = ""  # the sheet's name as typed in the workbook
    _formulas: Any = None  # an openpyxl workbook, opened only when a formula is suspected

    def formula_at(self, row: int, column: int) -> bool:
        """Whether an empty-looking cell holds a formula without a saved result.

        A workbook written by a program (or saved with calculation off) keeps formulas but
        no cached values, so the cell reads empty; telling the clerk "必填项为空" would send
        them looking for a value that is there on screen. Opened lazily, on this error
        path only, so a clean workbook never pays for a second reader.
        """
        if self.path is None or self.path.suffix.lower() not in (".xlsx", ".xlsm"):
            return False
        try:
            if self._formulas is None:
                from openpyxl import load_workbook

                self._formulas = load_workbook(self.path, read_only=True, data_only=False)
            ws = self._formulas[self.sheet_title]
            for (value,) in ws.iter_rows(min_row=row, max_row=row, min_col=column + 1,
                                         max_col=column + 1, values_only=True):
                return isinstance(value, str) and value.startswith("=")
        except Exception:  # noqa: BLE001 - a second opinion only; the error stands as is
            return False
        return False

    def close(self) -> None:
        if self._formulas is not None:
            self._formulas.close()
            self._formulas = None

    def error(self, kind: str, message: str, sheet: Sheet, row: int, col: Column) -> None:
        self.errors += 1
        self.sink.cell(ERROR, kind, message, sheet.name, row, col, self.raw.get(col.name))

    def warn(self, kind: str, message: str, sheet: Sheet, row: int, col: Column) -> None:
        self.sink.cell(WARNING, kind, message, sheet.name, row, col, self.raw.get(col.name))


def _rule_end_dates(sheet: Sheet, rec: dict[str, Any], row: int, ctx: _Context) -> None:
    for col in sheet.columns:
        if col.starts and rec.get(col.name) and rec.get(col.starts):
            if rec[col.name] < rec[col.starts]:
                ctx.error("end_before_start",
                          f"早于{col.starts}（{rec[col.starts]:%Y-%m-%d}）", sheet, row, col)


def _rule_dates_in_period(sheet: Sheet, rec: dict[str, Any], row: int, ctx: _Context) -> None:
    for col in sheet.columns:
        d = rec.get(col.name)
        if col.kind != DATE or d is None:
            continue
        if col.event_date and d.year != ctx.year:
            ctx.warn("outside_year", f"不在{ctx.year}年内，不计入本期统计", sheet, row, col)
        elif d > ctx.as_of and (sheet.name, col.name) not in FUTURE_OK:
            ctx.warn("after_as_of", f"晚于统计截止日期（{ctx.as_of:%Y-%m-%d}），请核对",
                     sheet, row, col)


def _rule_disability_cert(sheet: Sheet, rec: dict[str, Any], row: int, ctx: _Context) -> None:
    cert = rec.get("残疾人证号")
    if not cert:
        return
    col = sheet.column("残疾人证号")
    cert = compact(cert).upper()
    if len(cert) != 20:
        ctx.warn("cert_mismatch", "残疾人证号应为20位（身份证号加类别、等级各一位）", sheet,
                 row, col)
        return
    wrong = []
    if rec.get("身份证号") and cert[:18] != rec["身份证号"]:
        wrong.append("身份证号")
    category = schema.DISABILITY_CERT_CATEGORY.get(cert[18])
    if rec.get("残疾类别") and category != rec["残疾类别"]:
        wrong.append("残疾类别")
    grade = schema.DISABILITY_CERT_GRADE.get(cert[19])
    if rec.get("残疾等级") and grade != rec["残疾等级"]:
        wrong.append("残疾等级")
    if wrong:
        ctx.warn("cert_mismatch", f"残疾人证号与{'、'.join(wrong)}不一致，请核对", sheet, row, col)


# Row checks beyond single cells: generic ones for every sheet, then per sheet.
ROW_RULES: dict[str | None, tuple[RowRule, ...]] = {
    None: (_rule_end_dates, _rule_dates_in_period),
    "残疾人台账": (_rule_disability_cert,),
}


def _read_table(grid: list[list[Any]], sheet: Sheet, ctx: _Context) -> _Table | None:
    sink = ctx.sink
    header, mapping = _find_header(grid, sheet)
    if header is None:
        if not any(not is_empty(c) for r in grid for c in r):
            sink.add(WARNING, "empty_sheet", "工作表是空的（连表头也没有），按未建立该台账处理",
                     sheet.name)
            return None
        found = {c.name for c in mapping.values()}
        lacking = [c.name for c in sheet.required_columns if c.name not in found]
        if len(found) >= 2:
            message = f"缺少必填列：{'、'.join(lacking)}，该台账按无数据处理"
            kind = "missing_required_column"
        else:
            message = (f"前{HEADER_SEARCH_ROWS}行中找不到表头（应包含{'、'.join(lacking)}），"
                       "该台账按无数据处理")
            kind = "no_header"
        sink.add(ERROR, kind, message, sheet.name)
        return None

    table = _Table(sheet)
    head = grid[header]
    for j, cell in enumerate(head):
        if j not in mapping and not is_empty(cell):
            col = _match_column(sheet, cell)
            why = "与前面的列重复，已忽略" if col is not None else "不认识的列，已忽略"
            sink.add(WARNING, "unknown_column", why, sheet.name, header + 1, display(cell))
    present = {c.name for c in mapping.values()}
    table.missing = [c.name for c in sheet.columns if c.name not in present]
    columns = [c for c in sheet.columns if c.name in present]
    where = {c.name: j for j, c in mapping.items()}

    records: list[dict[str, Any]] = []
    sums: dict[str, float] = {}
    seen: dict[tuple[str, ...], dict[tuple[Any, ...], int]] = {}
    keys = [(c.name,) for c in columns if c.unique] + [
        k for k in sheet.unique_keys if set(k) <= present]
    periods: dict[Any, list[tuple[date, date | None, int]]] = {}
    rules = ROW_RULES[None] + ROW_RULES.get(sheet.name, ())
    numeric = _numeric_columns(sheet)

    for i in range(header + 1, len(grid)):
        row = grid[i]
        excel_row = i + 1
        cells = {name: (row[j] if j < len(row) else None) for name, j in where.items()}
        filled = {k for k, v in cells.items() if not is_empty(v)}
        if not filled or filled <= {"序号"}:
            continue  # blank, formatted-but-empty or pre-numbered rows
        if _is_total(row, cells) or _sums_row(numeric, cells, sums):
            continue
        if _is_footer(row):
            sink.add(WARNING, "footer", "表尾签名或说明行，不作为记录", sheet.name, excel_row)
            continue
        ctx.raw = cells
        before = ctx.errors
        rec: dict[str, Any] = {}
        for col in columns:
            raw = cells[col.name]
            if is_empty(raw):
                if col.required and ctx.formula_at(excel_row, where[col.name]):
                    ctx.error("formula_no_value", "是公式，但文件中没有保存计算结果（请在Excel或WPS"
                              "中打开后保存，或直接填写数值）", sheet, excel_row, col)
                elif col.required:
                    ctx.error("required_empty", "必填项为空", sheet, excel_row, col)
                rec[col.name] = col.empty_means
                continue
            try:
                rec[col.name] = parse(raw, col, ctx.enums)
            except CellError as issue:
                if issue.keep:
                    ctx.warn(issue.kind, issue.message, sheet, excel_row, col)
                    rec[col.name] = issue.value
                elif col.required:
                    ctx.error(issue.kind, issue.message, sheet, excel_row, col)
                    rec[col.name] = None
                else:
                    ctx.warn(issue.kind, issue.message + "，该项按空白处理", sheet, excel_row,
                             col)
                    rec[col.name] = col.empty_means
        if ctx.errors == before:
            for rule in rules:
                rule(sheet, rec, excel_row, ctx)
        if ctx.errors == before:
            for key in keys:
                value = tuple(rec.get(k) for k in key)
                if any(v is None for v in value):
                    continue
                first = seen.setdefault(key, {}).setdefault(value, excel_row)
                if first != excel_row:
                    ctx.error("duplicate", f"{'、'.join(key)}重复（与第{first}行相同）",
                              sheet, excel_row, sheet.column(key[0]))
                    break
        if ctx.errors == before and sheet.no_overlap:
            person, start, end = sheet.no_overlap
            if rec.get(person) and rec.get(start):
                s, e = rec[start], rec.get(end)
                for s2, e2, r2 in periods.get(rec[person], ()):
                    if s < (e2 or date.max) and s2 < (e or date.max):
                        ctx.error("overlap", f"与第{r2}行的保障期重叠", sheet, excel_row,
                                  sheet.column(start))
                        break
                else:
                    periods.setdefault(rec[person], []).append((s, e, excel_row))
        if ctx.errors != before:
            table.excluded += 1
            # A row left out of the figures still holds real people: the output guard
            # must know their names, IDs and phones as well.
            for col in columns:
                if col.personal and not is_empty(cells[col.name]):
                    table.rejected_personal.setdefault(col.name, []).append(
                        display(cells[col.name]))
            continue
        rec["_row"] = excel_row
        records.append(rec)
        for col in columns:
            v = rec.get(col.name)
            if col.kind in (INT, NUMBER) and isinstance(v, int | float):
                sums[col.name] = sums.get(col.name, 0.0) + float(v)
    table.frame = _frame(records, columns)
    return table


_DTYPES: dict[str, Callable[[list[Any]], Any]] = {
    DATE: lambda v: pd.Series(pd.to_datetime(pd.Series(v, dtype=object)),
                              dtype="datetime64[ns]"),
    INT: lambda v: pd.array(v, dtype="Int64"),
    NUMBER: lambda v: pd.Series([float("nan") if x is None else float(x) for x in v],
                                dtype="float64"),
    BOOL: lambda v: pd.array(v, dtype="boolean"),
}


def _frame(records: list[dict[str, Any]], columns: Iterable[Column]) -> pd.DataFrame:
    # Built column by column with explicit dtypes: pandas would otherwise infer its
    # string dtype for text and turn None into NaN.
    frame = pd.DataFrame(index=pd.RangeIndex(len(records)))
    for col in columns:
        vals = [r.get(col.name) for r in records]
        make = _DTYPES.get(col.kind)
        frame[col.name] = make(vals) if make else pd.Series(vals, dtype=object)
    frame["_row"] = pd.Series([r["_row"] for r in records], dtype="int64")
    return frame


# ---------------------------------------------------------------------------
# One workbook
# ---------------------------------------------------------------------------

def _year_of(path: Path, profile_date: date | None) -> int | None:
    if re.fullmatch(r"(19|20)\d{2}", path.parent.name):
        return int(path.parent.name)
    if profile_date is not None:
        return profile_date.year
    m = re.search(r"(19|20)\d{2}", path.stem)
    return int(m.group(0)) if m else None


def _fail(path: Path, kind: str, message: str, community: str | None = None,
          sheet: str = "") -> LedgerError:
    err = LedgerError([Problem(ERROR, kind, message, path.name, sheet)])
    err.community = community  # type: ignore[attr-defined]
    return err


def _profile(kv: dict[str, tuple[Any, int]], path: Path, sink: _Sink) -> dict[str, Any]:
    profile = {k: v for k, (v, _) in kv.items()}
    name = profile.get("社区名称")
    if not name:
        sink.add(WARNING, "no_name", f"社区名称未填，按文件名“{path.stem}”处理",
                 schema.PROFILE.name, column="社区名称")
        profile["社区名称"] = path.stem
    elif name != path.stem:
        sink.add(WARNING, "name_mismatch", f"社区名称与文件名“{path.stem}”不一致，按社区名称处理",
                 schema.PROFILE.name, kv["社区名称"][1], "社区名称", name)
    if profile.get("常住人口") is None:
        if profile.get("实有人口") is not None:
            profile["常住人口"] = profile["实有人口"]
            how = "按实有人口计"
        elif profile.get("户籍人口") is not None and profile.get("流动人口") is not None:
            profile["常住人口"] = profile["户籍人口"] + profile["流动人口"]
            how = "按户籍人口与流动人口之和计"
        else:
            raise _fail(path, "no_population",
                        "基本情况中没有人口数（常住人口、实有人口或户籍人口与流动人口均未填），"
                        "该社区无法统计", profile["社区名称"], schema.PROFILE.name)
        sink.add(WARNING, "population_derived", f"常住人口未填，{how}", schema.PROFILE.name,
                 column="常住人口")
    if not profile.get("所属街道"):
        sink.add(ERROR, "no_street", "所属街道未填", schema.PROFILE.name, column="所属街道")
    return profile


def _filed_date(grids: Iterable[list[list[Any]]]) -> date | None:
    """The latest 填报日期 written above any sheet's header, or None.

    The 落款 is dated when the ledgers were handed in, not at the as-of date, so the
    date is kept with the profile; it is metadata of the workbook, never a record, and
    a value that is not a date is ignored (the line is free text a clerk typed)."""
    found: list[date] = []
    for grid in grids:
        for row in grid[:HEADER_SEARCH_ROWS]:
            for j, cell in enumerate(row):
                text = compact(cell) if isinstance(cell, str) else ""
                if not text.startswith(FILED_LABEL):
                    continue
                rest = text[len(FILED_LABEL):].lstrip(":：")
                if not rest:  # the date in the next filled cell of the line
                    rest = next((c for c in row[j + 1:] if not is_empty(c)), None)
                try:
                    found.append(parse_date(rest))
                except (CellError, ValueError, TypeError, OverflowError):
                    continue
    return max(found) if found else None


def read_workbook(path: str | Path, year: int | None = None,
                  enums: dict[str, EnumSpec] | None = None,
                  sheets: Collection[str] | None = None) -> LedgerBook:
    """One community's workbook, read and validated; raises LedgerError (Chinese, masked)
    when the workbook cannot be used at all.

    ``sheets`` (canonical names) reads only those ledgers besides 基本情况: an earlier
    year looked back on for a few figures need not validate every row of every ledger."""
    path = Path(path)
    enums = dict(enums) if enums is not None else dict(schema.ENUMS)
    sink = _Sink(path.name)
    wb = _open(path)
    try:
        grids: dict[str, tuple[str, list[list[Any]]]] = {}
        for name in wb.sheet_names:
            sheet = _match_sheet(name)
            if sheet is None:
                if compact(name) not in IGNORED_SHEETS:
                    sink.add(WARNING, "unknown_sheet", "不认识的工作表，已忽略", name)
                continue
            if sheets is not None and sheet.name not in sheets \
                    and sheet.name != schema.PROFILE.name:
                continue
            if sheet.name in grids:
                sink.add(WARNING, "duplicate_sheet",
                         f"与工作表“{grids[sheet.name][0]}”重复，已忽略", name)
                continue
            try:
                grids[sheet.name] = (name, _grid(wb.get_sheet_by_name(name)))
            except Exception:  # noqa: BLE001 - a damaged sheet is a sheet-level error
                sink.add(ERROR, "unreadable_sheet", "工作表无法读取，该台账按无数据处理", name)
    finally:
        wb.close()

    if schema.PROFILE.name not in grids:
        raise _fail(path, "no_profile", "缺少“基本情况”工作表，该社区无法统计",
                    sheet=schema.PROFILE.name)
    kv = _read_kv(grids[schema.PROFILE.name][1], schema.PROFILE, sink, enums)
    stated = kv.get("统计截止日期", (None, 0))[0]
    if year is None:
        year = _year_of(path, stated)
        if year is None:
            raise _fail(path, "no_year", "无法确定台账所属年度（请放在以年份命名的文件夹中）")
    profile = _profile(kv, path, sink)
    for key in ("社区名称", "所属街道"):
        if key == "所属街道" and not profile.get(key):
            continue  # a street left empty names no folder
        try:
            profile[key] = paths.check_name(profile[key], key)
        except paths.UnsafeNameError as exc:
            row = kv[key][1] if key in kv else None
            err = LedgerError([Problem(ERROR, "unsafe_name", str(exc), path.name,
                                       schema.PROFILE.name, row, key,
                                       mask_personal(exc.value[:40]))])
            err.community = None  # type: ignore[attr-defined]
            raise err from None
    community = str(profile["社区名称"])
    as_of = date(year, 12, 31)
    if stated is not None:
        if stated.year == year:
            as_of = stated
        else:
            sink.add(WARNING, "as_of_year", f"统计截止日期不在{year}年内，按{year}年12月31日处理",
                     schema.PROFILE.name, kv["统计截止日期"][1], "统计截止日期",
                     f"{stated:%Y-%m-%d}")
    profile["统计截止日期"] = as_of
    filed = _filed_date(g for _, g in grids.values())
    if filed is not None:
        profile[FILED_LABEL] = filed

    ctx = _Context(sink, year, as_of, enums, path=path)
    book = LedgerBook(path=path, year=year, community=community,
                      street=str(profile.get("所属街道") or ""), as_of=as_of, profile=profile,
                      sheets={}, enums=enums)
    if schema.SAFETY.name in grids:
        safety = _read_kv(grids[schema.SAFETY.name][1], schema.SAFETY, sink, enums)
        book.safety = {k: v for k, (v, _) in safety.items()}
    for sheet in schema.SHEETS:
        if sheet.key_value:
            continue
        if sheet.name not in grids:
            book.absent_sheets.append(sheet.name)
            continue
        ctx.sheet_title = grids[sheet.name][0]
        try:
            table = _read_table(grids[sheet.name][1], sheet, ctx)
        finally:
            ctx.close()
        if table is None or table.frame is None:
            book.absent_sheets.append(sheet.name)
            continue
        book.sheets[sheet.name] = table.frame
        book.excluded_rows[sheet.name] = table.excluded
        if table.rejected_personal:
            book.rejected_personal[sheet.name] = table.rejected_personal
        if table.missing:
            book.missing_columns[sheet.name] = [
                c for c in table.missing if c != "序号"]
    _cross_checks(book, sink)
    order = {s.name: i for i, s in enumerate(schema.SHEETS)}
    book.problems = sorted(sink.problems, key=lambda p: (order.get(p.sheet, -1),
                                                         p.row or 0))
    book.missing_columns = {k: v for k, v in book.missing_columns.items() if v}
    return book


def _cross_checks(book: LedgerBook, sink: _Sink) -> None:
    """Checks across sheets: a 志愿者编号 in the service log must be in the 名册."""
    roster = book.sheets.get(schema.VOLUNTEERS.name)
    service = book.sheets.get(schema.SERVICE.name)
    if roster is None or service is None:
        return
    known = set(roster["志愿者编号"].dropna())
    col = schema.SERVICE.column("志愿者编号")
    for code, row in zip(service["志愿者编号"], service["_row"], strict=True):
        if code is not None and code not in known:
            sink.add(WARNING, "unknown_volunteer", "志愿者编号不在志愿者名册中（该条记录仍计入）",
                     schema.SERVICE.name, int(row), col.name, str(code))


# ---------------------------------------------------------------------------
# A year's folder
# ---------------------------------------------------------------------------

@dataclass
class YearRead:
    """All workbooks of one year: the ones that read, the ones that failed, and problems
    of the run itself (a lock file, two workbooks for one community).

    ``books`` and ``failures`` are keyed by ``community_key``: the 社区名称, or
    ``街道/社区名称`` for a workbook in a street's folder or a name that occurs in more
    than one street (names repeat across a district's streets).
    """

    year: int
    books: dict[str, LedgerBook] = field(default_factory=dict)
    failures: dict[str, list[Problem]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def community_key(street: str, community: str, qualified: bool) -> str:
    """How a run names a community: ``社区名称`` alone, or ``街道/社区名称`` when the
    name alone could be another street's community."""
    return f"{street}/{community}" if qualified and street else community


def wanted_match(wanted: set[str] | None, key: str, street: str, community: str) -> bool:
    """Whether a community was asked for: by 社区名称 (every street's), by
    ``街道/社区名称`` or by its key."""
    if wanted is None:
        return True
    return bool({key, community, f"{street}/{community}"} & wanted)


def _is_lock(path: Path) -> bool:
    return path.name.startswith(("~$", ".~lock", "~")) or path.name.endswith("#")


def _street_folders(folder: Path) -> list[Path]:
    """A district's layout: ``<年>/<街道>/<社区名称>.xlsx`` beside the flat one."""
    return sorted(d for d in folder.iterdir()
                  if d.is_dir() and not d.name.startswith((".", "_", "~"))
                  and _safe_folder(d.name))


def _safe_folder(name: str) -> bool:
    try:
        paths.check_name(name, "街道目录")
    except paths.UnsafeNameError:
        return False
    return True


def _workbooks_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES and not _is_lock(p)
                  and not p.name.startswith("."))


def find_workbooks(data_dir: str | Path, year: int) -> list[Path]:
    """The year's workbooks (data/<year>/*.xlsx|xls|ods, then data/<year>/<街道>/*), lock
    files left out."""
    folder = Path(data_dir) / str(year)
    if not folder.is_dir():
        return []
    out = _workbooks_in(folder)
    for street in _street_folders(folder):
        out.extend(_workbooks_in(street))
    return out


def _in_street_folder(book: LedgerBook, folder: Path) -> None:
    """A workbook filed under ``<年>/<街道>/`` belongs to that street: the folder is what
    the analyst laid out (and where its parameters are looked for)."""
    street = folder.name
    if book.street and book.street != street:
        book.problems.append(Problem(
            WARNING, "street_folder",
            f"基本情况中的所属街道“{book.street}”与所在文件夹“{street}”不一致，按文件夹处理",
            book.path.name, schema.PROFILE.name, None, "所属街道"))
    if not book.street:
        book.problems = [p for p in book.problems if p.kind != "no_street"]
    book.street = street
    book.profile["所属街道"] = street


def read_year(data_dir: str | Path, year: int, enums: dict[str, EnumSpec] | None = None,
              communities: list[str] | None = None,
              sheets: Collection[str] | None = None) -> YearRead:
    """Every community's workbook of one year; one bad workbook fails only its community.

    ``communities`` may name a community by 社区名称 (every street's of that name) or
    by ``街道/社区名称``; ``sheets`` as for ``read_workbook``.
    """
    out = YearRead(year)
    folder = Path(data_dir) / str(year)
    if not folder.is_dir():
        out.problems.append(Problem(ERROR, "no_year_folder",
                                    f"未找到{year}年的台账文件夹（{folder.name}）"))
        return out
    for d in [folder, *_street_folders(folder)]:
        for p in sorted(d.iterdir()):
            if p.is_file() and _is_lock(p):
                out.problems.append(Problem(WARNING, "lock_file",
                                            "这是Excel/WPS打开文件时留下的临时文件，已跳过",
                                            p.name))
    wanted = set(communities) if communities else None
    read: dict[tuple[str, str], list[LedgerBook]] = {}
    nested: set[tuple[str, str]] = set()
    for path in find_workbooks(data_dir, year):
        in_folder = path.parent != folder
        try:
            book = read_workbook(path, year, enums, sheets)
        except LedgerError as exc:
            # The community is unknown when its workbook will not open; the file is named
            # after it by convention, so the stem is the name the manifest and log show.
            name = getattr(exc, "community", None) or path.stem
            key = community_key(path.parent.name, name, in_folder)
            if wanted is None or wanted_match(wanted, key, path.parent.name, name) or any(
                    w in path.name for w in wanted):
                out.failures.setdefault(key, []).extend(exc.problems)
            continue
        if in_folder:
            _in_street_folder(book, path.parent)
            nested.add((book.street, book.community))
        read.setdefault((book.street, book.community), []).append(book)
    streets_of: dict[str, set[str]] = {}
    for street, name in read:
        streets_of.setdefault(name, set()).add(street)
    for (street, name), books in read.items():
        key = community_key(street, name,
                            (street, name) in nested or len(streets_of[name]) > 1)
        if not wanted_match(wanted, key, street, name):
            continue
        if len(books) == 1 and key not in out.failures:
            out.books[key] = books[0]
            continue
        files = "、".join(b.path.name for b in books)
        for b in books:
            out.failures.setdefault(key, []).append(Problem(
                ERROR, "duplicate_community",
                f"{year}年有多个工作簿都是“{name}”（{files}），请只保留一个", b.path.name,
                schema.PROFILE.name, None, "社区名称"))
        out.problems.append(Problem(ERROR, "duplicate_community",
                                    f"{year}年有多个工作簿都是“{name}”（{files}）"))
    return out

"""Cell values as real ledgers hold them, turned into typed values.

Communities fill their workbooks by hand in Excel or WPS: dates typed as 2024.5.6 or
2024年5月6日, numbers with full-width digits or a unit (30人, 1,200元), yes/no as √ or 有,
IDs that Excel stored as numbers. One parser per schema kind lives in ``PARSERS``; each
either returns the typed value or raises ``CellError`` saying in Chinese what is wrong, so
the reader can sort the issue into an error or a warning as ledgers.md asks.

A parser never puts the cell's raw value into its message: the reader shows the value
separately, masked when the column is personal.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from .schema import (
    BOOL,
    CODE,
    DATE,
    ENUM,
    ENUM_SUFFIXES,
    ID,
    INT,
    NUMBER,
    PHONE,
    TEXT,
    Column,
    EnumSpec,
)

__all__ = [
    "CellError", "PARSERS", "parse", "is_empty", "normalize", "compact", "display",
    "id_check_char", "id_is_valid", "mask_id", "mask_phone", "mask_value",
    "parse_date", "parse_number", "parse_int", "parse_bool", "parse_enum", "parse_id",
    "parse_phone", "parse_code", "parse_text", "UNITS",
]


class CellError(Exception):
    """A cell that cannot be taken as it is.

    ``keep`` marks an issue that leaves the value usable (an ID whose check digit fails):
    the reader then keeps ``value`` and reports a warning.
    """

    def __init__(self, kind: str, message: str, *, keep: bool = False, value: Any = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.keep = keep
        self.value = value


# ---------------------------------------------------------------------------
# Text normalisation
# ---------------------------------------------------------------------------

# Full-width ASCII (！ to ～) to half-width, ideographic space to a space; a few CJK
# punctuation marks people use in numbers and dates.
_WIDE = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_WIDE.update({0x3000: 0x20, 0x3002: ord("."), 0x00A0: 0x20, 0x2014: ord("-"),
              0x2013: ord("-"), 0x2212: ord("-"), 0xFF0E: ord(".")})
_SPACES = re.compile(r"\s+")


def normalize(raw: Any) -> str:
    """Half-width, stripped text of a cell (full-width digits and brackets made plain)."""
    return str(raw).translate(_WIDE).strip()


def compact(raw: Any) -> str:
    """Like ``normalize`` with every space and line break removed (headers, enums)."""
    return _SPACES.sub("", normalize(raw))


def is_empty(raw: Any) -> bool:
    """An empty cell: None, '', only spaces, or a float NaN."""
    if raw is None:
        return True
    if isinstance(raw, float):
        return math.isnan(raw)
    if isinstance(raw, str):
        return not raw.strip()  # str.strip removes the ideographic and no-break spaces too
    return False


def display(raw: Any) -> str:
    """A cell's value as the user typed it, for messages (1.0 shows as 1)."""
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.strftime("%Y-%m-%d %H:%M:%S") if raw.time() != time() else f"{raw:%Y-%m-%d}"
    if isinstance(raw, date):
        return raw.isoformat()
    if isinstance(raw, float) and not math.isnan(raw):
        return repr(raw) if abs(raw) < 1e15 else f"{raw:.0f}"
    return "" if raw is None else str(raw).strip()


# ---------------------------------------------------------------------------
# Masking
# ---------------------------------------------------------------------------

def mask_id(s: str) -> str:
    """An ID as messages show it: region code and last four kept (110101********1234)."""
    s = str(s).strip()
    if len(s) >= 12:
        return s[:6] + "*" * (len(s) - 10) + s[-4:]
    if len(s) > 4:
        return "*" * (len(s) - 4) + s[-4:]
    return "*" * len(s)


def mask_phone(s: str) -> str:
    """A phone number as messages show it: 138****5678."""
    s = str(s).strip()
    if len(s) >= 8:
        return s[:3] + "*" * (len(s) - 7) + s[-4:]
    return "*" * len(s)


# A run of digits as a person types an ID or a phone: groups split by spaces, dashes or
# dots, an ID's check character X last. A run touching ASCII letters or digits on either
# side is part of something else (a hash, a base64 image, a file name) and not looked at.
_SEP = r"[ \t\u3000\-\u2010-\u2015._·]{0,2}"
_PERSONAL_RUN = re.compile(rf"(?<![0-9A-Za-z])\d(?:{_SEP}\d)*(?:{_SEP}[Xx])?(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?:86)?(1[3-9]\d{9})")


def _plausible_id(s: str) -> bool:
    """18 characters shaped like an ID with a real birth date (the check character is not
    required: a mistyped ID is still somebody's)."""
    if not _ID_SHAPE.match(s):
        return False
    try:
        born = date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return False
    return 1880 <= born.year <= 2100


def _long_digits(raw: Any) -> bool:
    """Cheap test before the pattern scan: an ID or phone has at least 11 digits."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return abs(raw) >= 1e10
    return isinstance(raw, str) and sum(ch.isdigit() for ch in raw) >= 11


def personal_like(text: Any) -> list[tuple[int, int, str, str]]:
    """Every ID or mobile number in free text, by its form alone (no ledger needed):
    (start, end, masked form, 身份证号 or 手机号). Used where a value may have been typed anywhere — a
    parameters file, a 日期 cell, a message — since ledgers.md refuses IDs and phones
    wherever they appear, not only those the ledgers hold."""
    if text is None:
        return []
    text = str(text).translate(_WIDE)
    found: list[tuple[int, int, str, str]] = []
    for m in _PERSONAL_RUN.finditer(text):
        digits = re.sub(r"[^0-9X]", "", m.group(0).upper())
        if len(digits) in (18, 20) and _plausible_id(digits[:18]):
            found.append((m.start(), m.end(), mask_id(digits), "身份证号"))
        elif (phone := _MOBILE.fullmatch(digits)) is not None:
            found.append((m.start(), m.end(), mask_phone(phone.group(1)), "手机号"))
    return found


def mask_personal(text: str) -> str:
    """``text`` with every ID- or phone-like run replaced by its masked form."""
    text = str(text)
    out, last = [], 0
    for start, end, masked, _ in personal_like(text):
        out.append(text[last:start])
        out.append(masked)
        last = end
    out.append(text[last:])
    return "".join(out)


def mask_value(raw: Any, col: Column) -> str:
    """The displayable form of a cell: masked for personal columns, names never shown."""
    if is_empty(raw):
        return ""
    if not col.masked:
        return mask_personal(display(raw))  # an ID typed into 日期 is still an ID
    text = display(raw)
    if col.kind == ID or col.name.endswith("证号"):
        return mask_id(re.sub(r"\s", "", text))
    if col.kind == PHONE:
        return mask_phone(re.sub(r"[\s\-]", "", text))
    return "***"  # names and free text are never shown, not even in part


# ---------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------

# Units a number may carry, with the factor into the column's own unit, by column.
UNITS: dict[str, dict[str, float]] = {
    "辖区面积(平方公里)": {"平方公里": 1.0, "km2": 1.0, "km²": 1.0, "平方千米": 1.0,
                          "平方米": 1e-6, "m2": 1e-6, "m²": 1e-6, "公顷": 0.01, "亩": 1 / 1500},
}
_NUMBER = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(万|千|百)?\s*([^\d.+-]*)$")
_SCALE = {"万": 10000.0, "千": 1000.0, "百": 100.0}


def parse_number(raw: Any, col: Column | None = None, enums: Any = None) -> float:
    """A number from a numeric cell or from text such as '１２', '1,200元', '35万平方米'."""
    if isinstance(raw, bool):
        raise CellError("bad_number", "不是数字")
    if _long_digits(raw) and personal_like(display(raw)):
        # 13912345678 in 参与人次 is a phone typed into the wrong column, not 13.9 billion
        # visits: counting it would be both wrong and a leak into the totals.
        raise CellError("personal_in_number", "像是身份证号或手机号，不是数字，未计入统计")
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, timedelta | time | date):
        raise CellError("bad_number", "不是数字")
    else:
        text = compact(raw).replace(",", "").replace("，", "")
        m = _NUMBER.match(text)
        if not m:
            raise CellError("bad_number", "不是数字")
        value = float(m.group(1)) * _SCALE.get(m.group(2) or "", 1.0)
        unit = m.group(3)
        units = UNITS.get(col.name, {}) if col is not None else {}
        if unit and units:
            if unit not in units:
                raise CellError("bad_unit", "单位无法识别")
            value *= units[unit]
    if math.isnan(value) or math.isinf(value):
        raise CellError("bad_number", "不是数字")
    if col is not None:
        _check_bounds(value, col)
    return value


def _check_bounds(value: float, col: Column) -> None:
    if col.min is not None:
        low = value <= col.min if col.min_exclusive else value < col.min
        if low:
            word = "必须大于" if col.min_exclusive else "不能小于"
            raise CellError("out_of_range", f"{word}{col.min:g}")
    if col.max is not None and value > col.max:
        raise CellError("out_of_range", f"不能大于{col.max:g}")


def parse_int(raw: Any, col: Column | None = None, enums: Any = None) -> int:
    """A whole number (30, '30人', '１２', 30.0); 2.5 is not one."""
    value = parse_number(raw, None)
    if not float(value).is_integer():
        raise CellError("not_integer", "应为整数")
    if col is not None:
        _check_bounds(value, col)
    return int(value)


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

_EXCEL_EPOCH = date(1899, 12, 30)
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                  r"(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _serial(n: float) -> date:
    # Excel serials from 1 (1900-01-01) to the year 2200; 60 is Excel's phantom 29 Feb.
    if not 1 <= n < 110000:
        raise CellError("bad_date", "不是有效日期")
    return _EXCEL_EPOCH + timedelta(days=int(n))


def parse_date(raw: Any, col: Column | None = None, enums: Any = None) -> date:
    """A calendar date from an Excel date, a serial, or text (2024-05-06, 2024/5/6,
    2024.5.6, 2024年5月6日, 20240506)."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, bool):
        raise CellError("bad_date", "不是有效日期")
    if isinstance(raw, int | float):
        if float(raw).is_integer() and 19000101 <= raw <= 22001231:
            return parse_date(str(int(raw)))
        return _serial(float(raw))
    text = normalize(raw)
    m = _YMD.match(text) or _COMPACT.match(compact(raw))
    if m:
        y, mo, d = (int(g) for g in m.groups())
        try:
            return date(y, mo, d)
        except ValueError:
            raise CellError("bad_date", "不是有效日期") from None
    plain = compact(raw)
    if re.fullmatch(r"\d{5}(?:\.\d+)?", plain):
        return _serial(float(plain))
    raise CellError("bad_date", "不是有效日期")


# ---------------------------------------------------------------------------
# Yes / no, enums, text
# ---------------------------------------------------------------------------

YES = frozenset({"是", "y", "yes", "√", "✓", "✔", "1", "有", "对", "true", "t", "是的", "已"})
NO = frozenset({"否", "n", "no", "×", "✗", "✘", "x", "0", "无", "没有", "不是", "false", "f",
                "未", "-"})


def parse_bool(raw: Any, col: Column | None = None, enums: Any = None) -> bool:
    """是/否, Y/N, √/×, 1/0, 有/无 (and TRUE/FALSE cells)."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    text = compact(raw).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError("bad_bool", "应填“是”或“否”")


def _canonical(value: str, spec: EnumSpec) -> str | None:
    if value in spec.values:
        return value
    if value in spec.aliases:
        return spec.aliases[value]
    upper = value.upper()
    if upper in spec.values:
        return upper
    for suffix in ENUM_SUFFIXES:
        if value.endswith(suffix) and len(value) > len(suffix):
            base = value[: -len(suffix)]
            for candidate in (base, base.upper()):
                if candidate in spec.values:
                    return candidate
                if candidate in spec.aliases:
                    return spec.aliases[candidate]
    return None


def parse_enum(raw: Any, col: Column | None = None,
               enums: Mapping[str, EnumSpec] | None = None) -> str:
    """A value of the column's list: stray spaces, a suffix (肢体残疾, A类) or an alias
    map onto the canonical value."""
    if col is None or col.enum is None:
        raise ValueError("parse_enum needs an enum column")
    spec = (enums or {}).get(col.enum)
    if spec is None:
        from .schema import ENUMS
        spec = ENUMS[col.enum]
    value = display(raw) if isinstance(raw, int | float) else compact(raw)
    found = _canonical(value, spec)
    if found is None:
        raise CellError("enum", "不在枚举列表中（可选：" + "、".join(spec.values) + "）")
    return found


def parse_text(raw: Any, col: Column | None = None, enums: Any = None) -> str:
    """Text as typed, stripped (a number cell shows as typed: 1.0 as 1)."""
    return display(raw) if not isinstance(raw, str) else raw.strip()


def parse_code(raw: Any, col: Column | None = None, enums: Any = None) -> str:
    """An identifier such as 志愿者编号: 1001, 1001.0 and '1001' are the same."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    s = compact(raw)
    if s.endswith(".0") and s[:-2].isdigit():
        s = s[:-2]
    return s


# ---------------------------------------------------------------------------
# 身份证号 and 手机号
# ---------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")


def id_check_char(first17: str) -> str:
    """The GB 11643 (ISO 7064 MOD 11-2) check character of an ID's first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def id_is_valid(s: str) -> bool:
    """An 18-character ID with the right check character."""
    s = str(s).strip().upper()
    return bool(_ID_SHAPE.match(s)) and id_check_char(s[:17]) == s[17]


def parse_id(raw: Any, col: Column | None = None, enums: Any = None) -> str:
    """An 18-character 身份证号, upper-case X; a failing check digit keeps the ID."""
    if isinstance(raw, float) or (isinstance(raw, int) and not isinstance(raw, bool)
                                  and len(str(raw)) != 18):
        if isinstance(raw, float) and raw.is_integer() and abs(raw) >= 1e14:
            raise CellError("id_as_number",
                            "身份证号被存成了数字，后几位已丢失，请将该列设为文本格式后重新录入")
        raise CellError("bad_id", "身份证号应为18位（17位数字加一位校验码）")
    s = re.sub(r"[\s\-]", "", normalize(raw)).upper()
    if not _ID_SHAPE.match(s):
        raise CellError("bad_id", "身份证号应为18位（17位数字加一位校验码）")
    if id_check_char(s[:17]) != s[17]:
        raise CellError("check_digit", "身份证号校验位错误，请核对", keep=True, value=s)
    return s


def parse_phone(raw: Any, col: Column | None = None, enums: Any = None) -> str:
    """An 11-digit mobile number (spaces, dashes and +86 allowed)."""
    if isinstance(raw, float) and raw.is_integer():
        s = str(int(raw))
    else:
        s = re.sub(r"[\s\-()（）]", "", normalize(raw))
    if s.startswith("+86"):
        s = s[3:]
    elif s.startswith("86") and len(s) == 13:
        s = s[2:]
    if not re.fullmatch(r"1\d{10}", s):
        raise CellError("bad_phone", "手机号应为以1开头的11位数字")
    return s


# ---------------------------------------------------------------------------
# The registry
# ---------------------------------------------------------------------------

Parser = Callable[[Any, Column | None, Mapping[str, EnumSpec] | None], Any]

PARSERS: dict[str, Parser] = {
    TEXT: parse_text,
    INT: parse_int,
    NUMBER: parse_number,
    DATE: parse_date,
    ENUM: parse_enum,
    BOOL: parse_bool,
    ID: parse_id,
    PHONE: parse_phone,
    CODE: parse_code,
}


def parse(raw: Any, col: Column, enums: Mapping[str, EnumSpec] | None = None) -> Any:
    """The typed value of a non-empty cell of ``col``; raises CellError."""
    return PARSERS[col.kind](raw, col, enums)

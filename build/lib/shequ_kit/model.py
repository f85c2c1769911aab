"""The shapes that flow between stages: problems found in ledgers and a read workbook.

Kept apart from the reader so the indicator engine, the narrative and the batch can use
them without importing any Excel machinery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

ERROR = "错误"
WARNING = "警告"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a ledger, located precisely and already masked.

    ``value`` is never a raw personal value: the reader masks IDs and phones and replaces
    names and free text before a Problem is created, so a Problem can be printed, logged
    and stored anywhere.
    """

    severity: str  # ERROR or WARNING
    kind: str  # stable machine key, e.g. "bad_date", "enum", "check_digit"
    message: str  # Chinese explanation
    file: str = ""  # file name (not the full path)
    sheet: str = ""
    row: int | None = None  # Excel row number, 1-based
    column: str = ""
    value: str = ""  # masked display of the offending value

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def location(self) -> str:
        parts = [p for p in (self.file, self.sheet) if p]
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"{self.column}: \"{self.value}\"" if self.value != "" else self.column)
        return " / ".join(parts)

    def __str__(self) -> str:
        loc = self.location()
        return f"{self.severity}：{loc} {self.message}" if loc else f"{self.severity}：{self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity, "kind": self.kind, "message": self.message,
            "file": self.file, "sheet": self.sheet, "row": self.row,
            "column": self.column, "value": self.value,
        }


class LedgerError(Exception):
    """A workbook that cannot be used at all (cannot be opened, no 基本情况, no population).

    Carries the problems that explain why; the message is Chinese and personal-data free.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("；".join(str(p) for p in problems))


@dataclass
class LedgerBook:
    """One community's workbook for one year, read and validated.

    ``sheets`` maps a canonical sheet name to a DataFrame with canonical column names,
    holding only the rows that passed validation, plus ``_row`` (the Excel row number).
    A sheet that is absent from the workbook (or whose header failed) is absent from
    ``sheets``; a declared optional column that the sheet lacks is absent from its frame.
    Column dtypes: date -> datetime64[ns] (NaT when empty), int -> Int64, number ->
    float64, bool -> boolean, everything else -> object (str or None).

    ``kv`` holds the key-value sheets (基本情况, 平安稳定) as {项目: typed value}; an item
    that is absent or empty is absent from the dict.
    """

    path: Path
    year: int
    community: str
    street: str
    as_of: date
    profile: dict[str, Any]
    sheets: dict[str, pd.DataFrame]
    safety: dict[str, Any] | None = None  # None when the 平安稳定 sheet is absent
    problems: list[Problem] = field(default_factory=list)
    excluded_rows: dict[str, int] = field(default_factory=dict)  # sheet -> rows left out
    # sheet -> personal column -> raw values of the rows left out (for the output guard only)
    rejected_personal: dict[str, dict[str, list[str]]] = field(default_factory=dict,
                                                                repr=False)
    absent_sheets: list[str] = field(default_factory=list)
    missing_columns: dict[str, list[str]] = field(default_factory=dict)
    enums: dict[str, Any] = field(default_factory=dict)  # the EnumSpecs in force (street's)

    @property
    def period_start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def is_half_year(self) -> bool:
        return (self.as_of.month, self.as_of.day) != (12, 31)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    def has(self, sheet: str, column: str | None = None) -> bool:
        """Whether a ledger (and optionally one of its columns) is present."""
        frame = self.sheets.get(sheet)
        if frame is None:
            return False
        return column is None or column in frame.columns

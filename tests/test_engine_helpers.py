"""Workbooks built in memory for the engine tests: typed frames as the reader hands them
over (LedgerBook's contract), so each test states its rows and works its figures by hand.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from shequ_kit.model import LedgerBook
from shequ_kit.schema import BOOL, DATE, INT, NUMBER, SHEETS_BY_NAME

PROFILE = {
    "社区名称": "天运社区", "所属街道": "闸弄口街道", "户数": 3000, "户籍人口": 7000,
    "常住人口": 8000, "流动人口": 2000, "60周岁以上老年人": 1600, "党员数": 200,
    "辖区面积(平方公里)": 0.5, "社区工作者数": 16,
}


def frame(sheet: str, rows: list[dict[str, Any]], columns: list[str] | None = None
          ) -> pd.DataFrame:
    """A ledger as the reader gives it: canonical columns only, typed, ``_row`` added.

    Columns are those named in the rows (or ``columns``), so a test leaves an optional
    column out simply by not writing it.
    """
    spec = SHEETS_BY_NAME[sheet]
    named = columns or [c.name for c in spec.columns if any(c.name in r for r in rows)]
    df = pd.DataFrame([{c: r.get(c) for c in named} for r in rows], columns=named)
    for col in spec.columns:
        if col.name not in df.columns:
            continue
        if col.kind == DATE:
            df[col.name] = pd.to_datetime(df[col.name]).astype("datetime64[ns]")
        elif col.kind == INT:
            df[col.name] = df[col.name].astype("Int64")
        elif col.kind == NUMBER:
            df[col.name] = df[col.name].astype("float64")
        elif col.kind == BOOL:
            df[col.name] = df[col.name].astype("boolean")
        else:
            df[col.name] = df[col.name].astype(object)
    df["_row"] = range(3, 3 + len(df))
    return df


def book(year: int = 2024, as_of: date | None = None, profile: dict[str, Any] | None = None,
         safety: dict[str, Any] | None = None, community: str = "天运社区",
         street: str = "闸弄口街道", enums: dict[str, Any] | None = None,
         **sheets: list[dict[str, Any]] | pd.DataFrame) -> LedgerBook:
    """A LedgerBook; each keyword is a sheet name with its rows (or a ready frame)."""
    frames = {name: rows if isinstance(rows, pd.DataFrame) else frame(name, rows)
              for name, rows in sheets.items()}
    return LedgerBook(
        path=Path(f"{community}.xlsx"), year=year, community=community, street=street,
        as_of=as_of or date(year, 12, 31),
        profile=dict(PROFILE if profile is None else profile),
        sheets=frames, safety=safety, enums=dict(enums or {}),
    )


def activity(day: str, line: str = "党建", kind: str = "会议学习", people: int = 10,
             **extra: Any) -> dict[str, Any]:
    return {"日期": day, "条线": line, "活动名称": "活动", "活动类型": kind, "参与人次": people,
            **extra}

"""The report's period in words, and how much of the year it covers.

A summary as of 30 June is a 上半年 report: it must never say 全年 or 年度目标, and an
annual count target (全年开展活动不少于120场次) cannot be 未完成 at mid-year when half the
year has gone and half the sessions are done. The genre judges such targets against
序时进度 (时间过半、任务过半). Every module that speaks of the period (narrative, drafting,
targets, the street overview) takes its words from here, so the annual and the mid-year
wording live in one YAML file (``rules/period.yaml``) and cannot drift apart.
"""

from __future__ import annotations

import calendar
import copy
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import yamltext

__all__ = ["PERIOD_FILE", "period_key", "period_word", "elapsed_share", "words", "pace_words",
           "status_text", "report_as_of"]

PERIOD_FILE = Path(__file__).resolve().parent / "rules" / "period.yaml"

ANNUAL, FIRST_HALF, MID_YEAR = "年度", "上半年", "年中"


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return yamltext.load(PERIOD_FILE.read_text(encoding="utf-8"))


def _as_date(as_of: date | str) -> date:
    return as_of if isinstance(as_of, date) else date.fromisoformat(str(as_of)[:10])


def report_as_of(facts: Any) -> str:
    """The as-of date that names a report's period: its own for a half-year report,
    31 December for an annual one (CommunityFacts or StreetFacts)."""
    return str(facts.as_of) if facts.half_year else f"{facts.year}-12-31"


def period_key(as_of: date | str) -> str:
    """年度 (as of 31 December), 上半年 (30 June) or 年中 (any other date)."""
    d = _as_date(as_of)
    if (d.month, d.day) == (12, 31):
        return ANNUAL
    return FIRST_HALF if (d.month, d.day) == (6, 30) else MID_YEAR


def period_word(as_of: date | str) -> str:
    """全年 / 上半年 / 今年以来: the word a sentence about the period opens with."""
    return str(_data()["期间"][period_key(as_of)])


def elapsed_share(as_of: date | str) -> float:
    """The share of the year gone by the as-of date, counted in months: whole months ÷ 12,
    the as-of month by its days gone. 30 June gives exactly 0.5, as 时间过半 says; 31
    December gives 1."""
    d = _as_date(as_of)
    days = calendar.monthrange(d.year, d.month)[1]
    return min(1.0, ((d.month - 1) + d.day / days) / 12)


def words(as_of: date | str) -> dict[str, Any]:
    """The phrases of this period (目标标题, 无目标, 无问题, 查漏补缺, 未完成, 目标任务,
    下一阶段, 状态), with {期间} filled in."""
    key = ANNUAL if period_key(as_of) == ANNUAL else "年中"
    out = copy.deepcopy(_data()[key])
    pw = period_word(as_of)
    return {k: v.replace("{期间}", pw) if isinstance(v, str) else v for k, v in out.items()}


def pace_words() -> dict[str, Any]:
    """The phrases of 序时进度 (状态, 应完成, 完成比例, 未完成, 说明)."""
    return copy.deepcopy(_data()["序时进度"])


def status_text(target: dict[str, Any]) -> str:
    """What the leader reads in a target's 完成情况: 完成/未完成 in the annual report;
    at mid-year 达到序时进度/未达序时进度 for a target judged on its due share, and
    已达标/暂未达标 for the others (a rate at 90% of 95% is not yet 未完成 in June).
    The evaluated target carries ``pace`` and ``elapsed`` (targets.evaluate), so the
    words follow from the target alone."""
    status = str(target.get("status") or "")
    if target.get("pace"):
        return str(pace_words()["状态"].get(status, status))
    elapsed = target.get("elapsed")
    if isinstance(elapsed, (int, float)) and elapsed < 1:
        return str(_data()["年中"]["状态"].get(status, status))
    return status

"""Everything a report says about one community, as plain JSON-able data.

``CommunityFacts`` is the hand-over between the numbers (ledgers, indicators, targets) and
the words and pictures (narrative, charts, notebooks). It holds no personal data by
construction: only 基本情况 figures, indicator rows in the JSON form of indicators.md,
evaluated targets, data-quality counts and the merged parameters. The batch computes it
once per community and hands it to the notebook as JSON, so a kernel never re-reads the
ledgers it does not need to.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from . import sources


def _without_default_period(data: dict[str, Any]) -> dict[str, Any]:
    """The default period (None) is not written: the facts of a default run stay the
    same JSON as before periods existed (fingerprints, handed-over facts)."""
    if data.get("period") is None:
        data.pop("period", None)
    if not data.get("trace"):  # 数据溯源 only where a 底稿 is written
        data.pop("trace", None)
    return data


def _cond_key(condition: dict[str, str] | None) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((condition or {}).items()))


@dataclass
class CommunityFacts:
    """One community, one period.

    indicators: rows in the JSON form of indicators.md (``id``, ``name``, ``unit``,
        ``value``, ``numerator``, ``denominator``, ``previous``, optional ``condition``,
        optional ``target``/``status``/``gap``/``gap_text``), plus ``better`` (↑ ↓ —) and
        ``previous_numerator``/``previous_denominator`` where known.
    targets: evaluated targets in the order of the parameters, each a dict with keys
        指标, 名称, 条件 (dict or None), 目标 (as written), value, previous, unit, status
        (完成/未完成/未达预期/无法评估/定性目标), reason (for 无法评估), gap, gap_text,
        soft (bool), kind (the grammar form, e.g. "at_least", "every_month").
    quality: {"ledgers_used": [...], "ledgers_absent": [...], "ledgers_empty": [...]
        (header only), "missing_columns": {sheet: [...]}, "excluded_rows": {sheet: n},
        "errors_by_kind": {message: n}, "warnings_by_kind": {message: n}, "has_previous":
        bool, "target_warnings": [Problem.to_dict() of targets whose 条件 found rows only
        under another value, for the 数据核对单]}.
    params: the merged parameters of report.md (指导思想, 中心工作, 特色亮点, 荣誉, 共驻共建,
        存在问题, 补充问题, 下一步工作打算, 落款日期, 版块, 问题规则, 问题选项, 领导机关 …).
    events: the activities the summary names (events.activity_events): {"by_line":
        {条线: [event…]}, "largest": [event…]}, each event {name, line, times,
        participants, largest, months, recurring, monthly}; names already checked
        against the personal-data index. Empty without an 活动台账.
    period: the period the run named (period.Period.to_dict: kind, key, label, start,
        end, share, note, words), None for the default (the year up to the as-of date,
        period.describe gives its dict). With a period, ``period_start``/``as_of`` are the
        window's (cut at the workbook's as-of date) and ``half_year`` is True for any
        window short of the whole year (judged by 序时进度); indicator rows carry 环比
        (``prior``, ``prior_label``, ``prior_change``).
    history: the multi-year series of the declared trend indicators (history.py):
        {"years": [2022, 2023, 2024], "series": {indicator id: [value per year]},
        "gaps": [years without a workbook], "window": ["01-01", "12-31"], "parts"?,
        "unreadable"?}; {} with fewer than three years, so a report without earlier
        ledgers reads exactly as before.
    """

    community: str
    street: str
    year: int
    period_start: str  # ISO date
    as_of: str  # ISO date
    half_year: bool
    profile: dict[str, Any]
    safety: dict[str, Any] | None
    indicators: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    quality: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    events: dict[str, Any] = field(default_factory=dict)
    period: dict[str, Any] | None = None
    history: dict[str, Any] = field(default_factory=dict)
    # 数据溯源 (trace.trace_rows): {trace_key: [[role, ledger, "5-40,42", n], …]} for the
    # figures a document states; filled by the batch when it writes the 底稿, else empty.
    trace: dict[str, Any] = field(default_factory=dict)

    # -- look-ups ----------------------------------------------------------------------
    def row(self, indicator_id: str, condition: dict[str, str] | None = None) -> dict | None:
        """The indicator row for an id (and condition), or None when not computed."""
        key = _cond_key(condition)
        for r in self.indicators:
            if r["id"] == indicator_id and _cond_key(r.get("condition")) == key:
                sources.note_row(r, self.trace)  # the words may state it (数据溯源)
                return r
        return None

    def value(self, indicator_id: str, condition: dict[str, str] | None = None) -> Any:
        """The value, or None for 无数据 (also when the indicator was not computed)."""
        r = self.row(indicator_id, condition)
        return None if r is None else r.get("value")

    def previous(self, indicator_id: str, condition: dict[str, str] | None = None) -> Any:
        r = self.row(indicator_id, condition)
        return None if r is None else r.get("previous")

    def prior(self, indicator_id: str, condition: dict[str, str] | None = None) -> Any:
        """环比: the value over the window before (None without a period or a ledger)."""
        r = self.row(indicator_id, condition)
        return None if r is None else r.get("prior")

    @property
    def title(self) -> str:
        if self.period:
            return f"{self.community}{self.period['words']['标题词']}工作总结"
        return f"{self.community}{self.year}年{'上半年' if self.half_year else '度'}工作总结"

    @property
    def as_of_date(self) -> date:
        return date.fromisoformat(self.as_of)

    # -- serialisation -----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return _without_default_period(asdict(self))

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, default=str)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CommunityFacts:
        return cls(**data)

    @classmethod
    def from_json(cls, text: str) -> CommunityFacts:
        return cls.from_dict(json.loads(text))


@dataclass
class StreetFacts:
    """A street's communities and its totals (pooled rates), for the 年度社区工作汇总."""

    street: str
    year: int
    as_of: str
    half_year: bool
    communities: list[CommunityFacts]
    totals: list[dict[str, Any]]  # JSON-form rows with level == "street"
    failed: dict[str, str] = field(default_factory=dict)  # community -> Chinese reason
    period: dict[str, Any] | None = None  # as CommunityFacts.period
    history: dict[str, Any] = field(default_factory=dict)  # history.street_history
    # 数据溯源 of the street totals: {trace_key: [[role, "社区·台账", "5-40", n], …]}, and
    # per community {"社区:trace_key": …}; filled by the batch, else empty.
    trace: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        if self.period:
            return f"{self.street}{self.period['words']['标题词']}社区工作汇总"
        return f"{self.street}{self.year}年{'上半年' if self.half_year else '度'}社区工作汇总"

    def to_json(self) -> str:
        data = _without_default_period(asdict(self))
        data["communities"] = [_without_default_period(c) for c in data["communities"]]
        return json.dumps(data, ensure_ascii=False, default=str)

    @classmethod
    def from_json(cls, text: str) -> StreetFacts:
        data = json.loads(text)
        data["communities"] = [CommunityFacts.from_dict(c) for c in data["communities"]]
        return cls(**data)

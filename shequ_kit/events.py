"""Named activities: which 活动名称 of the 活动台账 a summary quotes, per 条线.

A summary that only counts ("党建类活动22场次") reads like a table; the genre names the
work ("组织了一系列活动，如：腊八节为老党员送腊八粥、迎新年春茶话会…"). This module picks,
from the ledger itself, the activities worth naming: the ones held again and again
(normalised names, so 3月主题党日活动 and 4月主题党日活动 are one) and the largest by
参与人次. It runs in the assembly layer, once, and hands plain JSON-able data to the words
(``CommunityFacts.events``), so a notebook never re-reads the ledger.

A name that holds a resident's name, ID or phone number (``privacy.PersonalIndex``) is
never chosen: the guard refuses names only as whole values, but a summary quoting
"为张建国老人祝寿" would still carry a resident's name into print. How many names, what
counts as recurring and how long a name may be are data (``rules/events.yaml``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from . import yamltext
from .catalogue import ACT, Rows, Scope
from .model import LedgerBook

__all__ = ["EVENT_RULES_FILE", "event_rules", "display_name", "name_key", "activity_events"]

EVENT_RULES_FILE = Path(__file__).resolve().parent / "rules" / "events.yaml"

OTHER_LINE = "其他"

_BRACKETS = re.compile(r"[（(][^（）()]*[）)]")
_SUBTITLE = re.compile(r"——|--|－－|—|：|:")
_SLOGAN = re.compile(r"“[^“”]*”")
_CJK_SPACE = re.compile(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])")
_QUOTES = re.compile(r"[“”\"'‘’「」『』\s]")


class _Personal(Protocol):
    def find_in_text(self, text: str) -> list[str]: ...

    def contains_name(self, text: str) -> bool: ...


@lru_cache(maxsize=1)
def event_rules() -> dict[str, Any]:
    """The shipped thresholds and wording of rules/events.yaml (read once)."""
    return yamltext.load(EVENT_RULES_FILE.read_text(encoding="utf-8"))


def _chinese_quotes(text: str) -> str:
    """"元宵" and 「元宵」 become “元宵”: the genre's quotes around a title."""
    for left, right in (("「", "」"), ("『", "』")):
        text = text.replace(left, "“").replace(right, "”")
    for mark in ("\"", "'"):
        parts = text.split(mark)
        if len(parts) % 2 == 1 and len(parts) > 1:  # balanced pairs only
            text = "".join(p if i % 2 == 0 else f"“{p}”" for i, p in enumerate(parts))
    return text


def display_name(raw: Any, community: str = "", max_len: int = 18) -> str | None:
    """The 活动名称 as the summary quotes it, or None when it cannot be quoted well.

    The community's own name in front is dropped (the summary is the community's own);
    a name longer than ``max_len`` loses its bracketed notes, then a subtitle after a dash
    or colon, then a quoted slogan; still too long, it is not quoted rather than cut
    mid-word.
    """
    if raw is None or (isinstance(raw, float) and pd.isna(raw)):
        return None
    text = _chinese_quotes(re.sub(r"\s+", " ", str(raw)).strip())
    if community and text.startswith(community) and len(text) > len(community) + 1:
        text = text[len(community):].lstrip(" ，,、")
    if len(text) > max_len:
        text = _BRACKETS.sub("", text).strip()
    if len(text) > max_len:
        head = _SUBTITLE.split(text)[0].strip()
        text = head if len(head) >= 4 else text
    if len(text) > max_len:
        # “人人讲安全 个个会应急”安全生产月宣传: the slogan goes, the activity stays.
        plain = _SLOGAN.sub("", text).strip()
        text = plain if len(plain) >= 4 else text
    if not text or len(text) > max_len or len(text) < 2:
        return None
    # “快乐暑假 安全相伴”: a space between two Chinese words is set as the ideographic
    # space, which justified print does not stretch into a gap.
    return _CJK_SPACE.sub("\u3000", text)


def _unmarked(name: str, patterns: list[str] | tuple[str, ...]) -> str:
    """The name without its month, year or 第N期 (3月主题党日活动 → 主题党日活动)."""
    for p in patterns:
        name = re.sub(p, "", name)
    return name.strip() or name


def name_key(name: str, patterns: list[str] | tuple[str, ...] = ()) -> str:
    """The name an activity is recognised by when it recurs: month, year and 第N期 dropped,
    quotes and spaces ignored."""
    return _QUOTES.sub("", _unmarked(name, patterns)).lower()


def _months_in_period(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


@dataclass
class _Group:
    line: str
    names: Counter = field(default_factory=Counter)
    unmarked: Counter = field(default_factory=Counter)
    times: int = 0
    participants: int = 0
    largest: int = 0
    months: set[tuple[int, int]] = field(default_factory=set)
    first: Any = None

    def entry(self, recurring: bool, monthly: bool) -> dict[str, Any]:
        # Held more than once, it is named without the month of any one time.
        name = (self.unmarked if self.times > 1 else self.names).most_common(1)[0][0]
        return {"name": name, "line": self.line, "times": self.times,
                "participants": self.participants, "largest": self.largest,
                "months": len(self.months), "recurring": recurring, "monthly": monthly}


def _int(v: Any) -> int:
    try:
        return 0 if v is None or pd.isna(v) else int(v)
    except (TypeError, ValueError):
        return 0


def _quotable(raw: str, personal: _Personal | None) -> bool:
    if personal is None:
        return True
    return not personal.find_in_text(raw) and not personal.contains_name(raw)


def activity_events(book: LedgerBook, personal: _Personal | None = None,
                    rules: dict[str, Any] | None = None,
                    window: tuple[date, date] | None = None) -> dict[str, Any]:
    """The activities a summary names: ``{"by_line": {条线: [event…]}, "largest": [event…]}``.

    Each event is ``{name, line, times (场次), participants (Σ 参与人次), largest (the
    largest single 参与人次), months, recurring, monthly}``. ``largest`` holds the year's
    biggest one-off activities (for the overview paragraph); the per-条线 lists leave
    those out so no name is told twice. Rows outside the period, and names that cannot
    be quoted (personal data, too long), are never chosen. Empty without the ledger.
    ``window`` (first day, last day) is a period the run named; within a single month
    nothing is 每月开展.
    """
    r = rules or event_rules()
    df = book.sheets.get(ACT)
    if df is None or not {"日期", "条线", "活动名称"} <= set(df.columns):
        return {}
    scope = Scope(book) if window is None else Scope(book, as_of=window[1], start=window[0],
                                                     windowed=True)
    rows = Rows(ACT, "日期")(scope)
    max_len = int(r.get("名称最长", 18))
    patterns = list(r.get("归一去除") or [])
    groups: dict[tuple[str, str], _Group] = {}
    for rec in rows.to_dict("records"):
        line = rec.get("条线")
        raw = rec.get("活动名称")
        if not isinstance(line, str) or raw is None or not str(raw).strip():
            continue
        name = display_name(raw, book.community, max_len)
        if name is None or not _quotable(str(raw), personal):
            continue
        g = groups.setdefault((line, name_key(name, patterns)), _Group(line))
        people = _int(rec.get("参与人次"))
        g.names[name] += 1
        g.unmarked[_unmarked(name, patterns)] += 1
        g.times += 1
        g.participants += people
        g.largest = max(g.largest, people)
        when = pd.Timestamp(rec["日期"])
        g.months.add((when.year, when.month))
        g.first = when if g.first is None else min(g.first, when)

    span = _months_in_period(scope.start, scope.as_of)
    min_times = int(r.get("重复开展最少场次", 3))
    monthly_share = float(r.get("每月开展月份比例", 0.9))

    def recurring(g: _Group) -> bool:
        return g.times >= min_times

    def monthly(g: _Group) -> bool:
        if window is not None and span < 2:
            return False
        return recurring(g) and len(g.months) >= monthly_share * span

    def by_size(g: _Group) -> tuple:
        return (-g.largest, -g.participants, g.first, g.names.most_common(1)[0][0])

    def by_repeat(g: _Group) -> tuple:
        return (-g.times, -g.participants, g.first, g.names.most_common(1)[0][0])

    singles = [g for g in groups.values() if g.times == 1]
    overview = sorted(singles, key=by_size)[:int(r.get("概述最多", 3))]
    taken = {id(g) for g in overview}
    per_line = int(r.get("每条线最多", 3))
    by_line: dict[str, list[dict[str, Any]]] = {}
    for line in sorted({g.line for g in groups.values()}):
        mine = [g for g in groups.values() if g.line == line and id(g) not in taken]
        rec_ = sorted((g for g in mine if recurring(g)), key=by_repeat)
        rest = sorted((g for g in mine if not recurring(g)), key=by_size)
        # Recurring work first, but leave room for the largest one-off activity.
        keep = rec_[:per_line - 1] if rest else rec_[:per_line]
        keep += rest[:per_line - len(keep)]
        if len(keep) < per_line:
            keep += [g for g in rec_ if all(g is not k for k in keep)][:per_line - len(keep)]
        if keep:
            by_line[line] = [g.entry(recurring(g), monthly(g)) for g in keep]
    return {"by_line": by_line,
            "largest": [g.entry(False, False) for g in overview]}

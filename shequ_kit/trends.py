"""近三年来: the multi-year look-back of a summary and a street overview, in the genre's words.

Where three or more years of ledgers exist (``facts.history``, history.py), a summary
looks back as seed 000's 篇12 does: 近三年来，社区开展活动场次逐年增长，由2022年的96场次增加
到2024年的143场次，较2022年增长49.0%. Every phrase is data (``rules/trends.yaml``) and the
claims are held to what the figures show: 逐年/连续 only for years without a break, and
连续N年增长 counts the years that grew over the one before (three years of ledgers show two
such years, so they read 逐年增长); a gap in the years is said, not bridged; a count that
started under 10 (or at 0) changes by a number, never by a percentage, as the 同比 rules
of drafting.py write a small base; a figure that ends at 0 or 无数据 is left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import period as periods
from .catalogue import CATALOGUE
from .history import trend_rules
from .numfmt import (
    cn_number,
    fmt_quantity,
    is_rate_unit,
    pp_change,
    relative_change,
    round_half_up,
)

if TYPE_CHECKING:
    from .facts import CommunityFacts, StreetFacts
    from .narrative import Paragraph, Section

    Facts = CommunityFacts | StreetFacts

__all__ = ["has_trend", "trend_text", "trend_paragraph", "trend_section", "trend_series",
           "trend_title", "notes_text", "indicator_phrase", "shape", "year_labels"]


def _words() -> dict[str, Any]:
    return trend_rules()["措辞"]


def _fill(template: str, **values: Any) -> str:
    out = template
    for k, v in values.items():
        out = out.replace("{" + k + "}", str(v))
    return out


def _window(facts: Facts) -> list[str]:
    return list((facts.history or {}).get("window") or ["01-01", "12-31"])


def _mid_year(facts: Facts) -> bool:
    """Each year counted over part of it (a half year, a year up to a June as-of date):
    the years are named 2022年同期, never as whole years."""
    if (facts.history or {}).get("window"):
        return _window(facts)[:2] != ["01-01", "12-31"]
    return periods.period_key(periods.report_as_of(facts)) != periods.ANNUAL


def year_labels(facts: Facts) -> list[str]:
    """The chart's year labels: 2022年, or 2022年1-6月 when each year counts part of it."""
    years = list((facts.history or {}).get("years") or [])
    if not _mid_year(facts):
        return [f"{y}年" for y in years]
    start, end = _window(facts)[:2]
    months = f"{int(start[:2])}-{int(end[:2])}月" if start[:2] != end[:2] else f"{int(end[:2])}月"
    return [f"{y}年{months}" for y in years]


def _consecutive(years: list[int], current: int) -> bool:
    return bool(years) and years == list(range(years[0], years[0] + len(years))) \
        and years[-1] == current


def _is_ratio_id(indicator_id: str) -> bool:
    tail = indicator_id.split(".")[-1]
    return tail.startswith(("avg_", "per_")) or "_per_" in tail


def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _shown(value: Any, unit: str | None, ratio: bool) -> str:
    return fmt_quantity(value, unit, ratio=ratio)


def shape(values: list[float], shown: list[str] | None = None) -> str:
    """The run of a series: 上升 (every year up), 下降, 持平, 先降后升, 先升后降, 总体上升 /
    总体下降 (up or down with a year that stood still), 波动. Two years written the same
    (63.5% and 63.5%) stand still, whatever their unrounded figures."""
    shown = shown or [str(v) for v in values]
    steps = []
    for i in range(1, len(values)):
        if shown[i] == shown[i - 1]:
            steps.append(0)
        else:
            steps.append(1 if values[i] > values[i - 1] else -1)
    moves = [s for s in steps if s]
    if not moves:
        return "持平"
    if all(s == 1 for s in steps):
        return "上升"
    if all(s == -1 for s in steps):
        return "下降"
    if all(s == 1 for s in moves):
        return "总体上升"
    if all(s == -1 for s in moves):
        return "总体下降"
    turns = sum(1 for a, b in zip(moves, moves[1:], strict=False) if a != b)
    if turns == 1:
        return "先降后升" if moves[0] == -1 else "先升后降"
    return "波动"


def _comparison(first: float, last: float, unit: str | None, ratio: bool, label: str,
                rules: dict[str, Any]) -> str:
    """较2022年增长49.0% / 较2022年增加5人 (small base) / 较2022年提高3.2个百分点."""
    words = rules["措辞"]["比较"]
    if is_rate_unit(unit):
        points = round_half_up(pp_change(last, first), 1)
        if points == 0:
            return _fill(words["持平"], 首期=label)
        key = "提高" if points > 0 else "降低"
        return _fill(words[key], 首期=label, 幅度=abs(points))
    base = float(rules.get("最小基数", 10))
    rel = relative_change(last, first)
    if rel is None or (not ratio and abs(first) < base):
        diff = last - first
        if _shown(abs(diff), unit, ratio) == _shown(0, unit, ratio):
            return _fill(words["持平"], 首期=label)
        key = "增加" if diff > 0 else "减少"
        return _fill(words[key], 首期=label, 差数=_shown(abs(diff), unit, ratio))
    pct = round_half_up(rel * 100, 1)
    if pct == 0:
        return _fill(words["持平"], 首期=label)
    key = "增长" if pct > 0 else "下降"
    return _fill(words[key], 首期=label, 幅度=f"{abs(pct)}%")


def _year_label(facts: Facts, year: int) -> str:
    kind = "年中" if _mid_year(facts) else "年度"
    return _fill(_words()["年份"][kind], 年=year)


def indicator_phrase(facts: Facts, indicator_id: str, name: str | None = None) -> str | None:
    """One indicator's look-back (走势 and 与首年比较), or None when it cannot honestly be
    said: fewer than 最少年数 years with a figure, or a last year of 0 or 无数据."""
    rules = trend_rules()
    history = facts.history or {}
    years = list(history.get("years") or [])
    values = list((history.get("series") or {}).get(indicator_id) or [])
    ind = CATALOGUE.get(indicator_id)
    if ind is None or len(values) != len(years):
        return None
    pairs = [(y, v) for y, v in zip(years, values, strict=True) if _num(v)]
    if len(pairs) < int(rules["最少年数"]) or pairs[-1][0] != facts.year or pairs[-1][1] <= 0:
        return None
    ys, vs = [y for y, _ in pairs], [v for _, v in pairs]
    unit, ratio = ind.unit, _is_ratio_id(indicator_id)
    shown = [_shown(v, unit, ratio) for v in vs]
    words = rules["措辞"]
    verbs = words["动词"]["比率" if is_rate_unit(unit) else "计数"]
    first_label, last_label = _year_label(facts, ys[0]), _year_label(facts, ys[-1])
    fill = {"名称": name or ind.name, "首期": first_label, "首值": shown[0],
            "末期": last_label, "末值": shown[-1], **verbs}
    forms = words["形态"]
    if vs[0] == 0:
        return _fill(forms["从无到有"], **fill)
    run = shape(vs, shown)
    if not _consecutive(ys, facts.year):
        # A gap: only first and last are compared, and nothing is said of the years between.
        run = {"上升": "总体上升", "下降": "总体下降", "先降后升": "波动",
               "先升后降": "波动"}.get(run, run)
        if run == "波动":
            run = "总体上升" if vs[-1] > vs[0] else "总体下降" if vs[-1] < vs[0] else "持平"
    steps = len(vs) - 1
    if run in ("上升", "下降"):
        key = ("连续" if steps >= 3 else "逐年") + run
        text = _fill(forms[key], 步数=cn_number(steps), **fill)
    elif run == "持平" and _consecutive(ys, facts.year):
        return _fill(forms["持平"], **fill)
    elif run == "持平":
        text = _fill(forms["总体持平"], **fill)
    else:
        text = _fill(forms[run], **fill)
    return f"{text}，{_comparison(vs[0], vs[-1], unit, ratio, first_label, rules)}"


def _declared() -> list[tuple[str, str | None]]:
    out = []
    for entry in trend_rules()["指标"]:
        if isinstance(entry, dict):
            out.append((str(entry["指标"]), entry.get("名称")))
        else:
            out.append((str(entry), None))
    return out


def has_trend(facts: Facts) -> bool:
    return trend_text(facts) is not None


def _lead(facts: Facts) -> str:
    history = facts.history or {}
    years = list(history.get("years") or [])
    words = _words()
    kind = "年中" if _mid_year(facts) else "年度"
    if _consecutive(years, facts.year):
        return _fill(words["开头"][kind]["连续"], 年数=cn_number(len(years)))
    return _fill(words["开头"][kind]["不连续"], 首年=years[0])


def _subject(facts: Facts) -> str:
    subjects = _words()["主体"]
    if hasattr(facts, "communities"):
        return _fill(subjects["街道"], 街道=getattr(facts, "street", ""))
    return str(subjects["社区"])


def trend_text(facts: Facts) -> str | None:
    """The paragraph (近三年来，社区…；…。), or None without a trend worth saying."""
    history = facts.history or {}
    if not history.get("years"):
        return None
    limit = int(trend_rules().get("段落上限", 3))
    clauses = []
    for iid, name in _declared():
        phrase = indicator_phrase(facts, iid, name)
        if phrase:
            clauses.append(phrase)
        if len(clauses) >= limit:
            break
    if not clauses:
        return None
    lead = _lead(facts)
    gaps = [y for y in history.get("gaps") or [] if y > history["years"][0]]
    if gaps:
        lead += _fill(_words()["缺年"], 缺年="、".join(str(y) for y in gaps))
    return f"{lead}，{_subject(facts)}{'；'.join(clauses)}。"


def trend_title(facts: Facts, key: str = "小节标题") -> str:
    """近三年工作成效 / 2021年以来主要工作数据 (``key``: 小节标题 or 图表标题)."""
    history = facts.history or {}
    years = list(history.get("years") or [])
    words = _words()[key]
    if years and _consecutive(years, facts.year):
        return _fill(words["连续"], 年数=cn_number(len(years)))
    return _fill(words["不连续"], 首年=years[0] if years else facts.year)


def trend_paragraph(facts: Facts) -> Paragraph | None:
    from .narrative import Paragraph

    text = trend_text(facts)
    return None if text is None else Paragraph(text)


def trend_section(facts: Facts, number: int, level: int = 2) -> Section | None:
    """The look-back as a numbered sub-section of 主要工作及成效 （N）近三年工作成效, with
    the trend chart after it; None without a trend."""
    from .narrative import Section
    from .numfmt import paren_ordinal

    paragraph = trend_paragraph(facts)
    if paragraph is None:
        return None
    charts = ["trend"] if trend_series(facts) else []
    return Section("work.trend", f"{paren_ordinal(number)}{trend_title(facts)}", level=level,
                   blocks=[paragraph], charts=charts)


def trend_series(facts: Facts) -> list[dict[str, Any]]:
    """What the trend chart draws: the declared 图表指标 with a figure in at least
    最少年数 years, each {id, name, unit, ratio, labels, values}."""
    rules = trend_rules()
    history = facts.history or {}
    years = list(history.get("years") or [])
    names = dict(_declared())
    out = []
    for iid in rules.get("图表指标") or []:
        ind = CATALOGUE.get(iid)
        values = (history.get("series") or {}).get(iid) or []
        if ind is None or len(values) != len(years):
            continue
        if sum(1 for v in values if _num(v)) < int(rules["最少年数"]) or not _num(values[-1]):
            continue
        out.append({"id": iid, "name": ind.name, "label": names.get(iid) or ind.name,
                    "unit": ind.unit, "ratio": _is_ratio_id(iid),
                    "labels": year_labels(facts), "values": values})
    return out[:4]


def notes_text(facts: Facts) -> str | None:
    """The 数据说明 line: which years and window the look-back counts, and any earlier
    workbook that would not open."""
    if trend_text(facts) is None:
        return None
    history = facts.history
    words = _words()
    years = history["years"]
    start, end = (history.get("window") or ["01-01", "12-31"])[:2]
    window = f"{int(start[:2])}月{int(start[3:])}日至{int(end[:2])}月{int(end[3:])}日"
    text = _fill(words["数据说明"], 年份="、".join(f"{y}年" for y in years), 窗口=window)
    unread = history.get("unreadable") or []
    if unread:
        text += _fill(words["未计入"], 年份="、".join(str(y) for y in unread))
    return text

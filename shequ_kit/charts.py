"""The summary's pictures, drawn from CommunityFacts and StreetFacts only.

Leadership reads these charts on an A4 page, in print, often in black and white copies,
so every chart keeps one house style: 16 cm wide, 9-10 pt Chinese labels in the SC face,
two to four muted colours, the figures written where the eye needs them, last year's
figures beside this year's (同比) whenever the facts carry them, and nothing else.

Each chart is declared once in ``CHARTS`` (its key, title, scope, the indicators it
draws and its drawing function); the report notebooks ask for a chart by key. A chart
whose figures are 无数据 is not drawn at all (``draw`` returns None): a bar of 0 would
claim a count that nobody made.

Figures are built with the object API (``Figure()``, never pyplot's global state), so a
kernel drawing a whole street's charts keeps no figure alive, and the same facts always
give the same PNG bytes.
"""

from __future__ import annotations

import contextlib
import io
import math
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator

from . import fonts, period
from .drafting import target_actual_text, target_label
from .facts import CommunityFacts, StreetFacts
from .numfmt import fmt_amount, fmt_pct, fmt_ratio, plain_number, yoy_phrase

__all__ = [
    "Chart",
    "CHARTS",
    "ChartError",
    "draw",
    "to_png",
    "png",
    "indicator_bar",
    "RANKING_DEFAULTS",
    "HEATMAP_DEFAULTS",
]

# -- house style -------------------------------------------------------------------------

CM = 1 / 2.54
WIDTH_CM = 16.0
DPI = 200

THIS_YEAR = "#3f6e8e"  # muted steel blue: this year's figures
LAST_YEAR = "#b9c7d3"  # pale blue-grey: last year's, behind
SHORT = "#b4583f"  # muted brick: what is missing (未整改, 未完成, 无活动的月份)
SOFT = "#c9a04a"  # muted ochre: 未达预期 (a soft target short of hope)
INK = "#262626"
MUTED_INK = "#5f5f5f"
GRID = "#e4e4e4"

_BASE_RC: dict[str, Any] = {
    "font.size": 9,
    "axes.titlesize": 9.5,
    "axes.titleweight": "normal",
    "axes.titlelocation": "center",
    "axes.titlepad": 6,
    "figure.titlesize": 10.5,
    "figure.titleweight": "bold",
    "axes.labelsize": 9,
    "axes.labelcolor": INK,
    "axes.edgecolor": "#8c8c8c",
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "axes.grid": False,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.major.size": 2.5,
    "ytick.major.size": 2.5,
    "text.color": INK,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "legend.handlelength": 1.2,
    "legend.handleheight": 0.8,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "figure.constrained_layout.h_pad": 0.06,
    "figure.constrained_layout.w_pad": 0.06,
    "svg.hashsalt": "shequ-kit",
    "path.simplify": True,
}

VALUE_LABEL_SIZE = 8.5


def _style() -> dict[str, Any]:
    return {**_BASE_RC, **fonts.rc_params()}


class ChartError(ValueError):
    """A chart asked for by a key that does not exist or for the wrong kind of facts."""


@dataclass(frozen=True)
class Chart:
    """One chart of the report: ``sources`` are the indicator ids it draws from."""

    key: str
    title: str
    scope: str  # "community" | "street" | "any" (either kind of facts)
    sources: tuple[str, ...]
    draw: Callable[..., Figure | None]


CHARTS: dict[str, Chart] = {}


def _chart(key: str, title: str, scope: str, sources: Sequence[str]
           ) -> Callable[[Callable[..., Figure | None]], Callable[..., Figure | None]]:
    def register(fn: Callable[..., Figure | None]) -> Callable[..., Figure | None]:
        CHARTS[key] = Chart(key, title, scope, tuple(sources), fn)
        return fn
    return register


# -- small helpers -----------------------------------------------------------------------

def _is_num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _new_figure(title: str, height_cm: float, **subplots: Any) -> tuple[Figure, Any]:
    fig = Figure(figsize=(WIDTH_CM * CM, height_cm * CM), layout="constrained")
    FigureCanvasAgg(fig)
    fig.set_label(title)
    fig.suptitle(title)
    axes = fig.subplots(**subplots) if subplots else fig.subplots()
    return fig, axes


def _year_labels(year: int, half_year: bool, as_of: str) -> tuple[str, str]:
    """Legend words for this period and the same window of last year."""
    if half_year or not as_of.endswith("-12-31"):
        month = int(as_of[5:7])
        return f"{year}年1-{month}月", f"{year - 1}年同期"
    return f"{year}年", f"{year - 1}年"


def _labels_of(facts: CommunityFacts) -> tuple[str, str]:
    own = getattr(facts, "period", None)
    if own and own["kind"] != period.YEAR:  # 2024年第三季度 beside 上年同期
        return str(own["label"]), f"{facts.year - 1}年同期"
    return _year_labels(facts.year, facts.half_year, facts.as_of)


def _tick_names(facts: CommunityFacts) -> tuple[str, str]:
    """The two bars' names under a narrow panel: a named period's label is too long to sit
    beside 上年同期 on one line (2024年第15周（4月8日—4月14日）), so it drops the dates the
    caption already gives and breaks after the year (2024年 / 第15周 beside 2023年 / 同期)."""
    own = getattr(facts, "period", None)
    if not own or own["kind"] == period.YEAR:
        return _labels_of(facts)
    words = own.get("words") or {}
    short = str(words.get("标题词") or own["label"])
    return short.replace("年", "年\n", 1), f"{facts.year - 1}年\n同期"


def _breakdown(facts: CommunityFacts, indicator_id: str
               ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """This year's and last year's breakdown dicts (None for 无数据)."""
    cur, prev = facts.value(indicator_id), facts.previous(indicator_id)
    if not isinstance(cur, dict) or not any(_is_num(v) for v in cur.values()):
        return None, None
    if not isinstance(prev, dict) or not any(_is_num(v) for v in prev.values()):
        prev = None
    return cur, prev


def _short(value: Any, unit: str | None) -> str:
    """A figure as a chart label writes it: 96, 63.5%, 1.34万元, 11.8."""
    if not _is_num(value):
        return "无数据"
    if unit == "%":
        return fmt_pct(value)
    if unit == "元":
        return fmt_amount(value)
    if float(value).is_integer():
        return plain_number(value)
    return fmt_ratio(value) if abs(value) >= 10 else plain_number(value, 2)


def _number_axis(ax: Axes, axis: str = "y", integer: bool = True) -> None:
    """Plain numbers on the value axis (no 1e3 offsets, no separators), light grid."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    # A count of 1 (a week's one 志愿服务记录) cannot have three whole ticks: two (0 and
    # 1) rather than 0.25人次.
    target.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], integer=integer,
                                         min_n_ticks=2 if integer else 3))
    target.set_major_formatter(FuncFormatter(lambda v, _pos: plain_number(v, 2)))
    ax.grid(axis=axis, color=GRID, linewidth=0.6)


def _headroom(ax: Axes, top: float, axis: str = "y", factor: float = 1.16) -> None:
    """Room above the tallest bar for its value label."""
    top = top if top > 0 else 1
    if axis == "y":
        ax.set_ylim(0, top * factor)
    else:
        ax.set_xlim(0, top * factor)


def _legend(fig: Figure, handles: list[Any] | None = None, labels: list[str] | None = None
            ) -> None:
    if handles is None:
        handles, labels = fig.axes[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=len(handles))


def _cat_label(key: str) -> str:
    """低保 classes are letters in the ledger (A); the genre writes A类."""
    return f"{key}类" if len(key) == 1 and key.isascii() and key.isalpha() else key


def _vbars(ax: Axes, labels: list[str], cur: list[Any], prev: list[Any] | None,
           names: tuple[str, str], unit: str | None, zero_colour: str | None = None) -> None:
    """Vertical bars, this year in front; last year's paler bars to the left."""
    x = np.arange(len(labels))
    cur_f = [float(v) if _is_num(v) else math.nan for v in cur]
    width = 0.38 if prev is not None else 0.6
    shift = width / 2 if prev is not None else 0.0
    if prev is not None:
        prev_f = [float(v) if _is_num(v) else math.nan for v in prev]
        ax.bar(x - shift, prev_f, width, color=LAST_YEAR, label=names[1])
    bars = ax.bar(x + shift, cur_f, width, color=THIS_YEAR, label=names[0])
    texts = ax.bar_label(bars, labels=[_short(v, unit) if _is_num(v) else "" for v in cur],
                         padding=2, fontsize=VALUE_LABEL_SIZE, color=INK)
    if zero_colour:
        for text, v in zip(texts, cur, strict=True):
            if _is_num(v) and v == 0:
                text.set_color(zero_colour)
    ax.set_xticks(x, labels)
    ax.tick_params(axis="x", length=0)
    values = [v for v in cur_f + ([float(v) for v in prev if _is_num(v)] if prev else [])
              if not math.isnan(v)]
    _number_axis(ax, "y", integer=all(float(v).is_integer() for v in values))
    _headroom(ax, max(values, default=0))


def _hbars(ax: Axes, labels: list[str], cur: list[Any], prev: list[Any] | None,
           names: tuple[str, str], unit: str | None) -> None:
    """Horizontal bars, first label on top; last year's paler bar just below."""
    n = len(labels)
    y = np.arange(n)[::-1].astype(float)
    height = 0.38 if prev is not None else 0.62
    shift = height / 2 if prev is not None else 0.0
    cur_f = [float(v) if _is_num(v) else math.nan for v in cur]
    if prev is not None:
        prev_f = [float(v) if _is_num(v) else math.nan for v in prev]
        ax.barh(y - shift, prev_f, height, color=LAST_YEAR, label=names[1])
    bars = ax.barh(y + shift, cur_f, height, color=THIS_YEAR, label=names[0])
    ax.bar_label(bars, labels=[_short(v, unit) if _is_num(v) else "" for v in cur],
                 padding=2, fontsize=VALUE_LABEL_SIZE, color=INK)
    ax.set_yticks(y, labels)
    ax.tick_params(axis="y", length=0)
    values = [v for v in cur_f if not math.isnan(v)]
    if prev is not None:
        values += [float(v) for v in prev if _is_num(v)]
    _number_axis(ax, "x", integer=all(float(v).is_integer() for v in values))
    _headroom(ax, max(values, default=0), axis="x", factor=1.12)
    ax.set_ylim(-0.6, n - 0.4)


def _hbar_height(rows: int, per_row: float = 0.62, extra: float = 2.6) -> float:
    return max(6.0, min(22.0, extra + per_row * rows))


def _ranked_breakdown(cur: dict[str, Any], prev: dict[str, Any] | None
                      ) -> tuple[list[str], list[Any], list[Any] | None]:
    """Categories with a figure this year or last, largest first; all-zero ones left out
    because a long list of empty rows hides the few that matter."""
    keys = [k for k in cur if (_is_num(cur[k]) and cur[k] != 0)
            or (prev is not None and _is_num(prev.get(k)) and prev.get(k) != 0)]
    if prev is not None:
        keys += [k for k in prev if k not in cur and _is_num(prev[k]) and prev[k] != 0]
    order = {k: i for i, k in enumerate(keys)}
    keys.sort(key=lambda k: (-(cur.get(k) or 0), order[k]))
    return (keys, [cur.get(k, 0) for k in keys],
            None if prev is None else [prev.get(k, 0) for k in keys])


LINE_ROWS = 12  # with the monthly chart above it, the 条线 chart still fits one A4 page


def _fold_tail(keys: list[str], values: list[Any], before: list[Any] | None, rows: int,
               noun: str) -> tuple[list[str], list[Any], list[Any] | None]:
    """The largest ``rows - 1`` categories and one bar for the rest, so a community with
    two dozen 条线 gets a chart that reads on A4 instead of a page of thin bars."""
    if len(keys) <= rows:
        return keys, values, before
    keep = rows - 1

    def total(xs: list[Any]) -> Any:
        nums = [x for x in xs if _is_num(x)]
        return sum(nums) if nums else None

    label = f"其余{len(keys) - keep}个{noun}"
    return (keys[:keep] + [label], values[:keep] + [total(values[keep:])],
            None if before is None else before[:keep] + [total(before[keep:])])


def _row_meta(facts: CommunityFacts, indicator_id: str) -> dict[str, Any]:
    return facts.row(indicator_id) or {}


# ======================================================================================
# Community charts
# ======================================================================================

@_chart("monthly_activity", "各月开展活动场次", "community", ("activity.by_month",))
def _monthly_activity(facts: CommunityFacts) -> Figure | None:
    cur, prev = _breakdown(facts, "activity.by_month")
    if cur is None:
        return None
    months = sorted(cur, key=int)
    if getattr(facts, "period", None) and len(months) < 2:
        return None  # a week's or a month's one bar says no more than the sentence does
    fig, ax = _new_figure("各月开展活动场次", 8.0)
    _vbars(ax, [f"{int(m)}月" for m in months], [cur[m] for m in months],
           None if prev is None else [prev.get(m) for m in months], _labels_of(facts), "场次",
           zero_colour=SHORT)
    ax.set_ylabel("活动场次（场次）")
    if prev is not None:
        _legend(fig)
    return fig


@_chart("activity_by_line", "各条线开展活动场次", "community", ("activity.by_line",))
def _activity_by_line(facts: CommunityFacts) -> Figure | None:
    cur, prev = _breakdown(facts, "activity.by_line")
    if cur is None:
        return None
    keys, values, before = _ranked_breakdown(cur, prev)
    if not keys:
        return None
    keys, values, before = _fold_tail(keys, values, before, LINE_ROWS, "条线")
    fig, ax = _new_figure("各条线开展活动场次", _hbar_height(len(keys),
                                                        per_row=0.62 if before else 0.45))
    _hbars(ax, keys, values, before, _labels_of(facts), "场次")
    ax.set_xlabel("活动场次（场次）")
    if before is not None:
        _legend(fig)
    return fig


@_chart("dibao_by_class", "低保分类别情况", "community",
        ("dibao.by_class", "dibao.persons_by_class"))
def _dibao_by_class(facts: CommunityFacts) -> Figure | None:
    panels = [(iid, label, unit) for iid, label, unit in (
        ("dibao.by_class", "低保户", "户"), ("dibao.persons_by_class", "低保人数", "人"))
        if _breakdown(facts, iid)[0] is not None]
    if not panels or panels[0][0] != "dibao.by_class":
        return None
    fig, axes = _new_figure("低保分类别情况", 7.5, ncols=len(panels))
    axes = np.atleast_1d(axes)
    for ax, (iid, label, unit) in zip(axes, panels, strict=True):
        cur, prev = _breakdown(facts, iid)
        keys = list(cur) + ([k for k in prev if k not in cur] if prev else [])
        _vbars(ax, [_cat_label(k) for k in keys], [cur.get(k, 0) for k in keys],
               None if prev is None else [prev.get(k, 0) for k in keys], _labels_of(facts),
               unit)
        ax.set_title(label)
        ax.set_ylabel(f"{label}（{unit}）")
    if any(_breakdown(facts, iid)[1] is not None for iid, _, _ in panels):
        _legend(fig)
    return fig


@_chart("disability_by_type", "残疾人分类别人数", "community", ("disability.by_type",))
def _disability_by_type(facts: CommunityFacts) -> Figure | None:
    cur, prev = _breakdown(facts, "disability.by_type")
    if cur is None:
        return None
    keys, values, before = _ranked_breakdown(cur, prev)
    if not keys:
        return None
    fig, ax = _new_figure("残疾人分类别人数", _hbar_height(len(keys),
                                                     per_row=0.62 if before else 0.45))
    _hbars(ax, [f"{k}残疾" if not k.endswith("残疾") else k for k in keys], values, before,
           _labels_of(facts), "人")
    ax.set_xlabel("人数（人）")
    if before is not None:
        _legend(fig)
    return fig


def _hazard_split(facts: CommunityFacts, previous: bool) -> tuple[Any, Any]:
    get = facts.previous if previous else facts.value
    found, fixed = get("hazard.found"), get("hazard.rectified")
    return (found if _is_num(found) else None,
            fixed if _is_num(fixed) and _is_num(found) else None)


@_chart("hazards", "安全隐患排查整改情况", "community",
        ("hazard.found", "hazard.rectified", "hazard.by_type"))
def _hazards(facts: CommunityFacts) -> Figure | None:
    found, fixed = _hazard_split(facts, previous=False)
    by_type, by_type_prev = _breakdown(facts, "hazard.by_type")
    if by_type is not None and not any(v for v in by_type.values() if _is_num(v)):
        by_type = None
    if found is None and by_type is None:
        return None
    panels = int(found is not None) + int(by_type is not None)
    kw: dict[str, Any] = {"ncols": panels}
    if panels == 2:
        kw["width_ratios"] = [1.25, 1]
    fig, axes = _new_figure("安全隐患排查整改情况", 7.5, **kw)
    axes = list(np.atleast_1d(axes))
    names = _labels_of(facts)
    if found is not None:
        _hazard_bars(axes.pop(0), facts, found, fixed, names)
    if panels == 2:
        fig.axes[0].set_title("排查与整改")
    if by_type is not None:
        ax = axes.pop(0)
        keys, values, before = _ranked_breakdown(by_type, by_type_prev)
        _hbars(ax, keys, values, before, names, "处")
        ax.set_title("分类别隐患")
        ax.set_xlabel("隐患数（处）")
    return fig


def _hazard_bars(ax: Axes, facts: CommunityFacts, found: Any, fixed: Any,
                 names: tuple[str, str]) -> None:
    """Each year one bar of the hazards found: 已整改 and 未整改 side by side in it."""
    rows = [(names[0], found, fixed)]
    p_found, p_fixed = _hazard_split(facts, previous=True)
    if p_found is not None:
        rows.append((names[1], p_found, p_fixed))
    y = np.arange(len(rows))[::-1].astype(float)
    split = any(r[2] is not None for r in rows)
    for yi, (_label, total, done) in zip(y, rows, strict=True):
        if done is None:
            ax.barh(yi, total, 0.55, color=THIS_YEAR if yi == y[0] else LAST_YEAR)
            ax.text(total, yi, f" 排查{_short(total, '处')}处", va="center",
                    fontsize=VALUE_LABEL_SIZE)
            continue
        open_ = max(total - done, 0)
        ax.barh(yi, done, 0.55, color=THIS_YEAR if yi == y[0] else LAST_YEAR,
                label="已整改" if yi == y[0] else None)
        if open_:
            ax.barh(yi, open_, 0.55, left=done, color=SHORT,
                    label="未整改" if yi == y[0] or "未整改" not in
                    ax.get_legend_handles_labels()[1] else None)
        rate = done / total if total else None
        text = f" 排查{_short(total, '处')}处，已整改{_short(done, '处')}处"
        if rate is not None:
            text += f"\n 整改率{fmt_pct(rate)}"
        ax.text(total, yi, text, va="center", fontsize=VALUE_LABEL_SIZE, linespacing=1.3)
    ax.set_yticks(y, [r[0] for r in rows])
    ax.tick_params(axis="y", length=0)
    _number_axis(ax, "x")
    _headroom(ax, max(r[1] for r in rows), axis="x", factor=2.1)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel("隐患数（处）")
    if split:
        ax.legend(loc="lower right", ncols=2, fontsize=8)


# (indicator, panel title, unit) of the 志愿服务 chart, in reading order.
VOLUNTEER_PANELS: tuple[tuple[str, str, str], ...] = (
    ("volunteer.registered", "注册志愿者", "名"),
    ("volunteer.service_times", "志愿服务记录", "人次"),  # not 活动台账's 志愿者参与
    ("volunteer.hours", "志愿服务时长", "小时"),
)


@_chart("volunteer_hours", "志愿服务情况", "community",
        ("volunteer.hours", "volunteer.registered", "volunteer.service_times"))
def _volunteer_hours(facts: CommunityFacts) -> Figure | None:
    # A panel of 0 (an empty 志愿服务记录) would only show a bar falling by 100%.
    if not _is_num(facts.value("volunteer.hours")) or facts.value("volunteer.hours") <= 0:
        return None
    panels = [p for p in VOLUNTEER_PANELS
              if _is_num(facts.value(p[0])) and facts.value(p[0]) > 0]
    fig, axes = _new_figure("志愿服务情况", 7.0, ncols=len(panels))
    axes = np.atleast_1d(axes)
    names = _tick_names(facts)
    for ax, (iid, label, unit) in zip(axes, panels, strict=True):
        value, prev = facts.value(iid), facts.previous(iid)
        bars = [(names[0], value, THIS_YEAR)]
        if _is_num(prev):
            bars.insert(0, (names[1], prev, LAST_YEAR))
        x = np.arange(len(bars))
        drawn = ax.bar(x, [float(b[1]) for b in bars], 0.58, color=[b[2] for b in bars])
        ax.bar_label(drawn, labels=[_short(b[1], unit) for b in bars], padding=2,
                     fontsize=VALUE_LABEL_SIZE)
        ax.set_xticks(x, [b[0] for b in bars])
        ax.tick_params(axis="x", length=0)
        _number_axis(ax, "y", integer=all(float(b[1]).is_integer() for b in bars))
        _headroom(ax, max(float(b[1]) for b in bars), factor=1.2)
        ax.set_xlim(-0.7, len(bars) - 0.3)
        ax.set_ylabel(f"{label}（{unit}）")
        change = yoy_phrase(value, prev, unit) if _is_num(prev) else None
        ax.set_title(label if change is None else f"{label}\n{change}", linespacing=1.35)
    return fig


# Colour of a target's bar by its status.
STATUS_COLOURS: dict[str, str] = {"完成": THIS_YEAR, "未完成": SHORT, "未达预期": SOFT}
QUANTIFIED_STATUSES = ("完成", "未完成", "未达预期", "无法评估")


# The target chart's rows: height per target and its cap (cm), and its notes' type size.
TARGET_ROW_CM = 0.68
TARGET_MAX_CM = 20.0
TARGET_NOTE_SIZE = 8


def _required(target: dict[str, Any]) -> float | None:
    """The figure a target asked for; derived from the gap when the facts omit it
    (gap is value − required, or the periods lacking for every-period targets)."""
    need = target.get("required")
    if _is_num(need):
        return float(need)
    value, gap = target.get("value"), target.get("gap")
    if not (_is_num(value) and _is_num(gap)):
        return None
    if str(target.get("kind") or "").startswith("every") or target.get("granularity"):
        return float(value) + float(gap)
    return float(value) - float(gap)


_LOWER_IS_BETTER = ("at_most", "zero", "decrease", "pp_decrease", "pct_decrease",
                    "abs_decrease")


def completion(target: dict[str, Any]) -> float | None:
    """How far a quantified target is met, 0..1 (1 = met), or None when not assessable."""
    status = target.get("status")
    if status == "完成":
        return 1.0
    if status not in ("未完成", "未达预期"):
        return None
    value, need = target.get("value"), _required(target)
    if not _is_num(value):
        return None
    kind = str(target.get("kind") or "")
    if kind == "zero":
        return 0.0
    if need is None:
        return None
    if kind in _LOWER_IS_BETTER:
        return max(0.0, min(1.0, need / value)) if value > 0 else 1.0
    return max(0.0, min(1.0, float(value) / need)) if need > 0 else 0.0


@_chart("target_completion", "年度目标完成情况", "community", ())
def _target_completion(facts: CommunityFacts) -> Figure | None:
    # A target without data (无法评估) draws no empty bar: 数据说明 lists it instead.
    targets = [t for t in (facts.targets or []) if t.get("status") in STATUS_COLOURS]
    if not targets:
        return None
    n = len(targets)
    # Bars on the left; beside each, what was asked and what was done, in words.
    words = period.report_words(facts)
    # Rows as tight as two 8-point note lines allow, so a long target list (25 rows)
    # still fits under the remnant of the targets table it follows instead of taking a
    # page of its own and leaving the table's last rows alone on a half-empty page.
    height = min(TARGET_MAX_CM, max(5.5, 2.8 + TARGET_ROW_CM * n))
    fig, (ax, notes) = _new_figure(words["目标标题"], height, ncols=2,
                                   sharey=True, width_ratios=[1, 1.05])
    y = np.arange(n)[::-1].astype(float)
    for yi, t in zip(y, targets, strict=True):
        share = completion(t)
        status = str(t.get("status"))
        if share is None:
            notes.text(0, yi, "无法评估：" + str(t.get("reason") or "无数据"), va="center",
                       fontsize=VALUE_LABEL_SIZE, color=MUTED_INK)
            continue
        ax.barh(yi, 100, 0.56, color="#eeeeee")
        ax.barh(yi, share * 100, 0.56, color=STATUS_COLOURS.get(status, THIS_YEAR))
        notes.text(0, yi + 0.22, f"{period.status_text(t)}，实际{target_actual_text(t)}",
                   va="center", fontsize=TARGET_NOTE_SIZE, color=INK)
        notes.text(0, yi - 0.22, f"目标：{t.get('目标')}", va="center",
                   fontsize=TARGET_NOTE_SIZE, color=MUTED_INK)
    ax.set_yticks(y, [target_label(t) for t in targets])
    ax.tick_params(axis="y", length=0)
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xticks([0, 25, 50, 75, 100], ["0", "25", "50", "75", "100"])
    ax.set_xlabel("目标完成程度（%）")
    ax.spines["left"].set_visible(False)
    notes.set_xlim(0, 1)
    notes.axis("off")
    shown = [s for s in STATUS_COLOURS if any(t.get("status") == s for t in targets)]
    labels = [str(words["图例"].get(s, s)) for s in shown]  # mid-year: 已达标或达到序时进度 …
    _legend(fig, [Patch(color=STATUS_COLOURS[s]) for s in shown], labels)
    return fig


# ======================================================================================
# Street charts
# ======================================================================================

# The rate a street ranks its communities on when the analyst names none: the first of
# these that at least two communities have.
RANKING_DEFAULTS: tuple[str, ...] = (
    "employment.reemployment_rate",
    "dispute.success_rate",
    "hazard.rectified_rate",
    "volunteer.registration_rate",
    "activity.count",
)

# Columns of the street heat map when the analyst names none (targets' indicators first).
HEATMAP_DEFAULTS: tuple[str, ...] = (
    "activity.count",
    "activity.participants",
    "volunteer.registration_rate",
    "volunteer.hours_per_volunteer",
    "employment.reemployment_rate",
    "dispute.success_rate",
    "hazard.rectified_rate",
    "info.adoption_rate",
)
HEATMAP_MAX_COLUMNS = 9


def _street_meta(street: StreetFacts, indicator_id: str) -> dict[str, Any]:
    for f in street.communities:
        row = f.row(indicator_id)
        if row is not None:
            return row
    for row in street.totals:
        if row.get("id") == indicator_id and not row.get("condition"):
            return row
    return {}


def _street_total(street: StreetFacts, indicator_id: str) -> Any:
    for row in street.totals:
        if row.get("id") == indicator_id and not row.get("condition"):
            return row.get("value")
    return None


def _numeric_values(street: StreetFacts, indicator_id: str) -> list[tuple[str, Any]]:
    return [(f.community, f.value(indicator_id)) for f in street.communities]


def _scale(unit: str | None) -> float:
    return 100.0 if unit == "%" else 1.0


def _axis_unit(unit: str | None) -> str:
    return "%" if unit == "%" else (unit or "")


def _pick_ranking(street: StreetFacts) -> str | None:
    for iid in RANKING_DEFAULTS:
        if sum(1 for _, v in _numeric_values(street, iid) if _is_num(v)) >= 2:
            return iid
    return None


def _ranking_figure(street: StreetFacts, indicator_id: str, title: str | None = None,
                    average: bool = False) -> Figure | None:
    values = _numeric_values(street, indicator_id)
    have = [(c, v) for c, v in values if _is_num(v)]
    if not have:
        return None
    meta = _street_meta(street, indicator_id)
    name, unit, better = meta.get("name") or indicator_id, meta.get("unit"), meta.get("better")
    have.sort(key=lambda cv: cv[1], reverse=(better != "↓"))
    lacking = [c for c, v in values if not _is_num(v)]
    labels = [c for c, _ in have] + lacking
    n = len(labels)
    scale = _scale(unit)
    # The reference line: the street's total (the overview), or the mean of the
    # communities that have a figure (the explorer compares with a typical community).
    total = sum(v for _, v in have) / len(have) if average else \
        _street_total(street, indicator_id)
    word = "平均" if average else "合计"
    title = title or f"各社区{name}" + ("排名" if better in ("↑", "↓") else "")
    fig, ax = _new_figure(title, _hbar_height(n, per_row=0.55, extra=3.0))
    y = np.arange(n)[::-1].astype(float)
    colours = []
    for _, v in have:
        if better in ("↑", "↓") and _is_num(total):
            ok = v >= total if better == "↑" else v <= total
            colours.append(THIS_YEAR if ok else LAST_YEAR)
        else:
            colours.append(THIS_YEAR)
    bars = ax.barh(y[:len(have)], [v * scale for _, v in have], 0.62, color=colours)
    ax.bar_label(bars, labels=[_short(v, unit) for _, v in have], padding=2,
                 fontsize=VALUE_LABEL_SIZE, zorder=4,
                 bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.4})
    for yi in y[len(have):]:
        ax.text(0, yi, " 无数据", va="center", fontsize=VALUE_LABEL_SIZE, color=MUTED_INK)
    ax.set_yticks(y, labels)
    ax.tick_params(axis="y", length=0)
    _number_axis(ax, "x", integer=unit != "%" and all(float(v).is_integer() for _, v in have))
    top = max([v * scale for _, v in have] + ([total * scale] if _is_num(total) else []))
    _headroom(ax, top, axis="x", factor=1.14)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlabel(f"{name}（{_axis_unit(unit)}）" if unit else name)
    handles: list[Any] = []
    names: list[str] = []
    if _is_num(total):
        line = ax.axvline(total * scale, color=MUTED_INK, linewidth=0.9, linestyle=(0, (4, 2)))
        handles.append(line)
        names.append(f"{street.street}{word} {_short(total, unit)}")
        if better in ("↑", "↓"):
            handles += [Patch(color=THIS_YEAR), Patch(color=LAST_YEAR)]
            names += [f"好于或持平街道{word}", f"落后于街道{word}"]
    if handles:
        _legend(fig, handles, names)
    return fig


@_chart("street_ranking", "各社区指标排名", "street", RANKING_DEFAULTS)
def _street_ranking(street: StreetFacts, indicator_id: str | None = None) -> Figure | None:
    iid = indicator_id or _pick_ranking(street)
    if iid is None:
        return None
    return _ranking_figure(street, iid)


def _target_columns(street: StreetFacts) -> list[str]:
    out: list[str] = []
    for f in street.communities:
        for t in f.targets or []:
            iid = t.get("指标")
            if (t.get("status") in QUANTIFIED_STATUSES and not t.get("条件") and iid
                    and iid not in out):
                out.append(iid)
    return out


def _missed(f: CommunityFacts, indicator_id: str) -> bool:
    return any(t.get("指标") == indicator_id and not t.get("条件")
               and t.get("status") in ("未完成", "未达预期") for t in f.targets or [])


_BETTER_CMAP = LinearSegmentedColormap.from_list(
    "shequ_better", ["#d39a87", "#f3efe6", "#86a9c4"])
_NEUTRAL_CMAP = LinearSegmentedColormap.from_list("shequ_neutral", ["#f6f4ef", "#b3c3d1"])


# Column headers of the heat map: the names leadership uses, short enough for a column.
SHORT_NAMES: dict[str, str] = {
    "employment.reemployment_rate": "再就业率",
    "employment.hard_reemployment_rate": "困难人员\n再就业率",
    "volunteer.active_rate": "活跃志愿者\n比例",
    "disability.certified_rate": "残疾人\n持证率",
    "volunteer.registration_rate": "志愿者注册率",
    "volunteer.hours_per_volunteer": "人均服务时长",
    "dispute.success_rate": "调解成功率",
    "hazard.rectified_rate": "隐患整改率",
    "info.adoption_rate": "信息录用率",
    "activity.count": "开展活动",
    "activity.participants": "参与居民",
}


def _wrap(text: str, width: int = 5) -> str:
    """Chinese has no spaces to break at: split into lines of even length."""
    if "\n" in text:
        return text
    lines = max(1, math.ceil(len(text) / width))
    step = math.ceil(len(text) / lines)
    return "\n".join(text[i:i + step] for i in range(0, len(text), step))


@_chart("street_heatmap", "各社区主要指标对比", "street", HEATMAP_DEFAULTS)
def _street_heatmap(street: StreetFacts, indicator_ids: Sequence[str] | None = None
                    ) -> Figure | None:
    if indicator_ids is None:
        wanted = list(dict.fromkeys(_target_columns(street) + list(HEATMAP_DEFAULTS)))
    else:
        wanted = list(indicator_ids)
    columns = [iid for iid in wanted
               if any(_is_num(v) for _, v in _numeric_values(street, iid))]
    if indicator_ids is None:
        # A column where every community stands the same compares nothing.
        columns = [iid for iid in columns if len({float(v) for _, v in
                                                  _numeric_values(street, iid)
                                                  if _is_num(v)}) > 1]
        columns = columns[:HEATMAP_MAX_COLUMNS]
    comms = street.communities
    if not columns or not comms:
        return None
    metas = [_street_meta(street, iid) for iid in columns]
    n_rows, n_cols = len(comms), len(columns)
    fig, ax = _new_figure("各社区主要指标对比", max(7.0, 4.4 + 0.62 * n_rows))
    any_missed = False
    for j, (iid, meta) in enumerate(zip(columns, metas, strict=True)):
        vals = [f.value(iid) for f in comms]
        nums = [float(v) for v in vals if _is_num(v)]
        lo, hi = min(nums), max(nums)
        better = meta.get("better")
        cmap = _BETTER_CMAP if better in ("↑", "↓") else _NEUTRAL_CMAP
        for i, (f, v) in enumerate(zip(comms, vals, strict=True)):
            if not _is_num(v):
                ax.add_patch(Rectangle((j, i), 1, 1, facecolor="white", edgecolor=GRID,
                                       linewidth=0.6))
                ax.text(j + 0.5, i + 0.5, "无数据", ha="center", va="center",
                        fontsize=8, color=MUTED_INK)
                continue
            score = 0.5 if hi == lo else (float(v) - lo) / (hi - lo)
            if better == "↓":
                score = 1 - score
            ax.add_patch(Rectangle((j, i), 1, 1, facecolor=cmap(score), edgecolor="white",
                                   linewidth=1.2))
            ax.text(j + 0.5, i + 0.5, _short(v, meta.get("unit")), ha="center",
                    va="center", fontsize=8.5, color=INK)
            if _missed(f, iid):
                any_missed = True
                ax.add_patch(Rectangle((j + 0.05, i + 0.08), 0.9, 0.84, fill=False,
                                       edgecolor=SHORT, linewidth=1.4))
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    ax.xaxis.tick_top()
    headers = [_wrap(SHORT_NAMES.get(iid) or m.get("name") or iid)
               + (f"\n（{m['unit']}）" if m.get("unit") else "")
               for iid, m in zip(columns, metas, strict=True)]
    ax.set_xticks(np.arange(n_cols) + 0.5, headers, fontsize=8.5, linespacing=1.2)
    ax.set_yticks(np.arange(n_rows) + 0.5, [f.community for f in comms])
    ax.tick_params(length=0)
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)
    note = "按每列各社区的相对水平着色：蓝色较好，红色较差"
    if any_missed:
        note += "；" + str(period.report_words(street)["红框"])
    ax.set_xlabel(note + "。", fontsize=8, color=MUTED_INK, labelpad=6)
    return fig


# ======================================================================================
# Both: the look-back over the years (trends.py)
# ======================================================================================

TREND_PANEL_CM = 6.2  # one row of small charts
TREND_ROW_CM = 5.6  # each further row


@_chart("trend", "近年主要工作数据", "any",
        ("activity.count", "activity.participants", "volunteer.registered", "volunteer.hours"))
def _trend(facts: CommunityFacts | StreetFacts) -> Figure | None:
    """One small bar chart per headline indicator, a bar per year, this year's in front
    colour: the figures the 近三年 paragraph states, side by side."""
    from . import trends

    panels = trends.trend_series(facts)
    if not panels:
        return None
    years = (facts.history or {}).get("years") or []
    n = len(panels)
    ncols = n if n <= 3 and len(years) <= 4 else min(n, 2)
    nrows = math.ceil(n / ncols)
    title = trends.trend_title(facts, "图表标题")
    fig, axes = _new_figure(title, TREND_PANEL_CM + TREND_ROW_CM * (nrows - 1),
                            nrows=nrows, ncols=ncols, squeeze=False)
    flat = list(axes.flat)
    labels = trends.year_labels(facts)
    for ax, panel in zip(flat, panels, strict=False):
        unit, values = panel["unit"], panel["values"]
        scale = _scale(unit)
        x = np.arange(len(values))
        heights = [float(v) * scale if _is_num(v) else math.nan for v in values]
        colours = [LAST_YEAR] * (len(values) - 1) + [THIS_YEAR]
        bars = ax.bar(x, heights, 0.6, color=colours)
        ax.bar_label(bars, labels=[_short(v, unit) if _is_num(v) else "" for v in values],
                     padding=2, fontsize=VALUE_LABEL_SIZE)
        for xi, v in zip(x, values, strict=True):
            if not _is_num(v):
                ax.text(xi, 0, "无数据", ha="center", va="bottom", fontsize=VALUE_LABEL_SIZE,
                        color=MUTED_INK)
        ax.set_xticks(x, labels)
        ax.tick_params(axis="x", length=0)
        shown = [h for h in heights if not math.isnan(h)]
        _number_axis(ax, "y", integer=unit != "%" and all(h.is_integer() for h in shown))
        _headroom(ax, max(shown, default=0), factor=1.22)
        ax.set_xlim(-0.6, len(values) - 0.4)
        ax.set_title(f"{panel['name']}（{_axis_unit(unit)}）" if unit else panel["name"])
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig


def indicator_bar(street: StreetFacts, indicator_id: str) -> Figure | None:
    """One indicator across a street's communities, for exploring in JupyterLab, with
    the street's average as the reference line (a community against a typical one)."""
    with mpl.rc_context(_style()):
        return _ranking_figure(street, indicator_id, average=True)


# ======================================================================================
# Public entry points
# ======================================================================================

_SCOPE_TYPES: dict[str, type | tuple[type, ...]] = {
    "community": CommunityFacts, "street": StreetFacts, "any": (CommunityFacts, StreetFacts)}
_SCOPE_WORDS = {"community": "社区工作总结（CommunityFacts）",
                "street": "街道汇总（StreetFacts）",
                "any": "社区工作总结或街道汇总"}


def draw(key: str, facts: CommunityFacts | StreetFacts, titled: bool = True,
         **options: Any) -> Figure | None:
    """The chart ``key`` for these facts, or None when its figures are 无数据.
    ``titled=False`` leaves the title off, for documents whose numbered caption (图1 …)
    already says it; the figure keeps the title as its label for error messages."""
    chart = CHARTS.get(key)
    if chart is None:
        raise ChartError(f"未知的图表“{key}”。可用的图表：{'、'.join(CHARTS)}。")
    if not isinstance(facts, _SCOPE_TYPES[chart.scope]):
        raise ChartError(f"图表“{chart.title}”用于{_SCOPE_WORDS[chart.scope]}，"
                         "所给数据类型不符。")
    with mpl.rc_context(_style()):
        fig = chart.draw(facts, **options)
    if fig is not None and not titled:
        for text in fig.texts:
            if text.get_text() == fig.get_label():
                text.set_visible(False)
    return fig


def _close(fig: Figure) -> None:
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(fig)
    fig.clear()


def _visible_texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


@contextlib.contextmanager
def _drawing() -> Iterator[None]:
    """The kit's chart style; a missing glyph is reported as a Chinese error (to_png),
    not as matplotlib's warning."""
    with mpl.rc_context(_style()), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font",
                                category=UserWarning)
        yield


def chart_texts(fig: Figure) -> list[str]:
    """Every piece of text the figure shows (titles, ticks, labels, legend, notes)."""
    with _drawing():
        fig.draw_without_rendering()  # tick labels exist only once the figure is drawn
    return _visible_texts(fig)


def to_png(fig: Figure, dpi: int = DPI) -> bytes:
    """PNG bytes of the figure, refused if any text would print as boxes; closes it.

    The texts are read after savefig has drawn the figure (tick labels exist only then):
    drawing it once more just to read them cost a third of a chart's time, in every
    chart of every report."""
    try:
        where = f"图表“{fig.get_label() or '未命名'}”的文字"
        buf = io.BytesIO()
        with _drawing():
            fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
        for text in _visible_texts(fig):
            fonts.check_glyphs(text, where)
        return buf.getvalue()
    finally:
        _close(fig)


def png(key: str, facts: CommunityFacts | StreetFacts, titled: bool = True,
        **options: Any) -> bytes | None:
    """The chart as PNG bytes, or None when its figures are 无数据."""
    fig = draw(key, facts, titled=titled, **options)
    return None if fig is None else to_png(fig)

"""What the report notebooks call, so the notebooks stay a few readable lines per section.

An analyst opens ``notebooks/community_report.ipynb`` to look at one community's summary,
change a sentence or put a cell of their own between two sections; the batch runs the
same notebook with papermill for every community. Both paths go through here: the facts
come from the batch's JSON when it hands one over (``facts_path``), otherwise from the
ledgers, and every section is shown the same way (HTML fragments of the narrative and
the charts as embedded PNG images with a caption), so what the analyst sees is what the
PDF prints.

The explorer (``explorer``) is the analyst's own view of a street: pick 社区, 年份, 条线
and 指标 and the chart and table redraw. It reads each year once and keeps it.
"""

from __future__ import annotations

import base64
import html as _html
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import charts, docparts, export
from .facts import CommunityFacts, StreetFacts
from .narrative import Document, Item, Paragraph, Section, build_document, build_overview

if TYPE_CHECKING:  # the ledger reader loads only when a notebook reads ledgers itself
    from .assemble import YearFacts

__all__ = [
    "ALL_LINES",
    "Explorer",
    "chart_html",
    "explorer",
    "load_community",
    "load_street",
    "revise",
    "show_chart",
    "show_cover",
    "show_overview",
    "show_part",
    "load_document",
    "load_street_document",
    "show_report",
    "show_section",
    "street_average",
]

ALL_LINES = "全部条线"
CHART_CLASS = "chart sk-chart"


# -- facts ---------------------------------------------------------------------------------

def _facts_file(facts_path: str | Path) -> Path:
    """The batch gives an absolute path; a relative one is tried from the kernel's folder
    first and then from the project root, like the other paths of the notebook."""
    p = Path(facts_path).expanduser()
    if not p.is_absolute() and not p.is_file():
        from .assemble import resolve

        p = resolve(p) or p
    if not p.is_file():
        raise FileNotFoundError(f"未找到事实数据文件：{p}。请将 facts_path 设为 None，"
                                "由台账重新计算。")
    return p


def load_community(community: str, year: int, data_dir: str | Path = "data/sample",
                   params_dir: str | Path | None = "parameters",
                   facts_path: str | Path | None = None,
                   period: str | None = None) -> CommunityFacts:
    """One community's facts: the batch's precomputed JSON when given (the kernel then
    never re-reads a ledger), else computed from the ledgers in ``data_dir``.
    ``community`` is the 社区名称, or ``街道/社区名称`` where streets share the name;
    ``period`` (2024Q3, 2024W15 …; None for the year) the window the figures cover."""
    if facts_path is None and period:
        return _period_facts(community, int(year), data_dir, params_dir, str(period))
    if facts_path is None:
        from . import assemble

        return assemble.community_facts(community, int(year), data_dir, params_dir)
    facts = CommunityFacts.from_json(_facts_file(facts_path).read_text(encoding="utf-8"))
    named = (facts.community, f"{facts.street}/{facts.community}")
    if community not in named or int(facts.year) != int(year):
        raise ValueError(f"事实数据文件是{facts.community}{facts.year}年的，与参数"
                         f"（{community}{year}年）不一致，请检查 facts_path。")
    return facts


def _period_facts(community: str, year: int, data_dir: str | Path,
                  params_dir: str | Path | None, period: str) -> CommunityFacts:
    from . import assemble
    from .doctypes import parse_period_text

    p = parse_period_text(period, year)
    kwargs: dict[str, Any] = {} if p is None else {"period": p}
    facts = assemble.year_facts(data_dir, year, params_dir, communities=[community], **kwargs)
    for key, cf in facts.communities.items():
        if community in (key, cf.community, f"{cf.street}/{cf.community}"):
            return cf
    reason = facts.failures.get(community) or next(iter(facts.failures.values()), "")
    raise ValueError(f"无法读取{community}{year}年的台账：{reason}")


def load_document(doc_type: str, facts: CommunityFacts, line: str | None = None,
                  params_dir: str | Path | None = "parameters") -> Document:
    """The document of a 文种 (总结, 专项, 计划, or a street's own in
    ``parameters/文种/``) for the facts; a relative ``params_dir`` is found as
    ``load_community`` finds it."""
    from . import doctypes
    from .assemble import resolve

    pdir = resolve(params_dir) if params_dir is not None else None
    return doctypes.build(doc_type, facts, line=line, params_dir=pdir)


def load_street_document(doc_type: str, street: StreetFacts, line: str,
                         params_dir: str | Path | None = "parameters") -> Document:
    """A street's 专项汇总 of a 文种 for one 条线 (lines.build_street)."""
    from .assemble import resolve
    from .lines import build_street

    pdir = resolve(params_dir) if params_dir is not None else None
    return build_street(doc_type, street, line, params_dir=pdir)


def load_street(street: str | None, year: int, data_dir: str | Path = "data/sample",
                params_dir: str | Path | None = "parameters",
                facts_path: str | Path | None = None) -> StreetFacts:
    """A street's overview facts (the first street of the data when ``street`` is None)."""
    if facts_path is None:
        from . import assemble

        return assemble.street_facts(street, int(year), data_dir, params_dir)
    facts = StreetFacts.from_json(_facts_file(facts_path).read_text(encoding="utf-8"))
    if (street is not None and facts.street != street) or int(facts.year) != int(year):
        raise ValueError(f"事实数据文件是{facts.street}{facts.year}年的，与参数"
                         f"（{street or '默认街道'}{year}年）不一致，请检查 facts_path。")
    return facts


# -- showing the document ------------------------------------------------------------------

def _display_html(fragment: str, part: dict[str, Any] | None = None) -> None:
    from IPython.display import HTML, display

    if part is None:
        display(HTML(fragment))
    else:  # the model beside its HTML: the Word export is made from it (docparts)
        display({"text/html": fragment, docparts.MODEL_MIME: part}, raw=True)


def show_cover(facts: CommunityFacts | StreetFacts) -> None:
    """The cover: the export takes title, 所属街道 and period from this output."""
    export.show_cover(export.cover_meta(facts))


def _caption(key: str) -> str:
    """A chart's caption is its registered title; the registry is the one place charts
    are declared."""
    spec = charts.CHARTS.get(key)
    for name in ("caption", "title", "标题", "名称"):
        value = spec.get(name) if isinstance(spec, dict) else getattr(spec, name, None)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return "统计图"


def chart_html(key: str, facts: CommunityFacts | StreetFacts,
               caption: str | None = None) -> str | None:
    """A chart as a self-contained figure (PNG as a data URI, Chinese caption), or None
    when the chart has no data. One output keeps image and caption on the same page; the
    caption (numbered 图1, 图2 … by the report's CSS) carries the title, so the picture
    does not repeat it."""
    fig = charts.draw(key, facts, titled=False)
    if fig is None:
        return None
    # The figure's own title names what it shows (the ranking's indicator, say), which
    # the registry's generic title cannot.
    text = _html.escape(caption or fig.get_label() or _caption(key))
    png = charts.to_png(fig)
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure class="{CHART_CLASS}" data-chart="{_html.escape(key)}">'
            f'<img src="data:image/png;base64,{data}" alt="{text}">'
            f"<figcaption>{text}</figcaption></figure>")


def show_chart(key: str, facts: CommunityFacts | StreetFacts,
               caption: str | None = None) -> bool:
    """Show one chart; False (and nothing shown) when it has no data."""
    fragment = chart_html(key, facts, caption)
    if fragment is None:
        return False
    _display_html(fragment)
    return True


def _flow(parts: Iterable[tuple[str, str]], facts: CommunityFacts | StreetFacts,
          root: Document | Section | None = None) -> None:
    for kind, value in parts:
        if kind == "html":
            _display_html(value, None if root is None else docparts.part_for(root, value))
        elif kind == "chart":
            show_chart(value, facts)


def show_section(doc: Document, key: str, facts: CommunityFacts | StreetFacts,
                 optional: bool = False) -> None:
    """Show one section (top-level or a 版块) in reading order, charts in place.

    A section the document lacks is an error (a mistyped key must not drop a part of the
    summary) unless ``optional``: the overview's list of failed communities, say.
    """
    section = doc.section(key)
    if section is None and optional:
        return
    if section is None:
        known = "、".join(s.key for s in doc.sections)
        raise KeyError(f"文档中没有“{key}”这一部分。可用的部分：{known}")
    _flow(section.flow(), facts, section)


def show_part(doc: Document, key: str, facts: CommunityFacts | StreetFacts) -> None:
    """Show the section(s) an outline entry (its 键, or its 类型) made; nothing when it
    made none (a 专项 without targets, a 摘要 left out)."""
    for name in doc.parts.get(key, [key]):
        show_section(doc, name, facts, optional=True)


def show_report(facts: CommunityFacts, doc: Document | None = None) -> Document:
    """Cover, then the whole summary; returns the document shown."""
    doc = doc if doc is not None else build_document(facts)
    show_cover(facts)
    _flow(doc.flow(), facts, doc)
    return doc


def show_overview(street: StreetFacts, doc: Document | None = None) -> Document:
    """Cover, then the street's 年度社区工作汇总; returns the document shown."""
    doc = doc if doc is not None else build_overview(street)
    show_cover(street)
    _flow(doc.flow(), street, doc)
    return doc


# -- editing -------------------------------------------------------------------------------

def _edit_blocks(section: Section, old: str, new: str) -> int:
    done = 0
    for i, block in enumerate(section.blocks):
        if isinstance(block, Section):
            done += _edit_blocks(block, old, new)
        elif isinstance(block, Paragraph) and old in block.content:
            section.blocks[i] = replace(block, content=block.content.replace(old, new))
            done += 1
        elif isinstance(block, Item) and (old in block.caption or old in block.body):
            section.blocks[i] = replace(block, caption=block.caption.replace(old, new),
                                        body=block.body.replace(old, new))
            done += 1
    if old in section.heading:
        section.heading = section.heading.replace(old, new)
        done += 1
    return done


def revise(doc: Document, old: str, new: str, key: str | None = None) -> int:
    """Change wording before the sections are shown (e.g. a secretary's own phrasing).

    Replaces ``old`` by ``new`` in paragraphs, items and headings (of section ``key``
    only, when given) and returns how many places changed. Nothing found is a warning,
    not an error: a notebook run for a whole street holds one community's revisions,
    which must not fail every other community; the warning shows under the cell and in
    the run's log, so a mistyped phrase never leaves the summary silently unchanged.
    The count displays as a note in JupyterLab and never reaches the document.
    """
    if not old:
        raise ValueError("要修改的原文不能为空。")
    scope = [doc.section(key)] if key is not None else list(doc.sections)
    if scope == [None]:
        raise KeyError(f"文档中没有“{key}”这一部分。")
    done = sum(_edit_blocks(s, old, new) for s in scope if s is not None)
    if not done:
        message = f"未在总结中找到要修改的原文：“{old}”，此处未作修改。请从上面的输出中复制原句。"
        if not _note(message, "warning"):  # outside a kernel: a Python warning
            warnings.warn(message, RevisionNotFound, stacklevel=2)
    return Revisions(done)


class RevisionNotFound(UserWarning):
    """``revise`` found nothing to change (in this community's summary)."""


class Revisions(int):
    """How many places ``revise`` changed; shown in JupyterLab as a note the export
    leaves out (a bare number as a cell's last line would otherwise print in the PDF)."""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return export.work_note(f"已修改{int(self)}处措辞。")


def _note(message: str, level: str) -> bool:
    """Show a note under the running cell; False outside a kernel (nothing shown)."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return False
    if get_ipython() is None:
        return False
    display(export.work_note(message, level), raw=True)
    return True


# -- exploring -----------------------------------------------------------------------------

def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def street_average(street: StreetFacts, indicator_id: str) -> dict[str, Any] | None:
    """The mean over the street's communities of an indicator's figure (and of last
    year's), each over the communities that have one; None when no community has a
    number (a breakdown, or 无数据). A rate's average is the mean of the communities'
    rates: the explorer asks how a community stands against a typical one."""
    rows = [f.row(indicator_id) or {} for f in street.communities]
    values = [r["value"] for r in rows if _number(r.get("value"))]
    if not values:
        return None
    previous = [r["previous"] for r in rows if _number(r.get("previous"))]
    unit = next((r.get("unit") for r in rows if r), None)
    return {"value": sum(values) / len(values), "count": len(values), "unit": unit,
            "previous": sum(previous) / len(previous) if previous else None}


def _years(data_dir: Path) -> list[int]:
    if not data_dir.is_dir():
        raise FileNotFoundError(f"未找到台账文件夹：{data_dir}")
    years = sorted(int(p.name) for p in data_dir.iterdir() if p.is_dir() and p.name.isdigit())
    if not years:
        raise FileNotFoundError(f"台账文件夹{data_dir}中没有按年份存放的台账（如 2024/）。")
    return years


def _fmt(value: Any, unit: str | None) -> str:
    from .numfmt import fmt_quantity

    if value is None:
        return "无数据"
    if isinstance(value, dict):
        return "、".join(f"{k}{fmt_quantity(v, unit, table=True)}" for k, v in value.items()) \
            or "无"
    return fmt_quantity(value, unit, table=True)


def _change(row: dict[str, Any]) -> str:
    from .numfmt import yoy_phrase

    value, prev = row.get("value"), row.get("previous")
    if isinstance(value, dict) or value is None or prev is None:
        return "—"
    return yoy_phrase(value, prev, row.get("unit"), prefix="") or "—"


@dataclass
class _Year:
    facts: YearFacts
    lines: tuple[str, ...]
    street: StreetFacts | None
    by_line: dict[str, StreetFacts] = field(default_factory=dict)


@dataclass
class Explorer:
    """A street's indicators by 社区, 年份, 条线 and 指标, read once per year."""

    data_dir: Path
    params_dir: Path | str | None = "parameters"
    years: list[int] = field(default_factory=list)
    _cache: dict[int, _Year] = field(default_factory=dict)
    shown: str = ""  # the explorer's current view (HTML), as last drawn

    def year(self, year: int) -> _Year:
        if year not in self._cache:
            from .assemble import year_facts
            from .schema import ENUMS

            yf = year_facts(self.data_dir, year, self.params_dir)
            if not yf.communities:
                raise ValueError(f"{year}年没有可用的社区台账。")
            book = next(iter(yf.books.values()), None)
            spec = (book.enums.get("条线") if book is not None else None) or ENUMS["条线"]
            street = next(iter(yf.streets.values()), None)
            if street is None:  # communities of several streets, none complete: one view
                first = next(iter(yf.communities.values()))
                street = StreetFacts(street=first.street, year=year, as_of=first.as_of,
                                     half_year=first.half_year,
                                     communities=list(yf.communities.values()), totals=[])
            self._cache[year] = _Year(yf, tuple(spec.values), street)
        return self._cache[year]

    def communities(self, year: int) -> list[str]:
        return sorted(self.year(year).facts.communities)

    def lines(self, year: int) -> list[str]:
        return [ALL_LINES, *self.year(year).lines]

    def street(self, year: int, line: str = ALL_LINES) -> StreetFacts:
        """The street as the report sees it, or restricted to one 条线: then each community
        holds only the indicators that a 条线 can filter (the activity ledger's)."""
        y = self.year(year)
        if line == ALL_LINES:
            assert y.street is not None
            return y.street
        if line not in y.by_line:
            from . import engine

            previous = self._cache.get(year - 1) or (
                self.year(year - 1) if year - 1 in self.years else None)
            members: list[CommunityFacts] = []
            for name, facts in sorted(y.facts.communities.items()):
                book = y.facts.books[name]
                prev = previous.facts.books.get(name) if previous else None
                rows = engine.facts_rows(book, prev, conditions=[{"条线": line}])
                for r in rows:
                    r.pop("condition", None)
                members.append(replace(facts, indicators=rows, targets=[]))
            all_rows = [r for f in members for r in f.indicators]
            base = y.street
            assert base is not None
            totals = engine.street_totals(all_rows, base.street, year,
                                          [f"{year}-01-01", base.as_of])
            y.by_line[line] = replace(base, communities=members, totals=totals, failed={})
        return y.by_line[line]

    def indicators(self, year: int, line: str = ALL_LINES) -> list[tuple[str, str]]:
        """(label, id) pairs for a drop-down, in catalogue order."""
        from .catalogue import CATALOGUE

        street = self.street(year, line)
        have = {r["id"] for f in street.communities for r in f.indicators
                if "condition" not in r}
        return [(f"{ind.name}（{ind.unit}）", iid) for iid, ind in CATALOGUE.items()
                if iid in have]

    def table_html(self, year: int, line: str, indicator_id: str,
                   community: str | None = None) -> str:
        """Each community's figure, last year's and 同比, with the street *average* (a
        community is compared with a typical community, not with the sum of all of
        them); the chosen community's row is marked."""
        street = self.street(year, line)
        rows: list[str] = []
        meta: dict[str, Any] = {}
        for f in street.communities:
            r = f.row(indicator_id) or {}
            meta = meta or r
            mark = ' class="sk-chosen" style="font-weight:bold"' if f.community == community \
                else ""
            cells = [f.community, _fmt(r.get("value"), r.get("unit")),
                     _fmt(r.get("previous"), r.get("unit")), _change(r)]
            rows.append(f"<tr{mark}>" + "".join(f"<td>{_html.escape(c)}</td>" for c in cells)
                        + "</tr>")
        average = street_average(street, indicator_id)
        if average is not None:
            cells = [f"{street.street}平均（{average['count']}个社区）",
                     _fmt(average["value"], average.get("unit")),
                     _fmt(average["previous"], average.get("unit")), _change(average)]
            rows.append('<tr class="sk-average">'
                        + "".join(f"<td>{_html.escape(c)}</td>" for c in cells) + "</tr>")
        name = meta.get("name") or indicator_id
        scope = "" if line == ALL_LINES else f"（{line}条线）"
        head = "".join(f"<th>{h}</th>" for h in ("社区", f"{year}年", "上年同期", "同比"))
        return (f'<table class="sk-table"><caption>{_html.escape(f"{name}{scope}")}'
                f"</caption><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
                "</table>")

    def chart_html(self, year: int, line: str, indicator_id: str) -> str | None:
        street = self.street(year, line)
        fig = charts.indicator_bar(street, indicator_id)
        if fig is None:
            return None
        try:
            png = charts.to_png(fig)
        finally:
            import matplotlib.pyplot as plt

            plt.close(fig)
        data = base64.b64encode(png).decode("ascii")
        return (f'<figure class="{CHART_CLASS}"><img src="data:image/png;base64,{data}" '
                f'alt="各社区对比"></figure>')

    def view_html(self, year: int, line: str, indicator_id: str,
                  community: str | None = None) -> str:
        chart = self.chart_html(year, line, indicator_id)
        if chart is None:
            chart = "<p>该指标没有可以比较的数据，未绘制图表。</p>"
        return chart + self.table_html(year, line, indicator_id, community)


def explorer(data_dir: str | Path = "data/sample", params_dir: str | Path | None = "parameters",
             community: str | None = None, year: int | None = None,
             indicator: str = "activity.count") -> Any:
    """Controls for 社区, 年份, 条线 and 指标 with a chart and a table that redraw on every
    change. Returns the controls' widget box (already displayed); ``box.explorer.shown``
    is the view's current HTML.

    The view is an ordinary output of the cell (updated in place on every change), not
    the contents of an output widget: a notebook saved or exported to HTML then shows
    the view as a picture and a table that open offline, where a widget's state needs
    the widget library's JavaScript from a CDN to be drawn at all. Without a live front
    end, as under papermill, the controls stay as their static text and the first view
    is the cell's output."""
    import ipywidgets as w
    from IPython.display import HTML, DisplayHandle, display

    from .assemble import resolve

    data = resolve(data_dir)
    assert data is not None
    ex = Explorer(data_dir=data, params_dir=params_dir, years=_years(data))
    year = int(year) if year is not None else ex.years[-1]
    if year not in ex.years:
        raise ValueError(f"台账中没有{year}年的数据，可选年份：{'、'.join(map(str, ex.years))}")
    names = ex.communities(year)
    style = {"description_width": "initial"}
    c_year = w.Dropdown(options=ex.years, value=year, description="年份", style=style)
    c_comm = w.Dropdown(options=names, value=community if community in names else names[0],
                        description="社区", style=style)
    c_line = w.Dropdown(options=ex.lines(year), value=ALL_LINES, description="条线",
                        style=style)
    options = ex.indicators(year)
    ids = [i for _, i in options]
    c_ind = w.Dropdown(options=options, value=indicator if indicator in ids else ids[0],
                       description="指标", style=style)
    view = DisplayHandle()

    def draw(*_: Any) -> None:
        # An update of the cell's own display (no output-widget capture: under papermill
        # the capture protocol now and then lost the cell's execute reply).
        ex.shown = ex.view_html(c_year.value, c_line.value, c_ind.value, c_comm.value)
        view.update(HTML(ex.shown))

    def year_changed(change: dict[str, Any]) -> None:
        names = ex.communities(change["new"])
        keep = c_comm.value
        c_comm.options = names
        c_comm.value = keep if keep in names else names[0]
        line_changed({"new": c_line.value})

    def line_changed(change: dict[str, Any]) -> None:
        keep = c_ind.value
        options = ex.indicators(c_year.value, change["new"])
        ids = [i for _, i in options]
        with c_ind.hold_trait_notifications():
            c_ind.options = options
            c_ind.value = keep if keep in ids else ids[0]
        draw()

    c_year.observe(year_changed, names="value")
    c_line.observe(line_changed, names="value")
    c_comm.observe(draw, names="value")
    c_ind.observe(draw, names="value")
    box = w.VBox([w.HBox([c_year, c_comm]), w.HBox([c_line, c_ind])])
    box.explorer = ex
    display(box)
    ex.shown = ex.view_html(c_year.value, c_line.value, c_ind.value, c_comm.value)
    view.display(HTML(ex.shown))
    return box

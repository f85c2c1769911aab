"""The summary's words: a document model built from CommunityFacts (and StreetFacts).

A community secretary edits the summary afterwards and leadership quotes it, so the text
follows the genre closely (T1-T12 of report.md): a formal opening anchored in the
parameters' 指导思想 and 中心工作, dense sentences with figures written the genre's way,
numbered items opening with a caption and using 一是…二是…. A sentence is written only
when its figure exists: a missing ledger leaves a sentence out, it never turns into 0.

The model is plain data (sections of paragraphs, numbered items and tables, each knowing
the charts that follow it) so a notebook can display it piece by piece, an analyst can
change a sentence before export, and tests can read ``document.text()``.
"""

from __future__ import annotations

import fnmatch
import html as _html
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from . import period as periods
from . import sources as _sources
from .drafting import (
    blocks_config,
    clean_item,
    next_steps_intro,
    problems_intro,
    target_actual_text,
    target_label,
    target_note_text,
)
from .events import OTHER_LINE, event_rules
from .facts import CommunityFacts, StreetFacts
from .numfmt import (
    as_of_phrase,
    cn_date,
    enumerate_shi,
    fmt_pct,
    fmt_quantity,
    heading_ordinal,
    item_ordinal,
    paren_ordinal,
    plain_number,
    yoy_phrase,
)
from .schema import SAFETY_ITEMS

__all__ = ["Paragraph", "Item", "Table", "Signature", "Section", "Document",
           "build_document", "build_overview", "OVERVIEW_INDICATORS", "SECTION_KINDS"]


def _esc(text: Any) -> str:
    return _html.escape(str(text), quote=True)


# ======================================================================================
# The document model
# ======================================================================================

@dataclass
class Paragraph:
    """One paragraph of running text."""

    content: str
    css: str = ""
    # The indicator behind each figure it states (sources.claim; the 底稿 and tooltips).
    sources: list[dict[str, Any]] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.sources = self.sources or _sources.claim(self.content)

    def text(self) -> str:
        return self.content

    def html(self) -> str:
        cls = f' class="{_esc(self.css)}"' if self.css else ""
        return f"<p{cls}>{_sources.mark(self.content, self.sources)}</p>"


@dataclass
class Item:
    """A numbered item ``1、{caption}。{body}`` as the genre numbers its points."""

    number: int
    caption: str
    body: str = ""
    sources: list[dict[str, Any]] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.sources = self.sources or _sources.claim(self.body)

    @property
    def label(self) -> str:
        return f"{self.number}、{clean_item(self.caption)}。"

    def text(self) -> str:
        return f"{self.label}{self.body}"

    def html(self) -> str:
        return (f'<p class="sk-item"><span class="sk-item-caption">{_esc(self.label)}</span>'
                f"{_sources.mark(self.body, self.sources)}</p>")


# A table this short is kept on one page (a lone last row on the next page reads badly);
# a longer one breaks between rows, and forcing it whole would leave the rest of the
# page before it blank (a 25-row targets table moved whole left half a page empty).
KEEP_WHOLE_ROWS = 12
# A table that breaks keeps at least this many rows with its header and at its end, so
# no page holds a header with one row or a lone last row (tr.sk-hold in report.css.j2).
HOLD_HEAD_ROWS = 2
HOLD_TAIL_ROWS = 3


# 杜绝火灾事故发生, 确保无重大刑事案件: a target as plans write it reads badly broken
# (杜绝火灾事故发/生); the targets table keeps cells this short on one line.
TARGET_SHORT_CELL = 9
SHORT_CELL = 6  # 未达预期, 4个季度达标: cells this short read badly broken over two lines


def _td(cell: Any, short: int = SHORT_CELL, sources: list[dict[str, Any]] | None = None
        ) -> str:
    text = str(cell)
    if len(text) <= short:
        return f'<td class="nw">{_sources.mark(text, sources)}</td>'
    return f"<td>{_sources.mark(text, sources)}</td>"


@dataclass
class Table:
    """A small table with named columns and no index column."""

    columns: list[str]
    rows: list[list[str]]
    css: str = "sk-table"
    caption: str = ""
    note: str = ""
    lead: str = ""  # the sentence that introduces the table, kept on its page
    short: int = SHORT_CELL  # cells up to this many characters never wrap
    sources: list[dict[str, Any]] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.sources = self.sources or _sources.claim_cells(self.rows)

    def _cell_sources(self, i: int, j: int) -> list[dict[str, Any]]:
        return [s for s in self.sources if s.get("cell") == [i, j]]

    def text(self) -> str:
        lines = [self.lead] if self.lead else []
        lines += [self.caption] if self.caption else []
        lines.append("\t".join(self.columns))
        lines.extend("\t".join(str(c) for c in r) for r in self.rows)
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)

    @property
    def kept(self) -> bool:
        return len(self.rows) <= KEEP_WHOLE_ROWS

    def _tr(self, index: int) -> str:
        """A row that must not start a page: the first rows after the header and the
        last rows of a table long enough to break."""
        if self.kept:
            return "<tr>"
        n = len(self.rows)
        if 0 < index < HOLD_HEAD_ROWS or index >= n - HOLD_TAIL_ROWS:
            return '<tr class="sk-hold">'
        return "<tr>"

    def html(self, heading: str = "") -> str:
        """``heading`` (a section's) goes inside the kept block, so a heading is never
        left alone at the foot of a page when its table moves on."""
        cap = f"<caption>{_esc(self.caption)}</caption>" if self.caption else ""
        head = "".join(f"<th>{_esc(c)}</th>" for c in self.columns)
        if cap and not self.kept:
            # A table that breaks across pages carries its caption as a header row: a
            # <caption> stays behind at the foot of a page when the first rows move on,
            # a header row travels with them (and repeats over the continued rows).
            head = (f'<th class="sk-caption" colspan="{len(self.columns)}">'
                    f"{_esc(self.caption)}</th></tr><tr>{head}")
            cap = ""
        body = "".join(self._tr(i) + "".join(_td(c, self.short, self._cell_sources(i, j))
                                             for j, c in enumerate(r)) + "</tr>"
                       for i, r in enumerate(self.rows))
        out = (f'<table class="{_esc(self.css)}">{cap}<thead><tr>{head}</tr></thead>'
               f"<tbody>{body}</tbody></table>")
        if self.note:
            out += f'<p class="sk-table-note">{_esc(self.note)}</p>'
        if self.lead:
            out = f'<p class="sk-table-lead">{_esc(self.lead)}</p>{out}'
        if self.kept:
            # The wrapper, not the table, carries the rule: WeasyPrint would otherwise move
            # the table and leave its caption behind.
            return f'<div class="sk-keep">{heading}{out}</div>'
        return heading + out


@dataclass
class Signature:
    """The 落款: the issuing bodies and the date, set right."""

    lines: list[str]

    def text(self) -> str:
        return "\n".join(self.lines)

    def html(self) -> str:
        inner = "".join(f"<p>{_esc(x)}</p>" for x in self.lines)
        return f'<div class="sk-signature">{inner}</div>'


Block = Paragraph | Item | Table | Signature


@dataclass
class Section:
    """A headed part of the document; ``charts`` are drawn right after its own blocks
    (before any sub-sections), in the order given."""

    key: str
    heading: str
    level: int = 1
    blocks: list[Any] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)

    @property
    def own_blocks(self) -> list[Any]:
        return [b for b in self.blocks if not isinstance(b, Section)]

    @property
    def subsections(self) -> list[Section]:
        return [b for b in self.blocks if isinstance(b, Section)]

    def heading_html(self) -> str:
        if not self.heading:
            return ""
        tag = f"h{min(self.level + 1, 6)}"
        return f"<{tag}>{_esc(self.heading)}</{tag}>"

    def _own_html(self) -> str:
        blocks = self.own_blocks
        if blocks and isinstance(blocks[0], Table) and blocks[0].kept:
            return blocks[0].html(heading=self.heading_html()) + "".join(
                b.html() for b in blocks[1:])
        return self.heading_html() + "".join(b.html() for b in blocks)

    def html(self, charts: Mapping[str, str] | None = None) -> str:
        """The section as an HTML fragment; ``charts`` maps a chart key to ready HTML
        (an embedded image) to place after the section's own text."""
        parts = [f'<section class="sk-section" data-key="{_esc(self.key)}">',
                 self._own_html()]
        if charts:
            parts.extend(charts[k] for k in self.charts if k in charts)
        parts.extend(s.html(charts) for s in self.subsections)
        parts.append("</section>")
        return "".join(parts)

    def text(self) -> str:
        lines = [self.heading] if self.heading else []
        lines.extend(b.text() for b in self.own_blocks)
        lines.extend(s.text() for s in self.subsections)
        return "\n".join(x for x in lines if x)

    def flow(self) -> Iterator[tuple[str, str]]:
        """("html", fragment) and ("chart", key) pairs in reading order."""
        own = self._own_html()
        if own:
            yield "html", f'<div class="sk-part" data-key="{_esc(self.key)}">{own}</div>'
        for k in self.charts:
            yield "chart", k
        for s in self.subsections:
            yield from s.flow()

    def walk(self) -> Iterator[Section]:
        yield self
        for s in self.subsections:
            yield from s.walk()


@dataclass
class Document:
    """A whole summary (or street overview): cover facts and sections in order."""

    title: str
    cover: dict[str, str]
    sections: list[Section]
    # The sections each outline entry of a 文种 made (its 键, or 类型 → section keys),
    # for the notebook's one cell per entry.
    parts: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _sources.number(self)  # figures numbered as the 底稿 lists them

    def section(self, key: str) -> Section | None:
        for top in self.sections:
            for s in top.walk():
                if s.key == key:
                    return s
        return None

    def chart_keys(self) -> list[str]:
        return [k for top in self.sections for s in top.walk() for k in s.charts]

    def cover_lines(self) -> list[list[str]]:
        """The cover's lines below the title, as the export prints them."""
        return [[k, v] for k, v in self.cover.items() if k != "标题" and v]

    def cover_html(self) -> str:
        rows = "".join(f"<p>{_esc(k)}：{_esc(v)}</p>" for k, v in self.cover.items())
        return f'<div class="sk-cover"><h1>{_esc(self.title)}</h1>{rows}</div>'

    def html(self, charts: Mapping[str, str] | None = None, cover: bool = True) -> str:
        body = "".join(s.html(charts) for s in self.sections)
        return (self.cover_html() if cover else f"<h1>{_esc(self.title)}</h1>") + body

    def text(self) -> str:
        return "\n".join([self.title] + [s.text() for s in self.sections])

    def flow(self) -> Iterator[tuple[str, str]]:
        """What a notebook shows in order: HTML fragments and the chart keys between."""
        for s in self.sections:
            yield from s.flow()

    def toc(self) -> list[str]:
        return [s.heading for s in self.sections if s.heading]


# ======================================================================================
# Reading facts
# ======================================================================================

def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _stated(x: Any) -> bool:
    """Whether a figure may be written as a result of the year's work: it exists and is
    above 0. A zero is never an achievement (no 实现就业0人, 新纳入0户, 募集捐款0元);
    where work was expected it belongs in 存在问题, and an empty ledger is told in 数据说明."""
    return _num(x) and x > 0


def _join(parts: list[str | None], sep: str = "，") -> str:
    return sep.join(p for p in parts if p)


def _sentence(parts: list[str | None], sep: str = "，") -> str | None:
    body = _join(parts, sep)
    return f"{body}。" if body else None


def _is_ratio_id(indicator_id: str) -> bool:
    tail = indicator_id.split(".")[-1]
    return tail.startswith(("avg_", "per_")) or "_per_" in tail


class _Ctx:
    """Looks figures up for one 版块: an indicator outside the 版块's 指标 is unknown
    there, so each figure is written in exactly the 版块 the mapping puts it in."""

    def __init__(self, facts: CommunityFacts, patterns: list[str] | None = None):
        self.facts = facts
        self.patterns = patterns

    def allowed(self, indicator_id: str) -> bool:
        if self.patterns is None:
            return True
        return any(fnmatch.fnmatchcase(indicator_id, p) for p in self.patterns)

    def row(self, indicator_id: str) -> dict[str, Any] | None:
        if not self.allowed(indicator_id):
            return None
        return self.facts.row(indicator_id)

    def v(self, indicator_id: str) -> Any:
        """The figure to state, or None: 无数据 and 0 alike are not written (``_stated``)."""
        r = self.row(indicator_id)
        value = None if r is None else r.get("value")
        return value if _stated(value) else None

    def d(self, indicator_id: str) -> dict[str, Any] | None:
        r = self.row(indicator_id)
        value = None if r is None else r.get("value")
        return value if isinstance(value, dict) else None

    def q(self, indicator_id: str, unit: str | None = None) -> str | None:
        """The figure with its unit (8420人次, 1.34万元, 63.5%), or None when not stated."""
        r = self.row(indicator_id)
        if r is None or not _stated(r.get("value")):
            return None
        return fmt_quantity(r["value"], unit if unit is not None else r.get("unit"),
                            ratio=_is_ratio_id(indicator_id))

    def yoy(self, indicator_id: str) -> str | None:
        """同比 phrase, only where last year's figure exists (prose never says 无上年数据)
        and this year's is stated: a -100% beside a zero is never written."""
        r = self.row(indicator_id)
        if r is None or not _stated(r.get("value")) or not _num(r.get("previous")):
            return None
        return yoy_phrase(r["value"], r["previous"], r.get("unit"))

    def prior(self, indicator_id: str) -> str | None:
        """环比 phrase (较上季度增加3场次) in a period the run named, where the ledgers
        cover the window before; None otherwise."""
        r = self.row(indicator_id)
        if r is None or not _stated(r.get("value")) or not _num(r.get("prior")):
            return None
        return periods.prior_phrase(r["value"], r["prior"], r.get("unit"),
                                    _words(self.facts).get("上期") or "")


def _period_word(facts: CommunityFacts) -> str:
    """全年 / 上半年 / 今年以来 / 本季度 / 本周, as the genre opens a sentence about the period."""
    return periods.report_period_word(facts)


def _words(facts: CommunityFacts | StreetFacts) -> dict[str, Any]:
    """The period's phrases (rules/period.yaml): no 全年 or 年度目标 at mid-year."""
    return periods.report_words(facts)


def _p(facts: CommunityFacts, key: str) -> Any:
    value = (facts.params or {}).get(key)
    if isinstance(value, str):
        value = value.strip()
    return value or None


def _org(facts: CommunityFacts) -> str:
    """党委/党总支/党支部 from 基本情况, or "" when the sheet does not say: a made-up
    "党组织" is no body's name, so 社区{_org}下设… then reads 社区下设…."""
    org = str(facts.profile.get("组织类型") or "").strip()
    if not org:
        return ""
    return org if org.startswith("党") else f"党{org}"


def _issuer(facts: CommunityFacts) -> str:
    """The issuing bodies, T1's subject and the 落款: {社区}党总支、居委会 by 基本情况's
    组织类型; without it the parameters' 落款单位 (as written) or 党组织名称 (its full
    name), else the 居委会 alone, which always exists."""
    org = _org(facts)
    if org:
        return f"{facts.community}{org}、居委会"
    named = _p(facts, "落款单位")
    if named:
        return str(named)
    party = _p(facts, "党组织名称")
    if party:
        return f"{party}、居委会"
    return f"{facts.community}居委会"


# A summary is signed after its period ends and before the next one is far along: a
# 落款日期 outside this window belongs to another report (the annual 2025-01-10 of a
# community's parameters must not sign its half-year summary dated 30 June).
SIGNING_WINDOW_DAYS = 120


def _signed_on(facts: CommunityFacts) -> str:
    """The 落款's date: the workbook's 填报日期 when it is after the as-of date (the
    summary is signed when the ledgers are handed in), else the parameters' 落款日期
    when it falls within the signing window after the as-of date, else the as-of date."""
    end = facts.as_of_date

    def in_window(text: Any) -> date | None:
        try:
            day = date.fromisoformat(str(text)[:10])
        except ValueError:
            return None
        return day if 0 < (day - end).days <= SIGNING_WINDOW_DAYS else None

    if str(facts.profile.get("统计截止日期") or facts.as_of)[:10] != facts.as_of:
        # A quarter or a week of the workbook: its 填报日期 and the parameters' 落款日期
        # sign the workbook's own report, not this one.
        return cn_date(end)
    filed = facts.profile.get("填报日期")
    day = in_window(filed) if filed else None
    if day is None:
        signed = _p(facts, "落款日期")
        day = in_window(signed) if signed is not None else None
    return cn_date((day or end).isoformat())


def _leading_bodies(facts: CommunityFacts) -> str:
    """The street's leading bodies: 街道党工委、办事处 becomes 青枫街道党工委、办事处."""
    bodies = _p(facts, "领导机关") or "街道党工委、办事处"
    street = facts.street or ""
    for suffix in ("街道", "镇", "乡"):
        if street.endswith(suffix) and bodies.startswith(suffix):
            return street + bodies[len(suffix):]
    return bodies


def _list(facts: CommunityFacts, key: str) -> list[str]:
    raw = (facts.params or {}).get(key)
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    return [clean_item(x) for x in raw if x is not None and clean_item(x)]


def _profile_num(facts: CommunityFacts, key: str) -> Any:
    value = facts.profile.get(key)
    return value if _num(value) else None


def _safety_value(facts: CommunityFacts, suffix: str) -> Any:
    """A 平安稳定 item as stated on the sheet (None when the sheet or the item is absent)."""
    if facts.safety is None:
        return None
    for name, sfx in SAFETY_ITEMS:
        if sfx == suffix:
            for key in (name, name.split("(")[0], suffix, f"safety.{suffix}"):
                if key in facts.safety and _num(facts.safety[key]):
                    return facts.safety[key]
    return None


def _no_fires(facts: CommunityFacts) -> bool:
    """杜绝了火灾事故的发生 may be written only on the 平安稳定 sheet's own 0."""
    return _safety_value(facts, "fires") == 0


def _and(words: list[str]) -> str:
    """甲、乙和丙: the last of a list joined with 和."""
    return words[0] if len(words) == 1 else f"{'、'.join(words[:-1])}和{words[-1]}"


def _by_dict_parts(values: dict[str, Any] | None, unit: str, suffix: str = "",
                   limit: int | None = None, skip: tuple[str, ...] = ()) -> list[str]:
    if not values:
        return []
    items = [(k, v) for k, v in values.items() if _num(v) and v > 0 and k not in skip]
    items.sort(key=lambda kv: -kv[1])
    if limit:
        items = items[:limit]
    return [f"{k}{suffix}{plain_number(v)}{unit}" for k, v in items]


# ======================================================================================
# 开头语, 基本情况
# ======================================================================================

def _opening(facts: CommunityFacts) -> Section:
    words = _words(facts)
    when = words["开头"]
    guide = _p(facts, "指导思想")
    theme = _p(facts, "中心工作")
    street = facts.street or ""
    parts = [f"{when}，{_issuer(facts)}"]
    if guide:
        parts.append(f"坚持以{guide}为指导")
    if theme:
        parts.append(f"紧紧围绕{street}“{theme.strip('“”')}”的工作要求")
    parts.append(f"在{_leading_bodies(facts)}的正确领导和精心指导下")
    parts.append("团结带领社区广大党员、居民群众积极有效地开展各项工作")
    text = parts[0] + _join(parts[1:])  # the subject runs straight into its verb
    text = f"{text}。现将{words['标题词']}工作总结如下："
    return Section("opening", "", blocks=[Paragraph(text, "sk-opening")])


def _profile_section(facts: CommunityFacts, number: int) -> Section:
    pf = facts.profile
    g = lambda k: _profile_num(facts, k)  # noqa: E731 - a local shorthand
    area, hh, pop = g("辖区面积(平方公里)"), g("户数"), g("常住人口")
    floating, elderly = g("流动人口"), g("60周岁以上老年人")
    units, branches, members = g("驻区单位数"), g("下设党支部数"), g("党员数")
    first: list[str | None] = []
    if area is not None:
        first.append(f"辖区面积{plain_number(area)}平方公里")
    if pop is not None:
        people = f"有居民{plain_number(hh)}户{plain_number(pop)}人" if hh is not None \
            else f"有常住人口{plain_number(pop)}人"
        inner = _join([f"流动人口{plain_number(floating)}人" if floating is not None else None,
                       f"60周岁以上老年人{plain_number(elderly)}人" if elderly is not None
                       else None], "、")
        first.append(people + (f"（其中{inner}）" if inner else ""))
    if units is not None:
        first.append(f"驻区单位{plain_number(units)}个")
    second: list[str] = []
    if branches is not None:
        second.append(f"社区{_org(facts)}下设{plain_number(branches)}个党支部")
    if members is not None:
        second.append(("共有" if second else f"社区{_org(facts)}共有") +
                      f"党员{plain_number(members)}名")
    workers, grids = g("社区工作者数"), g("网格数")
    third = _join([f"社区工作者{plain_number(workers)}名" if workers is not None else None,
                   f"划分网格{plain_number(grids)}个" if grids is not None else None])
    text = facts.community + _join(first)
    if second:
        text += ("；" if first else "") + _join(second)
    if third:
        text += f"；现有{third}"
    blocks: list[Any] = [Paragraph(text + "。")]

    rows: list[list[str]] = []
    for key, label, unit in (
        ("辖区面积(平方公里)", "辖区面积", "平方公里"), ("户数", "户数", "户"),
        ("常住人口", "常住人口", "人"), ("户籍人口", "户籍人口", "人"),
        ("流动人口", "流动人口", "人"), ("60周岁以上老年人", "60周岁以上老年人", "人"),
        ("80周岁以上老年人", "80周岁以上老年人", "人"), ("党员数", "党员", "名"),
        ("社区工作者数", "社区工作者", "名"), ("网格数", "网格", "个"),
        ("小区数", "小区", "个"), ("驻区单位数", "驻区单位", "个"),
    ):
        value = pf.get(key)
        if _num(value):
            rows.append([label, f"{plain_number(value, sep=True)}{unit}"])
    share = facts.value("profile.elderly_share")
    if _num(share):
        rows.append(["60周岁以上老年人占比", fmt_pct(share)])
    if rows:
        blocks.append(Table(["项目", "数值"], rows, caption="社区基本情况"))
    return Section("profile", f"{heading_ordinal(number)}社区基本情况", blocks=blocks)


# ======================================================================================
# 主要工作及成效: the item builders (each writes only what its 版块 allows)
# ======================================================================================

ItemDraft = tuple[str, str]  # (caption, body)


def _party_items(c: _Ctx) -> list[ItemDraft]:
    members = c.v("profile.party_members")
    if members is None:
        return []
    f = c.facts
    branches = _profile_num(f, "下设党支部数")
    prob = _profile_num(f, "预备党员数")
    body = _join([f"社区{_org(f)}下设{plain_number(branches)}个党支部" if branches is not None
                  else None,
                  f"现有党员{plain_number(members)}名" +
                  (f"，其中预备党员{plain_number(prob)}名" if prob else "")])
    body += "。"
    return [("加强党员队伍建设，夯实党建工作基础", body)]


def _dibao_items(c: _Ctx) -> list[ItemDraft]:
    hh, persons = c.v("dibao.households"), c.v("dibao.persons")
    new, out = c.v("dibao.new"), c.v("dibao.exited")
    period_amount, monthly = c.q("dibao.period_amount"), c.q("dibao.monthly_amount")
    if hh is None and new is None and out is None and period_amount is None:
        return []
    pw = _period_word(c.facts)
    sents: list[str | None] = []
    if hh is not None:
        head = f"{as_of_phrase(c.facts.as_of)}，社区现有低保户{plain_number(hh)}户"
        if persons is not None:
            head += f"{plain_number(persons)}人"
        by_hh, by_p = c.d("dibao.by_class") or {}, c.d("dibao.persons_by_class") or {}
        classes = []
        for k, n in by_hh.items():
            if _num(n) and n > 0:
                np_ = by_p.get(k)
                classes.append(f"{k}类{plain_number(n)}户" +
                               (f"{plain_number(np_)}人" if _num(np_) else ""))
        sents.append(_sentence([head, ("其中" + "、".join(classes)) if classes else None]))
    flows = [f"新纳入{plain_number(new)}户" if new is not None else None,
             f"退出{plain_number(out)}户" if out is not None else None]
    if any(flows):
        sents.append(_sentence([f"{pw}" + _join(flows)]))
    money = [f"月保障金合计{monthly}" if monthly else None,
             f"{pw}发放低保金{period_amount}（按月保障金估算）" if period_amount else None]
    if any(money):
        sents.append(_sentence(money))
    body = "认真落实低保政策，做到应保尽保、动态管理。" + "".join(s for s in sents if s)
    return [("规范低保管理，切实保障困难群众基本生活", body)]


def _disability_items(c: _Ctx) -> list[ItemDraft]:
    total = c.v("disability.total")
    visits = c.v("disability.visits")
    if total is None and visits is None:
        return []
    sents: list[str | None] = []
    if total is not None:
        kinds = _by_dict_parts(c.d("disability.by_type"), "人", suffix="残疾")
        head = f"目前辖区共有残疾人{plain_number(total)}人" + \
            (f"（其中{'、'.join(kinds)}）" if kinds else "")
        sents.append(_sentence([
            head,
            f"重度残疾人（一、二级）{plain_number(c.v('disability.severe'))}人"
            if c.v("disability.severe") is not None else None,
            f"持证率{c.q('disability.certified_rate')}" if c.q("disability.certified_rate")
            else None,
            f"享受两项补贴{plain_number(c.v('disability.subsidy'))}人"
            if c.v("disability.subsidy") is not None else None,
        ]))
    if visits is not None:
        sents.append(_sentence([
            f"{_period_word(c.facts)}上门走访服务残疾人{plain_number(visits)}人次",
            c.yoy("disability.visits"),
            f"人均{c.q('disability.visits_per_person')}" if c.q("disability.visits_per_person")
            else None,
        ]))
    return [("关心关爱残疾人，扎实做好助残服务", "".join(s for s in sents if s))]


def _assistance_items(c: _Ctx) -> list[ItemDraft]:
    visits, amount = c.v("assistance.visits"), c.q("assistance.amount")
    if visits is None:
        return []
    groups = _by_dict_parts(c.d("assistance.by_group"), "户次", limit=3, skip=("其他",))
    body = _sentence([
        f"{_period_word(c.facts)}走访慰问困难群众{plain_number(visits)}户次",
        c.yoy("assistance.visits"),
        f"发放慰问金及物资折合{amount}" if amount and c.v("assistance.amount") else None,
    ]) or ""
    if groups:
        body += f"其中{'、'.join(groups)}。"
    return [("情系困难群众，扎实开展走访帮扶", body)]


def _employment_items(c: _Ctx) -> list[ItemDraft]:
    reg, re_ = c.v("employment.registered_in_year"), c.v("employment.reemployed")
    if reg is None and re_ is None:
        return []
    pw = _period_word(c.facts)
    rate = c.q("employment.reemployment_rate")
    first = [f"{pw}在册登记失业人员{plain_number(reg)}人" if reg is not None else None,
             f"实现再就业{plain_number(re_)}人" if re_ is not None else None,
             f"再就业率{rate}" if rate else None,
             c.yoy("employment.reemployment_rate") if rate else None]
    hard = c.v("employment.hard_reemployed")
    hard_rate = c.q("employment.hard_reemployment_rate")
    sents = [_sentence(first)]
    if hard is not None:
        sents.append(_sentence([f"其中就业困难人员实现就业{plain_number(hard)}人",
                                f"就业困难人员再就业率{hard_rate}" if hard_rate else None]))
    forms = _by_dict_parts(c.d("employment.by_form"), "人")
    if forms:
        sents.append(f"按就业形式分，{'、'.join(forms)}。")
    tail = [f"登记失业人员培训参与率{c.q('employment.training_rate')}"
            if c.q("employment.training_rate") else None,
            f"{as_of_phrase(c.facts.as_of)}，尚有登记失业人员{plain_number(c.v('employment.unemployed_end'))}人"  # noqa: E501
            if c.v("employment.unemployed_end") is not None else None]
    sents.append(_sentence(tail, "；"))
    return [("千方百计促进就业，做好就业再就业服务", "".join(s for s in sents if s))]


def _donation_items(c: _Ctx) -> list[ItemDraft]:
    amount = c.q("donation.amount")
    if amount is None:
        return []
    donors = c.v("donation.donors")
    body = _sentence([
        f"{_period_word(c.facts)}共募集捐款{amount}",
        c.yoy("donation.amount"),
        f"参与捐款{plain_number(donors)}人次" if donors is not None else None,
    ]) or ""
    return [("弘扬慈善精神，积极开展募捐活动", body)]


_NONE_WORDS = (("criminal_cases", "刑事案件"), ("major_criminal_cases", "重大刑事案件"),
               ("mass_incidents", "群体性事件"), ("accidents", "安全生产事故"))


def _safety_items(c: _Ctx) -> list[ItemDraft]:
    f = c.facts
    pw = _period_word(f)
    points: list[str] = []
    accepted = c.v("dispute.accepted")
    if accepted is not None:
        points.append(_join([
            f"化解矛盾纠纷，{pw}共受理各类矛盾纠纷{plain_number(accepted)}件",
            f"调解成功{plain_number(c.v('dispute.resolved'))}件"
            if c.v("dispute.resolved") is not None else None,
            f"调解成功率{c.q('dispute.success_rate')}" if c.q("dispute.success_rate") else None,
            f"移交处理{plain_number(c.v('dispute.transferred'))}件"
            if c.v("dispute.transferred") else None,
        ]))
    found = c.v("hazard.found")
    fire_ok = c.allowed("safety.fires") and _no_fires(f)
    fire_parts: list[str | None] = []
    if found is not None:
        fire_parts += [
            f"{pw}排查各类安全隐患{plain_number(found)}处",
            f"已整改{plain_number(c.v('hazard.rectified'))}处"
            if c.v("hazard.rectified") is not None else None,
            f"整改率{c.q('hazard.rectified_rate')}" if c.q("hazard.rectified_rate") else None,
            f"其中重大隐患{plain_number(c.v('hazard.major'))}处"
            if c.v("hazard.major") else None,
            f"按期整改率{c.q('hazard.ontime_rate')}" if c.q("hazard.ontime_rate") else None,
            f"另完成上年结转隐患整改{plain_number(c.v('hazard.carried_over'))}处"
            if c.v("hazard.carried_over") else None,
        ]
    if fire_ok:
        fire_parts.append("杜绝了火灾事故的发生")
    if any(fire_parts):
        points.append("落实防火责任，" + _join(fire_parts))
    if f.safety is not None and any(c.allowed(f"safety.{s}") for _, s in SAFETY_ITEMS):
        happened, none = [], []
        for name, sfx in SAFETY_ITEMS:
            if sfx == "fires" or not c.allowed(f"safety.{sfx}"):
                continue
            n = _safety_value(f, sfx)
            if n is None:
                continue
            label, unit = name.split("(")[0], name.split("(")[1].rstrip(")")
            if n > 0:
                happened.append(f"{label}{plain_number(n)}{unit}")
            elif sfx in dict(_NONE_WORDS):
                none.append(label)
        fires = _safety_value(f, "fires")
        if fires and c.allowed("safety.fires"):
            happened.insert(0, f"火灾事故{plain_number(fires)}起")
        stab = _join([f"{pw}辖区发生" + "、".join(happened) if happened else None,
                      "未发生" + _and(none) if none else None])
        if stab:
            points.append("维护社会稳定，" + stab)
    if not points:
        return []
    return [("强化综合治理，维护社区和谐稳定", enumerate_shi(points))]


def _info_items(c: _Ctx) -> list[ItemDraft]:
    sub = c.v("info.submitted")
    if sub is None:
        return []
    adopted = c.v("info.adopted")
    body = _sentence([
        f"{_period_word(c.facts)}社区上报各类信息{plain_number(sub)}篇",
        f"录用{plain_number(adopted)}篇" if adopted is not None else None,
        c.yoy("info.adopted") if adopted is not None else None,
        f"录用率{c.q('info.adoption_rate')}" if c.q("info.adoption_rate") else None,
    ]) or ""
    return [("加强信息宣传，及时反映社区工作动态", body)]


def _volunteer_items(c: _Ctx) -> list[ItemDraft]:
    out: list[ItemDraft] = []
    reg = c.v("volunteer.registered")
    if reg is not None:
        body = _sentence([
            f"{as_of_phrase(c.facts.as_of)}，社区共有注册志愿者{plain_number(reg)}名",
            f"志愿者注册率{c.q('volunteer.registration_rate')}"
            if c.q("volunteer.registration_rate") else None,
            f"其中{_period_word(c.facts)}新注册志愿者{plain_number(c.v('volunteer.new'))}名"
            if c.v("volunteer.new") else None,
        ])
        out.append(("壮大志愿者队伍，夯实志愿服务基础", body or ""))
    times, hours = c.v("volunteer.service_times"), c.q("volunteer.hours")
    if times is not None or hours:
        body = _sentence([
            f"{_period_word(c.facts)}志愿服务记录{plain_number(times)}人次"
            if times is not None else None,
            f"累计服务时长{hours}" if hours else None,
            c.yoy("volunteer.hours") if hours else None,
            # a week's hours spread over every registered volunteer can show as 0.0小时
            f"人均服务时长{c.q('volunteer.hours_per_volunteer')}"
            if _shows_nonzero(c.q("volunteer.hours_per_volunteer")) else None,
            f"活跃志愿者比例{c.q('volunteer.active_rate')}"
            if c.q("volunteer.active_rate") else None,
        ])
        out.append(("常态化开展志愿服务，志愿精神深入人心", body or ""))
    return out


def _shows_nonzero(text: str | None) -> bool:
    """A figure as written (0.0小时, 1.2小时) states something only when a digit of it
    is not zero."""
    return bool(text) and any(ch in "123456789" for ch in str(text))


ITEM_BUILDERS: tuple[Callable[[_Ctx], list[ItemDraft]], ...] = (
    _party_items, _dibao_items, _disability_items, _assistance_items, _employment_items,
    _donation_items, _safety_items, _info_items, _volunteer_items,
)


def _event_words() -> dict[str, Any]:
    return event_rules()["措辞"]


def _line_label(line: str) -> str:
    """党建类活动; the 条线 其他 is never named as a 条线 (其他各类活动), and 残疾人类活动
    (read 残疾·人类) takes its own wording."""
    w = _event_words()
    special = w.get("条线活动特称") or {}
    return str(special[line]) if line in special else w["条线活动"].format(条线=line)


def _named_events(events: list[dict[str, Any]], count: Any) -> str:
    """每月开展A，定期开展B（5场次），还开展了C、D等活动: the ledger's own 活动名称 of one
    条线, recurring work first (events.activity_events chose them and checked them)."""
    w = _event_words()
    monthly = [e["name"] for e in events if e.get("monthly")]
    regular = [w["定期名称"].format(名称=e["name"], 场次=plain_number(e["times"]))
               for e in events if e.get("recurring") and not e.get("monthly")]
    others = [e["name"] for e in events if not e.get("recurring")]
    parts = []
    if monthly:
        parts.append(w["每月"].format(名称="、".join(monthly)))
    if regular:
        parts.append(w["定期"].format(名称="、".join(regular)))
    if others:
        whole = _num(count) and sum(e["times"] for e in events) >= count
        key = ("列举续" if parts else "列举") + ("全" if whole else "")
        parts.append(w[key].format(名称="、".join(others)))
    return "，".join(parts)


def _line_clause(facts: CommunityFacts, line: str, n: Any) -> str:
    """党建类活动22场次，定期开展…: the count of a 条线 with the activities it names."""
    by_line = (facts.events or {}).get("by_line") or {}
    named = _named_events(by_line.get(line) or [], n)
    return f"{_line_label(line)}{plain_number(n)}场次" + (f"，{named}" if named else "")


def _line_activity_item(facts: CommunityFacts, block: dict[str, Any]) -> ItemDraft | None:
    """Activities of the 版块's 条线, from activity.by_line (lines with none left out),
    each with the activities it names from the ledger."""
    by_line = facts.value("activity.by_line")
    if not isinstance(by_line, dict):
        return None
    counts = [(line, by_line.get(line)) for line in block["条线"]]
    counts = [(line, n) for line, n in counts if _num(n) and n > 0]
    if not counts:
        return None
    pw = _period_word(facts)
    caption = block.get("活动标题") or f"扎实开展{'、'.join(block['条线'])}工作"
    if len(counts) == 1:
        body = f"{pw}开展{_line_clause(facts, *counts[0])}。"
    else:
        total = sum(n for _, n in counts)
        named = [line for line, _ in counts if line != OTHER_LINE]
        body = (f"{pw}围绕{'、'.join(named)}等工作开展活动"
                f"{plain_number(total)}场次：" +
                enumerate_shi([_line_clause(facts, line, n) for line, n in counts]))
    return caption, body


def _largest_events(facts: CommunityFacts) -> str | None:
    """规模较大的活动有A（177人次）、B（156人次）和C（148人次）: the year's biggest one-off
    activities by 参与人次, for the overview."""
    events = (facts.events or {}).get("largest") or []
    if not events:
        return None
    w = _event_words()
    names = [w["概述名称"].format(名称=e["name"], 人次=plain_number(e["participants"]))
             for e in events]
    return w["概述"].format(名称=_and(names)) + "。"


def _activity_overview(facts: CommunityFacts) -> tuple[list[Any], list[str]]:
    """T3: the year's activities in one paragraph, with the activity charts after it."""
    c = _Ctx(facts)
    count = c.v("activity.count")
    if count is None:
        return [], []
    pw = _period_word(facts)
    parts = [f"{pw}社区共开展各类活动{plain_number(count)}场次", c.prior("activity.count")]
    part = c.v("activity.participants")
    if part is not None:
        parts.append(f"参与居民{plain_number(part)}人次")
        parts.append(c.yoy("activity.participants"))
    else:
        parts.append(c.yoy("activity.count"))
    if c.v("activity.volunteer_visits"):
        # 活动台账's 志愿者人次, not the 志愿服务记录 (志愿服务记录…人次 in the 志愿服务 版块)
        parts.append(f"活动中志愿者参与{plain_number(c.v('activity.volunteer_visits'))}人次")
    if c.v("activity.materials"):
        parts.append(f"发放宣传资料{plain_number(c.v('activity.materials'))}份")
    text = _sentence(parts) or ""
    months = c.v("activity.months_covered")
    start, end = date.fromisoformat(facts.period_start), facts.as_of_date
    span = end.month - start.month + 1 if start.year == end.year else 12
    # A month or a week is no span to say 月月有活动 of.
    whole_months = periods.describe(facts)["kind"] not in (periods.MONTH, periods.WEEK)
    if months is not None and count and months >= span and whole_months:
        text = text[:-1] + "，做到了月月有活动。"
    types = _by_dict_parts(c.d("activity.by_type"), "场次", suffix="类活动", limit=3,
                           skip=("其他",))
    if types:
        text += f"其中{'、'.join(types)}。"
    text += _largest_events(facts) or ""
    charts = ["monthly_activity"] if whole_months else []  # no month-by-month of a week
    if isinstance(facts.value("activity.by_line"), dict):
        charts.append("activity_by_line")
    return [Paragraph(text)], charts


def _work_section(facts: CommunityFacts, number: int) -> Section:
    blocks, charts = _activity_overview(facts)
    section = Section("work", f"{heading_ordinal(number)}主要工作及成效", blocks=blocks,
                      charts=charts)
    sub = 0
    for block in blocks_config(facts):
        ctx = _Ctx(facts, block["指标"])
        drafts: list[ItemDraft] = []
        for builder in ITEM_BUILDERS:
            drafts.extend(d for d in builder(ctx) if d[1])
        line = _line_activity_item(facts, block)
        if line:
            drafts.append(line)
        if not drafts:
            continue  # a 版块 without any data is left out
        sub += 1
        items = [Item(i, cap, body) for i, (cap, body) in enumerate(drafts, 1)]
        section.blocks.append(Section(f"work.{block['名称']}",
                                      f"{paren_ordinal(sub)}{block['标题']}", level=2,
                                      blocks=items, charts=_charts_with_data(facts, block)))
    highlights = _highlights(facts, sub + 1)
    if highlights:
        sub += 1
        section.blocks.append(highlights)
    cobuild = _cobuild(facts, sub + 1)
    if cobuild:
        section.blocks.append(cobuild)
    from .trends import trend_section  # 近三年来…, where three years of ledgers exist

    trend = trend_section(facts, sub + 1 + (1 if cobuild else 0))
    if trend is not None:
        section.blocks.append(trend)
    if not section.blocks:
        section.blocks.append(Paragraph("本期未提供活动及各条线工作台账，主要工作情况暂无数据可述。"))
    return section


# The indicator each chart draws; a chart without its figure is not placed.
CHART_SOURCES: dict[str, tuple[str, ...]] = {
    "dibao_by_class": ("dibao.by_class",),
    "disability_by_type": ("disability.by_type",),
    "volunteer_hours": ("volunteer.hours",),
    "hazards": ("hazard.found", "hazard.by_type"),
    "monthly_activity": ("activity.by_month",),
    "activity_by_line": ("activity.by_line",),
}


def _charts_with_data(facts: CommunityFacts, block: dict[str, Any]) -> list[str]:
    """The 版块's charts whose figures say something: a chart of an empty ledger (all
    bars 0) is left out like one of a missing ledger."""
    out = []
    for key in block["图表"]:
        sources = CHART_SOURCES.get(key)
        if sources is None or any(_has_figure(facts.value(s)) for s in sources):
            out.append(key)
    return out


def _has_figure(value: Any) -> bool:
    """A stated figure (``_stated``), or a breakdown with at least one."""
    if isinstance(value, dict):
        return any(_stated(v) for v in value.values())
    return _stated(value)


_HONOUR_VERBS = ("被评为", "荣获", "获得", "获评", "被授予", "评为", "授予")


def _highlights(facts: CommunityFacts, number: int) -> Section | None:
    """T11: 特色亮点 as 一是…, honours as 先后荣获…等N项荣誉称号."""
    features, honours = _list(facts, "特色亮点"), _list(facts, "荣誉")
    if not features and not honours:
        return None
    blocks: list[Any] = []
    if features:
        blocks.append(Paragraph("社区立足实际，积极打造工作特色：" + enumerate_shi(features)))
    if honours:
        titles = [h for h in honours if not any(v in h for v in _HONOUR_VERBS)]
        clauses = [h for h in honours if any(v in h for v in _HONOUR_VERBS)]
        text = ""
        if titles:
            # the honours are the year's, undated: 今年以来 in a week's or a month's report
            pw = str(periods.report_words(facts).get("荣誉时间") or _period_word(facts))
            text += (f"{pw}社区荣获{titles[0]}荣誉称号。" if len(titles) == 1 else
                     f"{pw}社区先后荣获{'、'.join(titles[:-1])}和{titles[-1]}"
                     f"等{len(titles)}项荣誉称号。")
        for clause in clauses:
            text += f"社区{clause}。" if not clause.startswith(facts.community) else f"{clause}。"
        blocks.append(Paragraph(text))
    return Section("highlights", f"{paren_ordinal(number)}特色亮点与荣誉", level=2, blocks=blocks)


def _cobuild(facts: CommunityFacts, number: int) -> Section | None:
    items = _list(facts, "共驻共建")
    if not items:
        return None
    text = ("依托辖区共建单位的资源优势，加强协作，努力实现“共驻、共享、共谋发展”：" +
            enumerate_shi(items))
    return Section("cobuild", f"{paren_ordinal(number)}共驻共建，凝聚发展合力", level=2,
                   blocks=[Paragraph(text)])


# ======================================================================================
# 目标, 问题, 下一步, 结束语, 数据说明
# ======================================================================================

STATUS_TEXT = {"完成": "完成", "未完成": "未完成", "未达预期": "未达预期",
               "无法评估": "无法评估", "定性目标": "定性目标"}


def _unassessed(facts: CommunityFacts) -> list[dict[str, Any]]:
    """Targets without data (无法评估): told once in 数据说明, never as rows of the table."""
    return [t for t in facts.targets or [] if t.get("status") == "无法评估"]


def _targets_section(facts: CommunityFacts, number: int) -> Section:
    words = _words(facts)
    section = Section("targets", f"{heading_ordinal(number)}{words['目标标题']}")
    targets = facts.targets or []
    if not targets:
        section.blocks.append(Paragraph(words["无目标"]))
        return section
    count = {s: sum(1 for t in targets if t.get("status") == s) for s in STATUS_TEXT}
    quantified = len(targets) - count["定性目标"]
    if quantified:
        # A count of 0 is not a result: no 已完成0项 (``_stated``).
        parts = [f"{STATUS_TEXT[s]}{count[s]}项" for s in ("完成", "未完成", "未达预期")
                 if _stated(count[s])]
        if parts and parts[0].startswith("完成"):
            parts[0] = "已" + parts[0]
        if _stated(count["无法评估"]):
            parts.append(f"{count['无法评估']}项因缺少数据未作评估（详见文末数据说明）")
        text = (f"年初确定的{quantified}项量化工作目标中，" + "，".join(parts) if parts
                else f"年初确定了{quantified}项量化工作目标")
        if count["定性目标"]:
            text += f"；另有{count['定性目标']}项定性目标，不作量化评估"
        text += "。"
    else:
        text = f"年初确定的{count['定性目标']}项工作目标均为定性目标，不作量化评估。"
    if facts.half_year and quantified:
        text = _mid_year_lead(targets, count)
    rows = []
    for t in targets:
        status = t.get("status") or ""
        if status == "无法评估":
            continue
        if status == "定性目标":
            rows.append([target_label(t), str(t.get("目标") or ""), "—", "定性目标",
                         "不作量化评估"])
            continue
        note = target_note_text(t)
        shown = periods.status_text(t) if facts.half_year else STATUS_TEXT.get(status, status)
        rows.append([target_label(t), str(t.get("目标") or ""),
                     target_actual_text(t, table=True), shown,
                     clean_item(note) if note else ""])
    if rows:
        section.blocks.append(Table(["指标", "目标", "实际完成", "完成情况", "差距或说明"], rows,
                                    css="sk-table sk-targets", caption=words["目标标题"],
                                    lead=text, short=TARGET_SHORT_CELL))
    else:
        section.blocks.append(Paragraph(text))
    if quantified > count["无法评估"]:
        section.charts.append("target_completion")
    return section


def _mid_year_lead(targets: list[dict[str, Any]], count: dict[str, int]) -> str:
    """The mid-year lead sentence, counting what the table's 完成情况 column says
    (达到序时进度, 已达标, 未达序时进度, 暂未达标 …) rather than 完成/未完成."""
    shown: dict[str, int] = {}
    rank = {"完成": 0, "未完成": 1, "未达预期": 2}  # met first, then the pace-judged ones
    judged = [t for t in targets if t.get("status") in rank]
    for t in sorted(judged, key=lambda t: (rank[t["status"]], not t.get("pace"))):
        word = periods.status_text(t)
        shown[word] = shown.get(word, 0) + 1
    quantified = len(targets) - count["定性目标"]
    text = f"年初确定的{quantified}项量化工作目标中，"
    text += "，".join(f"{word}{n}项" for word, n in shown.items()) if shown else "暂无可评估的目标"
    if count["无法评估"]:
        text += f"，{count['无法评估']}项因缺少数据暂无法评估"
    if count["定性目标"]:
        text += f"；另有{count['定性目标']}项定性目标，不作量化评估"
    return text + "。"


def _problems_section(facts: CommunityFacts, number: int, plan: Any) -> Section:
    section = Section("problems", f"{heading_ordinal(number)}存在问题")
    if not plan.problems:
        section.blocks.append(Paragraph(_words(facts)["无问题"]))
        return section
    section.blocks.append(Paragraph(problems_intro(facts)))
    last = len(plan.problems)
    for i, p in enumerate(plan.problems, 1):
        section.blocks.append(Paragraph(f"{item_ordinal(i)}{p}{'。' if i == last else '；'}",
                                        "sk-problem"))
    return section


def _next_section(facts: CommunityFacts, number: int, plan: Any) -> Section:
    words = _words(facts)
    section = Section("next_steps", f"{heading_ordinal(number)}{words['下一步标题']}")
    when = words["来期"]
    theme = _p(facts, "中心工作")
    intro = next_steps_intro(facts, when, theme)
    if not plan.next_steps:
        section.blocks.append(Paragraph(f"{when}，社区将{_words(facts)['查漏补缺']}，"
                                        "扎实推进各项工作落到实处。"))
        return section
    section.blocks.append(Paragraph(intro))
    for i, step in enumerate(plan.next_steps, 1):
        section.blocks.append(Paragraph(f"{i}、{step}。", "sk-step"))
    return section


def _closing(facts: CommunityFacts) -> Section:
    words = _words(facts)
    done, coming = words["回顾"], words["来期"]
    guide = _p(facts, "指导思想")
    text = (f"总之，{done}社区工作取得了一定的成绩，但与上级要求和居民期盼还有一定的差距。"
            f"{coming}，我们将" + (f"继续坚持以{guide}为指导，" if guide else "") +
            "进一步凝聚社区党员、居民群众和驻区单位的力量，以服务群众为宗旨，切实为居民办实事、"
            "解难事，推动社区各项工作更上台阶。")
    return Section("closing", "", blocks=[
        Paragraph(text),
        Signature([_issuer(facts), _signed_on(facts)]),
    ])


RATE_DEFINITIONS: dict[str, str] = {
    "employment.reemployment_rate": "登记失业人员再就业率＝期内实现再就业人数÷（期内在册登记失业人员"
                                    "－期内因其他原因注销且未再就业的人数）",
    "employment.hard_reemployment_rate": "就业困难人员再就业率：口径同上，限于就业困难人员",
    "employment.training_rate": "培训参与率＝参加培训的期内在册登记失业人员÷期内在册登记失业人员",
    "dispute.success_rate": "调解成功率＝调解成功件数÷已有调解结果（不含调解中）的件数",
    "hazard.rectified_rate": "隐患整改率＝期内发现且已整改的隐患÷期内发现的隐患",
    "hazard.ontime_rate": "按期整改率＝在整改期限内完成整改的隐患÷设有整改期限的隐患",
    "volunteer.registration_rate": "志愿者注册率＝注册志愿者÷常住人口",
    "volunteer.active_rate": "活跃志愿者比例＝期内有服务记录的注册志愿者÷注册志愿者",
    "disability.certified_rate": "持证率＝持证残疾人÷残疾人台账人数",
    "info.adoption_rate": "信息录用率＝录用篇数÷报送篇数",
    "dibao.coverage_rate": "低保保障面＝低保保障人数÷户籍人口",
    "dibao.period_amount": "期内发放低保金为估算值：各户月保障金×期内在保月数之和",
}


def _notes_section(facts: CommunityFacts) -> Section:
    q = facts.quality or {}
    start = date.fromisoformat(facts.period_start)
    blocks: list[Any] = []
    period = (f"统计期间为{cn_date(start)}至{cn_date(facts.as_of)}，"
              f"数据来源于{facts.community}{facts.year}年台账。")
    period += (f"同比数据为{facts.year - 1}年同期台账的统计结果。" if q.get("has_previous")
               else f"未提供{facts.year - 1}年台账，文中不作同比。")
    period += periods.period_note(facts)
    blocks.append(Paragraph(period))
    from .trends import notes_text

    if (trend_note := notes_text(facts)) is not None:
        blocks.append(Paragraph(trend_note))
    empty = q.get("ledgers_empty") or []
    used = [x for x in q.get("ledgers_used") or [] if x not in empty]
    absent = q.get("ledgers_absent") or []
    if used:
        blocks.append(Paragraph(f"使用的台账：{'、'.join(used)}。"))
    if absent:
        blocks.append(Paragraph(f"未提供的台账：{'、'.join(absent)}，相关内容未写入总结。"))
    if empty:
        blocks.append(Paragraph(f"{'、'.join(empty)}未填写记录，相关内容未写入总结。"))
    missing = {k: v for k, v in (q.get("missing_columns") or {}).items() if v}
    if missing:
        blocks.append(Paragraph("台账中缺少的列：" + "；".join(
            f"{k}（{'、'.join(v)}）" for k, v in missing.items()) + "，相关数据按无数据处理。"))
    defs = [d for k, d in RATE_DEFINITIONS.items() if _num(facts.value(k))]
    if defs:
        blocks.append(Paragraph("指标口径：" + "；".join(defs) +
                                "。比率按四舍五入保留一位小数。"))
    if any(t.get("pace") for t in facts.targets or []):
        blocks.append(Paragraph(str(periods.pace_words(periods.describe(facts)["kind"])["说明"])))
    unassessed = [target_label(t) + (f"（{clean_item(t['reason'])}）"
                                     if t.get("reason") and t["reason"] != "无数据" else "")
                  for t in _unassessed(facts)]
    if unassessed:
        blocks.append(Paragraph(f"以下目标因缺少数据未作评估：{'、'.join(unassessed)}。"))
    # Row-level problems are the analyst's business: they go to the 数据核对单 written
    # beside the report (checklist.py); the leader reads one line about them.
    excluded = int(sum(v for v in (q.get("excluded_rows") or {}).values() if v))
    if excluded:
        blocks.append(Paragraph(f"{excluded}条记录因填写问题未计入统计，详见数据核对单。"))
    return Section("notes", "附：数据说明", blocks=blocks)


# ======================================================================================
# 摘要: one page of key figures and highlights for leaders (parameters' 摘要: true)
# ======================================================================================

SUMMARY_MIN_ROWS = 3  # fewer figures than this make no page worth opening the document
# Comparing a rate's gain with a count's: one percentage point weighs like a 10% rise.
RATE_POINT_WEIGHT = 10


def _summary_config(facts: CommunityFacts) -> tuple[list[dict[str, Any]], int, float]:
    """The 摘要's figures (parameters' 摘要指标, else the shipped list), their cap, and
    the share of targets met that makes the targets a highlight."""
    from .drafting import builtin_rules

    shipped, params = builtin_rules(), facts.params or {}

    def get(key: str, default: Any) -> Any:
        value = params.get(key)
        return value if value is not None else shipped.get(key, default)

    rows = get("摘要指标", []) or []
    return ([r for r in rows if isinstance(r, dict) and r.get("指标")],
            int(get("摘要上限", 10)), float(get("摘要目标完成比例", 0.5)))


def _yoy_cell(row: dict[str, Any]) -> str:
    """同比 as a table cell: 增长12.4%, 提高2.1个百分点, 持平, or — without last year."""
    phrase = yoy_phrase(row.get("value"), row.get("previous"), row.get("unit"), prefix="")
    if not _num(row.get("previous")) or phrase is None:
        return "—"
    for lead in ("较上年同期", "与上年同期基本", "与上年同期"):
        phrase = phrase.replace(lead, "")
    return phrase


def _improved(row: dict[str, Any]) -> float | None:
    """How much better than last year (relative change, or points for rates), or None."""
    value, previous = row.get("value"), row.get("previous")
    if not (_num(value) and _num(previous)) or row.get("better") not in ("↑", "↓"):
        return None
    if row.get("unit") == "%":
        change = (value - previous) * RATE_POINT_WEIGHT
    elif previous:
        change = (value - previous) / previous
    else:
        return None
    change = change if row["better"] == "↑" else -change
    return change if change > 0 else None


def _summary_section(facts: CommunityFacts) -> Section | None:
    """The one-page 主要数据与亮点: key figures with 同比, then two or three highlights
    (the most improved figure, the targets met, the first honour or feature)."""
    config, cap, share = _summary_config(facts)
    rows: list[list[str]] = []
    shown: list[tuple[str, dict[str, Any]]] = []
    for entry in config:
        r = facts.row(str(entry["指标"]))
        if r is None or not _num(r.get("value")):
            continue
        name = str(entry.get("名称") or r.get("name") or entry["指标"])
        unit = r.get("unit")
        prev = r.get("previous")
        rows.append([name, fmt_quantity(r["value"], unit, table=True),
                     fmt_quantity(prev, unit, table=True) if _num(prev) else "—",
                     _yoy_cell(r)])
        shown.append((name, r))
        if len(rows) >= cap:
            break
    if len(rows) < SUMMARY_MIN_ROWS:
        return None
    columns = ["指标", _words(facts)["开头"], "上年同期", "同比"]
    if not any(_num(r.get("previous")) for _, r in shown):
        # No previous year (a first year, a new community): no columns of dashes.
        columns, rows = columns[:2], [row[:2] for row in rows]
    table = Table(columns, rows, css="sk-table sk-summary", caption="主要工作数据")
    points: list[str] = []
    better = [(gain, name, r) for name, r in shown if (gain := _improved(r)) is not None]
    if better:
        _, name, r = max(better, key=lambda x: x[0])
        points.append(f"{name}{fmt_quantity(r['value'], r.get('unit'))}，"
                      f"{yoy_phrase(r['value'], r['previous'], r.get('unit'))}")
    targets = facts.targets or []
    quantified = [t for t in targets if t.get("status") not in ("定性目标", "无法评估", None)]
    met = sum(1 for t in quantified if t.get("status") == "完成")
    if met and met >= share * len(quantified):
        done = "已达标或达到序时进度" if facts.half_year else "已完成"
        n = len(quantified)
        points.append(f"年初确定的{n}项量化工作目标{'全部' + done[1:] if met == n else f'中{met}项{done}'}")
    honours, features = _list(facts, "荣誉"), _list(facts, "特色亮点")
    if honours:
        points.append(f"荣获{honours[0]}" if not any(v in honours[0] for v in _HONOUR_VERBS)
                      else honours[0])
    elif features:
        points.append(features[0])
    blocks: list[Any] = [table]
    if points:
        blocks.append(Paragraph("工作亮点：" + enumerate_shi(points[:3]), "sk-summary-points"))
    return Section("summary", "主要数据与亮点", blocks=blocks)


# ======================================================================================
# The two documents
# ======================================================================================

def _cover(title: str, street: str, year: int, as_of: str,
           start: str | None = None) -> dict[str, str]:
    first = date.fromisoformat(start) if start else date(year, 1, 1)
    return {"标题": title, "所属街道": street,
            "统计期间": f"{cn_date(first)}至{cn_date(as_of)}",
            "截止日期": cn_date(as_of)}


def build_document(facts: CommunityFacts, params_dir: Any = None) -> Document:
    """One community's 工作总结 (年度 or 上半年) as a document model: the 总结 文种
    (rules/doctypes/总结.yaml, or the street's parameters/文种/总结.yaml)."""
    from . import doctypes

    if params_dir is not None:  # relative to the project, as the notebook's other paths
        from .assemble import resolve

        params_dir = resolve(params_dir)
    return doctypes.build("总结", facts, params_dir=params_dir)


# The section kinds of the summary, for the 文种 outlines (doctypes.SectionBuilder:
# facts, the outline's entry, the build context). A numbered section takes its number
# from the context, so an outline may leave a section out or move it.
def _summary_kind(f: CommunityFacts, spec: dict, ctx: Any) -> Callable[[], Any] | None:
    """The 摘要 page sums up what the other sections say: it is built after them (a
    callable, see doctypes.build) and placed where the outline puts it."""
    return (lambda: _summary_section(f)) if _p(f, "摘要") else None


def _problems_kind(f: CommunityFacts, spec: dict, ctx: Any) -> Section:
    return _problems_section(f, ctx.number(), ctx.plan)


def _next_kind(f: CommunityFacts, spec: dict, ctx: Any) -> Section:
    return _next_section(f, ctx.number(), ctx.plan)


# The problem plan reads the figures before any section is written (doctypes.build
# drafts it first for an outline with these), as the summary always has.
_problems_kind.needs_plan = True  # type: ignore[attr-defined]
_next_kind.needs_plan = True  # type: ignore[attr-defined]

SECTION_KINDS: dict[str, Callable[..., Any]] = {
    "摘要": _summary_kind,
    "开头语": lambda f, spec, ctx: _opening(f),
    "基本情况": lambda f, spec, ctx: _profile_section(f, ctx.number()),
    "主要工作": lambda f, spec, ctx: _work_section(f, ctx.number()),
    "目标完成情况": lambda f, spec, ctx: _targets_section(f, ctx.number()),
    "存在问题": _problems_kind,
    "下一步": _next_kind,
    "结束语": lambda f, spec, ctx: _closing(f),
    "数据说明": lambda f, spec, ctx: _notes_section(f),
}


if TYPE_CHECKING:  # served lazily by __getattr__ below
    from .overview import OVERVIEW_INDICATORS, build_overview


def __getattr__(name: str) -> Any:
    """The street overview moved to overview.py; its names are still served from here
    (lazily, since overview.py builds on this module)."""
    if name in ("build_overview", "OVERVIEW_INDICATORS"):
        from . import overview
        return getattr(overview, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

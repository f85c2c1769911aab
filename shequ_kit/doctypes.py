"""Kinds of document (文种) as data: a title pattern, an outline and period wording in YAML.

A street writes many documents from the same ledgers (the annual and half-year summary,
single-line 专项总结, weekly 创文 reports, next year's plan). Each is declared once in
``rules/doctypes/<名称>.yaml`` and may be replaced or added by a street in
``parameters/文种/<名称>.yaml``; the outline's sections name a 类型 from the registry
``SECTION_KINDS`` (filled by the modules that write words: narrative, lines, plan), so a
new kind of document is a YAML file, never Python.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import period as period_mod
from . import yamltext
from .params import merge_mapping

__all__ = ["BuildContext", "DocType", "DocTypeError", "SECTION_KINDS", "SectionBuilder",
           "DOCTYPE_DIR", "OVERRIDE_FOLDER", "build", "doctype_files", "doctypes",
           "expand_lines", "known_lines", "load_doctype", "period_of", "section_kinds",
           "title", "words_for"]

DOCTYPE_DIR = Path(__file__).resolve().parent / "rules" / "doctypes"
OVERRIDE_FOLDER = "文种"  # parameters/文种/<名称>.yaml
DEFAULT_DOCTYPE = "总结"
REQUIRED_KEYS = ("名称", "标题", "章节")
KNOWN_KEYS = ("名称", "说明", "范围", "标题", "期间", "章节", "期间措辞", "落款", "文件名",
              "条线", "条线指标", "需要条线", "汇总标题", "封面", "附件")
# The period kinds a 文种 may allow (period.py's Period.kind), in Chinese and as keys.
PERIOD_KINDS = {"year": "年度", "half": "半年", "quarter": "季度", "month": "月",
                "week": "周", "range": "自定义期间"}


class DocTypeError(ValueError):
    """A 文种 that cannot be used: unknown name, a bad declaration, a bad 条线; the message
    names the file and the key."""


@dataclass
class DocType:
    """One declared 文种 (the YAML as read, with its source for messages and fingerprints)."""

    name: str
    title: str
    sections: list[dict[str, Any]]
    description: str = ""
    scope: str = "社区"
    periods: list[str] = field(default_factory=list)  # allowed period kinds; empty: any
    wording: dict[str, dict[str, Any]] = field(default_factory=dict)  # 期间措辞 by kind
    signature: dict[str, Any] = field(default_factory=dict)
    filename: str = ""
    needs_line: bool = False
    source: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        """Any other key of the declaration (条线指标 …)."""
        return copy.deepcopy(self.raw.get(key, default))


# A builder returns a Section, a list of them, None (nothing to say), or a callable
# giving those, called after every other section is made (a summary of the others).
SectionBuilder = Callable[[Any, dict, "BuildContext"], Any]


@dataclass
class BuildContext:
    """What a section builder knows besides the facts: the 文种, the 条线 (a group
    expanded), the period's words and the numbering of top-level headings."""

    doctype: DocType
    line: str | None = None
    lines: list[str] = field(default_factory=list)
    facts: Any = None
    period: dict[str, Any] = field(default_factory=dict)
    words: dict[str, Any] = field(default_factory=dict)
    _count: int = 0
    _plan: Any = None

    def number(self) -> int:
        """The next top-level number (一、二、…) for a numbered section."""
        self._count += 1
        return self._count

    @property
    def plan(self) -> Any:
        """The problem plan (drafting.plan_problems), computed once, when first asked."""
        if self._plan is None:
            from .drafting import plan_problems

            self._plan = plan_problems(self.facts)
        return self._plan


# -- the registry ------------------------------------------------------------------------

SECTION_KINDS: dict[str, SectionBuilder] = {}
_PROVIDERS = ("narrative", "lines", "plan")


def section_kinds() -> dict[str, SectionBuilder]:
    """Every section 类型: the providers' SECTION_KINDS (a provider that is not there
    yet, like plan.py before it is merged, is skipped) with any registered here."""
    import importlib

    kinds: dict[str, SectionBuilder] = {}
    for name in _PROVIDERS:
        try:
            module = importlib.import_module(f"{__package__}.{name}")
        except ImportError:
            continue
        kinds.update(getattr(module, "SECTION_KINDS", {}) or {})
    kinds.update(SECTION_KINDS)
    return kinds


# -- loading -----------------------------------------------------------------------------

def _override_dir(params_dir: Path | str | None) -> Path | None:
    if params_dir is None:
        return None
    folder = Path(params_dir) / OVERRIDE_FOLDER
    return folder if folder.is_dir() else None


def doctype_files(params_dir: Path | str | None = None) -> dict[str, Path]:
    """名称 → the file that declares it (a street's own file wins over the shipped one)."""
    out = {p.stem: p for p in sorted(DOCTYPE_DIR.glob("*.yaml"))}
    own = _override_dir(params_dir)
    if own is not None:
        out.update({p.stem: p for p in sorted(own.glob("*.yaml"))})
    return out


def doctypes(params_dir: Path | str | None = None) -> list[str]:
    """The 文种 a run can make, shipped first, then a street's own."""
    return list(doctype_files(params_dir))


@lru_cache(maxsize=64)
def _read(path: str, stamp: float) -> Any:
    return yamltext.load(Path(path).read_text(encoding="utf-8"))


def load_doctype(name: str, params_dir: Path | None = None) -> DocType:
    """The 文种 ``name``: the shipped declaration, merged with (or, for a new 文种,
    replaced by) ``parameters/文种/<名称>.yaml``."""
    shipped = DOCTYPE_DIR / f"{name}.yaml"
    own_dir = _override_dir(params_dir)
    own = own_dir / f"{name}.yaml" if own_dir is not None else None
    if not shipped.is_file() and (own is None or not own.is_file()):
        known = doctypes(params_dir)
        close = difflib.get_close_matches(name, known, n=2, cutoff=0.3)
        hint = f"，是不是“{'”或“'.join(close)}”？" if close else ""
        raise DocTypeError(f"未知的文种“{name}”{hint}（可选：{'、'.join(known)}；"
                           f"自定义文种放在参数目录的 {OVERRIDE_FOLDER}/<名称>.yaml）")
    data: dict[str, Any] = {}
    source = shipped
    for path in (shipped, own):
        if path is None or not path.is_file():
            continue
        try:
            loaded = _read(str(path), path.stat().st_mtime)
        except Exception as exc:  # a YAML syntax error: name the file
            raise DocTypeError(f"文种文件 {path} 无法读取：{exc}") from exc
        if not isinstance(loaded, dict):
            raise DocTypeError(f"文种文件 {path} 应为“键: 值”的形式")
        data = merge_mapping(data, loaded)
        source = path
    return _doctype(name, data, source)


def _doctype(name: str, data: dict[str, Any], source: Path) -> DocType:
    unknown = [k for k in data if k not in KNOWN_KEYS]
    if unknown:
        hints = "".join(
            f"（“{k}”是不是“{c[0]}”？）" for k in unknown
            if (c := difflib.get_close_matches(k, KNOWN_KEYS, n=1, cutoff=0.3)))
        raise DocTypeError(f"文种文件 {source} 中有未知的键：{'、'.join(unknown)}{hints}"
                           f"（可用：{'、'.join(KNOWN_KEYS)}）")
    data.setdefault("名称", name)
    missing = [k for k in REQUIRED_KEYS if not data.get(k)]
    if missing:
        raise DocTypeError(f"文种文件 {source} 缺少：{'、'.join(missing)}")
    sections = data["章节"]
    if not isinstance(sections, list):
        raise DocTypeError(f"文种文件 {source} 的“章节”应为列表")
    out: list[dict[str, Any]] = []
    for i, spec in enumerate(sections, 1):
        if isinstance(spec, str):
            spec = {"类型": spec}
        if not isinstance(spec, dict) or not spec.get("类型"):
            raise DocTypeError(f"文种文件 {source} 的“章节”第{i}项缺少“类型”")
        out.append(dict(spec))
    periods = data.get("期间") or []
    if isinstance(periods, str):
        periods = [periods]
    bad = [p for p in periods if p not in PERIOD_KINDS]
    if bad:
        raise DocTypeError(f"文种文件 {source} 的“期间”中有未知的期间类型：{'、'.join(map(str, bad))}"
                           f"（可选：{'、'.join(PERIOD_KINDS)}）")
    return DocType(
        name=str(data["名称"]), title=str(data["标题"]), sections=out,
        description=str(data.get("说明") or ""), scope=str(data.get("范围") or "社区"),
        periods=list(periods), wording=dict(data.get("期间措辞") or {}),
        signature=dict(data.get("落款") or {}), filename=str(data.get("文件名") or ""),
        needs_line=bool(data.get("需要条线")), source=source, raw=data)


def _check_kinds(doctype: DocType, kinds: dict[str, SectionBuilder]) -> None:
    unknown = [s["类型"] for s in doctype.sections if s["类型"] not in kinds]
    if unknown:
        raise DocTypeError(
            f"文种“{doctype.name}”（{doctype.source}）的章节类型未定义：{'、'.join(unknown)}"
            f"（可用：{'、'.join(kinds)}）")


# -- 条线 and 条线组 ------------------------------------------------------------------

def _params(facts_or_params: Any) -> dict[str, Any]:
    params = getattr(facts_or_params, "params", facts_or_params)
    return params if isinstance(params, dict) else {}


def known_lines(facts_or_params: Any) -> tuple[list[str], dict[str, list[str]]]:
    """The street's 条线 (the enum in force, defaults.yaml's 枚举 applied) and its 条线组."""
    from .reader import merge_enums

    params = _params(facts_or_params)
    try:
        lines = list(merge_enums(params.get("枚举"))["条线"].values)
    except (ValueError, KeyError, AttributeError):
        from .schema import ENUMS

        lines = list(ENUMS["条线"].values)
    groups = params.get("条线组") or {}
    return lines, {str(k): [str(x) for x in (v or [])] for k, v in groups.items()}


def expand_lines(line: str | None, facts_or_params: Any) -> list[str]:
    """A 条线 as the list it stands for: a group (创文) its members, a 条线 itself. An
    unknown name raises DocTypeError with the closest names (a group is looked up
    first: 创文 is also an alias of 宣传文明 in the ledgers, but as a 专项 it is the group)."""
    if line is None:
        return []
    lines, groups = known_lines(facts_or_params)
    if line in groups:
        bad = [x for x in groups[line] if x not in lines]
        if bad:
            raise DocTypeError(f"条线组“{line}”中的{'、'.join(bad)}不是本街道的条线"
                               f"（条线：{'、'.join(lines)}）")
        return list(groups[line])
    if line in lines:
        return [line]
    names = list(groups) + lines
    close = difflib.get_close_matches(line, names, n=3, cutoff=0.3)
    hint = f"，是不是“{'”或“'.join(close)}”？" if close else ""
    raise DocTypeError(f"未知的条线“{line}”{hint}（可选条线：{'、'.join(lines)}"
                       + (f"；条线组：{'、'.join(groups)}" if groups else "") + "）")


# -- the period ------------------------------------------------------------------------

def period_of(facts: Any) -> dict[str, Any]:
    """The facts' period {kind, key, label, start, end}: ``facts.period`` where the
    period branch sets it, else the year or half year the facts were computed for."""
    own = getattr(facts, "period", None)
    if isinstance(own, dict) and own.get("key"):
        return dict(own)
    year = int(facts.year)
    if getattr(facts, "half_year", False):
        return {"kind": "half", "key": f"{year}H1", "label": f"{year}年上半年",
                "start": getattr(facts, "period_start", f"{year}-01-01"), "end": facts.as_of}
    return {"kind": "year", "key": str(year), "label": f"{year}年",
            "start": getattr(facts, "period_start", f"{year}-01-01"), "end": facts.as_of}


def words_for(doctype: DocType, period: dict[str, Any]) -> dict[str, Any]:
    """The 文种's 期间措辞 for this period's kind over its 默认 entry."""
    base = dict(doctype.wording.get("默认") or {})
    base.update(doctype.wording.get(period.get("kind") or "") or {})
    return base


# The section kinds that state targets: leaving one out leaves the targets out.
TARGET_KINDS = {"目标完成情况", "条线目标"}

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def fill(template: str, values: dict[str, Any], keep: bool = False) -> str:
    """{社区}{期间}{条线}… filled; an unknown placeholder is left out (a street's
    template must never fail a report over a name), or kept with ``keep`` for a later
    fill by the section that knows it."""
    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if keep and name not in values:
            return m.group(0)
        return str(values.get(name, "") or "")

    return _PLACEHOLDER.sub(one, template)


def _values(doctype: DocType, facts: Any, line: str | None, period: dict[str, Any],
            words: dict[str, Any]) -> dict[str, Any]:
    year = int(facts.year)
    label = period.get("label") or f"{year}年"
    kind = period.get("kind")
    title_word = (period.get("words") or {}).get("标题词") or (
        f"{year}年度" if kind == "year" else label)
    values = {"社区": getattr(facts, "community", ""), "街道": getattr(facts, "street", ""),
              "年": year, "下年": year + 1, "条线": line or "", "期间": label,
              "期间标签": label, "标题词": title_word}
    # The period's own words (rules/period.yaml): 上半年 or 下半年 for a half, 今年以来 up
    # to a mid-year as-of date, so a 文种 need not guess them from the period's kind.
    own = period_mod.report_words(facts)
    values["期间词"] = own.get("期间") or ""
    values["下一阶段词"] = own.get("下一阶段") or ""
    if words.get("标题期间"):
        values["期间"] = fill(str(words["标题期间"]), values)
    return values


def title(doctype: DocType | str, facts: Any, line: str | None = None,
          params_dir: Path | None = None) -> str:
    """The document's title (and file name) from the 文种's 标题 pattern."""
    dt = doctype if isinstance(doctype, DocType) else load_doctype(doctype, params_dir)
    period = period_of(facts)
    words = words_for(dt, period)
    return fill(dt.title, _values(dt, facts, line, period, words))


# -- building ----------------------------------------------------------------------------

def build(doctype: DocType | str, facts: Any, line: str | None = None,
          params_dir: Path | None = None) -> Any:
    """The document of a 文种 for one community's facts (and one 条线 for a 专项)."""
    from .narrative import Document

    dt = doctype if isinstance(doctype, DocType) else load_doctype(doctype, params_dir)
    kinds = section_kinds()
    _check_kinds(dt, kinds)
    if dt.needs_line and not line:
        raise DocTypeError(f"文种“{dt.name}”需要指定条线（--line）")
    lines = expand_lines(line, facts)
    from . import sources

    sources.reset()  # look-ups made before (a plan's draft, another document) claim nothing here
    period = period_of(facts)
    words = words_for(dt, period)
    values = _values(dt, facts, line, period, words)
    words = {k: fill(v, values, keep=True) if isinstance(v, str) else v
             for k, v in words.items()}
    omitted = set(words.get("省略") or [])
    if omitted & TARGET_KINDS and getattr(facts, "targets", None):
        # Without its targets section a document judges no target anywhere else either
        # (摘要, 存在问题, 下一步, the notes): they would cite a table it does not have.
        facts = replace(facts, targets=[])
    ctx = BuildContext(doctype=dt, line=line, lines=lines, facts=facts, period=period,
                       words=words)
    if any(getattr(kinds[s["类型"]], "needs_plan", False) for s in dt.sections):
        ctx.plan  # noqa: B018 - drafted before the sections, as they claim its look-ups
    # A builder may return a callable: that section is made after all the others (a
    # 摘要 sums them up) and placed where the outline puts it.
    slots: list[tuple[dict[str, Any], Any]] = []
    # 期间措辞 may leave sections out for a period kind (省略: [条线目标]): targets
    # pro-rated to a week say nothing a leader can use.
    for spec in dt.sections:
        if spec["类型"] in omitted or spec.get("键") in omitted:
            continue
        slots.append((spec, kinds[spec["类型"]](facts, spec, ctx)))
    slots = [(spec, built() if callable(built) else built) for spec, built in slots]
    sections = []
    made: dict[str, list[str]] = {}
    for spec, built in slots:
        if built is None:
            continue
        parts = built if isinstance(built, list) else [built]
        key = spec.get("键")
        for i, section in enumerate(parts):
            if key:
                section.key = key if i == 0 else f"{key}#{i}"
            sections.append(section)
        made[str(key or spec["类型"])] = [s.key for s in parts]
    doc_title = fill(dt.title, values)
    return Document(doc_title, _cover(doc_title, facts, period, dt.get("封面"), values),
                    sections, parts=made)


def _cover(doc_title: str, facts: Any, period: dict[str, Any],
           declared: dict[str, Any] | None = None,
           values: dict[str, Any] | None = None) -> dict[str, str]:
    """The cover's lines: a 文种 may declare its own (封面: {计划年度: "{下年}年"}), since a
    plan's cover speaks of the year it plans, not of the period its figures cover."""
    from .numfmt import cn_date

    start = str(period.get("start") or getattr(facts, "period_start", f"{facts.year}-01-01"))
    end = str(period.get("end") or facts.as_of)
    default = {"所属街道": getattr(facts, "street", "") or "",
               "统计期间": f"{cn_date(start)}至{cn_date(end)}", "截止日期": cn_date(end)}
    if not declared:
        return {"标题": doc_title, **default}
    filled = {**(values or {}), **default}
    return {"标题": doc_title, **{str(label): fill(str(template), filled)
                                for label, template in declared.items()}}


# -- periods from the command line ---------------------------------------------------------

def parse_period_text(text: str | None, default_year: int | None = None) -> Any:
    """``--period`` as a period.Period (period.parse_period), or None for the default
    (the year up to the as-of date). Where the period module cannot parse yet, only a
    year is accepted."""
    if text is None or not str(text).strip():
        return None
    try:
        from .period import parse_period  # type: ignore[attr-defined]
    except ImportError:
        t = str(text).strip()
        if t.isdigit() and (default_year is None or int(t) == int(default_year)):
            return None
        raise DocTypeError(f"无法识别的期间“{t}”：当前版本只能按年份统计（如 {default_year or 2024}）") \
            from None
    return parse_period(str(text).strip(), default_year)


def default_period_key(facts: Any) -> str:
    """The key of the period a run makes without ``--period``: the year, or its first
    half for a summary as of mid-year."""
    year = int(facts.year)
    return f"{year}H1" if getattr(facts, "half_year", False) else str(year)


def missing_kinds(doctype: DocType) -> list[str]:
    """The outline's section 类型 no module provides (计划 before plan.py is there)."""
    kinds = section_kinds()
    return [s["类型"] for s in doctype.sections if s["类型"] not in kinds]


def doctype_digest(name: str, params_dir: Path | None) -> dict[str, str | None]:
    """The files a 文种 is read from, hashed (the shipped one is in the package digest
    too; a street's own is not), for incremental runs."""
    from .fingerprint import file_digest

    own_dir = _override_dir(params_dir)
    return {"shipped": file_digest(DOCTYPE_DIR / f"{name}.yaml"),
            "own": file_digest(own_dir / f"{name}.yaml") if own_dir is not None else None}


def file_title(doctype: DocType, facts: Any, line: str | None = None) -> str:
    """The output files' name: the 文种's 文件名 pattern ({标题} and the title's
    placeholders), or the title."""
    doc_title = title(doctype, facts, line)
    if not doctype.filename:
        return doc_title
    period = period_of(facts)
    values = _values(doctype, facts, line, period, words_for(doctype, period))
    return fill(doctype.filename, {**values, "标题": doc_title}) or doc_title

"""From a folder of workbooks to CommunityFacts and StreetFacts.

This is the one place where ledgers, indicators, targets and parameters meet. The batch
calls ``year_facts`` once per street (no kernel needed); a notebook opened by an analyst
calls ``community_facts`` for its own community. Both give the same facts, which is what
lets the batch hand precomputed facts to the notebook.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from . import engine, history, oserror, params, period, reader, targets
from . import period as _period_mod
from .catalogue import CATALOGUE, canonical_condition
from .drafting import target_label
from .events import activity_events
from .facts import CommunityFacts, StreetFacts
from .layout import closest
from .model import WARNING, LedgerBook, LedgerError, Problem
from .numfmt import cn_date
from .period import Period, PeriodError
from .privacy import PersonalIndex, personal_in_params
from .schema import SHEETS

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def resolve(path: str | Path | None, root: Path = PROJECT_ROOT) -> Path | None:
    """A relative path as the user meant it: from the current folder when it exists there
    (as the command line reads it: ``papermill … -p data_dir 台账`` in the analyst's own
    folder), else from the project root, so the notebook's defaults (data/sample,
    parameters) run the same from JupyterLab (kernel in notebooks/) and from the root."""
    if path is None:
        return None
    p = Path(path).expanduser()
    if p.is_absolute():
        return p
    here = Path.cwd() / p
    return here if here.exists() else (root / p)


@dataclass
class YearFacts:
    """Everything one run needs to know about one year of one data folder."""

    year: int
    communities: dict[str, CommunityFacts] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)  # community/file -> Chinese reason
    streets: dict[str, StreetFacts] = field(default_factory=dict)
    personal: PersonalIndex | None = None
    inputs: dict[str, list[Path]] = field(default_factory=dict)
    # Earlier years' workbooks a community's 近三年 look-back read (or failed to read).
    earlier_inputs: dict[str, list[Path]] = field(default_factory=dict)
    problems: dict[str, list[Problem]] = field(default_factory=dict)
    run_problems: list[Problem] = field(default_factory=list)
    totals: list[dict[str, Any]] = field(default_factory=list)  # one total over the run
    books: dict[str, LedgerBook] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failures


def _quality(book: LedgerBook, previous: LedgerBook | None) -> dict[str, Any]:
    declared = [s.name for s in SHEETS]
    errors = Counter(p.message for p in book.problems if p.is_error and p.row is not None)
    warnings = Counter(p.message for p in book.problems if not p.is_error)
    sheet_errors = [
        {"sheet": p.sheet, "message": p.message}
        for p in book.problems if p.is_error and p.row is None
    ]
    return {
        # A ledger holding only its header: its counts are 0 by ledgers.md, but nothing
        # was recorded, so the summary says so in 数据说明 rather than write a 0.
        "ledgers_empty": [name for name in declared if name in book.sheets
                          and len(book.sheets[name]) == 0
                          and not book.excluded_rows.get(name)],
        "ledgers_used": [name for name in declared if name in book.sheets
                         or (name == "基本情况")
                         or (name == "平安稳定" and book.safety is not None)],
        "ledgers_absent": [name for name in declared if name not in book.sheets
                           and name not in ("基本情况",)
                           and not (name == "平安稳定" and book.safety is not None)],
        "missing_columns": {k: list(v) for k, v in book.missing_columns.items()},
        "excluded_rows": dict(book.excluded_rows),
        "excluded_total": int(sum(book.excluded_rows.values())),
        "errors_by_kind": dict(errors),
        "warnings_by_kind": dict(warnings),
        "sheet_errors": sheet_errors,
        "has_previous": previous is not None,
    }


def _conditions(entries: list[targets.Target]) -> list[dict[str, str] | None]:
    seen: list[dict[str, str] | None] = [None]
    for t in entries:
        if t.condition and t.condition not in seen:
            seen.append(dict(t.condition))
    return seen


MISMATCH_KIND = "target_condition_mismatch"


def _sheet_of(indicator_id: str) -> str | None:
    ind = CATALOGUE.get(indicator_id)
    return None if ind is None else ind.sheet


def _condition_mismatch(book: LedgerBook, t: targets.Target, value: Any, label: str,
                        window: engine.Window | None = None) -> dict[str, Any] | None:
    """A target filtered on two or more columns that counts nothing, while the ledger
    holds rows matching all but one of them (检查巡查 filed under 综治平安 when the
    target asks 消防安全+检查巡查): a data-entry question for the analyst, not a 0 to
    show a leader. Gives the warning (Problem.to_dict form) or None."""
    cond = dict(t.condition or {})
    if len(cond) < 2 or value != 0:
        return None
    ind = CATALOGUE.get(t.indicator)
    if ind is None or ind.rows is None:
        return None
    frame = book.sheets.get(ind.sheet)
    if frame is None:
        return None
    canon = canonical_condition(cond, book.enums)
    for column, wanted in canon.items():
        if column not in frame.columns:
            continue
        rest = {k: v for k, v in canon.items() if k != column}
        if any(k not in frame.columns for k in rest):
            continue
        relaxed = engine.compute(book, rest, ids=[ind.id],
                                 as_of=None if window is None else window.end,
                                 start=None if window is None else window.start)[ind.id].value
        if not (isinstance(relaxed, (int, float)) and relaxed > 0):
            continue
        hit = frame
        for k, v in rest.items():
            hit = hit[hit[k] == v]
        others = [str(x) for x in hit[column].dropna().unique() if str(x) != wanted]
        rest_text = "、".join(f"{k}“{v}”" for k, v in rest.items())
        message = (f"目标“{label}{t.text}”按{column}“{wanted}”、{rest_text}统计无记录，"
                   f"但台账中有{len(hit)}条{rest_text}的记录登记在{column}"
                   f"“{'、'.join(others) or '其他'}”下，请核对{column}填写；该目标未作评估")
        return {"severity": "警告", "kind": MISMATCH_KIND, "message": message,
                "file": book.path.name, "sheet": ind.sheet, "row": None,
                "column": column, "value": wanted}
    return None


def build_facts(book: LedgerBook, previous: LedgerBook | None, merged: dict[str, Any],
                personal: PersonalIndex | None = None, window: engine.Window | None = None,
                period_info: dict[str, Any] | None = None) -> CommunityFacts:
    """Indicators, 同比 and evaluated targets of one community, as JSON-able facts.

    ``personal`` (the run's index) keeps activity names that hold a resident's data out
    of the named events; without it the community's own ledgers are indexed. ``window``
    and ``period_info`` (Period.to_dict) are a period the run named (``period_window``);
    without a window the facts are the year up to the as-of date."""
    parsed = params.community_targets(merged)
    rows = engine.facts_rows(book, previous, conditions=_conditions(parsed), window=window)
    elapsed = (period.elapsed_share(book.as_of) if window is None or period_info is None
               else float(period_info["share"]))
    by_key = {(r["id"], tuple(sorted((r.get("condition") or {}).items()))): r for r in rows}
    evaluated: list[dict[str, Any]] = []
    target_warnings: list[dict[str, Any]] = []
    quality = _quality(book, previous)
    empty = set(quality["ledgers_empty"])
    for t in parsed:
        key = (t.indicator, tuple(sorted((t.condition or {}).items())))
        row = by_key.get(key)
        value = row.get("value") if row else None
        prev = row.get("previous") if row else None
        cov = None
        if getattr(t, "granularity", None):
            cov = engine.coverage(book, t.indicator, t.condition, t.granularity,
                                  start=None if window is None else window.start,
                                  as_of=None if window is None else window.end)
        result = targets.evaluate(t, value, prev, coverage=cov, elapsed=elapsed)
        mismatch = _condition_mismatch(book, t, value, target_label(result), window)
        if mismatch is not None:
            result.update(status=targets.UNASSESSABLE, reason="台账填写待核对",
                          gap=None, gap_text=None)
            target_warnings.append(mismatch)
        elif result.get("status") != "定性目标" and _sheet_of(t.indicator) in empty:
            # A header-only ledger recorded nothing: its 0 cannot judge a target.
            result.update(status=targets.UNASSESSABLE, reason="台账未填写记录",
                          gap=None, gap_text=None)
        if t.extra.get("warning"):
            target_warnings.append({"severity": "警告", "kind": "target_unreadable",
                                    "message": t.extra["warning"], "file": "", "sheet": "",
                                    "row": None, "column": "", "value": t.text})
        evaluated.append(result)
        if row is not None and result.get("status") != "定性目标":
            row["target"] = t.text
            row["status"] = result.get("status")
            row["gap"] = result.get("gap")
            row["gap_text"] = result.get("gap_text")
        elif row is not None:
            row["target"] = t.text
            row["status"] = "定性目标"
            row["gap"] = None
            row["gap_text"] = None
    profile = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
               for k, v in book.profile.items()}
    quality["target_warnings"] = target_warnings
    span = None if window is None else (window.start, window.end)
    sub_year = period_info is not None and period_info["kind"] != period.YEAR
    return CommunityFacts(
        community=book.community,
        street=book.street,
        year=book.year,
        period_start=(book.period_start if span is None else span[0]).isoformat(),
        as_of=(book.as_of if span is None else span[1]).isoformat(),
        half_year=book.is_half_year or sub_year,
        profile=profile,
        safety=_safety_of(book, window),
        indicators=rows,
        targets=evaluated,
        quality=quality,
        params=_jsonable(merged),
        events=activity_events(book, personal if personal is not None else
                               PersonalIndex.from_books([b for b in (book, previous) if b]),
                               window=span),
        period=period_info,
    )


def _add_history(facts: CommunityFacts, book: LedgerBook, earlier: dict[int, reader.YearRead],
                 problems: list[Problem], data: Path, named: Period | None = None
                 ) -> list[Path]:
    """Earlier years' series (history.py) over the same window as this report's; an
    earlier workbook that would not open is a warning in the 数据核对单, never this
    year's failure. Gives the earlier workbooks looked at (an incremental run redoes the
    report when one of them changes)."""
    if not history.looks_back(named):
        return []
    start = end = None
    if named is not None and named.kind != _period_mod.YEAR:
        start, end = max(named.start, date(book.year, 1, 1)), min(named.end, book.as_of)
    facts.history, warnings = history.community_history(book, earlier, start, end)
    problems.extend(warnings)
    if facts.history.get("unreadable"):
        facts.quality["history_unreadable"] = list(facts.history["unreadable"])
    if not facts.history and not warnings:
        return []
    used = [b.path for y, read in sorted(earlier.items()) if y < book.year - 1
            for b in read.books.values() if (b.street, b.community) == (book.street,
                                                                       book.community)]
    bad = history.unread_files(book, earlier)
    used += [p for y, names in sorted(bad.items()) for p in reader.find_workbooks(data, y)
             if p.name in names and p.parent.name in (str(y), book.street)]
    return sorted(used)


def _safety_of(book: LedgerBook, window: engine.Window | None) -> dict[str, Any] | None:
    """The 平安稳定 figures the report may state: the workbook's own for its period; in
    a part of it only the zeros (no fire all year is no fire this quarter; two criminal
    cases in the year say nothing of the quarter)."""
    if book.safety is None:
        return None
    if window is None or (window.start, window.end) == (book.period_start, book.as_of):
        return dict(book.safety)
    return {k: v for k, v in book.safety.items() if v == 0}


def _offset(base: date, origin: date, day: date) -> date:
    """``day``'s place in the window starting at ``origin``, carried to one starting at
    ``base`` (a window cut at the as-of date is compared over as many days)."""
    return base + timedelta(days=(day - origin).days)


def period_window(p: Period, book: LedgerBook, previous: LedgerBook | None
                  ) -> tuple[engine.Window | None, dict[str, Any]]:
    """The window a named period counts in one community's workbook, with its 同比 and
    环比 windows, and the facts' period dict (its note says when the ledgers cover the
    window only in part). A year is the year up to the as-of date, counted as by
    default (window None). Raises PeriodError when the window starts after the as-of
    date."""
    year_start = date(book.year, 1, 1)
    if p.kind == period.YEAR:
        return None, p.clip(book.as_of).to_dict()
    if p.start > book.as_of:
        raise PeriodError(period.message("超出", 标签=p.label, 社区=book.community,
                                         截止=cn_date(book.as_of)))
    start, end = max(p.start, year_start), min(p.end, book.as_of)
    notes = []
    if p.start < year_start:
        notes.append(period.message("跨年周", 标签=p.label, 年=book.year,
                                    起=cn_date(start), 止=cn_date(p.end)))
    if p.end > book.as_of:
        notes.append(period.message("部分", 标签=p.label, 截止=cn_date(book.as_of)))
    ly = p.last_year()
    ly_span: tuple[date, date] | None = (
        max(_offset(ly.start, p.start, start), date(book.year - 1, 1, 1)),
        min(ly.end, _offset(ly.start, p.start, end)))
    if previous is None or ly_span[1] > previous.as_of or ly_span[0].year != previous.year:
        ly_span = None
    prior_span: tuple[date, date] | None = None
    prior_book: LedgerBook | None = None
    pv = p.previous()
    if pv is not None and pv.start.year == pv.end.year:
        span = (_offset(pv.start, p.start, start), min(pv.end, _offset(pv.start, p.start, end)))
        holder = book if pv.start.year == book.year else (
            previous if previous is not None and pv.start.year == previous.year else None)
        if holder is not None and span[1] <= holder.as_of:
            prior_span, prior_book = span, holder
    window = engine.Window(start, end, last_year=ly_span, prior=prior_span,
                           prior_book=prior_book,
                           prior_label=None if pv is None else pv.label)
    cut = Period(p.kind, start, end, p.key, p.label)
    return window, cut.to_dict(note="；".join(notes) or None)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _reason(problems: list[Problem]) -> str:
    return "；".join(str(p) for p in problems) or "无法读取"


def year_facts(data_dir: str | Path, year: int, params_dir: str | Path | None = "parameters",
               communities: list[str] | None = None, period: Period | str | None = None
               ) -> YearFacts:
    """Read a year (and the year before) once and compute every community's facts.

    A community that fails (unreadable workbook, bad parameters) is recorded with its
    Chinese reason; the others go on. A parameters error in defaults.yaml fails the run
    (raises params.ParamsError), since every community depends on it. ``period`` (None:
    the year up to each workbook's as-of date) counts another window of the year
    (period.parse_period); a period of another year raises PeriodError, one that starts
    after a workbook's 统计截止日期 fails that community. A text (``"2024Q3"``, as a
    notebook's parameter gives it) is parsed; an empty one is the default.
    """
    named = _named(period, year)
    if named is not None and named.year != year:
        raise PeriodError(_period_mod.message("年份不符", 标签=named.label, 年=year))
    data = resolve(data_dir)
    pdir = resolve(params_dir) if params_dir is not None else None
    assert data is not None
    defaults = params.load_defaults(pdir)
    enums = reader.merge_enums(defaults.get("枚举"))
    current = reader.read_year(data, year, enums=enums)
    prior = reader.read_year(data, year - 1, enums=enums) if (data / str(year - 1)).is_dir() \
        else None
    # Every earlier year, once (a weekly or monthly report looks back over none).
    earlier = history.read_earlier(data, year, enums, prior) if history.looks_back(named) \
        else {}

    out = YearFacts(year=year, run_problems=list(current.problems))
    out.personal = PersonalIndex.from_books(
        list(current.books.values()) + (list(prior.books.values()) if prior else []))
    wanted = set(communities) if communities else None
    for key, problems in current.failures.items():
        if wanted is None or key in wanted or any(w in key for w in wanted):
            out.failures[key] = _reason(problems)
            out.problems[key] = list(problems)
    if wanted:
        known = set(current.books) | set(current.failures) | {
            n for b in current.books.values() for n in (b.community, f"{b.street}/{b.community}")
        } | {k.split("/")[-1] for k in current.failures}
        for name in sorted(wanted - known):
            out.failures[name] = f"未找到{name}{year}年的台账{closest(name, known)}"
    # Last year's workbook of the same community: same street and name, whatever layout.
    prior_books = {(b.street, b.community): b for b in prior.books.values()} if prior else {}

    for key, book in sorted(current.books.items()):
        name = book.community
        if not reader.wanted_match(wanted, key, book.street, name):
            continue
        out.books[key] = book
        out.problems[key] = list(book.problems)
        prev_book = prior_books.get((book.street, name))
        out.inputs[key] = [book.path] + ([prev_book.path] if prev_book is not None else [])
        notes: list[str] = []
        try:
            merged = params.load_params(pdir, name, book.street or None, notes, year=year)
            leaks = personal_in_params(merged, out.personal)
            if leaks:
                out.failures[key] = ("参数中含有个人信息，报告中不能出现，该社区未生成：" +
                                     "；".join(leaks) + "。请修改参数文件后重新运行")
                continue
            window, info = (None, None) if named is None else period_window(
                named, book, prev_book)
            if info is not None:
                note = info.get("note")
                if note:
                    out.problems[key].append(Problem(WARNING, "period_partial", note,
                                                     book.path.name))
            out.communities[key] = build_facts(book, prev_book, merged, out.personal,
                                               window=window, period_info=info)
            out.earlier_inputs[key] = _add_history(out.communities[key], book, earlier,
                                                   out.problems[key], data, named)
        except PeriodError as exc:
            out.failures[key] = str(exc)
        except (params.ParamsError, targets.TargetError) as exc:
            if getattr(exc, "from_defaults", False):
                raise
            out.failures[key] = str(exc)
        except ValueError as exc:  # a target's 条件 outside the enum lists
            out.failures[key] = str(exc)
        except OSError as exc:  # e.g. a 社区名称 too long for a file name: this one only
            out.failures[key] = f"读取社区参数文件失败：{oserror.describe(exc)}"
        for note in notes:  # a namesake's parameters file, not applied
            problem = Problem(WARNING, "params_street", note, book.path.name)
            out.problems[key].append(problem)
            out.run_problems.append(problem)

    # Street overviews: only for streets whose every community is in this run and read.
    by_street: dict[str, list[str]] = {}
    for key, book in current.books.items():
        by_street.setdefault(book.street, []).append(key)
    as_of = max((f.as_of for f in out.communities.values()), default=f"{year}-12-31")
    for street, members in sorted(by_street.items()):
        if wanted is not None and not all(m in out.books for m in members):
            continue
        facts = [out.communities[m] for m in sorted(members) if m in out.communities]
        if not facts:
            continue
        rows = [r for f in facts for r in f.indicators if "condition" not in r]
        # The street's own as-of date: a half-year street keeps 30 June on its cover and
        # in its totals even when another street of the same run reports the whole year.
        street_as_of = max(f.as_of for f in facts)
        street_start = min(f.period_start for f in facts)
        totals = engine.street_totals(rows, street, year, [street_start, street_as_of])
        # Within its own street's overview a community is named by its name alone.
        failed = {current.books[m].community: out.failures[m] for m in sorted(members)
                  if m in out.failures}
        street_period = _street_period(named, facts, street_as_of)
        out.streets[street] = StreetFacts(
            street=street, year=year, as_of=street_as_of,
            half_year=(_period_mod.period_key(street_as_of) != _period_mod.ANNUAL
                       or (street_period is not None
                           and street_period["kind"] != _period_mod.YEAR)),
            communities=facts, totals=totals, failed=failed, period=street_period,
            history=history.street_history(facts))
    all_rows = [r for f in out.communities.values() for r in f.indicators if "condition" not in r]
    if all_rows and len(out.streets) > 1:
        start = min((f.period_start for f in out.communities.values()),
                    default=f"{year}-01-01")
        out.totals = engine.street_totals(all_rows, "全部", year, [start, as_of])
    return out


def _street_period(named: Period | None, facts: list[CommunityFacts], as_of: str
                   ) -> dict[str, Any] | None:
    """The street's period: the named one cut at the street's as-of date, noting when
    a community's ledgers cover it only in part."""
    if named is None:
        return None
    end = date.fromisoformat(as_of)
    start = max(named.start, date(named.year, 1, 1)) if named.kind != _period_mod.YEAR \
        else named.start
    cut = Period(named.kind, start, min(named.end, end), named.key, named.label)
    notes = sorted({str(f.period.get("note")) for f in facts if f.period and f.period.get("note")})
    return cut.to_dict(note="；".join(notes) or None)


def _named(period: Period | str | None, year: int) -> Period | None:
    if isinstance(period, str):
        return _period_mod.parse_period(period, default_year=year) if period.strip() else None
    return period


def community_facts(community: str, year: int, data_dir: str | Path = "data/sample",
                    params_dir: str | Path | None = "parameters",
                    street: str | None = None, period: Period | str | None = None
                    ) -> CommunityFacts:
    """One community's facts, read from its ledgers: what a notebook opened by hand uses.

    ``community`` is the 社区名称 or ``街道/社区名称``; ``street`` picks among namesakes
    of a district's streets; ``period`` as year_facts takes it.
    """
    if street and "/" not in community:
        community = f"{street}/{community}"
    result = year_facts(data_dir, year, params_dir, communities=[community], period=period)
    if community in result.communities:
        return result.communities[community]
    found = [f for f in result.communities.values()
             if community in (f.community, f"{f.street}/{f.community}")]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        streets = "、".join(sorted(f.street for f in found))
        raise LedgerError([Problem("错误", "community_ambiguous",
                                   f"{streets}都有{community}，请写成“街道/社区名称”，"
                                   f"如“{found[0].street}/{community}”")])
    reason = next((r for k, r in result.failures.items() if community in (k, k.split("/")[-1])),
                  None) or f"未找到{community}{year}年的台账"
    raise LedgerError([Problem("错误", "community_failed", reason)])


def street_facts(street: str | None, year: int, data_dir: str | Path = "data/sample",
                 params_dir: str | Path | None = "parameters",
                 period: Period | str | None = None) -> StreetFacts:
    """A street's overview facts (the first street of the data when none is named)."""
    result = year_facts(data_dir, year, params_dir, period=period)
    if not result.streets:
        raise LedgerError([Problem("错误", "no_street", f"{year}年没有可汇总的街道数据")])
    if street is None:
        return next(iter(result.streets.values()))
    if street not in result.streets:
        raise LedgerError([Problem("错误", "no_street", f"未找到街道：{street}")])
    return result.streets[street]

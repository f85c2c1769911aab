"""Many reports: a street's (or a district's) summaries and overviews in one run.

The analyst's year-end run must finish even when one community sent a broken workbook
or a notebook chokes on one community's data, must not redo an hour of work after one
workbook is resubmitted, and must survive Ctrl-C or a closed laptop lid. So:

- facts are computed once, in this process, for every community (no kernel for that);
- each report is its own papermill run in a long-lived worker process (the exporter and
  WeasyPrint are loaded once per worker), or on a dask cluster with ``scheduler=``;
- a failure is recorded with its Chinese reason and the others go on;
- ``OUT/<year>/manifest.json`` is replaced after every finished report, with status,
  reason, timings, input fingerprints and output paths;
- a report whose inputs did not change and whose files exist is skipped;
- files are written under temporary names and renamed, so an interrupted run leaves only
  whole reports, and the next run finishes the rest;
- a report that runs past ``timeout`` seconds has its kernel ended and counts as 超时;
- workers (and through them the kernels) end themselves within seconds when the run's
  own process is killed, even with ``kill -9``;
- the manifest is saved under a lock file, re-read and merged, so two runs on one output
  folder (different communities) keep each other's reports; a failed save is retried
  once and reported, never ending the run.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from . import fingerprint, guard, oserror, report
from .layout import year_folder_problem

__all__ = ["BatchResult", "DONE", "FAILED", "SKIPPED", "MANIFEST", "run_batch"]

DONE, FAILED, SKIPPED = "完成", "失败", "跳过"
MANIFEST = "manifest.json"
ALLOWED_FORMATS = ("html", "pdf", "docx")
# A worker process that dies takes every report it was running with it; those are tried
# again in a fresh pool this many times before they count as failed.
POOL_ROUNDS = 2
DEFAULT_TIMEOUT = 600.0  # seconds per report; generous: a community takes ~10 s
# Waiting for another run's manifest save: say so after LOCK_NOTICE seconds, give up (and
# report the save as failed) after LOCK_TIMEOUT.
LOCK_NOTICE = 2.0
LOCK_TIMEOUT = 120.0
PARENT_POLL = 1.0  # seconds between a worker's checks that the run's process still lives


@dataclass
class BatchResult:
    """What a run did. ``reports`` maps a key (``community:<名称>``,
    ``community:<街道>/<名称>`` for a district's namesakes, or ``overview:<街道>``) to
    its manifest entry."""

    year: int
    out_dir: Path
    manifest_path: Path
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    executed: int = 0  # notebooks executed in this run (0: no kernel was started)
    error: str | None = None  # the run could not start (bad defaults.yaml, no data …)
    interrupted: bool = False
    seconds: float = 0.0
    manifest_error: str | None = None  # the manifest could not be saved (the disk is full …)
    # The reports this run was asked for. A run for some communities keeps the others'
    # manifest entries, but their old successes and failures are not this run's.
    scope: set[str] | None = None

    def _mine(self) -> list[tuple[str, dict[str, Any]]]:
        return [(k, v) for k, v in self.reports.items()
                if self.scope is None or k in self.scope]

    def _with(self, status: str) -> list[str]:
        return [k for k, v in self._mine() if v.get("status") == status]

    @property
    def built(self) -> list[str]:
        return [k for k, v in self._mine()
                if v.get("status") == DONE and v.get("run") == "本次生成"]

    @property
    def skipped(self) -> list[str]:
        return self._with(SKIPPED)

    @property
    def failed(self) -> dict[str, str]:
        return {k: str(v.get("reason")) for k, v in self._mine()
                if v.get("status") == FAILED}

    @property
    def exit_code(self) -> int:
        """0 all written or up to date; 1 some report failed; 2 the run could not
        start; 130 interrupted."""
        if self.error:
            return 2
        if self.interrupted:
            return 130
        return 1 if self.failed or self.manifest_error else 0


# -- progress ----------------------------------------------------------------------------

class _Progress:
    """A bar on a terminal, plain Chinese lines otherwise (a log file, CI). Every line
    passes the personal-data guard first."""

    def __init__(self, total: int, index: guard.PersonalLookup, enabled: bool | None,
                 stream: TextIO | None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.index = index
        self.total = total
        self.done = 0
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.bar = None
        if total and (enabled if enabled is not None else tty) and tty:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="生成报告", unit="份", file=self.stream,
                            dynamic_ncols=True, leave=True)

    def line(self, text: str) -> None:
        try:
            guard.check_text(text, self.index)
        except guard.PersonalDataError:
            text = guard.GuardLogFilter.NOTICE
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)

    def step(self, label: str, entry: dict[str, Any]) -> None:
        self.done += 1
        secs = (entry.get("timings") or {}).get("total")
        took = f"（用时{secs:.1f}秒）" if isinstance(secs, (int, float)) else ""
        text = f"[{self.done}/{self.total}] {label}：{entry['status']}{took}"
        if entry.get("reason"):
            text += f"，原因：{entry['reason']}"
        if self.bar is not None:
            self.bar.update(1)
            if entry["status"] == FAILED:
                self.line(text)
        else:
            self.line(text)
        for warning in entry.get("warnings") or []:
            self.line(f"警告：{label}：{warning}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# -- the manifest ------------------------------------------------------------------------

def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class _Manifest:
    """The year's manifest as this run sees it. Another run may write the same file at
    the same time (other communities): every save takes a lock file, re-reads the file
    and keeps the other run's entries, so neither run's reports vanish from it."""

    def __init__(self, path: Path, header: dict[str, Any], old: dict[str, Any]) -> None:
        self.path = path
        self.header = header
        self.reports: dict[str, dict[str, Any]] = {}
        self.old = old
        self.lock = threading.Lock()
        self.scope: set[str] = set()  # the entries this run decides
        self.dropped: set[str] = set()  # old entries a full run removes (gone communities)
        self.error: str | None = None  # why the last save failed; None once one succeeds
        self.say: Callable[[str], None] = lambda text: None

    def data(self) -> dict[str, Any]:
        return {**self.header, "reports": dict(sorted(self.reports.items()))}

    def save(self) -> bool:
        """Save, retrying once; a failure is reported in Chinese and remembered (the run
        then exits 1), never raised: the reports themselves are already written."""
        with self.lock:
            for attempt in (1, 2):
                try:
                    self._save_locked()
                except OSError as exc:  # a full disk, a lock held too long, …
                    if attempt == 1:
                        time.sleep(0.5)
                        continue
                    reason = (f"另一个运行长时间占用清单（超过{LOCK_TIMEOUT:.0f}秒）"
                              if _is_lock_timeout(exc) else oserror.describe(exc))
                    if reason != self.error:
                        self.say(f"错误：清单保存失败（{reason}），已重试一次；已生成的报告"
                                 f"文件不受影响，其余报告继续生成。清单：{self.path}")
                    self.error = reason
                    return False
                self.error = None
                return True
        return False  # not reached

    def _save_locked(self) -> None:
        from filelock import FileLock, Timeout

        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.path.with_name(f".{self.path.name}.lock")))
        try:
            lock.acquire(timeout=LOCK_NOTICE)
        except Timeout:
            self.say(f"另一个运行正在写入{self.path.parent}的清单，等待…")
            lock.acquire(timeout=LOCK_TIMEOUT)
        try:
            on_disk = _read_manifest(self.path).get("reports") or {}
            merged = {k: v for k, v in self.reports.items() if k not in self.scope}
            merged.update({k: v for k, v in on_disk.items()
                           if k not in self.scope and k not in self.dropped
                           and isinstance(v, dict)})
            merged.update({k: v for k, v in self.reports.items() if k in self.scope})
            self.reports = merged
            text = json.dumps(self.data(), ensure_ascii=False, indent=1)
            report.write_outputs({self.path: text.encode("utf-8")})
        finally:
            lock.release()


def _is_lock_timeout(exc: BaseException) -> bool:
    from filelock import Timeout

    return isinstance(exc, Timeout)


# -- planning ----------------------------------------------------------------------------

@dataclass
class _Job:
    key: str
    label: str  # what the log line names: 社区名称 or the overview's title
    kind: str
    name: str
    title: str
    inputs: dict[str, Any]
    digest: str
    make_task: Callable[[], report.Task]
    paths: dict[str, Path]
    facts_share: float
    doc: str | None = None  # the 文种, 期间 and 条线 of a document other than the summary
    line: str | None = None
    period: str | None = None
    # The document the notebook will build (the same builder on the same facts), made
    # here once for its 底稿 (数据溯源); None: the report has no 底稿.
    document: Callable[[], Any] | None = None
    facts: Any = None  # the CommunityFacts or StreetFacts the notebook is handed
    # Files written beside the report (a 文种's 附件, e.g. the plan's 参数草案): manifest
    # outputs key -> (path, write(written_digest) -> path).
    extras: dict[str, tuple[Path, Callable[[str | None], Path]]] = field(
        default_factory=dict)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _up_to_date(old: dict[str, Any] | None, digest: str, out_dir: Path,
                paths: dict[str, Path], extras: dict[str, Path] | None = None) -> bool:
    """Whether the report need not be made again: same inputs, and every file it wrote
    is still there. A 附件 (``extras``: the plan's 参数草案) must be there too, edited or
    not: an edited draft is the community's and stays as it is."""
    if not old or old.get("status") not in (DONE, SKIPPED):
        return False
    if old.get("fingerprint") != digest:
        return False
    recorded = dict(old.get("outputs") or {})
    workpaper = recorded.pop("底稿", None)  # written beside the report (数据溯源)
    side = {key: recorded.pop(key, None) for key in extras or {}}
    wanted = {ext: _rel(p, out_dir) for ext, p in paths.items()}
    try:
        return recorded == wanted and all(p.is_file() for p in paths.values()) and \
            (workpaper is None or (out_dir / workpaper).is_file()) and \
            all(side[key] == _rel(p, out_dir) and p.is_file()
                for key, p in (extras or {}).items())
    except OSError:  # a name too long for the file system: not there, so build it
        return False


# The analyst's edited notebook is kept under this mark and the time of the edit.
EDITED_MARK = "已编辑"


def _edited(old: dict[str, Any] | None, notebook: Path | None) -> bool:
    """Whether the output notebook was changed after this kit wrote it (its bytes no
    longer match the digest the manifest recorded at write time). A manifest from before
    digests were recorded cannot tell: nothing counts as edited then."""
    if not old or notebook is None or not old.get("notebook_sha256"):
        return False
    try:
        return notebook.is_file() and \
            fingerprint.file_digest(notebook) != old["notebook_sha256"]
    except OSError:
        return False


def _keep_edited(notebook: Path) -> Path:
    """Rename an edited notebook out of the way, stamped with the time of the edit
    (``…工作总结.已编辑-20241203-1055.ipynb``); a second edit in the same minute gets
    ``-2``, ``-3`` …"""
    stamp = time.strftime("%Y%m%d-%H%M", time.localtime(notebook.stat().st_mtime))
    base = f"{notebook.stem}.{EDITED_MARK}-{stamp}"
    target = notebook.with_name(f"{base}{notebook.suffix}")
    n = 1
    while target.exists():
        n += 1
        target = notebook.with_name(f"{base}-{n}{notebook.suffix}")
    os.rename(notebook, target)
    return target


def _resolve(path: Path | str | None) -> Path | None:
    if path is None:
        return None
    p = Path(path).expanduser()
    return p if p.is_absolute() else (Path.cwd() / p).resolve()


def _out_overlaps_data(data: Path, out: Path) -> str | None:
    """Why ``out`` may not be used: it is, holds or lies inside one of the data folder's
    year folders (a run there would mix reports into the ledgers and clean up among the
    user's own files). None when it is fine."""
    out = out.resolve()
    try:
        years = [p.resolve() for p in data.iterdir() if p.is_dir() and p.name.isdigit()]
    except OSError:
        return None  # the data folder's own error is reported later
    for y in sorted(years):
        if out == y or out.is_relative_to(y) or y.is_relative_to(out):
            return (f"输出目录不能是台账目录、包含台账的年份文件夹或位于其中：{out}"
                    f"（台账年份文件夹：{y}）。请另选输出目录，例如 --out outputs")
    return None


# -- 文种, 条线 and periods -------------------------------------------------------------

@dataclass
class _Doc:
    """One document to make per community: a 文种, its 条线 (专项) and the period."""

    name: str
    doctype: Any
    line: str | None
    period: str | None  # the --period text, None for the default
    default: bool  # the summary of the default period: today's files and manifest keys


@dataclass
class _Plan:
    items: list[_Doc]
    period: Any  # period.Period or None
    period_key: str | None  # the period's key, None for the default


@dataclass(frozen=True)
class _Attachment:
    """A file a 文种 writes beside each community's report (its YAML 附件 list names
    them): the manifest outputs key, where it goes, and how it is written (given the run's
    personal-data index and the digest of the copy the kit wrote last, so a copy the
    community edited is kept, never overwritten)."""

    key: str
    path: Callable[[Path, Any, str], Path]  # (out, facts, run key) -> where it goes
    write: Callable[[Path, Any, str, Any, str | None], Path]


def _draft_path(out: Path, facts: Any, key: str) -> Path:
    from . import plan

    return plan.draft_path(out, facts, key)


def _write_draft(out: Path, facts: Any, key: str, index: Any, written: str | None) -> Path:
    from . import plan

    return plan.write_draft(out, facts, index=index, written_digest=written, key=key)


# 附件 name (as a 文种 lists it) -> how it is made.
ATTACHMENTS: dict[str, _Attachment] = {
    "参数草案": _Attachment("草案", _draft_path, _write_draft),  # next year's parameters
}


def _attachments(doctype: Any) -> list[str]:
    """The 附件 a 文种 declares; an unknown one stops the run, naming the known."""
    names = doctype.get("附件") or []
    names = [names] if isinstance(names, str) else list(names)
    bad = [str(n) for n in names if n not in ATTACHMENTS]
    if bad:
        raise ValueError(f"文种“{doctype.name}”（{doctype.source}）的附件未定义："
                         f"{'、'.join(bad)}（可用：{'、'.join(ATTACHMENTS)}）")
    return [str(n) for n in names]


def _plan_documents(docs: list[str] | tuple[str, ...] | None,
                    lines: list[str] | tuple[str, ...] | None, period: str | None,
                    year: int, pdir: Path | None) -> _Plan:
    """The documents a run makes, checked before any ledger is read: an unknown 文种, a
    条线 that is neither the street's nor a group, a period the 文种 does not take, a
    专项 without --line each stop the run with one Chinese line."""
    from . import doctypes
    from .params import load_defaults

    names = list(dict.fromkeys(d.strip() for d in (docs or ["总结"]) if d and d.strip()))
    wanted_lines = list(dict.fromkeys(x.strip() for x in (lines or []) if x and x.strip()))
    parsed = doctypes.parse_period_text(period, year)
    if parsed is not None and int(parsed.year) != int(year):
        raise ValueError(f"期间“{period}”不在{year}年内（--year {year}）")
    kind = getattr(parsed, "kind", None) or "year"
    defaults = load_defaults(pdir) if wanted_lines else {}
    for line in wanted_lines:
        doctypes.expand_lines(line, defaults)
    items: list[_Doc] = []
    for name in names:
        dt = doctypes.load_doctype(name, pdir)
        _attachments(dt)
        if dt.periods and parsed is not None and kind not in dt.periods:
            allowed = "、".join(doctypes.PERIOD_KINDS.get(k, k) for k in dt.periods)
            raise ValueError(f"文种“{name}”不按{doctypes.PERIOD_KINDS.get(kind, kind)}编写"
                             f"（期间“{period}”；可用：{allowed}）")
        if dt.needs_line:
            if not wanted_lines:
                raise ValueError(f"文种“{name}”需要指定条线：--line 条线（如 --line 普法，"
                                 "或条线组 --line 创文）")
            items.extend(_Doc(name, dt, line, period, False) for line in wanted_lines)
        else:
            items.append(_Doc(name, dt, None, period,
                              name == "总结" and parsed is None))
    return _Plan(items, parsed, None if parsed is None else str(parsed.key))


def _doc_key(kind: str, name: str, doc: _Doc, facts: Any = None,
             period_key: str | None = None) -> str:
    """``community:<name>`` for the default summary (as before 文种 existed), else
    ``community:<name>|<文种>|<期间>[|<条线>]`` (``overview:`` likewise)."""
    if doc.default:
        return f"{kind}:{name}"
    from . import doctypes

    key = period_key or (doctypes.period_of(facts)["key"] if facts is not None else "")
    return f"{kind}:{name}|{doc.name}|{key}" + (f"|{doc.line}" if doc.line else "")


def _family(key: str) -> tuple[str, ...]:
    """What a manifest key's report is, without whose: (文种, 期间[, 条线]); the default
    summary and overview are ()."""
    return tuple(key.split("|")[1:])


def _document_job(doc: _Doc, cf: Any, name: str, inputs: dict[str, Any], out: Path,
                  data: Path, pdir: Path | None, fmts: tuple[str, ...], share: float,
                  index: Any = None) -> _Job | str | None:
    """The job for one community's document; None when a 专项's lines have no data in
    the period (nothing is written), or the Chinese reason it cannot be made."""
    from . import doctypes, lines

    dt = doc.doctype
    missing = doctypes.missing_kinds(dt)
    if missing:
        return (f"文种“{dt.name}”所需的章节类型尚未提供：{'、'.join(missing)}"
                f"（当前版本还不能生成{dt.name}）")
    if doc.line is not None and dt.get("条线指标") is not None:
        if not lines.has_data(cf, dt, doctypes.expand_lines(doc.line, cf)):
            return None
    title = doctypes.title(dt, cf, doc.line)
    stem = doctypes.file_title(dt, cf, doc.line)
    text = report.doctype_notebook(dt)
    period_key = doctypes.period_of(cf)["key"]
    job_inputs = dict(inputs, notebook=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                      doctype=doctypes.doctype_digest(dt.name, pdir),
                      document={"文种": dt.name, "期间": period_key, "条线": doc.line})
    document = {"doc_type": dt.name, "line": doc.line, "period": doc.period, "title": title}
    extras = {}
    for att in (ATTACHMENTS[a] for a in _attachments(dt)):
        extras[att.key] = (att.path(out, cf, name),
                           lambda written, att=att: att.write(out, cf, name, index, written))
    return _Job(
        key=_doc_key("community", name, doc, cf), label=f"{name}：{title}",
        kind="community", name=name, title=title, inputs=job_inputs,
        digest=fingerprint.combine(job_inputs),
        make_task=lambda: report.community_task(cf, text, data, pdir, fmts, key=name,
                                                document=document),
        paths=report.output_paths(out, "community", name, cf.year, stem, fmts),
        facts_share=share, doc=dt.name, line=doc.line, period=period_key,
        document=lambda: doctypes.build(dt, cf, doc.line), facts=cf, extras=extras)


def _street_job(doc: _Doc, sf: Any, members: dict[str, str | None], out: Path, data: Path,
                pdir: Path | None, fmts: tuple[str, ...], ov_path: Path,
                options: dict[str, Any]) -> _Job | None:
    """A street's 专项汇总 for one 条线; None when no community of it has the line's data."""
    from . import doctypes, lines

    dt = doc.doctype
    if not sf.communities or not lines.street_has_data(
            sf, dt, doctypes.expand_lines(doc.line, sf.communities[0])):
        return None
    title = lines.street_title(dt, sf, doc.line)
    text = report.street_notebook(dt)
    period_key = doctypes.period_of(sf)["key"]
    inputs = dict(fingerprint.overview_inputs(members, sf.failed, pdir, ov_path, options),
                  notebook=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                  doctype=doctypes.doctype_digest(dt.name, pdir),
                  document={"文种": dt.name, "期间": period_key, "条线": doc.line})
    document = {"doc_type": dt.name, "line": doc.line, "period": doc.period, "title": title}
    return _Job(
        key=_doc_key("overview", sf.street, doc, sf), label=title, kind="overview",
        name=sf.street, title=title, inputs=inputs, digest=fingerprint.combine(inputs),
        make_task=lambda: report.overview_task(sf, text, data, pdir, fmts, document=document),
        paths=report.output_paths(out, "overview", sf.street, sf.year, title, fmts),
        facts_share=0.0, doc=dt.name, line=doc.line, period=period_key,
        document=lambda: lines.build_street(dt, sf, str(doc.line)), facts=sf)


# -- executing ---------------------------------------------------------------------------

_WORKER_INDEX: guard.PersonalLookup | None = None


def _init_worker(index: guard.PersonalLookup | None) -> None:
    """Runs once in every pool worker: the guard's look-up arrives once (not with every
    task) and the exporter, template and WeasyPrint are built before the first report."""
    global _WORKER_INDEX
    _WORKER_INDEX = index
    # A Ctrl-C reaches the whole process group; the parent decides what stops. When it
    # stops a worker (SIGTERM), the worker shuts its kernel down and removes its folder.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_term)
    _die_with_parent()
    from . import export

    export.warm_up()


def _exit_on_term(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent() -> None:
    """A worker whose run was killed (``kill -9``, an out-of-memory kill) would go on
    rendering for minutes with its kernel, each holding hundreds of MB. So the worker
    asks for SIGTERM when its parent dies (Linux ``prctl``; a SIGTERM shuts its kernel
    down and removes its folder), and a watchdog thread checks the parent every second
    (other systems, and a parent that died before the ``prctl``). The kernels themselves
    exit within a second of their worker (ipykernel watches its parent)."""
    import multiprocessing

    parent = multiprocessing.parent_process()
    ppid = parent.pid if parent is not None and parent.pid else os.getppid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        except (OSError, AttributeError):  # no libc prctl: the watchdog alone
            pass

    def watch() -> None:
        while os.getppid() == ppid:
            time.sleep(PARENT_POLL)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="shequ-kit-parent-watch", daemon=True).start()


def _render_in_worker(task: report.Task) -> report.Rendered:
    try:
        return report.render(task, _WORKER_INDEX)
    except report.ReportTimeoutError:  # its signal came as the report ended: still late
        return report.Rendered(kind=task.kind, name=task.name, ok=False,
                               reason=report._reason(report.ReportTimeoutError(), None))
    except SystemExit as stop:
        # The pool would report SystemExit as the task's result and take the next task;
        # a stopped worker must stop (its kernel and folder were cleaned up on the way).
        os._exit(int(stop.code) if isinstance(stop.code, int) else 1)


def _render_on_dask(task: report.Task, index: Any) -> report.Rendered:
    from . import export

    export.warm_up()  # cached per process: paid once per dask worker
    return report.render(task, index)


@contextmanager
def _workers_without_main() -> Iterator[None]:
    """Start workers without re-running the caller's script in each of them.

    A fresh worker process normally imports the caller's main script again; an analyst's
    script calling ``run_batch`` without an ``if __name__ == "__main__":`` guard would
    then start the whole batch again in every worker. The workers need nothing from it.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _timed(job: _Job, timeout: float | None) -> report.Task:
    task = job.make_task()
    task.timeout = timeout
    return task


def _local(jobs: list[_Job], workers: int, index: guard.PersonalLookup,
           pools: list[Any], timeout: float | None = None
           ) -> Iterator[tuple[_Job, report.Rendered]]:
    """Yield each job's result as it finishes, in a pool of long-lived worker processes.
    A broken pool (a worker killed by the system) is replaced and its unfinished jobs
    tried again."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    pending = list(jobs)
    for round_no in range(1, POOL_ROUNDS + 1):
        if not pending:
            return
        ctx = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(max_workers=max(1, min(workers, len(pending))),
                                   mp_context=ctx, initializer=_init_worker,
                                   initargs=(index,))
        pools.append(pool)
        broken: list[_Job] = []
        stopped = False
        try:
            with _workers_without_main():
                futures = {pool.submit(_render_in_worker, _timed(job, timeout)): job
                           for job in pending}
            waiting = set(futures)
            while waiting:
                finished, waiting = wait(waiting, return_when=FIRST_COMPLETED)
                for fut in finished:
                    job = futures[fut]
                    try:
                        rendered = fut.result()
                    except BrokenProcessPool:
                        broken.append(job)
                        continue
                    except Exception as exc:  # this report only; the others go on
                        rendered = report.Rendered(
                            kind=job.kind, name=job.name, ok=False,
                            reason=f"生成报告的工作进程出错（{type(exc).__name__}）")
                    yield job, rendered
        except BaseException:  # Ctrl-C, SIGTERM or the caller stopped: do not wait
            stopped = True
            _kill_pool(pool)
            raise
        finally:
            if not stopped:
                pool.shutdown(wait=True, cancel_futures=True)
            pools.remove(pool)
        pending = broken
        if pending and round_no == POOL_ROUNDS:
            for job in pending:
                yield job, report.Rendered(
                    kind=job.kind, name=job.name, ok=False,
                    reason="生成报告的工作进程意外退出（可能内存不足），已重试仍未成功")


def _distributed(jobs: list[_Job], scheduler: str, index: guard.PersonalLookup,
                 timeout: float | None = None) -> Iterator[tuple[_Job, report.Rendered]]:
    """The same tasks on a dask.distributed cluster. Workers need the same Python
    environment; results come back as file contents, so the output folder need not be
    shared (the notebooks read facts sent with the task, not the ledgers)."""
    from distributed import Client, as_completed

    with Client(scheduler) as client:
        shared = client.scatter(index, broadcast=True)
        futures = {}
        for job in jobs:
            fut = client.submit(_render_on_dask, _timed(job, timeout), shared, pure=False,
                                key=f"shequ-kit-{job.kind}-{job.name}-{time.time_ns()}")
            futures[fut] = job
        for fut in as_completed(list(futures)):
            job = futures[fut]
            try:
                yield job, fut.result()
            except Exception as exc:  # a worker lost mid-task: that report fails
                yield job, report.Rendered(
                    kind=job.kind, name=job.name, ok=False,
                    reason=f"集群工作进程未能完成该报告（{type(exc).__name__}）")


# -- the run -----------------------------------------------------------------------------

def _check_formats(formats: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    bad = [f for f in out if f not in ALLOWED_FORMATS]
    if bad:
        raise ValueError(f"不支持的输出格式：{'、'.join(bad)}（可选：{'、'.join(ALLOWED_FORMATS)}）")
    return out


class _Terminate(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: stop, keep what is whole."""


def run_batch(
    data_dir: Path | str,
    year: int,
    out_dir: Path | str = Path("outputs"),
    params_dir: Path | str | None = Path("parameters"),
    communities: list[str] | None = None,
    formats: tuple[str, ...] | list[str] = ("html", "pdf", "docx"),
    workers: int | None = None,
    force: bool = False,
    scheduler: str | None = None,
    progress: bool | None = None,
    notebook: Path | str | None = None,
    overview_notebook: Path | str | None = None,
    log: TextIO | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    overview: bool = False,
    discard_edits: bool = False,
    docs: list[str] | tuple[str, ...] | None = None,
    lines: list[str] | tuple[str, ...] | None = None,
    period: str | None = None,
) -> BatchResult:
    """Write every community's summary and each fully covered street's overview for a
    year into ``out_dir/<year>/``. ``progress`` None shows a bar only on a terminal;
    ``log`` is where lines go (stderr by default); ``timeout`` is each report's limit in
    seconds (None or 0: none). Never raises for one report's failure;
    ``BatchResult.exit_code`` says how the run went.

    A street with a single community gets no overview (it would repeat that community's
    summary) unless ``overview`` is True; the summary line says which were left out.
    ``communities`` names communities by 社区名称 or ``街道/社区名称``.

    An output notebook the analyst edited since it was written is never skipped as
    up to date nor overwritten: it is renamed with a timestamp (said in the summary
    line) and the report is built afresh, unless ``discard_edits``.

    ``docs`` are the 文种 to make (default the 总结 alone), ``lines`` the 条线 or 条线组
    of a 专项, ``period`` the period text (2024Q3, 2024W15 …; default the year up to
    the as-of date): one report per community, 文种, period and 条线."""
    started = time.perf_counter()
    data = _resolve(data_dir)
    pdir = _resolve(params_dir)
    out = _resolve(out_dir)
    assert data is not None and out is not None
    year_dir = out / str(year)
    result = BatchResult(year=year, out_dir=out, manifest_path=year_dir / MANIFEST)
    say = _Progress(0, report.NullIndex(), False, log)

    def fail(message: str) -> BatchResult:
        result.error = message
        say.line(f"错误：{message}")
        result.seconds = time.perf_counter() - started
        return result

    try:
        fmts = _check_formats(formats)
    except ValueError as exc:
        return fail(str(exc))
    nb_path = _resolve(notebook) or report.COMMUNITY_NOTEBOOK
    ov_path = _resolve(overview_notebook) or report.OVERVIEW_NOTEBOOK
    problem = year_folder_problem(data, year)
    if problem:
        return fail(problem)
    if pdir is not None and not pdir.is_dir():
        return fail(f"未找到参数目录：{pdir}")
    overlap = _out_overlaps_data(data, out)
    if overlap:
        return fail(overlap)

    from . import doctypes
    from . import params as params_mod
    from .assemble import year_facts
    from .model import LedgerError

    try:
        plan = _plan_documents(docs, lines, period, year, pdir)
    except (doctypes.DocTypeError, params_mod.ParamsError, ValueError) as exc:
        return fail(str(exc))

    report.clean_temp_files(year_dir)

    t0 = time.perf_counter()
    try:
        extra = {} if plan.period is None else {"period": plan.period}
        facts = year_facts(data, year, pdir, communities=communities, **extra)
    except (params_mod.ParamsError, LedgerError) as exc:  # defaults.yaml, or the year itself
        return fail(str(exc))
    facts_seconds = time.perf_counter() - t0
    index: guard.PersonalLookup = facts.personal if facts.personal is not None \
        else report.NullIndex()
    if not facts.communities and not facts.failures:
        return fail(f"{data}/{year} 下没有找到台账")
    say.index = index
    _write_checklists(facts, out, index, say)

    options = {"year": year, "formats": list(fmts)}
    share = facts_seconds / max(1, len(facts.communities) + len(facts.failures))

    jobs: list[_Job] = []
    member_digest: dict[str, str | None] = {}
    missing_nb = [p for p, needed in ((nb_path, bool(facts.communities)),
                                      (ov_path, bool(facts.streets)))
                  if needed and not p.is_file()]
    if missing_nb:
        return fail("未找到报告笔记本：" + "、".join(str(p) for p in missing_nb))

    # A community is (街道, 社区名称); its run key is the name, or 街道/社区名称 where the
    # name alone is not enough (reader.community_key).
    key_of: dict[tuple[str, str], str] = {}
    no_data: list[str] = []  # 专项 of a line without data in the period: said, not written
    unready: dict[str, dict[str, Any]] = {}  # a 文种 whose section kinds are not there
    for name, cf in sorted(facts.communities.items()):
        key_of[(cf.street, cf.community)] = name
        inputs = fingerprint.community_inputs(cf.community, facts.inputs.get(name, []), pdir,
                                              nb_path, options, street=cf.street or None,
                                              earlier=facts.earlier_inputs.get(name))
        data_part = {k: inputs[k] for k in ("workbook", "previous_workbook", "defaults",
                                            "params", "params_year", "street_defaults",
                                            "earlier_workbooks") if k in inputs}
        member_digest[name] = fingerprint.combine(data_part)
        for doc in plan.items:
            if doc.default:
                own = doctypes.doctype_digest("总结", pdir)["own"]
                if own is not None:  # a street's parameters/文种/总结.yaml
                    inputs = dict(inputs, doctype=own)
                jobs.append(_Job(
                    key=f"community:{name}", label=name, kind="community", name=name,
                    title=cf.title, inputs=inputs, digest=fingerprint.combine(inputs),
                    make_task=lambda cf=cf, name=name: report.community_task(
                        cf, nb_path, data, pdir, fmts, key=name),
                    paths=report.output_paths(out, "community", name, year, cf.title, fmts),
                    facts_share=share, document=lambda cf=cf: _summary(cf), facts=cf))
                continue
            job_or_reason = _document_job(doc, cf, name, inputs, out, data, pdir, fmts, share,
                                          index)
            if isinstance(job_or_reason, _Job):
                jobs.append(job_or_reason)
            elif job_or_reason is None:
                no_data.append(f"{name}{doctypes.period_of(cf)['label']}{doc.line}")
            else:
                unready[_doc_key("community", name, doc, cf)] = {
                    "kind": "community", "name": name, "status": FAILED,
                    "reason": job_or_reason, "run": "本次生成", "timings": {},
                    "fingerprint": None, "inputs": {}, "outputs": {}, "doc": doc.name,
                    "period": doctypes.period_of(cf)["key"], "line": doc.line}
    lone_streets: list[str] = []  # one community: no overview unless asked
    summaries = [d for d in plan.items if d.name == "总结"]  # the overview goes with them
    for street, sf in sorted(facts.streets.items()):
        if not summaries:
            break
        if len(sf.communities) + len(sf.failed) < 2:
            if not overview:
                lone_streets.append(street)
                continue
        members = {key_of.get((street, c.community), c.community):
                   member_digest.get(key_of.get((street, c.community), c.community))
                   for c in sf.communities}
        members.update({m: None for m in sf.failed})
        inputs = fingerprint.overview_inputs(members, sf.failed, pdir, ov_path, options)
        for doc in summaries:
            named: dict[str, Any] = {}
            if not doc.default:  # a named period: its own key, inputs and manifest fields
                named = {"doc": doc.name, "period": doctypes.period_of(sf)["key"]}
                inputs = dict(inputs, document={"文种": doc.name, "期间": named["period"]})
            jobs.append(_Job(
                key=_doc_key("overview", street, doc, sf), label=sf.title, kind="overview",
                name=street, title=sf.title, inputs=inputs, digest=fingerprint.combine(inputs),
                make_task=lambda sf=sf: report.overview_task(sf, ov_path, data, pdir, fmts),
                paths=report.output_paths(out, "overview", street, year, sf.title, fmts),
                facts_share=0.0, document=lambda sf=sf: _overview(sf), facts=sf, **named))
    for doc in plan.items:  # a street's 专项汇总, where the 文种 declares one
        if doc.line is None or not doc.doctype.get("汇总标题"):
            continue
        for street, sf in sorted(facts.streets.items()):
            if len(sf.communities) + len(sf.failed) < 2 and not overview:
                continue
            members = {key_of.get((street, c.community), c.community):
                       member_digest.get(key_of.get((street, c.community), c.community))
                       for c in sf.communities}
            members.update({m: None for m in sf.failed})
            job = _street_job(doc, sf, members, out, data, pdir, fmts, ov_path, options)
            if job is not None:
                jobs.append(job)
    _trace_workpapers(jobs, facts, index, say)  # 数据溯源: needs the ledgers' rows
    facts.books.clear()  # the ledgers themselves are not needed any more

    old = _read_manifest(result.manifest_path)
    old_reports: dict[str, Any] = old.get("reports") or {}
    header = {"year": year, "data_dir": str(data),
              "params_dir": None if pdir is None else str(pdir), "formats": list(fmts)}
    manifest = _Manifest(result.manifest_path, header, old_reports)
    manifest.say = lambda text: say.line(text)
    if communities:  # a partial run keeps what earlier runs recorded for the others
        manifest.reports.update(old_reports)

    todo: list[_Job] = []
    kept_edits: list[tuple[Path, Path]] = []
    discarded: list[Path] = []
    for job in jobs:
        prev = old_reports.get(job.key)
        edited_nb = job.paths.get("ipynb")
        if _edited(prev, edited_nb):
            assert edited_nb is not None
            if discard_edits:
                discarded.append(edited_nb)
            else:
                try:
                    kept_edits.append((edited_nb, _keep_edited(edited_nb)))
                except OSError as exc:  # never overwrite what could not be kept
                    manifest.reports[job.key] = dict(
                        prev or {}, status=FAILED, run="本次生成",
                        reason=f"无法保留手工编辑过的笔记本{edited_nb.name}"
                               f"（{oserror.describe(exc)}），报告未重新生成")
                    continue
            todo.append(job)
        elif not force and _up_to_date(prev, job.digest, out, job.paths,
                                       {k: path for k, (path, _) in job.extras.items()}):
            entry = dict(prev or {}, status=SKIPPED, reason=None, run="沿用上次结果")
            manifest.reports[job.key] = entry
        else:
            todo.append(job)
    failed_now: dict[str, dict[str, Any]] = {}
    period_key = plan.period_key or str(year)
    for name, reason in sorted(facts.failures.items()):
        for doc in plan.items:  # each document the community would have had fails
            key = _doc_key("community", name, doc, period_key=period_key)
            failed_now[key] = {
                "kind": "community", "name": name, "status": FAILED, "reason": reason,
                "run": "本次生成",
                "timings": report.json_timings({"facts": share, "total": share}),
                "fingerprint": None, "inputs": {}, "outputs": {}}
            if not doc.default:
                failed_now[key].update(doc=doc.name, period=period_key, line=doc.line)
    failed_now.update(unready)
    manifest.reports.update(failed_now)
    result.scope = {job.key for job in jobs} | set(failed_now)
    manifest.scope = result.scope
    if not communities:  # a full run drops the entries of communities no longer there,
        # among the documents it makes (a 专项 run keeps the summaries)
        families = {_family(k) for k in result.scope} | {
            _family(_doc_key("community", "", d, period_key=period_key)) for d in plan.items}
        manifest.dropped = {k for k in set(old_reports) - result.scope
                            if _family(k) in families}

    total = len(jobs) + len(failed_now)
    say.close()
    say = _Progress(total, index, progress, log)
    unchanged = not todo and all(
        {k: v for k, v in (old_reports.get(key) or {}).items() if k != "timings"}
        == {k: v for k, v in entry.items() if k != "timings"}
        for key, entry in failed_now.items())
    skipped_n = len(jobs) - len(todo)
    for problem in facts.run_problems:
        if problem.kind == "params_street":  # a namesake's parameters file, not applied
            say.line(f"警告：{problem.message}")
    for what in no_data:
        say.line(f"{what}没有数据，未生成专项工作总结")
    if skipped_n:
        say.line(f"{skipped_n}份报告的输入未变化，沿用上次结果（如需重新生成请加 --force）")
    for entry in failed_now.values():
        say.step(entry["name"] + (f"：{entry['doc']}" if entry.get("doc") else ""), entry)
    for job in jobs:
        if job not in todo:
            say.done += 1
            if say.bar is not None:
                say.bar.update(1)
    if todo or not unchanged or not result.manifest_path.exists():
        manifest.save()

    pools: list[Any] = []
    previous_term = None
    if threading.current_thread() is threading.main_thread():
        def _on_term(signum: int, frame: Any) -> None:
            raise _Terminate()

        previous_term = signal.signal(signal.SIGTERM, _on_term)
    # Big reports first: the overview takes longest and should not start last.
    todo.sort(key=lambda j: (j.kind != "overview", j.name))
    try:
        limit = timeout if timeout and timeout > 0 else None
        results = (_distributed(todo, scheduler, index, limit) if scheduler
                   else _local(todo, workers or os.cpu_count() or 1, index, pools, limit))
        for job, rendered in results:
            entry = _finish(job, rendered, out, old_reports.get(job.key))
            result.executed += 1 if rendered.attempts else 0
            manifest.reports[job.key] = entry
            manifest.save()
            say.step(job.label, entry)
    except KeyboardInterrupt:
        result.interrupted = True
        for pool in pools:
            _kill_pool(pool)
        say.line("运行已中断：已完成的报告均完整保留，再次运行将继续生成其余报告。")
    finally:
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)
        say.close()
        report.clean_temp_files(year_dir)

    if manifest.error is not None:  # the last save failed: one more try at the end
        manifest.save()
    _write_index(manifest, out, index, say)
    result.manifest_error = manifest.error
    result.reports = manifest.reports
    result.seconds = time.perf_counter() - started
    if not result.interrupted:
        n_failed = len(result.failed)
        n_late = sum(1 for r in result.failed.values() if r.startswith(report.TIMEOUT_MARK))
        late = f"（其中{report.TIMEOUT_MARK}{n_late}份）" if n_late else ""
        saved = (f"清单未能保存（{manifest.error}）：{result.manifest_path}"
                 if manifest.error else f"清单：{result.manifest_path}")
        lone = ""
        if lone_streets:
            lone = (f"{'、'.join(lone_streets)}只有一个社区，未生成街道汇总"
                    "（如需生成请加 --overview）。")
        elif overview:
            forced = [s for s, sf in facts.streets.items()
                      if len(sf.communities) + len(sf.failed) < 2]
            if forced:
                lone = f"已按 --overview 为只有一个社区的{'、'.join(forced)}生成街道汇总。"
        edits = ""
        if kept_edits:
            edits = ("手工编辑过的笔记本已另存保留：" + "、".join(
                f"{old.name} → {new.name}" for old, new in kept_edits) + "。")
        if discarded:
            edits += ("已按 --discard-edits 覆盖手工编辑过的笔记本："
                      + "、".join(p.name for p in discarded) + "。")
        say.line(f"完成：生成{len(result.built)}份，沿用{skipped_n}份，失败{n_failed}份{late}，"
                 f"用时{result.seconds:.1f}秒。{edits}{lone}{saved}")
    return result


def _write_index(manifest: _Manifest, out: Path, index: guard.PersonalLookup,
                 say: _Progress) -> None:
    """``OUT/<year>/index.html`` from the manifest, after its last save: every run leaves
    a page that links each report as the manifest lists it. The saved manifest decides
    (an unchanged re-run saves none, and its page then stays as it was); only when the
    save failed does this run's own view. A refusal by the guard or a write error is one
    line and never ends the run (the reports are written)."""
    from . import index_page

    data = (_read_manifest(manifest.path) if manifest.error is None else {}) \
        or manifest.data()
    try:
        index_page.write_index(data, out, index)
    except guard.PersonalDataError as exc:
        say.line(f"错误：{exc}")
    except OSError as exc:
        say.line(f"错误：写入报告索引页失败：{oserror.describe(exc)}")


def _write_checklists(facts: Any, out: Path, index: guard.PersonalLookup,
                      say: _Progress) -> None:
    """Each community's 数据核对单 beside its report: the reader's problems and the
    targets whose 条件 found rows only under another 条线. Built on every run (cheap,
    no kernel) so it always matches the ledgers, but written only when its content
    changed: an unchanged re-run rewrites no file. A refusal by the guard is one line."""
    from . import checklist

    for name, cf in sorted(facts.communities.items()):
        title = checklist.checklist_title(name, cf.year, cf.half_year, cf.period)
        problems = list(facts.problems.get(name) or []) + \
            list((cf.quality or {}).get("target_warnings") or [])
        try:
            files = checklist.checklist_files(title, problems, index)
            paths = checklist.checklist_paths(out, cf.year, name, title)
            # The page is deterministic (the workbook carries a save time): it decides.
            if all(p.is_file() for p in paths.values()) and \
                    paths["html"].read_bytes() == files["html"]:
                continue
            report.write_outputs({paths[ext]: files[ext] for ext in paths})
        except guard.PersonalDataError as exc:
            say.line(f"错误：{exc}")
        except OSError as exc:
            say.line(f"错误：写入{title}失败：{oserror.describe(exc)}")


# job key -> (the 底稿's path, its content made on demand): written with the report's own
# files when it finishes, so a failed or unchanged report leaves its 底稿 as it was.
_WORKPAPERS: dict[str, tuple[Path, Callable[[], bytes]]] = {}


def _summary(cf: Any) -> Any:
    from . import narrative

    return narrative.build_document(cf)


def _overview(sf: Any) -> Any:
    from . import overview

    return overview.build_overview(sf)


def _trace_workpapers(jobs: list[_Job], facts: Any, index: guard.PersonalLookup,
                      say: _Progress) -> None:
    """Trace the rows behind every figure each report states, while the ledgers are
    read: kept in the facts (``trace``) so the notebook's figures carry them as
    tooltips, and for the 底稿 (``<文档名>.底稿.xlsx``) written beside each report. Each
    job's document is the one its notebook builds (the same builder on the same facts),
    so the 底稿's 序号 are the HTML's ``data-trace`` numbers. One facts object may serve
    several documents (a summary and a plan): it is traced once for all their figures.
    A failure is one line and never stops the run."""
    from . import sources, trace

    _WORKPAPERS.clear()
    by_name = {b.community: b for b in facts.books.values()}
    groups: dict[int, tuple[_Job, set[str], list[tuple[_Job, Any]]]] = {}
    for job in jobs:
        if job.document is None or job.facts is None:
            continue
        # The notebook builds its document in a fresh kernel: no earlier look-up (a plan's
        # draft, a 专项's data check, another run in this process) may lend it a figure.
        sources.reset()
        try:
            document = job.document()
        except (ValueError, KeyError) as exc:  # a document the notebook will report too
            say.line(f"警告：{job.label}的数据底稿未生成：{exc}")
            continue
        keys = {sources.trace_key(str(s["id"]), s.get("condition"), s.get("category"))
                for _, _, s in sources.figures(document)}
        _, wanted, made = groups.setdefault(id(job.facts), (job, set(), []))
        wanted |= keys
        made.append((job, document))
    for first, wanted, made in groups.values():
        f = first.facts
        try:
            if first.kind == "community":
                book = facts.books.get(first.name)
                if book is None:
                    continue
                f.trace = trace.trace_rows(book, f, wanted)
                files = {"*": book.path.name}
            else:
                books = {c.community: by_name[c.community] for c in f.communities
                         if c.community in by_name}
                f.trace = trace.street_trace(books, f, wanted)
                files = {name: b.path.name for name, b in books.items()}
        except (ValueError, KeyError) as exc:
            say.line(f"警告：{first.label}的数据底稿未生成：{exc}")
            continue
        for job, document in made:  # beside the report (its notebook is always written)
            _WORKPAPERS[job.key] = (trace.workpaper_path(job.paths["ipynb"]),
                                    lambda d=document, f=f, n=files:
                                    trace.workpaper_file(d, f, f.trace, index, files=n))


def _workpaper_files(job: _Job, entry: dict[str, Any]) -> dict[Path, bytes]:
    """The finished report's 底稿, to be written with its files; a refusal by the guard
    is the report's warning, not its failure."""
    found = _WORKPAPERS.get(job.key)
    if found is None:
        return {}
    path, make = found
    try:
        return {path: make()}
    except guard.PersonalDataError as exc:
        entry.setdefault("warnings", []).append(str(exc))
        return {}


def _write_extras(job: _Job, entry: dict[str, Any], out: Path,
                  old: dict[str, Any] | None) -> None:
    """Write a finished report's 附件 (the plan's 参数草案) and record each in the entry
    with the digest of what was written: the next run tells the community's edits by
    it and keeps them (``….已编辑-<时间>.yaml``). A refusal by the guard or a write
    error is the report's warning, not its failure; the 附件 is then not listed, so the
    next run makes the report again."""
    from .fingerprint import file_digest

    for key, (target, write) in job.extras.items():
        before = _edited_copies(target)
        try:
            path = write((old or {}).get(f"{key}_sha256"))
        except guard.PersonalDataError as exc:
            entry.setdefault("warnings", []).append(str(exc))
            continue
        except OSError as exc:
            entry.setdefault("warnings", []).append(
                f"写入{key}失败：{oserror.describe(exc)}")
            continue
        entry["outputs"][key] = _rel(path, out)
        entry[f"{key}_sha256"] = file_digest(path)
        for kept in sorted(_edited_copies(target) - before):
            entry.setdefault("warnings", []).append(
                f"手工编辑过的{target.name}已另存保留为{kept.name}，已写入新的{key}")


def _edited_copies(target: Path) -> set[Path]:
    """The kept edited copies of a 附件 (``<名>.已编辑-<时间>.<扩展名>``) beside it."""
    try:
        return set(target.parent.glob(f"{target.stem}.{EDITED_MARK}-*{target.suffix}"))
    except OSError:
        return set()


def _finish(job: _Job, rendered: report.Rendered, out: Path,
            old: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write a finished report's files (the manifest is saved after this, so a kill in
    between only means the report is built again next time), then its 附件 (``old`` is
    the report's last manifest entry: the digest of each 附件 as the kit wrote it)."""
    timings = {"facts": job.facts_share,
               **{k: v for k, v in rendered.timings.items() if k != "total"}}
    entry: dict[str, Any] = {"kind": job.kind, "name": job.name, "status": FAILED,
                             "reason": rendered.reason, "run": "本次生成",
                             "fingerprint": None, "inputs": job.inputs, "outputs": {},
                             "attempts": rendered.attempts}
    if job.doc is not None:  # a document other than the default summary
        entry.update(doc=job.doc, period=job.period, line=job.line, title=job.title)
    if rendered.warnings:
        entry["warnings"] = list(rendered.warnings)
    for key in job.extras:  # what the kit wrote last, until it writes again
        if (old or {}).get(f"{key}_sha256"):
            entry[f"{key}_sha256"] = (old or {})[f"{key}_sha256"]
    if rendered.ok:
        t0 = time.perf_counter()
        try:
            extra = _workpaper_files(job, entry)
            report.write_outputs({job.paths[ext]: rendered.files[ext] for ext in job.paths}
                                 | extra)
        except OSError as exc:
            entry["reason"] = f"写入报告文件失败：{oserror.describe(exc)}"
        else:
            entry.update(status=DONE, reason=None, fingerprint=job.digest,
                         outputs={ext: _rel(p, out) for ext, p in job.paths.items()})
            for path in extra:  # the 底稿 beside it (数据溯源), for the index page
                entry["outputs"]["底稿"] = _rel(path, out)
            if "ipynb" in rendered.files:  # how a later run sees the analyst's edits
                entry["notebook_sha256"] = hashlib.sha256(rendered.files["ipynb"]).hexdigest()
            _write_extras(job, entry, out, old)
        timings["write"] = time.perf_counter() - t0
    # The worker's total includes its own bookkeeping between stages.
    timings["total"] = (rendered.timings.get("total", 0.0) + timings["facts"]
                        + timings.get("write", 0.0))
    entry["timings"] = report.json_timings(timings)
    return entry


def _kill_pool(pool: Any) -> None:
    """Stop a pool's workers (those this run started) and forget its queued reports."""
    processes = dict(getattr(pool, "_processes", None) or {})
    for proc in processes.values():
        try:
            proc.terminate()
        except Exception:  # already gone
            pass
    deadline = time.monotonic() + 10
    for proc in processes.values():  # give each its kernel shut-down
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.kill()
    pool.shutdown(wait=False, cancel_futures=True)

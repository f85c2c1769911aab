"""One report: execute the notebook with papermill, guard it, export HTML/PDF, write.

The same code renders a report for the batch (in a pool worker or on a dask worker) and
for an analyst rendering a single community. Rendering and writing are separate steps:
``render`` turns a task into file contents in memory (so a remote dask worker needs no
access to the output folder), ``write_outputs`` puts them in place, each file under a
temporary name first and then renamed, so a reader, a crash or Ctrl-C never leaves half a
report where a good one was.

Every report runs in its own temporary folder (the kernel's working directory, the facts
JSON), so no report can pick up another community's chart or data.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import guard, paths

__all__ = [
    "COMMUNITY_NOTEBOOK",
    "OVERVIEW_NOTEBOOK",
    "TEMP_PREFIX",
    "TIMEOUT_MARK",
    "NullIndex",
    "ReportTimeoutError",
    "Rendered",
    "Task",
    "clean_temp_files",
    "community_task",
    "doctype_notebook",
    "execute",
    "export_files",
    "output_paths",
    "overview_task",
    "render",
    "render_report",
    "street_notebook",
    "write_outputs",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The notebooks live in the project's notebooks/ folder, where analysts open them; the
# package reaches them through shequ_kit/notebooks (a link in a checkout, a copy in an
# installed wheel), so `pip install .` without -e can still run reports.
NOTEBOOK_DIR = Path(__file__).resolve().parent / "notebooks"
COMMUNITY_NOTEBOOK = NOTEBOOK_DIR / "community_report.ipynb"
OVERVIEW_NOTEBOOK = NOTEBOOK_DIR / "street_overview.ipynb"
FORMATS = ("ipynb", "html", "pdf", "docx")
# Per-report working folders; the pid in the name lets a later run remove the folders of
# a process that was killed.
TEMP_PREFIX = "shequ-kit-run-"
# Temporary report files carry this mark and the writing process's pid, so a clean-up
# removes only what a shequ-kit run wrote (never a user's own ``.草稿.tmp``), and only
# when that run is this one or is gone (a concurrent run's files are left alone).
TEMP_MARK = "shequ-kit-"
_OUR_TEMP = re.compile(rf"^\..+\.{re.escape(TEMP_MARK)}(\d+)-\d+\.tmp$")
# A timed-out report's reason starts with this word; the batch counts them by it.
TIMEOUT_MARK = "超时"
KERNEL = "python3"
START_ATTEMPTS = 3
START_BACKOFF = 1.0  # seconds, doubled after each failed start

# Kernel-start races seen when several kernels start at once (two kernels picking the
# same free port, a kernel too slow to answer on a loaded machine). Only these are
# retried: a cell that raises is the notebook's own error and fails the report at once.
_START_RACES = (
    "address already in use",
    "kernel didn't respond",
    "kernel died before replying",
    "kernel failed to start",
    "kernel didn't start",
    "timed out waiting for kernel",
)


class NullIndex:
    """A guard look-up that knows no one (a run without ledgers to learn names from)."""

    def find_in_text(self, text: str) -> list[str]:
        return []

    def find_in_cells(self, cells: Any) -> list[str]:
        return []


@dataclass
class Task:
    """Everything a worker needs for one report, picklable and free of paths to the
    output folder. ``notebook`` is the notebook's JSON text, so a worker on another
    machine does not need the project checked out at the same place."""

    kind: str  # "community" or "overview"
    name: str  # 社区名称 or 所属街道
    year: int
    title: str
    facts_json: str
    notebook: str
    parameters: dict[str, Any]
    meta: dict[str, Any]
    formats: tuple[str, ...] = ("html", "pdf")
    timeout: float | None = None  # seconds for the whole report; None: no limit


@dataclass
class Rendered:
    """A worker's answer: file contents by format, or the Chinese reason it failed."""

    kind: str
    name: str
    ok: bool
    reason: str | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    attempts: int = 0  # kernel starts tried; 0 when no kernel was started
    # What the document left out or the notebook flagged (a widget, a revise that found
    # nothing), in Chinese: for the run's log and manifest, never the PDF.
    warnings: list[str] = field(default_factory=list)


# -- tasks and paths ---------------------------------------------------------------------

def _notebook_text(notebook: Path) -> str:
    if not notebook.is_file():
        raise FileNotFoundError(f"未找到报告笔记本：{notebook}")
    return notebook.read_text(encoding="utf-8")


def community_task(facts: Any, notebook: Path | str, data_dir: Path, params_dir: Path | None,
                   formats: tuple[str, ...] = ("html", "pdf"), key: str | None = None,
                   document: dict[str, Any] | None = None) -> Task:
    """The task for one community's document (``facts`` is a CommunityFacts; ``key`` its
    run key, ``街道/社区名称`` for a district's namesakes, so the kept notebook reopens
    the right community). ``document`` names another 文种 than the summary:
    {"doc_type", "line", "period", "title"}, handed to the notebook as parameters, and
    ``notebook`` is then the notebook's text (generated from the 文种's outline)."""
    from .export import cover_meta

    parameters: dict[str, Any] = {
        "community": key or facts.community, "year": facts.year, "data_dir": str(data_dir),
        "params_dir": None if params_dir is None else str(params_dir)}
    meta = cover_meta(facts)
    title = facts.title
    text = notebook if isinstance(notebook, str) else _notebook_text(notebook)
    if document is not None:
        title = str(document["title"])
        meta["title"] = title
        parameters.update(doc_type=document["doc_type"], line=document.get("line"),
                          period=document.get("period"))
    return Task(
        kind="community", name=key or facts.community, year=facts.year, title=title,
        facts_json=facts.to_json(), notebook=text, parameters=parameters,
        meta=meta, formats=tuple(formats))


def doctype_notebook(doctype: Any) -> str:
    """A notebook for a 文种 (doctypes.DocType), one cell per section of its outline, in
    the shape of the shipped community notebook: usage notes and section labels tagged
    no-export, the parameters cell papermill fills, a cover cell. It is made from the
    outline when the report is made (not shipped), so a 文种 a street adds in YAML gets
    its own cells, and an analyst can still put a cell between two sections or revise a
    sentence before export."""
    import nbformat

    def md(text: str) -> Any:
        return nbformat.v4.new_markdown_cell(text, metadata={"tags": ["no-export"]})

    intro = (f"# {doctype.name}" + (f"：{doctype.description}" if doctype.description else "")
             + "\n\n本笔记本按文种“" + doctype.name + "”的提纲生成（"
             + (str(doctype.source.name) if doctype.source else doctype.name)
             + "）：每个部分一个单元格，可以在两个部分之间插入自己的单元格，或在“准备”单元格下面用 "
             "`revise(doc, \"原句\", \"新句\")` 修改措辞。标签为 `no-export` 的单元格不会出现在导出的报告中。"
             "\n\n参数：社区名称 `community`、年份 `year`、台账文件夹 `data_dir`、参数文件夹 "
             "`params_dir`、文种 `doc_type`、条线 `line`（专项总结）、期间 `period`（如 2024Q3、"
             "2024W15，`None` 为全年）。`facts_path` 保持 `None`。")
    params = nbformat.v4.new_code_cell(
        'community = "天运社区"\nyear = 2024\ndata_dir = "data/sample"\n'
        'params_dir = "parameters"\nfacts_path = None\n'
        f'doc_type = "{doctype.name}"\nline = None\nperiod = None',
        metadata={"tags": ["parameters"]})
    prep = nbformat.v4.new_code_cell(
        "from shequ_kit.export import cover_meta, show_cover\n"
        "from shequ_kit.notebook import load_community, load_document, revise, show_part\n\n"
        "facts = load_community(community, year, data_dir, params_dir, facts_path, "
        "period=period)\n"
        "doc = load_document(doc_type, facts, line, params_dir)",
        metadata={"tags": ["no-export"]})
    cells = [md(intro), params, md("## 准备：读取数据，生成文稿"), prep, md("## 封面"),
             nbformat.v4.new_code_cell(
                 "show_cover(dict(cover_meta(facts), title=doc.title, lines=doc.cover_lines()))")]
    for spec in doctype.sections:
        key = spec.get("键") or spec["类型"]
        label = str(spec.get("标题") or spec["类型"])
        if "{" in label:
            label = spec["类型"]
        cells.append(md(f"## {label}"))
        cells.append(nbformat.v4.new_code_cell(f"show_part(doc, {key!r}, facts)"))
    for i, cell in enumerate(cells):  # fixed ids: the same outline, the same notebook
        cell["id"] = f"sk-{i}"          # (its digest decides incremental runs)
    nb = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}})
    return nbformat.writes(nb)


def overview_task(street: Any, notebook: Path | str, data_dir: Path, params_dir: Path | None,
                  formats: tuple[str, ...] = ("html", "pdf"),
                  document: dict[str, Any] | None = None) -> Task:
    """The task for a street overview (``street`` is a StreetFacts), or with
    ``document`` ({"doc_type", "line", "period", "title"}) a street's 专项汇总, whose
    ``notebook`` is then the text street_notebook made."""
    from .export import cover_meta

    parameters: dict[str, Any] = {
        "street": street.street, "year": street.year, "data_dir": str(data_dir),
        "params_dir": None if params_dir is None else str(params_dir)}
    meta = cover_meta(street)
    title = street.title
    if document is not None:
        title = str(document["title"])
        meta["title"] = title
        parameters.update(doc_type=document["doc_type"], line=document.get("line"),
                          period=document.get("period"))
    return Task(
        kind="overview", name=street.street, year=street.year, title=title,
        facts_json=street.to_json(),
        notebook=notebook if isinstance(notebook, str) else _notebook_text(notebook),
        parameters=parameters, meta=meta, formats=tuple(formats))


STREET_LINE_PARTS = (("opening", "开头语"), ("line_figures", "主要工作数据"),
                     ("line_communities", "各社区工作情况"), ("line_targets", "目标完成情况"))


def street_notebook(doctype: Any) -> str:
    """The notebook of a street's 专项汇总 (lines.build_street), one cell per part."""
    import nbformat

    def md(text: str) -> Any:
        return nbformat.v4.new_markdown_cell(text, metadata={"tags": ["no-export"]})

    cells = [
        md(f"# 街道{doctype.name}汇总\n\n一个街道各社区某一条线（或条线组）的汇总：各社区的条线数据及"
           "街道合计、各社区工作情况、目标完成情况。参数：街道 `street`、年份 `year`、台账文件夹 "
           "`data_dir`、参数文件夹 `params_dir`、文种 `doc_type`、条线 `line`。标签为 `no-export` "
           "的单元格不会出现在导出的报告中。"),
        nbformat.v4.new_code_cell(
            'street = None\nyear = 2024\ndata_dir = "data/sample"\nparams_dir = "parameters"\n'
            f'facts_path = None\ndoc_type = "{doctype.name}"\nline = "普法"\nperiod = None',
            metadata={"tags": ["parameters"]}),
        md("## 准备：读取数据，生成汇总文稿"),
        nbformat.v4.new_code_cell(
            "from shequ_kit.export import cover_meta, show_cover\n"
            "from shequ_kit.notebook import load_street, load_street_document, revise, show_part"
            "\n\nstreet_facts = load_street(street, year, data_dir, params_dir, facts_path)\n"
            "doc = load_street_document(doc_type, street_facts, line, params_dir)",
            metadata={"tags": ["no-export"]}),
        md("## 封面"),
        nbformat.v4.new_code_cell(
            "show_cover(dict(cover_meta(street_facts), title=doc.title,"
            " lines=doc.cover_lines()))")]
    for key, label in STREET_LINE_PARTS:
        cells.append(md(f"## {label}"))
        cells.append(nbformat.v4.new_code_cell(f"show_part(doc, {key!r}, street_facts)"))
    for i, cell in enumerate(cells):
        cell["id"] = f"sk-{i}"
    nb = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}})
    return nbformat.writes(nb)


def output_paths(out_dir: Path, kind: str, name: str, year: int, title: str,
                 formats: tuple[str, ...] = ("html", "pdf")) -> dict[str, Path]:
    """Where a report's files go: ``OUT/<year>/<社区名称>/<title>.*`` for a community,
    ``OUT/<year>/<街道>/<社区名称>/<title>.*`` for one whose run key is ``街道/社区名称``
    (a district's layout, or a name found in two streets), ``OUT/<year>/<title>.*`` for a
    street overview. The executed notebook is always kept: it is what a community
    secretary edits further. Names come from workbooks: a path that would leave
    ``OUT/<year>/`` raises ValueError (the reader refuses such names first)."""
    root = Path(out_dir) / str(year)
    folder = root
    if kind == "community":
        parts = name.split("/")
        what = ["所属街道", "社区名称"] if len(parts) == 2 else ["社区名称"] * len(parts)
        folder = root.joinpath(*(paths.check_name(part, w) for part, w in zip(parts, what,
                                                                               strict=False)))
    title = paths.check_name(title, "报告标题", limit=False)
    return {ext: paths.inside(out_dir, folder / f"{title}.{ext}") for ext in FORMATS
            if ext == "ipynb" or ext in formats}


# -- writing -----------------------------------------------------------------------------

def _temp_name(target: Path) -> Path:
    return target.with_name(
        f".{target.name}.{TEMP_MARK}{os.getpid()}-{time.monotonic_ns()}.tmp")


def write_outputs(files: dict[Path, bytes]) -> list[Path]:
    """Write all files under temporary names, then rename each into place.

    A kill between two renames leaves each file whole (old or new); the batch's manifest
    is updated only after the last rename, so such a report is rebuilt next time.
    """
    temps: list[tuple[Path, Path]] = []
    try:
        for target, content in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = _temp_name(target)
            with open(tmp, "wb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
            temps.append((tmp, target))
        for tmp, target in temps:
            os.replace(tmp, target)
    finally:
        for tmp, _ in temps:
            if tmp.exists():
                tmp.unlink()
    return list(files)


def clean_temp_files(folder: Path) -> int:
    """Remove what this run or an interrupted run left behind: shequ-kit's temporary
    report files in the output folder (written by this process or by one that no longer
    runs; other ``.tmp`` files are the user's) and the working folders of processes
    that no longer run. Returns the count."""
    removed = 0
    if folder.is_dir():
        for p in folder.rglob(f".*.{TEMP_MARK}*.tmp"):
            m = _OUR_TEMP.match(p.name)
            if not m or not p.is_file():
                continue
            pid = int(m.group(1))
            if pid == os.getpid() or not _alive(pid):
                p.unlink(missing_ok=True)
                removed += 1
    base = Path(tempfile.gettempdir())
    for d in base.glob(f"{TEMP_PREFIX}*"):
        m = re.match(rf"{re.escape(TEMP_PREFIX)}(\d+)-", d.name)
        if d.is_dir() and m and not _alive(int(m.group(1))):
            shutil.rmtree(d, ignore_errors=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed process nobody has reaped yet is gone too
        import psutil

        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except Exception:  # psutil.NoSuchProcess: it went meanwhile
        return False


# -- executing ---------------------------------------------------------------------------

class KernelStartError(RuntimeError):
    """The kernel would not start after every attempt."""


def _is_start_race(exc: BaseException) -> bool:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return False
    text = f"{type(exc).__name__} {exc}".lower()
    if type(exc).__name__ == "ZMQError" and "in use" in text:
        return True
    return any(s in text for s in _START_RACES)


class ReportTimeoutError(KeyboardInterrupt):
    """The report ran past its time limit. Raised in the rendering thread by a signal
    while nbclient's event loop runs; asyncio lets only KeyboardInterrupt and SystemExit
    out of a task (any other exception would end one task and the loop would go on
    waiting for the dead kernel), hence the base class. ``render`` catches it."""


class _Deadline:
    """A report's time limit. When it passes, the report's kernel is killed and the
    thread rendering the report is interrupted (a signal aimed at it: nbclient waits for
    the kernel's output in a blocking call that a dead kernel never ends), so the report
    counts as timed out and the worker takes the next one. papermill's own cell timeout
    is not used: it has marked a hanging cell completed. Off the main thread (a dask
    worker) only the kernel is killed."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds if seconds and seconds > 0 else None
        self.expired = False
        self.km: Any = None
        self._armed = False
        self._main: int | None = None
        self._timer: threading.Timer | None = None
        self._previous: Any = None

    def start(self) -> None:
        if self.seconds is None:
            return
        self._armed = True
        if threading.current_thread() is threading.main_thread() \
                and hasattr(signal, "pthread_kill"):
            self._previous = signal.signal(signal.SIGALRM, self._on_alarm)
            self._main = threading.get_ident()
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def stop(self) -> None:
        self._armed = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._previous is not None:
            signal.signal(signal.SIGALRM, self._previous)
            self._previous = None
            self._main = None

    def _expire(self) -> None:
        if not self._armed:
            return
        self.expired = True
        if self.km is not None:
            _kill_kernel(self.km)
        if self._main is not None and self._armed:
            signal.pthread_kill(self._main, signal.SIGALRM)

    def _on_alarm(self, signum: int, frame: Any) -> None:
        if self._armed:
            self.expired = True
            raise ReportTimeoutError()

    def check(self) -> None:
        if self.expired:
            raise ReportTimeoutError()


def _abandon_loop() -> None:
    """Drop this thread's event loop after a report was interrupted in it: nbclient's
    tasks for the killed kernel are still queued there, and the next use of the loop (the
    kernel's shut-down, the worker's next report) would run them and wait forever. The
    next papermill run gets a fresh loop."""
    import asyncio

    from jupyter_core.utils import ensure_event_loop

    loop = ensure_event_loop()
    if loop.is_running():
        return
    loop.set_exception_handler(lambda loop, context: None)  # "task destroyed" noise
    for task in asyncio.all_tasks(loop):
        task.cancel()
    loop.close()


def _kill_kernel(km: Any) -> None:
    """Kill a kernel and whatever its cells started (it runs in its own session)."""
    prov = getattr(km, "provisioner", None)
    pid = getattr(prov, "pgid", None) or getattr(prov, "pid", None)
    if not pid:
        return
    try:
        os.killpg(int(pid), signal.SIGKILL)
    except OSError:
        try:
            os.kill(int(pid), signal.SIGKILL)
        except OSError:  # already gone
            pass


def execute(nb: Any, parameters: dict[str, Any], cwd: Path,
            attempts: int = START_ATTEMPTS, backoff: float = START_BACKOFF,
            kernel_name: str = KERNEL, deadline: _Deadline | None = None
            ) -> tuple[Any, int]:
    """Run a notebook with papermill in ``cwd``; returns the executed notebook and the
    number of kernel starts it took. Kernel-start races are retried with a short
    back-off; anything else is raised at once. ``deadline`` is told the kernel, so it
    can end it when the report runs past its time limit."""
    import papermill

    tried = 0
    while True:
        tried += 1
        if deadline is not None:
            deadline.check()
        km = _kernel_manager(cwd, tried, kernel_name)
        if deadline is not None:
            deadline.km = km
        try:
            executed = papermill.execute_notebook(
                nb, None, parameters=parameters, kernel_name=kernel_name, cwd=str(cwd),
                progress_bar=False, log_output=False, request_save_on_cell_execute=False,
                km=km)
            return executed, tried
        except ReportTimeoutError:
            _abandon_loop()
            raise
        except Exception as exc:
            if deadline is not None:
                deadline.check()
            if not _is_start_race(exc):
                raise
            if tried >= attempts:
                raise KernelStartError(f"内核启动失败（已尝试{tried}次）") from exc
            time.sleep(backoff * 2 ** (tried - 1))
        finally:
            _shutdown(km)


def _kernel_manager(cwd: Path, attempt: int, kernel_name: str) -> Any:
    """A kernel talking over Unix sockets in the report's own folder: no TCP port to
    race for when many kernels start at once, and nothing listening on the network.
    Its connection file is there too (jupyter_client would put it in the system's temp
    folder, where a killed worker leaves it behind): removing the folder removes it."""
    from jupyter_client.manager import KernelManager

    return KernelManager(kernel_name=kernel_name, transport="ipc",
                         ip=str(cwd / f"k{attempt}"),
                         connection_file=str(cwd / f"k{attempt}.json"))


def _shutdown(km: Any) -> None:
    # A kernel manager handed to papermill is not shut down by it.
    try:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
    except Exception:  # the kernel is already gone; nothing to clean up
        pass
    try:
        km.cleanup_resources()
    except Exception:  # sockets and connection file live in the report's own folder
        pass


_FACTS_LINE = re.compile(r"^facts_path\s*=.*$", re.MULTILINE)


def _detach_facts(nb: Any) -> None:
    """The saved notebook must run again on the analyst's machine, where the batch's
    temporary facts file is gone: its injected ``facts_path`` becomes None, so a re-run
    reads the ledgers itself."""
    for cell in nb.cells:
        if "injected-parameters" in (cell.get("metadata", {}).get("tags") or []):
            cell.source = _FACTS_LINE.sub("facts_path = None", cell.source)
    injected = (nb.metadata.get("papermill") or {}).get("parameters")
    if isinstance(injected, dict) and "facts_path" in injected:
        injected["facts_path"] = None


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _safe(text: str, index: guard.PersonalLookup) -> str | None:
    """A message is shown only when it is Chinese and holds no personal data."""
    text = " ".join(str(text).split())
    if not text or not _has_cjk(text) or len(text) > 300:
        return None
    try:
        guard.check_text(text, index)
    except guard.PersonalDataError:
        return None
    return text


def _reason(exc: BaseException, index: guard.PersonalLookup) -> str:
    from papermill.exceptions import PapermillExecutionError

    from .export import ExportError

    if isinstance(exc, ReportTimeoutError):
        return f"{TIMEOUT_MARK}：报告运行超过时限仍未完成，已终止其内核（可用 --timeout 调整时限）"
    if isinstance(exc, (guard.PersonalDataError, ExportError, KernelStartError)):
        return str(exc)
    if isinstance(exc, PapermillExecutionError):
        detail = _safe(exc.evalue, index)
        where = f"第{exc.exec_count}个单元格" if exc.exec_count else "某个单元格"
        return (f"笔记本{where}运行出错（{exc.ename}）" + (f"：{detail}" if detail else "")
                + "。请在 JupyterLab 中打开该笔记本检查。")
    name = type(exc).__name__
    if name == "DeadKernelError":
        return "笔记本运行中内核意外退出（可能内存不足），报告未生成"
    if name == "CellTimeoutError":
        return "笔记本单元格运行超时，报告未生成"
    detail = _safe(str(exc), index)
    return f"生成报告时出错（{name}）" + (f"：{detail}" if detail else "")


_EXECUTIONS = 0  # notebooks executed by this process: how a test sees that none ran


def executions() -> int:
    """How many notebooks this process has executed (kernel runs, not retries)."""
    return _EXECUTIONS


def export_files(executed: Any, meta: dict[str, Any] | None, formats: tuple[str, ...],
                 index: guard.PersonalLookup, timings: dict[str, float] | None = None
                 ) -> tuple[dict[str, bytes], list[str]]:
    """An executed notebook's documents by format, after the personal-data guard saw the
    notebook and the HTML, and the Chinese warnings for what the document left out.

    ``run`` and ``shequ-kit export`` both come here, so a notebook the analyst edited
    and exported by hand gets the same guard, fonts and formats as the batch's.
    """
    from . import export

    t = timings if timings is not None else {}
    t0 = time.perf_counter()
    guard.check_notebook(executed, index)
    html, warnings = export.to_html_with_warnings(executed, meta)
    guard.check_html(html, index)
    t["export_html"] = time.perf_counter() - t0
    files: dict[str, bytes] = {}
    if "pdf" in formats:
        t0 = time.perf_counter()
        files["pdf"] = export.render_pdf(html)
        t["export_pdf"] = time.perf_counter() - t0
    if "html" in formats:
        files["html"] = html.encode("utf-8")
    if "docx" in formats:
        # From the parts of the document model the notebook showed (docparts), the
        # same outputs as the HTML: an analyst's edit reaches Word too.
        from . import docx_writer

        t0 = time.perf_counter()
        files["docx"] = docx_writer.notebook_docx(executed, meta, index)
        t["export_docx"] = time.perf_counter() - t0
    return files, [_safe(w, index) or "某个单元格有一条提示过长或含有个人信息，未显示。"
                   for w in warnings]


def render(task: Task, index: guard.PersonalLookup | None = None) -> Rendered:
    """Execute, guard and export one report in memory. Never raises for the report's
    own failures (notebook error, dead kernel, refused personal data, PDF failure): the
    caller gets ``ok=False`` and a Chinese reason, and the batch goes on."""
    global _EXECUTIONS
    import nbformat

    index = index if index is not None else NullIndex()
    result = Rendered(kind=task.kind, name=task.name, ok=False)
    t = result.timings
    start = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-"))
    deadline = _Deadline(task.timeout)
    try:
        deadline.start()
        facts_path = workdir / "facts.json"
        facts_path.write_text(task.facts_json, encoding="utf-8")
        nb = nbformat.reads(task.notebook, as_version=4)
        params = dict(task.parameters, facts_path=str(facts_path))
        t0 = time.perf_counter()
        _EXECUTIONS += 1
        result.attempts = 1
        try:
            executed, result.attempts = execute(nb, params, cwd=workdir, deadline=deadline)
        finally:
            t["execute"] = time.perf_counter() - t0
        files, result.warnings = export_files(executed, task.meta, task.formats, index, t)
        _detach_facts(executed)
        files["ipynb"] = nbformat.writes(executed).encode("utf-8")
        result.files = files
        result.ok = True
    except (Exception, ReportTimeoutError) as exc:  # every report failure becomes its
        deadline.stop()                                # reason; the batch goes on
        result.reason = _reason(ReportTimeoutError() if deadline.expired else exc, index)
    finally:
        deadline.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        t["total"] = time.perf_counter() - start
    return result


def render_report(task: Task, out_dir: Path, index: guard.PersonalLookup | None = None
                  ) -> tuple[Rendered, dict[str, Path]]:
    """Render one report and write it into ``out_dir`` (nothing is written on failure).
    Returns the result and the paths written."""
    result = render(task, index)
    if not result.ok:
        return result, {}
    paths = output_paths(out_dir, task.kind, task.name, task.year, task.title, task.formats)
    write_outputs({paths[ext]: result.files[ext] for ext in paths})
    return result, paths


def json_timings(timings: dict[str, float]) -> dict[str, float]:
    """Seconds rounded for the manifest (milliseconds are noise between runs)."""
    return {k: round(v, 3) for k, v in timings.items()}


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=False)

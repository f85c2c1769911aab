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
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import guard

__all__ = [
    "COMMUNITY_NOTEBOOK",
    "OVERVIEW_NOTEBOOK",
    "TEMP_PREFIX",
    "NullIndex",
    "Rendered",
    "Task",
    "clean_temp_files",
    "community_task",
    "execute",
    "output_paths",
    "overview_task",
    "render",
    "render_report",
    "write_outputs",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
COMMUNITY_NOTEBOOK = PROJECT_ROOT / "notebooks" / "community_report.ipynb"
OVERVIEW_NOTEBOOK = PROJECT_ROOT / "notebooks" / "street_overview.ipynb"
FORMATS = ("ipynb", "html", "pdf")
# Per-report working folders; the pid in the name lets a later run remove the folders of
# a process that was killed.
TEMP_PREFIX = "shequ-kit-run-"
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


# -- tasks and paths ---------------------------------------------------------------------

def _notebook_text(notebook: Path) -> str:
    if not notebook.is_file():
        raise FileNotFoundError(f"未找到报告笔记本：{notebook}")
    return notebook.read_text(encoding="utf-8")


def community_task(facts: Any, notebook: Path, data_dir: Path, params_dir: Path | None,
                   formats: tuple[str, ...] = ("html", "pdf"), key: str | None = None
                   ) -> Task:
    """The task for one community's summary (``facts`` is a CommunityFacts; ``key`` its
    run key, ``街道/社区名称`` for a district's namesakes, so the kept notebook reopens
    the right community)."""
    from .export import cover_meta

    return Task(
        kind="community", name=key or facts.community, year=facts.year, title=facts.title,
        facts_json=facts.to_json(), notebook=_notebook_text(notebook),
        parameters={"community": key or facts.community, "year": facts.year,
                    "data_dir": str(data_dir),
                    "params_dir": None if params_dir is None else str(params_dir)},
        meta=cover_meta(facts), formats=tuple(formats))


def overview_task(street: Any, notebook: Path, data_dir: Path, params_dir: Path | None,
                  formats: tuple[str, ...] = ("html", "pdf")) -> Task:
    """The task for a street overview (``street`` is a StreetFacts)."""
    from .export import cover_meta

    return Task(
        kind="overview", name=street.street, year=street.year, title=street.title,
        facts_json=street.to_json(), notebook=_notebook_text(notebook),
        parameters={"street": street.street, "year": street.year,
                    "data_dir": str(data_dir),
                    "params_dir": None if params_dir is None else str(params_dir)},
        meta=cover_meta(street), formats=tuple(formats))


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
        if any(not part or part in (".", "..") or "\\" in part for part in parts):
            raise ValueError(f"报告名称不能用作文件夹：{name}")
        folder = root.joinpath(*parts)
    out = {ext: folder / f"{title}.{ext}" for ext in FORMATS
           if ext == "ipynb" or ext in formats}
    base = os.path.abspath(root)
    for target in out.values():
        if os.path.dirname(os.path.abspath(target)) != os.path.abspath(folder) or \
                not os.path.abspath(target).startswith(base + os.sep):
            raise ValueError(f"报告文件将写到输出目录之外：{target.name}")
    return out


# -- writing -----------------------------------------------------------------------------

def _temp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")


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
    """Remove what an interrupted run left behind: temporary report files in the output
    folder and the working folders of processes that no longer run. Returns the count."""
    removed = 0
    if folder.is_dir():
        for p in folder.rglob(".*.tmp"):
            if p.is_file():
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
    return True


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


def execute(nb: Any, parameters: dict[str, Any], cwd: Path,
            attempts: int = START_ATTEMPTS, backoff: float = START_BACKOFF,
            kernel_name: str = KERNEL) -> tuple[Any, int]:
    """Run a notebook with papermill in ``cwd``; returns the executed notebook and the
    number of kernel starts it took. Kernel-start races are retried with a short
    back-off; anything else is raised at once."""
    import papermill

    tried = 0
    while True:
        tried += 1
        km = _kernel_manager(cwd, tried, kernel_name)
        try:
            executed = papermill.execute_notebook(
                nb, None, parameters=parameters, kernel_name=kernel_name, cwd=str(cwd),
                progress_bar=False, log_output=False, request_save_on_cell_execute=False,
                km=km)
            return executed, tried
        except Exception as exc:
            if not _is_start_race(exc):
                raise
            if tried >= attempts:
                raise KernelStartError(f"内核启动失败（已尝试{tried}次）") from exc
            time.sleep(backoff * 2 ** (tried - 1))
        finally:
            _shutdown(km)


def _kernel_manager(cwd: Path, attempt: int, kernel_name: str) -> Any:
    """A kernel talking over Unix sockets in the report's own folder: no TCP port to
    race for when many kernels start at once, and nothing listening on the network."""
    from jupyter_client.manager import KernelManager

    return KernelManager(kernel_name=kernel_name, transport="ipc",
                         ip=str(cwd / f"k{attempt}"))


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


def render(task: Task, index: guard.PersonalLookup | None = None) -> Rendered:
    """Execute, guard and export one report in memory. Never raises for the report's
    own failures (notebook error, dead kernel, refused personal data, PDF failure): the
    caller gets ``ok=False`` and a Chinese reason, and the batch goes on."""
    global _EXECUTIONS
    import nbformat

    from . import export

    index = index if index is not None else NullIndex()
    result = Rendered(kind=task.kind, name=task.name, ok=False)
    t = result.timings
    start = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-"))
    try:
        facts_path = workdir / "facts.json"
        facts_path.write_text(task.facts_json, encoding="utf-8")
        nb = nbformat.reads(task.notebook, as_version=4)
        params = dict(task.parameters, facts_path=str(facts_path))
        t0 = time.perf_counter()
        _EXECUTIONS += 1
        result.attempts = 1
        try:
            executed, result.attempts = execute(nb, params, cwd=workdir)
        finally:
            t["execute"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        guard.check_notebook(executed, index)
        html = export.to_html(executed, task.meta)
        guard.check_html(html, index)
        t["export_html"] = time.perf_counter() - t0
        files: dict[str, bytes] = {}
        if "pdf" in task.formats:
            t0 = time.perf_counter()
            files["pdf"] = export.render_pdf(html)
            t["export_pdf"] = time.perf_counter() - t0
        if "html" in task.formats:
            files["html"] = html.encode("utf-8")
        _detach_facts(executed)
        files["ipynb"] = nbformat.writes(executed).encode("utf-8")
        result.files = files
        result.ok = True
    except Exception as exc:  # every report failure becomes its reason; the batch goes on
        result.reason = _reason(exc, index)
    finally:
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

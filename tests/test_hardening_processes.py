"""Issue 9, classes 4, 5 (two runs at once) and 7: the batch's processes under faults.

Each test starts a real run in its own process (its own session, so the test can end
all of it whatever happens) on two sample communities, with a one-cell notebook that
may hang, rendered to HTML only.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from shequ_kit import report, sample
from shequ_kit.batch import DONE, FAILED

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "parameters"
YEAR = 2024


def notebook(path: Path, body: str) -> Path:
    params = new_code_cell("community = None\nstreet = None\nyear = 2024\n"
                           "data_dir = None\nparams_dir = None\nfacts_path = None")
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[params, new_code_cell(body)])
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    nbformat.write(nb, path)
    return path


HANG = "import time\ntime.sleep(10**6)"


@pytest.fixture(scope="module")
def street2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("street2") / "data"
    sample.generate(data, communities=2, years=(2023, 2024), seed=7)
    return data


def start(*args: str | Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "shequ_kit.cli", "run", *map(str, args)],
                            cwd=ROOT, start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def end(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


def living(pids: set[int]) -> set[int]:
    out = set()
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                out.add(pid)
    return out


def wait_for_kernel(proc: subprocess.Popen, limit: float = 180) -> tuple[set[int], Path]:
    """The run's workers and kernels, once a kernel runs the notebook's hanging cell, and
    that kernel's connection file."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[1]
        family = psutil.Process(proc.pid).children(recursive=True)
        # Kernels run in their own session: found through their workers.
        for worker in list(family):
            with contextlib.suppress(psutil.NoSuchProcess):
                family += worker.children(recursive=True)
        for p in family:
            with contextlib.suppress(psutil.NoSuchProcess):
                cmd = p.cmdline()
                if any("ipykernel" in c for c in cmd) and "-f" in cmd:
                    time.sleep(2)  # let it get into the hanging cell
                    return {q.pid for q in family}, Path(cmd[cmd.index("-f") + 1])
        time.sleep(0.2)
    raise AssertionError("没有等到内核启动")


# -- class 4: kill -9 ----------------------------------------------------------------------

def test_kill_9_of_the_run_ends_its_workers_and_kernels(street2: Path, tmp_path: Path) -> None:
    hang = notebook(tmp_path / "hang.ipynb", HANG)
    proc = start("--data", street2, "--year", YEAR, "--out", tmp_path / "out", "--params",
                 PARAMS, "--notebook", hang, "--overview-notebook", hang, "--formats",
                 "html", "--workers", "2", "--timeout", "0")
    try:
        family, connection = wait_for_kernel(proc)
        assert connection.is_file()
        os.kill(proc.pid, signal.SIGKILL)  # the run only; its children are not told
        killed = time.monotonic()
        while living(family) and time.monotonic() - killed < 10:
            time.sleep(0.2)
        assert not living(family), "主进程被强制结束10秒后仍有子进程存活"
        assert not connection.exists()
        assert not [d for d in Path(tempfile.gettempdir()).glob(f"{report.TEMP_PREFIX}*")
                    if int(d.name.split("-")[3]) in family]
    finally:
        end(proc)


def test_a_killed_kernels_connection_file_is_removed_by_the_next_run(street2: Path,
                                                                    tmp_path: Path) -> None:
    hang = notebook(tmp_path / "hang.ipynb", HANG)
    out = tmp_path / "out"
    proc = start("--data", street2, "--year", YEAR, "--out", out, "--params", PARAMS,
                 "--notebook", hang, "--overview-notebook", hang, "--formats", "html",
                 "--workers", "1", "--timeout", "0")
    try:
        family, connection = wait_for_kernel(proc)
        for pid in family | {proc.pid}:  # everything at once: no one cleans up
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    finally:
        end(proc)
    waited = time.monotonic()
    while living(family) and time.monotonic() - waited < 10:  # the kernel sees it in 1 s
        time.sleep(0.2)
    assert connection.is_file()
    report.clean_temp_files(out / str(YEAR))  # what the next run does first
    assert not connection.exists()


# -- class 5: two runs on one output folder ------------------------------------------------

def test_two_runs_at_once_keep_each_others_reports(street2: Path, tmp_path: Path) -> None:
    tiny = notebook(tmp_path / "tiny.ipynb", 'print("本页仅供测试")')
    out = tmp_path / "out"
    common = ("--data", street2, "--year", YEAR, "--out", out, "--params", PARAMS,
              "--notebook", tiny, "--formats", "html", "--workers", "1")
    runs = [start(*common, "--community", name) for name in ("天运社区", "望江社区")]
    try:
        for proc in runs:
            proc.wait(timeout=300)
    finally:
        for proc in runs:
            end(proc)
    assert [p.returncode for p in runs] == [0, 0]
    reports = json.loads((out / str(YEAR) / "manifest.json").read_text(encoding="utf-8"))
    assert {k: v["status"] for k, v in reports["reports"].items()} == {
        "community:天运社区": DONE, "community:望江社区": DONE}


# -- class 7: a report that hangs -----------------------------------------------------------

def test_a_hanging_report_times_out_and_the_others_finish(street2: Path,
                                                          tmp_path: Path) -> None:
    hang_one = notebook(tmp_path / "hang_one.ipynb",
                        'import time\nif community == "天运社区":\n    time.sleep(10**6)\n'
                        'print("本页仅供测试")')
    tiny = notebook(tmp_path / "tiny.ipynb", 'print("本页仅供测试")')
    out = tmp_path / "out"
    began = time.monotonic()
    proc = start("--data", street2, "--year", YEAR, "--out", out, "--params", PARAMS,
                 "--notebook", hang_one, "--overview-notebook", tiny, "--formats", "html",
                 "--workers", "1", "--timeout", "5")
    try:
        _, err = proc.communicate(timeout=240)
    finally:
        end(proc)
    assert proc.returncode == 1, err
    assert time.monotonic() - began < 200
    reports = json.loads((out / str(YEAR) / "manifest.json").read_text(encoding="utf-8"))
    entries = reports["reports"]
    # One worker: 望江社区 was rendered by the worker whose report had just timed out.
    assert entries["community:望江社区"]["status"] == DONE
    assert entries["overview:青枫街道"]["status"] == DONE
    late = entries["community:天运社区"]
    assert late["status"] == FAILED
    assert late["reason"] == ("超时：报告运行超过时限仍未完成，已终止其内核"
                              "（可用 --timeout 调整时限）")
    assert re.search(r"完成：生成2份，沿用0份，失败1份（其中超时1份）", err), err

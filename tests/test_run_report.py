"""One report: file names, atomic writes, clean-up after a kill, kernel-start retries and
failures turned into Chinese reasons. Notebooks are run for real by papermill."""

from __future__ import annotations

import copy
import errno
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
import zmq
from nbformat.v4 import new_code_cell, new_notebook
from papermill.exceptions import PapermillExecutionError
from test_export_helpers import StandInIndex

from shequ_kit import report
from shequ_kit.facts import CommunityFacts

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TINY = FIXTURES / "tiny_community.ipynb"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def facts() -> CommunityFacts:
    return CommunityFacts.from_json(
        (FIXTURES / "narrative_tianyun.json").read_text(encoding="utf-8"))


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


# -- names --------------------------------------------------------------------------------

def test_output_paths_follow_the_titles(tmp_path: Path, facts: CommunityFacts) -> None:
    paths = report.output_paths(tmp_path, "community", "天运社区", 2024, facts.title)
    folder = tmp_path / "2024" / "天运社区"
    assert paths == {"ipynb": folder / "天运社区2024年度工作总结.ipynb",
                     "html": folder / "天运社区2024年度工作总结.html",
                     "pdf": folder / "天运社区2024年度工作总结.pdf"}
    half = copy.deepcopy(facts)
    half.half_year = True
    only_html = report.output_paths(tmp_path, "community", "天运社区", 2024, half.title,
                                    formats=("html",))
    assert only_html == {"ipynb": folder / "天运社区2024年上半年工作总结.ipynb",
                         "html": folder / "天运社区2024年上半年工作总结.html"}
    street = report.output_paths(tmp_path, "overview", "闸弄口街道", 2024,
                                 "闸弄口街道2024年度社区工作汇总", formats=("pdf",))
    assert street == {
        "ipynb": tmp_path / "2024" / "闸弄口街道2024年度社区工作汇总.ipynb",
        "pdf": tmp_path / "2024" / "闸弄口街道2024年度社区工作汇总.pdf"}


# -- writing ------------------------------------------------------------------------------

def test_write_outputs_replaces_whole_files_and_leaves_no_temporaries(tmp_path: Path) -> None:
    a = tmp_path / "2024" / "甲" / "a.html"
    a.parent.mkdir(parents=True)
    a.write_bytes(b"old")
    b = tmp_path / "2024" / "b.pdf"
    report.write_outputs({a: b"new-a", b: b"new-b"})
    assert a.read_bytes() == b"new-a" and b.read_bytes() == b"new-b"
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["a.html", "b.pdf"]


def test_a_failed_write_keeps_the_old_report(tmp_path: Path) -> None:
    good = tmp_path / "good.html"
    good.write_bytes(b"old")
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"")
    with pytest.raises(OSError):
        report.write_outputs({good: b"new", blocker / "x.pdf": b"pdf"})
    assert good.read_bytes() == b"old"  # nothing renamed before every file was written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.html", "not-a-folder"]


def test_clean_temp_files_removes_what_a_killed_run_left(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead_pid = int(done.stdout)
    left = (tmp_path / "2024" / "天运社区"
            / f".天运社区2024年度工作总结.pdf.{report.TEMP_MARK}{dead_pid}-456.tmp")
    left.parent.mkdir(parents=True)
    left.write_bytes(b"%PDF-half")
    kept = tmp_path / "2024" / "天运社区" / "天运社区2024年度工作总结.pdf"
    kept.write_bytes(b"%PDF-whole")
    dead = Path(tempfile.mkdtemp(prefix=f"{report.TEMP_PREFIX}{dead_pid}-"))
    alive = Path(tempfile.mkdtemp(prefix=f"{report.TEMP_PREFIX}{os.getpid()}-"))
    try:
        removed = report.clean_temp_files(tmp_path / "2024")
        assert not left.exists() and not dead.exists()
        assert kept.exists() and alive.exists()
        assert removed >= 2  # the temporary PDF and the dead process's folder
    finally:
        for d in (dead, alive):
            if d.exists():
                d.rmdir()


# -- kernel starts ------------------------------------------------------------------------

def test_only_kernel_start_races_are_retried() -> None:
    assert report._is_start_race(zmq.error.ZMQError(errno.EADDRINUSE))
    assert report._is_start_race(RuntimeError("Kernel didn't respond in 60 seconds"))
    assert report._is_start_race(RuntimeError("Kernel died before replying to kernel_info"))
    cell_error = PapermillExecutionError(3, 4, "x = 1", "ValueError",
                                         "Kernel died before replying", [])
    assert not report._is_start_race(cell_error)
    assert not report._is_start_race(ValueError("Address"))


def test_a_kernel_that_never_starts_is_tried_three_times(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    # A kernelspec whose process exits at once: jupyter_client reports
    # "Kernel died before replying to kernel_info", the race the batch retries.
    spec = tmp_path / "jupyter" / "kernels" / "dies-at-start"
    spec.mkdir(parents=True)
    log = tmp_path / "starts.log"
    argv = [sys.executable, "-c",
            f"open({str(log)!r}, 'a').write('start\\n'); raise SystemExit(1)",
            "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps(
        {"argv": argv, "display_name": "dies", "language": "python"}), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    nb = new_notebook(cells=[new_code_cell("x = 1")])
    nb.metadata["kernelspec"] = {"name": "dies-at-start", "display_name": "dies",
                                 "language": "python"}
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(report.KernelStartError, match="已尝试3次"):
        report.execute(nb, {}, cwd=work, backoff=0.05, kernel_name="dies-at-start")
    assert log.read_text().count("start") == 3


# -- rendering ----------------------------------------------------------------------------

def tiny_task(facts: CommunityFacts, notebook: Path = TINY) -> report.Task:
    return report.community_task(facts, notebook, ROOT / "data" / "sample",
                                 ROOT / "parameters")


def test_render_writes_the_three_files(tmp_path: Path, facts: CommunityFacts) -> None:
    result, paths = report.render_report(tiny_task(facts), tmp_path)
    assert result.ok, result.reason
    assert result.attempts == 1
    assert set(result.timings) == {"execute", "export_html", "export_pdf", "total"}
    text = pdf_text(paths["pdf"])
    assert "天运社区2024年度工作总结" in text
    assert "天运社区2024年共有党员215名。" in text  # profile 党员数 215 in the facts
    saved = nbformat.read(paths["ipynb"], as_version=4)
    injected = [c for c in saved.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert "facts_path = None" in injected[0].source
    # Nothing of the per-report working folder is left.
    assert not list(Path(tempfile.gettempdir()).glob(f"{report.TEMP_PREFIX}{os.getpid()}-*"))


def test_a_raising_notebook_gives_a_chinese_reason_and_no_files(tmp_path: Path,
                                                                facts: CommunityFacts) -> None:
    facts.params["让笔记本出错"] = True  # the tiny notebook raises ValueError on this key
    result, paths = report.render_report(tiny_task(facts), tmp_path)
    assert not result.ok and paths == {}
    assert "运行出错（ValueError）" in result.reason
    assert "参数要求笔记本出错" in result.reason
    assert not list(tmp_path.rglob("*"))


def test_personal_data_in_an_output_is_refused(tmp_path: Path, facts: CommunityFacts) -> None:
    nb = nbformat.read(TINY, as_version=4)
    nb.cells.append(new_code_cell('print("联系电话：13812345678")'))
    leaky = tmp_path / "leaky.ipynb"
    nbformat.write(nb, leaky)
    out = tmp_path / "out"
    result, paths = report.render_report(tiny_task(facts, leaky), out, StandInIndex())
    assert not result.ok and paths == {}
    assert "个人信息" in result.reason
    assert "13812345678" not in result.reason
    assert not out.exists()


def test_the_real_report_notebook_renders_from_facts(tmp_path: Path,
                                                     facts: CommunityFacts) -> None:
    result, paths = report.render_report(tiny_task(facts, report.COMMUNITY_NOTEBOOK),
                                         tmp_path)
    assert result.ok, result.reason
    text = pdf_text(paths["pdf"])
    assert "天运社区2024年度工作总结" in text
    assert "一、社区基本情况" in text

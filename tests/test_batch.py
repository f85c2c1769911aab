"""The batch on real workbooks, real notebooks, real papermill and real PDFs.

Data: two or three communities from the sample generator (a fictional street, 2023 and
2024), so each run renders three or four reports. Runs are shared between tests where the
scenario is a sequence (build, re-run unchanged, change last year's workbook).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell
from openpyxl import load_workbook

from shequ_kit import report, sample
from shequ_kit.batch import DONE, FAILED, SKIPPED, run_batch

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "parameters"
YEAR = 2024

# sample.community_names(3) == ['天运社区', '望江社区', '柳岸社区'], street 青枫街道.
TWO = ["天运社区", "望江社区"]
STREET = "青枫街道"


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True)
    return out.stdout


def mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
            for p in sorted(folder.rglob("*")) if p.is_file()}


def manifest(out: Path) -> dict:
    return json.loads((out / str(YEAR) / "manifest.json").read_text(encoding="utf-8"))


def statuses(result_or_manifest: dict) -> dict[str, str]:
    return {k: v["status"] for k, v in result_or_manifest.items()}


def community_files(out: Path, name: str) -> list[Path]:
    title = f"{name}{YEAR}年度工作总结"
    return [out / str(YEAR) / name / f"{title}.{ext}" for ext in ("ipynb", "html", "pdf")]


def overview_files(out: Path) -> list[Path]:
    title = f"{STREET}{YEAR}年度社区工作汇总"
    return [out / str(YEAR) / f"{title}.{ext}" for ext in ("ipynb", "html", "pdf")]


@pytest.fixture(scope="module")
def street3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("street3")
    sample.generate(data, communities=3, years=(2023, 2024), seed=11)
    return data


def two_of(street3: Path, dest: Path) -> Path:
    for year in (2023, 2024):
        (dest / str(year)).mkdir(parents=True)
        for name in TWO:
            shutil.copy2(street3 / str(year) / f"{name}.xlsx", dest / str(year))
    return dest


@pytest.fixture(scope="module")
def built(street3: Path, tmp_path_factory: pytest.TempPathFactory):
    """Two communities (the whole street) built once with the local pool."""
    base = tmp_path_factory.mktemp("built")
    data = two_of(street3, base / "data")
    out = base / "out"
    result = run_batch(data, YEAR, out_dir=out, params_dir=PARAMS, workers=2)
    return data, out, result


def test_a_street_is_built(built) -> None:
    data, out, result = built
    assert result.exit_code == 0, result.failed
    assert statuses(result.reports) == {
        "community:天运社区": DONE, "community:望江社区": DONE, f"overview:{STREET}": DONE}
    # 2 communities + 1 overview, one kernel each.
    assert result.executed == 3
    for name in TWO:
        files = community_files(out, name)
        assert all(p.is_file() for p in files)
        text = pdf_text(files[2])
        assert f"{name}{YEAR}年度工作总结" in text
        nb = nbformat.read(files[0], as_version=4)
        # The saved notebook runs again on the analyst's machine: it reads the ledgers.
        assert nb.metadata["papermill"]["parameters"]["facts_path"] is None
    assert f"{STREET}{YEAR}年度社区工作汇总" in pdf_text(overview_files(out)[2])
    entry = manifest(out)["reports"]["community:天运社区"]
    assert set(entry["timings"]) >= {"facts", "execute", "export_html", "export_pdf", "total"}
    assert entry["inputs"]["workbook"] and entry["inputs"]["previous_workbook"]
    assert entry["outputs"]["pdf"] == f"{YEAR}/天运社区/天运社区{YEAR}年度工作总结.pdf"
    assert not list(out.rglob("*.tmp"))


def test_rerun_unchanged_then_last_years_workbook_changed(built, tmp_path: Path) -> None:
    data0, out0, _ = built
    data = tmp_path / "data"
    out = tmp_path / "out"
    shutil.copytree(data0, data)
    shutil.copytree(out0, out)  # copy2 keeps the times
    # The manifest names absolute data paths only in its header; copies are comparable.
    before = mtimes(out)

    again = run_batch(data, YEAR, out_dir=out, params_dir=PARAMS, workers=2)
    assert again.exit_code == 0
    assert again.executed == 0  # no kernel started
    assert set(statuses(again.reports).values()) == {SKIPPED}
    assert mtimes(out) == before  # not one file rewritten, the manifest included

    # 望江社区 resubmits last year's workbook: its 同比 figures may change, so its summary
    # and the street overview are rebuilt; 天运社区's summary is not.
    prev = data / "2023" / "望江社区.xlsx"
    wb = load_workbook(prev)
    wb.properties.title = "重新报送"
    wb.save(prev)
    changed = run_batch(data, YEAR, out_dir=out, params_dir=PARAMS, workers=2)
    assert changed.exit_code == 0
    assert statuses(changed.reports) == {
        "community:天运社区": SKIPPED, "community:望江社区": DONE, f"overview:{STREET}": DONE}
    assert changed.executed == 2
    after = mtimes(out)
    for p in community_files(out, "天运社区"):
        key = p.relative_to(out).as_posix()
        assert after[key] == before[key]
    for p in community_files(out, "望江社区") + overview_files(out):
        key = p.relative_to(out).as_posix()
        assert after[key] > before[key]


def test_failures_are_isolated(street3: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(street3, data)
    # A workbook that is not an Excel file at all.
    (data / "2024" / "安澜社区.xlsx").write_bytes(b"not a workbook")
    # The real report notebook with one cell more that fails for 望江社区 only.
    nb = nbformat.read(report.COMMUNITY_NOTEBOOK, as_version=4)
    at = next(i for i, c in enumerate(nb.cells)
              if "parameters" in c.get("metadata", {}).get("tags", [])) + 1
    nb.cells.insert(at, new_code_cell(
        'if community == "望江社区":\n    raise RuntimeError("数据核对未通过")'))
    failing = tmp_path / "community_report.ipynb"
    nbformat.write(nb, failing)
    out = tmp_path / "out"

    result = run_batch(data, YEAR, out_dir=out, params_dir=PARAMS, workers=2,
                       notebook=failing)

    assert result.exit_code == 1
    st = statuses(manifest(out)["reports"])
    assert st["community:天运社区"] == DONE and st["community:柳岸社区"] == DONE
    assert st["community:望江社区"] == FAILED
    assert st["community:安澜社区"] == FAILED
    reasons = manifest(out)["reports"]
    assert "RuntimeError" in reasons["community:望江社区"]["reason"]
    assert "数据核对未通过" in reasons["community:望江社区"]["reason"]
    assert "安澜社区" in reasons["community:安澜社区"]["reason"]
    for name in ("天运社区", "柳岸社区"):
        files = community_files(out, name)
        assert all(p.is_file() for p in files)
        assert f"{name}{YEAR}年度工作总结" in pdf_text(files[2])
    # A failed report leaves no report file behind; the analyst's 数据核对单, written
    # from the ledgers before any rendering, may stay beside where it would have been.
    failed_dir = out / str(YEAR) / "望江社区"
    left = sorted(p.name for p in failed_dir.iterdir()) if failed_dir.exists() else []
    assert all("数据核对单" in n for n in left), left
    assert not list(out.rglob("*.tmp"))

    # Rebuilding one good community: the manifest keeps the others' failures, but they
    # are not this run's, so the run succeeds and counts only what it did.
    log = io.StringIO()
    one = run_batch(data, YEAR, out_dir=out, params_dir=PARAMS, workers=1, notebook=failing,
                    communities=["天运社区"], force=True, progress=False, log=log)
    assert one.exit_code == 0, one.failed
    assert one.built == ["community:天运社区"] and one.failed == {}
    assert "完成：生成1份，沿用0份，失败0份" in log.getvalue()
    st = statuses(manifest(out)["reports"])
    assert st["community:安澜社区"] == FAILED and st["community:望江社区"] == FAILED


_KILL_SCRIPT = """
import sys
from shequ_kit.batch import run_batch
run_batch(sys.argv[1], {year}, out_dir=sys.argv[2], params_dir=sys.argv[3], workers=1,
          progress=False)
"""


def _whole(path: Path) -> bool:
    if path.suffix == ".pdf":
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True).returncode == 0
    if path.suffix == ".ipynb":
        nbformat.read(path, as_version=4)
        return True
    if path.suffix == ".html":
        return path.read_text(encoding="utf-8").rstrip().endswith("</html>")
    if path.suffix == ".docx":
        import zipfile

        return zipfile.ZipFile(path).testzip() is None
    return True


def test_killed_run_leaves_whole_reports_and_the_next_run_finishes(street3: Path,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILL_SCRIPT.format(year=YEAR), str(street3), str(out),
         str(PARAMS)], cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while not list(out.rglob("*.pdf")):
            assert proc.poll() is None, "批量运行提前结束"
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the run, its workers and their kernels
        proc.wait()

    landed = [p for p in out.rglob("*") if p.is_file() and not p.name.endswith(".tmp")]
    assert landed
    assert all(_whole(p) for p in landed)
    # 3 communities + 1 overview = 4 reports; with one worker the kill came after the first.
    first = manifest(out)["reports"] if (out / str(YEAR) / "manifest.json").exists() else {}
    recorded = {k for k, v in first.items() if v["status"] == DONE}
    assert len(recorded) < 4

    rest = run_batch(street3, YEAR, out_dir=out, params_dir=PARAMS, workers=2)
    assert rest.exit_code == 0
    st = statuses(rest.reports)
    assert len(st) == 4 and set(st.values()) <= {DONE, SKIPPED}
    assert {k for k, v in st.items() if v == SKIPPED} == recorded
    assert rest.executed == 4 - len(recorded)
    for name in ("天运社区", "望江社区", "柳岸社区"):
        assert all(_whole(p) for p in community_files(out, name))
    assert all(_whole(p) for p in overview_files(out))
    assert not list(out.rglob("*.tmp"))


def _outputs(nb_path: Path) -> list:
    nb = nbformat.read(nb_path, as_version=4)
    return [c.get("outputs") for c in nb.cells if c.cell_type == "code"]


def test_dask_cluster_gives_the_same_reports(built, tmp_path: Path) -> None:
    import distributed
    data, local_out, _ = built
    out = tmp_path / "out"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        result = run_batch(data, YEAR, out_dir=out, params_dir=PARAMS,
                           scheduler=cluster.scheduler_address)
    assert result.exit_code == 0, result.failed
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    local = sorted(p.relative_to(local_out).as_posix()
                   for p in local_out.rglob("*") if p.is_file())
    assert files == local
    for rel in files:
        if rel.endswith(".pdf"):
            assert pdf_text(out / rel) == pdf_text(local_out / rel), rel
        elif rel.endswith(".ipynb"):
            assert _outputs(out / rel) == _outputs(local_out / rel), rel


def test_sigterm_stops_workers_and_kernels_and_keeps_whole_reports(built,
                                                                   tmp_path: Path) -> None:
    import psutil
    data, _, _ = built
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILL_SCRIPT.format(year=YEAR), str(data), str(out), str(PARAMS)],
        cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    family: set[int] = set()
    try:
        deadline = time.monotonic() + 180
        while not list(out.rglob("*.pdf")):
            assert proc.poll() is None, "批量运行提前结束"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        family = {c.pid for c in psutil.Process(proc.pid).children(recursive=True)}
        proc.send_signal(signal.SIGTERM)  # the run only, as a service manager would
        _, err = proc.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert "运行已中断" in err
    # Workers and their kernels are gone, with their working folders.
    time.sleep(0.5)
    assert not [p for p in family if psutil.pid_exists(p)
                and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
    assert not [d for d in Path(tempfile.gettempdir()).glob(f"{report.TEMP_PREFIX}*")
                if int(d.name.split("-")[3]) in family]
    assert not list(out.rglob("*.tmp"))
    landed = [p for p in out.rglob("*") if p.is_file()]
    assert landed and all(_whole(p) for p in landed)


def test_a_broken_defaults_file_stops_the_run_before_any_kernel(built, tmp_path: Path) -> None:
    data, _, _ = built
    params = tmp_path / "parameters"
    params.mkdir()
    (params / "defaults.yaml").write_text("targets: [\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_batch(data, YEAR, out_dir=out, params_dir=params)
    assert result.exit_code == 2
    assert "defaults.yaml" in result.error
    assert result.executed == 0
    assert not out.exists() or not list(out.rglob("*.*"))

    bad_format = run_batch(data, YEAR, out_dir=out, params_dir=PARAMS, formats=("odt",))
    assert bad_format.exit_code == 2 and "odt" in bad_format.error

"""Issue 9, classes 3, 5 (the lock) and 6: the batch when files cannot be written, when
another run holds the manifest, and when the output folder overlaps the ledgers.

Data: two communities from the sample generator (天运社区 and 望江社区, street 青枫街道),
rendered with a one-cell notebook to HTML only, so a run takes seconds: what is tested
here is the batch, not the report.
"""

from __future__ import annotations

import errno
import io
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from openpyxl import load_workbook

from shequ_kit import batch, cli, report, sample
from shequ_kit.assemble import year_facts
from shequ_kit.batch import DONE, FAILED, run_batch

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "parameters"
YEAR = 2024
LONG_NAME = "长" * 88 + "社区"  # 90 characters, 270 bytes: longer than a file name may be


def tiny_notebook(path: Path) -> Path:
    """A report notebook with nothing but its parameters and one printed line."""
    params = new_code_cell("community = None\nstreet = None\nyear = 2024\n"
                           "data_dir = None\nparams_dir = None\nfacts_path = None")
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[params, new_code_cell('print("本页仅供测试")')])
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def street2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("street2") / "data"
    sample.generate(data, communities=2, years=(2023, 2024), seed=7)
    return data


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_notebook(tmp_path_factory.mktemp("nb") / "tiny.ipynb")


def run(data: Path, out: Path, tiny: Path, **kw):
    log = io.StringIO()
    result = run_batch(data, YEAR, out_dir=out, params_dir=PARAMS, formats=("html",),
                       workers=1, notebook=tiny, overview_notebook=tiny, progress=False,
                       log=log, **kw)
    return result, log.getvalue()


def on_disk(out: Path) -> dict:
    return json.loads((out / str(YEAR) / "manifest.json").read_text(encoding="utf-8"))


# -- class 3: one community's files, the manifest, a name too long -----------------------

def test_a_report_that_cannot_be_written_fails_alone_in_chinese(street2: Path, tiny: Path,
                                                                tmp_path: Path,
                                                                monkeypatch) -> None:
    out = tmp_path / "out"
    real = report.write_outputs

    def full_disk_for_wangjiang(files):
        if any("望江社区" in str(p) for p in files):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(files)

    monkeypatch.setattr(report, "write_outputs", full_disk_for_wangjiang)
    result, log = run(street2, out, tiny)

    assert result.exit_code == 1
    reports = on_disk(out)["reports"]
    assert reports["community:望江社区"]["status"] == FAILED
    assert reports["community:望江社区"]["reason"] == "写入报告文件失败：磁盘空间不足"
    assert reports["community:天运社区"]["status"] == DONE
    assert reports["overview:青枫街道"]["status"] == DONE
    assert (out / str(YEAR) / "天运社区" / f"天运社区{YEAR}年度工作总结.html").is_file()
    assert "No space" not in log and "原因：写入报告文件失败：磁盘空间不足" in log


def test_a_manifest_that_cannot_be_saved_never_stops_the_run(street2: Path, tiny: Path,
                                                            tmp_path: Path,
                                                            monkeypatch) -> None:
    out = tmp_path / "out"
    real = report.write_outputs
    tries: list[int] = []

    def full_disk_for_the_manifest(files):
        if any(p.name == "manifest.json" for p in files):
            tries.append(1)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(files)

    monkeypatch.setattr(report, "write_outputs", full_disk_for_the_manifest)
    monkeypatch.setattr(batch.time, "sleep", lambda s: None)  # the pause before the retry
    result, log = run(street2, out, tiny)

    # Every report was still built and written; only the manifest is missing.
    assert {k: v["status"] for k, v in result.reports.items()} == {
        "community:天运社区": DONE, "community:望江社区": DONE, "overview:青枫街道": DONE}
    for name in ("天运社区", "望江社区"):
        assert (out / str(YEAR) / name / f"{name}{YEAR}年度工作总结.html").is_file()
    assert not (out / str(YEAR) / "manifest.json").exists()
    assert result.exit_code == 1
    assert result.manifest_error == "磁盘空间不足"
    # One save before the reports, one after each of the three, one more at the end;
    # each tried twice.
    assert len(tries) == 2 * 5
    assert "清单保存失败（磁盘空间不足），已重试一次" in log
    assert log.count("清单保存失败") == 1  # said once, not after every report
    assert "清单未能保存（磁盘空间不足）" in log.splitlines()[-1]


def test_a_name_too_long_for_a_file_fails_only_that_community(street2: Path, tmp_path: Path,
                                                              capsys) -> None:
    data = tmp_path / "data"
    for year in (2023, 2024):
        (data / str(year)).mkdir(parents=True)
        for p in (street2 / str(year)).glob("*.xlsx"):
            (data / str(year) / p.name).write_bytes(p.read_bytes())
    book = data / "2024" / "望江社区.xlsx"
    wb = load_workbook(book)
    ws = wb["基本情况"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "社区名称")
    ws.cell(row=cell.row, column=cell.column + 1).value = LONG_NAME
    wb.save(book)

    # The name is refused where it was typed (paths.check_name, via the reader), before
    # any file is looked up or written; the workbook's file names the failure.
    facts = year_facts(data, YEAR, PARAMS)
    assert sorted(facts.communities) == ["天运社区"]
    reason = facts.failures["望江社区"]
    assert "基本情况" in reason and "社区名称" in reason
    assert f"长达{len(LONG_NAME)}个字符，超过80个字符的上限" in reason

    code = cli.main(["indicators", "--data", str(data), "--year", str(YEAR),
                     "--params", str(PARAMS)])
    err = capsys.readouterr().err
    assert code == 1
    assert "超过80个字符的上限" in err and "Traceback" not in err and "Errno" not in err


# -- class 5: the lock around the manifest -----------------------------------------------

@pytest.fixture
def only_a_broken_workbook(tmp_path: Path) -> Path:
    """A year whose one workbook cannot be read: the run records it and saves the
    manifest without starting a kernel."""
    data = tmp_path / "data"
    (data / str(YEAR)).mkdir(parents=True)
    (data / str(YEAR) / "安澜社区.xlsx").write_bytes(b"not a workbook")
    return data


def hold_lock(out: Path):
    from filelock import FileLock

    (out / str(YEAR)).mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out / str(YEAR) / ".manifest.json.lock"), thread_local=False)
    lock.acquire()
    return lock


def test_a_run_waits_while_another_writes_the_manifest(only_a_broken_workbook: Path,
                                                       tiny: Path, tmp_path: Path,
                                                       monkeypatch) -> None:
    out = tmp_path / "out"
    monkeypatch.setattr(batch, "LOCK_NOTICE", 0.2)
    lock = hold_lock(out)
    releaser = threading.Timer(2.0, lock.release)
    releaser.start()
    try:
        result, log = run(only_a_broken_workbook, out, tiny)
    finally:
        releaser.join()
    assert f"另一个运行正在写入{out / str(YEAR)}的清单，等待…" in log
    assert result.manifest_error is None
    assert on_disk(out)["reports"]["community:安澜社区"]["status"] == FAILED


def test_a_run_gives_up_on_a_lock_held_too_long(only_a_broken_workbook: Path, tiny: Path,
                                               tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    monkeypatch.setattr(batch, "LOCK_NOTICE", 0.1)
    monkeypatch.setattr(batch, "LOCK_TIMEOUT", 1.0)
    lock = hold_lock(out)
    try:
        result, log = run(only_a_broken_workbook, out, tiny)
    finally:
        lock.release()
    assert result.exit_code == 1
    assert result.manifest_error == "另一个运行长时间占用清单（超过1秒）"
    assert "错误：清单保存失败（另一个运行长时间占用清单" in log
    assert not (out / str(YEAR) / "manifest.json").exists()


def test_a_save_keeps_entries_another_run_wrote_meanwhile(tmp_path: Path) -> None:
    """The merge itself: what another run recorded after this one read the manifest is
    kept; this run's own entries win; a full run's vanished communities stay dropped."""
    path = tmp_path / str(YEAR) / "manifest.json"
    path.parent.mkdir()
    mine = {"status": DONE, "name": "天运社区"}
    theirs = {"status": DONE, "name": "望江社区"}
    path.write_text(json.dumps({"reports": {
        "community:望江社区": theirs,               # written by the other run meanwhile
        "community:天运社区": {"status": FAILED},    # stale: this run rebuilt it
        "community:旧社区": {"status": DONE},        # no longer in the data
    }}, ensure_ascii=False), encoding="utf-8")
    m = batch._Manifest(path, {"year": YEAR}, {})
    m.reports = {"community:天运社区": mine}
    m.scope = {"community:天运社区"}
    m.dropped = {"community:旧社区"}
    assert m.save() is True
    saved = json.loads(path.read_text(encoding="utf-8"))["reports"]
    assert saved == {"community:天运社区": mine, "community:望江社区": theirs}


# -- class 6: the output folder and the user's own files ---------------------------------

@pytest.mark.parametrize("where", ["data", "year", "inside_year", "parent"])
def test_an_output_folder_overlapping_the_ledgers_is_refused(street2: Path, tiny: Path,
                                                             where: str, capsys) -> None:
    out = {"data": street2, "year": street2 / "2024",
           "inside_year": street2 / "2023" / "报告", "parent": street2.parent}[where]
    before = sorted(p for p in street2.parent.rglob("*"))
    code = cli.main(["run", "--data", str(street2), "--year", str(YEAR), "--out", str(out),
                     "--params", str(PARAMS), "--notebook", str(tiny), "--formats", "html"])
    err = capsys.readouterr().err
    assert code == 2
    assert "错误：输出目录不能是台账目录、包含台账的年份文件夹或位于其中" in err
    assert sorted(p for p in street2.parent.rglob("*")) == before  # nothing written


def test_only_this_tools_own_temporary_files_are_cleaned(street2: Path, tiny: Path,
                                                         tmp_path: Path) -> None:
    data = tmp_path / "data"
    for year in (2023, 2024):
        (data / str(year)).mkdir(parents=True)
        for p in (street2 / str(year)).glob("*.xlsx"):
            (data / str(year) / p.name).write_bytes(p.read_bytes())
    # An output folder inside the data folder, beside (not in) its year folders: allowed.
    out = data / "报告"
    folder = out / str(YEAR) / "天运社区"
    folder.mkdir(parents=True)
    users = [out / str(YEAR) / ".草稿.tmp", folder / ".笔记.docx.tmp",
             folder / ".总结.html.12345.678.tmp"]
    for p in users:
        p.write_text("用户自己的文件", encoding="utf-8")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead = folder / f".总结.pdf.{report.TEMP_MARK}{int(gone.stdout)}-1.tmp"
    alive = folder / f".总结.pdf.{report.TEMP_MARK}{os.getppid()}-1.tmp"  # a running process
    for p in (dead, alive):
        p.write_bytes(b"%PDF")

    result, _ = run(data, out, tiny, communities=["天运社区"])

    assert result.exit_code == 0, result.failed
    assert all(p.read_text(encoding="utf-8") == "用户自己的文件" for p in users)
    assert not dead.exists()  # left by a shequ-kit run that is gone
    assert alive.exists()  # another run may still be writing it
    # Files this run writes go through names the clean-up recognises as its own.
    own = report._temp_name(folder / "x.html")
    own.write_bytes(b"")
    assert report.clean_temp_files(out / str(YEAR)) == 1 and not own.exists()

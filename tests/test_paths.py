"""Names that become paths: one check, and nothing written outside --out.

A 社区名称 or 所属街道 typed in a workbook becomes a folder or file name. These tests type
hostile or careless names (``../`` and absolute paths, control characters, reserved and
over-long names) and check the single check in shequ_kit.paths, the reader's located
Chinese error, and a real run that writes nothing outside its output folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from shequ_kit import paths, reader, sample

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name, why", [
    ("../../escaped/街道", "路径分隔符"),
    ("/tmp/街道", "路径分隔符"),
    ("青枫\\街道", "路径分隔符"),
    ("..", "“..”"),
    (".天运社区", "以“.”开头"),
    ("天运\n社区", "控制字符"),
    ("天运\x00社区", "控制字符"),
    ("CON", "保留的名称"),
    ("nul.txt", "保留的名称"),
    ("天运社区?", "不允许的字符"),
    ("社" * 81, "超过80个字符"),
    ("社" * 70, "超过200字节"),
    ("   ", "为空"),
])
def test_unsafe_names_are_refused_with_a_chinese_reason(name: str, why: str) -> None:
    with pytest.raises(paths.UnsafeNameError) as err:
        paths.check_name(name, "所属街道")
    message = str(err.value)
    assert message.startswith("所属街道“") and why in message and "无法用作文件名" in message
    assert "\n" not in message and "\x00" not in message


@pytest.mark.parametrize("name", ["天运社区", "天运社区(一)", "第1社区", "青枫街道", "社" * 66])
def test_ordinary_names_pass_unchanged(name: str) -> None:
    assert paths.check_name(f" {name} ", "社区名称") == name


def test_a_path_that_resolves_outside_the_output_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "2024").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", out / "2024" / "链接")
    assert paths.inside(out, out / "2024" / "天运社区" / "a.pdf") == out / "2024/天运社区/a.pdf"
    for bad in (out / ".." / "x.pdf", out / "2024" / "链接" / "x.pdf"):
        with pytest.raises(paths.UnsafeNameError, match="不在输出目录"):
            paths.inside(out, bad)
    with pytest.raises(paths.UnsafeNameError, match="超过255字节"):
        paths.inside(out, out / "2024" / ("社" * 90 + ".pdf"))


def _retitle(path: Path, key: str, value: str) -> None:
    wb = load_workbook(path)
    ws = wb["基本情况"]
    for row in ws.iter_rows(min_row=1):
        if row[0].value == key:
            row[1].value = value
    wb.save(path)


def test_the_reader_locates_an_unsafe_street_name(tmp_path: Path) -> None:
    sample.generate(tmp_path, communities=1, years=(2024,), seed=3)
    [book_path] = list((tmp_path / "2024").glob("*.xlsx"))
    _retitle(book_path, "所属街道", "../../escaped/街道")
    with pytest.raises(reader.LedgerError) as err:
        reader.read_workbook(book_path, year=2024)
    [p] = err.value.problems
    assert (p.file, p.sheet, p.column, p.kind) == (book_path.name, "基本情况", "所属街道",
                                                  "unsafe_name")
    assert p.row is not None and p.row > 1
    assert "路径分隔符" in p.message


def test_a_run_never_writes_outside_out_and_the_others_go_on(tmp_path: Path) -> None:
    data, work = tmp_path / "data", tmp_path / "a" / "b"
    sample.generate(data, communities=2, years=(2024,), seed=3)
    bad, good = sample.community_names(2)
    _retitle(data / "2024" / f"{bad}.xlsx", "所属街道", "../../escaped/街道")
    work.mkdir(parents=True)
    out = work / "out"
    done = subprocess.run(
        [sys.executable, "-m", "shequ_kit.cli", "run", "--data", str(data), "--year", "2024",
         "--out", str(out), "--params", str(ROOT / "parameters")],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr
    written = {p for p in tmp_path.rglob("*") if p.is_file()} - set(data.rglob("*"))
    assert written and all(out in p.parents for p in written), written
    assert not any("escaped" in str(p) for p in tmp_path.rglob("*"))
    said = done.stdout + done.stderr
    assert "所属街道“../../escaped/街道”含有路径分隔符" in said
    assert "Traceback" not in said
    assert (out / "2024" / good / f"{good}2024年度工作总结.pdf").is_file()


def test_a_relative_data_dir_is_read_from_the_current_folder_first(tmp_path: Path,
                                                                  monkeypatch) -> None:
    # An analyst runs the notebook with -p data_dir 台账 from their own folder: that folder
    # is meant, as on the command line; the notebook's own defaults still find the sample.
    from shequ_kit.assemble import PROJECT_ROOT, community_facts, resolve

    sample.generate(tmp_path / "台账", communities=1, years=(2024,), seed=3)
    [name] = sample.community_names(1)
    monkeypatch.chdir(tmp_path)
    assert resolve("台账") == tmp_path / "台账"
    assert resolve("data/sample") == PROJECT_ROOT / "data/sample"
    assert community_facts(name, 2024, data_dir="台账", params_dir=None).community == name

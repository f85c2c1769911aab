"""A new user's slips on the command line get a Chinese hint, not a bare 未找到 or a trace.

Each test is a mistake seen when a new analyst first used the tool: pointing --data at
the year folder, a year that is not there, a community name one character off, a
workbook without a sheet, last year's sheet missing this year.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_cli import info_rows, profile, shequ_kit, write

from shequ_kit import __version__, sample


@pytest.fixture()
def two_communities(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    write(data / "2024" / "甲社区.xlsx", profile("甲社区"), {"信息报送台账": info_rows(4, 1)})
    write(data / "2024" / "乙社区.xlsx", profile("乙社区"), {"信息报送台账": info_rows(6, 5)})
    return data


def test_version() -> None:
    done = shequ_kit("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"shequ-kit {__version__}"


def test_data_pointing_at_the_year_folder_hints_at_its_parent(two_communities: Path) -> None:
    for command in ("validate", "indicators", "run"):
        extra = ["--out", str(two_communities.parent / "out")] if command == "run" else []
        done = shequ_kit(command, "--data", two_communities / "2024", "--year", "2024", *extra)
        said = done.stdout + done.stderr
        assert done.returncode == 2, said
        assert "--data 应指向包含年份目录的上级目录" in said
        assert f"例如 --data {two_communities}" in said
        assert "Traceback" not in said


def test_a_wrong_year_lists_the_years_found(two_communities: Path) -> None:
    (two_communities / "2023").mkdir()
    done = shequ_kit("validate", "--data", two_communities, "--year", "2025")
    assert done.returncode == 2
    assert "未找到2025年的台账目录" in done.stderr
    assert "该目录下已有的年份：2023、2024" in done.stderr


def test_a_mistyped_community_suggests_the_closest_names(two_communities: Path) -> None:
    done = shequ_kit("validate", "--data", two_communities, "--year", "2024",
                     "--community", "甲社")
    assert done.returncode == 1
    assert "没有找到甲社的台账，是不是“甲社区”？" in done.stdout
    done = shequ_kit("indicators", "--data", two_communities, "--year", "2024",
                     "--community", "乙社")
    assert "未找到乙社2024年的台账，是不是“乙社区”？" in done.stderr


def test_validate_names_the_sheets_a_workbook_lacks(two_communities: Path) -> None:
    done = shequ_kit("validate", "--data", two_communities, "--year", "2024")
    lines = [x for x in done.stdout.splitlines() if "社区.xlsx：缺少工作表：" in x]
    assert len(lines) == 2  # one per community
    assert "活动台账" in lines[0] and "信息报送台账" not in lines[0]


def test_indicators_when_last_year_had_a_sheet_this_year_lacks(tmp_path: Path) -> None:
    sample.generate(tmp_path, communities=1, years=(2023, 2024), seed=9)
    [path] = list((tmp_path / "2024").glob("*.xlsx"))
    wb = load_workbook(path)
    del wb["失业人员台账"]
    wb.save(path)
    for extra in ((), ("--street",)):
        done = shequ_kit("indicators", "--data", tmp_path, "--year", "2024", *extra)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "Traceback" not in done.stderr
        rows = [x for x in done.stdout.splitlines() if x.startswith("分就业形式")]
        assert rows and all("无数据" in r for r in rows)

"""From real Excel workbooks through the reader to indicator rows: a half-year report with
last year's workbook, people leaving and re-entering, ledgers and columns left out.
Figures are worked out by hand next to each assertion."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from shequ_kit import engine, reader


def check_digit(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


def valid_id(n: int) -> str:
    """A made-up ID with a correct GB 11643 check digit (a wrong one is a reader warning)."""
    first = f"3301061985{n:02d}0101{n:03d}"[:17]
    return first + check_digit(first)


def write(path: Path, profile: dict, sheets: dict[str, list[list]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本情况"
    ws.append(["项目", "数值"])
    for k, v in profile.items():
        ws.append([k, v])
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def d(text: str) -> datetime:
    return datetime.fromisoformat(text)


P = [valid_id(n) for n in range(1, 6)]


@pytest.fixture()
def pair(tmp_path):
    current = write(tmp_path / "2024" / "天运社区.xlsx", {
        "社区名称": "天运社区", "所属街道": "闸弄口街道", "统计截止日期": d("2024-06-30"),
        "户数": 3000, "户籍人口": 7000, "常住人口": 8000, "流动人口": 2000,
    }, {
        "活动台账": [
            ["序号", "日期", "条线", "活动名称", "活动类型", "参与人次"],
            [1, d("2023-12-28"), "普法", "年终普法", "宣传", 40],  # last year's row
            [2, d("2024-01-12"), "普法", "宪法宣传", "宣传", 30],
            [3, d("2024-03-08"), "妇联", "三八节活动", "节日活动", 50],  # alias → 群团
            [4, d("2024-06-30"), "普法", "民法典讲座", "讲座培训", 20],  # the as-of day
            [5, d("2024-07-02"), "普法", "下半年活动", "宣传", 99],  # after the as-of
        ],
        "失业人员台账": [
            ["序号", "姓名", "身份证号", "登记失业日期", "再就业日期", "注销日期"],
            [1, "某甲", P[0], d("2023-10-01"), d("2024-02-01"), None],  # re-employed
            [2, "某甲", P[0], d("2024-04-01"), None, None],  # re-enters in April
            [3, "某乙", P[1], d("2024-01-05"), None, d("2024-03-01")],  # 注销 (moved)
            [4, "某丙", P[2], d("2022-05-01"), d("2023-08-01"), None],  # ended last year
            [5, "某丁", P[3], d("2024-05-20"), None, None],
        ],
    })
    previous = write(tmp_path / "2023" / "天运社区.xlsx", {
        "社区名称": "天运社区", "所属街道": "闸弄口街道", "户数": 2950, "户籍人口": 7000,
        "常住人口": 7900, "流动人口": 1800,
    }, {
        "活动台账": [
            ["序号", "日期", "条线", "活动名称", "活动类型", "参与人次"],
            [1, d("2023-02-10"), "普法", "普法宣传", "宣传", 10],
            [2, d("2023-06-30"), "党建", "党课", "会议学习", 10],
            [3, d("2023-09-10"), "普法", "普法讲座", "讲座培训", 10],  # second half
            [4, d("2023-12-28"), "普法", "年终普法", "宣传", 40],
        ],
    })
    return (reader.read_workbook(current, year=2024),
            reader.read_workbook(previous, year=2023))


def test_half_year_rows_from_excel(pair):
    cur, prev = pair
    assert cur.as_of.isoformat() == "2024-06-30"
    out = {r["id"]: r for r in engine.rows(cur, prev)}
    r = out["activity.count"]
    assert r["period"] == ["2024-01-01", "2024-06-30"]
    assert r["value"] == 3  # 12 Jan, 8 Mar, 30 Jun
    assert r["previous"] == 2  # 10 Feb and 30 Jun 2023; September is outside the window
    assert out["activity.participants"]["value"] == 100  # 30 + 50 + 20
    assert out["activity.by_line"]["value"]["群团"] == 1  # 妇联 read as 群团
    assert list(out["activity.by_month"]["value"]) == ["1", "2", "3", "4", "5", "6"]
    # Employment over 1 Jan – 30 Jun 2024: 某甲 (two registrations, one person), 某乙,
    # 某丁 are open; 某丙's registration ended in 2023.
    assert out["employment.registered_in_year"]["value"] == 3
    assert out["employment.unemployed_end"]["value"] == 2  # 某甲 again, 某丁
    assert out["employment.reemployed"]["value"] == 1  # 某甲 in February
    # 1 / (3 − 某乙, moved away without a job) = 1 / 2
    rate = out["employment.reemployment_rate"]
    assert (rate["value"], rate["numerator"], rate["denominator"]) == (0.5, 1, 2)
    assert rate["previous"] is None  # last year kept no 失业人员台账: 无数据, not 0
    # Ledgers this community does not keep are 无数据.
    assert out["dibao.households"]["value"] is None
    assert out["safety.fires"]["value"] is None
    # 流动人口 2000 / 8000 now, 1800 / 7900 last year (基本情况 is not windowed).
    assert out["profile.floating_share"]["previous"] == pytest.approx(1800 / 7900)


def test_filtered_and_coverage_from_excel(pair):
    cur, prev = pair
    law = [r for r in engine.rows(cur, prev, conditions=({"条线": "普法"},))
           if r["id"] == "activity.count"][0]
    assert (law["value"], law["previous"]) == (2, 1)  # Jan + Jun; Feb 2023
    # 普法 in January and June of the six months.
    assert engine.coverage(cur, "activity.count", {"条线": "普法"}, "month") == (
        2, 6, ["2月", "3月", "4月", "5月"])
    assert engine.coverage(cur, "activity.count", {"条线": "普法"}, "quarter") == (2, 2, [])

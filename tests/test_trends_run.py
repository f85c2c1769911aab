"""近三年来 in the real documents: one run (reader, facts, papermill, WeasyPrint, Word) over
a hand-made street of two communities with three years of ledgers, then an incremental
run after an earlier year's workbook changed.

Figures (tests/test_trends.py builds the workbooks): 天运社区 holds 10, 12, 15 sessions in
2022-2024, 望江社区 20, 18, 25; the street 30, 30, 40.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import docx
import pytest

from shequ_kit.batch import DONE, SKIPPED, run_batch
from tests.test_trends import TIANYUN, street_of, write_book

YEAR = 2024
STREET = "测试街道"


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return "".join(out.split())


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("trends")
    data = base / "data"
    street_of(data, TIANYUN)
    street_of(data, {2022: (20, 10, 12), 2023: (18, 10, 12), 2024: (25, 10, 12)}, "望江社区")
    params = base / "parameters"
    params.mkdir()
    (params / "defaults.yaml").write_text("targets: []\n", encoding="utf-8")
    out = base / "out"
    first = run_batch(data, YEAR, out_dir=out, params_dir=params, workers=1)
    assert {k: v["status"] for k, v in first.reports.items()} == {
        "community:天运社区": DONE, "community:望江社区": DONE, f"overview:{STREET}": DONE}
    texts = {
        "community": pdf_text(out / str(YEAR) / "天运社区" / f"天运社区{YEAR}年度工作总结.pdf"),
        "overview": pdf_text(out / str(YEAR) / f"{STREET}{YEAR}年度社区工作汇总.pdf"),
    }
    word = docx.Document(out / str(YEAR) / "天运社区" / f"天运社区{YEAR}年度工作总结.docx")
    # 天运社区's 2022 workbook now holds 9 sessions: its report and the street's are redone
    write_book(data / "2022" / "天运社区.xlsx", "天运社区", 2022, 9, 20, 3)
    second = run_batch(data, YEAR, out_dir=out, params_dir=params, workers=1)
    return {"texts": texts, "word": word, "second": second,
            "after": pdf_text(out / str(YEAR) / "天运社区" / f"天运社区{YEAR}年度工作总结.pdf")}


def test_the_summary_looks_back_with_its_chart(run: dict) -> None:
    text = run["texts"]["community"]
    assert "近三年工作成效" in text
    assert ("近三年来，社区开展活动场次逐年增长，由2022年的10场次增加到2024年的15场次，"
            "较2022年增长50.0%") in text
    assert "近三年主要工作数据" in text  # the chart's caption
    assert "近年趋势为2022年、2023年、2024年各年同期（1月1日至12月31日）台账的统计结果。" in text
    paragraphs = [p.text for p in run["word"].paragraphs]
    assert any(p.startswith("近三年来，社区开展活动场次逐年增长") for p in paragraphs)
    assert any("近三年主要工作数据" in p for p in paragraphs)


def test_the_overview_looks_back_over_the_street(run: dict) -> None:
    text = run["texts"]["overview"]
    assert ("近三年来，全街道开展活动场次由2022年的30场次增加到2024年的40场次，"
            "较2022年增长33.3%") in text
    assert "近三年主要工作数据" in text


def test_a_changed_earlier_workbook_redoes_its_reports_only(run: dict) -> None:
    statuses = {k: v["status"] for k, v in run["second"].reports.items()}
    assert statuses == {"community:天运社区": DONE, "community:望江社区": SKIPPED,
                        f"overview:{STREET}": DONE}
    # 9 sessions in 2022 are under 10: a difference, not a percentage
    assert ("由2022年的9场次增加到2024年的15场次，较2022年增加6场次") in run["after"]

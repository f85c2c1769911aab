"""End to end: `shequ-kit run --doc 专项 --line 普法` and `--doc 总结,专项 --line 创文` on a
generated street of two communities, with real papermill runs, PDFs read by pdftotext,
the manifest's keys and an incremental re-run."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from shequ_kit.batch import run_batch
from shequ_kit.cli import main
from shequ_kit.sample import generate

PARAMS = Path(__file__).resolve().parents[1] / "parameters"
COMMUNITIES = ("天运社区", "望江社区")  # the first two of the generated street
STREET = "青枫街道"


@pytest.fixture(scope="module")
def street(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("street")
    generate(root / "data", communities=2, years=(2023, 2024))
    return root


def pdf_text(path: Path) -> str:
    assert shutil.which("pdftotext"), "pdftotext（poppler-utils）未安装：make setup 会安装"
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True)
    return done.stdout


def manifest(out: Path) -> dict:
    return json.loads((out / "2024" / "manifest.json").read_text(encoding="utf-8"))["reports"]


def test_special_reports_by_line_then_summary_and_group(street: Path) -> None:
    out = street / "out"
    data = street / "data"
    assert sorted(p.stem for p in (data / "2024").glob("*.xlsx")) == sorted(COMMUNITIES)
    code = main(["run", "--data", str(data), "--year", "2024", "--params", str(PARAMS),
                 "--out", str(out), "--doc", "专项", "--line", "普法", "--formats", "pdf",
                 "--workers", "2"])
    assert code == 0
    reports = manifest(out)
    assert set(reports) == {f"community:{c}|专项|2024|普法" for c in COMMUNITIES} | {
        f"overview:{STREET}|专项|2024|普法"}
    street_text = pdf_text(out / "2024" / f"{STREET}2024年普法工作汇总.pdf")
    assert f"{STREET}2024年普法工作汇总" in street_text
    assert "各社区工作情况" in street_text and f"{STREET}合计" in street_text
    for c in COMMUNITIES:
        pdf = out / "2024" / c / f"{c}2024年普法工作总结.pdf"
        assert reports[f"community:{c}|专项|2024|普法"]["outputs"]["pdf"] == \
            f"2024/{c}/{c}2024年普法工作总结.pdf"
        text = pdf_text(pdf)
        assert f"{c}2024年普法工作总结" in text
        assert "普法类活动" in text and "主要工作开展情况" in text and "下一步工作打算" in text
        assert "主要工作及成效" not in text  # not the summary
        # Nothing of the summary was written by a 专项 run.
        assert not (out / "2024" / c / f"{c}2024年度工作总结.pdf").exists()

    code = main(["run", "--data", str(data), "--year", "2024", "--params", str(PARAMS),
                 "--out", str(out), "--doc", "总结,专项", "--line", "创文", "--formats", "pdf",
                 "--workers", "2"])
    assert code == 0
    reports = manifest(out)
    expected = ({f"community:{c}" for c in COMMUNITIES}
                | {f"community:{c}|专项|2024|创文" for c in COMMUNITIES}
                | {f"community:{c}|专项|2024|普法" for c in COMMUNITIES}  # kept
                | {f"overview:{STREET}", f"overview:{STREET}|专项|2024|创文"})
    assert expected <= set(reports)
    for c in COMMUNITIES:
        summary = out / "2024" / c / f"{c}2024年度工作总结.pdf"
        assert summary.is_file()  # the default summary keeps its name and key
        text = pdf_text(out / "2024" / c / f"{c}2024年创文工作总结.pdf")
        assert f"{c}2024年创文工作总结" in text
        assert "宣传文明" in text and "环境卫生" in text
        assert reports[f"community:{c}|专项|2024|创文"]["doc"] == "专项"
        assert reports[f"community:{c}|专项|2024|创文"]["line"] == "创文"
    assert (out / "2024" / f"{STREET}2024年度社区工作汇总.pdf").is_file()
    index = (out / "2024" / "index.html").read_text(encoding="utf-8")
    assert "天运社区2024年创文工作总结" in index

    # Nothing changed: nothing is rendered again.
    again = run_batch(data, 2024, out, PARAMS, docs=["总结", "专项"], lines=["创文"],
                      formats=["pdf"], workers=2, progress=False)
    assert again.exit_code == 0 and again.executed == 0
    assert len(again.skipped) == 6  # 2 summaries, 2 创文, the overview and the 创文 汇总

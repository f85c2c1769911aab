"""End to end: `shequ-kit run --doc 专项 --line 普法` and `--doc 总结,专项 --line 创文` on a
generated street of two communities, with real papermill runs, PDFs read by pdftotext,
the manifest's keys and an incremental re-run; `--doc 计划` with its parameters draft.
Every document's 底稿 lists the figures its HTML marks, 序号 for 序号."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from shequ_kit import trace, yamltext
from shequ_kit.batch import run_batch
from shequ_kit.cli import main
from shequ_kit.params import community_targets, load_params
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


def check_workpaper(out: Path, entry: dict) -> list[tuple]:
    """The 底稿 the manifest lists beside the report: named after it, one row per figure
    the HTML marks (序号 = data-trace, each once), and the HTML's tooltips carry the
    ledger rows (the notebook was handed the facts' trace). Gives the 底稿's rows."""
    book = out / entry["outputs"]["底稿"]
    html = out / entry["outputs"]["html"]
    assert book.name == html.stem + ".底稿.xlsx" and book.parent == html.parent
    ws = openpyxl.load_workbook(book, read_only=True)["底稿"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert rows, book.name
    text = html.read_text(encoding="utf-8")
    marked = [int(n) for n in re.findall(r'class="sk-fig" data-trace="(\d+)"', text)]
    assert sorted(marked) == [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert any("行（" in t for t in re.findall(r'title="底稿序号[^"]*"', text))
    return rows


def test_special_reports_by_line_then_summary_and_group(street: Path) -> None:
    out = street / "out"
    data = street / "data"
    assert sorted(p.stem for p in (data / "2024").glob("*.xlsx")) == sorted(COMMUNITIES)
    code = main(["run", "--data", str(data), "--year", "2024", "--params", str(PARAMS),
                 "--out", str(out), "--doc", "专项", "--line", "普法", "--formats", "pdf,html",
                 "--workers", "2"])
    assert code == 0
    reports = manifest(out)
    assert set(reports) == {f"community:{c}|专项|2024|普法" for c in COMMUNITIES} | {
        f"overview:{STREET}|专项|2024|普法"}
    for key, entry in reports.items():  # 数据溯源 of the 专项 and the street's 汇总
        rows = check_workpaper(out, entry)
        assert any(r[5] == "activity.by_line" and "（普法）" in str(r[4])
                   and "活动台账" in str(r[7]) and "第" in str(r[8]) for r in rows), key
        if key.startswith("overview:"):  # each community's own figure, its own rows
            assert {c for c in COMMUNITIES if any(str(r[4]).startswith(f"{c}：")
                                                  for r in rows)} == set(COMMUNITIES)
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


def test_plan_writes_next_year_s_draft_beside_it_and_keeps_an_edited_one(
        street: Path, tmp_path: Path) -> None:
    out = street / "out-plan"
    data = street / "data"
    code = main(["run", "--data", str(data), "--year", "2024", "--params", str(PARAMS),
                 "--out", str(out), "--doc", "计划", "--formats", "html", "--workers", "2"])
    assert code == 0
    reports = manifest(out)
    assert set(reports) == {f"community:{c}|计划|2024" for c in COMMUNITIES}
    assert not list(PARAMS.glob("*草案*"))  # never into the parameters folder
    page = (out / "2024" / "index.html").read_text(encoding="utf-8")
    assert page.count(">下年参数草案</a>") == 2
    for c in COMMUNITIES:
        entry = reports[f"community:{c}|计划|2024"]
        draft = out / "2024" / c / f"{c}.2025.草案.yaml"
        assert entry["outputs"]["草案"] == f"2024/{c}/{c}.2025.草案.yaml"
        assert draft.is_file()
        check_workpaper(out, entry)
        # Adopted as it stands: next year's parameters, read by params.py.
        adopted = tmp_path / c / "parameters"
        shutil.copytree(PARAMS, adopted)
        shutil.copy(draft, adopted / f"{c}.2025.yaml")
        merged = load_params(adopted, c, STREET, year=2025)
        own = yamltext.load(draft.read_text(encoding="utf-8"))["targets"]
        assert own
        for t in own:  # each drafted target replaces this year's
            assert any(m["指标"] == t["指标"] and m.get("条件") == t.get("条件")
                       and m["目标"] == t["目标"] for m in merged["targets"]), t
        assert len(community_targets(merged)) >= len(own)

    # The community edits its draft; a later run that makes the plan again keeps the edit.
    draft = out / "2024" / COMMUNITIES[0] / f"{COMMUNITIES[0]}.2025.草案.yaml"
    fresh = draft.read_text(encoding="utf-8")
    draft.write_text(fresh + "# 社区修改：全年开展活动不少于150场次\n", encoding="utf-8")
    again = run_batch(data, 2024, out, PARAMS, communities=[COMMUNITIES[0]], docs=["计划"],
                      formats=["html"], workers=1, force=True, progress=False)
    assert again.exit_code == 0 and again.executed == 1
    kept = sorted(draft.parent.glob(f"{COMMUNITIES[0]}.2025.草案.已编辑-*.yaml"))
    assert len(kept) == 1
    assert kept[0].read_text(encoding="utf-8").endswith("# 社区修改：全年开展活动不少于150场次\n")
    assert draft.read_text(encoding="utf-8") == fresh
    entry = manifest(out)[f"community:{COMMUNITIES[0]}|计划|2024"]
    assert any(kept[0].name in w for w in entry["warnings"])


def test_a_named_period_s_summary_and_overview_have_their_workpapers(street: Path) -> None:
    """`--period 2024Q3`: each summary's and the overview's 底稿 under its own key, and
    its rows are the third quarter's only (the sample dates every activity row)."""
    out = street / "out-q3"
    data = street / "data"
    result = run_batch(data, 2024, out, PARAMS, period="2024Q3", formats=["html"], workers=2,
                       progress=False)
    assert result.exit_code == 0, result.failed
    reports = manifest(out)
    assert set(reports) == {f"community:{c}|总结|2024Q3" for c in COMMUNITIES} | {
        f"overview:{STREET}|总结|2024Q3"}
    for key, entry in reports.items():
        rows = check_workpaper(out, entry)
        assert "第三季度" in entry["outputs"]["底稿"], key
        if key.startswith("community:"):
            name = key.split(":")[1].split("|")[0]
            wb = openpyxl.load_workbook(data / "2024" / f"{name}.xlsx", read_only=True)
            dates = {i: r[1] for i, r in enumerate(wb["活动台账"].iter_rows(values_only=True), 1)}
            count = next(r for r in rows if r[5] == "activity.count" and r[4] == "开展活动"
                         and str(r[8]).startswith("第"))
            listed = trace.parse_ranges(str(count[8]).removeprefix("第").removesuffix("行"))
            assert listed and all(dates[i].month in (7, 8, 9) for i in listed), key
            in_q3 = [i for i, d in dates.items() if i > 1 and d is not None
                     and d.year == 2024 and d.month in (7, 8, 9)]
            assert listed == in_q3 and int(count[9]) == len(in_q3)

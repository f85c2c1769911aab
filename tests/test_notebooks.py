"""The report notebooks as analysts and the batch run them: real papermill, real export.

Each scenario executes a notebook once (module-scoped); the tests read the executed
notebook, the exported HTML and the PDF (through pdftotext and pdffonts). Expected
figures are counted here from the sample workbook with openpyxl, not taken from the
package.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import nbformat
import papermill
import pytest
from openpyxl import load_workbook

from shequ_kit import assemble, export

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
COMMUNITY_NB = NOTEBOOKS / "community_report.ipynb"
OVERVIEW_NB = NOTEBOOKS / "street_overview.ipynb"
EXPLORE_NB = NOTEBOOKS / "explore.ipynb"
SAMPLE = ROOT / "data" / "sample"
WORKBOOK = SAMPLE / "2024" / "天运社区.xlsx"
COMMUNITY, YEAR, STREET = "天运社区", 2024, "青枫街道"

SECTION_HEADINGS = ("一、社区基本情况", "二、主要工作及成效", "三、年度目标完成情况",
                    "四、存在问题", "五、下一步工作打算", "附：数据说明")
PERSONAL_COLUMNS = ("姓名", "户主姓名", "身份证号", "手机号", "残疾人证号")
CODE_MARKS = ("Traceback", "In [", "Out[", "import ", "show_section", "facts_path",
              "def ", "Error", "Warning", "<module>")


# -- helpers -------------------------------------------------------------------------------

def visible(html: str) -> str:
    return "\n".join(" ".join(p.split()) for p in export.visible_text(html) if p.strip())


def squash(text: str) -> str:
    """pdftotext breaks lines (and pads them) where the page does: compare without them."""
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def pdf_fonts(pdf: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    return [line.split() for line in out[2:] if line.strip()]


def run_papermill(nb: Path, out: Path, parameters: dict, cwd: Path) -> nbformat.NotebookNode:
    # A cell that has not answered in 5 minutes has hung: fail rather than wait forever.
    papermill.execute_notebook(str(nb), str(out), parameters=parameters, cwd=str(cwd),
                               kernel_name="python3", progress_bar=False,
                               execution_timeout=300)
    return nbformat.read(out, as_version=4)


def exported(executed: Path, folder: Path) -> dict:
    """HTML and PDF written the way the batch writes them, read back."""
    html = export.to_html(executed)
    pdf = folder / (executed.stem + ".pdf")
    pdf.write_bytes(export.render_pdf(html))
    return {"nb": nbformat.read(executed, as_version=4), "html": html, "text": visible(html),
            "pdf": pdf, "pdf_text": pdf_text(pdf)}


def personal_values(*workbooks: Path) -> dict[str, set[str]]:
    """Names, ID numbers and phone numbers of the ledgers, read directly from Excel."""
    found: dict[str, set[str]] = {"names": set(), "numbers": set()}
    for path in workbooks:
        wb = load_workbook(path, read_only=True)
        for ws in wb.worksheets:
            rows = ws.iter_rows(values_only=True)
            header = next(rows, None) or ()
            cols = {i: str(h) for i, h in enumerate(header) if h in PERSONAL_COLUMNS}
            for row in rows:
                for i, col in cols.items():
                    value = row[i] if i < len(row) else None
                    if value is None or not str(value).strip():
                        continue
                    kind = "names" if "姓名" in col else "numbers"
                    found[kind].add(str(value).strip())
        wb.close()
    return found


def assert_no_personal_data(text: str, people: dict[str, set[str]]) -> None:
    digits = re.sub(r"\D", "", text)
    for number in people["numbers"]:
        core = re.sub(r"\D", "", number)
        assert len(core) >= 11
        assert core not in digits, "身份证号或手机号出现在输出中"
    # A two-character name can be an ordinary word (高峰); longer ones never can.
    leaked = [n for n in people["names"] if len(n) >= 3 and n in text]
    assert not leaked, f"{len(leaked)}个姓名出现在输出中"


def activity_rows(workbook: Path) -> list[tuple] | None:
    """活动台账 as rows when it is tidy (the template's header in row 1, real dates and
    serial numbers throughout), else None: the messy ones are the reader's to handle."""
    wb = load_workbook(workbook, read_only=True)
    try:
        if "活动台账" not in wb.sheetnames:
            return None
        rows = list(wb["活动台账"].iter_rows(values_only=True))
    finally:
        wb.close()
    if not rows or rows[0][:2] != ("序号", "日期"):
        return None
    body = [r for r in rows[1:] if any(v is not None for v in r)]
    if not all(isinstance(r[1], datetime) and isinstance(r[0], int) for r in body):
        return None
    return [rows[0], *body]


def activity_figures(rows: list[tuple], year: int) -> tuple[int, int]:
    """(activities, participants) dated in the year, counted by hand from tidy rows."""
    head = [str(v or "").strip() for v in rows[0]]
    d, p = head.index("日期"), head.index("参与人次")
    dated = [r for r in rows[1:] if r[d].year == year]
    # indicators.md: 参与居民 sums 参与人次 except rows marked 面向居民=否 (empty means 是).
    f = head.index("面向居民") if "面向居民" in head else None
    for_residents = [r for r in dated if f is None or str(r[f] or "").strip() != "否"]
    return len(dated), sum(int(r[p]) for r in for_residents if r[p] is not None)


def sheet_rows(workbook: Path, sheet: str) -> list[dict]:
    wb = load_workbook(workbook, read_only=True)
    rows = list(wb[sheet].iter_rows(values_only=True))
    wb.close()
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:] if any(v is not None for v in r)]


# -- the runs ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The analyst's command from the project root, on the notebook's own defaults."""
    folder = tmp_path_factory.mktemp("cli")
    out = folder / "天运社区2024年度工作总结.ipynb"
    proc = subprocess.run(
        [sys.executable, "-m", "papermill", "notebooks/community_report.ipynb", str(out),
         "-p", "community", COMMUNITY, "-p", "year", str(YEAR), "-p", "data_dir",
         "data/sample", "--no-progress-bar"],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return exported(out, folder)


@pytest.fixture(scope="module")
def facts_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """As the batch runs it: facts precomputed into JSON, kernel in a folder of its own."""
    folder = tmp_path_factory.mktemp("facts")
    facts = assemble.community_facts(COMMUNITY, YEAR, SAMPLE, ROOT / "parameters")
    facts_path = folder / "facts.json"
    facts_path.write_text(facts.to_json(), encoding="utf-8")
    out = folder / "with_facts.ipynb"
    run_papermill(COMMUNITY_NB, out, {"community": COMMUNITY, "year": YEAR,
                                      "data_dir": str(SAMPLE),
                                      "params_dir": str(ROOT / "parameters"),
                                      "facts_path": str(facts_path)}, cwd=folder)
    return exported(out, folder)


@pytest.fixture(scope="module")
def overview_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The overview on its defaults, the kernel in notebooks/ as JupyterLab starts it."""
    folder = tmp_path_factory.mktemp("overview")
    out = folder / "overview.ipynb"
    run_papermill(OVERVIEW_NB, out, {}, cwd=NOTEBOOKS)
    return exported(out, folder)


@pytest.fixture(scope="module")
def missing_sheet_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """天运社区 without its 矛盾纠纷台账 (the sheet deleted, as the template's 说明 asks for a
    ledger the community does not keep); last year's workbook unchanged."""
    folder = tmp_path_factory.mktemp("missing")
    data = folder / "data"
    (data / "2024").mkdir(parents=True)
    (data / "2023").mkdir()
    shutil.copy2(SAMPLE / "2023" / "天运社区.xlsx", data / "2023" / "天运社区.xlsx")
    wb = load_workbook(WORKBOOK)
    del wb["矛盾纠纷台账"]
    wb.save(data / "2024" / "天运社区.xlsx")
    out = folder / "missing.ipynb"
    run_papermill(COMMUNITY_NB, out, {"community": COMMUNITY, "year": YEAR,
                                      "data_dir": str(data)}, cwd=folder)
    return exported(out, folder)


@pytest.fixture(scope="module")
def people() -> dict[str, set[str]]:
    books = sorted(SAMPLE.glob("*/天运社区.xlsx"))
    assert len(books) == 2
    return personal_values(*books)


# -- the committed notebooks ---------------------------------------------------------------

@pytest.mark.parametrize("path", [COMMUNITY_NB, OVERVIEW_NB, EXPLORE_NB], ids=lambda p: p.stem)
def test_committed_notebooks_are_clean_and_parametrised(path: Path) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    nb = nbformat.reads(json.dumps(raw), as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert "papermill" not in nb.metadata and "widgets" not in nb.metadata
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0].cell_type == "code"
    # The first cell tells the analyst, in Chinese, what the notebook is for.
    assert nb.cells[0].cell_type == "markdown"
    assert re.search(r"[\u4e00-\u9fff]{10}", nb.cells[0].source)


def test_parameters_cells_hold_the_documented_defaults() -> None:
    def params(path: Path) -> dict:
        nb = nbformat.read(path, as_version=4)
        cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        scope: dict = {}
        exec(cell.source, scope)  # noqa: S102 - plain assignments, checked below
        return {k: v for k, v in scope.items() if not k.startswith("__")}

    assert params(COMMUNITY_NB) == {"community": "天运社区", "year": 2024,
                                    "data_dir": "data/sample", "params_dir": "parameters",
                                    "facts_path": None}
    assert params(OVERVIEW_NB) == {"street": None, "year": 2024, "data_dir": "data/sample",
                                   "params_dir": "parameters", "facts_path": None}
    assert {"community", "year", "data_dir", "params_dir"} <= set(params(EXPLORE_NB))


def test_setup_cells_are_left_out_of_the_report() -> None:
    nb = nbformat.read(COMMUNITY_NB, as_version=4)
    loading = [c for c in nb.cells if c.cell_type == "code" and "load_community" in c.source]
    assert loading and all("no-export" in c.metadata.get("tags", []) for c in loading)
    first_shown = next(c for c in nb.cells if c.cell_type == "code"
                       and "no-export" not in c.metadata.get("tags", [])
                       and "parameters" not in c.metadata.get("tags", []))
    assert "show_cover(cover_meta(facts))" in first_shown.source


# -- the community summary -----------------------------------------------------------------

def test_summary_has_cover_and_every_section(cli_run: dict) -> None:
    pdf = squash(cli_run["pdf_text"])
    assert f"{COMMUNITY}{YEAR}年度工作总结" in pdf
    assert f"所属街道{STREET}" in pdf or f"所属街道：{STREET}" in pdf
    for heading in SECTION_HEADINGS:
        assert heading in pdf, heading
    # The 开头语 ends the genre's way; the 落款 names the community's bodies.
    assert f"现将{YEAR}年度工作总结如下：" in pdf
    assert f"{COMMUNITY}党总支、居委会" in pdf
    positions = [pdf.index(h) for h in SECTION_HEADINGS]
    assert positions == sorted(positions)


def test_summary_states_the_years_figures_the_genres_way(cli_run: dict) -> None:
    rows = activity_rows(WORKBOOK)
    assert rows is not None
    count, participants = activity_figures(rows, YEAR)
    info = [r for r in sheet_rows(WORKBOOK, "信息报送台账") if r["报送日期"].year == YEAR]
    adopted = sum(1 for r in info if r["是否录用"] == "是")
    disputes = sheet_rows(WORKBOOK, "矛盾纠纷台账")
    resolved = sum(1 for r in disputes if r["调解结果"] == "调解成功")
    hazards = sheet_rows(WORKBOOK, "安全隐患台账")
    fixed = sum(1 for r in hazards if r["整改情况"] == "已整改")
    profile = {r["项目"]: r["数值"] for r in sheet_rows(WORKBOOK, "基本情况")}
    text = squash(cli_run["text"])
    assert f"全年社区共开展各类活动{count}场次，参与居民{participants}人次" in text
    assert f"全年社区上报各类信息{len(info)}篇，录用{adopted}篇" in text
    assert f"全年共受理各类矛盾纠纷{len(disputes)}件，调解成功{resolved}件" in text
    assert f"调解成功率{resolved / len(disputes) * 100:.1f}%" in text
    assert f"全年排查各类安全隐患{len(hazards)}处，已整改{fixed}处" in text
    assert f"有居民{profile['户数']}户{profile['常住人口']}人" in text
    # The PDF carries the same sentences.
    assert f"共开展各类活动{count}场次" in squash(cli_run["pdf_text"])


def test_summary_has_charts_and_no_code(cli_run: dict) -> None:
    html = cli_run["html"]
    assert html.count('<figure class="chart') >= 3
    assert "data:image/png;base64," in html
    assert "http://" not in html and "https://" not in html and "<script" not in html
    for mark in CODE_MARKS:
        assert mark not in cli_run["text"], mark
        assert mark not in cli_run["pdf_text"], mark
    # Every chart has a Chinese caption.
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", html)
    assert captions and all(re.search(r"[\u4e00-\u9fff]", c) for c in captions)
    # The PDF numbers them in order, the formal way: 图1 各月开展活动场次, 图2 ….
    pdf = squash(cli_run["pdf_text"])
    for n, caption in enumerate(captions, start=1):
        assert f"图{n}{squash(caption)}" in pdf, (n, caption)


def test_summary_pdf_embeds_simplified_chinese_fonts(cli_run: dict) -> None:
    fonts = pdf_fonts(cli_run["pdf"])
    assert fonts
    assert any("CJK" in row[0] and "SC" in row[0] for row in fonts)
    # Columns: name type encoding emb sub uni object ID; every font embedded.
    assert all("yes" in row[-5:-2] for row in fonts), fonts


def test_summary_holds_no_personal_data(cli_run: dict, people: dict) -> None:
    assert len(people["names"]) > 100 and len(people["numbers"]) > 100
    assert_no_personal_data(cli_run["text"], people)
    assert_no_personal_data(cli_run["pdf_text"], people)
    assert_no_personal_data(nbformat.writes(cli_run["nb"]), people)


def test_executed_notebook_reads_the_ledgers_and_saves_its_parameters(cli_run: dict) -> None:
    nb = cli_run["nb"]
    assert nb.metadata["papermill"]["parameters"].get("facts_path") is None
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    streams = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "stream"]
    assert not streams  # no warnings or prints in the analyst's notebook either


def test_precomputed_facts_give_the_same_document(cli_run: dict, facts_run: dict) -> None:
    assert facts_run["text"] == cli_run["text"]
    assert squash(facts_run["pdf_text"]) == squash(cli_run["pdf_text"])


def test_missing_ledger_still_builds_and_says_no_data(missing_sheet_run: dict) -> None:
    text = squash(missing_sheet_run["text"])
    assert f"{COMMUNITY}{YEAR}年度工作总结" in squash(missing_sheet_run["pdf_text"])
    for heading in SECTION_HEADINGS:
        assert heading in text, heading
    # The sentence about disputes is left out, not written with 0.
    assert "矛盾纠纷" not in text.split("三、年度目标完成情况")[0]
    # The target on the 调解成功率 cannot be assessed: it leaves the table for 数据说明.
    target_part = text.split("三、年度目标完成情况")[1].split("四、存在问题")[0]
    assert "调解成功率" not in target_part and "无法评估" not in target_part
    # The data appendix names the absent ledger and the target it left unassessed.
    notes = text.split("附：数据说明")[1]
    assert "未提供的台账" in notes and "矛盾纠纷台账" in notes
    unassessed = notes[notes.index("以下目标因缺少数据未作评估："):].split("。")[0]
    assert "调解成功率" in unassessed


# -- the street overview and the explorer --------------------------------------------------

def test_overview_ranks_the_streets_communities(overview_run: dict) -> None:
    pdf = squash(overview_run["pdf_text"])
    assert f"{STREET}{YEAR}年度社区工作汇总" in pdf
    names = sorted(p.stem for p in (SAMPLE / "2024").glob("*.xlsx"))
    assert len(names) == 12
    for name in names:
        assert name in pdf, name
    for heading in ("一、街道总体情况", "二、工作亮点", "三、共性问题", "四、下一步工作打算",
                    "五、主要工作数据", "六、各社区工作比较", "七、年度目标完成情况"):
        assert heading in pdf
    assert "目录" in pdf
    assert f"{STREET}合计" in pdf
    # 开展活动 total: the sum of every community's own count. The tidy workbooks are counted
    # by hand here; the messy ones (titles above the header, text dates, 合计 and bad rows)
    # by the engine, whose reading of such sheets the reader and conformance tests check.
    facts = assemble.year_facts(SAMPLE, YEAR, ROOT / "parameters")
    counts = {n: facts.communities[n].value("activity.count") for n in names}
    tidy = {n: rows for n in names
            if (rows := activity_rows(SAMPLE / "2024" / f"{n}.xlsx")) is not None}
    assert len(tidy) >= 6
    for n, rows in tidy.items():
        assert counts[n] == activity_figures(rows, YEAR)[0], n
    total = sum(counts.values())
    assert f"{total:,}" in pdf or str(total) in pdf, total
    assert overview_run["html"].count('<figure class="chart') >= 1
    for mark in CODE_MARKS:
        assert mark not in overview_run["text"], mark


def chosen_row(name: str) -> str:
    """The explorer's table row of the chosen community, set in bold."""
    return f'<tr class="sk-chosen" style="font-weight:bold"><td>{name}</td>'


def test_explorer_runs_headless(tmp_path: Path) -> None:
    out = tmp_path / "explore.ipynb"
    nb = run_papermill(EXPLORE_NB, out, {"community": "望江社区", "year": YEAR}, cwd=NOTEBOOKS)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    views = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert views
    # The widgets fall back to static text without a live front end.
    assert all("text/plain" in o["data"] for o in views)
    # The first view (望江社区 highlighted among the street's communities) is an ordinary
    # output of the cell, for a reader who opens or exports the executed notebook.
    shown = [o for o in outputs if "text/html" in o.get("data", {})]
    assert len(shown) == 1
    html = shown[0]["data"]["text/html"]
    assert chosen_row("望江社区") in html and '<img src="data:image/png;base64,' in html


def test_explorer_redraws_when_a_control_changes() -> None:
    from shequ_kit import notebook

    box = notebook.explorer(SAMPLE, ROOT / "parameters", community="天运社区", year=YEAR,
                            indicator="activity.count")
    (c_year, c_comm), (c_line, c_ind) = (h.children for h in box.children)

    def shown() -> str:
        return box.explorer.shown

    first = shown()
    assert "开展活动" in first and "天运社区" in first
    ids = [i for _, i in c_ind.options]
    other = next(i for i in ids if i != "activity.count")
    c_ind.value = other
    assert shown() != first
    assert chosen_row("天运社区") in shown()
    c_comm.value = "望江社区"
    assert chosen_row("望江社区") in shown() and chosen_row("天运社区") not in shown()
    assert c_year.value == YEAR and c_line.value == c_line.options[0]

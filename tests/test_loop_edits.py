"""Edits are never lost: an output notebook the analyst changed after ``run`` wrote it
survives the next ``run`` and ``run --force`` under a timestamped name (said in the
summary line), unless ``--discard-edits``; a ``revise`` that finds nothing in one
community is that community's warning, not a failure of the others.

Real workbooks (the sample generator, two communities), real papermill, HTML only and a
short notebook, so each run takes seconds."""

from __future__ import annotations

import hashlib
import io
import json
import re
import warnings
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell
from test_export_helpers import notebook

from shequ_kit import sample
from shequ_kit.batch import DONE, SKIPPED, run_batch
from shequ_kit.narrative import Document, Paragraph, Section
from shequ_kit.notebook import RevisionNotFound, revise

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2024
A, B = "天运社区", "望江社区"  # sample.community_names(2)
ONLY_A = "天运社区辖区面积"  # a phrase only 天运社区's summary holds

# The report notebook reduced to what these tests need: the real facts and document,
# one revision written for 天运社区, the cover and one section.
CELLS = [
    ("code", 'community = "天运社区"\nyear = 2024\ndata_dir = "data/sample"\n'
             'params_dir = "parameters"\nfacts_path = None', ["parameters"]),
    ("code", "from shequ_kit.export import cover_meta, show_cover\n"
             "from shequ_kit.narrative import build_document\n"
             "from shequ_kit.notebook import load_community, revise, show_section\n"
             "facts = load_community(community, year, data_dir, params_dir, facts_path)\n"
             "doc = build_document(facts)", ["no-export"]),
    ("code", f'revise(doc, "{ONLY_A}", "本社区辖区面积")', []),
    ("code", "show_cover(cover_meta(facts))", []),
    ("code", 'show_section(doc, "profile", facts)', []),
]


# The street overview is not under test: a one-line stand-in keeps the run short.
OVERVIEW_CELLS = [
    ("code", 'street = None\nyear = 2024\ndata_dir = "data/sample"\n'
             'params_dir = "parameters"\nfacts_path = None', ["parameters"]),
    ("code", "from shequ_kit.export import show_cover\n"
             "show_cover({'title': '街道汇总', 'kind': 'overview'})", []),
]


@pytest.fixture(scope="module")
def street(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("loop-edits")
    data = base / "data"
    sample.generate(data, communities=2, years=(YEAR,), seed=7)
    nb_path = base / "report.ipynb"
    nbformat.write(notebook(CELLS), str(nb_path))
    return data, nb_path


def _run(street: tuple[Path, Path], out: Path, **kw: object) -> tuple[object, str]:
    data, nb_path = street
    log = io.StringIO()
    result = run_batch(data, YEAR, out_dir=out, params_dir=ROOT / "parameters",
                       communities=[A], formats=("html",), workers=1, notebook=nb_path,
                       progress=False, log=log, **kw)
    return result, log.getvalue()


def _edit(nb_file: Path, marker: str) -> None:
    nb = nbformat.read(str(nb_file), as_version=4)
    nb.cells.append(new_markdown_cell(marker))
    nbformat.write(nb, str(nb_file))


def _kept(folder: Path) -> dict[str, str]:
    """Kept copies by name → the markers the analyst added to them."""
    found = {}
    for p in sorted(folder.glob("*.已编辑-*.ipynb")):
        nb = nbformat.read(str(p), as_version=4)
        found[p.name] = "".join(c.source for c in nb.cells if "手改" in c.source)
    return found


def test_an_edited_notebook_survives_run_and_force(street, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result, _ = _run(street, out)
    key = f"community:{A}"
    assert result.reports[key]["status"] == DONE
    folder = out / str(YEAR) / A
    nb_file = folder / f"{A}{YEAR}年度工作总结.ipynb"
    recorded = json.loads((out / str(YEAR) / "manifest.json").read_text("utf-8"))
    assert recorded["reports"][key]["notebook_sha256"] == \
        hashlib.sha256(nb_file.read_bytes()).hexdigest()

    # Untouched: up to date, skipped as before.
    result, _ = _run(street, out)
    assert result.reports[key]["status"] == SKIPPED

    # Edited: built afresh, the edit kept under a timestamped name, said in the summary.
    _edit(nb_file, "手改一：补充楼道长队伍")
    result, log = _run(street, out)
    assert result.reports[key]["status"] == DONE and result.reports[key]["run"] == "本次生成"
    kept = _kept(folder)
    assert list(kept.values()) == ["手改一：补充楼道长队伍"]
    (name,) = kept
    assert re.fullmatch(rf"{A}{YEAR}年度工作总结\.已编辑-\d{{8}}-\d{{4}}\.ipynb", name)
    assert name in log.splitlines()[-1] and "手工编辑" in log.splitlines()[-1]
    assert "手改" not in nb_file.read_text("utf-8")

    # Edited again, then --force: kept too, next to the first copy.
    _edit(nb_file, "手改二：调整措辞")
    result, log = _run(street, out, force=True)
    assert sorted(_kept(folder).values()) == ["手改一：补充楼道长队伍", "手改二：调整措辞"]
    assert "手改" not in nb_file.read_text("utf-8")

    # --discard-edits: overwritten, no copy, and the summary says so.
    _edit(nb_file, "手改三：不要了")
    result, log = _run(street, out, discard_edits=True)
    assert len(_kept(folder)) == 2
    assert "手改" not in nb_file.read_text("utf-8")
    assert "--discard-edits" in log.splitlines()[-1]


def test_a_revision_for_one_community_warns_in_the_other(street, tmp_path: Path) -> None:
    data, nb_path = street
    overview = tmp_path / "overview.ipynb"
    nbformat.write(notebook(OVERVIEW_CELLS), str(overview))
    log = io.StringIO()
    result = run_batch(data, YEAR, out_dir=tmp_path / "out", params_dir=ROOT / "parameters",
                       communities=[A, B], formats=("html",), workers=1,
                       notebook=nb_path, overview_notebook=overview, progress=False, log=log)
    reports = result.reports
    assert reports[f"community:{A}"]["status"] == DONE
    assert reports[f"community:{B}"]["status"] == DONE
    assert "warnings" not in reports[f"community:{A}"]
    (warning,) = reports[f"community:{B}"]["warnings"]
    assert warning.startswith("第3个单元格") and f"“{ONLY_A}”" in warning
    assert f"警告：{B}：{warning}" in log.getvalue()
    html_b = (tmp_path / "out" / str(YEAR) / B / f"{B}{YEAR}年度工作总结.html").read_text("utf-8")
    assert "未在总结中找到" not in html_b and "已修改" not in html_b
    html_a = (tmp_path / "out" / str(YEAR) / A / f"{A}{YEAR}年度工作总结.html").read_text("utf-8")
    assert "本社区辖区面积" in html_a and "已修改" not in html_a


def test_revise_without_a_match_warns_and_changes_nothing() -> None:
    doc = Document(title="t", cover={}, sections=[
        Section("work", "二、主要工作", blocks=[Paragraph("全年开展活动四十场次。")])])
    with pytest.warns(RevisionNotFound, match="未在总结中找到要修改的原文：“五十场次”"):
        assert revise(doc, "五十场次", "六十场次") == 0
    assert doc.sections[0].blocks[0].content == "全年开展活动四十场次。"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert revise(doc, "四十场次", "四十二场次") == 1
    assert doc.sections[0].blocks[0].content == "全年开展活动四十二场次。"

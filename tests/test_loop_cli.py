"""``shequ-kit export 笔记本.ipynb``: a copy of a report notebook in any folder becomes
``<封面标题>.html/.pdf`` there, through the same guard as ``run`` (its look-up built from
the ledgers the notebook's parameters name); ``--execute`` re-runs it first."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell
from test_export_helpers import execute, notebook, pdf_pages

from shequ_kit import cli, privacy, sample
from shequ_kit.reader import read_year

YEAR = 2024
TITLE = "天运社区2024年度工作总结"


def _cells(data: Path) -> list[tuple[str, str, list[str]]]:
    return [
        ("code", f'community = "天运社区"\nyear = {YEAR}\ndata_dir = {str(data)!r}',
         ["parameters"]),
        ("code", "from shequ_kit.export import show_cover\n"
                 f"show_cover({{'title': '{TITLE}', 'street': '青枫街道'}})", []),
        ("markdown", "## 补充、分析员的话\n\n楼道长队伍不断壮大。", []),
        ("code", "print('打印的补充说明')", []),
    ]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("loop-cli")
    data = base / "data"
    sample.generate(data, communities=1, years=(YEAR,), seed=11)
    return data, execute(notebook(_cells(data)), base / "run", "report")


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["export", *args])
    return code, out.getvalue(), err.getvalue()


def test_export_of_a_copy_writes_titled_files_beside_it(made, tmp_path: Path) -> None:
    copy = tmp_path / "副本" / "我改过的.ipynb"
    copy.parent.mkdir()
    shutil.copy(made[1], copy)
    code, out, err = _cli(str(copy), "--formats", "html")
    assert code == 0, err
    html = copy.parent / f"{TITLE}.html"
    assert sorted(p.name for p in copy.parent.iterdir()) == sorted([copy.name, html.name])
    text = html.read_text("utf-8")
    assert "补充、分析员的话" in text and "楼道长队伍不断壮大。" in text and "打印的补充说明" in text
    assert str(html) in out


def test_execute_reruns_saves_and_exports_pdf_to_out(made, tmp_path: Path) -> None:
    copy = tmp_path / "report.ipynb"
    shutil.copy(made[1], copy)
    nb = nbformat.read(str(copy), as_version=4)
    nb.cells.append(new_code_cell("print('重新运行后新增的一句')"))
    nbformat.write(nb, str(copy))
    out_dir = tmp_path / "导出"
    code, _, err = _cli(str(copy), "--execute", "--out", str(out_dir))
    assert code == 0, err
    assert sorted(p.name for p in out_dir.iterdir()) == [f"{TITLE}.html", f"{TITLE}.pdf"]
    pages = "".join(pdf_pages(out_dir / f"{TITLE}.pdf"))
    assert pages.index("打印的补充说明") < pages.index("重新运行后新增的一句")
    saved = nbformat.read(str(copy), as_version=4)
    assert "重新运行后新增的一句" in saved.cells[-1].outputs[0]["text"]


def test_a_residents_name_from_the_ledgers_is_refused(made, tmp_path: Path) -> None:
    # A name is personal only because the ledgers list it (an ID or a phone is caught by
    # its shape alone), so this shows the guard's look-up was built from the ledgers.
    data, executed = made
    _, _, name_cols = privacy._personal_columns()
    names = [str(v) for book in read_year(data, YEAR).books.values()
             for sheet, frame in book.sheets.items()
             for c in name_cols.get(sheet, ()) if c in frame.columns
             for v in frame[c] if isinstance(v, str) and v.strip()]
    assert names  # the premise: the sample ledger holds residents' names
    nb = nbformat.read(str(executed), as_version=4)
    nb.cells[3].outputs[0]["text"] = f"{names[0]}\n"
    copy = tmp_path / "leak.ipynb"
    nbformat.write(nb, str(copy))
    code, out, err = _cli(str(copy))
    assert code == 1
    assert err.startswith("错误：第4个单元格") and "个人信息" in err
    assert names[0] not in err + out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["leak.ipynb"]


def test_without_ledgers_the_export_refuses(made, tmp_path: Path) -> None:
    nb = nbformat.read(str(made[1]), as_version=4)
    nb.cells[0].source = f'community = "天运社区"\nyear = {YEAR}\ndata_dir = "没有这个目录"'
    copy = tmp_path / "nodata.ipynb"
    nbformat.write(nb, str(copy))
    code, _, err = _cli(str(copy))
    assert code == 1 and "未找到台账目录" in err and "--data" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nodata.ipynb"]
    # Naming the ledgers on the command line lets it through.
    code, _, err = _cli(str(copy), "--data", str(made[0]), "--formats", "html")
    assert code == 0, err
    assert (tmp_path / f"{TITLE}.html").is_file()

"""``jupyter nbconvert --to shequ_pdf`` gives the PDF ``shequ-kit run`` writes.

The exporter is found the way nbconvert finds any: through the ``nbconvert.exporters``
entry point declared in pyproject.toml. The shared environment's installed metadata may
predate the declaration, so the test puts a distribution record carrying exactly the
pyproject's entry points on the path of the ``jupyter nbconvert`` it runs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from shequ_kit import sample
from shequ_kit.batch import run_batch

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2024
JUPYTER = Path(sys.executable).with_name("jupyter")


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def pdf_fonts(path: Path) -> list[str]:
    """Embedded faces without the subset tag (ABCDEF+), which differs run to run."""
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    return sorted({re.sub(r"^[A-Z]{6}\+", "", line.split()[0]) for line in lines})


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder whose distribution record declares pyproject.toml's nbconvert exporters."""
    eps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "entry-points"]["nbconvert.exporters"]
    folder = tmp_path_factory.mktemp("site")
    info = folder / "shequ_kit_entry_points-0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: shequ_kit_entry_points\n"
                                   "Version: 0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        "[nbconvert.exporters]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items()),
        encoding="utf-8")
    return folder


def nbconvert(site: Path, notebook: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]))
    return subprocess.run([str(JUPYTER), "nbconvert", "--to", "shequ_pdf", notebook.name],
                          cwd=notebook.parent, env=env, capture_output=True, text=True,
                          timeout=300, check=False)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the executed notebook, the PDF the kit wrote for it)."""
    data = tmp_path_factory.mktemp("data")
    sample.generate(data, communities=1, years=(YEAR,), seed=3)
    out = tmp_path_factory.mktemp("out")
    result = run_batch(data, YEAR, out_dir=out, params_dir=ROOT / "parameters", workers=1,
                       progress=False)
    assert result.exit_code == 0, result.failed
    (pdf,) = (out / str(YEAR)).rglob("*工作总结.pdf")
    return pdf.with_suffix(".ipynb"), pdf


def test_nbconvert_gives_the_kits_pdf(site: Path, report: tuple[Path, Path],
                                      tmp_path: Path) -> None:
    nb, kit_pdf = report
    mine = tmp_path / "笔记本.ipynb"
    shutil.copy(nb, mine)
    done = nbconvert(site, mine)
    assert done.returncode == 0, done.stderr
    pdf = mine.with_suffix(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf_pages(pdf) == pdf_pages(kit_pdf) > 1
    assert pdf_fonts(pdf) == pdf_fonts(kit_pdf)
    assert all("CJK SC" in f.replace("-", " ") for f in pdf_fonts(pdf))
    # pdftotext separates pages by form feeds: equal text is equal pages, page by page.
    assert pdf_text(pdf) == pdf_text(kit_pdf)
    assert "工作总结" in pdf_text(pdf)


def test_without_the_ledgers_nothing_unguarded_is_written(site: Path,
                                                          report: tuple[Path, Path],
                                                          tmp_path: Path) -> None:
    nb, _ = report
    doc = json.loads(nb.read_text(encoding="utf-8"))
    doc["metadata"]["papermill"]["parameters"]["data_dir"] = str(tmp_path / "没有台账")
    mine = tmp_path / "笔记本.ipynb"
    mine.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    done = nbconvert(site, mine)
    assert done.returncode != 0
    assert "无法找到该笔记本所用的台账" in done.stderr
    assert not mine.with_suffix(".pdf").exists()

"""The printed summary as a leader leafs through it: real PDFs of the committed sample
community (天运社区) and of a community of a freshly generated street (seed 11, workbooks
nobody tuned the layout to), read back with poppler.

Page fullness is measured, not guessed: each page is rasterised and the lowest inked row
inside the text area (report.css.j2's @page margins) gives how far down the page the
content reaches. Only the cover and the last page may stop above half-way."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from PIL import Image

from shequ_kit import sample

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).parent / "shequ-kit"
YEAR = 2024
SEED = 11
# report.css.j2: @page { size: A4; margin: 25mm 26mm 24mm 28mm }
PAGE_MM = (210.0, 297.0)
TOP_MM, RIGHT_MM, BOTTOM_MM, LEFT_MM = 25.0, 26.0, 24.0, 28.0
INK = 200  # a grey level below this is ink (text, rules, chart pixels)


def tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"缺少工具 {name}（poppler-utils），请先运行 make setup"
    return path


def render(data: Path, community: str, out: Path) -> Path:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    proc = subprocess.run([str(SCRIPT), "run", "--data", str(data), "--year", str(YEAR),
                           "--out", str(out), "--community", community, "--workers", "1",
                           "--formats", "pdf"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    pdfs = list(out.rglob(f"{community}*.pdf"))
    assert len(pdfs) == 1, pdfs
    return pdfs[0]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("layout")
    street = folder / "street"
    sample.generate(street, communities=2, years=(YEAR - 1, YEAR), seed=SEED)
    return {"sample": render(ROOT / "data" / "sample", "天运社区", folder / "a"),
            "seed": render(street, "望江社区", folder / "b")}


def fullness(pdf: Path, dpi: int = 30) -> list[float]:
    """For each page, how far down the text area the lowest ink reaches (0 = empty,
    1 = to the bottom margin); the page number in the foot margin is not counted."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([tool("pdftoppm"), "-r", str(dpi), "-gray", "-png", str(pdf),
                        f"{tmp}/p"], check=True)
        pages = sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem.split("-")[1]))
        for page in pages:
            image = Image.open(page).convert("L")
            width, height = image.size
            per_mm = height / PAGE_MM[1]
            top, bottom = round(TOP_MM * per_mm), round(height - BOTTOM_MM * per_mm)
            pixels = image.load()
            lowest = next((y for y in range(bottom - 1, top - 1, -1)
                           if any(pixels[x, y] < INK for x in range(width))), top)
            out.append((lowest - top) / (bottom - top))
    return out


WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                  r"([^<]*)</word>")


def words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's words (xMin, yMin, xMax, yMax in pt, text), as poppler splits them:
    a run of CJK on one line is one word, so a label broken over two lines is two."""
    xml = subprocess.run([tool("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return [[(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in WORD.findall(p)]
            for p in xml.split("<page ")[1:]]


def pt(mm: float) -> float:
    return mm / 25.4 * 72


def test_the_measure_sees_a_half_empty_page(tmp_path: Path) -> None:
    """The ruler itself: a page with one line at the top reads nearly empty, a page
    filled to the foot reads full (WeasyPrint, the report's own margins)."""
    from weasyprint import HTML

    css = (f"@page {{ size: A4; margin: {TOP_MM}mm {RIGHT_MM}mm {BOTTOM_MM}mm {LEFT_MM}mm }}"
           "p { margin: 0; font-size: 12pt; line-height: 1.75 }")
    pdf = tmp_path / "ruler.pdf"
    lines = "".join("<p>一行文字</p>" for _ in range(40))  # 40 × 21pt > one page
    HTML(string=f"<style>{css}</style><p>一行文字</p><p style='break-before: page'></p>"
         f"{lines}").write_pdf(pdf)
    first, second = fullness(pdf)[:2]
    assert first < 0.1
    assert second > 0.9


def notes_page(pdf: Path) -> int:
    """The 1-based page on which 附：数据说明 opens."""
    return next(n for n, page in enumerate(words(pdf), 1)
                if any(w[4] == "附：数据说明" for w in page))


@pytest.mark.parametrize("which", ["sample", "seed"])
def test_no_page_but_the_cover_and_the_last_is_less_than_half_full(pdfs, which) -> None:
    """The last page of the body, the one the 落款 ends, is a last page too: the
    appendix must start a page of its own, so the body may end anywhere on its page."""
    pages = fullness(pdfs[which])
    assert len(pages) >= 4
    ends = {len(pages), notes_page(pdfs[which]) - 1}
    thin = {n: round(f, 2) for n, f in enumerate(pages, 1)
            if n > 1 and n not in ends and f < 0.5}
    assert not thin, f"{which}: 未过半的页（页码: 占比）{thin}；全部 {pages}"


@pytest.mark.parametrize("which", ["sample", "seed"])
def test_the_signature_is_set_right_on_one_page(pdfs, which) -> None:
    pages = words(pdfs[which])
    width = pt(PAGE_MM[0])
    right_edge = width - pt(RIGHT_MM)
    found = [(n, w) for n, page in enumerate(pages) for w in page if w[4].endswith("居委会")
             and w[0] > width / 2]
    assert found, "落款不在页面右侧"
    n, body = found[-1]
    date_word = next(w for w in pages[n] if re.fullmatch(r"20\d\d年\d{1,2}月\d{1,2}日", w[4])
                     and w[1] > body[1])
    # both lines end at the same place, near the text area's right edge
    assert abs(body[2] - date_word[2]) < 1
    assert right_edge - pt(15) < body[2] <= right_edge + 1
    assert date_word[1] - body[3] < 12  # the date is the very next line, same page
    # never alone on its page: the closing paragraph's last lines come along
    assert any(w[3] <= body[1] for w in pages[n])


@pytest.mark.parametrize("which", ["sample", "seed"])
def test_the_data_notes_open_a_page_of_their_own(pdfs, which) -> None:
    pages = words(pdfs[which])
    n = notes_page(pdfs[which]) - 1
    first = min(pages[n], key=lambda w: w[1])
    assert first[4] == "附：数据说明"
    assert not any(w[4] == "附：数据说明" for w in pages[n - 1])


def test_headers_and_indicator_names_are_not_broken_inside_a_word(pdfs) -> None:
    text = [w[4] for page in words(pdfs["sample"]) for w in page]
    # the cover title and the targets table's header, each one unbroken word
    assert "天运社区2024年度工作总结" in text
    for label in ("指标", "目标", "实际完成", "完成情况", "差距或说明"):
        assert label in text, label
    # 天运社区's targets (parameters/天运社区.yaml) include the re-employment rate
    assert "登记失业人员再就业率" in text
    assert "再就" not in text and "业率" not in text

"""A real report rendered by the real community notebook to PDF (WeasyPrint) and Word,
then the Word file opened by another reader: LibreOffice converts it to PDF headless.
Its pages and words must match the WeasyPrint PDF's within reason, and its faces must
be the chains' Chinese serif for the body and sans for 一、 headings."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import docx
import pytest
from test_export_helpers import require_tool
from test_run_report import FIXTURES, ROOT

from shequ_kit import docx_writer, report
from shequ_kit.facts import CommunityFacts


def pdf_text(path: Path) -> str:
    return subprocess.run([require_tool("pdftotext"), str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def pages(path: Path) -> int:
    info = subprocess.run([require_tool("pdfinfo"), str(path)], capture_output=True,
                          text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    facts = CommunityFacts.from_json(
        (FIXTURES / "narrative_tianyun.json").read_text(encoding="utf-8"))
    task = report.community_task(facts, report.COMMUNITY_NOTEBOOK, ROOT / "data" / "sample",
                                 ROOT / "parameters", formats=("pdf", "docx"))
    result = report.render(task)
    assert result.ok, result.reason
    assert {"pdf", "docx", "ipynb"} <= set(result.files)
    assert "export_docx" in result.timings
    folder = tmp_path_factory.mktemp("word")
    for ext in ("pdf", "docx"):
        (folder / f"总结.{ext}").write_bytes(result.files[ext])
    conf = folder / "fonts.conf"
    conf.write_text(docx_writer.fontconfig_aliases(), encoding="utf-8")
    soffice = require_tool("soffice")
    out = folder / "lo"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{folder}/profile",
                    "--convert-to", "pdf", "--outdir", str(out), str(folder / "总结.docx")],
                   check=True, capture_output=True, timeout=300,
                   env={"PATH": "/usr/bin:/bin", "HOME": str(folder),
                        "FONTCONFIG_FILE": str(conf)})
    return {"weasy": folder / "总结.pdf", "docx": folder / "总结.docx",
            "lo": out / "总结.pdf"}


def test_libreoffice_pages_are_within_forty_percent_of_the_pdf(rendered: dict[str, Path]
                                                                ) -> None:
    weasy, lo = pages(rendered["weasy"]), pages(rendered["lo"])
    assert 0.6 * weasy <= lo <= 1.4 * weasy, (weasy, lo)


def test_every_heading_and_sentence_is_in_both_pdfs(rendered: dict[str, Path]) -> None:
    read = docx.Document(str(rendered["docx"]))
    headings = [p.text for p in read.paragraphs if p.style.name.startswith("Heading")]
    # the summary's numbered parts and its six 版块 at least (report.md)
    assert sum(h[0] in "一二三四五" and h[1] == "、" for h in headings) == 5
    assert sum(h.startswith("（") for h in headings) >= 6
    lo, weasy = squeeze(pdf_text(rendered["lo"])), squeeze(pdf_text(rendered["weasy"]))
    for h in headings + ["天运社区2024年度工作总结"]:
        assert squeeze(h) in lo and squeeze(h) in weasy, h
    body = [p.text for p in read.paragraphs if p.style.name == "Normal" and len(p.text) > 40]
    assert len(body) > 10
    for text in body:  # every long paragraph reads the same in both
        assert squeeze(text)[:40] in lo and squeeze(text)[:40] in weasy, text[:40]
    assert "—1—" in lo and "—2—" in lo  # page numbers


def test_libreoffice_uses_the_chains_chinese_faces(rendered: dict[str, Path]) -> None:
    fonts = subprocess.run([require_tool("pdffonts"), str(rendered["lo"])],
                           capture_output=True, text=True, check=True).stdout
    faces = [line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]]
    # the items' bold captions are in the body's face: 仿宋_GB2312 → 仿宋 → Noto Serif CJK
    assert any(f.startswith("NotoSerifCJK") and "-Bold" in f for f in faces), faces
    # nothing else is bold, and 黑体 (一、 headings, table heads) → Noto Sans CJK, regular;
    # without the chains LibreOffice sets the missing 仿宋_GB2312 in a bold sans
    assert not any(f.startswith("NotoSansCJK") and "-Bold" in f for f in faces), faces
    assert any(f.startswith("NotoSansCJK") for f in faces), faces


def test_charts_in_word_are_the_notebooks_pngs(rendered: dict[str, Path]) -> None:
    read = docx.Document(str(rendered["docx"]))
    captions = [p.text for p in read.paragraphs if p.style.name == "Caption"
                and p.text.startswith("图")]
    assert len(read.inline_shapes) == len(captions) >= 4
    assert captions[0].startswith("图1　") and captions[1].startswith("图2　")
    # print resolution: the charts' 200 dpi PNGs at 150 mm are well over 150 dpi
    for shape in read.inline_shapes:
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        image = read.part.related_parts[blip.embed].image
        assert image.px_width / (shape.width.mm / 25.4) >= 150
    assert io.BytesIO(rendered["docx"].read_bytes()).getbuffer().nbytes < 5_000_000


def test_the_chains_resolve_on_linux_as_documented(tmp_path: Path) -> None:
    conf = tmp_path / "fonts.conf"
    conf.write_text(docx_writer.fontconfig_aliases(), encoding="utf-8")

    def match(family: str) -> str:
        return subprocess.run([require_tool("fc-match"), f"{family}:lang=zh-cn",
                               "family", "style"], capture_output=True, text=True, check=True,
                              env={"PATH": "/usr/bin:/bin", "FONTCONFIG_FILE": str(conf)}
                              ).stdout.strip()

    assert match("方正小标宋简体").startswith("Noto Serif CJK SC:style=Bold")
    assert match("仿宋_GB2312").startswith("Noto Serif CJK SC:style=Regular")
    assert match("楷体_GB2312").startswith("Noto Serif CJK SC:style=Regular")
    assert match("黑体").startswith("Noto Sans CJK SC:style=Regular")

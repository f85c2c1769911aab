"""Importing the package makes an analyst's own matplotlib chart draw 中文: checked by
glyph (the face matplotlib resolves has every character of the title; the PDF it writes
embeds a CJK face), not by eye. Each check runs in a fresh interpreter, as a kernel does,
so nothing the test process imported earlier can set the font for it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from test_export_helpers import pdf_fonts

ROOT = Path(__file__).resolve().parents[1]
TITLE = "楼道长季度新增人数"

SCRIPT = f"""
import json, sys
import shequ_kit  # the analyst's notebook imports the kit; nothing else sets a font
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import font_manager
from fontTools.ttLib import TTCollection, TTFont

fig, ax = plt.subplots(figsize=(3, 2))
ax.set_title("{TITLE}")
ax.bar(["一季度", "二季度"], [5, 7])
fig.savefig(sys.argv[1])
prop = font_manager.FontProperties(family=matplotlib.rcParams["font.family"])
path = font_manager.findfont(prop, fallback_to_default=False)
index = getattr(path, "face_index", 0) or 0
font = (TTCollection(path).fonts[index] if str(path).lower().endswith((".ttc", ".otc"))
        else TTFont(path))
cmap = font.getBestCmap()
print(json.dumps({{"path": str(path), "missing": [c for c in "{TITLE}一季度" if ord(c) not in cmap]}}))
"""


def _run(out: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(out)], capture_output=True,
                          text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_sets_a_face_that_has_the_titles_glyphs(tmp_path: Path) -> None:
    found = _run(tmp_path / "chart.pdf")
    assert found["missing"] == [], found


def test_the_chart_pdf_embeds_a_cjk_face(tmp_path: Path) -> None:
    pdf = tmp_path / "chart.pdf"
    _run(pdf)
    names = [f["name"] for f in pdf_fonts(pdf)]
    assert any("CJK" in n or "SourceHan" in n for n in names), names

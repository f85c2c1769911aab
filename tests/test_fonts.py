"""The charts' Chinese face: Simplified Chinese chosen by name, not the collection's first
(Japanese) face; glyphs checked against the face's own cmap."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pytest
from fontTools.ttLib import TTCollection
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from shequ_kit import fonts

ROOT = Path(__file__).resolve().parents[1]
NOTO_SANS = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
# 直 (U+76F4) is drawn differently in Japan (the inner stroke runs down the left) and on
# the mainland; the Noto collection maps it to a different glyph in each face.
DIFFERS = "直"


def _faces() -> dict[str, object]:
    collection = TTCollection(str(NOTO_SANS), lazy=True)
    return {font["name"].getDebugName(1): font for font in collection.fonts}


def _render(text: str, family: str) -> np.ndarray:
    fig = Figure(figsize=(1, 1), dpi=100)
    canvas = FigureCanvasAgg(fig)
    fig.text(0.5, 0.5, text, family=family, size=48, ha="center", va="center")
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., 0].copy()


def test_the_chosen_face_is_the_simplified_chinese_one():
    choice = fonts.chinese_font()
    assert choice.family == "Noto Sans CJK SC"
    assert Path(choice.path) == NOTO_SANS
    face = TTCollection(choice.path, lazy=True).fonts[choice.index]
    assert face["name"].getDebugName(1) == "Noto Sans CJK SC"
    # The first face of the collection is the Japanese one, the trap this avoids.
    assert TTCollection(choice.path, lazy=True).fonts[0]["name"].getDebugName(1) == \
        "Noto Sans CJK JP"
    assert choice.index != 0


def test_the_sc_face_maps_a_character_to_its_mainland_glyph():
    faces = _faces()
    choice = fonts.chinese_font()
    chosen = TTCollection(choice.path, lazy=True).fonts[choice.index].getBestCmap()
    sc = faces["Noto Sans CJK SC"].getBestCmap()
    jp = faces["Noto Sans CJK JP"].getBestCmap()
    assert sc[ord(DIFFERS)] != jp[ord(DIFFERS)]
    assert chosen[ord(DIFFERS)] == sc[ord(DIFFERS)]


def test_matplotlib_draws_the_sc_shapes_after_use_in_matplotlib():
    with mpl.rc_context():
        family = fonts.use_in_matplotlib()
        assert family == "Noto Sans CJK SC"
        assert mpl.rcParams["font.sans-serif"][0] == "Noto Sans CJK SC"
        assert mpl.rcParams["axes.unicode_minus"] is False
        ours = _render(DIFFERS, "sans-serif")
        sc = _render(DIFFERS, "Noto Sans CJK SC")
        jp = _render(DIFFERS, "Noto Sans CJK JP")
        assert (ours < 128).sum() > 100  # something was drawn
        assert np.array_equal(ours, sc)
        assert not np.array_equal(ours, jp)
        # A character the two faces share is drawn the same: the difference above is
        # the glyph, not the set-up.
        assert np.array_equal(_render("口", "Noto Sans CJK SC"), _render("口", "Noto Sans CJK JP"))


def test_missing_glyphs_lists_each_missing_character_once():
    assert fonts.missing_glyphs("各月活动场次（场次）：12%，同比增长6.7%") == []
    assert fonts.missing_glyphs("党建\n活动\t1") == []  # layout characters need no glyph
    assert fonts.missing_glyphs("活动😀场次😀🀄") == ["😀", "🀄"]
    # Another face, another cmap: DejaVu Sans has Latin but no Chinese.
    assert fonts.missing_glyphs("A直", family="DejaVu Sans") == ["直"]


def test_check_glyphs_names_the_characters_and_the_place_in_chinese():
    fonts.check_glyphs("各月开展活动场次", "图表“各月开展活动场次”的标签")  # no error
    with pytest.raises(fonts.MissingGlyphError) as err:
        fonts.check_glyphs("党建😀活动", "图表“各月开展活动场次”的标签")
    message = str(err.value)
    assert "图表“各月开展活动场次”的标签" in message
    assert "“😀”（U+1F600）" in message
    assert "无法显示" in message
    assert err.value.chars == ["😀"]


def _run(code: str, cachedir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "MPLCONFIGDIR": str(cachedir)}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_font_list_cached_before_the_fonts_were_installed_is_refreshed(tmp_path):
    # The cache a machine has when matplotlib was first imported before fonts-noto-cjk.
    stale = font_manager.FontManager()
    stale.ttflist = [e for e in stale.ttflist if "CJK" not in e.name]
    cache = tmp_path / f"fontlist-v{font_manager.FontManager.__version__}.json"
    font_manager.json_dump(stale, cache)
    assert "Noto Sans CJK SC" not in cache.read_text()
    done = _run("""
        from matplotlib import font_manager
        assert "Noto Sans CJK SC" not in font_manager.fontManager.get_font_names()
        from shequ_kit import fonts
        print(fonts.chinese_font().family)
    """, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Noto Sans CJK SC"
    names = {e["name"] for e in json.loads(cache.read_text())["ttflist"]}
    assert "Noto Sans CJK SC" in names  # the next process starts with the face


def test_no_chinese_face_tells_the_user_how_to_install_one(tmp_path):
    done = _run("""
        from shequ_kit import fonts
        fonts.PREFERRED_FAMILIES = ("不存在的黑体 SC",)
        try:
            fonts.chinese_font()
        except fonts.FontNotFoundError as exc:
            print(exc)
        else:
            print("没有报错")
    """, tmp_path)
    assert done.returncode == 0, done.stderr
    message = done.stdout.strip()
    assert message.startswith("未找到简体中文字体")
    assert "make setup" in message and "fonts-noto-cjk" in message

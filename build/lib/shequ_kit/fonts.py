"""The Simplified Chinese face every chart is drawn in.

Leadership reads the charts in print, so a chart must draw Chinese in a Simplified
Chinese (SC) face: a generic "sans-serif" lets matplotlib pick whatever CJK face comes
first, and the common Noto CJK collection holds the Japanese face first, whose glyphs for
characters such as 直、骨、角 differ from the mainland forms. The face is therefore chosen
by name, in the same spirit as the HTML/PDF export names its faces to fontconfig.

A character the face cannot draw would print as an empty box (豆腐块) that nobody
notices until the PDF is on a leader's desk, so ``check_glyphs`` turns it into an error
naming the characters and the chart they sit in.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

__all__ = [
    "PREFERRED_FAMILIES",
    "FontChoice",
    "FontNotFoundError",
    "MissingGlyphError",
    "chinese_font",
    "use_in_matplotlib",
    "missing_glyphs",
    "check_glyphs",
]

log = logging.getLogger(__name__)

# In order of preference: Noto/Source Han are the same design (installed by make setup),
# then the faces a Linux, Windows or macOS desktop usually has.
PREFERRED_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
)

_INSTALL_HINT = ("请运行 make setup，或以 root 身份执行 apt-get install fonts-noto-cjk "
                 "安装 Noto Sans CJK SC 字体后重试。")


class FontNotFoundError(RuntimeError):
    """No Simplified Chinese face is installed: charts would show boxes instead of text."""


class MissingGlyphError(ValueError):
    """Text holds characters the chosen face cannot draw; ``chars`` lists them."""

    def __init__(self, message: str, chars: list[str], where: str):
        super().__init__(message)
        self.chars = chars
        self.where = where


@dataclass(frozen=True)
class FontChoice:
    """The chosen face: its family name, its file and its index inside a collection."""

    family: str
    path: str
    index: int = 0


def _known_entries() -> dict[str, font_manager.FontEntry]:
    """Regular-weight entries of matplotlib's font list for the preferred families."""
    found: dict[str, font_manager.FontEntry] = {}
    for entry in font_manager.fontManager.ttflist:
        if entry.name not in PREFERRED_FAMILIES or entry.style != "normal":
            continue
        best = found.get(entry.name)
        if best is None or abs(_weight(entry) - 400) < abs(_weight(best) - 400):
            found[entry.name] = entry
    return found


def _weight(entry: font_manager.FontEntry) -> int:
    weight = entry.weight
    if isinstance(weight, str):
        return font_manager.weight_dict.get(weight, 400)
    return int(weight)


def _system_files() -> list[str]:
    """Files fontconfig knows for the preferred families (empty without fontconfig)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    files: list[str] = []
    for family in PREFERRED_FAMILIES:
        out = subprocess.run([fc_list, f":family={family}", "file"], capture_output=True,
                             text=True, check=False).stdout
        for line in out.splitlines():
            path = line.strip().rstrip(":").strip()
            if path and path not in files:
                files.append(path)
    return files


def _refresh_font_list() -> None:
    """Add the faces installed after matplotlib built its font list, and save the list.

    matplotlib caches the system's fonts at its first import and never looks again, so a
    machine that got fonts-noto-cjk afterwards would keep drawing boxes. The refreshed
    list is written back to matplotlib's cache so later processes start with it.
    """
    manager = font_manager.fontManager
    files = _system_files()
    if files:
        for path in files:
            try:
                manager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # unreadable file: skip it
                log.debug("无法读取字体文件 %s", path)
    else:  # no fontconfig: rescan the system the way matplotlib does
        fresh = font_manager.FontManager()
        for entry in fresh.ttflist:
            if entry.name in PREFERRED_FAMILIES:
                manager.addfont(entry.fname)
    cache = Path(mpl.get_cachedir(), f"fontlist-v{font_manager.FontManager.__version__}.json")
    try:
        font_manager.json_dump(manager, cache)
    except OSError:  # a read-only cache directory only costs the next process this step
        log.debug("无法写入 matplotlib 字体缓存 %s", cache)


@lru_cache(maxsize=1)
def chinese_font() -> FontChoice:
    """The preferred SC face on this machine; refreshes matplotlib's font list once."""
    entries = _known_entries()
    if not entries:
        _refresh_font_list()
        entries = _known_entries()
    for family in PREFERRED_FAMILIES:
        entry = entries.get(family)
        if entry is not None:
            return FontChoice(family=family, path=str(entry.fname),
                              index=int(getattr(entry, "index", 0) or 0))
    raise FontNotFoundError(
        "未找到简体中文字体（" + "、".join(PREFERRED_FAMILIES) + "），图表中的中文将无法显示。"
        + _INSTALL_HINT)


def rc_params(family: str | None = None) -> dict[str, object]:
    """The matplotlib settings that make text use the SC face (for ``rc_context``)."""
    family = family or chinese_font().family
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans"],
        "axes.unicode_minus": False,  # U+2212 is not in every CJK face; "-" is
    }


def use_in_matplotlib() -> str:
    """Make the analyst's own plots in a notebook draw Chinese in the SC face too."""
    family = chinese_font().family
    mpl.rcParams.update(rc_params(family))
    return family


def _face_path(family: str) -> tuple[str, int]:
    if family == chinese_font().family:
        choice = chinese_font()
        return choice.path, choice.index
    prop = font_manager.FontProperties(family=family)
    try:
        found = font_manager.fontManager.findfont(prop, fallback_to_default=False)
    except ValueError as exc:
        raise FontNotFoundError(f"未找到字体“{family}”。" + _INSTALL_HINT) from exc
    return str(found), int(getattr(found, "face_index", 0) or 0)


@lru_cache(maxsize=8)
def _cmap(path: str, index: int) -> frozenset[int]:
    """Code points the face maps to a glyph (its cmap), read once per face."""
    from fontTools.ttLib import TTCollection, TTFont

    if path.lower().endswith((".ttc", ".otc")):
        collection = TTCollection(path, lazy=True)
        try:
            return frozenset(collection.fonts[index].getBestCmap() or {})
        finally:
            collection.close()
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


def _needs_glyph(ch: str) -> bool:
    # Line breaks, tabs and other controls are layout, not glyphs.
    return not (ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf"))


def missing_glyphs(text: str, family: str | None = None) -> list[str]:
    """Characters of ``text`` the face has no glyph for, each once, in order of use."""
    path, index = _face_path(family or chinese_font().family)
    cmap = _cmap(path, index)
    missing: list[str] = []
    for ch in text:
        if _needs_glyph(ch) and ord(ch) not in cmap and ch not in missing:
            missing.append(ch)
    return missing


def check_glyphs(text: str, where: str) -> None:
    """Refuse text that would print as empty boxes; ``where`` names its place in Chinese."""
    missing = missing_glyphs(text)
    if missing:
        shown = "、".join(f"“{ch}”（U+{ord(ch):04X}）" for ch in missing)
        raise MissingGlyphError(
            f"{where}中有字体“{chinese_font().family}”无法显示的字符：{shown}。"
            "请改用常用汉字或标点，或安装包含这些字符的简体中文字体。",
            chars=missing, where=where)

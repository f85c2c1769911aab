"""Names that become paths, checked once, here.

A 社区名称 or 所属街道 typed in a workbook, a 文种 or a period named on the command line
all end up as folder and file names under ``--out``. A street office's workbooks come
from dozens of clerks, so a name may hold a slash, ``..``, a line break, or be long
enough that the file system refuses it; any of these would write outside ``--out`` or
crash the run half-way. Every such name goes through :func:`check_name` before any path
is built from it, and every write goes through :func:`inside` so that no joined path can
leave the output folder whatever the name.
"""

from __future__ import annotations

import re
from pathlib import Path

from .values import mask_personal

__all__ = ["MAX_NAME_BYTES", "MAX_NAME_CHARS", "UnsafeNameError", "check_name", "inside"]

# File systems allow 255 bytes a name. A 社区名称 becomes a folder and, with a suffix such
# as 2024年上半年工作总结.ipynb (34 bytes), a file name: 200 bytes (66 CJK characters)
# leaves room for the longest suffix; 80 characters bounds names in Latin letters.
MAX_NAME_CHARS = 80
MAX_NAME_BYTES = 200
MAX_FILE_BYTES = 255

_SEPARATORS = re.compile(r"[/\\]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*]')
# Names Windows will not create, whatever the extension: the files are copied to office PCs.
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$", re.IGNORECASE)


class UnsafeNameError(ValueError):
    """A name that cannot safely become a folder or file name; the message is Chinese and
    says which name (its kind), the value and why."""

    def __init__(self, what: str, value: str, why: str):
        self.what, self.value, self.why = what, value, why
        shown = value if len(value) <= 40 else value[:40] + "…"
        shown = mask_personal(_CONTROL.sub("?", shown))
        super().__init__(f"{what}“{shown}”{why}，无法用作文件名，请修改")


def check_name(value: object, what: str = "名称", limit: bool = True) -> str:
    """``value`` as a name for a folder or file, or :class:`UnsafeNameError`.

    ``what`` names the field for the message (社区名称, 所属街道, 文种, 期间). Leading and
    trailing spaces are not part of a name anyone typed on purpose and are stripped.
    ``limit`` False skips the length bounds, for a whole file title whose bytes
    :func:`inside` checks.
    """
    name = str(value if value is not None else "").strip()
    if not name:
        raise UnsafeNameError(what, name, "为空")
    if _SEPARATORS.search(name):
        raise UnsafeNameError(what, name, "含有路径分隔符（/ 或 \\）")
    if ".." in name or name.startswith("."):
        raise UnsafeNameError(what, name, "含有“..”或以“.”开头")
    if _CONTROL.search(name):
        raise UnsafeNameError(what, name, "含有换行符或其他控制字符")
    if _WINDOWS_FORBIDDEN.search(name):
        raise UnsafeNameError(what, name, '含有文件名中不允许的字符（< > : " | ? *）')
    if _RESERVED.match(name):
        raise UnsafeNameError(what, name, "是操作系统保留的名称")
    if limit and len(name) > MAX_NAME_CHARS:
        raise UnsafeNameError(what, name, f"长达{len(name)}个字符，超过{MAX_NAME_CHARS}个字符的上限")
    if limit and len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise UnsafeNameError(what, name, f"过长（{len(name)}个字符，超过{MAX_NAME_BYTES}字节）")
    return name


def inside(root: Path, path: Path) -> Path:
    """``path`` if it stays under ``root`` once resolved (symlinks and ``..`` followed),
    else :class:`UnsafeNameError`; also refuses a file name over 255 bytes."""
    resolved_root = Path(root).resolve()
    resolved = Path(path).resolve()
    if resolved != resolved_root and resolved_root not in resolved.parents:
        raise UnsafeNameError("输出路径", str(path), f"不在输出目录 {root} 之内")
    for part in Path(path).relative_to(root).parts if Path(path).is_relative_to(root) else ():
        if len(part.encode("utf-8")) > MAX_FILE_BYTES:
            raise UnsafeNameError("文件名", part, f"超过{MAX_FILE_BYTES}字节")
    return Path(path)

"""JupyterLab in 简体中文: the language pack's locale as the installation's default.

The analysts read no English; ``jupyterlab-language-pack-zh-CN`` (a dependency) only
makes 中文 *available* in JupyterLab's 设置 → 语言 menu. JupyterLab picks the language
from the ``@jupyterlab/translation-extension:plugin`` setting ``locale``, whose default
an installation may override in ``<app_dir>/settings/overrides.d/*.json``. ``make setup``
runs ``python -m shequ_kit.labsettings`` to write the kit's own file there (its own name,
so a user's ``overrides.json`` is left alone and the user may still switch language).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

__all__ = ["LOCALE", "PLUGIN", "lab_settings_dir", "write_lab_settings"]

PLUGIN = "@jupyterlab/translation-extension:plugin"
LOCALE = "zh_CN"
FILE_NAME = "shequ-kit.json"


def lab_settings_dir() -> Path:
    """The application settings folder of the JupyterLab this Python runs."""
    from jupyterlab.commands import get_app_dir

    return Path(get_app_dir()) / "settings"


def write_lab_settings(settings_dir: Path | str | None = None) -> Path:
    """Write ``overrides.d/shequ-kit.json`` (locale zh_CN) and return its path."""
    folder = Path(settings_dir) if settings_dir is not None else lab_settings_dir()
    target = folder / "overrides.d" / FILE_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({PLUGIN: {"locale": LOCALE}}, ensure_ascii=False, indent=2)
                      + "\n", encoding="utf-8")
    return target


if __name__ == "__main__":
    print(f"JupyterLab 默认语言已设为简体中文：{write_lab_settings(*sys.argv[1:2])}")

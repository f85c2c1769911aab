"""JupyterLab opens in 简体中文: the language pack is installed and its locale is the
installation's default (what ``make setup`` writes)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

from shequ_kit import labsettings

ROOT = Path(__file__).resolve().parents[1]


def locale_default(app_settings: Path, user_settings: Path) -> str:
    """The locale JupyterLab's settings API hands the front end, read the way the lab
    server reads it (its schemas, the overrides in ``app_settings``)."""
    from jupyterlab.commands import get_app_dir
    from jupyterlab_server.settings_utils import get_settings

    result, _ = get_settings(str(app_settings), str(Path(get_app_dir()) / "schemas"),
                             str(user_settings), schema_name=labsettings.PLUGIN)
    return result["schema"]["properties"]["locale"]["default"]


def test_the_written_setting_makes_zh_cn_the_default(tmp_path: Path) -> None:
    app = tmp_path / "settings"
    assert locale_default(app, tmp_path / "user") != "zh_CN"
    # A user's own overrides.json is kept as it was.
    app.mkdir()
    (app / "overrides.json").write_text('{"x:y": {"a": 1}}', encoding="utf-8")
    written = labsettings.write_lab_settings(app)
    assert json.loads(written.read_text(encoding="utf-8")) == {
        "@jupyterlab/translation-extension:plugin": {"locale": "zh_CN"}}
    assert locale_default(app, tmp_path / "user") == "zh_CN"
    assert (app / "overrides.json").read_text(encoding="utf-8") == '{"x:y": {"a": 1}}'


def test_the_installation_defaults_to_zh_cn(tmp_path: Path) -> None:
    """The setup step ran for this environment (``make setup`` →
    ``python -m shequ_kit.labsettings``)."""
    assert locale_default(labsettings.lab_settings_dir(), tmp_path) == "zh_CN"


def test_the_language_pack_is_installed_and_listed() -> None:
    from jupyterlab_server.translation_utils import get_language_packs

    packs, _ = get_language_packs("zh_CN")
    assert "zh_CN" in packs
    out = subprocess.run([sys.executable, "-c",
                          "import jupyterlab_language_pack_zh_CN as p; print(p.__name__)"],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr


def test_declared_as_a_dependency_and_set_up_by_make() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "dependencies"]
    assert any(d.lower().startswith("jupyterlab-language-pack-zh-cn") for d in deps)
    assert "jupyterlab-language-pack-zh-CN" in (ROOT / "environment.yml").read_text(
        encoding="utf-8")
    assert "-m shequ_kit.labsettings" in (ROOT / "Makefile").read_text(encoding="utf-8")

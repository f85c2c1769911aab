"""`pip install .` without -e can run reports: the notebooks travel inside the package.

A district IT office installs the kit as a normal package on a machine that has no
checkout; the report notebooks must then come from the installed package, not from a
notebooks/ folder that is not there. This installs the project into a temporary folder
(no dependencies: they are those of this environment), and renders one report with it
from another working folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_non_editable_install_ships_and_runs_the_notebooks(tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(target), str(ROOT)], check=True, capture_output=True, text=True,
                   timeout=600)
    shipped = sorted(p.name for p in (target / "shequ_kit" / "notebooks").iterdir())
    assert shipped == ["community_report.ipynb", "explore.ipynb", "street_overview.ipynb"]
    assert not (target / "shequ_kit" / "notebooks").is_symlink()
    # Every rules file of the source tree (文种 declarations in rules/doctypes/ too) ships.
    rules = ROOT / "shequ_kit" / "rules"
    wanted = sorted(str(p.relative_to(rules)) for p in rules.rglob("*.yaml"))
    got = sorted(str(p.relative_to(target / "shequ_kit" / "rules"))
                 for p in (target / "shequ_kit" / "rules").rglob("*.yaml"))
    assert got == wanted
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run([sys.executable, "-c", "import shequ_kit.report as r; "
                            "print(r.COMMUNITY_NOTEBOOK)"], env=env, cwd=tmp_path,
                           capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).is_relative_to(target)
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "shequ_kit.cli", "run", "--data", str(ROOT / "data/sample"),
         "--year", "2024", "--params", str(ROOT / "parameters"), "--out", str(out),
         "--community", "天运社区"], env=env, cwd=tmp_path, capture_output=True, text=True,
        timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "2024" / "天运社区" / "天运社区2024年度工作总结.pdf").stat().st_size > 10_000

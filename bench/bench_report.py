"""Does a change slow down `make report`? The sample street, this tree against a baseline.

A street office re-runs the whole street whenever a workbook changes, so the time of
``shequ-kit run --force`` on the sample street is the number that matters to them. This
checks out a baseline revision (default: the commit 4 hours before HEAD, or any REV) into
a temporary git worktree and times, in one process and alternating so that load on the
machine hits both alike:

    baseline: python -m shequ_kit.cli run --data data/sample --year Y --out TMP --force
    current:  the same command on this working tree

Each side runs ``--rounds`` times (default 3); it prints every time, the medians and the
ratio current/baseline. Nothing is asserted: the ratio is for the person reviewing the
change (issue budgets are stated as ratios, e.g. "no more than 10% slower").

    python bench/bench_report.py [--base REV] [--rounds 3] [--year 2024] [--formats html,pdf]
    python bench/bench_report.py --base HEAD --formats html,pdf --current-formats html,pdf,docx
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def _default_base() -> str:
    rev = _git("rev-list", "-1", "--before=4 hours ago", "HEAD")
    return rev or _git("rev-list", "--max-parents=0", "HEAD").splitlines()[-1]


def _time_run(tree: Path, year: int, out: Path, formats: str | None) -> float:
    """One full, forced run of the sample street with ``tree``'s package and notebooks."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    cmd = [sys.executable, "-m", "shequ_kit.cli", "run", "--data", str(tree / "data/sample"),
           "--year", str(year), "--out", str(out), "--force"]
    if formats:
        cmd += ["--formats", formats]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    took = time.perf_counter() - t0
    if done.returncode not in (0, 1):
        raise SystemExit(f"运行失败（{tree}）：\n{done.stderr[-2000:]}")
    return took


def main() -> int:
    ap = argparse.ArgumentParser(description="本次改动前后生成示例街道报告的用时对比")
    ap.add_argument("--base", default=None, help="对比的基准版本（默认：4小时前的提交）")
    ap.add_argument("--rounds", type=int, default=3, help="每方运行次数（默认3）")
    ap.add_argument("--year", type=int, default=2024, help="年份（默认2024）")
    ap.add_argument("--formats", default=None,
                    help="两方都用的输出格式（如 html,pdf；默认各自的默认格式）")
    ap.add_argument("--current-formats", default=None,
                    help="只用于当前版本的输出格式（如比较加上 docx 的代价）")
    a = ap.parse_args()

    base = a.base or _default_base()
    work = Path(tempfile.mkdtemp(prefix="shequ-bench-report-"))
    base_tree = work / "base"
    try:
        _git("worktree", "add", "--detach", "-q", str(base_tree), base)
        times: dict[str, list[float]] = {"基准": [], "当前": []}
        for i in range(a.rounds):
            for label, tree in (("基准", base_tree), ("当前", ROOT)):
                fmts = a.current_formats if label == "当前" and a.current_formats else a.formats
                took = _time_run(tree, a.year, work / f"out-{label}-{i}", fmts)
                times[label].append(took)
                print(f"第{i + 1}轮 {label}：{took:.1f}秒", flush=True)
        b, c = statistics.median(times["基准"]), statistics.median(times["当前"])
        print(f"基准 {base[:10]}：中位数{b:.1f}秒；当前：中位数{c:.1f}秒；"
              f"当前/基准 = {c / b:.2f}")
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                        str(base_tree)], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

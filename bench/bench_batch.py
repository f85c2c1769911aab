"""How much faster is `shequ-kit run` than the loop an analyst would write by hand?

On the same generated street (N communities, 2023 and 2024) this times, in one run:

1. the naive loop: per report ``papermill`` (the notebook reads the ledgers itself), then
   ``jupyter nbconvert --to html --no-input``, then ``python -m weasyprint``;
2. ``run_batch`` (facts once, a pool of warm workers, guarded export in-process);
3. an in-process lower bound: the same documents built from the facts and exported
   without any kernel, one after the other in this process.

It prints both wall times and their ratio, the kit's cost per report against the lower
bound, and the peak memory (sum of RSS) of this process and all its children, sampled.

    python bench/bench_batch.py --communities 12
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shequ_kit import report, sample  # noqa: E402
from shequ_kit.batch import run_batch  # noqa: E402

BIN = Path(sys.executable).parent


class PeakMemory:
    """Samples the RSS of this process and every descendant (workers, kernels, CLI
    tools) in a background thread; shared pages are counted once per process, so the
    figure is an upper bound."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        me = psutil.Process()
        total = 0
        for p in [me, *me.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _run(cmd: list[str], cwd: Path) -> None:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"命令失败：{' '.join(cmd[:3])} …\n{done.stderr[-2000:]}")


def naive_loop(data: Path, year: int, names: list[str], streets: list[str],
               out: Path) -> int:
    """What an analyst writes first: three command-line tools per report."""
    jobs: list[tuple[Path, list[str]]] = [
        (report.COMMUNITY_NOTEBOOK, ["-p", "community", n]) for n in names]
    jobs += [(report.OVERVIEW_NOTEBOOK, ["-p", "street", s]) for s in streets]
    for i, (nb, params) in enumerate(jobs):
        stem = out / f"report{i}"
        _run([str(BIN / "papermill"), str(nb), f"{stem}.ipynb", *params,
              "-p", "year", str(year), "-p", "data_dir", str(data),
              "-p", "params_dir", str(ROOT / "parameters"), "-k", "python3",
              "--no-progress-bar"], ROOT)
        _run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
              f"{stem}.ipynb", "--output", f"{stem}.html"], ROOT)
        _run([sys.executable, "-m", "weasyprint", f"{stem}.html", f"{stem}.pdf"], ROOT)
    return len(jobs)


def lower_bound(data: Path, year: int) -> tuple[int, float]:
    """The same documents without any kernel: facts → document → HTML → PDF."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from shequ_kit import export, narrative
    from shequ_kit.assemble import year_facts

    facts = year_facts(data, year, ROOT / "parameters")
    export.warm_up()
    t0 = time.perf_counter()
    docs = [(narrative.build_document(f), f) for f in facts.communities.values()]
    docs += [(narrative.build_overview(s), s) for s in facts.streets.values()]
    for doc, f in docs:
        nb = new_notebook()
        cell = new_code_cell("")
        cell.outputs = [new_output("display_data", data={"text/html": doc.html(cover=False)})]
        nb.cells.append(cell)
        html = export.to_html(nbformat.from_dict(nb), export.cover_meta(f))
        export.render_pdf(html)
    return len(docs), time.perf_counter() - t0


def make_street(data: Path, communities: int, years: tuple[int, int], seed: int
                ) -> list[str]:
    """The sample street; beyond its 24 communities, copies renamed into a second street
    (names and street replaced in every text cell), so 48 communities make two streets."""
    from openpyxl import load_workbook

    first = min(communities, len(sample.COMMUNITY_NAMES))
    sample.generate(data, communities=first, years=years, seed=seed)
    names = sample.community_names(first)
    for name in names[: communities - first]:
        twin = name.replace("社区", "二社区")
        for year in years:
            wb = load_workbook(data / str(year) / f"{name}.xlsx")
            for ws in wb.worksheets:
                for row in ws.iter_rows():
                    for cell in row:
                        if isinstance(cell.value, str) and (name in cell.value
                                                            or sample.STREET in cell.value):
                            cell.value = cell.value.replace(name, twin).replace(
                                sample.STREET, "白沙街道")
            wb.save(data / str(year) / f"{twin}.xlsx")
        names.append(twin)
    return names


def main() -> int:
    ap = argparse.ArgumentParser(description="批量生成与手写循环的速度对比")
    ap.add_argument("--communities", type=int, default=12, help="社区数（默认12）")
    ap.add_argument("--year", type=int, default=2024, help="年份（默认2024）")
    ap.add_argument("--seed", type=int, default=2024, help="示例数据随机种子")
    ap.add_argument("--workers", type=int, default=None, help="并行进程数（默认CPU核数）")
    ap.add_argument("--skip-naive", action="store_true", help="不运行手写循环（只测批量）")
    ap.add_argument("--keep", action="store_true", help="保留生成的数据与报告")
    a = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="shequ-bench-"))
    try:
        data = work / "data"
        names = make_street(data, a.communities, (a.year - 1, a.year), a.seed)
        print(f"数据：{a.communities}个社区，{a.year - 1}-{a.year}年，CPU {os.cpu_count()}核")

        with PeakMemory() as kit_mem:
            t0 = time.perf_counter()
            result = run_batch(data, a.year, out_dir=work / "kit", workers=a.workers,
                               force=True, progress=False, log=open(os.devnull, "w"))
            kit = time.perf_counter() - t0
        if result.exit_code != 0:
            print(f"批量运行未全部成功：{result.error or result.failed}")
        n = sum(1 for v in result.reports.values() if v.get("status") == "完成")
        workers = a.workers or os.cpu_count() or 1
        print(f"shequ-kit run：{kit:.1f}秒，{n}份报告，"
              f"峰值内存{kit_mem.peak / 2**30:.2f}GB（进程树RSS之和）")

        reports, bound = lower_bound(data, a.year)
        per_kit = kit * min(workers, n) / max(n, 1)
        print(f"进程内下限（无内核，单进程）：{bound:.1f}秒，每份{bound / reports:.2f}秒；"
              f"批量每份占用{per_kit:.2f}核·秒（{per_kit / (bound / reports):.1f}倍于下限）")

        if not a.skip_naive:
            streets = [k.split(":", 1)[1] for k in result.reports if k.startswith("overview:")]
            (work / "naive").mkdir()
            with PeakMemory() as naive_mem:
                t0 = time.perf_counter()
                count = naive_loop(data, a.year, names, streets, work / "naive")
                naive = time.perf_counter() - t0
            print(f"手写循环（papermill → nbconvert → weasyprint）：{naive:.1f}秒，"
                  f"{count}份报告，峰值内存{naive_mem.peak / 2**30:.2f}GB")
            print(f"加速比：{naive / kit:.1f}倍")
    finally:
        if a.keep:
            print(f"数据与报告保留在：{work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

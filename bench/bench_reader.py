"""How fast do a street's ledgers become indicators, and what does the reader choice buy?

On the committed sample street (or a generated one with ``--communities``) this times,
in one process:

1. a plain openpyxl read of every sheet of every workbook (``read_only=True``, values
   only): the baseline an analyst would write;
2. ``shequ_kit.reader.read_year`` (python-calamine plus every check of ledgers.md);
3. ``assemble.year_facts``: both years read, every indicator, target and street total.

It prints seconds per 10,000 ledger rows for (1) and (2), their ratio, and the total of
(3). Nothing is asserted: the numbers are for the person tuning the reader.

    python bench/bench_reader.py [--communities 12]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shequ_kit import reader, sample  # noqa: E402
from shequ_kit.assemble import year_facts  # noqa: E402


def openpyxl_rows(paths: list[Path]) -> int:
    rows = 0
    for path in paths:
        wb = load_workbook(path, read_only=True, data_only=True)
        for ws in wb.worksheets:
            rows += sum(1 for row in ws.iter_rows(values_only=True)
                        if any(v is not None for v in row))
        wb.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description="台账读取与指标计算耗时")
    ap.add_argument("--communities", type=int, default=0,
                    help="生成的社区数（默认0：使用data/sample）")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        data = ROOT / "data" / "sample"
        if args.communities:
            data = Path(tmp)
            sample.generate(data, communities=args.communities)
        years = sorted(int(p.name) for p in data.iterdir() if p.name.isdigit())
        paths = [p for y in years for p in reader.find_workbooks(data, y)]

        t0 = time.perf_counter()
        rows = openpyxl_rows(paths)
        t_openpyxl = time.perf_counter() - t0

        t0 = time.perf_counter()
        for y in years:
            reader.read_year(data, y)
        t_reader = time.perf_counter() - t0

        t0 = time.perf_counter()
        facts = year_facts(data, years[-1], ROOT / "parameters")
        t_facts = time.perf_counter() - t0

    per = 10_000 / max(rows, 1)
    print(f"工作簿：{len(paths)}个，台账行（含表头）：{rows:,}")
    print(f"openpyxl 只读逐行读取：{t_openpyxl:.2f}秒，每万行{t_openpyxl * per:.2f}秒")
    print(f"shequ_kit 读取（calamine+全部校验）：{t_reader:.2f}秒，每万行{t_reader * per:.2f}秒")
    print(f"倍数（openpyxl ÷ shequ_kit）：{t_openpyxl / t_reader:.1f}")
    print(f"{years[-1]}年全部社区读取两年台账并计算指标、目标和街道合计："
          f"{t_facts:.2f}秒（{len(facts.communities)}个社区）")


if __name__ == "__main__":
    main()

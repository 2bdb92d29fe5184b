"""Time reading a Qualtrics export: peereval beside plain pandas, in one run.

    python benchmarks/bench_loaders.py [--sizes 1000 10000 50000] [--items 60] [--repeat 5]

pandas.read_csv(skiprows=[1, 2]) is the floor: it only splits the text. peereval
also detects the platform, reads the three header rows, types the metadata,
classifies every column and (second timing) codes the choice-text labels as
numbers; the printed ratios say what that costs. Target (issue 8): a 50,000-row
export read in under 2 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd
from _data import write_qualtrics
from _timing import median_time

import peereval


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'rows':>7} {'pandas':>9} {'peereval read':>14} {'+ numeric':>10} "
          f"{'read/pandas':>12} {'total/pandas':>13}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = Path(tmp) / f"qualtrics_{n}.csv"
            write_qualtrics(path, n, args.items)
            floor = median_time(lambda p=path: pd.read_csv(p, skiprows=[1, 2], dtype=object),
                                args.repeat)
            read = median_time(lambda p=path: peereval.read_export(p), args.repeat)
            total = median_time(lambda p=path: peereval.read_export(p).numeric(), args.repeat)
            print(f"{n:>7} {floor:>8.3f}s {read:>13.3f}s {total:>9.3f}s "
                  f"{read / floor:>11.1f}x {total / floor:>12.1f}x")


if __name__ == "__main__":
    main()

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
import csv
import io
import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from _timing import median_time

import peereval

LABELS = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
          "Strongly agree"]
META = [("StartDate", "startDate"), ("EndDate", "endDate"), ("Status", "status"),
        ("Progress", "progress"), ("Duration (in seconds)", "duration"),
        ("Finished", "finished"), ("ResponseId", "_recordId")]


def write_export(path: Path, n: int, k: int, seed: int = 1) -> None:
    """A choice-text Qualtrics export with ``n`` respondents and ``k`` matrix items."""
    rng = np.random.default_rng(seed)
    codes = [f"Q{j // 10 + 1}_{j % 10 + 1}" for j in range(k)]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([t for t, _ in META] + codes)
    writer.writerow([t for t, _ in META] + [f"Question {c}" for c in codes])
    writer.writerow([json.dumps({"ImportId": i}) for _, i in META]
                    + [json.dumps({"ImportId": f"QID{c[1:]}"}) for c in codes])
    answers = rng.integers(0, 5, (n, k))
    missing = rng.random((n, k)) < 0.02
    for i in range(n):
        row = ["2024-03-02 09:14:05", "2024-03-02 09:19:47", "IP Address", "100", "342",
               "True", f"R_{i:015d}"]
        row += ["" if missing[i, j] else LABELS[answers[i, j]] for j in range(k)]
        writer.writerow(row)
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))




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
            write_export(path, n, args.items)
            floor = median_time(lambda p=path: pd.read_csv(p, skiprows=[1, 2], dtype=object),
                                args.repeat)
            read = median_time(lambda p=path: peereval.read_export(p), args.repeat)
            total = median_time(lambda p=path: peereval.read_export(p).numeric(), args.repeat)
            print(f"{n:>7} {floor:>8.3f}s {read:>13.3f}s {total:>9.3f}s "
                  f"{read / floor:>11.1f}x {total / floor:>12.1f}x")


if __name__ == "__main__":
    main()

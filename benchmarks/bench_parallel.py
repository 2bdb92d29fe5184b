"""Time parallel analysis: Wishart draws beside simulating raw data, in one run.

    python benchmarks/bench_parallel.py [--items 60] [--iter 1000] [--sizes 500 5000 50000]

peereval draws each simulated correlation matrix from its Wishart distribution
(O(p³) whatever n is); the naive way simulates n x p normal data and correlates it
(O(n p²) per iteration), timed on ``--naive-iter`` iterations and scaled. Target
(issue 4): 1,000 iterations for 60 variables in under 2 s at any n.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from peereval.validity import parallel_analysis


def naive(n: int, p: int, iterations: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.empty((iterations, p))
    for i in range(iterations):
        corr = np.corrcoef(rng.standard_normal((n, p)), rowvar=False)
        out[i] = np.linalg.eigvalsh(corr)[::-1]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--iter", type=int, default=1000)
    parser.add_argument("--naive-iter", type=int, default=20)
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000, 50000])
    args = parser.parse_args()
    p = args.items
    print(f"{'n':>7} {'peereval':>10} {'naive (scaled)':>15} {'ratio':>7}")
    for n in args.sizes:
        rng = np.random.default_rng(1)
        common = rng.standard_normal((n, 1))
        data = pd.DataFrame(common * 0.6 + rng.standard_normal((n, p)))
        start = time.perf_counter()
        parallel_analysis(data, n_iter=args.iter, seed=1)
        ours = time.perf_counter() - start
        start = time.perf_counter()
        naive(n, p, args.naive_iter, 2)
        slow = (time.perf_counter() - start) * args.iter / args.naive_iter
        print(f"{n:>7} {ours:>9.2f}s {slow:>14.2f}s {slow / ours:>6.1f}x")
    verdict = "meets" if ours < 2 else f"misses by {ours - 2:.2f} s"
    print(f"target: {args.iter} iterations, {p} variables under 2 s at any n -> {verdict}")


if __name__ == "__main__":
    main()

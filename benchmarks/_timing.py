"""Timing, peak memory and R timings shared by the benchmark scripts."""

from __future__ import annotations

import gc
import shutil
import statistics
import subprocess
import time
import tracemalloc
from collections.abc import Callable


def median_time(func: Callable[[], object], repeat: int) -> float:
    """Median wall-clock seconds of ``repeat`` calls of ``func``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_memory(func: Callable[[], object]) -> float:
    """Peak memory (MiB) allocated by one call of ``func``, beyond what was held before.

    Measured with :mod:`tracemalloc`, which sees numpy's and pandas' array buffers as
    well as Python objects; memory held by BLAS or other C libraries is not counted.
    Run separately from the timings (tracing slows the call down).
    """
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def r_available(*packages: str) -> bool:
    """True when Rscript runs and has every package."""
    if shutil.which("Rscript") is None:
        return False
    test = " && ".join(f"requireNamespace('{p}', quietly = TRUE)" for p in packages) or "TRUE"
    done = subprocess.run(["Rscript", "-e", f"quit(status = if ({test}) 0 else 1)"],
                          capture_output=True, timeout=120, check=False)
    return done.returncode == 0


def r_seconds(script: str, timeout: float = 1800) -> list[float]:
    """Run an R script that ``cat``s numbers (timings from ``system.time``); return them.

    Timing inside R leaves out R's start-up and the reading of the data.
    """
    done = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"R failed: {done.stderr.strip()[-500:]}")
    return [float(v) for v in done.stdout.split()]

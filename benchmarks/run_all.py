"""Time peereval beside its peers on realistic data, in one run; print the table.

    python benchmarks/run_all.py                 # the sizes of docs/performance.md
    python benchmarks/run_all.py --full          # adds 200,000 respondents everywhere
    python benchmarks/run_all.py --quick --no-r  # a smoke test (tiny sizes, ~30 s)
    python benchmarks/run_all.py --docs          # also rewrite the table in docs/performance.md

Every row times one task on one data size: the median wall-clock time of peereval,
the median of a peer doing the same job (pingouin, semopy, statsmodels,
scikit-learn, scipy, a plain numpy loop, or R's psych, lavaan and MatchIt when
Rscript and the package are installed), their ratio (peer / peereval: above 1
means peereval is faster) and peereval's peak memory (tracemalloc, in a separate
call). Peers that would take minutes run on fewer resamples or a subsample and their
time is scaled; the "peer" column says so. R times are measured inside R
(``system.time``), leaving out R's start-up and the reading of the data.

The issue 8 targets (medians on a 2-core machine) are checked in the last column;
the exit status is 1 when one is missed (not with ``--quick``, whose sizes are not
the targets' and whose only purpose is to keep the scripts working).
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from _data import COVARIATES, cfa_model, student_records, survey_items, write_qualtrics
from _timing import median_time, peak_memory, r_available, r_seconds

import peereval
from peereval.errors import PeerevalWarning

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "performance.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"

#: Targets of issue 8: (task, size) -> seconds.
TARGETS = {
    ("read Qualtrics CSV export (60 items)", 50_000): 2.0,
    ("alpha + 2,000-resample BCa interval (60 items)", 50_000): 3.0,
    ("parallel analysis, 1,000 iterations (60 items)", 1_000): 2.0,
    ("parallel analysis, 1,000 iterations (60 items)", 50_000): 2.0,
    ("parallel analysis, 1,000 iterations (60 items)", 200_000): 2.0,
    ("EFA, 6 factors, minres + oblimin (60 items)", 50_000): 1.0,
    ("1:1 caliper propensity matching", 500_000): 5.0,
    ("import peereval", 0): 1.0,
    ("peereval report of the sample study", 0): 10.0,
}
#: Peak-memory target (MiB) of issue 8.
MEMORY_TARGETS = {("alpha + 2,000-resample BCa interval (60 items)", 50_000): 1024.0}


@dataclass
class Row:
    task: str
    size: int
    peereval_s: float
    peer: str = ""
    peer_s: float = math.nan
    peak_mib: float = math.nan

    @property
    def ratio(self) -> float:
        return self.peer_s / self.peereval_s

    def verdict(self) -> str:
        notes = []
        target = TARGETS.get((self.task, self.size))
        if target is not None:
            notes.append(f"< {target:g} s: " + ("met" if self.peereval_s < target else
                         f"MISSED by {self.peereval_s - target:.2f} s"))
        memory = MEMORY_TARGETS.get((self.task, self.size))
        if memory is not None and not math.isnan(self.peak_mib):
            notes.append(f"< {memory:g} MiB: " + ("met" if self.peak_mib < memory else
                         f"MISSED by {self.peak_mib - memory:.0f} MiB"))
        return "; ".join(notes)


@dataclass
class Settings:
    sizes: list[int]
    records: list[int]
    repeat: int
    use_r: bool
    quick: bool


def quiet(func: Callable[[], object]) -> Callable[[], object]:
    def call() -> object:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PeerevalWarning)
            return func()
    return call


def measure(task: str, size: int, ours: Callable[[], object], settings: Settings,
            memory: bool = True) -> Row:
    ours = quiet(ours)
    ours()  # warm up: imports and caches are not what is timed
    seconds = median_time(ours, settings.repeat)
    peak = peak_memory(ours) if memory else math.nan
    return Row(task, size, seconds, peak_mib=peak)


def r_seconds_on(data: pd.DataFrame, libraries: str, script: str) -> float:
    """Seconds R takes for ``script`` on ``data`` (read into ``d``), timed inside R."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.csv"
        data.to_csv(path, index=False)
        seconds, = r_seconds(f"suppressPackageStartupMessages({{{libraries}}})\n"
                             f'd <- read.csv("{path.as_posix()}")\n{script}')
    return seconds


def with_peer(row: Row, peer: str, seconds: float) -> Row:
    return Row(row.task, row.size, row.peereval_s, peer, seconds, row.peak_mib)


# ----------------------------------------------------------------------- cases


def case_read(settings: Settings) -> Iterator[Row]:
    task = "read Qualtrics CSV export (60 items)"
    with tempfile.TemporaryDirectory() as tmp:
        for n in settings.sizes:
            path = write_qualtrics(Path(tmp) / f"export_{n}.csv", n)
            row = measure(task, n, lambda p=path: peereval.read_export(p).numeric(),
                          settings)
            floor = median_time(lambda p=path: pd.read_csv(p, skiprows=[1, 2], dtype=object),
                                settings.repeat)
            yield with_peer(row, "pandas.read_csv (splitting only)", floor)


def case_alpha(settings: Settings) -> Iterator[Row]:
    import pingouin as pg

    from peereval.reliability import alpha

    for n in settings.sizes:
        data = survey_items(n)
        row = measure("alpha, Feldt interval (60 items)", n, lambda d=data: alpha(d),
                      settings)
        peer = median_time(lambda d=data: pg.cronbach_alpha(d), settings.repeat)
        yield with_peer(row, "pingouin.cronbach_alpha", peer)


def case_alpha_bca(settings: Settings) -> Iterator[Row]:
    from bench_alpha import naive_bootstrap

    from peereval.reliability import alpha

    n_boot = 200 if settings.quick else 2000
    task = f"alpha + {n_boot:,}-resample BCa interval (60 items)"
    for n in settings.sizes:
        data = survey_items(n)
        row = measure(task, n, lambda d=data: alpha(d, ci="bca", n_boot=n_boot, seed=1),
                      settings)
        few = 10 if settings.quick else 40
        loop = median_time(partial(naive_bootstrap, data.to_numpy(), few, 1), 1)
        yield with_peer(row, f"numpy loop ({few} resamples, scaled)", loop * n_boot / few)
        if settings.use_r and n <= 50_000:
            iters = 20
            seconds = r_seconds_on(data, "library(psych)", f"""
                cat(system.time(alpha(d, n.iter = {iters}, warnings = FALSE))[["elapsed"]])
            """)
            yield with_peer(row, f"R psych::alpha(n.iter = {iters}, scaled)",
                            seconds * n_boot / iters)
        jobs = measure(task.replace("interval", "interval, 2 workers"), n,
                       lambda d=data: alpha(d, ci="bca", n_boot=n_boot, seed=1, n_jobs=2),
                       settings, memory=False)
        yield with_peer(jobs, "peereval, 1 worker", row.peereval_s)


def case_parallel(settings: Settings) -> Iterator[Row]:
    from bench_parallel import naive as naive_parallel

    from peereval.validity import parallel_analysis

    n_iter = 100 if settings.quick else 1000
    task = f"parallel analysis, {n_iter:,} iterations (60 items)"
    for n in settings.sizes:
        data = survey_items(n)
        row = measure(task, n, lambda d=data: parallel_analysis(d, n_iter=n_iter, seed=1),
                      settings)
        few = 5 if n >= 50_000 else 20
        loop = median_time(partial(naive_parallel, n, 60, few, 2), 1)
        yield with_peer(row, f"numpy: simulate data + eigvalsh ({few}, scaled)",
                        loop * n_iter / few)
        if settings.use_r and n <= 10_000:
            iters = 20
            seconds = r_seconds_on(data, "library(psych)", f"""
                pdf(NULL)
                cat(system.time(invisible(capture.output(fa.parallel(d, n.iter = {iters},
                    fa = "both", plot = FALSE))))[["elapsed"]])
            """)
            yield with_peer(row, f"R psych::fa.parallel(n.iter = {iters}, scaled)",
                            seconds * n_iter / iters)


def case_efa(settings: Settings) -> Iterator[Row]:
    from sklearn.decomposition import FactorAnalysis
    from statsmodels.multivariate.factor import Factor

    from peereval.validity import efa

    task = "EFA, 6 factors, minres + oblimin (60 items)"
    for n in settings.sizes:
        data = survey_items(n)
        row = measure(task, n, lambda d=data: efa(d, 6), settings)
        sm = median_time(lambda d=data: Factor(d, n_factor=6, method="pa").fit()
                         .rotate("oblimin"), settings.repeat)
        yield with_peer(row, "statsmodels Factor (pa) + oblimin", sm)
        sk = median_time(lambda d=data: FactorAnalysis(6, rotation="varimax").fit(d),
                         settings.repeat)
        yield with_peer(row, "scikit-learn FactorAnalysis (ML, varimax)", sk)
        if settings.use_r:
            seconds = r_seconds_on(data, "library(psych); library(GPArotation)", """
                cat(system.time(fa(d, nfactors = 6, fm = "minres",
                                   rotate = "oblimin"))[["elapsed"]])
            """)
            yield with_peer(row, "R psych::fa (minres, oblimin)", seconds)


def case_cfa(settings: Settings) -> Iterator[Row]:
    from peereval.validity import cfa

    task = "CFA, 6 correlated factors, ML (60 items)"
    model = cfa_model()
    syntax = "\n".join(f"{f} =~ {' + '.join(items)}" for f, items in model.items())
    for n in settings.sizes:
        data = survey_items(n)
        row = measure(task, n, lambda d=data: cfa(d, model), settings)
        try:
            import semopy
        except ImportError:
            yield row
        else:
            peer = median_time(lambda d=data: semopy.Model(syntax).fit(d, obj="MLW"),
                               settings.repeat)
            yield with_peer(row, "semopy Model.fit (ML)", peer)
        if settings.use_r:
            lavaan = syntax.replace("\n", "\\n")
            seconds = r_seconds_on(data, "library(lavaan)", f"""
                cat(system.time(cfa("{lavaan}", data = d))[["elapsed"]])
            """)
            yield with_peer(row, "R lavaan::cfa (ML)", seconds)


def case_matching(settings: Settings) -> Iterator[Row]:
    from bench_matching import naive_match

    from peereval.outcomes import propensity_match

    task = "1:1 caliper propensity matching"
    for n in settings.records:
        data = student_records(n)
        row = measure(task, n, lambda d=data: propensity_match(d, "mentored", COVARIATES),
                      settings)
        sub = student_records(min(n, 8000), seed=6)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PeerevalWarning)
            logit = propensity_match(sub, "mentored", COVARIATES).propensity.linear.to_numpy()
        treated = (sub["mentored"] == "yes").to_numpy()
        loop = median_time(partial(naive_match, logit, treated), settings.repeat)
        share_t = float((data["mentored"] == "yes").mean())
        scale = (share_t * (1 - share_t) * n * n) / (treated.sum() * (~treated).sum())
        label = "numpy distance matrix, greedy" + (" (8,000, scaled)" if n > 8000 else "")
        yield with_peer(row, label, loop * scale)
        if settings.use_r and n <= 100_000:
            treat = data.assign(treat=(data["mentored"] == "yes").astype(int))
            seconds = r_seconds_on(treat, "library(MatchIt)", """
                cat(system.time(matchit(treat ~ gpa_entry + age + sex + prior_fail,
                    data = d, method = "nearest", caliper = 0.2,
                    link = "linear.logit"))[["elapsed"]])
            """)
            yield with_peer(row, "R MatchIt::matchit (nearest, caliper, with its glm)",
                            seconds)


def case_simulation(settings: Settings) -> Iterator[Row]:
    from scipy import stats

    from peereval.outcomes import compare, simulate_power
    from peereval.outcomes._compare import _permutation

    n_sim = 500 if settings.quick else 5000
    task = f"simulated power, {n_sim:,} studies, Welch t (100 + 100)"
    row = measure(task, 200, lambda: simulate_power(effect=0.4, n=100, n_sim=n_sim, seed=1),
                  settings)

    def loop() -> None:
        rng = np.random.default_rng(1)
        for _ in range(n_sim // 10):
            stats.ttest_ind(rng.normal(0.4, 1, 100), rng.normal(0, 1, 100), equal_var=False)

    yield with_peer(row, "scipy.stats.ttest_ind loop (scaled)",
                    median_time(loop, settings.repeat) * 10)
    jobs = measure(task.replace("(100", "2 workers (100"), 200,
                   lambda: simulate_power(effect=0.4, n=100, n_sim=n_sim, seed=1, n_jobs=2),
                   settings, memory=False)
    yield with_peer(jobs, "peereval, 1 worker", row.peereval_s)
    n_perm = 1000 if settings.quick else 10_000
    records = student_records(300, seed=3)
    yes = records.loc[records["mentored"] == "yes", "gpa_year1"].to_numpy()
    no = records.loc[records["mentored"] == "no", "gpa_year1"].to_numpy()
    row = measure(f"permutation p-value, {n_perm:,} random splits (n = 300)", 300,
                  partial(_permutation, yes, no, n_perm=n_perm, seed=1), settings)
    peer = median_time(lambda: stats.permutation_test(
        (yes, no), lambda a, b, axis: a.mean(axis) - b.mean(axis), n_resamples=n_perm,
        vectorized=True, rng=np.random.default_rng(1)), settings.repeat)
    yield with_peer(row, "scipy.stats.permutation_test (vectorised)", peer)
    row = measure(f"compare(test='permutation'), {n_perm:,} splits, with effect sizes", 300,
                  lambda: compare(records, "gpa_year1", "mentored", test="permutation",
                                  n_perm=n_perm, seed=1), settings)
    yield row


def _subprocess_seconds(code: list[str], repeat: int, cwd: Path | None = None) -> float:
    script = ("import subprocess, sys, time; start = time.perf_counter(); "
              f"subprocess.run({code!r}, check=True, capture_output=True); "
              "print(time.perf_counter() - start)")
    times = [float(subprocess.run([sys.executable, "-c", script], capture_output=True,
                                  text=True, check=True, cwd=cwd).stdout)
             for _ in range(repeat)]
    return float(np.median(times))


def case_startup(settings: Settings) -> Iterator[Row]:
    repeat = max(3, settings.repeat)
    python = sys.executable
    base = _subprocess_seconds([python, "-c", "pass"], repeat)
    ours = _subprocess_seconds([python, "-c", "import peereval"], repeat) - base
    pingouin = _subprocess_seconds([python, "-c", "import pingouin"], repeat) - base
    yield Row("import peereval", 0, ours, "import pingouin", pingouin)
    with tempfile.TemporaryDirectory() as tmp:
        report = _subprocess_seconds(
            [python, "-m", "peereval.cli", "report", "-q",
             str(ROOT / "data" / "sample" / "study.toml"), "-o", tmp],
            1 if settings.quick else settings.repeat)
    yield Row("peereval report of the sample study", 0, report)


CASES = {"read": case_read, "alpha": case_alpha, "alpha_bca": case_alpha_bca,
         "parallel": case_parallel, "efa": case_efa, "cfa": case_cfa,
         "matching": case_matching, "simulation": case_simulation,
         "startup": case_startup}


# ----------------------------------------------------------------------- output


def _size(n: int) -> str:
    return "" if n == 0 else f"{n:,}"


def markdown(rows: list[Row]) -> str:
    lines = ["| task | n | peereval (s) | peak MiB | peer | peer (s) | peer / peereval | target |",
             "|---|---:|---:|---:|---|---:|---:|---|"]
    for r in rows:
        peer_s = "" if math.isnan(r.peer_s) else f"{r.peer_s:.3g}"
        ratio = "" if math.isnan(r.peer_s) else f"{r.ratio:.3g}x"
        peak = "" if math.isnan(r.peak_mib) else f"{r.peak_mib:.0f}"
        lines.append(f"| {r.task} | {_size(r.size)} | {r.peereval_s:.3g} | {peak} | "
                     f"{r.peer} | {peer_s} | {ratio} | {r.verdict()} |")
    return "\n".join(lines)


def machine() -> str:
    import os

    import scipy

    return (f"{platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
            f"scipy {scipy.__version__}, peereval {peereval.__version__}")


def update_docs(table: str, about: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    DOCS.write_text(f"{head}{START}\n{about}\n\n{table}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test")
    parser.add_argument("--full", action="store_true", help="add 200,000 respondents")
    parser.add_argument("--no-r", action="store_true", help="leave R out")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="+", choices=sorted(CASES), help="these tasks only")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    parser.add_argument("--docs", action="store_true",
                        help="rewrite the results table in docs/performance.md")
    args = parser.parse_args(argv)
    if args.quick:
        settings = Settings([300, 1000], [2000], 1, False, True)
    else:
        sizes = [1_000, 10_000, 50_000] + ([200_000] if args.full else [])
        settings = Settings(sizes, [10_000, 100_000, 500_000], args.repeat, False, False)
    settings.use_r = not args.no_r and not args.quick and r_available(
        "psych", "GPArotation", "lavaan", "MatchIt")
    print(f"machine: {machine()}; R peers: {'yes' if settings.use_r else 'no'}", flush=True)
    rows: list[Row] = []
    for name in args.only or list(CASES):
        for row in CASES[name](settings):
            rows.append(row)
            print(markdown([row]).splitlines()[-1], flush=True)
    table = markdown(rows)
    print()
    print(table)
    missed = [r for r in rows if "MISSED" in r.verdict()]
    if args.json:
        args.json.write_text(json.dumps([{**asdict(r), "verdict": r.verdict()} for r in rows],
                                        indent=1))
    if args.docs:
        update_docs(table, f"Measured on {machine()}; medians of {settings.repeat} runs.")
    return 1 if missed and not args.quick else 0


if __name__ == "__main__":
    sys.exit(main())

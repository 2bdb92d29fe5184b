"""The benchmark scripts keep working (they are not run for their timings here).

``benchmarks/run_all.py --quick`` runs every task on tiny data in about 30 s; speed
itself is judged by the full run on a quiet machine (docs/performance.md), never by a
timed test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "rows.json"
    done = subprocess.run([sys.executable, str(BENCH / "run_all.py"), "--quick", "--no-r",
                           "--json", str(out)], capture_output=True, text=True, cwd=BENCH,
                          timeout=600, check=False)
    return done, out


def test_every_task_runs_and_is_reported(quick_run):
    import json

    done, out = quick_run
    assert done.returncode == 0, done.stderr[-3000:]
    rows = json.loads(out.read_text())
    tasks = {row["task"].split(",")[0].split(" (")[0] for row in rows}
    for expected in ("read Qualtrics CSV export", "alpha", "alpha + 200-resample BCa interval",
                     "parallel analysis", "EFA", "CFA", "1:1 caliper propensity matching",
                     "simulated power", "permutation p-value", "import peereval",
                     "peereval report of the sample study"):
        assert expected in tasks, (expected, sorted(tasks))
    for row in rows:
        assert row["peereval_s"] > 0, row
    peers = {row["peer"] for row in rows}
    assert {"pingouin.cronbach_alpha", "semopy Model.fit (ML)",
            "scikit-learn FactorAnalysis (ML, varimax)",
            "statsmodels Factor (pa) + oblimin"} <= peers
    assert "| task | n | peereval (s) |" in done.stdout


def test_results_table_is_rewritten_between_the_markers(tmp_path, monkeypatch):
    sys.path.insert(0, str(BENCH))
    try:
        import run_all
    finally:
        sys.path.remove(str(BENCH))
    page = tmp_path / "performance.md"
    page.write_text(f"# Title\n\nbefore\n\n{run_all.START}\nold table\n{run_all.END}\n\nafter\n")
    monkeypatch.setattr(run_all, "DOCS", page)
    run_all.update_docs("| new | table |", "Measured somewhere.")
    text = page.read_text()
    assert "old table" not in text
    assert text.startswith("# Title\n\nbefore\n\n")
    assert text.endswith(f"{run_all.END}\n\nafter\n")
    assert "Measured somewhere.\n\n| new | table |" in text

"""The researcher walkthroughs in ``notebooks/``: committed clean, and they run.

Each notebook is executed once per session with nbclient in a kernel started from
this interpreter (so it imports the peereval under test), with a temporary folder as
its working directory, and its outputs are checked: the cells tagged below must show
the text (or figure) a reader is told to look for.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = [
    "01_quick_start.ipynb",
    "02_validating_a_questionnaire.ipynb",
    "03_evaluating_academic_outcomes.ipynb",
    "04_synthesis_across_sites.ipynb",
]
CELL_TIMEOUT = 300  # seconds per cell; each notebook takes about 5-15 s in all

PNG = "image/png"
# Per notebook: cell tag -> what its outputs must contain (text, or PNG for a figure).
EXPECTED: dict[str, dict[str, list[str]]] = {
    "01_quick_start.ipynb": {
        "sample-flow": ["drop speeder", "138"],
        "screening-counts": ["test_response", "speeder", "straightlining"],
        "scores-summary": ["support", "adjustment", "belonging"],
        "scale-reliability": ["Mentor support: α = .85", "ω ="],
        "alpha-bca": ["α = .85, 95% CI [", "(6 items, n = 131)"],
        "item-analysis": ["Corrected item-total correlations", "Q1_6"],
        "perception": ["respondents (95% CI", "above_midpoint_pct"],
        "likert": [PNG],
        "report-sections": ["Reliability", "Validity", "Academic outcomes"],
        "report-files": ["report.html", "tables.xlsx", "figure files"],
    },
    "02_validating_a_questionnaire.ipynb": {
        "content-validity": ["10 experts", "S-CVI/Ave = .91", "1 dropped (Q2_6)"],
        "content-figure": [PNG],
        "factorability": ["KMO = .", "Bartlett"],
        "retention": ["3 factors were retained", "Velicer's MAP"],
        "scree": [PNG],
        "efa": ["oblimin", "MR1"],
        "loadings": [PNG],
        "cfa": ["CFI = ", "RMSEA = ", "SRMR = "],
        "scale-reliability": ["α = ", "ω = "],
        "retest": ["Test-retest reliability of 40 respondents", "ICC(A,1)"],
        "discriminant": ["HTMT", "Fornell-Larcker"],
        "relations": ["support", "adjustment", "belonging"],
        "invariance": ["Metric invariance", "scalar invariance"],
    },
    "03_evaluating_academic_outcomes.ipynb": {
        "table1": ["Table 1", "gpa_entry", "SMD"],
        "compare": ["g = 0.90, 95% CI ["],
        "compare-many": ["Holm"],
        "forest-many": [PNG],
        "ancova": ["0.13, 95% CI [0.07, 0.20]"],
        "ancova-checks": ["homogeneity of regression slopes"],
        "adjusted-means": [PNG],
        "match": ["with replacement", "smd_after"],
        "love-match": [PNG],
        "att-match": ["ATT = 0.1"],
        "weighting": ["stabilised ATT", "ATT = 0.1"],
        "e-value": ["E-value = "],
        "mixed": ["random intercept", "ICC = "],
        "icc": ["design effect", "effective n"],
        "power": ["power to detect d = 0.30"],
        "power-needed": ["students per group", "ICC = .05"],
    },
    "04_synthesis_across_sites.ipynb": {
        "site-plan": ["Northfield", "true_effect"],
        "per-site": ["Sample school", "Eastgate", "difference"],
        "meta": ["REML, Hartung-Knapp", "I² =", "τ² =", "prediction interval"],
        # the simulation is seeded, so the pooled result is fixed
        "meta-numbers": ["pooled mean difference = 0.12, 95% CI [0.04, 0.19]"],
        "forest": [PNG],
        "naive-meta": ["Hedges' g"],
    },
}
PRIVATE_NAME = re.compile(r"\._[A-Za-z]|\bpeereval\._|\bimport _|\bfrom _")


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK_DIR / name, as_version=nbformat.NO_CONVERT)


def _repo_files() -> set[str]:
    """Files where a stray write from a notebook would land: the top of the
    repository, ``notebooks/`` and ``data/`` (the sample files live there)."""
    found = {p.name for p in ROOT.iterdir() if p.is_file()}
    for folder in ("notebooks", "data"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                found.add(str(path.relative_to(ROOT)))
    return found


def _output_text(cell: nbformat.NotebookNode) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            parts.extend(str(value) for key, value in output.data.items()
                         if key.startswith("text/"))
            if PNG in output.data:
                parts.append(PNG)
    return "\n".join(parts)


# ------------------------------------------------------------------ the kernel


@pytest.fixture(scope="session")
def kernel_env(tmp_path_factory):
    """Run notebooks in a ``python3`` kernel started from this very interpreter.

    A kernelspec named ``python3`` that launches ``sys.executable`` is written to a
    temporary Jupyter data folder placed first on ``JUPYTER_PATH``, so a ``python3``
    kernelspec installed elsewhere (for the user or system-wide, pointing at another
    Python) cannot take over. IPython's profile folder goes to a temporary folder too.
    """
    data_dir = tmp_path_factory.mktemp("jupyter")
    spec_dir = data_dir / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "metadata": {"debugger": False},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        jupyter_path = os.pathsep.join(filter(None, [str(data_dir),
                                                     os.environ.get("JUPYTER_PATH")]))
        mp.setenv("JUPYTER_PATH", jupyter_path)
        mp.setenv("IPYTHONDIR", str(tmp_path_factory.mktemp("ipython")))
        mp.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
        yield


def _execute(nb: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


@pytest.fixture(scope="session")
def executed(kernel_env, tmp_path_factory):
    """Execute each notebook once per session; returns (notebook, error or None)."""
    cache: dict[str, tuple[nbformat.NotebookNode, Exception | None]] = {}

    def run(name: str) -> tuple[nbformat.NotebookNode, Exception | None]:
        if name not in cache:
            nb = _read(name)
            cwd = tmp_path_factory.mktemp(Path(name).stem)
            before = _repo_files()
            try:
                _execute(nb, cwd)
                error = None
            except Exception as exc:  # a failing cell, a timeout, a dead kernel
                error = exc
            written = _repo_files() - before
            if error is None and written:
                error = AssertionError(f"{name} wrote into the repository: {sorted(written)}")
            cache[name] = (nb, error)
        return cache[name]

    return run


def test_kernel_runs_this_interpreter(kernel_env, tmp_path):
    """The ``python3`` kernel is this Python (the venv) and imports this peereval."""
    import peereval

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(
        "import sys, peereval\nprint(sys.executable)\nprint(sys.prefix)\n"
        "print(peereval.__file__)"))
    _execute(nb, tmp_path)
    executable, prefix, module = nb.cells[0].outputs[0].text.splitlines()
    assert Path(executable).resolve() == Path(sys.executable).resolve()
    assert Path(prefix).resolve() == Path(sys.prefix).resolve()
    assert Path(module).resolve() == Path(peereval.__file__).resolve()


# ------------------------------------------------------------------ the files


def test_exactly_the_four_walkthroughs():
    assert sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb")) == NOTEBOOKS
    assert set(EXPECTED) == set(NOTEBOOKS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_without_outputs(name):
    nb = _read(name)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.cells[0].cell_type == "markdown", "each notebook opens with what it answers"
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        assert cell.execution_count is None, f"cell {index} has an execution count"
        assert cell.outputs == [], f"cell {index} has outputs"
        assert not PRIVATE_NAME.search(cell.source), f"cell {index} uses a private name"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_tags_exist(name):
    tags = {tag for cell in _read(name).cells for tag in cell.metadata.get("tags", [])}
    assert set(EXPECTED[name]) <= tags


# ------------------------------------------------------------------ execution


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_runs_top_to_bottom(executed, name):
    nb, error = executed(name)
    if error is not None:
        pytest.fail(f"{name} failed:\n{error}", pytrace=False)
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code_cells)
    stderr = "\n".join(output.text for cell in code_cells for output in cell.outputs
                       if output.output_type == "stream" and output.name == "stderr")
    # statistical warnings (PeerevalWarning) are part of the lesson; stale API is not
    assert "DeprecationWarning" not in stderr
    assert "FutureWarning" not in stderr


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_outputs_show_the_results(executed, name):
    nb, error = executed(name)
    if error is not None:
        pytest.skip(f"{name} did not run (see test_runs_top_to_bottom)")
    by_tag = {tag: cell for cell in nb.cells for tag in cell.metadata.get("tags", [])}
    missing = []
    for tag, wanted in EXPECTED[name].items():
        text = _output_text(by_tag[tag])
        missing.extend(f"{tag}: {item!r}" for item in wanted if item not in text)
    assert not missing, "outputs lack:\n" + "\n".join(missing)

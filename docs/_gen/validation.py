"""Write the documentation's validation page: peereval's numbers beside R's.

Usage::

    python docs/_gen/validation.py [OUTPUT]      # default: docs/validation.md

The Sphinx build runs this at its start (``docs/conf.py``), so the page always shows
what the checked-out code computes today. For each estimator it recomputes
peereval's value on the same data as the test suite (``tests/reference/data/``), reads
the value the R script wrote (``tests/reference/*.json``, or a published table), and
prints both, their absolute difference and the tolerance the tests use. It exits with
status 1 if any difference exceeds its tolerance, which fails the docs build.
"""

from __future__ import annotations

import json
import math
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "reference"
sys.path.insert(0, str(ROOT / "src"))

from peereval import __version__  # noqa: E402
from peereval.errors import PeerevalWarning  # noqa: E402

# ---------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class Row:
    """One comparison: a quantity, where R's value comes from, both values, the rule."""

    quantity: str
    source: str  # the R function (or published table) that gave the reference value
    r: float
    ours: float
    atol: float = 0.0  # the test's absolute tolerance
    rtol: float = 0.0  # the test's relative tolerance (of |R|, or of `floor` if larger)
    floor: float = 0.0

    @property
    def difference(self) -> float:
        return abs(self.ours - self.r)

    @property
    def allowed(self) -> float:
        return self.atol + self.rtol * max(abs(self.r), self.floor)

    @property
    def within(self) -> bool:
        return self.difference <= self.allowed

    def tolerance_text(self) -> str:
        parts = []
        if self.rtol:
            scale = f"max(\\|R\\|, {_g(self.floor)})" if self.floor else "\\|R\\|"
            parts.append(f"{_g(self.rtol)} × {scale}")
        if self.atol or not parts:
            parts.append(_g(self.atol))
        return " + ".join(parts)


@dataclass(frozen=True)
class Section:
    title: str
    intro: str
    rows: list[Row]


def _g(x: float) -> str:
    """A tolerance: 1e-09 -> 1e-9, 0.0005 -> 5e-4."""
    if x == 0:
        return "0"
    mantissa, exponent = f"{x:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _num(x: float) -> str:
    if isinstance(x, (int, np.integer)) or (float(x).is_integer() and abs(x) < 1e15):
        return f"{int(x)}"
    return f"{x:.10g}"


def _diff(x: float) -> str:
    return "0" if x == 0 else f"{x:.1e}"


def reference(name: str) -> dict:
    return json.loads((REFERENCE / f"{name}.json").read_text(encoding="utf-8"))


def data(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "data" / f"{name}.csv")


def quiet(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call with peereval's statistical warnings silenced (some reference data are odd
    on purpose: negative ICCs, poor overlap, two-factor omega)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        return fn(*args, **kwargs)


def number(value: Any) -> float:
    """jsonlite writes infinities and NA as text, psych's one-cell frames as [[x]]."""
    while isinstance(value, list):
        value = value[0]
    if isinstance(value, str):
        return {"Inf": math.inf, "-Inf": -math.inf}.get(value, math.nan)
    return float(value)


# ---------------------------------------------------------------------- reliability


def reliability() -> Iterator[Section]:
    from peereval._bootstrap import bca_interval, percentile_interval
    from peereval.reliability import alpha, cohen_kappa, fleiss_kappa, icc, omega, split_half

    ref = reference("alpha")
    bfi = data("bfi")
    agree = bfi[["A1", "A2", "A3", "A4", "A5"]].copy()
    agree["A1"] = 7 - agree["A1"]
    items = data("sample_items")
    support = items[[f"Q1_{i}" for i in range(1, 7)]]

    rows = []
    closed = {"atol": 1e-9}
    for label, frame, case in (("bfi agreeableness", agree, "agree_listwise"),
                               ("sample support", support, "support_listwise")):
        r, ours = ref["alpha"][case], alpha(frame)
        rows += [
            Row(f"alpha, {label}", "psych::alpha", r["raw_alpha"], ours.alpha, **closed),
            Row(f"standardised alpha, {label}", "psych::alpha", r["std_alpha"],
                ours.alpha_std, **closed),
            Row(f"Feldt lower bound, {label}", "psych::alpha", number(r["feldt_low"]),
                ours.feldt_ci_low, **closed),
            Row(f"Feldt upper bound, {label}", "psych::alpha", number(r["feldt_high"]),
                ours.feldt_ci_high, **closed),
        ]
    r = ref["alpha"]["agree_pairwise"]
    rows.append(Row("alpha, bfi agreeableness, pairwise", "psych::alpha", r["raw_alpha"],
                    alpha(agree, missing="pairwise").alpha, **closed))
    boot = ref["bootstrap"]
    t = np.array(boot["t"])
    perc = percentile_interval(t, 0.95)
    bca = bca_interval(boot["t0"], t, np.array(boot["L"]), 0.95)
    for i, side in enumerate(("lower", "upper")):
        rows.append(Row(f"percentile {side} bound (R's 999 resamples)", "boot::boot.ci",
                        boot["perc"][i], perc[i], atol=1e-12))
    for i, side in enumerate(("lower", "upper")):
        rows.append(Row(f"BCa {side} bound (R's 999 resamples)", "boot::boot.ci",
                        boot["bca"][i], bca[i], atol=1e-12))
    yield Section("Cronbach's alpha", "psych 2.2.9 and boot on `psych::bfi` "
                  "(agreeableness, A1 reversed; complete cases unless pairwise) and on the "
                  "sample study's support scale (`tests/reference/alpha.R`). The bootstrap "
                  "rows apply peereval's interval code to the replicates and jackknife "
                  "influence values R drew, so that both sides see the same resamples.", rows)

    ref = reference("omega")
    rows = []
    for label, frame, k, case in (("sample, 3 group factors", items.dropna(), 3, "sample_3"),
                                  ("bfi 25 items, 5 group factors",
                                   bfi.iloc[:, :25].dropna(), 5, "bfi_5")):
        r, ours = ref[case], quiet(omega, frame, n_factors=k)
        rows += [
            Row(f"omega total, {label}", "psych::omega", r["omega_total"], ours.omega_total,
                atol=1e-7),
            Row(f"omega hierarchical, {label}", "psych::omega", r["omega_h"],
                ours.omega_hierarchical, atol=2e-5),
            Row(f"explained common variance, {label}", "psych::omega", r["ecv"], ours.ecv,
                atol=2e-5),
        ]
    r = ref["sample_support_1"]
    rows.append(Row("omega total, sample support (one factor)", "psych::omega",
                    r["omega_total"], omega(support.dropna(), n_factors=1).omega_total,
                    atol=1e-7))
    yield Section("McDonald's omega", "psych 2.2.9 with GPArotation 2022.10.2 "
                  "(`tests/reference/omega.R`). Omega total depends only on the minres "
                  "communalities; omega hierarchical passes through the oblimin rotation, "
                  "which GPArotation stops at a projected gradient of 1e-5.", rows)

    ref = reference("alpha")["split_half"]
    rows = []
    for label, frame, case in (("bfi agreeableness", agree, "agree"),
                               ("sample, 18 items", items, "all18")):
        ours = split_half(frame, n_splits=100_000)
        rows += [
            Row(f"Guttman lambda 2, {label}", "psych::splitHalf", ref[case]["lambda2"],
                ours.lambda2, atol=1e-12),
            Row(f"Guttman lambda 6, {label}", "psych::splitHalf", ref[case]["lambda6"],
                ours.lambda6, atol=1e-12),
            Row(f"lambda 4 (best of all splits), {label}", "brute force over combn()",
                ref[f"{case}_all"]["max"], ours.lambda4, atol=1e-12),
            Row(f"beta (worst of all splits), {label}", "brute force over combn()",
                ref[f"{case}_all"]["min"], ours.beta, atol=1e-12),
        ]
    yield Section("Split-half reliability", "`psych::splitHalf` and an enumeration of "
                  "every split in R (`tests/reference/alpha.R`).", rows)

    ref = reference("icc_kappa")
    shrout_fleiss = pd.DataFrame({"J1": [9, 6, 8, 7, 10, 6], "J2": [2, 1, 4, 1, 5, 2],
                                  "J3": [5, 3, 6, 2, 6, 4], "J4": [8, 2, 8, 6, 9, 7]})
    rows = []
    tol = {"rtol": 1e-6, "atol": 1e-10}
    for label, frame, case in (("Shrout & Fleiss (1979) example", shrout_fleiss, "icc_sf"),
                               ("bfi items as raters", data("icc_bfi"), "icc_bfi")):
        table = quiet(icc, frame).to_frame().set_index("psych")
        r = ref[case]
        for i, name in enumerate(r["psych"]):
            form = table.loc[name, "form"]
            rows.append(Row(f"{form} ({name}), {label}", "psych::ICC", r["icc"][i],
                            table.loc[name, "icc"], **tol))
        i = r["psych"].index("ICC2")
        rows += [
            Row(f"ICC(A,1) lower bound, {label}", "psych::ICC", r["lower"][i],
                table.loc["ICC2", "ci_low"], **tol),
            Row(f"ICC(A,1) upper bound, {label}", "psych::ICC", r["upper"][i],
                table.loc["ICC2", "ci_high"], **tol),
        ]
    yield Section("Intraclass correlations", "The six Shrout-Fleiss forms (McGraw-Wong "
                  "names first) from `psych::ICC` (`tests/reference/icc_kappa.R`).", rows)

    rows = []
    diagnoses = data("kappa_diagnoses")
    r, ours = ref["kappa_diagnoses_12"], cohen_kappa(diagnoses, "rater1", "rater2")
    rows += [
        Row("Cohen's kappa, diagnoses raters 1-2", "psych::cohen.kappa", r["kappa"],
            ours.kappa, **tol),
        Row("variance of kappa", "psych::cohen.kappa", r["var_kappa"], ours.se**2, **tol),
        Row("kappa lower bound", "psych::cohen.kappa", r["lower"], ours.ci_low, **tol),
        Row("kappa upper bound", "psych::cohen.kappa", r["upper"], ours.ci_high, **tol),
    ]
    for weights in ("quadratic", "linear"):
        r = ref[f"kappa_bfi_{weights}"]
        ours = cohen_kappa(data("kappa_bfi"), "A2", "A3", weights=weights)
        rows.append(Row(f"{weights}-weighted kappa, bfi A2-A3", "psych::cohen.kappa",
                        r["weighted_kappa"], ours.kappa, **tol))
    fleiss_all = fleiss_kappa(diagnoses)
    fleiss_three = fleiss_kappa(diagnoses, ["rater1", "rater2", "rater3"])
    printed = {"atol": 5e-4}
    rows += [
        Row("Fleiss' kappa, 6 raters (Fleiss 1971)", "published; irr::kappam.fleiss",
            0.430, fleiss_all.kappa, **printed),
        Row("Fleiss' kappa, raters 1-3", "irr::kappam.fleiss (printed)", 0.534,
            fleiss_three.kappa, **printed),
        Row("Fleiss' z, raters 1-3", "irr::kappam.fleiss (printed)", 9.89, fleiss_three.z,
            atol=5e-3),
    ]
    yield Section("Agreement (kappa)", "Cohen's kappa against `psych::cohen.kappa` on "
                  "irr's `diagnoses` and `psych::bfi`; Fleiss' kappa against the printed "
                  "values of Fleiss (1971) and `irr::kappam.fleiss` (irr is not installable "
                  "here, so these compare at the printed digits).", rows)

    yield from _polychoric()


def _polychoric() -> Iterator[Section]:
    from peereval.reliability import polychoric

    ref = reference("polychoric")["bfi10"]
    bfi = data("bfi")
    items = ref["items"]
    ours = polychoric(bfi, items).correlation
    tight = np.array([[number(v) for v in row] for row in ref["global"]["tight"]["rho"]])
    shipped = np.array([[number(v) for v in row] for row in ref["global"]["psych"]["rho"]])
    rows = []
    for a, b in (("A1", "A2"), ("A2", "A3"), ("A4", "A5"), ("C1", "C2"), ("C4", "C5"),
                 ("A2", "C5")):
        i, j = items.index(a), items.index(b)
        rows.append(Row(f"polychoric r({a}, {b})", "psych::polychoric, tight optimize()",
                        tight[i, j], ours.loc[a, b], atol=1e-7))
    i, j = items.index("A1"), items.index("A2")
    rows.append(Row("polychoric r(A1, A2)", "psych::polychoric as shipped", shipped[i, j],
                    ours.loc["A1", "A2"], atol=1e-4))
    yield Section("Polychoric correlations", "psych 2.2.9 `polychoric` on ten `bfi` items "
                  "(global thresholds, pairwise), both as shipped (`optimize` at its "
                  "default tolerance) and with `optimize(tol = 1e-12)` "
                  "(`tests/reference/polychoric.R`).", rows)


# ------------------------------------------------------------------------- validity


def _show(value: float, digits: int) -> float:
    """A value as a paper prints it (half-up), for comparison with printed tables."""
    from peereval._format import fmt

    return float(fmt(value, digits, leading_zero=True))


def validity() -> Iterator[Section]:
    from peereval.validity import (
        cfa,
        content_validity,
        efa,
        factorability,
        map_test,
        parallel_analysis,
    )

    rows = []
    for n, a, icvi, p_c, kappa in ((10, 8, 0.80, 0.044, 0.79), (9, 7, 0.78, 0.070, 0.76),
                                   (6, 5, 0.83, 0.094, 0.82)):
        panel = pd.DataFrame([[3] * a + [2] * (n - a)], index=["I1"],
                             columns=[f"e{j}" for j in range(n)])
        row = quiet(content_validity, panel).items.iloc[0]
        source = "Polit, Beck & Owen (2007), table"
        rows += [
            Row(f"I-CVI, {a} of {n} experts relevant", source, icvi, row["icvi"], atol=5e-3),
            Row(f"p_c, {a} of {n}", source, p_c, row["p_c"], atol=5e-4),
            Row(f"modified kappa, {a} of {n}", source, kappa, row["kappa"], atol=5e-3),
        ]
    for n, n_e, cvr in ((5, 3, 0.20), (10, 9, 0.80)):
        panel = pd.DataFrame([["Essential"] * n_e + ["Not necessary"] * (n - n_e)],
                             index=["I1"], columns=[f"e{j}" for j in range(n)])
        result = quiet(content_validity, None, essentiality=panel)
        rows.append(Row(f"CVR, {n_e} of {n} essential", "Lawshe (1975); psychometric::CVratio",
                        cvr, result.items.iloc[0]["cvr"], atol=5e-3))
    for n, n_crit, p in ((10, 9, 0.011), (20, 15, 0.021)):
        panel = pd.DataFrame([["Essential"] * n_crit + ["Not necessary"] * (n - n_crit)],
                             index=["I1"], columns=[f"e{j}" for j in range(n)])
        critical = quiet(content_validity, None, essentiality=panel).critical.iloc[0]
        rows += [
            Row(f"critical number essential, {n} experts", "Ayre & Scally (2014), table",
                n_crit, critical["n_crit"]),
            Row(f"exact one-tailed p at that number, {n} experts",
                "Ayre & Scally (2014), table", p, critical["p_crit"], atol=5e-4),
        ]
    yield Section("Content validity", "Published tables (no R reference exists for "
                  "these closed forms), compared at the digits the papers print; "
                  "`tests/validity/test_content.py` checks many more entries.", rows)

    ref = reference("efa")
    bfi25 = data("bfi").iloc[:, :25].dropna()
    sample18 = data("sample_items").dropna()
    rows = []
    for label, frame, case in (("bfi 25 items", bfi25, "bfi"), ("sample 18 items", sample18,
                                                                 "sample")):
        r, ours = ref["factorability"][case], factorability(frame)
        rows += [
            Row(f"KMO, {label}", "psych::KMO", r["msa"], ours.kmo, atol=1e-9),
            Row(f"Bartlett chi-square, {label}", "psych::cortest.bartlett", r["chisq"],
                ours.chi_square, rtol=1e-12),
            Row(f"determinant, {label}", "det(cor())", r["determinant"], ours.determinant,
                rtol=1e-9),
        ]
    yield Section("Factorability", "psych 2.2.9 (`tests/reference/efa.R`).", rows)

    rows = []
    for method, rotation, tol in (("minres", "oblimin", 3e-4), ("ml", "varimax", 2e-3),
                                  ("pa", "promax", 2e-3)):
        r = ref["efa"][f"sample_{method}_{rotation}"]
        ours = quiet(efa, sample18, n_factors=3, method=method, rotation=rotation)
        loadings = np.asarray(ours.loadings, dtype=float)
        expected = np.array(r["loadings"], dtype=float)
        for item in ("Q1_1", "Q2_3", "Q3_5"):
            i = list(sample18.columns).index(item)
            j = int(np.argmax(np.abs(expected[i])))
            rows.append(Row(f"{method} + {rotation}: loading of {item} on F{j + 1}",
                            f'psych::fa(fm = "{"ml" if method == "ml" else method}")',
                            expected[i, j], loadings[i, j], atol=tol))
        extraction = 1e-9 if method == "pa" else 1e-5
        i = list(sample18.columns).index("Q1_1")
        rows.append(Row(f"{method}: communality of Q1_1", "psych::fa",
                        r["communality"][i], np.asarray(ours.communalities)[i],
                        atol=extraction))
    yield Section("Exploratory factor analysis", "The sample study's 18 items, three "
                  "factors, `psych::fa` with R's default rotation tolerances: those stop "
                  "early (stats::varimax at a relative change of 1e-5, GPArotation at a "
                  "gradient of 1e-5), hence 2e-3 for varimax and promax and 3e-4 for "
                  "oblimin; run to tight convergence, R and peereval agree to 1e-6 "
                  "(`tests/validity/test_efa.py`).", rows)

    rows = []
    for label, frame, case in (("bfi", bfi25, "bfi"), ("sample", sample18, "sample")):
        r = ref["parallel"][case]
        pa = parallel_analysis(frame, n_iter=20, seed=1)
        for k in (0, 1, 2):
            rows.append(Row(f"observed eigenvalue {k + 1} (components), {label}",
                            "psych::fa.parallel", r["pc_values"][k],
                            pa.table["pc_observed"].iloc[k], atol=1e-9))
        rows.append(Row(f"observed eigenvalue 1 (factors, SMC), {label}", "psych::fa.parallel",
                        r["fa_values_smc"][0], pa.table["fa_observed"].iloc[0], atol=1e-9))
        mapped = map_test(frame).table["average_squared"].iloc[1:].to_numpy()
        expected = ref["map"][case]
        for k in (0, 2, 4):
            rows.append(Row(f"MAP average squared partial r, {k + 1} removed, {label}",
                            "psych::VSS", expected[k], mapped[k], atol=1e-12))
    yield Section("Factor retention", "Parallel analysis compares the observed "
                  "eigenvalues with simulated ones; the observed eigenvalues and Velicer's "
                  "MAP are deterministic and are compared here (the simulations are "
                  "random in both programs).", rows)

    ref = reference("cfa")
    rows = []
    fits = {"hs3": (data("hs1939"), "Holzinger-Swineford 3 factors"),
            "sample": (sample18, "sample 3 scales")}
    names = {"chisq": "chisq", "cfi": "cfi", "tli": "tli", "rmsea": "rmsea",
             "rmsea_ci_low": "rmsea.ci.lower", "rmsea_ci_high": "rmsea.ci.upper",
             "srmr": "srmr", "aic": "aic", "bic": "bic"}
    for case, (frame, label) in fits.items():
        model = ref["models"][case]
        fit = quiet(cfa, data("sample_items") if case == "sample" else frame, model)
        expected = ref[case]["fit"]
        for ours, theirs in names.items():
            rtol = 1e-5 if ours.startswith("rmsea_ci") else 1e-6
            rows.append(Row(f"{theirs}, {label}", "lavaan::fitMeasures", expected[theirs],
                            getattr(fit, ours), rtol=rtol, floor=1e-3))
    yield Section("Confirmatory factor analysis", "lavaan 0.6.14 fitted with BFGS at "
                  "`reltol = 1e-16` (`tests/reference/cfa.R`), compared relative to the "
                  "value (at least 1e-3); the RMSEA interval comes from R's `uniroot` at "
                  "its default tolerance.", rows)


# ------------------------------------------------------- small, sparse, incomplete data


def _largest(quantity: str, source: str | list[str], r_values: Any, ours: Any,
             labels: list[str], **tol: float) -> Row:
    """One row for a whole vector (or matrix): its element whose difference is largest
    (the tests compare every element at this tolerance). ``source`` may name each
    element's own reference."""
    r_values = np.asarray(r_values, dtype=float).ravel()
    ours = np.asarray(ours, dtype=float).ravel()
    k = int(np.argmax(np.abs(ours - r_values)))
    where = source[k] if isinstance(source, list) else source
    return Row(f"{quantity} {labels[k]} (largest difference of {len(labels)})", where,
               r_values[k], ours[k], **tol)


def sparse() -> Iterator[Section]:
    """tests/reference/drift.json, computed and compared as in
    tests/reliability/test_drift_reference.py and tests/validity/test_drift_reference.py
    (same calls, same tolerances)."""
    from peereval.reliability import alpha, item_analysis, omega, polychoric
    from peereval.validity import efa, factorability, map_test, parallel_analysis

    ref = reference("drift")
    tight, shipped = 1e-6, 1e-4
    rows = []
    for name, label in (("ordinal5", "5 points, n = 25"), ("ordinal8", "8 points, n = 60"),
                        ("omega6", "5 points, n = 150, 8% missing")):
        frame = data(f"drift_{name}")
        expected = ref["polychoric"][name]
        i, j = np.array(expected["i"]), np.array(expected["j"])
        pairs = [f"{frame.columns[a]}-{frame.columns[b]}" for a, b in zip(i, j, strict=True)]
        raw = quiet(polychoric, frame, global_thresholds=False, correct=0, smooth=False)
        rho = raw.correlation.to_numpy()[i, j]
        rows += [
            _largest(f"two-step r (correct = 0), {label}: pair", "optimize(tol = 1e-12) on "
                     "polycor's likelihood", expected["tight_raw"], rho, pairs, atol=tight),
            _largest(f"two-step r (correct = 0), {label}: pair", "polycor::polychor as "
                     "shipped", expected["polycor_raw"], rho, pairs, atol=shipped),
        ]
        corrected = quiet(polychoric, frame, global_thresholds=False, smooth=False)
        rho = corrected.correlation.to_numpy()[i, j]
        renormalised = np.array(expected["renormalised"], dtype=bool)
        label += f", {int(renormalised.sum())} of {len(pairs)} pairs renormalised"
        as_shipped = ["polycor::polychor on the corrected table" if again else
                      "psych::polychoric(global = FALSE)" for again in renormalised]
        rows += [
            _largest(f"r with empty cells corrected (0.5), {label}: pair",
                     "optimize(tol = 1e-12), exact rectangles", expected["corrected_tight"],
                     rho, pairs, atol=tight),
            _largest(f"r with empty cells corrected (0.5), {label}: pair", as_shipped,
                     expected["corrected_shipped"], rho, pairs, atol=shipped),
        ]
    yield Section("Polychoric correlations, each pair's own thresholds", "`polychoric(..., "
                  "global_thresholds=False)` on three seeded sets with many empty cells "
                  "(`tests/reference/make_drift_data.py`, `drift.R`; polycor 0.8.1, psych "
                  "2.2.9). Each row is the pair, of the set's 15, whose difference is "
                  "largest. With `correct=0` each pair's thresholds come from its own table "
                  "(polycor's two-step estimate). With the default correction, where psych's "
                  "corrected cumulative shares reach 1 below an observed category (psych "
                  "stops with an error), the thresholds come "
                  "from the corrected table's own margins and a warning names the pair; R's "
                  "value is then polycor's two-step estimate of the corrected table. Tight "
                  "references: `optimize(tol = 1e-12)` with exact bivariate-normal "
                  "rectangles (1e-6); as shipped, `optimise` stops at about 1.2e-4 in ρ "
                  "(1e-4).", rows)

    closed = {"atol": 1e-9}
    pairwise = data("drift_pairwise")
    items = list(pairwise.columns)
    r = ref["alpha"]["pairwise"]
    ours = alpha(pairwise, missing="pairwise")
    rows = [
        Row("n of Feldt's interval and the SE (the respondents)", "psych::alpha (nrow)",
            r["n"], ours.n),
        Row("alpha, pairwise", "psych::alpha", r["raw_alpha"], ours.alpha, **closed),
        Row("standardised alpha, pairwise", "psych::alpha", r["std_alpha"], ours.alpha_std,
            **closed),
        Row("average inter-item r, pairwise", "psych::alpha", r["average_r"],
            ours.average_r, **closed),
        Row("asymptotic SE, pairwise", "psych::alpha", r["ase"], ours.se, **closed),
        Row("Feldt lower bound, pairwise", "psych::alpha", r["feldt_low"], ours.feldt_ci_low,
            **closed),
        Row("Feldt upper bound, pairwise", "psych::alpha", r["feldt_high"], ours.feldt_ci_high,
            **closed),
    ]
    table = item_analysis(pairwise, missing="pairwise").table
    rows += [
        _largest("item-total r with the person-mean total, pairwise: item", "psych::alpha "
                 "(raw.r)", r["item_raw_r"], table["item_total_r"], items, **closed),
        _largest("item-rest r, pairwise: item", "psych::alpha (r.drop)", r["item_r_drop"],
                 table["item_rest_r"], items, **closed),
        _largest("alpha if deleted, pairwise: item", "psych::alpha (alpha.drop)",
                 r["drop_raw_alpha"], table["alpha_if_deleted"], items, **closed),
    ]
    r = ref["alpha"]["listwise"]
    listwise = item_analysis(pairwise)
    table = listwise.table
    rows += [
        Row("n of the listwise item analysis (complete rows)", "nrow(na.omit())",
            r["n_complete"], listwise.n),
        _largest("mean, listwise: item", "psych::alpha on na.omit()", r["item_mean"],
                 table["mean"], items, **closed),
        _largest("SD, listwise: item", "psych::alpha on na.omit()", r["item_sd"],
                 table["sd"], items, **closed),
        _largest("item-total r, listwise: item", "psych::alpha on na.omit()",
                 r["item_raw_r"], table["item_total_r"], items, **closed),
        _largest("item-rest r, listwise: item", "psych::alpha on na.omit()",
                 r["item_r_drop"], table["item_rest_r"], items, **closed),
    ]
    yield Section("Alpha and item analysis with answers missing", "Nine five-point items, "
                  "n = 90, 12% of answers missing at random (`drift_pairwise.csv`). With "
                  "`missing=\"pairwise\"` the n of Feldt's interval and of the standard error "
                  "is the number of respondents, as psych's; the smallest pairwise n is "
                  "reported separately (`n_pairwise_min`). The listwise item analysis takes "
                  f"every statistic from the {listwise.n} complete rows, as psych on "
                  "`na.omit()`. Closed forms: 1e-9.", rows)

    rows = []
    for key, name, label in (("heywood", "drift_omega6", "with a Heywood case"),
                             ("proper", "drift_omega6_proper", "proper solution")):
        frame = data(name)
        expected = ref["omega"][key]["tight"]
        ours = quiet(omega, frame, n_factors=3, missing="pairwise")
        rows += [
            Row(f"omega total, {label}", "psych::omega, optim() tightened",
                expected["omega_total"], ours.omega_total, atol=1e-6),
            Row(f"omega total, {label}", "psych::omega as shipped",
                ref["omega"][key]["psych"]["omega_total"], ours.omega_total, atol=1e-4),
            Row(f"omega hierarchical, {label}", "psych::omega, optim() tightened",
                expected["omega_h"], ours.omega_hierarchical, atol=3e-5),
            _largest(f"communality, {label}: item", "psych::omega, optim() tightened",
                     expected["h2"], ours.loadings["h2"], list(frame.columns), atol=1e-5),
        ]
    yield Section("Omega, three group factors from six items", "Two seeded sets of six "
                  "items (`drift_omega6.csv`, n = 150 with answers missing, and "
                  "`drift_omega6_proper.csv`, n = 200), pairwise. The factor model has 0 "
                  "degrees of freedom and its minres objective is so flat that psych as "
                  "shipped stops with communalities up to 3e-3 away; the tight reference "
                  "runs psych's own `omega` with `optim(factr = 1, pgtol = 0)`. Omega total "
                  "1e-6; communalities 1e-5 (both optimisers stop where the objective, about "
                  "1e-14, no longer changes in double precision); omega hierarchical passes "
                  "through GPArotation's oblimin (3e-5).", rows)

    rows = []
    r = ref["factorability"]
    ours = factorability(pairwise, missing="pairwise")
    rows += [
        Row("n for Bartlett's test (the respondents)", "psych::cortest.bartlett (nrow)",
            len(pairwise), ours.n),
        Row("KMO, pairwise", "psych::KMO", r["msa"], ours.kmo, **closed),
        _largest("MSA, pairwise: item", "psych::KMO", r["msai"], ours.msa["msa"], items,
                 **closed),
        Row("Bartlett chi-square, pairwise", "psych::cortest.bartlett", r["chisq"],
            ours.chi_square, rtol=1e-12),
        Row("Bartlett p, pairwise", "psych::cortest.bartlett", r["p"], ours.p_value, rtol=1e-9),
        Row("determinant, pairwise", "det(cor(use = \"pairwise\"))", r["determinant"],
            ours.determinant, rtol=1e-9),
    ]
    r = ref["parallel"]
    table = parallel_analysis(pairwise, n_iter=20, seed=1, missing="pairwise").table
    for k in (0, 1, 2):
        rows.append(Row(f"observed eigenvalue {k + 1} (components), pairwise",
                        "psych::fa.parallel", r["pc_values"][k],
                        table["pc_observed"].iloc[k], **closed))
    rows.append(Row("observed eigenvalue 1 (factors, SMC), pairwise", "psych::fa.parallel",
                    r["fa_values_smc"][0], table["fa_observed"].iloc[0], **closed))
    cells = [f"{item} on F{f + 1}" for item in items for f in range(3)]
    for method in ("minres", "ml"):
        r = ref["efa"][method]
        ours = quiet(efa, pairwise, n_factors=3, method=method, missing="pairwise")
        rows += [
            _largest(f"{method}: loading of", f'psych::fa(fm = "{method}")', r["loadings"],
                     ours.loadings, cells, atol=1e-4),
            _largest(f"{method}: communality of", "psych::fa", r["communality"],
                     ours.communalities, items, atol=1e-4),
            Row(f"{method}: chi-square (n = {ours.n})", "psych::fa", r["statistic"],
                ours.fit["chi_square"], atol=1e-3),
            Row(f"{method}: RMSEA", "psych::fa", r["rmsea"], ours.fit["rmsea"], atol=1e-5),
        ]
    yield Section("Factor analysis with pairwise correlations", "`missing=\"pairwise\"` on "
                  "`drift_pairwise.csv`: each correlation from the respondents who answered "
                  "both items (R's `cor(use = \"pairwise\")`), and n the number of "
                  "respondents for Bartlett's test, χ² and the simulations, as psych on raw "
                  "data. Closed forms 1e-9; minres and ML three-factor oblimin solutions "
                  "1e-4 (psych's L-BFGS-B and GPArotation's 1e-5 gradient), χ² 1e-3, "
                  "RMSEA 1e-5.", rows)

    rows = []
    for name, label in (("weak", "6 weakly correlated items, n = 40"),
                        ("pairwise", "9 items, n = 90, 12% missing")):
        frame = data(f"drift_{name}")
        expected = ref["map"][name]
        velicer = map_test(frame, missing="pairwise")
        psych = map_test(frame, missing="pairwise", rule="psych")
        values = velicer.table["average_squared"].to_numpy()
        theirs = np.array(expected["map"])[: len(values) - 1]
        r_velicer = int(np.argmin(np.concatenate([[expected["map0"]], theirs])))
        rows += [
            Row(f"average squared r, none removed, {label}", "mean(cor()²)",
                expected["map0"], values[0], **closed),
            _largest(f"average squared partial r, {label}: m =", "psych::VSS (map)",
                     theirs, values[1:], [str(m) for m in range(1, len(values))],
                     **closed),
            Row(f"factors suggested, rule=\"psych\" (from m = 1), {label}",
                "psych::VSS (which.min(map))", expected["psych_n"], psych.n_factors),
            Row(f"factors suggested, rule=\"velicer\" (from m = 0, the default), {label}",
                "minimum of R's values with m = 0", r_velicer, velicer.n_factors),
        ]
    yield Section("Velicer's MAP, both counting rules", "The criterion for m = 0 (the "
                  "correlations themselves) and for m ≥ 1 components partialled out, "
                  "closed forms (1e-9). `rule=\"velicer\"` (the default, Velicer 1976) takes "
                  "the minimum over m ≥ 0 and so suggests 0 factors when no component "
                  "lowers the average squared correlation, as on the weak set; "
                  "`rule=\"psych\"` starts at m = 1, as `psych::VSS`. The last row's R value "
                  "is the minimum of R's own criterion values.", rows)


# ------------------------------------------------------------------------- outcomes


def outcomes() -> Iterator[Section]:
    from peereval.outcomes import (
        ancova,
        compare,
        compare_binary,
        from_groups,
        meta_analysis,
        mixed_model,
        power,
        propensity_match,
    )

    ref = reference("outcomes_compare")
    sample = data("outcomes_sample")
    closed = {"rtol": 1e-9, "atol": 1e-12}
    rows = []
    r = ref["continuous"]["sample_gpa_year1"]
    welch = compare(sample, "gpa_year1", "mentored", treated="yes")
    rows += [
        Row("Welch t, year-1 GPA", "t.test", r["welch"]["t"], welch.statistic, **closed),
        Row("Welch df", "t.test", r["welch"]["df"], welch.df, **closed),
        Row("Welch p", "t.test", r["welch"]["p"], welch.p_value, **closed),
        Row("difference, lower bound", "t.test", r["welch"]["ci_low"],
            welch.difference_ci_low, **closed),
        Row("difference, upper bound", "t.test", r["welch"]["ci_high"],
            welch.difference_ci_high, **closed),
    ]
    g = welch.effect("hedges_g")
    rows += [
        Row("Hedges' g", "effectsize::hedges_g", r["hedges_g"]["estimate"], g.estimate,
            **closed),
        Row("Hedges' g, lower bound (noncentral t)", "effectsize::hedges_g",
            r["hedges_g"]["ci_low"], g.ci_low, atol=1e-5),
        Row("Hedges' g, upper bound (noncentral t)", "effectsize::hedges_g",
            r["hedges_g"]["ci_high"], g.ci_high, atol=1e-5),
        Row("Hedges' g, lower bound", "noncentral t solved tightly in R",
            r["hedges_g_exact"]["ci_low"], g.ci_low, rtol=1e-6, atol=1e-9),
    ]
    yield Section("Two-group comparison", "The sample study's records, year-1 GPA by "
                  "mentoring (`tests/reference/outcomes_compare.R`). effectsize 0.8.3 "
                  "finds the noncentral-t limits by an optimiser that stops about 1e-5 "
                  "short; the script also solves them tightly.", rows)

    r = ref["binary"]["sample_passed"]
    ours = compare_binary(sample, "passed", "mentored", treated="yes")
    rows = [
        Row("risk difference, passed", "by hand in R", r["rd"], ours.risk_difference, **closed),
        Row("RD lower bound (Newcombe)", "Newcombe hybrid score, in R", r["rd_newcombe"][0],
            ours.rd_ci_low, **closed),
        Row("RD upper bound (Newcombe)", "Newcombe hybrid score, in R", r["rd_newcombe"][1],
            ours.rd_ci_high, **closed),
        Row("risk ratio", "epiR::epi.2by2", r["epi"]["rr"][0], ours.risk_ratio, **closed),
        Row("risk ratio, lower bound", "epiR::epi.2by2", r["epi"]["rr"][1], ours.rr_ci_low,
            **closed),
        Row("risk ratio, upper bound", "epiR::epi.2by2", r["epi"]["rr"][2], ours.rr_ci_high,
            **closed),
        Row("odds ratio", "epiR::epi.2by2", r["epi"]["or"][0], ours.odds_ratio, **closed),
        Row("odds ratio, lower bound", "epiR::epi.2by2", r["epi"]["or"][1], ours.or_ci_low,
            **closed),
        Row("odds ratio, upper bound", "epiR::epi.2by2", r["epi"]["or"][2], ours.or_ci_high,
            **closed),
        Row("chi-square", "chisq.test(correct = FALSE)", r["chisq"], ours.chisq, **closed),
        Row("Fisher's exact p", "fisher.test", r["fisher_p"], ours.fisher_p_value, **closed),
    ]
    yield Section("Binary outcomes", "Passing the exam by mentoring, sample study "
                  "(`tests/reference/outcomes_compare.R`, epiR 2.0.57).", rows)

    ref = reference("outcomes_models")
    models = data("models_sample")
    tol = {"rtol": 1e-6, "atol": 1e-10}
    r = ref["ancova_sample_gpa"]
    fit = quiet(ancova, models, "gpa_year1", "mentored", ["gpa_entry", "sex"])
    means = fit.adjusted_means
    rows = [
        Row("adjusted mean, mentored", "predict() at covariate means; emmeans",
            r["adjusted_mean"][0], means["adjusted_mean"].iloc[0], **tol),
        Row("adjusted mean, not mentored", "predict() at covariate means; emmeans",
            r["adjusted_mean"][1], means["adjusted_mean"].iloc[1], **tol),
        Row("adjusted difference (coefficient)", "lm", r["estimate"][1], fit.difference,
            **tol),
        Row("adjusted difference, HC3 SE", "sandwich::vcovHC(type = \"HC3\")",
            r["hc3_se"][1], fit.robust_se, **tol),
        Row("F for mentoring (type II)", "car::Anova(type = 2)", r["type2"]["f"][0],
            fit.f, **tol),
        Row("partial eta squared, mentoring", "effectsize::eta_squared",
            r["type2"]["effectsize_eta"][0], fit.eta_sq_partial, **tol),
    ]
    yield Section("ANCOVA", "Year-1 GPA on mentoring, adjusted for entry GPA and sex "
                  "(`tests/reference/outcomes_models.R`, car 3.1.1, emmeans 1.8.4.1).", rows)

    ref_ps = reference("propensity")
    lalonde = data("lalonde").set_index("id")
    covariates = ["age", "educ", "race", "married", "nodegree", "re74", "re75"]
    rows = []
    for case, label in (("nearest", "1:1 nearest"), ("caliper", "1:1, caliper 0.2 SD")):
        # the matchit() call of the case, as propensity_match arguments
        args = ref_ps["cases"][case]["args"]
        kwargs = {"distance": "logit" if args["link"] == "linear.logit" else "ps",
                  "caliper": args.get("caliper")}
        for r_name, py_name in (("ratio", "ratio"), ("replace", "replace"),
                                ("m.order", "order"), ("discard", "discard"),
                                ("estimand", "estimand")):
            if r_name in args:
                kwargs[py_name] = args[r_name]
        matched = quiet(propensity_match, lalonde, "treat", covariates, **kwargs)
        effect = matched.effect("re78")
        expected = ref_ps["effects"][case]["plain"]
        rows += [
            Row(f"matched effect on re78, {label}", "MatchIt + lm + sandwich::vcovCL",
                expected["estimate"], effect.estimate, rtol=1e-6),
            Row(f"its SE (clustered by matched set), {label}", "sandwich::vcovCL",
                expected["se"], effect.se, rtol=1e-6),
        ]
    yield Section("Propensity-score matching", "MatchIt 4.5.1 on its `lalonde` data "
                  "(`tests/reference/propensity.R`); the matched sets themselves are "
                  "identical (`tests/outcomes/test_propensity.py`).", rows)

    rows = []
    r = ref["mixed_sample_gpa"]
    mixed = quiet(mixed_model, models, "gpa_year1", "mentored", "mentor_group", ["gpa_entry"])
    rows += [
        Row("mentoring effect", "lme4::lmer (REML)", r["estimate"][1],
            mixed.fixed["estimate"].iloc[1], rtol=1e-6, atol=1e-9),
        Row("its SE", "lme4::lmer", r["se"][1], mixed.fixed["se"].iloc[1], rtol=1e-6),
        Row("between-group variance tau²", "lme4::lmer", r["tau2"], mixed.tau2, rtol=1e-5,
            atol=1e-12),
        Row("residual variance sigma²", "lme4::lmer", r["sigma2"], mixed.sigma2, rtol=1e-6),
        Row("ICC (conditional)", "tau² / (tau² + sigma²) from lmer", r["icc"], mixed.icc,
            atol=1e-6),
        Row("ICC (null model)", "lme4::lmer", r["icc_null"], mixed.icc_null, atol=1e-6),
    ]
    yield Section("Mixed model", "Mentees nested in mentor groups, sample study, lme4 "
                  "1.1.31 with bobyqa at `rhoend = 1e-12` "
                  "(`tests/reference/outcomes_models.R`).", rows)

    ref = reference("power_meta")
    rows = []
    bcg = data("meta_bcg")
    effects = from_groups(bcg, measure="RR", events_treated="tpos",
                          n_treated=bcg["tpos"] + bcg["tneg"], events_control="cpos",
                          n_control=bcg["cpos"] + bcg["cneg"], labels="author")
    for method, tol in (("FE", 1e-6), ("DL", 1e-6), ("REML", 1e-8)):
        r = ref["bcg"][method]
        pooled = quiet(meta_analysis, effects, method=method)
        rows.append(Row(f"pooled log RR, {method}", "metafor::rma", r["estimate"],
                        pooled.estimate, rtol=tol))
        rows.append(Row(f"its SE, {method}", "metafor::rma", r["se"], pooled.se, rtol=tol))
        if method != "FE":
            rows.append(Row(f"tau², {method}", "metafor::rma", r["tau2"], pooled.tau2,
                            rtol=tol))
            rows.append(Row(f"I² (%), {method}", "metafor::rma", r["i2"], pooled.i2,
                            rtol=tol))
    r = ref["bcg"]["REML_knha"]
    pooled = quiet(meta_analysis, effects, method="REML", knha=True)
    rows.append(Row("lower bound, REML + Hartung-Knapp", "metafor::rma(test = \"knha\")",
                    r["ci_low"], pooled.ci_low, rtol=1e-8))
    yield Section("Meta-analysis", "metafor 3.8-1 on its `dat.bcg` (BCG vaccine trials, "
                  "log risk ratios; `tests/reference/power_meta.R`), REML refitted at "
                  "`threshold = 1e-13`.", rows)

    rows = []
    for case, label in (("t_power_two_sided", "power, d = 0.5, n = 40 per group"),
                        ("t2n_power", "power, d = 0.29, n = 81 and 174"),
                        ("t_n_two_sided", "n per group, d = 0.3, 80% power"),
                        ("t_mde_two_sided", "detectable d, n = 40, 80% power")):
        r = ref["power"][case]
        args = dict(r["args"])
        if isinstance(args.get("n"), list):
            args["n"] = tuple(args["n"])
        result = quiet(power, **args)
        if "power" in r:
            rows.append(Row(label, "pwr::pwr.t.test / pwr.t2n.test", r["power"],
                            result.power, rtol=1e-6))
        elif "n" in r:
            rows.append(Row(label, "pwr's power function, uniroot(tol = 1e-13)", r["n"],
                            result.n_treated, rtol=1e-6))
            rows.append(Row(label + " (pwr as printed)", "pwr::pwr.t.test", r["n_pwr"],
                            result.n_treated, atol=1e-3))
        else:
            rows.append(Row(label, "pwr's power function, uniroot(tol = 1e-13)", r["d"],
                            result.d, rtol=1e-6))
    yield Section("Power", "pwr 1.3-0 (`tests/reference/power_meta.R`); pwr solves for n "
                  "and d with `uniroot` at about 1e-4, so the script also solves pwr's "
                  "power functions tightly.", rows)


# ----------------------------------------------------------------------------- page


HEADER = """\
# Validation: our numbers beside R's

<!-- Generated by docs/_gen/validation.py at every documentation build; do not edit. -->

Every estimator in peereval is checked against an independent implementation, in most
cases R. The R scripts are in the repository under `tests/reference/` (`alpha.R`,
`omega.R`, `polychoric.R`, `icc_kappa.R`, `efa.R`, `cfa.R`, `drift.R`,
`outcomes_compare.R`, `outcomes_models.R`, `propensity.R`, `power_meta.R`). They were
run once and wrote their results as JSON next to them, with the R and package versions
under `_meta`; those files are committed, so the test suite and CI compare against them
**without R**. `tests/reference/README.md` says how to regenerate them.

This page is written while the documentation is built: each row below recomputes
peereval's value now, on the same data the R script read (`tests/reference/data/`),
and prints it beside R's stored value, the absolute difference and the tolerance the
test suite allows for that comparison (\\|R\\| is the size of R's value: relative
tolerances scale with it). The build fails if any difference exceeds its tolerance.
It shows a selection; the tests compare every element (whole loading matrices, every
parameter, every case), see `tests/reliability/`, `tests/validity/` and
`tests/outcomes/`. A row whose quantity ends "(largest difference of N)" stands for N
values compared at the same tolerance and shows the one farthest from R's.

Tolerances follow the kind of computation: closed forms agree to rounding (1e-9 or
tighter); iterative estimates agree to the precision at which the slower of the two
programs stops, which each section states. Where R's default stopping rule is loose,
the scripts also ran R to tight convergence.

* R and packages (as recorded in the JSON files): {versions}.
* peereval: {version}.
"""


DIFFERENCES = """\
## Deliberate differences from R

Where peereval does not do what the R reference does, on purpose (from
`tests/reference/README.md` and the module pages). Each comparison above either avoids
these cases or compares with what peereval computes, obtained in R another way.

* **Polychoric correlations with each pair's own thresholds**
  (`global_thresholds=False`, empty cells corrected). When the corrected cumulative
  shares reach 1 below an observed category, psych stops with an error (a threshold
  would be infinite). peereval takes that pair's thresholds from the corrected table's
  own margins, which is polycor's two-step estimate of the corrected table, and warns,
  naming the pairs. All other pairs keep psych's thresholds.
* **Pairwise deletion** (`alpha`, `item_analysis`, `efa`, `factorability`,
  `parallel_analysis`, `map_test`). As in psych, n is the number of respondents, not
  the smallest pairwise n. psych also counts rows in which no item was answered;
  peereval drops those rows and reports them as dropped. The reference data have no
  such rows, so the numbers agree.
* **Alpha, listwise.** `psych::alpha` has no listwise option. peereval's default uses
  the complete rows throughout (Feldt's n included), so the R comparisons run psych on
  the complete rows.
* **Omega with too many factors.** peereval refuses more group factors than the items
  identify (negative degrees of freedom, e.g. 4 from 6 items); psych fits them. With 0
  degrees of freedom (3 from 6 items) both compute the omegas and peereval warns.
* **MAP.** `map_test(rule="velicer")`, the default, counts m = 0 (Velicer's rule) and
  can suggest 0 factors; `psych::VSS` starts at m = 1, which `rule="psych"` reproduces.
  The result names the rule.
* **EFA by maximum likelihood.** psych's `rms` for `fa(fm = "ml")` is not the root mean
  square residual of its own solution (about 1e-4 away on `drift_pairwise.csv`).
  peereval reports that root mean square; the test compares it with the same quantity
  computed in R from psych's solution.
* **Split-half with an odd number of items.** `psych::splitHalf` examines only half of
  the possible splits; peereval examines all of them (checked against an enumeration in
  R).
* **Weighted kappa's variance.** `psych::cohen.kappa` weights it by the row margin where
  Fleiss, Cohen & Everitt (1969) weight by the column margin; peereval follows the
  paper, so only psych's estimates are compared.
* **Risk-ratio interval.** effectsize 0.8.3's `riskratio` uses a non-standard standard
  error; peereval's Wald interval is compared with epiR's.
* **Matching.** MatchIt 4.5.1 truncates distance differences to whole numbers in
  nearest-neighbour matching (MatchIt issue #163) and repeats controls within a set in
  1:k matching with replacement (#159). peereval matches as the algorithm intends; the R
  script rescales the distances to get MatchIt's intended matches, and checks 1:k with
  replacement against a brute-force search.
"""


def _versions() -> str:
    found: dict[str, str] = {}
    for path in sorted(REFERENCE.glob("*.json")):
        meta = json.loads(path.read_text(encoding="utf-8")).get("_meta", {})
        flat = dict(meta)
        flat.update(meta.get("packages", {}) if isinstance(meta.get("packages"), dict) else {})
        for key, value in flat.items():
            if key in {"script", "written", "data", "optimiser", "level", "packages"}:
                continue
            name = "R" if key.lower() in {"r", "r_version"} else key
            found.setdefault(name, str(value).removeprefix("R version "))
    r = found.pop("R", "unknown")
    return f"R {r}; " + ", ".join(f"{k} {v}" for k, v in sorted(found.items(),
                                                                  key=lambda kv: kv[0].lower()))


def sections() -> list[tuple[str, list[Section]]]:
    return [("Reliability", list(reliability())), ("Validity", list(validity())),
            ("Small, sparse and incomplete data", list(sparse())),
            ("Outcomes", list(outcomes()))]


def render(groups: list[tuple[str, list[Section]]], seconds: float) -> str:
    lines = [HEADER.format(versions=_versions(), version=__version__)]
    total = failed = 0
    for title, parts in groups:
        lines += [f"## {title}", ""]
        for section in parts:
            lines += [f"### {section.title}", "", section.intro, "",
                      "| quantity | R function (or published source) | R value | peereval "
                      "| difference | tolerance |",
                      "|---|---|---:|---:|---:|---|"]
            for row in section.rows:
                total += 1
                failed += not row.within
                mark = "" if row.within else " **exceeds**"
                lines.append(f"| {row.quantity} | {row.source} | {_num(row.r)} | "
                             f"{_num(row.ours)} | {_diff(row.difference)}{mark} | "
                             f"{row.tolerance_text()} |")
            lines.append("")
    lines.append(DIFFERENCES)
    lines += [f"{total} comparisons, {total - failed} within tolerance; computed in "
              f"{seconds:.1f} s.", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "validation.md"
    start = time.perf_counter()
    groups = sections()
    text = render(groups, time.perf_counter() - start)
    out.write_text(text, encoding="utf-8")
    bad = [row for _, parts in groups for s in parts for row in s.rows if not row.within]
    for row in bad:
        print(f"validation: {row.quantity}: |{row.ours!r} - {row.r!r}| = {row.difference:.3g}"
              f" exceeds {row.allowed:.3g}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

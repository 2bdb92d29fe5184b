"""Realistic data for the benchmarks: questionnaires, platform exports, student records.

Every generator is seeded, so a benchmark run times the same data every time.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

LIKERT = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
          "Strongly agree"]
_QUALTRICS_META = [("StartDate", "startDate"), ("EndDate", "endDate"), ("Status", "status"),
                   ("Progress", "progress"), ("Duration (in seconds)", "duration"),
                   ("Finished", "finished"), ("ResponseId", "_recordId")]
#: Covariates of the student records used for the propensity score.
COVARIATES = ["gpa_entry", "age", "sex", "prior_fail"]


def survey_items(n: int, k: int = 60, n_factors: int = 6, *, missing: float = 0.0,
                 seed: int = 1) -> pd.DataFrame:
    """Five-point answers of ``n`` respondents to ``k`` items on ``n_factors`` scales.

    Item j loads 0.55-0.80 on factor ``j % n_factors``; the factors correlate 0.3 (as
    the subscales of a mentoring questionnaire do). Answers are the latent responses
    cut at fixed thresholds, slightly skewed towards agreement. Item ``s2_5`` is the
    fifth item of scale 2. ``missing`` is the
    share of answers left blank, at random.
    """
    rng = np.random.default_rng(seed)
    phi = np.full((n_factors, n_factors), 0.3) + 0.7 * np.eye(n_factors)
    factors = rng.standard_normal((n, n_factors)) @ np.linalg.cholesky(phi).T
    loadings = rng.uniform(0.55, 0.80, k)
    which = np.arange(k) % n_factors
    latent = factors[:, which] * loadings + rng.standard_normal((n, k)) * np.sqrt(
        1 - loadings**2)
    answers = np.digitize(latent, [-1.6, -0.8, 0.0, 0.9]) + 1.0
    if missing:
        answers[rng.random((n, k)) < missing] = np.nan
    names = [f"s{j % n_factors + 1}_{j // n_factors + 1}" for j in range(k)]
    return pd.DataFrame(answers, columns=names)


def cfa_model(k: int = 60, n_factors: int = 6) -> dict[str, list[str]]:
    """The factor -> items model of :func:`survey_items`."""
    names = survey_items(n_factors, k, n_factors).columns
    return {f"F{f + 1}": [names[j] for j in range(k) if j % n_factors == f]
            for f in range(n_factors)}


def write_qualtrics(path: Path, n: int, k: int = 60, seed: int = 1) -> Path:
    """A choice-text Qualtrics CSV export (UTF-8 with BOM, three header rows, CRLF)."""
    rng = np.random.default_rng(seed)
    codes = [f"Q{j // 10 + 1}_{j % 10 + 1}" for j in range(k)]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([t for t, _ in _QUALTRICS_META] + codes)
    writer.writerow([t for t, _ in _QUALTRICS_META] + [f"Question {c}" for c in codes])
    writer.writerow([json.dumps({"ImportId": i}) for _, i in _QUALTRICS_META]
                    + [json.dumps({"ImportId": f"QID{c[1:]}"}) for c in codes])
    answers = rng.integers(0, 5, (n, k))
    missing = rng.random((n, k)) < 0.02
    for i in range(n):
        row = ["2024-03-02 09:14:05", "2024-03-02 09:19:47", "IP Address", "100", "342",
               "True", f"R_{i:015d}"]
        row += ["" if missing[i, j] else LIKERT[answers[i, j]] for j in range(k)]
        writer.writerow(row)
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    return path


def student_records(n: int, seed: int = 5) -> pd.DataFrame:
    """Students with entry GPA, age, sex and a prior failed course; stronger ones join
    the programme more often (about a third join), and first-year GPA follows."""
    rng = np.random.default_rng(seed)
    gpa = np.clip(rng.normal(3.0, 0.45, n), 0, 4).round(2)
    age = rng.integers(17, 26, n).astype(float)
    sex = rng.choice(np.array(["F", "M"]), n, p=[0.6, 0.4])
    prior_fail = (rng.random(n) < 0.15).astype(float)
    lp = -0.7 + 1.1 * (gpa - 3.0) / 0.45 - 0.1 * (age - 19) + 0.2 * (sex == "F") \
        - 0.4 * prior_fail
    joined = rng.random(n) < 1 / (1 + np.exp(-lp))
    outcome = np.clip(0.6 * gpa + 1.2 + 0.1 * joined + rng.normal(0, 0.35, n), 0, 4)
    return pd.DataFrame({"mentored": np.where(joined, "yes", "no"), "gpa_entry": gpa,
                         "age": age, "sex": sex, "prior_fail": prior_fail,
                         "gpa_year1": outcome.round(2)})

"""Degenerate data: a clear PeerevalError or PeerevalWarning, never a silent NaN.

Zero-variance items, a single item, fewer respondents than items, singular and
non-positive-definite matrices, perfect separation, an empty group: each function
says what is wrong in words, and a report built on such data still comes out, with
the analysis it could not do named in a note and no 'nan' anywhere.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import warnings

import numpy as np
import openpyxl
import pandas as pd
import pytest

import peereval.datasets
from peereval.errors import PeerevalError, PeerevalWarning
from peereval.outcomes import (
    ancova,
    compare,
    compare_binary,
    mixed_model,
    pre_post,
    propensity_match,
)
from peereval.reliability import alpha, icc, item_analysis, omega, split_half
from peereval.report import run_study
from peereval.report._html import render_html
from peereval.validity import cfa, efa, factorability, parallel_analysis

RNG = np.random.default_rng(1)
ITEMS = pd.DataFrame(RNG.integers(1, 6, (30, 5)).astype(float), columns=list("abcde"))
CONSTANT = ITEMS.assign(c=3.0)
DUPLICATED = ITEMS.assign(e=ITEMS["a"])
GROUPS = pd.DataFrame({"y": RNG.normal(size=20), "g": ["a"] * 10 + ["b"] * 10,
                       "x": RNG.normal(size=20)})
SEPARATED = pd.DataFrame({"p": [0] * 10 + [1] * 10, "g": ["a"] * 10 + ["b"] * 10,
                          "x": np.arange(20.0)})

ERRORS = [
    ("alpha, zero-variance item", lambda: alpha(CONSTANT), "has no variance"),
    ("alpha, one item", lambda: alpha(ITEMS[["a"]]), "at least 2 items"),
    ("item analysis, zero-variance item", lambda: item_analysis(CONSTANT), "no variance"),
    ("split-half, zero-variance item", lambda: split_half(CONSTANT), "no variance"),
    ("omega, zero-variance item", lambda: omega(CONSTANT, n_factors=1), "no variance"),
    ("omega, fewer respondents than items", lambda: omega(ITEMS.iloc[:4], n_factors=1),
     "only 4 respondent"),
    ("EFA, zero-variance item", lambda: efa(CONSTANT, n_factors=1), "no variance"),
    ("EFA, fewer respondents than items", lambda: efa(ITEMS.iloc[:3], n_factors=1), "only 3"),
    ("factorability, singular matrix", lambda: factorability(DUPLICATED), "singular"),
    ("parallel analysis, n < items", lambda: parallel_analysis(ITEMS.iloc[:3], n_iter=50),
     "only 3"),
    ("CFA, not positive definite", lambda: cfa(DUPLICATED, {"F": list("abcde")}),
     "not positive definite"),
    ("ICC, a rater who never varies",
     lambda: icc(pd.DataFrame({"r1": [3.0] * 10, "r2": [3.0] * 10})), "same rating"),
    ("compare, one group empty", lambda: compare(GROUPS.assign(g="a"), "y", "g"),
     "exactly two groups"),
    ("compare, constant outcome", lambda: compare(GROUPS.assign(y=1.0), "y", "g"),
     "is constant"),
    ("compare, one student in a group",
     lambda: compare(GROUPS.iloc[9:], "y", "g", treated="a"), "at least 2 per group"),
    ("ANCOVA, constant covariate",
     lambda: ancova(GROUPS.assign(x=1.0), "y", "g", covariates=["x"]), "is constant"),
    ("ANCOVA, collinear covariates",
     lambda: ancova(GROUPS.assign(z=GROUPS["x"] * 2), "y", "g", covariates=["x", "z"]),
     "linear combination"),
    ("propensity, perfect separation",
     lambda: propensity_match(SEPARATED, "g", ["x"]), "separate the groups perfectly"),
    ("pre/post, no spread of change",
     lambda: pre_post(pd.DataFrame({"pre": [1.0, 2, 3], "post": [2.0, 3, 4]}), "pre",
                      "post"), "no spread"),
    ("mixed model, no cluster of two",
     lambda: mixed_model(GROUPS.assign(c=[f"m{i}" for i in range(20)]), "y", "g",
                         cluster="c"), "between-cluster variance"),
]


@pytest.mark.parametrize(("case", "call", "message"), ERRORS, ids=[e[0] for e in ERRORS])
def test_degenerate_input_is_a_clear_error(case, call, message):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        with pytest.raises(PeerevalError, match=message) as err:
            call()
    assert err.value.hint, f"{case}: the error says what is wrong but not how to fix it"


WARNINGS = [
    ("alpha, fewer respondents than items", lambda: alpha(ITEMS.iloc[:4]),
     "no more respondents than items"),
    ("EFA, duplicated item (Heywood)", lambda: efa(DUPLICATED, n_factors=2), "Heywood case"),
    ("omega, duplicated item (Heywood)", lambda: omega(DUPLICATED, n_factors=1),
     "Heywood case"),
    ("binary, a zero cell", lambda: compare_binary(SEPARATED, "p", "g", treated="b"),
     "zero cell"),
    ("binary, separation in the logistic model",
     lambda: compare_binary(SEPARATED, "p", "g", treated="b", covariates=["x"]),
     "separation in the logistic model"),
]


@pytest.mark.parametrize(("case", "call", "message"), WARNINGS, ids=[w[0] for w in WARNINGS])
def test_degenerate_input_warns_and_the_result_reads_cleanly(case, call, message):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PeerevalWarning)
        result = call()
    said = [str(w.message) for w in caught if issubclass(w.category, PeerevalWarning)]
    assert any(re.search(message, text) for text in said), said
    text = repr(result) + result.apa()
    assert not re.search(r"\bnan\b", text, re.IGNORECASE), text


def test_a_separated_adjusted_odds_ratio_is_not_printed_as_a_number():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        result = compare_binary(SEPARATED, "p", "g", treated="b", covariates=["x"])
    assert "adjusted OR could not be estimated" in result.apa()
    assert "e+" not in result.apa()


# --------------------------------------------------------------------- reports


def _study(tmp_path, scenario: str):
    folder = tmp_path / scenario
    shutil.copytree(peereval.datasets.sample_dir(), folder)
    if scenario == "constant_item":
        survey = folder / "survey.csv"
        rows = list(csv.reader(io.StringIO(survey.read_text(encoding="utf-8-sig"))))
        column = rows[0].index("Q1_1")
        for row in rows[3:]:
            row[column] = "Agree"
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(rows)
        survey.write_text(buffer.getvalue(), encoding="utf-8-sig")
    else:
        book = openpyxl.load_workbook(folder / "records.xlsx")
        sheet = book["records"]
        header = [c.value for c in sheet[1]]
        for row in range(2, sheet.max_row + 1):
            if scenario == "separated":  # passing follows entry GPA exactly
                gpa = sheet.cell(row, header.index("gpa_entry") + 1).value
                sheet.cell(row, header.index("passed") + 1).value = int(gpa >= 3.0)
            if scenario == "one_group":
                sheet.cell(row, header.index("mentored") + 1).value = "yes"
        book.save(folder / "records.xlsx")
    return folder / "study.toml"


@pytest.mark.parametrize(("scenario", "note"), [
    ("constant_item", "Reliability of the scale 'Mentor support': not reported. Item 'Q1_1' "
                      "has no variance"),
    ("separated", "Adjusted comparison of passing the first year: not reported. 'passing "
                  "the first year' is perfectly separated in the logistic model"),
    ("one_group", "Unadjusted comparison of the groups: not reported. 'mentored' must hold "
                  "exactly two groups; it holds 1"),
])
def test_a_report_on_degenerate_data_names_what_it_could_not_do(tmp_path, scenario, note):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        report = run_study(_study(tmp_path, scenario))
    notes = [n for s in report.sections for n in s.notes]
    assert any(n.startswith(note) for n in notes), notes
    html = render_html(report)
    text = re.sub(r"<[^>]+>", " ", html.split("<body", 1)[1])
    assert not re.search(r"\b(nan|NaN|inf)\b", text)
    if scenario == "constant_item":  # the other scales are still reported
        tables = {t.key: t.frame for t in report.tables()}
        remaining = ["Academic adjustment", "Wellbeing and belonging"]  # scales' labels
        assert tables["reliability"]["scale"].tolist() == remaining
        assert set(tables["items"]["scale"]) == set(remaining)
    assert "<td></td>" not in html
    assert '<td class="num"></td>' not in html

"""Cohen's kappa, Fleiss' kappa and Krippendorff's alpha against R, SAS and published values.

Reference values:
* tests/reference/icc_kappa.json (psych::cohen.kappa via tests/reference/icc_kappa.R):
  kappa, weighted kappa, observed and expected agreement at 1e-6; the unweighted
  variance and confidence boundaries at 1e-6. psych 2.2.9's *weighted* variance is not
  used: its ``rowSums(w * rs)`` recycles the row margins along rows, giving
  p_i. * sum_j w_ij instead of Fleiss, Cohen & Everitt's sum_j p_j. w_ij (unweighted
  kappa is unaffected). The weighted variance is checked against SAS PROC FREQ and
  statsmodels instead, which agree with each other.
* SAS PROC FREQ output for a 3 x 3 table, as recorded in statsmodels' test suite
  (statsmodels/stats/tests/test_inter_rater.py, TestUnweightedCohens and
  TestWeightedCohens), four decimals.
* statsmodels.stats.inter_rater.cohens_kappa and fleiss_kappa, independent
  implementations, at 1e-10.
* Fleiss (1971), Psychological Bulletin 76:378-382, Table 1: 30 patients, 6
  psychiatrists, 5 diagnoses; kappa = .430.
* R irr::kappam.fleiss output for the same data (irr's ``diagnoses``) as printed in
  tutorials: all six raters kappa 0.43, z = 17.7 (Datanovia, "Fleiss' kappa in R");
  raters 1-3 kappa 0.534, z 9.89 (CSDN blog 117938889) and category kappas 0.42, 0.59,
  0.58, 0.24, 1.00 (Datanovia); irr::kappa2 for pairs of raters 0.651, 0.384, 0.631
  (L. Curini's lab script on inter-coder reliability).
* R irrCAC (Gwet) README output: fleiss.kappa.dist(distrib.6raters) and
  fleiss.kappa.raw(cac.raw4raters); krippen.alpha.raw(cac.raw4raters) alpha 0.74342.
* Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 coders x 12
  units, alpha nominal .743, ordinal .815, interval .849, ratio .797 (also the test
  values of R's icr package, which cites the same example in Krippendorff 2018, p. 290).
* Hayes & Krippendorff (2007), Communication Methods and Measures 1:77-89: 40 units x
  5 observers, ordinal alpha .7598.
* The ``krippendorff`` package from PyPI (an independent implementation), at 1e-9.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peereval.errors import PeerevalError, PeerevalWarning
from peereval.reliability import KappaResult, cohen_kappa, fleiss_kappa, krippendorff_alpha

REFERENCE = Path(__file__).resolve().parents[1] / "reference"
DATA = REFERENCE / "data"
TOL = {"rtol": 1e-6, "atol": 1e-10}
nan = np.nan

# Fleiss (1971), Table 1: number of psychiatrists (of 6) assigning each diagnosis
FLEISS_1971 = np.array([
    [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0],
    [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6],
    [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
    [0, 0, 5, 0, 1], [3, 0, 0, 1, 2], [5, 1, 0, 0, 0], [0, 2, 0, 4, 0], [1, 0, 2, 0, 3],
    [0, 0, 0, 0, 6], [0, 1, 0, 5, 0], [0, 2, 0, 1, 3], [2, 0, 0, 4, 0], [1, 0, 0, 4, 1],
    [0, 5, 0, 1, 0], [4, 0, 0, 0, 2], [0, 2, 0, 4, 0], [1, 0, 5, 0, 0], [0, 0, 0, 0, 6],
])
DIAGNOSES = ["Depression", "Personality disorder", "Schizophrenia", "Neurosis", "Other"]

# Krippendorff (2011): coders A-D (columns here) x units 1-12 (rows), values 1-5
KRIPPENDORFF_2011 = pd.DataFrame({
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, nan],
    "C": [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
})

# Hayes & Krippendorff (2007), example data: 40 news stories (rows) x 5 observers
HAYES_KRIPPENDORFF_2007 = pd.DataFrame([
    [1, 1, 2, nan, 2], [1, 1, 0, 1, nan], [2, 3, 3, 3, nan], [nan, 0, 0, nan, 0],
    [0, 0, 0, nan, 0], [0, 0, 0, nan, 0], [1, 0, 2, nan, 1], [1, nan, 2, 0, nan],
    [2, 2, 2, nan, 2], [2, 1, 1, 1, nan], [nan, 1, 0, 0, nan], [0, 0, 0, 0, nan],
    [1, 2, 2, 2, nan], [3, 3, 2, 2, 3], [1, 1, 1, nan, 1], [1, 1, 1, nan, 1],
    [2, 1, 2, nan, 2], [1, 2, 3, 3, nan], [1, 1, 0, 1, nan], [0, 0, 0, nan, 0],
    [0, 0, 1, 1, nan], [0, 0, nan, 0, 0], [2, 3, 3, 3, nan], [0, 0, 0, 0, nan],
    [1, 2, nan, 2, 2], [0, 1, 1, 1, nan], [0, 0, 0, 1, 0], [1, 2, 1, 2, nan],
    [1, 1, 2, 2, nan], [1, 1, 2, nan, 2], [1, 1, 0, nan, 0], [2, 1, 2, 1, nan],
    [2, 2, nan, 2, 2], [3, 2, 2, 2, nan], [2, 2, 2, nan, 2], [2, 2, 3, nan, 2],
    [2, 2, 2, nan, 2], [2, 2, nan, 1, 2], [2, 2, 2, 2, nan], [1, 1, 1, nan, 1],
], columns=["obs1", "obs2", "obs3", "obs4", "obs5"])

# 3 x 3 table of the SAS PROC FREQ example (rows rater a, columns rater b)
SAS_TABLE = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]


@pytest.fixture(scope="module")
def psych() -> dict:
    return json.loads((REFERENCE / "icc_kappa.json").read_text(encoding="utf-8"))


def table_to_ratings(table, names=("a", "b")) -> pd.DataFrame:
    rows = [(i, j) for i, row in enumerate(table) for j, c in enumerate(row) for _ in range(c)]
    return pd.DataFrame(rows, columns=list(names))


def counts_to_ratings(counts: np.ndarray) -> pd.DataFrame:
    rows = [[j + 1 for j, c in enumerate(row) for _ in range(int(c))] for row in counts]
    return pd.DataFrame(rows, columns=[f"rater{i + 1}" for i in range(len(rows[0]))])


# ------------------------------------------------------------------ Cohen's kappa


def assert_unweighted(result: KappaResult, ref: dict) -> None:
    assert result.n == ref["n"]
    np.testing.assert_allclose(result.kappa, ref["kappa"], **TOL)
    np.testing.assert_allclose(result.se ** 2, ref["var_kappa"], **TOL)
    np.testing.assert_allclose([result.ci_low, result.ci_high], [ref["lower"], ref["upper"]],
                               **TOL)
    np.testing.assert_allclose(result.observed_agreement, ref["observed"], **TOL)
    np.testing.assert_allclose(result.expected_agreement, ref["expected"], **TOL)


def assert_weighted_estimate(result: KappaResult, ref: dict) -> None:
    assert result.n == ref["n"]
    np.testing.assert_allclose(result.kappa, ref["weighted_kappa"], **TOL)
    np.testing.assert_allclose(result.observed_agreement, ref["weighted_observed"], **TOL)
    np.testing.assert_allclose(result.expected_agreement, ref["weighted_expected"], **TOL)


def test_cohen_unweighted_against_psych(psych):
    data = pd.read_csv(DATA / "kappa_diagnoses.csv")
    assert_unweighted(cohen_kappa(data, "rater1", "rater2"), psych["kappa_diagnoses_12"])
    assert_unweighted(cohen_kappa(data, "rater3", "rater4"), psych["kappa_diagnoses_34"])
    bfi = pd.read_csv(DATA / "kappa_bfi.csv")
    result = cohen_kappa(bfi, "A2", "A3")
    assert_unweighted(result, psych["kappa_bfi_quadratic"])
    assert result.n_dropped == 10


def test_cohen_weighted_against_psych(psych):
    bfi = pd.read_csv(DATA / "kappa_bfi.csv")
    assert_weighted_estimate(cohen_kappa(bfi, "A2", "A3", weights="quadratic"),
                             psych["kappa_bfi_quadratic"])
    assert_weighted_estimate(cohen_kappa(bfi, "A2", "A3", weights="linear"),
                             psych["kappa_bfi_linear"])


def test_cohen_unused_category_against_psych(psych):
    data = pd.read_csv(DATA / "kappa_unused.csv")
    for weights in ("quadratic", "linear"):
        result = cohen_kappa(data, "first", "second", weights=weights, categories=[1, 2, 3, 4])
        assert_weighted_estimate(result, psych[f"kappa_unused_{weights}"])
        assert result.categories == (1, 2, 3, 4)
        assert result.crosstab.loc[3].sum() == 0
    assert_unweighted(cohen_kappa(data, "first", "second", categories=[1, 2, 3, 4]),
                      psych["kappa_unused_linear"])
    # without categories= the unused grade is not counted and the weights change
    assert cohen_kappa(data, "first", "second", weights="linear").categories == (1, 2, 4)


def test_cohen_against_sas():
    data = table_to_ratings(SAS_TABLE)
    simple = cohen_kappa(data, "a", "b", categories=[0, 1, 2])
    assert [round(v, 4) for v in (simple.kappa, simple.se, simple.ci_low, simple.ci_high,
                                  simple.se0, simple.z, simple.p_value)] == \
        [0.4842, 0.1380, 0.2137, 0.7547, 0.1484, 3.2626, 0.0011]
    weighted = cohen_kappa(data, "a", "b", weights="linear", categories=[0, 1, 2])
    assert [round(v, 4) for v in (weighted.kappa, weighted.se, weighted.ci_low,
                                  weighted.ci_high, weighted.se0, weighted.z,
                                  weighted.p_value)] == \
        [0.4701, 0.1457, 0.1845, 0.7558, 0.1426, 3.2971, 0.0010]


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
@pytest.mark.parametrize(("source", "a", "b"), [("kappa_bfi.csv", "A2", "A3"),
                                                ("kappa_diagnoses.csv", "rater1", "rater6"),
                                                ("kappa_unused.csv", "first", "second")])
def test_cohen_against_statsmodels(weights, source, a, b):
    from statsmodels.stats.inter_rater import cohens_kappa

    data = pd.read_csv(DATA / source)
    ours = cohen_kappa(data, a, b, weights=weights)
    table = np.array(ours.counts, dtype=float)
    theirs = (cohens_kappa(table) if weights is None
              else cohens_kappa(table, weights=np.arange(len(table)), wt=weights))
    np.testing.assert_allclose(ours.kappa, theirs.kappa, rtol=1e-10)
    np.testing.assert_allclose(ours.se, theirs.std_kappa, rtol=1e-10)
    np.testing.assert_allclose(ours.se0, theirs.std_kappa0, rtol=1e-10)
    np.testing.assert_allclose(ours.z, theirs.z_value, rtol=1e-10)
    np.testing.assert_allclose(ours.p_value, theirs.pvalue_two_sided, rtol=1e-8, atol=1e-300)


def test_cohen_published_irr_pairs():
    data = pd.read_csv(DATA / "kappa_diagnoses.csv")
    pairs = {("rater1", "rater2"): 0.651, ("rater1", "rater3"): 0.384,
             ("rater2", "rater3"): 0.631}
    for (a, b), value in pairs.items():
        assert round(cohen_kappa(data, a, b).kappa, 3) == value


def test_cohen_labels_weights_and_output():
    order = ["fail", "borderline", "pass"]
    grades = pd.DataFrame({"a": ["pass", "pass", "borderline", "fail", "pass", "borderline"],
                           "b": ["pass", "borderline", "borderline", "fail", "pass", "pass"]})
    numeric = grades.replace({label: i for i, label in enumerate(order)}).astype(int)
    expected = cohen_kappa(numeric, "a", "b", weights="quadratic")
    result = cohen_kappa(grades, "a", "b", weights="quadratic", categories=order)
    assert result.kappa == pytest.approx(expected.kappa)
    ordered = grades.astype(pd.CategoricalDtype(order, ordered=True))
    assert cohen_kappa(ordered, "a", "b", weights="quadratic").kappa == pytest.approx(
        expected.kappa)
    matrix = 1 - np.abs(np.subtract.outer(range(3), range(3))) ** 2 / 4
    assert cohen_kappa(numeric, "a", "b", weights=matrix).kappa == pytest.approx(expected.kappa)
    frame = result.to_frame()
    assert list(frame.columns) == ["rater1", "rater2", "weights", "kappa", "se", "ci_low",
                                   "ci_high", "ci_level", "z", "p_value", "observed_agreement",
                                   "expected_agreement", "n", "n_dropped", "interpretation"]
    assert result.apa().startswith("Cohen's quadratic-weighted κ = ")
    assert "Landis & Koch, 1977" in result.apa()
    assert result.title == "Cohen's weighted kappa (quadratic weights)"


def test_cohen_bounds_clipped():
    data = pd.DataFrame({"a": [1, 1, 2, 2, 1], "b": [1, 1, 2, 2, 1]})
    result = cohen_kappa(data, "a", "b")
    assert result.kappa == 1
    assert result.ci_high == 1
    data = pd.DataFrame({"a": [1, 2, 1, 2], "b": [1, 2, 1, 1]})
    result = cohen_kappa(data, "a", "b")
    assert result.ci_high <= 1
    assert result.ci_low >= -1


def test_cohen_errors():
    data = pd.DataFrame({"a": [1, 2, 3, 1], "b": [1, 2, 2, 1], "c": [2, 2, 2, 2],
                         "t": ["x", "y", "x", "y"], "u": ["y", "y", "x", "x"]})
    with pytest.raises(PeerevalError, match="no column 'z'"):
        cohen_kappa(data, "a", "z")
    with pytest.raises(PeerevalError, match="same column"):
        cohen_kappa(data, "a", "a")
    with pytest.raises(PeerevalError, match="'c' gave every subject the same rating") as info:
        cohen_kappa(data, "a", "c")
    assert info.value.column == "c"
    with pytest.raises(PeerevalError, match="not among categories"):
        cohen_kappa(data, "a", "b", categories=[1, 2])
    with pytest.raises(PeerevalError, match="order is not known"):
        cohen_kappa(data, "t", "u", weights="linear")
    with pytest.raises(PeerevalError, match="unknown weights"):
        cohen_kappa(data, "a", "b", weights="cubic")
    with pytest.raises(PeerevalError, match="symmetric"):
        cohen_kappa(data, "a", "b", weights=np.zeros((3, 3)))
    with pytest.raises(PeerevalError, match="no subject was rated by both"):
        cohen_kappa(pd.DataFrame({"a": [1, 2, nan], "b": [nan, nan, 1]}), "a", "b")
    with pytest.raises(PeerevalError, match="DataFrame"):
        cohen_kappa([[1, 2]], "a", "b")


def test_cohen_undefined_warns():
    data = pd.DataFrame({"a": [1, 2, 1, 2], "b": [1, 2, 2, 1]})
    with pytest.warns(PeerevalWarning, match="expected agreement is 1"):
        result = cohen_kappa(data, "a", "b", weights=np.ones((2, 2)))
    assert np.isnan(result.kappa)


# ------------------------------------------------------------------ Fleiss' kappa


def test_fleiss_1971_published():
    counts = pd.DataFrame(FLEISS_1971, columns=DIAGNOSES)
    result = fleiss_kappa(counts, counts=True)
    assert round(result.kappa, 3) == 0.430  # Fleiss (1971)
    # irr::kappam.fleiss(diagnoses): Kappa = 0.43, z = 17.7
    assert round(result.z, 1) == 17.7
    assert result.n_subjects == 30
    assert result.n_raters == 6
    assert result.equal_raters
    proportions = [c.proportion for c in result.categories]
    assert [round(p, 3) for p in proportions] == [0.144, 0.144, 0.167, 0.306, 0.239]


def test_fleiss_raw_ratings_equal_count_table():
    ratings = pd.read_csv(DATA / "kappa_diagnoses.csv")
    counts = np.array([[int((row == j).sum()) for j in range(1, 6)]
                       for row in ratings.to_numpy()])
    np.testing.assert_array_equal(counts, FLEISS_1971)  # irr's diagnoses = Fleiss' table
    from_raw = fleiss_kappa(ratings).to_frame()
    from_counts = fleiss_kappa(pd.DataFrame(FLEISS_1971, columns=[1, 2, 3, 4, 5]),
                               counts=True).to_frame()
    pd.testing.assert_frame_equal(from_raw, from_counts)


def test_fleiss_first_three_raters_irr_output():
    ratings = pd.read_csv(DATA / "kappa_diagnoses.csv")
    result = fleiss_kappa(ratings, ["rater1", "rater2", "rater3"])
    assert round(result.kappa, 3) == 0.534
    assert round(result.z, 2) == 9.89
    assert [round(c.kappa, 2) for c in result.categories] == [0.42, 0.59, 0.58, 0.24, 1.00]


def test_fleiss_against_statsmodels():
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    ratings = pd.read_csv(DATA / "kappa_diagnoses.csv")
    for columns in (None, ["rater1", "rater2", "rater3"], ["rater2", "rater5"]):
        result = fleiss_kappa(ratings, columns)
        used = ratings if columns is None else ratings[columns]
        table = np.array([[(row == j).sum() for j in range(1, 6)] for row in used.to_numpy()])
        np.testing.assert_allclose(result.kappa, sm_fleiss(table), rtol=1e-10)
        # kappa of one category = Fleiss' kappa of that category against the others
        m = table.sum(axis=1)
        for j, category in enumerate(result.categories):
            binary = np.column_stack([table[:, j], m - table[:, j]])
            if 0 < binary[:, 0].sum() < m.sum():
                np.testing.assert_allclose(category.kappa, sm_fleiss(binary), rtol=1e-10)


def test_fleiss_gwet_variance_irrcac_dist():
    # irrCAC::fleiss.kappa.dist(distrib.6raters): the first 15 subjects of Fleiss' table
    result = fleiss_kappa(pd.DataFrame(FLEISS_1971[:15]), counts=True)
    assert result.kappa == pytest.approx(0.4139265, abs=5e-8)
    assert result.se == pytest.approx(0.08119291, abs=5e-9)
    assert (round(result.ci_low, 2), round(result.ci_high, 3)) == (0.24, 0.588)
    assert result.observed_agreement == pytest.approx(0.5511111, abs=5e-8)
    assert result.expected_agreement == pytest.approx(0.2340741, abs=5e-8)


def test_fleiss_missing_ratings_irrcac_raw():
    # irrCAC::fleiss.kappa.raw(cac.raw4raters): Krippendorff's data, unequal raters
    result = fleiss_kappa(KRIPPENDORFF_2011, missing="available")
    assert result.observed_agreement == pytest.approx(0.8181818, abs=5e-8)
    assert result.expected_agreement == pytest.approx(0.2387153, abs=5e-8)
    assert round(result.kappa, 5) == 0.76117
    assert round(result.se, 5) == 0.15302
    assert (round(result.ci_low, 3), result.ci_high) == (0.424, 1.0)
    assert not result.equal_raters
    assert np.isnan(result.z)
    assert result.n_subjects == 12
    assert result.n_dropped == 0
    listwise = fleiss_kappa(KRIPPENDORFF_2011)
    assert listwise.n_subjects == 8
    assert listwise.n_dropped == 4
    assert listwise.equal_raters


def test_fleiss_output():
    ratings = pd.read_csv(DATA / "kappa_diagnoses.csv")
    result = fleiss_kappa(ratings)
    frame = result.to_frame()
    assert frame["scope"].tolist() == ["overall"] + ["category"] * 5
    assert frame["category"].tolist() == [None, 1, 2, 3, 4, 5]
    assert result.apa().startswith("Fleiss' κ = .43, 95% CI [")
    assert "z = 17.65, p < .001 (30 subjects, 6 ratings each): moderate agreement" in result.apa()
    assert result.interpretation == "moderate"


def test_fleiss_errors_and_warnings():
    with pytest.raises(PeerevalError, match="at least 2 raters"):
        fleiss_kappa(pd.DataFrame({"a": [1, 2]}))
    with pytest.raises(PeerevalError, match="whole numbers"):
        fleiss_kappa(pd.DataFrame({"x": [1, -1], "y": [2, 3]}), counts=True)
    with pytest.raises(PeerevalError, match="at least two subjects"):
        fleiss_kappa(pd.DataFrame({"a": [1, nan, 2], "b": [nan, 1, 2]}))
    with pytest.raises(PeerevalError, match="missing must be"):
        fleiss_kappa(KRIPPENDORFF_2011, missing="pairwise")
    with pytest.warns(PeerevalWarning, match="same category"):
        result = fleiss_kappa(pd.DataFrame({"a": [1, 1, 1], "b": [1, 1, 1]}))
    assert np.isnan(result.kappa)
    # a category nobody used, reported with an undefined kappa
    result = fleiss_kappa(pd.read_csv(DATA / "kappa_diagnoses.csv"),
                          categories=[1, 2, 3, 4, 5, 6])
    assert np.isnan(result.categories[-1].kappa)
    assert result.categories[-1].proportion == 0


# ------------------------------------------------------------------ Krippendorff's alpha


def test_krippendorff_2011_published():
    published = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}
    for level, value in published.items():
        result = krippendorff_alpha(KRIPPENDORFF_2011, metric=level, n_boot=0)
        assert round(result.alpha, 3) == value, level
        assert (result.n_units, result.n_dropped, result.n_values) == (11, 1, 40)
    nominal = krippendorff_alpha(KRIPPENDORFF_2011, n_boot=0)
    assert round(nominal.alpha, 5) == 0.74342  # irrCAC::krippen.alpha.raw
    # the coincidence matrix holds n = 40 pairable values; its margins n_c count the
    # pairable values of each kind (by hand: 1 x 9, 2 x 13, 3 x 10, 4 x 5, 5 x 3)
    coincidences = nominal.coincidence_matrix
    assert coincidences.to_numpy().sum() == pytest.approx(40)
    assert coincidences.sum(axis=1).round(6).tolist() == [9, 13, 10, 5, 3]
    np.testing.assert_allclose(coincidences, coincidences.T)


def test_hayes_krippendorff_2007_published():
    result = krippendorff_alpha(HAYES_KRIPPENDORFF_2007, metric="ordinal", n_boot=0)
    assert round(result.alpha, 4) == 0.7598


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_krippendorff_against_pypi_package(level):
    import krippendorff  # a test dependency (pyproject: test extra)
    rng = np.random.default_rng(11)
    random = pd.DataFrame(rng.integers(1, 6, size=(25, 4)).astype(float))
    random = random.mask(rng.random(random.shape) < 0.2)
    for data in (KRIPPENDORFF_2011, HAYES_KRIPPENDORFF_2007 + 1, random):
        ours = krippendorff_alpha(data, metric=level, n_boot=0).alpha
        theirs = krippendorff.alpha(reliability_data=data.to_numpy(dtype=float).T,
                                    level_of_measurement=level)
        np.testing.assert_allclose(ours, theirs, rtol=1e-9)


def test_krippendorff_ordinal_labels():
    labels = {1: "never", 2: "rarely", 3: "sometimes", 4: "often", 5: "always"}
    text = KRIPPENDORFF_2011.apply(lambda c: c.map(labels))
    result = krippendorff_alpha(text, metric="ordinal", categories=list(labels.values()),
                                n_boot=0)
    assert round(result.alpha, 3) == 0.815
    nominal = krippendorff_alpha(text, n_boot=0)
    assert round(nominal.alpha, 3) == 0.743


def test_krippendorff_bootstrap_reproducible():
    a = krippendorff_alpha(KRIPPENDORFF_2011, metric="interval", n_boot=500, seed=7)
    b = krippendorff_alpha(KRIPPENDORFF_2011, metric="interval", n_boot=500,
                           seed=np.random.default_rng(7))
    assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)
    assert a.ci_low < a.alpha < a.ci_high <= 1
    assert a.seed == "7"
    c = krippendorff_alpha(KRIPPENDORFF_2011, metric="ordinal", n_boot=300, seed=1)
    assert c.ci_low < c.alpha
    none = krippendorff_alpha(KRIPPENDORFF_2011, n_boot=0)
    assert np.isnan(none.ci_low)
    assert none.seed == "not used"
    assert "bootstrap, 500 resamples" in a.apa()
    assert a.interpretation == "reliable"
    frame = a.to_frame()
    assert frame.loc[0, "n_units"] == 11
    assert frame.loc[0, "metric"] == "interval"


def test_krippendorff_errors_and_warnings():
    with pytest.raises(PeerevalError, match="at least 2 coders"):
        krippendorff_alpha(KRIPPENDORFF_2011[["A"]])
    with pytest.raises(PeerevalError, match="no unit was coded by two"):
        krippendorff_alpha(pd.DataFrame({"a": [1, nan], "b": [nan, 2]}))
    with pytest.raises(PeerevalError, match="must be numbers"):
        krippendorff_alpha(pd.DataFrame({"a": ["x", "y"], "b": ["x", "x"]}), metric="interval")
    with pytest.raises(PeerevalError, match="cannot be negative"):
        krippendorff_alpha(pd.DataFrame({"a": [-1, 2], "b": [1, 2]}), metric="ratio")
    with pytest.raises(PeerevalError, match="metric must be one of 'nominal'"):
        krippendorff_alpha(KRIPPENDORFF_2011, metric="circular")
    with pytest.raises(PeerevalError, match="no column 'E'"):
        krippendorff_alpha(KRIPPENDORFF_2011, ["A", "E"])
    with pytest.raises(PeerevalError, match="order is not known"):
        krippendorff_alpha(pd.DataFrame({"a": ["x", "y"], "b": ["x", "x"]}), metric="ordinal")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(PeerevalWarning, match="all pairable values are equal"):
            krippendorff_alpha(pd.DataFrame({"a": [2, 2, 2], "b": [2, 2, nan]}))
    data = KRIPPENDORFF_2011.copy()
    before = data.copy()
    krippendorff_alpha(data, metric="ordinal", n_boot=200, seed=1)
    pd.testing.assert_frame_equal(data, before)

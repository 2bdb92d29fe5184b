"""Intraclass correlations and test-retest reliability, against published values and R.

Reference values:
* Shrout & Fleiss (1979), Psychological Bulletin 86:420-428: the 6 targets x 4 judges
  example; their Table 2 mean squares and their six ICCs (two decimals). The 95% CIs
  and F tests of that example are the psych::ICC values listed in /work/shared
  REFERENCES.md section 1.5 (three decimals).
* tests/reference/icc_kappa.json, written by tests/reference/icc_kappa.R with
  psych::ICC(lmer = FALSE) on the CSV files in tests/reference/data: estimates, F,
  df, p and bounds are compared at 1e-6 (closed forms).
* The sample study's paired scale scores (data/icc_retest_sample.csv) are written by
  this module: ``python tests/reliability/test_icc.py --write-reference-data``.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import peereval
from peereval.errors import DuplicateIdError, LinkageError, PeerevalError, PeerevalWarning
from peereval.loaders.records import normalise_id
from peereval.reliability import ICCResult, icc
from peereval.reliability import test_retest as retest_icc

# The old form test_retest(responses1, responses2, id, instrument=...) is deprecated;
# the tests that pin its numbers keep calling it (one test checks the warning itself).
pytestmark = pytest.mark.filterwarnings(
    r"ignore:test_retest\(first, second, id:DeprecationWarning")

REFERENCE = Path(__file__).resolve().parents[1] / "reference"
DATA = REFERENCE / "data"
SCALES = ("support", "adjustment", "belonging")
PSYCH_ORDER = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")
TOL = {"rtol": 1e-6, "atol": 1e-10}

SHROUT_FLEISS = pd.DataFrame({"J1": [9, 6, 8, 7, 10, 6], "J2": [2, 1, 4, 1, 5, 2],
                              "J3": [5, 3, 6, 2, 6, 4], "J4": [8, 2, 8, 6, 9, 7]})


@pytest.fixture(scope="module")
def psych() -> dict:
    return json.loads((REFERENCE / "icc_kappa.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def study():
    return peereval.load_sample()


def by_psych_name(result: ICCResult) -> pd.DataFrame:
    return result.to_frame().set_index("psych").loc[list(PSYCH_ORDER)]


def assert_matches_psych(result: ICCResult, ref: dict) -> None:
    assert ref["psych"] == list(PSYCH_ORDER)
    frame = by_psych_name(result)
    assert result.n_targets == ref["n_targets"]
    assert result.n_raters == ref["n_raters"]
    assert result.n_dropped == ref["n_dropped"]
    np.testing.assert_allclose(frame["icc"], ref["icc"], **TOL)
    np.testing.assert_allclose(frame["f"], ref["f"], **TOL)
    np.testing.assert_allclose(frame["df1"], ref["df1"], **TOL)
    np.testing.assert_allclose(frame["df2"], ref["df2"], **TOL)
    np.testing.assert_allclose(frame["p_value"], ref["p"], **TOL)
    np.testing.assert_allclose(frame["ci_low"], ref["lower"], **TOL)
    np.testing.assert_allclose(frame["ci_high"], ref["upper"], **TOL)
    np.testing.assert_allclose(
        [result.ms_between_targets, result.ms_between_raters, result.ms_error,
         result.ms_within_targets],
        [ref["ms_between_targets"], ref["ms_between_raters"], ref["ms_error"],
         ref["ms_within_targets"]], **TOL)


# ------------------------------------------------------------------ Shrout & Fleiss


def test_shrout_fleiss_published_values():
    result = icc(SHROUT_FLEISS)
    frame = result.to_frame().set_index("shrout_fleiss")
    # Shrout & Fleiss (1979), p. 425: ICC(1,1) .17, ICC(2,1) .29, ICC(3,1) .71,
    # ICC(1,4) .44, ICC(2,4) .62, ICC(3,4) .91
    published = {"ICC(1,1)": 0.17, "ICC(2,1)": 0.29, "ICC(3,1)": 0.71,
                 "ICC(1,k)": 0.44, "ICC(2,k)": 0.62, "ICC(3,k)": 0.91}
    for name, value in published.items():
        assert round(frame.loc[name, "icc"], 2) == value, name
    # Table 2 mean squares: BMS 11.24, WMS 6.26, JMS 32.49, EMS 1.02
    assert round(result.ms_between_targets, 2) == 11.24
    assert round(result.ms_within_targets, 2) == 6.26
    assert round(result.ms_between_raters, 2) == 32.49
    assert round(result.ms_error, 2) == 1.02
    anova = result.anova.set_index("source")
    assert anova["df"].tolist() == [5, 18, 3, 15]


def test_shrout_fleiss_intervals_and_tests():
    frame = icc(SHROUT_FLEISS).to_frame().set_index("form")
    # 95% CIs and F tests of the example as psych::ICC prints them (REFERENCES.md 1.5)
    expected = {
        "ICC(1)": (-0.133, 0.723), "ICC(A,1)": (0.019, 0.761), "ICC(C,1)": (0.342, 0.946),
        "ICC(k)": (-0.884, 0.912), "ICC(A,k)": (0.071, 0.927), "ICC(C,k)": (0.676, 0.986),
    }
    for name, (low, high) in expected.items():
        assert round(frame.loc[name, "ci_low"], 3) == low, name
        assert round(frame.loc[name, "ci_high"], 3) == high, name
    assert round(frame.loc["ICC(1)", "f"], 2) == 1.79
    assert (frame.loc["ICC(1)", "df1"], frame.loc["ICC(1)", "df2"]) == (5, 18)
    assert round(frame.loc["ICC(1)", "p_value"], 3) == 0.165
    assert round(frame.loc["ICC(A,1)", "f"], 2) == 11.03
    assert (frame.loc["ICC(A,1)", "df1"], frame.loc["ICC(A,1)", "df2"]) == (5, 15)
    assert round(frame.loc["ICC(A,1)", "p_value"], 6) == 0.000135
    # Cronbach's alpha of the same matrix (REFERENCES.md 1.5, 1.6) equals ICC(C,k),
    # with Feldt's interval [.6757, .9859]
    assert round(frame.loc["ICC(C,k)", "icc"], 4) == 0.9093
    assert round(frame.loc["ICC(C,k)", "ci_low"], 4) == 0.6757
    assert round(frame.loc["ICC(C,k)", "ci_high"], 4) == 0.9859


def test_shrout_fleiss_against_psych(psych):
    assert_matches_psych(icc(SHROUT_FLEISS), psych["icc_sf"])
    read = pd.read_csv(DATA / "icc_sf.csv")
    pd.testing.assert_frame_equal(read, SHROUT_FLEISS)


def test_shrout_fleiss_against_pingouin():
    """pingouin (an independent implementation, a dependency of peereval)."""
    pingouin = pytest.importorskip("pingouin")
    long = SHROUT_FLEISS.rename_axis("target").reset_index().melt(
        id_vars="target", var_name="judge", value_name="rating")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pingouin's own pandas deprecation notices
        theirs = pingouin.intraclass_corr(long, targets="target", raters="judge",
                                          ratings="rating")
    ours = icc(SHROUT_FLEISS).to_frame()  # same order: 1, A1, C1, k, Ak, Ck
    np.testing.assert_allclose(ours["icc"], theirs["ICC"], rtol=1e-9)
    np.testing.assert_allclose(ours["f"], theirs["F"], rtol=1e-9)
    np.testing.assert_allclose(ours["p_value"], theirs["pval"], rtol=1e-9)


def test_apa_sentence_and_frame():
    result = icc(SHROUT_FLEISS)
    assert result.apa() == (
        "ICC(A,1) = .29, 95% CI [.02, .76], F(5, 15) = 11.03, p < .001 (two-way random "
        "effects, absolute agreement, single rater; 6 targets, 4 raters): poor by Koo and "
        "Li's (2016) guidelines, which they advise applying to the confidence interval "
        "(poor to good)."
    )
    assert result.apa("ICC(3,k)").startswith(
        "ICC(C,k) = .91, 95% CI [.68, .99], F(5, 15) = 11.03, p < .001 (two-way mixed "
        "effects, consistency, mean of 4 raters;")
    assert "excellent by Koo and Li" in result.apa("C,k")
    frame = result.to_frame()
    assert list(frame.columns) == [
        "form", "shrout_fleiss", "psych", "model", "type", "unit", "icc", "ci_low",
        "ci_high", "f", "df1", "df2", "p_value", "interpretation", "interpretation_ci",
        "n_targets", "n_raters", "n_dropped"]
    assert frame["form"].tolist() == ["ICC(1)", "ICC(A,1)", "ICC(C,1)", "ICC(k)",
                                      "ICC(A,k)", "ICC(C,k)"]
    assert frame["model"].tolist() == ["one-way random effects", "two-way random effects",
                                       "two-way mixed effects"] * 2
    assert frame["type"].tolist() == ["absolute agreement", "absolute agreement",
                                      "consistency"] * 2
    assert "ICC(A,1) = .29" in repr(result)
    assert "<table" in result._repr_html_()


@pytest.mark.parametrize("name", ["A,1", "ICC(A,1)", "icc(a, 1)", "ICC(2,1)", "ICC2", "2"])
def test_form_names(name):
    result = icc(SHROUT_FLEISS, form=name)
    assert result.form == "ICC(A,1)"
    assert result[name].shrout_fleiss == "ICC(2,1)"
    assert result.icc == result["ICC2"].icc


def test_form_aliases_cover_all_six():
    result = icc(SHROUT_FLEISS)
    for mw, sf, ps in [("ICC(1)", "ICC(1,1)", "ICC1"), ("ICC(k)", "ICC(1,k)", "ICC1k"),
                       ("ICC(C,1)", "ICC(3,1)", "ICC3"), ("ICC(A,k)", "ICC(2,k)", "ICC2k"),
                       ("ICC(C,k)", "ICC(3,k)", "ICC3k")]:
        assert result[sf] is result[mw] is result[ps]


def test_unknown_form():
    with pytest.raises(PeerevalError, match="unknown ICC form"):
        icc(SHROUT_FLEISS, form="ICC(4,1)")


# ------------------------------------------------------------------ psych on more data


def test_bfi_items_as_raters_listwise(psych):
    data = pd.read_csv(DATA / "icc_bfi.csv")
    assert data.isna().any(axis=1).sum() == 6
    result = icc(data)
    assert_matches_psych(result, psych["icc_bfi"])
    assert len(result.dropped) == 6
    assert "6 dropped for a missing rating" in result.apa()


def test_judge_ratings_decimals(psych):
    assert_matches_psych(icc(pd.read_csv(DATA / "icc_judges.csv")), psych["icc_judges"])


def test_long_format_with_missing_ratings(psych):
    long = pd.read_csv(DATA / "icc_long.csv")
    assert long["score"].isna().sum() == 1
    assert len(long) == 35
    result = icc(long, targets="student", raters="examiner", ratings="score")
    assert_matches_psych(result, psych["icc_long"])
    assert set(result.dropped) == {"S04", "S09"}
    assert result.raters == ("E1", "E2", "E3")


def test_long_and_wide_agree():
    long = SHROUT_FLEISS.rename_axis("target").reset_index().melt(
        id_vars="target", var_name="judge", value_name="rating").sample(frac=1, random_state=3)
    a = icc(long, targets="target", raters="judge", ratings="rating").to_frame()
    b = icc(SHROUT_FLEISS).to_frame()
    pd.testing.assert_frame_equal(a, b)


def test_wide_with_target_column_and_columns():
    data = SHROUT_FLEISS.assign(essay=list("abcdef"), note="x")
    result = icc(data, targets="essay", columns=["J1", "J2", "J3", "J4"])
    np.testing.assert_allclose(result.to_frame()["icc"], icc(SHROUT_FLEISS).to_frame()["icc"])
    with pytest.warns(PeerevalWarning, match="negative"):
        sub = icc(data, columns=["J1", "J3"])
    assert sub.n_raters == 2


def test_negative_icc_warns(psych):
    data = pd.read_csv(DATA / "icc_negative.csv")
    with pytest.warns(PeerevalWarning, match="negative intraclass correlation"):
        result = icc(data)
    assert_matches_psych(result, psych["icc_negative"])
    assert result.icc < 0


def test_input_not_modified():
    data = SHROUT_FLEISS.copy()
    data.loc[2, "J2"] = np.nan
    before = data.copy()
    result = icc(data)
    pd.testing.assert_frame_equal(data, before)
    assert result.n_dropped == 1
    assert result.dropped == (2,)


def test_level():
    narrow = icc(SHROUT_FLEISS, confidence=0.80)
    wide = icc(SHROUT_FLEISS)
    assert narrow.ci_low > wide.ci_low
    assert narrow.ci_high < wide.ci_high
    assert "80% CI" in narrow.apa()


# ------------------------------------------------------------------ bad input


def test_errors_name_the_problem():
    with pytest.raises(PeerevalError, match="no column 'J9'"):
        icc(SHROUT_FLEISS, columns=["J1", "J9"])
    with pytest.raises(PeerevalError, match="at least two raters"):
        icc(SHROUT_FLEISS[["J1"]])
    with pytest.raises(PeerevalError, match="at least two targets"):
        icc(SHROUT_FLEISS.head(1))
    with pytest.raises(PeerevalError, match="'J2' gave every target the same rating"):
        icc(SHROUT_FLEISS.assign(J2=3))
    with pytest.raises(PeerevalError, match="not numbers") as info:
        icc(SHROUT_FLEISS.assign(J3=["5", "3", "six", "2", "6", "4"]))
    assert info.value.column == "J3"
    assert info.value.value == "six"
    with pytest.raises(PeerevalError, match="needs a pandas DataFrame"):
        icc(SHROUT_FLEISS.to_numpy())
    with pytest.raises(PeerevalError, match="confidence must be"):
        icc(SHROUT_FLEISS, confidence=95)
    gappy = SHROUT_FLEISS.astype(float)
    gappy.loc[0, "J1"] = np.nan
    with pytest.raises(PeerevalError, match="lack a rating"):
        icc(gappy, missing="error")


def test_long_format_errors():
    long = pd.DataFrame({"t": [1, 1, 2, 2], "r": ["a", "b", "a", "b"], "y": [1, 2, 3, 5]})
    with pytest.raises(PeerevalError, match="all three"):
        icc(long, raters="r", ratings="y")
    with pytest.raises(PeerevalError, match="occur more than once"):
        icc(pd.concat([long, long.head(1)]), targets="t", raters="r", ratings="y")
    with pytest.raises(PeerevalError, match="no column 'score'"):
        icc(long, targets="t", raters="r", ratings="score")
    # raters who rated different targets: no target rated by both
    apart = pd.DataFrame({"t": [1, 2, 3, 4], "r": ["a", "a", "b", "b"], "y": [1, 2, 3, 5]})
    with pytest.raises(PeerevalError, match="0 remain after dropping 4"):
        icc(apart, targets="t", raters="r", ratings="y")
    blank = long.astype({"t": "object"})
    blank.loc[1, "t"] = None
    with pytest.raises(PeerevalError, match="no 't'"):
        icc(blank, targets="t", raters="r", ratings="y")


def test_perfect_consistency_warns():
    data = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 3, 4, 5]})
    with pytest.warns(PeerevalWarning, match="no residual variance"):
        result = icc(data)
    assert result["C,1"].icc == pytest.approx(1.0)


# ------------------------------------------------------------------ test-retest


def sample_pairs() -> pd.DataFrame:
    """Paired scale scores of the sample study, linked with plain pandas.

    Written independently of :func:`test_retest` (a merge on the normalised student
    id), so that the test checks the linkage as well as the ICC.
    """
    study = peereval.load_sample()
    frames = []
    for responses, label in ((study.screened, "first"), (study.retest, "second")):
        scales = study.instrument.score(responses).scales
        ids = responses.meta["student_id"].map(normalise_id)
        frames.append(scales.set_axis([f"{c}_{label}" for c in scales.columns], axis=1)
                      .assign(id=ids.to_numpy()))
    merged = frames[0].merge(frames[1], on="id", how="inner", validate="one_to_one")
    columns = [f"{s}_{label}" for s in SCALES for label in ("first", "second")]
    return merged[columns].reset_index(drop=True)


def write_reference_data() -> Path:
    path = DATA / "icc_retest_sample.csv"
    sample_pairs().to_csv(path, index=False, float_format="%.17g")
    return path


def test_reference_pairs_are_current():
    """The CSV R read is what the current sample study and scoring give."""
    committed = pd.read_csv(DATA / "icc_retest_sample.csv")
    pd.testing.assert_frame_equal(committed, sample_pairs(), rtol=1e-15)


def test_sample_study_retest(study, psych):
    result = retest_icc(study.screened, study.retest, "student_id",
                        instrument=study.instrument)
    assert (result.n_first, result.n_second) == (138, 40)
    assert (result.matched, result.unmatched_first, result.unmatched_second) == (40, 98, 0)
    assert (result.without_id_first, result.without_id_second) == (0, 0)
    frame = result.to_frame().set_index("measure")
    assert list(frame.index) == list(SCALES)
    assert (frame["n_pairs"] == 40).all()
    assert ((frame["icc"] > 0.8) & (frame["icc"] < 1)).all()
    assert (frame["form"] == "ICC(A,1)").all()
    for scale in SCALES:
        assert_matches_psych(result.results[scale], psych["icc_retest_sample"][scale])
    # the pairs test_retest formed are the ones linked independently
    pairs = sample_pairs()
    ours = result.pairs.reset_index(drop=True)[pairs.columns]
    pd.testing.assert_frame_equal(
        ours.sort_values(list(pairs.columns)).reset_index(drop=True),
        pairs.sort_values(list(pairs.columns)).reset_index(drop=True), check_names=False)
    assert result.apa().startswith(
        "Test-retest reliability of 40 respondents who answered both administrations "
        "(ICC(A,1): two-way random effects, absolute agreement, single measurement;")
    linkage = result.linkage
    assert linkage["unmatched"].tolist() == [98, 0]
    all_forms = result.all_forms
    assert len(all_forms) == 18
    assert set(all_forms["measure"]) == set(SCALES)


def test_retest_other_form_and_items(study):
    consistency = retest_icc(study.screened, study.retest, instrument=study.instrument,
                             form="C,1")
    assert consistency.form == "ICC(C,1)"
    items = retest_icc(study.screened, study.retest, instrument=study.instrument, by="item")
    assert len(items.results) == 18
    subset = retest_icc(study.screened, study.retest, instrument=study.instrument,
                        columns=["support"])
    assert list(subset.results) == ["support"]


def test_retest_from_scores_and_frames(study):
    expected = retest_icc(study.screened, study.retest, instrument=study.instrument)
    scores1 = study.instrument.score(study.screened)
    scores2 = study.instrument.score(study.retest)
    from_scores = retest_icc(scores1, scores2, (study.screened.meta["student_id"],
                                                study.retest.meta["student_id"]))
    frame1 = scores1.scales.assign(sid=study.screened.meta["student_id"])
    frame2 = scores2.scales.assign(number=study.retest.meta["student_id"].astype(str)
                                   .str.zfill(10))  # leading zeros are normalised away
    from_frames = retest_icc(frame1, frame2, ("sid", "number"))
    for other in (from_scores, from_frames):
        np.testing.assert_allclose(other.to_frame()["icc"], expected.to_frame()["icc"],
                                   rtol=1e-12)
        assert other.matched == 40


def test_retest_duplicate_ids_listed_with_rows(study):
    # the unscreened export holds two students who answered twice
    with pytest.raises(DuplicateIdError, match="occur more than once in the first") as info:
        retest_icc(study.responses, study.retest, instrument=study.instrument)
    rows = [p.row for p in info.value.problems]
    assert len(rows) == 4
    assert all(isinstance(r, int) and r > 3 for r in rows)
    assert "survey.csv" in str(info.value)


def test_retest_linkage_errors(study):
    with pytest.raises(LinkageError, match="no column 'matric'"):
        retest_icc(study.screened, study.retest, "matric", instrument=study.instrument)
    scores = study.instrument.score(study.screened)
    with pytest.raises(LinkageError, match="Scores object"):
        retest_icc(scores, scores, "student_id")
    frame1 = pd.DataFrame({"sid": [1, 2, 3], "score": [1.0, 2.0, 3.0]})
    frame2 = pd.DataFrame({"sid": [7, 8, 9], "score": [1.0, 2.0, 3.0]})
    with pytest.raises(LinkageError, match="0 respondent"):
        retest_icc(frame1, frame2, "sid")
    with pytest.raises(PeerevalError, match="scale scores need the instrument"):
        retest_icc(study.screened, study.retest)
    with pytest.raises(PeerevalError, match="no scale or column 'stress'"):
        retest_icc(study.screened, study.retest, instrument=study.instrument,
                   columns=["stress"])
    with pytest.raises(DuplicateIdError, match="second"):
        retest_icc(frame1, pd.DataFrame({"sid": [1, 1, 2], "score": [1.0, 2.0, 3.0]}), "sid")


def test_retest_constant_measure_reported_not_fatal():
    first = pd.DataFrame({"sid": [1, 2, 3, 4], "a": [1.0, 2, 3, 4], "b": [2.0, 2, 2, 2]})
    second = pd.DataFrame({"sid": [4, 3, 2, 1], "a": [4.5, 3.0, 2.5, 1.0],
                           "b": [1.0, 2, 3, 4]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = retest_icc(first, second, "sid")
    assert any("b: no ICC" in str(w.message) for w in caught)
    assert result.results["b"] is None
    frame = result.to_frame().set_index("measure")
    assert np.isnan(frame.loc["b", "icc"])
    assert frame.loc["a", "icc"] > 0.9
    assert "b not available" in result.apa()



# ------------------------------------------------ test_retest: two scored, keyed frames


def _keyed_by_student(responses, instrument):
    """Scale scores indexed by the normalised student id (linking done outside)."""
    scales = instrument.score(responses).scales
    ids = responses.meta["student_id"].map(normalise_id)
    return scales.set_axis(pd.Index(ids.loc[scales.index].to_numpy(), name="student"))


def _old_form(study, **options):
    with pytest.warns(DeprecationWarning, match="is deprecated"):
        return retest_icc(study.screened, study.retest, "student_id",
                          instrument=study.instrument, **options)


def test_retest_of_frames_keyed_by_pseudonym_matches_the_old_form(study):
    first = peereval.link(study.screened, study.records, key="k" * 32).responses
    second = peereval.link(study.retest, study.records, key="k" * 32).responses
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # the new form does not warn
        result = retest_icc(study.instrument.score(first).scales,
                            study.instrument.score(second).scales)
    old = _old_form(study)
    assert (result.matched, result.unmatched_first, result.unmatched_second) == (40, 98, 0)
    assert (result.n_first, result.n_second) == (old.n_first, old.n_second)
    pd.testing.assert_frame_equal(result.to_frame(), old.to_frame())
    assert result.apa() == old.apa()
    assert set(result.pairs.index) <= set(first.ids)  # the pairs are keyed by pseudonym


def test_retest_of_frames_keyed_by_student_id(study, psych):
    result = retest_icc(_keyed_by_student(study.screened, study.instrument),
                        _keyed_by_student(study.retest, study.instrument), form="C,1",
                        labels=("t1", "t2"))
    old = _old_form(study, form="C,1", labels=("t1", "t2"))
    pd.testing.assert_frame_equal(result.to_frame(), old.to_frame())
    pd.testing.assert_frame_equal(result.pairs.sort_index(), old.pairs.sort_index())
    by_scale = retest_icc(_keyed_by_student(study.screened, study.instrument),
                          _keyed_by_student(study.retest, study.instrument))
    for scale in SCALES:
        assert_matches_psych(by_scale.results[scale], psych["icc_retest_sample"][scale])


def test_retest_of_scores_uses_their_index_and_by(study):
    scores1 = study.instrument.score(study.screened)
    scores2 = study.instrument.score(study.retest)
    key = study.screened.meta["student_id"].map(normalise_id)
    key2 = study.retest.meta["student_id"].map(normalise_id)
    items1 = scores1.items.set_axis(key.loc[scores1.items.index].to_numpy())
    items2 = scores2.items.set_axis(key2.loc[scores2.items.index].to_numpy())
    result = retest_icc(items1, items2, columns=["Q1_1", "Q1_2"])
    assert list(result.results) == ["Q1_1", "Q1_2"]
    assert result.matched == 40
    # Scores keep respondent ids as their index: two administrations share none
    with pytest.raises(LinkageError, match="indexed by the same key"):
        retest_icc(scores1, scores2, by="item")


def test_retest_keys_are_matched_as_they_are_and_must_be_unique():
    first = pd.DataFrame({"a": [1.0, 2, 3, 4], "group": list("xyxy")},
                         index=["s1", "s2", "s3", None])
    second = pd.DataFrame({"a": [1.5, 2.0, 3.5, 9.0]}, index=["s1", "s2", "s3", "S1"])
    result = retest_icc(first, second)
    assert list(result.results) == ["a"]  # the text column is left out
    assert (result.matched, result.without_id_first, result.unmatched_second) == (3, 1, 1)
    with pytest.raises(DuplicateIdError, match="once in the second") as info:
        retest_icc(first, second.set_axis(["s1", "s1", "s2", "s3"]))
    assert [p.value for p in info.value.problems] == ["s1", "s1"]
    with pytest.raises(PeerevalError, match="expected a DataFrame of scores or Scores"):
        retest_icc([1, 2], second)


def test_retest_old_form_warns_at_the_caller_and_links_through_normalise_id(study,
                                                                            monkeypatch):
    import peereval.labels as labels

    seen = []

    def counting(value):
        seen.append(value)
        return normalise_id(value)

    monkeypatch.setattr(labels, "normalise_id", counting)
    with pytest.warns(DeprecationWarning, match=r"test_retest\(first_scores") as caught:
        result = retest_icc(study.screened, study.retest, "student_id",
                            instrument=study.instrument)
    assert result.matched == 40
    assert len(seen) == len(study.screened) + len(study.retest)
    assert {w.filename for w in caught if w.category is DeprecationWarning} == {__file__}
    # two frames that both hold the old default id column are linked the old way
    frame1 = pd.DataFrame({"student_id": ["01", "2", "3"], "a": [1.0, 2, 3]})
    frame2 = pd.DataFrame({"student_id": ["1", "02", "3"], "a": [1.0, 2.5, 3]})
    with pytest.warns(DeprecationWarning, match="is deprecated"):
        assert retest_icc(frame1, frame2).matched == 3



def test_report_and_summary_use_the_new_form(study):
    """peereval's own retest step uses the two-frame form: no DeprecationWarning."""
    from peereval.reliability import test_retest as retest
    from peereval.study import read_study

    data = read_study(peereval.sample_path("study")).load()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        result = retest(*data.retest_scores())
    assert result.matched == 40


if __name__ == "__main__":
    if "--write-reference-data" in sys.argv:
        print(f"wrote {write_reference_data()}")

"""Pre/post change and difference in differences, against R.

Reference values: tests/reference/outcomes_models.json (tests/reference/outcomes_models.R)
on datasets::sleep, MASS::anorexia and the sample study's records:
t.test(paired = TRUE), wilcox.test(paired = TRUE) with its default exact/correct
choices (the FT arm of anorexia takes the exact path, the Cont arm and sleep the
normal approximation with ties and zeros), effectsize::cohens_d(paired = TRUE) and
rank_biserial(paired = TRUE), and lm + sandwich::vcovCL with t on G - 1 df. Closed forms
at 1e-6 (relative); effectsize's optim()-found d_z bounds at 1e-6 absolute (they agree
to about 3e-7), the uniroot bounds of the R script at 1e-6 relative (about 1e-12).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from peereval.errors import PeerevalError, PeerevalWarning
from peereval.outcomes import DiffInDiffResult, diff_in_diff, pre_post
from reference_data import reference_csv

TOL = {"rtol": 1e-6, "atol": 1e-12}


@pytest.fixture(scope="module")
def anorexia() -> pd.DataFrame:
    return reference_csv("models_anorexia")


def _cases(sample, anorexia):
    sleep = reference_csv("models_sleep")
    return {
        "prepost_sleep": (sleep, "before", "after"),
        "prepost_anorexia_ft": (anorexia[anorexia["treat"] == "FT"], "prewt", "postwt"),
        "prepost_anorexia_cont": (anorexia[anorexia["treat"] == "Cont"], "prewt", "postwt"),
        "prepost_sample": (sample[sample["mentored"] == "yes"], "gpa_entry", "gpa_year1"),
    }


KEYS = ["prepost_sleep", "prepost_anorexia_ft", "prepost_anorexia_cont", "prepost_sample"]


# ------------------------------------------------------------------ pre_post


@pytest.mark.parametrize("key", KEYS)
def test_paired_t_and_effect_sizes(key, sample, anorexia, ref):
    data, before, after = _cases(sample, anorexia)[key]
    r = ref[key]
    result = pre_post(data, before, after)
    assert result.n == r["n"]
    for ours, theirs in (("mean_before", "mean_before"), ("sd_before", "sd_before"),
                         ("mean_after", "mean_after"), ("sd_after", "sd_after"),
                         ("r", "r"), ("mean_change", "mean_change"),
                         ("sd_change", "sd_change"), ("t", "t"), ("df", "df"), ("p_value", "p"),
                         ("ci_low", "ci_low"), ("ci_high", "ci_high"), ("d_z", "d_z"),
                         ("d_z_ci_low", "d_z_low"), ("d_z_ci_high", "d_z_high"),
                         ("d_av", "d_av"), ("d_av_ci_low", "d_av_low"),
                         ("d_av_ci_high", "d_av_high")):
        np.testing.assert_allclose(getattr(result, ours), r[theirs], **TOL, err_msg=ours)
    # effectsize's own (optim) interval of d_z: close, not exact
    assert result.d_z == pytest.approx(r["effectsize_d_z"], rel=1e-9)
    np.testing.assert_allclose([result.d_z_ci_low, result.d_z_ci_high],
                               [r["effectsize_d_z_low"], r["effectsize_d_z_high"]], atol=1e-6)


@pytest.mark.parametrize("key", KEYS)
def test_wilcoxon_matches_wilcox_test(key, sample, anorexia, ref):
    data, before, after = _cases(sample, anorexia)[key]
    r = ref[key]
    result = pre_post(data, before, after)
    assert result.wilcoxon_v == r["wilcox_v"]
    assert result.wilcoxon_p_value == pytest.approx(r["wilcox_p"], rel=1e-6)
    exact = r["wilcox_method"] == "Wilcoxon signed rank exact test"
    assert result.wilcoxon_method.startswith("exact") == exact
    no_correction = pre_post(data, before, after, correct=False)
    approx = pre_post(data, before, after, exact=False)
    assert approx.wilcoxon_p_value == pytest.approx(r["wilcox_approx_p"], rel=1e-6)
    if not exact:
        assert no_correction.wilcoxon_p_value == pytest.approx(r["wilcox_nocorrect_p"], rel=1e-6)
    assert result.rank_biserial == pytest.approx(r["rank_biserial"], rel=1e-9)
    interval = [result.rank_biserial_ci_low, result.rank_biserial_ci_high]
    np.testing.assert_allclose(interval, [r["rank_biserial_nonzero_low"],
                                          r["rank_biserial_nonzero_high"]], **TOL)
    if r["n_zero"] == 0:  # effectsize counts zero changes in the SE (but not in r)
        np.testing.assert_allclose(interval, [r["rank_biserial_low"],
                                              r["rank_biserial_high"]], **TOL)


def test_exact_path_and_ties_path_are_labelled(sample, anorexia):
    cases = _cases(sample, anorexia)
    ft = pre_post(*cases["prepost_anorexia_ft"])
    assert ft.wilcoxon_method == "exact"
    sleep = pre_post(*cases["prepost_sleep"])
    assert sleep.n_zero == 1
    assert sleep.ties
    assert "ties and zero differences" in sleep.wilcoxon_method
    forced = pre_post(*cases["prepost_sample"], exact=True)
    assert "exact p not available with ties" in forced.wilcoxon_method


def test_hedges_g_av(sample, anorexia, ref):
    from scipy.special import gamma

    data, before, after = _cases(sample, anorexia)["prepost_anorexia_ft"]
    result = pre_post(data, before, after)
    df = result.n - 1
    j = gamma(df / 2) / (np.sqrt(df / 2) * gamma((df - 1) / 2))
    assert result.g_av == pytest.approx(j * ref["prepost_anorexia_ft"]["d_av"], rel=1e-9)


def test_frame_apa_and_note(sample, anorexia):
    result = pre_post(*_cases(sample, anorexia)["prepost_anorexia_ft"])
    frame = result.to_frame()
    assert list(frame["measure"]) == ["mean change", "d_z", "d_av", "g_av", "rank-biserial r"]
    assert result.apa().startswith("prewt M = ")
    assert "t(16) = " in result.apa()
    assert "Wilcoxon V = " in result.apa()
    assert "regression to the mean" in result.note
    assert list(result.descriptives["column"]) == ["prewt", "postwt"]


def test_dropped_pairs(sample):
    data = sample[sample["mentored"] == "yes"].copy()
    data.iloc[[0, 1], data.columns.get_loc("gpa_year1")] = np.nan
    data.iloc[[1, 2], data.columns.get_loc("gpa_entry")] = np.nan
    result = pre_post(data, "gpa_entry", "gpa_year1")
    assert result.n == len(data) - 3
    assert result.dropped == {"missing 'gpa_entry'": 2, "missing 'gpa_year1'": 1}


@pytest.mark.parametrize(("args", "match"), [
    (("gpa_entry", "gpa_entry"), "same column"),
    (("gpa_entry", "gpa_y1"), "no 'after' column 'gpa_y1'"),
    (("sex", "gpa_year1"), "not a number"),
])
def test_pre_post_bad_input(sample, args, match):
    with pytest.raises(PeerevalError, match=match):
        pre_post(sample, *args)


def test_pre_post_degenerate():
    with pytest.raises(PeerevalError, match="at least 2"):
        pre_post(pd.DataFrame({"a": [1.0], "b": [2.0]}), "a", "b")
    with pytest.raises(PeerevalError, match="same amount"):
        pre_post(pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 3.0, 4.0]}), "a", "b")


# ------------------------------------------------------------------ diff_in_diff


def assert_did(result: DiffInDiffResult, r: dict) -> None:
    c = result.coefficients
    for ours, theirs in (("estimate", "estimate"), ("se", "se"), ("t", "t"), ("p_value", "p"),
                         ("ci_low", "ci_low"), ("ci_high", "ci_high")):
        np.testing.assert_allclose(c[ours], r[theirs], **TOL, err_msg=ours)
    assert result.n_clusters == r["n_clusters"]
    assert result.df == r["n_clusters"] - 1
    assert result.n_rows == r["n_rows"]
    assert result.estimate == pytest.approx(r["estimate"][3], rel=1e-9)
    # cells: R orders (treat, post) as (0,0), (1,0), (0,1), (1,1)
    cells = {(t, p): (n, m, s) for t, p, n, m, s in zip(
        r["cell_treat"], r["cell_post"], r["cell_n"], r["cell_mean"], r["cell_sd"],
        strict=True)}
    means = result.means
    for i, (t, p) in enumerate([(1, 0), (1, 1), (0, 0), (0, 1)]):
        n, m, s = cells[(t, p)]
        assert means["n"].iloc[i] == n
        assert means["mean"].iloc[i] == pytest.approx(m, rel=1e-9)
        assert means["sd"].iloc[i] == pytest.approx(s, rel=1e-9)


@pytest.fixture(scope="module")
def ano2(anorexia) -> pd.DataFrame:
    return anorexia[anorexia["treat"].isin(["FT", "Cont"])]


def test_did_wide_clustered_by_patient(ano2, ref):
    result = diff_in_diff(ano2, group="treat", before="prewt", after="postwt", treated="FT")
    assert_did(result, ref["did_anorexia"])
    assert result.vcov == "cluster-robust (CR1) by student"
    assert "Parallel trends" in result.assumption


def test_did_long_equals_wide(ano2, ref):
    long = pd.concat([
        ano2.assign(when="pre", weight=ano2["prewt"]),
        ano2.assign(when="post", weight=ano2["postwt"]),
    ])[["id", "treat", "when", "weight"]].sample(frac=1.0, random_state=1)
    result = diff_in_diff(long, "weight", "treat", "when", unit="id", treated="FT")
    assert result.before_level == "pre"
    assert result.after_level == "post"
    assert "read from the label" in result.time_rule
    assert_did(result, ref["did_anorexia"])
    frame = result.to_frame()
    assert frame["change"].iloc[2] == pytest.approx(frame["change"].iloc[0]
                                                    - frame["change"].iloc[1], rel=1e-9)


@pytest.mark.parametrize(("cluster", "key"), [(None, "did_sample_student"),
                                              ("mentor_group", "did_sample_group")])
def test_did_sample(sample, ref, cluster, key):
    result = diff_in_diff(sample, group="mentored", before="gpa_entry", after="gpa_year1",
                          cluster=cluster)
    assert_did(result, ref[key])
    if cluster:
        assert result.n_clusters_treated == 12
        assert any("137 students with no 'mentor_group' each form" in n for n in result.notes)


def test_did_without_units_uses_hc1():
    rng = np.random.default_rng(5)
    data = pd.DataFrame({"g": np.tile(["yes", "no"], 40), "year": np.repeat([2022, 2023], 40),
                         "y": rng.normal(size=80)})
    result = diff_in_diff(data, "y", "g", "year")
    assert result.vcov.startswith("HC1")
    assert result.n_clusters is None
    assert result.after_level == 2023
    x = np.column_stack([np.ones(80), data["g"] == "yes", data["year"] == 2023,
                         (data["g"] == "yes") & (data["year"] == 2023)]).astype(float)
    beta, *_ = np.linalg.lstsq(x, data["y"], rcond=None)
    e = data["y"].to_numpy() - x @ beta
    bread = np.linalg.inv(x.T @ x)
    hc1 = bread @ (x.T * e**2) @ x @ bread * 80 / (80 - 4)
    assert result.se == pytest.approx(np.sqrt(hc1[3, 3]), rel=1e-9)
    assert result.df == 76


def test_did_few_clusters_warn(sample):
    few = sample[sample["mentor_group"].isin(["M01", "M02", "M03"])
                 | (sample["mentored"] == "no")]
    with pytest.warns(PeerevalWarning, match="clusters"):
        diff_in_diff(few, group="mentored", before="gpa_entry", after="gpa_year1",
                     cluster="mentor_group")


def test_did_post_given(ano2):
    long = pd.concat([ano2.assign(t="a", w=ano2["prewt"]), ano2.assign(t="b", w=ano2["postwt"])])
    chosen = diff_in_diff(long, "w", "treat", "t", unit="id", treated="FT", post="b")
    assert chosen.time_rule.endswith("(given)")
    guessed = diff_in_diff(long, "w", "treat", "t", unit="id", treated="FT")
    assert "sorted order" in guessed.time_rule
    assert guessed.estimate == chosen.estimate


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"group": "mentored", "before": "gpa_entry"}, "both before= and after="),
    ({"group": "mentored", "before": "gpa_entry", "after": "gpa_year1",
      "outcome": "exam_score"}, "not both"),
    ({"outcome": "gpa_year1", "group": "mentored"}, "outcome= and time="),
    ({"before": "gpa_entry", "after": "gpa_year1"}, "needs group="),
    ({"outcome": "gpa_year1", "group": "mentored", "time": "age"}, "exactly two times"),
    ({"group": "mentored", "before": "gpa_entry", "after": "gpa_year1", "cluster": "mg"},
     "no unit/cluster column 'mg'"),
])
def test_did_bad_input(sample, kwargs, match):
    with pytest.raises(PeerevalError, match=match):
        diff_in_diff(sample, **kwargs)


def test_did_unit_errors(ano2):
    long = pd.concat([ano2.assign(t=0, w=ano2["prewt"]), ano2.assign(t=1, w=ano2["postwt"])])
    twice = pd.concat([long, long.iloc[[0]]])
    with pytest.raises(PeerevalError, match="two rows at the same time"):
        diff_in_diff(twice, "w", "treat", "t", unit="id")
    switched = long.copy()
    switched.iloc[0, switched.columns.get_loc("treat")] = (
        "FT" if switched.iloc[0]["treat"] == "Cont" else "Cont")
    with pytest.raises(PeerevalError, match="in both groups"):
        diff_in_diff(switched, "w", "treat", "t", unit="id")


def test_did_quiet_on_many_clusters(ano2):
    with warnings.catch_warnings():
        warnings.simplefilter("error", PeerevalWarning)
        result = diff_in_diff(ano2, group="treat", before="prewt", after="postwt",
                              treated="FT")
    assert result.n_clusters >= 20  # enough clusters: no small-cluster warning is due

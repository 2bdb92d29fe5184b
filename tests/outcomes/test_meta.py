"""meta_analysis() and from_groups(), against metafor 3.8-1.

Reference values: tests/reference/power_meta.json, written by
tests/reference/power_meta.R: metafor::escalc (RR on dat.bcg; SMD and MD on
data/meta_sites.csv; OR, RR and RD on data/meta_counts.csv, which has a zero cell)
and metafor::rma with predict() (normal-quantile default and pi.type = "riley").

Tolerances: escalc, FE, DL and the Hartung-Knapp quantities are closed forms,
compared at 1e-6 (they agree to about 1e-13). REML and ML are iterative; metafor was
run with threshold = 1e-13 and both implementations converge to the same optimum, so
they are compared at 1e-8 (they agree to about 1e-11). metafor's *default* stopping
rule (change in tau² < 1e-5) stops about 2e-7 (relative) short of the optimum on
dat.bcg; that fit (bcg REML_default) is compared at 1e-5. Paule-Mandel (uniroot with
tol = 1e-13 in R, Brent here) at 1e-8.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from peereval.errors import PeerevalError, PeerevalWarning
from peereval.outcomes import MetaAnalysis, meta_analysis
from peereval.outcomes._meta import from_groups
from reference_data import reference, reference_csv

REF = reference("power_meta")
FIELDS = ("estimate", "se", "statistic", "p", "ci_low", "ci_high", "tau2", "se_tau2", "i2",
          "h2", "q", "q_p", "s2w", "df")
# The reference file keeps metafor-era names for two of them.
ATTRIBUTE = {"p": "p_value", "q_p": "q_p_value"}
CLOSED = 1e-6
ITERATIVE = 1e-8

BCG_SETTINGS = {
    "FE": ({"method": "FE"}, CLOSED),
    "DL": ({"method": "DL"}, CLOSED),
    "REML": ({"method": "REML"}, ITERATIVE),
    "ML": ({"method": "ML"}, ITERATIVE),
    "PM": ({"method": "PM"}, ITERATIVE),
    "DL_knha": ({"method": "DL", "knha": True}, CLOSED),
    "REML_knha": ({"method": "REML", "knha": True}, ITERATIVE),
    "REML_adhoc": ({"method": "REML", "knha": "adhoc"}, ITERATIVE),
    "REML_default": ({"method": "REML"}, 1e-5),
}


def quiet(*args, **kwargs) -> MetaAnalysis:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        return meta_analysis(*args, **kwargs)


def assert_matches_metafor(result: MetaAnalysis, ref: dict, rtol: float) -> None:
    assert result.k == ref["k"]
    for name in FIELDS:
        if ref.get(name) is None:
            continue
        np.testing.assert_allclose(getattr(result, ATTRIBUTE.get(name, name)), ref[name],
                                   rtol=rtol, atol=1e-300, err_msg=name)
    np.testing.assert_allclose(result.weights, ref["weights"], rtol=rtol, err_msg="weights")
    if result.random:
        riley = quiet(list(result.effects), list(result.variances), method=result.method,
                      knha=result.knha, prediction="riley")
        default = quiet(list(result.effects), list(result.variances), method=result.method,
                        knha=result.knha, prediction="metafor")
        np.testing.assert_allclose([riley.pi_low, riley.pi_high],
                                   [ref["pi_low_riley"], ref["pi_high_riley"]], rtol=rtol)
        np.testing.assert_allclose([default.pi_low, default.pi_high],
                                   [ref["pi_low_metafor"], ref["pi_high_metafor"]], rtol=rtol)
    else:
        assert np.isnan(result.pi_low)


# ------------------------------------------------------------------ inputs


@pytest.fixture(scope="module")
def bcg() -> pd.DataFrame:
    data = reference_csv("meta_bcg")
    return from_groups(data, measure="RR", events_treated="tpos",
                       n_treated=data["tpos"] + data["tneg"], events_control="cpos",
                       n_control=data["cpos"] + data["cneg"], labels="author")


@pytest.fixture(scope="module")
def sites() -> pd.DataFrame:
    return reference_csv("meta_sites")


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    return reference_csv("meta_counts")


def smd(sites: pd.DataFrame, measure: str = "SMD") -> pd.DataFrame:
    return from_groups(sites, measure=measure, n_treated="n_treated",
                       mean_treated="mean_treated", sd_treated="sd_treated",
                       n_control="n_control", mean_control="mean_control",
                       sd_control="sd_control", labels="site")


def count_effects(counts: pd.DataFrame, measure: str, **kwargs) -> pd.DataFrame:
    return from_groups(counts, measure=measure, n_treated="n_treated",
                       events_treated="events_treated", n_control="n_control",
                       events_control="events_control", labels="site", **kwargs)


# ------------------------------------------------------------------ escalc


def test_escalc_bcg(bcg):
    ref = REF["escalc"]["bcg_rr"]
    np.testing.assert_allclose(bcg["yi"], ref["yi"], rtol=CLOSED)
    np.testing.assert_allclose(bcg["vi"], ref["vi"], rtol=CLOSED)
    assert bcg["label"].iloc[0] == "Aronson"


@pytest.mark.parametrize("measure", ["SMD", "MD"])
def test_escalc_means(sites, measure):
    ref = REF["escalc"][f"sites_{measure.lower()}"]
    got = smd(sites, measure)
    np.testing.assert_allclose(got["yi"], ref["yi"], rtol=CLOSED)
    np.testing.assert_allclose(got["vi"], ref["vi"], rtol=CLOSED)
    np.testing.assert_allclose(got["sei"] ** 2, got["vi"])
    assert (got["measure"] == measure).all()


@pytest.mark.parametrize("measure", ["OR", "RR", "RD"])
def test_escalc_counts_with_a_zero_cell(counts, measure):
    ref = REF["escalc"][f"counts_{measure.lower()}"]
    got = count_effects(counts, measure)
    np.testing.assert_allclose(got["yi"], ref["yi"], rtol=CLOSED)
    np.testing.assert_allclose(got["vi"], ref["vi"], rtol=CLOSED)


def test_continuity_correction_options(counts):
    only0 = count_effects(counts, "OR")
    everywhere = count_effects(counts, "OR", to="all")
    # tables without a zero cell are untouched by the default, changed by to="all"
    assert only0["yi"].iloc[0] != everywhere["yi"].iloc[0]
    assert only0["yi"].iloc[2] == everywhere["yi"].iloc[2]
    with pytest.raises(PeerevalError, match="zero cell"):
        count_effects(counts, "OR", to="none")


# ------------------------------------------------------------------ rma


@pytest.mark.parametrize("name", list(BCG_SETTINGS))
def test_bcg_matches_metafor(bcg, name):
    settings, rtol = BCG_SETTINGS[name]
    result = quiet(bcg, **settings)
    assert_matches_metafor(result, REF["bcg"][name], rtol)
    assert result.measure == "RR"


def test_reml_converges_and_reports_it(bcg):
    result = quiet(bcg)
    assert 0 < result.iterations < 20
    assert any("Fisher scoring converged" in note for note in result.notes)
    # metafor's default stopping rule leaves it within 2e-7 (relative) of the optimum
    default = REF["bcg"]["REML_default"]["tau2"]
    assert abs(result.tau2 - default) / result.tau2 < 1e-6


@pytest.mark.parametrize(("name", "settings"), [
    ("REML", {}), ("REML_knha", {"knha": True}), ("DL", {"method": "DL"})])
def test_sites_match_metafor(sites, name, settings):
    result = quiet(smd(sites), **settings)
    assert_matches_metafor(result, REF["sites"][name], ITERATIVE)
    assert result.measure == "SMD"
    assert result.measure_name == "Hedges' g"


@pytest.mark.parametrize("method", ["REML", "ML"])
def test_boundary_estimate_is_exactly_zero(method):
    """Hedges' start is positive but the optimum is tau² = 0: Fisher scoring creeps
    towards 0 (metafor's default rule stops at 6.8e-6, its tight run at 1e-14); the
    estimate here is snapped to 0."""
    ref = REF["boundary"][method]
    result = quiet([0.0, 0.0, 1.0], [0.001, 0.001, 0.9], method=method)
    assert result.tau2 == 0
    assert ref["tau2"] < 1e-12
    assert REF["boundary"]["REML_default"]["tau2"] > 1e-6
    for name in ("estimate", "se", "p", "ci_low", "ci_high", "se_tau2", "q", "i2"):
        np.testing.assert_allclose(getattr(result, ATTRIBUTE.get(name, name)), ref[name],
                                   rtol=1e-8, atol=1e-8, err_msg=name)


def test_counts_match_metafor(counts):
    assert_matches_metafor(quiet(count_effects(counts, "OR")), REF["counts"]["REML_or"],
                           ITERATIVE)
    assert_matches_metafor(quiet(count_effects(counts, "RR"), method="DL"),
                           REF["counts"]["DL_rr"], CLOSED)


# ------------------------------------------------------------------ input forms


def test_input_forms_agree(sites):
    effects = smd(sites)
    frame = effects.rename(columns={"yi": "g", "vi": "v", "label": "site"})
    by_frame = quiet(effects)
    by_columns = quiet("g", "v", labels="site", data=frame)
    by_arrays = quiet(effects["yi"].tolist(), effects["vi"].tolist())
    by_se = quiet(effects["yi"], se=effects["sei"])
    for other in (by_columns, by_arrays, by_se):
        assert other.estimate == pytest.approx(by_frame.estimate, rel=1e-12)
        assert other.tau2 == pytest.approx(by_frame.tau2, rel=1e-9)
    assert by_columns.labels == by_frame.labels == tuple(sites["site"])
    assert by_arrays.labels[0] == "Study 1"


def test_forest_table(bcg):
    result = quiet(bcg)
    frame = result.to_frame()
    assert frame["row"].tolist() == ["study"] * 13 + ["pooled", "prediction"]
    studies = frame[frame["row"] == "study"]
    assert studies["weight"].sum() == pytest.approx(100)
    pooled = frame[frame["row"] == "pooled"].iloc[0]
    assert pooled["estimate"] == result.estimate
    assert (pooled["ci_low"], pooled["ci_high"]) == (result.ci_low, result.ci_high)
    prediction = frame[frame["row"] == "prediction"].iloc[0]
    assert (prediction["ci_low"], prediction["ci_high"]) == (result.pi_low, result.pi_high)
    np.testing.assert_allclose(frame["ratio"], np.exp(frame["estimate"]))
    # study intervals: y ± 1.96 sqrt(v)
    np.testing.assert_allclose(studies["ci_high"] - studies["estimate"],
                               1.959963984540054 * np.sqrt(bcg["vi"]), rtol=1e-12)
    assert result.summary_row.shape == (1, 25)


def test_sentences(bcg):
    result = quiet(bcg)
    sentence = result.apa()
    assert sentence.startswith("Random-effects meta-analysis (REML), k = 13: pooled log risk "
                               "ratio = −0.71, 95% CI [−1.07, −0.36], z = −3.97, p < .001 "
                               "(RR = 0.49, 95% CI [0.34, 0.70]); Q(12) = 152.23, p < .001, "
                               "I² = 92%")
    assert "prediction interval [−2.01, 0.58]" in sentence
    hk = quiet(bcg, knha=True).apa()
    assert "(REML, Hartung-Knapp)" in hk
    assert "t(12) = " in hk
    assert "disagree more than chance" in result.apa(plain=True)
    assert "Fixed-effect" in quiet(bcg, method="FE").apa()


def test_fixed_effect_has_no_prediction_interval(bcg):
    result = quiet(bcg, method="fe")
    assert result.method == "FE"
    assert result.tau2 == 0
    assert np.isnan(result.pi_low)
    assert np.isnan(result.se_tau2)
    assert result.to_frame()["row"].tolist()[-1] == "pooled"


def test_two_studies_riley_interval_undefined():
    result = quiet([0.2, 0.4], [0.04, 0.05], method="DL")
    assert np.isnan(result.pi_low)
    assert any("k - 2 = 0 df" in note for note in result.notes)


# ------------------------------------------------------------------ warnings


def test_few_studies_warn_and_suggest_hartung_knapp(counts):
    with pytest.warns(PeerevalWarning, match=r"only 4 studies.*knha=True"):
        meta_analysis(count_effects(counts, "OR"))


def test_heterogeneity_warns(bcg):
    with pytest.warns(PeerevalWarning, match=r"substantial heterogeneity: I² = 92%"):
        meta_analysis(bcg)
    with pytest.warns(PeerevalWarning, match="fixed-effect model assumes one common effect"):
        meta_analysis(bcg, method="FE")


def test_homogeneous_studies_do_not_warn(sites):
    with warnings.catch_warnings():
        warnings.simplefilter("error", PeerevalWarning)
        result = meta_analysis(smd(sites))
    assert result.i2 < 50


def test_missing_values_are_dropped_and_reported():
    with pytest.warns(PeerevalWarning, match="1 study dropped.*B"):
        result = meta_analysis([0.1, np.nan, 0.3, 0.2, 0.25, 0.4],
                               [0.02, 0.03, 0.04, 0.02, 0.03, 0.05],
                               labels=list("ABCDEF"))
    assert result.k == 5
    assert result.dropped == ("B",)
    assert "B" not in result.labels


def test_hartung_knapp_scale_below_one_is_noted(sites):
    result = quiet(smd(sites), knha=True)
    assert result.s2w < 1
    assert any("knha='adhoc'" in note for note in result.notes)
    adhoc = quiet(smd(sites), knha="adhoc")
    assert adhoc.s2w == 1
    assert adhoc.ci_high - adhoc.ci_low > result.ci_high - result.ci_low


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    (([0.1, 0.2], [0.01, -0.02]), {}, "must be positive"),
    (([0.1, 0.2], [0.01, 0.0]), {}, "must be positive"),
    (([0.1, 0.2, 0.3], [0.01, 0.02]), {}, "same length"),
    (([0.1, 0.2], [0.01, 0.02]), {"labels": ["a"]}, "same length"),
    (([0.1], [0.01]), {}, "at least 2 studies"),
    (([0.1, np.nan], [0.01, 0.02]), {}, "at least 2 studies"),
    (([0.1, np.inf], [0.01, 0.02]), {}, "infinite"),
    (([0.1, 0.2], [0.01, 0.02]), {"se": [0.1, 0.1]}, "one of them"),
    (([0.1, 0.2],), {}, "one of them"),
    (([0.1, 0.2], [0.01, 0.02]), {"method": "HS"}, "method must be one of"),
    (([0.1, 0.2], [0.01, 0.02]), {"method": "FE", "knha": True}, "random-effects models"),
    (([0.1, 0.2], [0.01, 0.02]), {"confidence": 95},
     "confidence must be a number strictly between 0 and 1"),
    (([0.1, 0.2], [0.01, 0.02]), {"prediction": "t"}, "prediction must be"),
    (([0.1, "x"], [0.01, 0.02]), {}, "not a number"),
    (("g", "v"), {}, "no data= was given"),
    (("g", "v"), {"data": pd.DataFrame({"g": [0.1, 0.2]})}, "no variance column 'v'"),
])
def test_bad_input_is_explained(args, kwargs, message):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        with pytest.raises(PeerevalError, match=message):
            meta_analysis(*args, **kwargs)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"measure": "SMDH"}, "measure must be one of"),
    ({"measure": "SMD", "n_treated": [10], "n_control": [10]}, "needs mean_treated"),
    ({"measure": "OR", "n_treated": [10], "n_control": [10], "events_treated": [11],
      "events_control": [2]}, "between 0 and the group size"),
    ({"measure": "MD", "n_treated": [10, 12], "n_control": [10, 9], "mean_treated": [1, 2],
      "mean_control": [1, 1], "sd_treated": [1, -1], "sd_control": [1, 1]}, "negative"),
    ({"measure": "SMD", "n_treated": [10, 12], "n_control": [10], "mean_treated": [1, 2],
      "mean_control": [1, 1], "sd_treated": [1, 1], "sd_control": [1, 1]}, "same length"),
    ({"measure": "SMD", "n_treated": [1], "n_control": [2], "mean_treated": [1],
      "mean_control": [0], "sd_treated": [1], "sd_control": [1]}, "at least 4 students"),
    ({"measure": "SMD", "n_treated": [0], "n_control": [5], "mean_treated": [1],
      "mean_control": [0], "sd_treated": [1], "sd_control": [1]}, "at least 1 student"),
    ({"measure": "RR", "n_treated": [10], "n_control": [10], "events_treated": [3],
      "events_control": [2], "to": "some"}, "to must be"),
])
def test_from_groups_bad_input(kwargs, message):
    with pytest.raises(PeerevalError, match=message):
        from_groups(**kwargs)


# ------------------------------------------------------------------ methods() and old names


def test_methods_follows_the_settings(bcg):
    default = quiet(bcg)
    text = default.methods()
    assert "Log risk ratio values were pooled with a random-effects model" in text
    assert "τ² by restricted maximum likelihood" in text
    assert "Hartung-Knapp" not in text
    assert "95% prediction interval uses t with k - 2 df" in text
    other = quiet(bcg, method="DL", knha="adhoc", confidence=0.9,
                  prediction="metafor").methods()
    assert "DerSimonian-Laird" in other
    assert "ad hoc variant" in other
    assert "90% confidence intervals" in other
    assert "metafor's default" in other
    fixed = quiet(bcg, method="FE").methods()
    assert "fixed-effect (inverse-variance) model" in fixed
    assert "prediction" not in fixed


def test_summary_row_uses_the_conventional_names(bcg):
    row = quiet(bcg).summary_row
    assert {"p_value", "q_p_value", "ci_level"} <= set(row.columns)
    assert not {"p", "q_p", "level"} & set(row.columns)


@pytest.mark.parametrize(("old", "new"), [("level", "ci_level"), ("p", "p_value"),
                                          ("q_p", "q_p_value")])
def test_old_attribute_names_warn(bcg, old, new):
    result = quiet(bcg)
    with pytest.warns(DeprecationWarning, match=f"MetaAnalysis.{old} is deprecated since "
                      f"peereval 0.1: use MetaAnalysis.{new}"):
        assert getattr(result, old) == getattr(result, new)


def test_old_methods_and_arguments_warn(bcg):
    result = quiet(bcg, confidence=0.9)
    with pytest.warns(DeprecationWarning, match=r"MetaAnalysis.explain is deprecated since "
                      r"peereval 0.1: use MetaAnalysis.apa\(plain=True\)"):
        assert result.explain() == result.apa(plain=True)
    with pytest.warns(DeprecationWarning, match="MetaAnalysis.summary is deprecated since "
                      "peereval 0.1: use MetaAnalysis.summary_row"):
        pd.testing.assert_frame_equal(result.summary(), result.summary_row)
    for name in ("explain", "summary"):
        assert getattr(MetaAnalysis, name).__deprecated__.startswith(f"MetaAnalysis.{name} ")
    with pytest.warns(DeprecationWarning, match=r"meta_analysis\(level=\.\.\.\) is "
                      "deprecated since peereval 0.1: use confidence="):
        old = quiet(bcg, level=0.9)
    assert (old.ci_low, old.ci_high) == (result.ci_low, result.ci_high)

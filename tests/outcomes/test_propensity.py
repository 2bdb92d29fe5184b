"""Propensity score matching, weighting, balance and E-values, against MatchIt and R.

Reference values:
* tests/reference/propensity.json, written by tests/reference/propensity.R with R
  4.2.2 and MatchIt 4.5.1 on MatchIt's ``lalonde`` data (tests/reference/data/
  lalonde.csv), treat ~ age + educ + race + married + nodegree + re74 + re75:
  - ``cases``: matchit(method = "nearest") in 15 specifications (1:1, caliper 0.2 on
    the score and on its logit, 1:2, 1:3 with caliper, with replacement, the four
    m.orders, discard = "both"/"control", ATC, and the treatment coding reversed so
    that treated outnumber controls 429 to 185): match.matrix, weights, subclass,
    summary() balance and sample sizes. MatchIt 4.5.1 as installed truncates distance
    differences to integers (its issue #163), so the script passes the distance times a
    power of ten; see the script.
  - ``ratio2_replace_bruteforce``: 1:2 with replacement from a brute-force search in R
    (MatchIt 4.5.1 repeats controls within a set there, its issue #159).
  - ``effects``: lm(re78 ~ treat, weights) on match.data() with sandwich::vcovCL by
    subclass (HC3 with replacement), and the g-computation contrast with covariates.
  - ``ipw``: weights written out by hand from glm(), MatchIt's bal1var() balance,
    lm(weights) + sandwich::vcovHC (HC0, HC3).
  Match sets must agree exactly; closed forms are compared at 1e-6 (relative). Our
  logistic fit converges further than R's glm (deviance tolerance 1e-8): the scores
  differ by about 3e-9, so statistics of the distance itself are compared at 1e-6.
* E-values: the worked examples of VanderWeele & Ding (2017, Ann Intern Med
  167:268-274) as quoted by the EValue package documentation: breastfeeding and
  infant respiratory death, RR 3.9 (1.8, 8.7) -> 7.26 and 3.00 (also quoted in the
  public validation of the formula); the leukemia example RR 0.80 (0.71, 0.91) ->
  1.81 and 1.43 (EValue::evalues.RR help); Hammond & Horn's smoking and lung cancer RR
  10.73 (8.02, 14.36) -> 20.95 and 15.52 (EValue vignette); and the closed forms.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import peereval
from peereval.errors import PeerevalError, PeerevalWarning
from peereval.outcomes import (
    BalanceTable,
    MatchResult,
    WeightResult,
    balance,
    e_value,
    propensity_match,
    propensity_weight,
)
from peereval.outcomes._propensity import _nearest_neighbours
from reference_data import reference, reference_csv

REF = reference("propensity")
COVS = ["age", "educ", "race", "married", "nodegree", "re74", "re75"]
R_TERMS = {"raceblack": "race[black]", "racehispan": "race[hispan]",
           "racewhite": "race[white]"}
R_COEF = {"(Intercept)": "(Intercept)", "racehispan": "race[hispan]",
          "racewhite": "race[white]"}
STATS = {"Means Treated": "mean_treated", "Means Control": "mean_control",
         "Std. Mean Diff.": "smd", "Var. Ratio": "var_ratio", "eCDF Mean": "ecdf_mean",
         "eCDF Max": "ecdf_max"}
NN_ROWS = ["all_ess", "all", "matched_ess", "matched", "unmatched", "discarded"]
SAMPLE_COVS = ["gpa_entry", "sex", "age"]


@pytest.fixture(scope="module")
def lalonde() -> pd.DataFrame:
    return reference_csv("lalonde").set_index("id")


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    return peereval.load_sample().records.data


def quiet(func, *args, **kwargs):
    """Call with PeerevalWarnings silenced (lalonde has poor overlap, by design)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        return func(*args, **kwargs)


def case_data(lalonde: pd.DataFrame, name: str) -> pd.DataFrame:
    if name.startswith("reversed"):
        return lalonde.assign(treat=1 - lalonde["treat"])
    return lalonde


def case_kwargs(name: str) -> dict:
    """propensity_match arguments equivalent to the matchit() call of a case."""
    args = REF["cases"][name]["args"]
    kwargs = {"distance": "logit" if args["link"] == "linear.logit" else "ps",
              "caliper": args.get("caliper")}
    for r_name, py_name in (("ratio", "ratio"), ("replace", "replace"),
                            ("m.order", "order"), ("discard", "discard"),
                            ("estimand", "estimand")):
        if r_name in args:
            kwargs[py_name] = args[r_name]
    return kwargs


def r_match_matrix(case: dict) -> pd.DataFrame:
    columns = {f"match_{j + 1}": col for j, col in enumerate(case["match_matrix"])}
    return pd.DataFrame(columns, index=case["focal"])


def assert_same_matches(ours: pd.DataFrame, expected: pd.DataFrame) -> None:
    got = ours.reindex(expected.index)
    assert list(got.index) == list(expected.index)
    assert got.shape == expected.shape
    a = got.to_numpy(dtype=object)
    b = expected.to_numpy(dtype=object)
    both_missing = pd.isna(a) & pd.isna(b)
    mismatch = (a != b) & ~both_missing
    assert not mismatch.any(), f"{mismatch.sum()} matches differ, first at " \
        f"{got.index[np.flatnonzero(mismatch.any(axis=1))[0]]}"


def assert_balance(table: pd.DataFrame, r_table: dict, when: str, distance_row: str,
                   rtol: float = 1e-6) -> None:
    ours = table.set_index("covariate")
    for i, term in enumerate(r_table["term"]):
        row = distance_row if term == "distance" else R_TERMS.get(term, term)
        for r_col, col in STATS.items():
            expected = r_table[r_col][i]
            got = ours.loc[row, f"{col}_{when}"]
            if expected is None:
                assert np.isnan(got), (row, col)
            else:
                assert got == pytest.approx(expected, rel=rtol, abs=rtol), (row, col, when)


MATCH_CASES = [name for name in REF["cases"] if name != "ratio2_replace_bruteforce"]


# ------------------------------------------------------------------ propensity model


def test_propensity_model_agrees_with_glm(lalonde):
    result = quiet(propensity_match, lalonde, "treat", COVS, caliper=None, distance="ps")
    model = result.propensity
    ref = REF["propensity"]
    coef = model.coefficients.set_index("term")
    for name, estimate, se in zip(ref["coef_names"], ref["coef"], ref["se"], strict=True):
        term = R_COEF.get(name, name)
        assert coef.loc[term, "estimate"] == pytest.approx(estimate, rel=1e-6)
        assert coef.loc[term, "se"] == pytest.approx(se, rel=1e-6)
    np.testing.assert_allclose(model.scores.to_numpy(), ref["ps"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(model.linear.to_numpy(), ref["linear"], rtol=1e-6,
                               atol=1e-7)
    assert model.deviance == pytest.approx(ref["deviance"], rel=1e-9)
    assert model.aic == pytest.approx(ref["aic"], rel=1e-9)
    assert model.converged
    assert not model.supplied
    assert (model.n, model.n_treated, model.n_control) == (614, 185, 429)


# ------------------------------------------------------------------ matching vs MatchIt


@pytest.mark.parametrize("name", MATCH_CASES)
def test_matching_agrees_with_matchit(lalonde, name):
    case = REF["cases"][name]
    data = case_data(lalonde, name)
    result = quiet(propensity_match, data, "treat", COVS, **case_kwargs(name))
    assert isinstance(result, MatchResult)
    assert_same_matches(result.match_matrix, r_match_matrix(case))
    np.testing.assert_allclose(result.weights.to_numpy(), case["weights"], rtol=1e-9,
                               atol=1e-12)
    if case["caliper"] is not None:
        assert result.caliper_distance == pytest.approx(case["caliper"], rel=1e-6)
    counts = result.counts
    np.testing.assert_allclose(counts.loc[NN_ROWS, "control"], case["nn"]["control"],
                               rtol=1e-9)
    np.testing.assert_allclose(counts.loc[NN_ROWS, "treated"], case["nn"]["treated"],
                               rtol=1e-9)
    if case["subclass"] is not None:
        # the same partition into matched sets (MatchIt numbers them differently)
        r_sub = pd.Series(case["subclass"], index=data.index)
        table = pd.crosstab(r_sub.fillna("none"),
                            result.subclass.astype(object).fillna("none"))
        assert ((table > 0).sum(axis=1) == 1).all()
        assert ((table > 0).sum(axis=0) == 1).all()
    else:
        assert result.subclass.isna().all()
    distance_row = "logit(ps)" if case_kwargs(name)["distance"] == "logit" else "ps"
    assert_balance(result.balance.table, case["sum_all"], "before", distance_row)
    assert_balance(result.balance.table, case["sum_matched"], "after", distance_row)


@pytest.mark.parametrize("name", ["nearest", "caliper", "logit_ratio3_caliper",
                                  "discard_control_caliper", "atc", "reversed_caliper"])
def test_matching_on_matchits_own_distances(lalonde, name):
    """The algorithm alone: given MatchIt's distances, the same matches."""
    case = REF["cases"][name]
    data = case_data(lalonde, name)
    kwargs = case_kwargs(name)
    d = np.asarray(case["distance"])
    scores = 1 / (1 + np.exp(-d)) if kwargs["distance"] == "logit" else d
    result = quiet(propensity_match, data, "treat", COVS,
                   scores=pd.Series(scores, index=data.index), **kwargs)
    assert result.propensity.supplied
    assert_same_matches(result.match_matrix, r_match_matrix(case))
    np.testing.assert_allclose(result.weights.to_numpy(), case["weights"], rtol=1e-9,
                               atol=1e-12)


def test_matchit_451_bugs_are_documented():
    bugs = REF["bug_451"]
    # without the rescaling MatchIt 4.5.1 ignores the caliper on the propensity score
    assert bugs["caliper_matched_unscaled"] == 185
    assert bugs["caliper_matched_scaled"] == 113
    assert bugs["nearest_differences"] > 0
    assert REF["cases"]["ratio2_replace_bruteforce"]["matchit_451_duplicates"] > 0


def test_ratio2_with_replacement_takes_two_nearest_distinct(lalonde):
    case = REF["cases"]["ratio2_replace_bruteforce"]
    result = quiet(propensity_match, lalonde, "treat", COVS, ratio=2, replace=True,
                   caliper=None, distance="ps")
    assert_same_matches(result.match_matrix, r_match_matrix(case))
    mm = result.match_matrix
    assert (mm["match_1"] != mm["match_2"]).all()


def test_treated_outnumber_controls_groups_are_not_swapped(lalonde):
    """psmpy silently swaps the groups when treated outnumber controls; here the treated
    (429 after reversing the coding) stay the focal group."""
    data = case_data(lalonde, "reversed")
    text = caught_messages(propensity_match, data, "treat", COVS, caliper=None,
                           distance="ps")
    assert "fewer comparison units (185) than treated units (429)" in text
    result = quiet(propensity_match, data, "treat", COVS, caliper=None, distance="ps")
    treated_ids = set(data.index[data["treat"] == 1])
    assert set(result.match_matrix.index) == treated_ids
    assert set(result.pairs["focal"]) <= treated_ids
    assert not set(result.pairs["match"]) & treated_ids
    assert result.n_focal == 429
    assert result.n_matched_focal == 185  # every control used once, 244 treated unmatched
    assert result.counts.loc["unmatched", "treated"] == 244
    assert result.estimand == "ATT"
    with_replacement = quiet(propensity_match, data, "treat", COVS, caliper=None,
                             distance="ps", replace=True)
    assert with_replacement.n_matched_focal == 429


def test_greedy_matching_agrees_with_a_direct_search():
    """The pointer structure against a direct O(n^2) search, with many tied distances."""
    rng = np.random.default_rng(11)
    n = 600
    distance = np.round(rng.normal(0, 1, n), 1)  # heavy ties
    focal = rng.random(n) < 0.4
    discarded = np.zeros(n, dtype=bool)
    focal_rows = np.flatnonzero(focal)
    position = np.empty(n, dtype=int)
    position[np.argsort(distance, kind="stable")] = np.arange(n)
    for ratio, caliper in ((1, None), (2, 0.15), (3, 0.05)):
        visit = np.argsort(-distance[focal_rows], kind="stable")
        fast = _nearest_neighbours(distance, focal, discarded, visit, ratio, False, caliper)
        available = ~focal
        slow = np.full((len(focal_rows), ratio), -1)
        cal = np.inf if caliper is None else caliper
        for r in range(ratio):
            for v in visit:
                i = focal_rows[v]
                cand = np.flatnonzero(available)
                if not len(cand):
                    break
                gap = np.abs(distance[cand] - distance[i])
                below = position[cand] < position[i]
                best = {}
                for side, mask in (("below", below), ("above", ~below)):
                    if mask.any():
                        c, g = cand[mask], gap[mask]
                        # nearest: smallest gap, then closest in sorted position
                        k = np.lexsort((np.abs(position[c] - position[i]), g))[0]
                        if g[k] <= cal:
                            best[side] = (g[k], c[k])
                if not best:
                    continue
                if "below" in best and ("above" not in best
                                        or best["below"][0] <= best["above"][0]):
                    chosen = best["below"][1]
                else:
                    chosen = best["above"][1]
                slow[v, r] = chosen
                available[chosen] = False
        np.testing.assert_array_equal(fast, slow)


# ------------------------------------------------------------------ effects vs R


@pytest.mark.parametrize("name", list(REF["effects"]))
def test_matched_effects_agree_with_sandwich(lalonde, name):
    kwargs = case_kwargs(name)
    result = quiet(propensity_match, lalonde, "treat", COVS, **kwargs)
    for kind, expected in REF["effects"][name].items():
        effect = result.effect("re78", adjust=kind == "adjusted")
        assert effect.estimate == pytest.approx(expected["estimate"], rel=1e-6)
        assert effect.se == pytest.approx(expected["se"], rel=1e-6)
        assert effect.ci_low == pytest.approx(expected["lower"], rel=1e-6)
        assert effect.ci_high == pytest.approx(expected["upper"], rel=1e-6)
        assert effect.df == expected["df"]
        assert effect.n == expected["n"]
        if "p" in expected:
            assert effect.statistic == pytest.approx(expected["statistic"], rel=1e-6)
            assert effect.p_value == pytest.approx(expected["p"], rel=1e-6)
    expected_variance = "HC3" if kwargs.get("replace") else "cluster"
    assert expected_variance in effect.variance


# ------------------------------------------------------------------ weighting vs R


@pytest.mark.parametrize("name", list(REF["ipw"]))
def test_weighting_agrees_with_hand_computation(lalonde, name):
    ref = REF["ipw"][name]
    result = quiet(propensity_weight, lalonde, "treat", COVS, estimand=ref["estimand"],
                   stabilized=ref["stabilized"], trim=ref["trim"])
    assert isinstance(result, WeightResult)
    np.testing.assert_allclose(result.weights.to_numpy(), ref["weights"], rtol=1e-6)
    assert result.ess_treated == pytest.approx(ref["ess_treated"], rel=1e-6)
    assert result.ess_control == pytest.approx(ref["ess_control"], rel=1e-6)
    assert_balance(result.balance.table, ref["balance_before"], "before", "logit(ps)")
    assert_balance(result.balance.table, ref["balance_after"], "after", "logit(ps)")
    for hc in ("hc0", "hc3"):
        effect = result.effect("re78", hc=hc.upper())
        expected = ref[hc]
        for attr, key in (("estimate", "estimate"), ("se", "se"), ("ci_low", "lower"),
                          ("ci_high", "upper"), ("statistic", "statistic"),
                          ("p_value", "p")):
            assert getattr(effect, attr) == pytest.approx(expected[key], rel=1e-6), attr
        assert effect.df == expected["df"]
    if ref["trim"] is not None:
        assert result.n_trimmed > 0


def test_balance_function_with_weights_agrees(lalonde):
    ref = REF["ipw"]["att_stabilized"]
    table = balance(lalonde, "treat", COVS, weights=np.asarray(ref["weights"]),
                    estimand="ATT")
    assert isinstance(table, BalanceTable)
    assert table.sd_denominator == "treated"
    assert_balance(table.table, ref["balance_before"], "before", "")
    assert_balance(table.table, ref["balance_after"], "after", "")
    unweighted = balance(lalonde, "treat", COVS, estimand="ATE")
    assert "smd_after" not in unweighted.table
    assert_balance(unweighted.table, REF["ipw"]["ate_stabilized"]["balance_before"],
                   "before", "")


# ------------------------------------------------------------------ E-values


@pytest.mark.parametrize(("rr", "lower", "upper", "point", "limit"), [
    (3.9, 1.8, 8.7, 7.26, 3.00),  # breastfeeding (VanderWeele & Ding 2017)
    (0.80, 0.71, 0.91, 1.81, 1.43),  # leukemia example, protective (ibid.)
    (10.73, 8.02, 14.36, 20.95, 15.52),  # Hammond & Horn smoking (EValue vignette)
])
def test_e_value_published_examples(rr, lower, upper, point, limit):
    result = e_value(rr, lower, upper)
    assert round(result.e_value, 2) == point
    assert round(result.e_value_ci, 2) == limit


def test_e_value_formulas():
    def e(x: float) -> float:
        x = 1 / x if x < 1 else x
        return x + math.sqrt(x * (x - 1))

    # the interval containing 1 gives an E-value of 1 for the limit
    assert e_value(1.5, 0.9, 2.5).e_value_ci == 1.0
    assert e_value(0.7, 0.4, 1.2).e_value_ci == 1.0
    assert e_value(2.0).e_value_ci is None
    # odd ratios: rare -> RR = OR; common -> sqrt(OR)
    assert e_value(2.5, 1.5, 4.0, measure="OR", rare=True).e_value == pytest.approx(e(2.5))
    common = e_value(2.5, 1.5, 4.0, measure="OR", rare=False)
    assert common.rr == pytest.approx(math.sqrt(2.5))
    assert common.e_value_ci == pytest.approx(e(math.sqrt(1.5)))
    # hazard ratios, common outcome
    hr = e_value(0.6, 0.45, 0.8, measure="HR", rare=False)
    rr = (1 - 0.5 ** math.sqrt(0.6)) / (1 - 0.5 ** math.sqrt(1 / 0.6))
    assert hr.rr == pytest.approx(rr)
    assert hr.e_value == pytest.approx(e(rr))
    rr_upper = (1 - 0.5 ** math.sqrt(0.8)) / (1 - 0.5 ** math.sqrt(1 / 0.8))
    assert hr.e_value_ci == pytest.approx(e(rr_upper))
    # standardised mean differences: RR = exp(0.91 d), limits the same, or from the SE
    d = e_value(0.30, 0.08, 0.52, measure="SMD")
    assert d.rr == pytest.approx(math.exp(0.91 * 0.30))
    assert d.e_value == pytest.approx(e(math.exp(0.273)))
    assert d.e_value_ci == pytest.approx(e(math.exp(0.91 * 0.08)))
    from_se = e_value(0.30, measure="SMD", se=0.1)
    assert from_se.rr_ci_low == pytest.approx(math.exp(0.91 * 0.30 - 1.7836 * 0.1),
                                             rel=1e-4)
    assert e_value(-0.30, measure="SMD").e_value == pytest.approx(d.e_value)
    assert "E-value = 7.26" in e_value(3.9, 1.8).apa()


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    ((2.0,), {"measure": "OR"}, "rare"),
    ((-1.0,), {}, "positive"),
    ((2.0, 2.5, 3.0), {}, "does not contain"),
    ((2.0,), {"measure": "XYZ"}, "measure"),
    ((float("nan"),), {}, "finite"),
    ((2.0,), {"se": 0.1}, "SMD"),
])
def test_e_value_bad_input(args, kwargs, message):
    with pytest.raises(PeerevalError, match=message):
        e_value(*args, **kwargs)


def test_e_value_methods_names_the_measure_level_and_conversion():
    rr = e_value(3.9, 1.8, 8.7)
    assert "for the risk ratio and for the limit of its 95% confidence" in rr.methods()
    assert "converting" not in rr.methods()
    odds = e_value(2.5, 1.5, 4.0, measure="OR", rare=False, confidence=0.9)
    assert "its 90% confidence interval" in odds.methods()
    assert "RR = sqrt(OR) (common outcome)" in odds.methods()
    assert "no confidence limit" in e_value(2.0).methods()
    assert odds.ci_level == 0.9
    with pytest.raises(PeerevalError, match="95% limits"):
        e_value(0.3, measure="SMD", se=0.1, confidence=0.9)


@pytest.mark.parametrize(("old", "new"), [("lower", "ci_low"), ("upper", "ci_high"),
                                          ("rr_lower", "rr_ci_low"),
                                          ("rr_upper", "rr_ci_high")])
def test_e_value_old_attribute_names_warn(old, new):
    result = e_value(0.6, 0.45, 0.8, measure="HR", rare=False)
    with pytest.warns(DeprecationWarning, match=f"EValue.{old} is deprecated since peereval "
                      f"0.1: use EValue.{new}"):
        assert getattr(result, old) == getattr(result, new)


def test_e_value_old_argument_names_warn():
    with pytest.warns(DeprecationWarning, match=r"e_value\(lower=\.\.\.\) is deprecated"):
        old = e_value(3.9, lower=1.8, ci_high=8.7)
    assert old.e_value_ci == e_value(3.9, ci_low=1.8, ci_high=8.7).e_value_ci


# ------------------------------------------------------------------ sample study


def test_sample_study_recovers_the_planted_effect(records):
    before = records.copy()
    weighted = quiet(propensity_weight, records, "mentored", SAMPLE_COVS)
    assert weighted.treated_label == "yes"
    assert weighted.balance.max_abs_smd < 0.1
    ate = weighted.effect("gpa_year1", adjust=True)
    assert ate.ci_low < 0.15 < ate.ci_high  # true effect +0.15
    exam = weighted.effect("exam_score", adjust=True)
    assert exam.ci_low < 4.0 < exam.ci_high  # true effect +4
    matched = quiet(propensity_match, records, "mentored", SAMPLE_COVS, replace=True)
    att = matched.effect("gpa_year1", adjust=True)
    assert att.ci_low < 0.15 < att.ci_high
    naive = records.groupby("mentored")["gpa_year1"].mean()
    assert naive["yes"] - naive["no"] > att.ci_high  # selection inflates the raw gap
    pd.testing.assert_frame_equal(records, before)  # input untouched
    passed = matched.effect("passed")  # 0/1 outcome: a risk difference
    assert -1 < passed.estimate < 1


def test_sample_records_object_and_matched_data(records):
    sample = peereval.load_sample().records
    result = quiet(propensity_match, sample, "mentored", SAMPLE_COVS)
    md = result.matched_data
    assert {"weights", "subclass", "ps"} <= set(md.columns)
    assert (md["weights"] > 0).all()
    assert md["subclass"].notna().all()
    assert len(md) == result.counts.loc["matched"].sum()
    assert result.n_matched_focal == result.n_matched_other  # 1:1 without replacement
    assert (result.pairs["distance_difference"].abs() <= result.caliper_distance).all()
    assert result.caliper == 0.2
    assert result.distance == "logit"
    text = repr(result)
    assert "Propensity score matching" in text
    assert "smd_after" in text
    assert "<table" in result._repr_html_()
    assert "treated units" in result.apa()
    assert "Common support" in result.overlap.apa()
    assert result.propensity.to_frame()["term"].tolist()[0] == "(Intercept)"


def test_rows_with_missing_covariates_are_counted(records):
    data = records.copy()
    data.loc[data.index[:4], "age"] = np.nan
    result = quiet(propensity_weight, data, "mentored", SAMPLE_COVS)
    assert result.dropped == {"missing 'age'": 4}
    assert result.n_treated + result.n_control == len(records) - 4
    assert "Rows left out: 4 for missing 'age'." in result.apa()


def test_random_order_is_reproducible(records):
    a = quiet(propensity_match, records, "mentored", SAMPLE_COVS, order="random", seed=3)
    b = quiet(propensity_match, records, "mentored", SAMPLE_COVS, order="random",
              seed=np.random.default_rng(3))
    pd.testing.assert_frame_equal(a.match_matrix, b.match_matrix)
    assert a.seed == "3"
    assert a.order == "random"


# ------------------------------------------------------------------ warnings


def caught_messages(func, *args, **kwargs) -> str:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        func(*args, **kwargs)
    assert all(issubclass(w.category, PeerevalWarning) for w in caught)
    return " | ".join(str(w.message) for w in caught)


def test_red_flags_warn(records, lalonde):
    text = caught_messages(propensity_match, records, "mentored", SAMPLE_COVS)
    assert "fewer comparison units (137) than treated units (163)" in text
    assert "55 of 163 treated units (34%) were not matched" in text
    assert "|SMD| >= 0.1 after matching: gpa_entry" in text
    assert "poor overlap" not in text  # controls below every mentee do not matter for the ATT
    text = caught_messages(propensity_weight, lalonde, "treat", COVS)
    assert "poor overlap" in text
    assert "after weighting" in text
    text = caught_messages(propensity_weight, lalonde, "treat", COVS, estimand="ATT")
    assert "extreme weights: the comparison group's effective sample size" in text
    text = caught_messages(propensity_match, lalonde, "treat", COVS, ratio=3, caliper=None)
    assert "not every treated unit can get 3 matches" in text
    assert caught_messages(propensity_match, records, "mentored", SAMPLE_COVS,
                           replace=True, caliper=None) == ""


def test_quasi_separation_warns(records):
    """A category found only among mentees: their fitted scores go to 1."""
    first_mentees = records.index[records["mentored"] == "yes"][:5]
    data = records.assign(track=np.where(records.index.isin(first_mentees), "c", "d"))
    text = caught_messages(propensity_weight, data, "mentored", ["gpa_entry", "track"])
    assert "quasi-complete separation" in text
    assert "categories found in one group only: track[c]" in text


# ------------------------------------------------------------------ errors


def test_bad_input_raises(records):
    with pytest.raises(PeerevalError, match="no analysis column"):
        propensity_match(records, "mentored", ["gpa_entry", "motivation"])
    with pytest.raises(PeerevalError, match="mixes numbers and text"):
        propensity_match(records.assign(age=records["age"].astype(object).where(
            records.index != records.index[3], "n/a")), "mentored", ["age"])
    with pytest.raises(PeerevalError, match="separate the groups perfectly"):
        propensity_match(records.assign(join=(records["mentored"] == "yes") * 10.0),
                         "mentored", ["join"])
    with pytest.raises(PeerevalError, match="exactly two groups"):
        propensity_match(records.assign(mentored="yes"), "mentored", ["gpa_entry"])
    empty = records.assign(gpa_entry=records["gpa_entry"].where(records["mentored"] == "no"))
    with pytest.raises(PeerevalError, match="no rows with complete data"):
        propensity_match(empty, "mentored", ["gpa_entry"])
    with pytest.raises(PeerevalError, match="single value"):
        propensity_match(records.assign(cohort=2024), "mentored", ["cohort"])
    with pytest.raises(PeerevalError, match="collinear"):
        propensity_match(records.assign(gpa2=records["gpa_entry"] * 2), "mentored",
                         ["gpa_entry", "gpa2"])
    with pytest.raises(PeerevalError, match="categories"):
        propensity_match(records.assign(sid=[f"s{i}" for i in range(len(records))]),
                         "mentored", ["sid"])
    with pytest.raises(PeerevalError, match="dates"):
        propensity_match(records.assign(when=pd.Timestamp("2024-01-01")), "mentored",
                         ["when"])
    with pytest.raises(PeerevalError, match="at least one covariate"):
        propensity_match(records, "mentored", [])
    with pytest.raises(PeerevalError, match="also listed as a covariate"):
        propensity_match(records, "mentored", ["mentored"])


def test_bad_options_raise(records):
    for kwargs, message in (({"ratio": 0}, "ratio"), ({"ratio": 1.5}, "ratio"),
                            ({"caliper": -1}, "caliper"), ({"caliper": "wide"}, "caliper"),
                            ({"distance": "mahalanobis"}, "distance"),
                            ({"order": "best"}, "order"), ({"estimand": "ATE"}, "estimand"),
                            ({"discard": "all"}, "discard")):
        with pytest.raises(PeerevalError, match=message):
            propensity_match(records, "mentored", SAMPLE_COVS, **kwargs)
    rng = np.random.default_rng(2)
    small = pd.DataFrame({"g": ["yes"] * 20 + ["no"] * 20, "x": rng.normal(size=40)})
    with pytest.raises(PeerevalError, match="no unit could be matched"):
        quiet(propensity_match, small, "g", ["x"], caliper=1e-9)
    with pytest.raises(PeerevalError, match="trim"):
        propensity_weight(records, "mentored", SAMPLE_COVS, trim=0.7)
    with pytest.raises(PeerevalError, match="between 0 and 1"):
        propensity_weight(records, "mentored", SAMPLE_COVS,
                          scores=np.where(records["mentored"] == "yes", 1.0, 0.3))
    with pytest.raises(PeerevalError, match="do not overlap"):
        propensity_weight(records, "mentored", SAMPLE_COVS,
                          scores=np.where(records["mentored"] == "yes", 0.9, 0.1))
    with pytest.raises(PeerevalError, match="no outcome column"):
        quiet(propensity_weight, records, "mentored", SAMPLE_COVS).effect("grade")
    with pytest.raises(PeerevalError, match="non-negative"):
        balance(records, "mentored", SAMPLE_COVS, weights=-np.ones(len(records)))


# ------------------------------------------------------------------ conventional names


def test_counts_of_every_propensity_result(records):
    data = records.copy()
    data.loc[data.index[:4], "age"] = np.nan
    matched = quiet(propensity_match, data, "mentored", SAMPLE_COVS)
    weighted = quiet(propensity_weight, data, "mentored", SAMPLE_COVS)
    table = balance(data, "mentored", SAMPLE_COVS)
    for result in (matched, weighted, table, matched.propensity, matched.overlap,
                   matched.balance, weighted.overlap, weighted.balance):
        assert (result.n, result.n_dropped) == (len(records) - 4, 4), type(result).__name__
        assert isinstance(result.n, int)
        assert isinstance(result.n_dropped, int)
    effect = matched.effect("gpa_year1")
    assert effect.n_dropped == 0
    data.loc[matched.matched_data.index[:2], "gpa_year1"] = np.nan
    rematched = quiet(propensity_match, data, "mentored", SAMPLE_COVS)
    assert rematched.effect("gpa_year1").n_dropped == 2


def test_tables_without_arguments_are_properties(records):
    matched = quiet(propensity_match, records, "mentored", SAMPLE_COVS)
    weighted = quiet(propensity_weight, records, "mentored", SAMPLE_COVS)
    assert isinstance(matched.matched_data, pd.DataFrame)
    assert weighted.weight_summary["n"].sum() == weighted.n
    assert matched.balance.imbalanced == ["gpa_entry"]


def test_methods_follow_the_specification(records):
    matched = quiet(propensity_match, records, "mentored", SAMPLE_COVS)
    text = matched.methods()
    assert "1 comparison unit by greedy nearest-neighbour matching on the logit" in text
    assert "without replacement, within a caliper of 0.20 SD" in text
    assert "largest distance first" in text
    other = quiet(propensity_match, records, "mentored", SAMPLE_COVS, ratio=2,
                  distance="ps", caliper=0.05, std_caliper=False, order="random", seed=7,
                  discard="both").methods()
    assert "2 comparison units" in other
    assert "caliper of 0.050 on the propensity score" in other
    assert "in random order (seed 7)" in other
    assert "units outside the other group's range of the distance discarded" in other
    weighted = quiet(propensity_weight, records, "mentored", SAMPLE_COVS)
    assert "weights for the ATE were computed from them (stabilised)." in weighted.methods()
    trimmed = quiet(propensity_weight, records, "mentored", SAMPLE_COVS, estimand="ATT",
                    stabilized=False, trim=0.05).methods()
    assert "for the ATT were computed from them (not stabilised), the comparison " \
        "group's truncated at their 5th and 95th percentiles" in trimmed
    table = balance(records, "mentored", SAMPLE_COVS, estimand="ATE", threshold=0.25)
    assert "for the ATE, standardised by the square root" in table.methods()
    assert "|SMD| ≥ .25" in table.methods()
    assert "for the ATT, overlap was called poor" in matched.overlap.methods()
    assert "for the ATE, overlap was called poor" in weighted.overlap.methods()
    supplied = quiet(propensity_weight, records.assign(ps=weighted.propensity.scores),
                     "mentored", SAMPLE_COVS, scores="ps")
    assert supplied.propensity.methods().startswith("Propensity scores were supplied")


def test_effect_methods_and_confidence(records):
    matched = quiet(propensity_match, records, "mentored", SAMPLE_COVS, replace=True)
    plain = matched.effect("gpa_year1")
    assert "standard errors: HC3 robust" in plain.methods()
    assert "95% confidence interval" in plain.methods()
    adjusted = matched.effect("gpa_year1", adjust=True, confidence=0.9)
    assert adjusted.ci_level == 0.9
    assert "adjusted for gpa_entry, sex, age" in adjusted.methods()
    assert "90% confidence interval" in adjusted.methods()
    assert adjusted.ci_high - adjusted.ci_low < matched.effect(
        "gpa_year1", adjust=True).ci_high - matched.effect("gpa_year1", adjust=True).ci_low


@pytest.mark.parametrize("how", ["matching", "weighting"])
def test_effect_old_names_warn(records, how):
    func = propensity_match if how == "matching" else propensity_weight
    result = quiet(func, records, "mentored", SAMPLE_COVS)
    effect = result.effect("gpa_year1", confidence=0.9)
    with pytest.warns(DeprecationWarning, match=r"effect\(level=\.\.\.\) is deprecated since "
                      "peereval 0.1: use confidence="):
        old = result.effect("gpa_year1", level=0.9)
    assert (old.ci_low, old.ci_high) == (effect.ci_low, effect.ci_high)
    for name, new in (("level", "ci_level"), ("p", "p_value")):
        with pytest.warns(DeprecationWarning, match=f"PropensityEffect.{name} is deprecated "
                          f"since peereval 0.1: use PropensityEffect.{new}"):
            assert getattr(effect, name) == getattr(effect, new)

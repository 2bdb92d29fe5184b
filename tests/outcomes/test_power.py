"""power(): sample size, minimum detectable effect and achieved power, against R.

Reference values: tests/reference/power_meta.json, written by
tests/reference/power_meta.R with pwr 1.3-0 (pwr.t.test, pwr.t2n.test, pwr.2p.test,
pwr.2p2n.test), stats::power.t.test / power.prop.test (strict = TRUE) and
Hmisc::bpower. Closed forms (power) are compared at 1e-6. Solved quantities (n, d,
h, risk_treated) are compared at 1e-6 with R's power function solved by uniroot(tol =
1e-13) (entries n, d, h); the values pwr itself prints (n_pwr, d_pwr, h_pwr) come
from uniroot's default tolerance (about 1e-4) and are compared at 1e-3.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from peereval.errors import PeerevalError, PeerevalWarning
from peereval.outcomes import PowerResult
from peereval.outcomes import power as power_fn
from peereval.outcomes._power import cohen_h, effect_label
from reference_data import reference

REF = reference("power_meta")["power"]
TIGHT = {"rtol": 1e-6, "atol": 0}
LOOSE = {"rtol": 0, "atol": 1e-3}


# The R script names the proportions as power() did before 0.1 (p_control, p_treated).
_RENAMED = {"p_control": "risk_control", "p_treated": "risk_treated"}


def run(args: dict) -> PowerResult:
    kwargs = {_RENAMED.get(key, key): value for key, value in args.items()}
    if isinstance(kwargs.get("n"), list):
        kwargs["n"] = tuple(kwargs["n"])
    if isinstance(kwargs.get("cluster_size"), list):
        kwargs["cluster_size"] = tuple(kwargs["cluster_size"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        return power_fn(**kwargs)


def solved_n(result: PowerResult, args: dict) -> float:
    """The group size that was solved for (the unknown one of a pair)."""
    n = args.get("n")
    if isinstance(n, list) and n[0] is not None:
        return result.n_control
    return result.n_treated


@pytest.mark.parametrize("case", sorted(REF))
def test_matches_r(case):
    ref = REF[case]
    result = run(ref["args"])
    checked = 0
    if "power" in ref:
        np.testing.assert_allclose(result.power, ref["power"], **TIGHT)
        checked += 1
    if "n" in ref:
        np.testing.assert_allclose(solved_n(result, ref["args"]), ref["n"], **TIGHT)
        checked += 1
    if "n_pwr" in ref:
        np.testing.assert_allclose(solved_n(result, ref["args"]), ref["n_pwr"], **LOOSE)
    if "n_effective" in ref:
        np.testing.assert_allclose(result.n_treated_effective, ref["n_effective"], **TIGHT)
        np.testing.assert_allclose(result.n_control_effective, ref["n_effective"], **TIGHT)
    if "design_effect" in ref:
        np.testing.assert_allclose(result.design_effect_treated, ref["design_effect"], **TIGHT)
    if "d" in ref:
        np.testing.assert_allclose(result.d, ref["d"], **TIGHT)
        checked += 1
    if "d_pwr" in ref:
        np.testing.assert_allclose(result.d, ref["d_pwr"], **LOOSE)
    if "h" in ref:
        np.testing.assert_allclose(result.h, ref["h"], **TIGHT)
        checked += 1
    if "h_pwr" in ref:
        np.testing.assert_allclose(result.h, ref["h_pwr"], **LOOSE)
    if "p_treated" in ref:
        got = result.risk_treated_fall if case.endswith("fall") else result.risk_treated
        np.testing.assert_allclose(got, ref["p_treated"], **TIGHT)
        checked += 1
    assert checked


def test_power_t_test_agrees_with_pwr():
    """stats::power.t.test(strict = TRUE) and pwr.t.test are the same calculation."""
    np.testing.assert_allclose(REF["power_t_test_power"]["power"],
                               REF["t_power_two_sided"]["power"], rtol=1e-12)
    np.testing.assert_allclose(REF["power_t_test_n"]["n"], REF["t_n_two_sided"]["n"],
                               rtol=1e-9)


# ------------------------------------------------------------------ sample size


def test_sample_size_rounds_up_and_keeps_the_power():
    result = run({"effect": 0.3, "power": 0.8})
    assert result.solved_for == "n"
    assert result.n_treated_needed == math.ceil(REF["t_n_two_sided"]["n"]) == 176
    assert result.n_control_needed == 176
    assert 0.8 < result.power_needed < 0.81
    assert result.adequate
    assert "176 students per group (N = 352)" in result.apa()
    assert "175.4 before rounding up" in result.methods()


def test_ratio_gives_unequal_groups():
    result = run({"effect": 0.4, "power": 0.8, "ratio": 2})
    np.testing.assert_allclose(result.n_control, 2 * result.n_treated, rtol=1e-12)
    np.testing.assert_allclose(result.n_treated, REF["t_n_ratio2"]["n"], **TIGHT)
    assert "mentored and" in result.apa()


def test_clustering_inflates_n_by_the_design_effect():
    plain = run({"effect": 0.3, "power": 0.8})
    clustered = run({"effect": 0.3, "power": 0.8, "cluster_size": 6, "icc": 0.05})
    assert clustered.design_effect_treated == pytest.approx(1.25)
    np.testing.assert_allclose(clustered.n_treated, 1.25 * plain.n_treated, rtol=1e-9)
    np.testing.assert_allclose(clustered.n_treated_effective, plain.n_treated, rtol=1e-9)
    assert clustered.n_treated_needed == math.ceil(1.25 * plain.n_treated)
    assert clustered.clusters_treated == math.ceil(clustered.n_treated_needed / 6)
    assert "design effect 1.25" in clustered.apa()


def test_only_the_mentored_arm_clustered():
    result = run({"effect": 0.5, "n": [60, 60], "cluster_size": [8, 1], "icc": 0.1})
    assert result.design_effect_control == 1
    assert result.n_control_effective == 60
    np.testing.assert_allclose(result.n_treated_effective, 60 / 1.7)
    assert result.clusters_control is None
    assert result.clusters_treated == 8


def test_fixed_comparison_group_too_small():
    with pytest.raises(PeerevalError, match=r"no sample size reaches 90% power.*5 students"):
        power_fn(effect=0.2, power=0.9, n=(None, 5))


def test_huge_effect_needs_the_smallest_group():
    result = run({"effect": 6, "power": 0.8})
    assert result.n_treated == pytest.approx(2, abs=1e-6)
    assert any("smallest possible group" in note for note in result.notes)


# ------------------------------------------------------------------ MDE and achieved power


def test_underpowered_design_warns_in_plain_language():
    with pytest.warns(PeerevalWarning, match=r"26% power for d = 0\.30.*missed most of the "
                      r"time.*d = 0\.63"):
        result = power_fn(n=40, power=0.8)
    assert not result.adequate
    assert result.mde == pytest.approx(REF["t_mde_two_sided"]["d"], rel=1e-6)
    text = result.methods()
    assert "80% power to detect d = 0.63 (a medium-to-large effect)" in text
    assert "(d around 0.2-0.3) would be missed most of the time" in text
    assert "minimum detectable effect with 80% power is d = 0.63" in result.apa()


def test_adequate_design_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error", PeerevalWarning)
        result = power_fn(n=300, effect=0.3)
    assert result.adequate
    assert result.power_plausible == pytest.approx(result.power)
    assert result.power_plausible > 0.9


def test_achieved_power_reports_the_mde_too():
    result = run(REF["t2n_power"]["args"])
    assert result.solved_for == "power"
    assert result.mde_power == 0.8
    np.testing.assert_allclose(
        result.mde, run({"n": [81, 174], "power": 0.8}).d, rtol=1e-9)
    frame = result.to_frame()
    assert frame.shape[0] == 1
    assert frame.loc[0, "n_treated"] == 81
    assert frame.loc[0, "n_control"] == 174


def test_tiny_design_still_reports_its_power():
    with pytest.warns(PeerevalWarning, match="No effect size reaches 80% power"):
        result = power_fn(n=2, effect=1.0, alpha=0.001)
    assert 0.001 < result.power < 0.01
    assert np.isnan(result.mde)
    assert "no effect reaches 80% power" in result.methods()


def test_binary_mde_rise_and_fall():
    result = run({"outcome": "binary", "risk_control": 0.7, "n": 100, "power": 0.8})
    h = REF["h_mde"]["h"]
    np.testing.assert_allclose(cohen_h(result.risk_treated, 0.7), h, rtol=1e-9)
    np.testing.assert_allclose(cohen_h(result.risk_treated_fall, 0.7), -h, rtol=1e-9)
    assert result.risk_treated > 0.7 > result.risk_treated_fall
    assert result.effect == pytest.approx(result.risk_treated - 0.7)


def test_binary_mde_near_one_reports_the_fall():
    result = run({"outcome": "binary", "risk_control": 0.95, "n": 40, "power": 0.8})
    assert result.risk_treated < 0.95
    assert np.isnan(result.risk_treated_fall)
    assert any("no detectable rise" in note for note in result.notes)


def test_binary_effect_as_risk_difference_or_proportion():
    a = run({"outcome": "binary", "risk_control": 0.5, "effect": 0.2, "n": 60})
    b = run({"outcome": "binary", "risk_control": 0.5, "risk_treated": 0.7, "n": 60})
    assert a.power == pytest.approx(b.power, rel=1e-12)
    assert a.power == pytest.approx(REF["h_power"]["power"], rel=1e-6)


def test_effect_labels_follow_cohen():
    assert [effect_label(x) for x in (0.1, 0.2, 0.3, 0.5, 0.63, 0.8, 1.4)] == [
        "smaller than small", "small", "small-to-medium", "medium", "medium-to-large",
        "large", "large"]


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"effect": 0.3}, "exactly two of effect, n and power"),
    ({"effect": 0.3, "n": 40, "power": 0.8}, "missing now: none"),
    ({"n": 1, "power": 0.8}, "at least 2 students"),
    ({"n": (40, 50, 60), "power": 0.8}, "a pair"),
    ({"n": (40, 50), "ratio": 2, "power": 0.8}, "not both"),
    ({"effect": 0.0, "power": 0.8}, "effect of zero"),
    ({"effect": -0.3, "power": 0.8, "alternative": "greater"}, "points the other way"),
    ({"effect": 0.3, "power": 0.04}, "must exceed alpha"),
    ({"effect": 0.3, "power": 1.2}, "between 0 and 1"),
    ({"effect": 0.3, "power": 0.8, "alpha": 0}, "alpha must be a number strictly between 0 and 1"),
    ({"outcome": "binary", "effect": 0.1, "n": 50}, "needs risk_control"),
    ({"outcome": "binary", "risk_control": 0.9, "effect": 0.2, "n": 50}, "outside"),
    ({"outcome": "binary", "risk_control": 70, "effect": 0.1, "n": 50}, "fractions"),
    ({"risk_control": 0.5, "effect": 0.3, "n": 50}, "apply to binary"),
    ({"effect": 0.3, "n": 50, "method": "normal"}, "does not apply"),
    ({"effect": 0.3, "n": 50, "icc": 0.05}, "both cluster_size= and icc="),
    ({"effect": 0.3, "n": 50, "cluster_size": 6, "icc": -0.1}, "icc must be a number from 0"),
    ({"effect": 0.3, "n": 50, "cluster_size": 0.5, "icc": 0.1}, "at least 1"),
    ({"effect": 0.3, "n": 50, "outcome": "ordinal"}, "outcome must be"),
    ({"effect": 0.3, "n": 50, "alternative": "two.sided"}, "alternative must be"),
    ({"effect": "large", "n": 50}, "must be a number"),
    ({"n": 3, "power": 0.99, "alpha": 0.001}, "no effect up to d = 10"),
])
def test_bad_input_is_explained(kwargs, message):
    with pytest.raises(PeerevalError, match=message):
        power_fn(**kwargs)


# ------------------------------------------------------------------ methods() and old names


def test_methods_is_built_from_the_design():
    base = run({"effect": 0.3, "power": 0.8})
    assert "two-sample t test at two-sided α = .05" in base.methods()
    stricter = run({"effect": 0.3, "power": 0.9, "alpha": 0.01, "alternative": "greater"})
    assert "90% power in a two-sample t test at one-sided α = .01" in stricter.methods()
    binary = run({"outcome": "binary", "risk_control": 0.7, "risk_treated": 0.85,
                  "power": 0.8, "method": "normal"})
    assert "z test of two proportions" in binary.methods()
    assert "70% against 85%" in binary.methods()
    clustered = run({"effect": 0.3, "power": 0.8, "cluster_size": 6, "icc": 0.05})
    assert "ICC = .05" in clustered.methods()
    assert "ICC" not in base.methods()


@pytest.mark.parametrize(("old", "new"), [("p_control", "risk_control"),
                                          ("p_treated", "risk_treated"),
                                          ("p_treated_fall", "risk_treated_fall")])
def test_old_attribute_names_warn_and_give_the_new_values(old, new):
    result = run({"outcome": "binary", "risk_control": 0.7, "n": 100, "power": 0.8})
    with pytest.warns(DeprecationWarning,
                      match=f"PowerResult.{old} is deprecated since peereval 0.1: use "
                      f"PowerResult.{new}"):
        value = getattr(result, old)
    assert value == getattr(result, new)


def test_explain_is_the_deprecated_name_of_methods():
    result = run({"effect": 0.3, "power": 0.8})
    message = "PowerResult.explain is deprecated since peereval 0.1: use PowerResult.methods"
    assert PowerResult.explain.__deprecated__ == message
    with pytest.warns(DeprecationWarning, match=message):
        assert result.explain() == result.methods()


def test_old_argument_names_warn_and_give_the_same_design():
    # an effect below the plausible 0.3 gives a design with enough power for it: no
    # PeerevalWarning beside the DeprecationWarning
    new = run({"outcome": "binary", "risk_control": 0.6, "risk_treated": 0.72,
               "power": 0.8})
    with pytest.warns(DeprecationWarning, match=r"power\(p_control=\.\.\.\) is deprecated"):
        old = power_fn(outcome="binary", p_control=0.6, risk_treated=0.72, power=0.8)
    assert old.n_treated == new.n_treated


def test_methods_uses_the_right_article():
    arcsine = run({"outcome": "binary", "risk_control": 0.6, "n": 100, "power": 0.8})
    assert "and an arcsine test of two proportions at" in arcsine.methods()

"""Simulation-based power against the exact noncentral-t power, scipy's tests and
Noether's (1987) formula for the Mann-Whitney test.

Monte Carlo estimates are compared within four Monte Carlo standard errors (a false
alarm about once in 16,000 runs; the seeds are fixed, so a run is either right or
wrong for good). The noncentral-t power comes from :func:`peereval.outcomes.power`,
itself checked against R's pwr in ``test_power.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from peereval.errors import PeerevalError, PeerevalWarning
from peereval.outcomes import power, simulate_power
from peereval.outcomes._simpower import _errors, _p_values


@pytest.mark.parametrize(("effect", "n"), [(0.5, 64), (0.3, (80, 160)), (0.8, (12, 20))])
def test_student_t_on_normal_data_converges_to_the_noncentral_t_power(effect, n):
    sizes = (n, n) if isinstance(n, int) else n
    with pytest.warns(PeerevalWarning, match="power for d = 0.30"):
        exact = power(effect=effect, n=sizes).power
    result = simulate_power(effect=effect, n=n, test="student", n_sim=20_000, seed=11)
    assert abs(result.power - exact) < 4 * math.sqrt(exact * (1 - exact) / 20_000)
    assert result.ci_low < exact < result.ci_high


@pytest.mark.parametrize("test", ["welch", "student", "mann_whitney"])
@pytest.mark.parametrize("distribution", ["normal", "skewed", "heavy"])
def test_without_an_effect_the_rejection_rate_is_alpha(test, distribution):
    result = simulate_power(effect=0.0, n=(40, 40), test=test, distribution=distribution,
                            n_sim=10_000, seed=5)
    assert abs(result.power - 0.05) < 4 * math.sqrt(0.05 * 0.95 / 10_000)


def test_welch_keeps_its_level_when_the_small_group_is_more_variable():
    """Student's t is too liberal when the smaller group has the larger SD; Welch is not
    (the textbook case for Welch's test, e.g. Delacre, Lakens & Leys 2017)."""
    kwargs = {"effect": 0.0, "n": (20, 60), "sd_ratio": 2.0, "n_sim": 10_000, "seed": 7}
    welch = simulate_power(test="welch", **kwargs).power
    student = simulate_power(test="student", **kwargs).power
    assert abs(welch - 0.05) < 4 * math.sqrt(0.05 * 0.95 / 10_000)
    assert student > 0.10


def test_mann_whitney_power_agrees_with_noethers_formula():
    """Noether (1987, JASA 82:645-647): power ≈ Φ(√(12 n₁n₂/(N+1)) |P(X>Y) - ½| - z),
    with P(X>Y) = Φ(d/√2) for a normal shift; an approximation, so a 0.02 margin."""
    d, n1, n2 = 0.4, 100, 100
    p_superior = stats.norm.cdf(d / math.sqrt(2))
    noether = stats.norm.cdf(math.sqrt(12 * n1 * n2 / (n1 + n2 + 1)) * (p_superior - 0.5)
                             - stats.norm.ppf(0.975))
    result = simulate_power(effect=d, n=(n1, n2), test="mann_whitney", n_sim=10_000, seed=2)
    assert abs(result.power - noether) < 0.02 + 4 * result.mc_se


@pytest.mark.parametrize("test", ["welch", "student", "mann_whitney"])
def test_vectorised_p_values_equal_scipys_test_of_each_study(test):
    rng = np.random.default_rng(1)
    treated, control = rng.normal(0.3, 1.4, (25, 17)), rng.normal(0, 1, (25, 23))
    got = _p_values(treated, control, test)
    for row in range(25):
        if test == "mann_whitney":
            ref = stats.mannwhitneyu(treated[row], control[row], method="asymptotic",
                                     use_continuity=True).pvalue
        else:
            ref = stats.ttest_ind(treated[row], control[row],
                                  equal_var=test == "student").pvalue
        assert got[row] == pytest.approx(ref, rel=1e-10, abs=1e-14)


@pytest.mark.parametrize("distribution", ["normal", "skewed", "heavy"])
def test_outcome_shapes_have_mean_0_and_variance_1(distribution):
    draws = _errors(np.random.default_rng(3), (1, 2_000_000), distribution).ravel()
    assert abs(draws.mean()) < 0.004
    assert abs(draws.var() - 1) < 0.01
    if distribution == "skewed":
        assert stats.skew(draws) == pytest.approx(math.sqrt(2), abs=0.03)


def test_same_seed_same_estimate_and_a_readable_report():
    first = simulate_power(effect=0.5, n=(30, 45), test="mann_whitney",
                           distribution="skewed", n_sim=500, seed=9)
    second = simulate_power(effect=0.5, n=(30, 45), test="mann_whitney",
                            distribution="skewed", n_sim=500, seed=9)
    assert first.rejections == second.rejections
    assert first.power == first.rejections / 500
    assert first.mc_se == pytest.approx(math.sqrt(first.power * (1 - first.power) / 500))
    sentence = first.apa()
    assert sentence.startswith("Simulated power of the Wilcoxon-Mann-Whitney test (500 "
                               "simulated studies, right-skewed outcomes")
    assert "with 30 and 45 students at α = .05" in sentence
    frame = first.to_frame()
    assert frame.loc[0, "rejections"] == first.rejections
    assert frame.loc[0, "seed"] == "9"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n": 1}, "at least 2 students"),
    ({"n": (10, 1.5)}, "at least 2 students"),
    ({"alpha": 1.2}, "alpha must be a number strictly between 0 and 1"),
    ({"sd_ratio": 0}, "sd_ratio must be a number greater than 0"),
    ({"n_sim": 50}, "n_sim must be a whole number of at least 100"),
    ({"test": "ttest"}, "test must be one of"),
    ({"distribution": "uniform"}, "distribution must be one of"),
    ({"effect": math.nan}, "effect must be a finite number"),
])
def test_bad_designs_are_peereval_errors(kwargs, message):
    arguments = {"effect": 0.5, "n": 20, **kwargs}
    with pytest.raises(PeerevalError, match=message):
        simulate_power(**arguments)


def test_methods_follows_the_settings():
    base = simulate_power(effect=0.5, n=30, n_sim=200, seed=3)
    assert "200 studies of Welch's t test" in base.methods()
    assert "95% Wilson interval (seed 3)" in base.methods()
    other = simulate_power(effect=0.4, n=(20, 40), test="mann_whitney", alpha=0.01,
                           distribution="skewed", n_sim=300, confidence=0.9, seed=8)
    text = other.methods()
    assert "300 studies of the Wilcoxon-Mann-Whitney test" in text
    assert "α = .01" in text
    assert "20 mentored and 40 comparison" in text
    assert "right-skewed" in text
    assert "90% Wilson interval (seed 8)" in text
    assert "no seed" in simulate_power(effect=0.4, n=20, n_sim=100).methods()


def test_estimate_is_the_power_and_old_names_warn():
    result = simulate_power(effect=0.5, n=30, n_sim=200, seed=3, confidence=0.9)
    assert result.estimate == result.power
    assert result.ci_level == 0.9
    with pytest.warns(DeprecationWarning, match="SimulatedPower.level is deprecated since "
                      "peereval 0.1: use SimulatedPower.ci_level"):
        assert result.level == result.ci_level
    with pytest.warns(DeprecationWarning, match=r"simulate_power\(level=\.\.\.\) is "
                      "deprecated since peereval 0.1: use confidence="):
        old = simulate_power(effect=0.5, n=30, n_sim=200, seed=3, level=0.9)
    assert (old.ci_low, old.ci_high) == (result.ci_low, result.ci_high)

"""CFA against lavaan 0.6.14 (tests/reference/cfa.R), and the model-syntax parser.

Reference fits (lavaan::HolzingerSwineford1939 and the sample study) were run with
optim.method = "BFGS", reltol = 1e-16, which stops lavaan at a gradient below about
2e-8 (its default nlminb stops at about 3e-7 and cannot be tightened, see cfa.R);
peereval polishes to a gradient below 1e-12. Estimates, SEs, the standardised
solution and every fit measure then agree to 1e-6 relative (achieved: estimates and
SEs 1e-9 to 3e-7, the largest for the model with a correlated residual, where lavaan's
own gradient is largest; chi-square, CFI, TLI, RMSEA, AIC, BIC and log-likelihoods
1e-14 to 1e-8; SRMR 1e-10 to 2e-8); lavaan's default-tolerance fit agrees to 1e-5.
p-values are compared at 1e-14 absolute (lavaan's 1 - pchisq and 2 * (1 - pnorm)).
The RMSEA interval is found by R's uniroot at its default tolerance (1.2e-4 on the
noncentrality): 1e-5.
Modification indices: 1e-5 relative (they divide by a difference of information
terms). ML on polychoric correlations is compared with lavaan fitted to
psych::polychoric's matrix, whose optimiser stops at about 1e-4: 1e-3.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import peereval
from peereval._format import fmt, fmt_ci, fmt_p
from peereval.errors import PeerevalError, PeerevalWarning
from peereval.validity import CFAResult, cfa
from peereval.validity._cfa import _build, _Engine, _prepare, _start
from peereval.validity._syntax import ModelSpec, as_spec, parse_model
from reference_data import reference, reference_csv

REF = reference("cfa")
MODELS = REF["models"]
REL = 1e-6

FIT = {"chisq": "chisq", "df": "df", "p_value": "pvalue",
       "baseline_chisq": "baseline.chisq", "baseline_df": "baseline.df",
       "baseline_p_value": "baseline.pvalue", "cfi": "cfi", "tli": "tli",
       "rmsea": "rmsea", "rmsea_ci_low": "rmsea.ci.lower",
       "rmsea_ci_high": "rmsea.ci.upper", "rmsea_p_value": "rmsea.pvalue", "srmr": "srmr",
       "loglik": "logl", "unrestricted_loglik": "unrestricted.logl", "aic": "aic",
       "bic": "bic", "n_parameters": "npar", "n": "ntotal"}


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return reference_csv("hs1939")


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return reference_csv("sample_items")


@pytest.fixture(scope="module")
def fits(hs, sample) -> dict[str, CFAResult]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        return {
            "hs3": cfa(hs, MODELS["hs3"]),
            "hs3_stdlv": cfa(hs, MODELS["hs3"], std_lv=True),
            "hs3_resid": cfa(hs, MODELS["resid"]),
            "hs3_constrained": cfa(hs, MODELS["constrained"]),
            "hs3_missing": cfa(reference_csv("cfa_hs_missing"), MODELS["hs3"]),
            "sample": cfa(sample, MODELS["sample"]),
            "sample_ordinal": cfa(sample, MODELS["sample"], ordinal=True),
        }


def _rel(actual, expected, floor=1e-3) -> float:
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    return float(np.nanmax(np.abs(actual - expected) / np.maximum(np.abs(expected), floor)))


def _merge(ours: pd.DataFrame, theirs: dict) -> pd.DataFrame:
    theirs = pd.DataFrame(theirs)
    merged = ours.merge(theirs, on=["lhs", "op", "rhs"], suffixes=("", "_r"))
    assert len(merged) == len(ours) == len(theirs)
    return merged


LAVAAN = ["hs3", "hs3_stdlv", "hs3_resid", "hs3_constrained", "hs3_missing", "sample"]


@pytest.mark.parametrize("name", LAVAAN)
def test_estimates_match_lavaan(fits, name):
    merged = _merge(fits[name].estimates, REF[name]["estimates"])
    assert _rel(merged["estimate"], merged["est"]) < REL
    assert _rel(merged["se"], merged["se_r"]) < REL
    free = merged["free"]
    assert _rel(merged.loc[free, "z"], merged.loc[free, "z_r"]) < REL
    # lavaan's p = 2 * (1 - pnorm(|z|)) loses digits below about 1e-14
    np.testing.assert_allclose(merged.loc[free, "p_value"], merged.loc[free, "pvalue"],
                               rtol=1e-5, atol=1e-14)
    assert _rel(merged["ci_low"], merged["ci.lower"]) < REL
    assert _rel(merged["ci_high"], merged["ci.upper"]) < REL
    # fixed parameters: se 0 and no z, as lavaan prints them
    assert (merged.loc[~free, "se"] == 0).all()
    assert merged.loc[~free, "z"].isna().all()


@pytest.mark.parametrize("name", LAVAAN)
def test_standardized_solution_matches_lavaan(fits, name):
    merged = _merge(fits[name].standardized, REF[name]["standardized"])
    np.testing.assert_allclose(merged["est_std"], merged["est.std"], atol=1e-6)
    np.testing.assert_allclose(merged["se"], merged["se_r"], atol=1e-6)
    tested = merged["z_r"].notna()
    assert _rel(merged.loc[tested, "z"], merged.loc[tested, "z_r"]) < 1e-5
    # std.all of a unit factor variance: 1 with se 0 and no z, as lavaan
    unit = merged[(merged["op"] == "~~") & (merged["lhs"] == merged["rhs"])
                  & merged["lhs"].isin(fits[name].factors)]
    np.testing.assert_allclose(unit["est_std"], 1.0, rtol=1e-12)
    assert (unit["se"] < 1e-10).all()
    assert unit["z"].isna().all()


@pytest.mark.parametrize("name", LAVAAN)
def test_fit_measures_match_lavaan(fits, name):
    fit = fits[name]
    expected = REF[name]["fit"]
    for ours, theirs in FIT.items():
        rel = 1e-5 if ours.startswith("rmsea_ci") else REL
        # lavaan's 1 - pchisq(...) is exact to about 1e-16 absolute
        floor = 1e-8 if ours.endswith("p_value") else 1e-3
        assert _rel(getattr(fit, ours), expected[theirs], floor=floor) < rel, ours
    assert fit.converged
    assert fit.max_gradient < 1e-9
    assert fit.n == REF[name]["n"]


@pytest.mark.parametrize("name", ["hs3", "hs3_stdlv", "hs3_resid", "hs3_constrained"])
def test_modification_indices_match_lavaan(fits, name):
    ours = fits[name].modification_indices
    merged = _merge(ours, REF[name]["modindices"])
    for a, b in (("mi", "mi"), ("epc", "epc"), ("sepc_lv", "sepc.lv"),
                 ("sepc_all", "sepc.all")):
        assert _rel(merged[a], merged[b]) < 1e-5, a
    assert ours["mi"].is_monotonic_decreasing


def test_top_modification_indices(fits):
    top = fits["hs3"].modification_indices.head(2)
    # lavaan: visual =~ x9 (mi 36.411, epc .577), x7 ~~ x8 (34.145, .536)
    assert top[["lhs", "op", "rhs"]].to_numpy().tolist() == [["visual", "=~", "x9"],
                                                            ["x7", "~~", "x8"]]
    assert top["mi"].round(3).tolist() == [36.411, 34.145]
    assert top["epc"].round(3).tolist() == [0.577, 0.536]
    # a freed parameter is no longer a candidate; a fixed covariance is
    resid = fits["hs3_resid"].modification_indices
    assert not ((resid["lhs"] == "x7") & (resid["rhs"] == "x8")).any()
    constrained = fits["hs3_constrained"].modification_indices
    assert ((constrained["lhs"] == "visual") & (constrained["rhs"] == "speed")).any()


def test_lavaan_default_optimiser_agrees_to_its_tolerance(fits):
    nlminb = REF["hs3"]["nlminb"]
    merged = _merge(fits["hs3"].estimates, nlminb["estimates"])
    assert _rel(merged["estimate"], merged["est"]) < 1e-5
    assert _rel(fits["hs3"].chisq, nlminb["fit"]["chisq"]) < 1e-9  # flat at the optimum


def test_listwise_deletion_reported(fits):
    fit = fits["hs3_missing"]
    assert fit.n == 277
    assert fit.n_dropped == 24
    assert fit.dropped == "listwise: 24 of 301 rows dropped for an unanswered item; 277 used"


def test_std_lv_identification(fits):
    marker, unit = fits["hs3"], fits["hs3_stdlv"]
    assert marker.chisq == pytest.approx(unit.chisq, rel=1e-9)
    est = unit.estimates
    assert est.loc[est["op"] == "=~", "free"].all()
    variances = est[(est["op"] == "~~") & (est["lhs"] == est["rhs"])
                    & est["lhs"].isin(unit.factors)]
    assert (variances["estimate"] == 1).all()
    assert not variances["free"].any()
    np.testing.assert_allclose(unit.loadings, marker.loadings, atol=1e-7)


def test_constrained_syntax(fits):
    est = fits["hs3_constrained"].estimates.set_index(["lhs", "op", "rhs"])
    assert (est.loc[("speed", "=~", "x8"), "estimate"]
            == est.loc[("speed", "=~", "x9"), "estimate"])
    assert est.loc[("speed", "=~", "x8"), "label"] == "a"
    assert est.loc[("textual", "=~", "x5"), "estimate"] == 1.0
    assert not est.loc[("textual", "=~", "x5"), "free"]
    assert est.loc[("visual", "~~", "speed"), "estimate"] == 0.0
    assert fits["hs3_constrained"].n_parameters == 18


def test_apa_and_hu_bentler(fits):
    fit = fits["hs3"]
    expected = REF["hs3"]["fit"]
    sentence = (f"χ²({expected['df']}) = {fmt(expected['chisq'])}, "
                f"{fmt_p(expected['pvalue'])}; CFI = {fmt(expected['cfi'], leading_zero=False)}; "
                f"TLI = {fmt(expected['tli'], leading_zero=False)}; "
                f"RMSEA = {fmt(expected['rmsea'], 3, leading_zero=False)}, "
                + fmt_ci(expected["rmsea.ci.lower"], expected["rmsea.ci.upper"], 3,
                         leading_zero=False, level=0.90)
                + f"; SRMR = {fmt(expected['srmr'], 3, leading_zero=False)}")
    assert fit.apa() == sentence
    assert sentence == ("χ²(24) = 85.31, p < .001; CFI = .93; TLI = .90; RMSEA = .092, "
                        "90% CI [.071, .114]; SRMR = .065")
    hb = fit.hu_bentler.set_index("index")
    assert hb["met"].to_dict() == {"CFI": False, "TLI": False, "RMSEA": False, "SRMR": True}
    assert not fit.combination_rule_met
    judged = fit.apa(verdict=True)
    assert judged.startswith(sentence + ". ")
    assert "CFI = .93 is below the .95 cut-off" in judged
    assert "RMSEA = .092 is above the .06 cut-off" in judged
    assert "does not fit well" in judged
    # with the correlated residual: CFI .966 and SRMR .05, RMSEA .066 -> acceptable
    better = fits["hs3_resid"]
    assert better.combination_rule_met
    assert not better.hu_bentler.set_index("index").loc["RMSEA", "met"]
    assert "the fit is acceptable" in better.apa(verdict=True)


def test_result_tables(fits):
    fit = fits["hs3"]
    assert list(fit.to_frame().columns) == [
        "lhs", "op", "rhs", "label", "free", "estimate", "se", "z", "p_value", "ci_low",
        "ci_high", "std_lv", "std_all"]
    assert list(fit.standardized.columns) == [
        "lhs", "op", "rhs", "est_std", "se", "z", "p_value", "ci_low", "ci_high"]
    assert list(fit.modification_indices.columns) == [
        "lhs", "op", "rhs", "mi", "epc", "sepc_lv", "sepc_all"]
    frame = fit.fit_indices
    assert frame.shape[0] == 1
    assert frame["chisq"].iloc[0] == fit.chisq
    assert fit.loadings.shape == (9, 3)
    assert fit.loadings.loc["x4", "visual"] == 0
    correlations = pd.DataFrame(REF["hs3"]["discriminant"]["factor_correlations"])
    np.testing.assert_allclose(fit.factor_correlations, correlations, atol=1e-7)
    text = repr(fit)
    assert text.startswith("Confirmatory factor analysis\nχ²(24) = 85.31")
    assert "<strong>Confirmatory factor analysis</strong>" in fit._repr_html_()
    np.testing.assert_allclose(fit.implied_covariance[0], REF["hs3"]["implied"], rtol=1e-7)


def test_ordinal_ml_on_polychorics(fits):
    fit = fits["sample_ordinal"]
    expected = REF["sample_ordinal"]
    np.testing.assert_allclose(fit.sample_covariance[0], expected["polychoric"], atol=1e-4)
    merged = _merge(fit.estimates, expected["estimates"])
    assert _rel(merged["estimate"], merged["est"]) < 1e-3
    assert _rel(merged["se"], merged["se_r"]) < 1e-3
    for ours in ("chisq", "cfi", "tli", "rmsea", "srmr"):
        assert _rel(getattr(fit, ours), expected["fit"][FIT[ours]]) < 1e-3
    assert fit.ordinal
    assert fit.approximate
    assert fit.estimator == "ML on polychoric correlations"
    assert np.isnan(fit.aic)
    assert np.isnan(fit.bic)
    assert np.isnan(fit.loglik)
    assert fit.apa().endswith("(ML on polychoric correlations; χ² and SEs approximate)")
    assert any("not lavaan's WLSMV" in w for w in fit.warnings)
    assert "approximate" in fit.apa(verdict=True)


def test_ordinal_warns(sample):
    with pytest.warns(PeerevalWarning, match="not lavaan's WLSMV"):
        cfa(sample, MODELS["sample"], ordinal=True)


def test_inputs_model_forms_and_no_mutation(fits, sample):
    study = peereval.load_sample()
    before = sample.copy()
    as_dict = {s.name: list(s.items) for s in study.instrument.scales}
    by_dict = cfa(sample, as_dict)
    by_instrument = cfa(study.scores, study.instrument)
    assert by_dict.chisq == pytest.approx(fits["sample"].chisq, rel=1e-9)
    assert by_instrument.chisq == pytest.approx(fits["sample"].chisq, rel=1e-9)
    pd.testing.assert_frame_equal(sample, before)


def test_gradient_is_the_derivative_of_the_discrepancy(hs):
    """The analytic gradient (with a mean structure and two groups) against central
    differences."""
    spec = parse_model(MODELS["resid"])
    data = _prepare(hs, spec, group="school")
    rows = _build(spec, 2, std_lv=False, meanstructure=True,
                  equal=frozenset({"loadings"}))
    engine = _Engine(rows, spec, data, True)
    x = _start(engine) * 1.05
    _, grad, _ = engine.discrepancy(x)
    h = 1e-6
    numeric = np.array([
        (engine.discrepancy(x + h * e, gradient=False)[0]
         - engine.discrepancy(x - h * e, gradient=False)[0]) / (2 * h)
        for e in np.eye(engine.q)])
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


def _exact(corr: np.ndarray, n: int, names: list[str]) -> pd.DataFrame:
    """Data whose covariance (divisor n) is exactly ``corr``."""
    rng = np.random.default_rng(7)
    z = rng.standard_normal((n, len(corr)))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False, ddof=0))).T
    return pd.DataFrame(z @ np.linalg.cholesky(corr).T, columns=names)


def test_heywood_case_warns():
    # lambda_a^2 = r_ab r_ac / r_bc = 1.28 > 1: a negative residual variance
    corr = np.array([[1, 0.8, 0.8], [0.8, 1, 0.5], [0.8, 0.5, 1]])
    data = _exact(corr, 200, ["a", "b", "c"])
    with pytest.warns(PeerevalWarning, match="Heywood case") as record:
        fit = cfa(data, "f =~ a + b + c")
    messages = " ".join(str(w.message) for w in record)
    assert "residual variance of 'a' is negative" in messages
    assert "standardised loading of 'a'" in messages
    est = fit.estimates
    assert est.loc[(est["lhs"] == "a") & (est["op"] == "~~"), "estimate"].iloc[0] < 0
    assert fit.df == 0
    assert fit.chisq == 0


def test_factor_correlation_beyond_one_warns():
    corr = np.full((6, 6), 0.35)
    corr[:3, :3] = corr[3:, 3:] = 0.3
    np.fill_diagonal(corr, 1)
    data = _exact(corr, 300, [f"i{k}" for k in range(6)])
    with pytest.warns(PeerevalWarning, match="not positive definite"):
        fit = cfa(data, "f =~ i0 + i1 + i2\ng =~ i3 + i4 + i5")
    assert fit.factor_correlations.loc["f", "g"] == pytest.approx(0.35 / 0.3, rel=1e-6)


def test_small_sample_warns(hs):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        fit = cfa(hs.iloc[:60], MODELS["hs3"])
    messages = [str(w.message) for w in record]
    assert any(m.startswith("small sample (n = 60)") for m in messages)
    assert all(issubclass(w.category, PeerevalWarning) for w in record)
    assert tuple(messages) == fit.warnings  # and kept on the result


def test_non_convergence_is_reported(hs, monkeypatch):
    import peereval.validity._cfa as module

    def stuck(engine, x0):
        return x0, False, 7, 0.5

    monkeypatch.setattr(module, "_minimise", stuck)
    with pytest.warns(PeerevalWarning, match="did not converge"):
        fit = cfa(hs, MODELS["hs3"])
    assert not fit.converged
    assert fit.iterations == 7
    assert not fit.fit_indices["converged"].iloc[0]


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(("model", "message"), [
    ("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + y6",
     r"line 2: the item 'y6' is not a column"),
    ("visual =~ x1 + x2 + x3\nspeed =~ x7", r"line 2: the factor 'speed' has one item"),
    ("visual =~ NA*x1 + x2 + x3", r"line 1: the factor 'visual' has no scale"),
    ("f =~ x1 + x2", r"not identified: it has 4 free parameters .* \(df = -1\)"),
    ("f1 =~ x1 + x2\nf2 =~ x4 + x5 + x6\nf1 ~~ 0*f2", r"not identified: these parameters"),
    ("x1 =~ x2 + x3 + x4", r"the factor name 'x1' is also a column"),
])
def test_model_errors_name_the_problem(hs, model, message):
    with pytest.raises(PeerevalError, match=message):
        cfa(hs, model)


def test_data_errors(hs):
    with pytest.raises(PeerevalError, match=r"too few observations: 8 complete rows for 9 "
                                            r"items") as info:
        cfa(hs.iloc[:8], MODELS["hs3"])
    assert "collect more responses" in str(info.value)
    text = hs.assign(x2=hs["x2"].astype(str).where(hs.index != 4, "n/a"))
    with pytest.raises(PeerevalError, match="column 'x2' is not numeric") as info:
        cfa(text, MODELS["hs3"])
    assert info.value.column == "x2"
    assert info.value.value == "n/a"
    duplicated = hs.assign(x3=2 * hs["x2"])
    with pytest.raises(PeerevalError, match=r"not positive definite.*'x2'"):
        cfa(duplicated, MODELS["hs3"])
    flat = hs.assign(x1=3.0)
    with pytest.raises(PeerevalError, match=r"item 'x1' has no variance"):
        cfa(flat, MODELS["hs3"])
    with pytest.raises(PeerevalError, match="estimator must be one of 'ML'"):
        cfa(hs, MODELS["hs3"], estimator="WLSMV")
    with pytest.raises(PeerevalError, match="missing must be one of 'listwise'") as info:
        cfa(hs, MODELS["hs3"], missing="fiml")
    assert "FIML" in str(info.value)
    with pytest.raises(PeerevalError, match="expected a DataFrame"):
        cfa(hs.to_numpy(), MODELS["hs3"])
    with pytest.raises(PeerevalError, match="cannot read a model from int"):
        cfa(hs, 3)


# ------------------------------------------------------------------ syntax


def test_parser_features():
    spec = parse_model("""
        # a comment line
        f1 =~ 1*x1 + a*x2 +   # trailing comment, continues
              a*x3
        f2 =~ NA*x4 + x5 ; f2 =~ x6
        x1 ~~ x4 ! lavaan's other comment mark
        f1 ~~ 0*f2
        f2 ~~ 1*f2
        x2 ~~ 0.25*x2
    """)
    assert isinstance(spec, ModelSpec)
    assert spec.factors == ("f1", "f2")
    assert spec.observed == ("x1", "x2", "x3", "x4", "x5", "x6")
    assert spec.indicators == {"f1": ("x1", "x2", "x3"), "f2": ("x4", "x5", "x6")}
    terms = {(t.lhs, t.op, t.rhs): t for t in spec.terms}
    assert terms[("f1", "=~", "x1")].fixed == 1.0
    assert terms[("f1", "=~", "x2")].label == "a" == terms[("f1", "=~", "x3")].label
    assert terms[("f1", "=~", "x3")].line == 3
    assert terms[("f2", "=~", "x4")].free
    assert terms[("f2", "=~", "x6")].line == 5
    assert terms[("f1", "~~", "f2")].fixed == 0.0
    assert terms[("x2", "~~", "x2")].fixed == 0.25
    assert as_spec(spec) is spec
    assert as_spec({"f": "x1"}).text == "f =~ x1"


@pytest.mark.parametrize(("text", "message"), [
    ("f =~ x1 + x2\ny ~ f", r"line 2 \('y ~ f'\): regressions \(~\) are not .*: '~'"),
    ("f =~ x1 + x2 + x3\nx1 ~ 1", r"line 2 .*intercepts \(~1\)"),
    ("f =~ x1 + x2\nd := a*b", r"line 2 .*defined parameters"),
    ("f =~ x1 + x2\na == b", r"line 2 .*equality constraints"),
    ("f =~ x1 + x2\nx1 | t1", r"line 2 .*thresholds"),
    ("f =~ x1 + + x2", r"line 1 .*an empty term"),
    ("f =~ x1 + x2 +", r"line 1 .*an empty term"),
    ("f =~ x1 + 2x", r"line 1 .*not a valid variable name: '2x'"),
    ("1f =~ x1 + x2", r"line 1 .*not a valid name on the left: '1f'"),
    ("f =~ x1 + 1*2*x2", r"line 1 .*more than one modifier: '1\*2\*x2'"),
    ("f =~ x1 + start(1)*x2", r"line 1 .*functions"),
    ("f =~ x1 + %*x2", r"line 1 .*cannot read this modifier: '%'"),
    ("f =~ x1 + x2\nf =~ x2", r"line 2 .*already given on line 1"),
    ("f =~ x1 + x2\ng =~ f + x3", r"line 2 .*second-order"),
    ("f =~ x1 + x2\nf ~~ x1", r"line 2 .*between an item and a factor"),
    ("f =~ x1 + x2\nx1 ~~ x9", r"line 2 .*not an item of any factor: 'x9'"),
    ("x1 ~~ x2", r"defines no factor"),
    ("f x1 x2", r"line 1 .*no operator"),
    ("f =~", r"line 1 .*nothing after '=~'"),
    ("=~ x1", r"line 1 .*nothing before '=~'"),
])
def test_parser_errors_name_line_and_token(text, message):
    with pytest.raises(PeerevalError, match=message):
        parse_model(text)


def test_parser_rejects_non_text():
    with pytest.raises(PeerevalError, match="must be a string"):
        parse_model(["f =~ x1"])

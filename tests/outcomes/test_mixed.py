"""Random-intercept mixed model against lme4::lmer (REML and ML).

Reference values: tests/reference/outcomes_models.json (tests/reference/outcomes_models.R):
lmer fitted with bobyqa at rhoend = 1e-12, on the sample study (students with no mentor
group each their own cluster, as mixed_model() does) and nlme::Orthodont.

Agreement achieved: the (RE)ML criterion to 1e-14, fixed effects to 1e-8 and their
SEs to 1e-7, sigma^2 to 3e-8 and tau^2 to 2e-7 (relative), ICCs to 4e-8. Tested at
1e-9 (criterion), 1e-6 (fixed effects, SEs, sigma^2, ICC) and 1e-5 (tau^2): the
criterion is flat at its optimum, so the variance ratio is pinned down only to about
the square root of the criterion's precision; fixed effects depend on it weakly.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from peereval.errors import PeerevalError, PeerevalWarning
from peereval.outcomes import MixedModelResult, mixed_model
from reference_data import reference_csv


@pytest.fixture(scope="module")
def ortho() -> pd.DataFrame:
    return reference_csv("models_orthodont")


def quiet(*args, **kwargs) -> MixedModelResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        return mixed_model(*args, **kwargs)


@pytest.fixture(scope="module")
def gpa(sample) -> MixedModelResult:
    return quiet(sample, "gpa_year1", "mentored", "mentor_group", ["gpa_entry"])


def assert_lmer(result: MixedModelResult, r: dict) -> None:
    assert result.n == r["n"]
    assert result.n_clusters + result.n_own_clusters == r["n_groups"]
    np.testing.assert_allclose(result.fixed["estimate"], r["estimate"], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(result.fixed["se"], r["se"], rtol=1e-6)
    assert result.tau2 == pytest.approx(r["tau2"], rel=1e-5, abs=1e-12)
    assert result.sigma2 == pytest.approx(r["sigma2"], rel=1e-6)
    assert result.icc == pytest.approx(r["icc"], abs=1e-6)
    assert result.tau2_null == pytest.approx(r["tau2_null"], rel=1e-5)
    assert result.sigma2_null == pytest.approx(r["sigma2_null"], rel=1e-6)
    assert result.icc_null == pytest.approx(r["icc_null"], abs=1e-6)
    assert result.deviance == pytest.approx(r["deviance"], rel=1e-9)
    assert result.singular == r["singular"]


def test_sample_gpa_matches_lmer(gpa, ref):
    assert_lmer(gpa, ref["mixed_sample_gpa"])
    assert gpa.n_clusters == 12
    assert gpa.n_own_clusters == 137
    assert gpa.effect == pytest.approx(ref["mixed_sample_gpa"]["estimate"][1], rel=1e-6)


def test_singular_fit_warns_and_matches_lmer(sample, ref):
    with pytest.warns(PeerevalWarning) as caught:
        result = mixed_model(sample, "exam_score", "mentored", "mentor_group",
                             ["gpa_entry", "sex"])
    messages = [str(w.message) for w in caught]
    assert any("singular fit" in m for m in messages)
    assert any("only 12 'mentor_group' clusters" in m for m in messages)
    assert result.singular
    assert result.tau2 == 0
    assert result.icc == 0
    assert result.design_effect == 1
    assert_lmer(result, ref["mixed_sample_exam"])


def test_orthodont_reml_and_ml(ortho, ref):
    with warnings.catch_warnings():
        warnings.simplefilter("error", PeerevalWarning)  # 27 clusters: no warning
        reml = mixed_model(ortho, "distance", "sex", "subject", "age", treated="Male")
    assert_lmer(reml, ref["mixed_orthodont"])
    ml = mixed_model(ortho, "distance", "sex", "subject", "age", treated="Male", reml=False)
    assert_lmer(ml, ref["mixed_orthodont_ml"])
    assert reml.design_effect == pytest.approx(1 + 3 * ref["mixed_orthodont"]["icc"], rel=1e-6)


def test_design_effect_and_effective_n(gpa, sample):
    sizes = sample["mentor_group"].value_counts().to_numpy().astype(float)
    kish = (sizes**2).sum() / sizes.sum()
    assert gpa.kish_cluster_size == pytest.approx(kish)
    assert gpa.mean_cluster_size == pytest.approx(sizes.mean())
    assert (gpa.min_cluster_size, gpa.max_cluster_size) == (8, 20)
    deff = 1 + (kish - 1) * gpa.icc
    assert gpa.design_effect == pytest.approx(deff)
    assert gpa.design_effect_mean == pytest.approx(1 + (sizes.mean() - 1) * gpa.icc)
    assert gpa.n_effective == pytest.approx(sizes.sum() / deff + 137)
    table = gpa.clustering.set_index("quantity")["value"]
    assert table["design effect (Kish size)"] == gpa.design_effect


def test_statsmodels_mixedlm_agrees(gpa, sample):
    """statsmodels' own MixedLM estimate (its optimiser stops near, not at, the optimum)."""
    import statsmodels.api as sm

    cl = sample["mentor_group"].fillna("own" + sample["id"].astype(str))
    x = np.column_stack([np.ones(len(sample)), sample["mentored"] == "yes",
                         sample["gpa_entry"]]).astype(float)
    fit = sm.MixedLM(sample["gpa_year1"].to_numpy(), x, groups=cl.to_numpy()).fit(
        reml=True, method="powell")
    np.testing.assert_allclose(gpa.fixed["estimate"], fit.fe_params, rtol=1e-4)
    assert gpa.tau2 == pytest.approx(float(np.asarray(fit.cov_re)[0, 0]), rel=1e-3)
    assert gpa.sigma2 == pytest.approx(fit.scale, rel=1e-4)


def test_frames_and_apa(gpa):
    assert list(gpa.to_frame()["term"]) == ["(Intercept)", "mentored[yes]", "gpa_entry"]
    comps = gpa.variance_components
    assert comps["variance"].iloc[0] == gpa.tau2
    text = gpa.apa()
    assert text.startswith("mentored (yes vs no): b = 0.13, 95% CI [")
    assert "12 mentor_group clusters and 137 students without one" in text
    assert any("conditional" in n for n in gpa.notes)


def test_missing_cluster_error_option(sample):
    with pytest.raises(PeerevalError, match="137 row"):
        mixed_model(sample, "gpa_year1", "mentored", "mentor_group", "gpa_entry",
                    missing_cluster="error")


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"cluster": "mentor"}, "no cluster column 'mentor'"),
    ({"outcome": "sex"}, "not a number"),
    ({"covariates": ["gpa_entry", "mentor_group"]}, "two roles"),
    ({"group": "age"}, "exactly two groups"),
    ({"missing_cluster": "drop"}, "missing_cluster must be"),
])
def test_bad_input(sample, kwargs, match):
    args = {"outcome": "gpa_year1", "group": "mentored", "cluster": "mentor_group",
            "covariates": ["gpa_entry"]}
    args.update(kwargs)
    with pytest.raises(PeerevalError, match=match):
        mixed_model(sample, **args)


def test_clusters_that_cannot_be_estimated(sample):
    with pytest.raises(PeerevalError, match="no analysed row has a 'empty' value"):
        mixed_model(sample.assign(empty=np.nan), "gpa_year1", "mentored", "empty")
    with pytest.raises(PeerevalError, match="two or more"):
        mixed_model(sample.assign(unique=sample["id"].astype(str)), "gpa_year1", "mentored",
                    "unique")
    with pytest.raises(PeerevalError, match="constant"):
        mixed_model(sample.assign(c=1.0), "gpa_year1", "mentored", "mentor_group", ["c"])

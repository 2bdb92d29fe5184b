"""The one covariate design-matrix builder (outcomes/_design.py), used by every model.

One covariate must be coded one way in every result of a study: the same kind
(numeric, indicator, categorical), the same reference level, the same column. These
tests run the sample study's models side by side (ANCOVA, the logistic model of
compare_binary, the propensity score model, the mixed model, Table 1) and check that
a boolean, a 0/1 column and a two-valued text column give the same column and the
same estimates, that the reference level is the same everywhere (and follows a
Categorical's declared order), and that collinear covariates raise one error naming
the columns involved.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import peereval
from peereval.errors import PeerevalError, PeerevalWarning
from peereval.outcomes import (
    ancova,
    balance,
    compare_binary,
    describe,
    mixed_model,
    propensity_match,
    propensity_weight,
)
from peereval.outcomes._design import (
    REFERENCE_RULE,
    CollinearityError,
    check_rank,
    covariate_design,
    covariate_kind,
    level_order,
)

BASE = ["gpa_entry"]


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    data = peereval.load_sample().records.data
    male = (data["sex"] == "M").to_numpy()
    return data.assign(male_bool=male, male_int=male.astype(int),
                       male_float=male.astype(float),
                       male_text=np.where(male, "1", "0"))


def quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        return func(*args, **kwargs)


def fits(data: pd.DataFrame, covariate: str) -> dict:
    """Every model of one study, adjusted for gpa_entry and ``covariate``."""
    covs = [*BASE, covariate]
    return {
        "ancova": quiet(ancova, data, "gpa_year1", "mentored", covs),
        "ancova3": quiet(ancova, data, "gpa_year1", "mentored", covs, type=3,
                         weights="equal"),
        "logistic": quiet(compare_binary, data, "passed", "mentored", covariates=covs),
        "propensity": quiet(propensity_weight, data, "mentored", covs).propensity,
        "mixed": quiet(mixed_model, data, "gpa_year1", "mentored", "mentor_group", covs),
    }


def coefficient(result, model: str, term: str) -> float:
    table = {"ancova": lambda r: r.coefficients, "ancova3": lambda r: r.coefficients,
             "logistic": lambda r: r.logistic, "propensity": lambda r: r.coefficients,
             "mixed": lambda r: r.fixed}[model](result)
    return float(table.set_index("term").loc[term, "estimate"])


# ------------------------------------------------------------------ kinds


@pytest.mark.parametrize(("values", "kind"), [
    ([True, False, True], "indicator"),
    ([1, 0, 1], "indicator"),
    ([1.0, 0.0, np.nan], "indicator"),
    (["1", "0", "1"], "indicator"),
    ([0, 1, 2], "numeric"),
    (["3.1", "2.5", "4"], "numeric"),
    (["F", "M", "F"], "categorical"),
    (pd.Categorical(["b", "a"]), "categorical"),
])
def test_kinds(values, kind):
    assert covariate_kind(pd.Series(values), "x") == kind


def test_kind_errors():
    with pytest.raises(PeerevalError, match="mixes numbers and text"):
        covariate_kind(pd.Series([1, "a"], dtype=object), "x")
    with pytest.raises(PeerevalError, match="dates"):
        covariate_kind(pd.Series(pd.to_datetime(["2024-01-01"])), "x")


def test_reference_rule_is_first_sorted_or_first_declared():
    assert level_order(pd.Series(["M", "F", "M"])) == ["F", "M"]
    assert level_order(pd.Series([3, 10, 2])) == [2, 3, 10]  # by value, not as text
    assert level_order(pd.Series([True, False])) == [False, True]
    declared = pd.Series(pd.Categorical(["F", "M"], categories=["X", "M", "F"]))
    assert level_order(declared) == ["M", "F"]
    assert level_order(declared, declared=True) == ["X", "M", "F"]
    assert "first" in REFERENCE_RULE


# ------------------------------------------------------------------ one study


def test_sex_has_one_reference_level_in_every_model(records):
    results = fits(records, "sex")
    for model, result in results.items():
        if model != "ancova3":  # the same indicator, 1 for M, in every model
            assert np.isfinite(coefficient(result, model, "sex[M]")), model
    assert results["logistic"].reference_levels == {"sex": "F"}
    assert results["propensity"].reference_levels == {"sex": "F"}
    assert "reference levels: sex = F" in results["propensity"].apa()
    for model in ("ancova", "mixed"):
        assert any("sex = 'F'" in note for note in results[model].notes), model
    table = describe(records, "mentored", ["sex"]).to_frame()
    assert table["category"].dropna().tolist()[0] == "F"  # Table 1 lists the reference first
    matched = quiet(propensity_match, records, "mentored", [*BASE, "sex"])
    assert matched.propensity.reference_levels == {"sex": "F"}


def test_a_categorical_chooses_the_reference_everywhere(records):
    declared = records.assign(sex=pd.Categorical(records["sex"], categories=["M", "F"]))
    plain = fits(records, "sex")
    flipped = fits(declared, "sex")
    for model in plain:
        # the covariate's coefficient changes sign; the group effect does not move
        assert coefficient(flipped[model], model, "sex[F]") == pytest.approx(
            -coefficient(plain[model], model, "sex[M]"), rel=1e-6)
    assert flipped["ancova"].difference == pytest.approx(plain["ancova"].difference,
                                                         rel=1e-12)
    assert flipped["ancova3"].anova_type3.set_index("term").loc["mentored", "f"] == \
        pytest.approx(plain["ancova3"].anova_type3.set_index("term").loc["mentored", "f"],
                      rel=1e-9)
    assert flipped["logistic"].adjusted_or == pytest.approx(plain["logistic"].adjusted_or,
                                                            rel=1e-8)
    np.testing.assert_allclose(flipped["propensity"].scores, plain["propensity"].scores,
                               rtol=1e-9)
    assert flipped["mixed"].effect == pytest.approx(plain["mixed"].effect, rel=1e-6)
    assert flipped["logistic"].reference_levels == {"sex": "M"}
    assert flipped["propensity"].reference_levels == {"sex": "M"}


@pytest.mark.parametrize(("covariate", "term"), [
    ("male_bool", "male_bool[True]"),
    ("male_int", "male_int"),
    ("male_float", "male_float"),
    ("male_text", "male_text"),
])
def test_bool_01_and_text_give_the_same_column_in_every_model(records, covariate, term):
    reference = fits(records, "sex")
    results = fits(records, covariate)
    for model, result in results.items():
        if model == "ancova3":
            continue
        assert coefficient(result, model, term) == pytest.approx(
            coefficient(reference[model], model, "sex[M]"), rel=1e-6), model
    assert results["ancova"].difference == pytest.approx(reference["ancova"].difference,
                                                         rel=1e-12)
    # type III (sum-to-zero coding) and equal-weight adjusted means treat the
    # indicator as the two-level factor it is, as they treat sex
    ours = results["ancova3"].anova_type3.set_index("term")
    theirs = reference["ancova3"].anova_type3.set_index("term")
    np.testing.assert_allclose(ours["f"].to_numpy(), theirs["f"].to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(results["ancova3"].adjusted_means["adjusted_mean"],
                               reference["ancova3"].adjusted_means["adjusted_mean"],
                               rtol=1e-12)
    np.testing.assert_allclose(results["propensity"].scores, reference["propensity"].scores,
                               rtol=1e-9)
    assert results["logistic"].adjusted_or == pytest.approx(
        reference["logistic"].adjusted_or, rel=1e-8)
    ref_level = False if covariate == "male_bool" else 0
    assert results["logistic"].reference_levels == {covariate: ref_level}
    assert results["propensity"].reference_levels == {covariate: ref_level}
    # balance: one row for the indicator, with the statistics of sex[M]
    ours = balance(records, "mentored", [covariate]).to_frame().set_index("covariate")
    theirs = balance(records, "mentored", ["sex"]).to_frame().set_index("covariate")
    assert list(ours.index) == [term]
    assert ours.loc[term, "smd_before"] == pytest.approx(theirs.loc["sex[M]", "smd_before"])
    # Table 1 shows it as categorical, the reference level first
    table = describe(records, "mentored", [covariate])
    assert table.categorical == (covariate,)
    assert [float(v) for v in table.to_frame()["category"].dropna()] == [0.0, 1.0]


def test_forced_categorical_and_names():
    data = pd.DataFrame({"married": [0, 1, 1, 0, 1], "year": [1, 2, 3, 2, 1],
                         "female": [True, False, True, True, False]})
    design = covariate_design(data, ["married", "year", "female"], categorical=["year"])
    assert design.matrix().names == ("(Intercept)", "married", "year[2]", "year[3]",
                                     "female[True]")
    assert design.matrix("sum").names == ("(Intercept)", "married[S.0]", "year[S.1]",
                                          "year[S.2]", "female[S.False]")
    assert design.matrix("full", intercept=False).names == (
        "married", "year[1]", "year[2]", "year[3]", "female[True]")
    assert design.reference_levels == {"married": 0, "year": 1, "female": False}
    assert "married = 0" in design.coding_note()


# ------------------------------------------------------------------ errors


def test_collinear_covariates_raise_one_error_naming_both_columns(records):
    data = records.assign(entry_pct=records["gpa_entry"] * 25)
    calls = {
        "ANCOVA": lambda: ancova(data, "gpa_year1", "mentored", ["gpa_entry", "entry_pct"]),
        "logistic": lambda: compare_binary(data, "passed", "mentored",
                                           covariates=["gpa_entry", "entry_pct"]),
        "propensity": lambda: propensity_match(data, "mentored", ["gpa_entry", "entry_pct"]),
        "mixed": lambda: mixed_model(data, "gpa_year1", "mentored", "mentor_group",
                                     ["gpa_entry", "entry_pct"]),
    }
    for model, call in calls.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PeerevalWarning)
            with pytest.raises(CollinearityError) as err:
                call()
        assert err.value.columns == ("entry_pct", "gpa_entry"), model
        message = str(err.value)
        assert "'entry_pct' is a linear combination of 'gpa_entry'" in message, model
        assert err.value.hint


def test_collinear_with_the_intercept_and_between_categories():
    x1 = np.array([1.0, 2, 3, 4, 6])
    x = np.column_stack([np.ones(5), x1, 2 * x1 + 3])
    with pytest.raises(CollinearityError) as err:
        check_rank(x, ["(Intercept)", "x1", "x2"], "the model")
    assert err.value.columns == ("x2", "(Intercept)", "x1")
    data = pd.DataFrame({"sex": ["F", "M", "F", "M", "F"],
                         "male": [False, True, False, True, False]})
    model = covariate_design(data, ["sex", "male"]).matrix()
    with pytest.raises(CollinearityError, match="'male\\[True\\]' is a linear combination "
                       "of 'sex\\[M\\]'"):
        check_rank(model.matrix, model.names, "the model")


def test_unusable_covariates_raise_the_same_error_in_every_model(records):
    mixed = records.assign(age=records["age"].astype(object).where(
        records.index != records.index[3], "n/a"))
    for call in (lambda: ancova(mixed, "gpa_year1", "mentored", ["age"]),
                 lambda: compare_binary(mixed, "passed", "mentored", covariates=["age"]),
                 lambda: propensity_match(mixed, "mentored", ["age"])):
        with pytest.raises(PeerevalError, match="mixes numbers and text"):
            call()
    constant = records.assign(cohort=2024)
    for call in (lambda: ancova(constant, "gpa_year1", "mentored", ["cohort"]),
                 lambda: compare_binary(constant, "passed", "mentored", covariates=["cohort"]),
                 lambda: propensity_match(constant, "mentored", ["cohort"])):
        with pytest.raises(PeerevalError, match="'cohort' is constant"):
            call()

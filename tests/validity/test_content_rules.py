"""ContentValidityRules: the thresholds of content_validity() in one frozen object.

The defaults are the ones content_validity() had as keyword arguments (REFERENCES.md
section 1); each old keyword still works for one release, with a DeprecationWarning
naming the rules= field that replaces it, and gives the same result as that field.
"""

from __future__ import annotations

import dataclasses
import warnings

import pandas as pd
import pytest

import peereval
from peereval.errors import PeerevalError, PeerevalWarning
from peereval.loaders.panel import read_expert_panel
from peereval.validity import ContentValidity, ContentValidityRules, content_validity

# content_validity()'s keyword defaults before the rules object (peereval 0.x)
OLD_DEFAULTS = {
    "cvr_method": "ayre_scally", "alpha": 0.05, "icvi_threshold": "polit_beck",
    "icvi_revise": 0.70, "cvr_revise": 0.0, "impact_threshold": 1.5, "impact_revise": None,
    "scvi_ave_threshold": 0.90, "scvi_ua_threshold": 0.80,
}

# a value other than the default for each old keyword
CHANGED = {
    "cvr_method": "wilson", "alpha": 0.01, "cvr_revise": None, "icvi_threshold": "lynn",
    "icvi_revise": None, "scvi_ave_threshold": 0.80, "scvi_ua_threshold": 0.40,
    "impact_threshold": 2.0, "impact_revise": 1.0,
}


@pytest.fixture(scope="module")
def panel():
    return read_expert_panel(peereval.sample_path("expert_panel"))


def _importance(items: pd.Index) -> pd.DataFrame:
    """Ratings 1-5 by 8 respondents, a fixed pattern whose impact scores vary."""
    return pd.DataFrame([[(3 * i + j * j) % 5 + 1 for j in range(8)] for i in range(len(items))],
                        index=items, columns=[f"r{j}" for j in range(8)])


def _run(panel, **options) -> ContentValidity:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        return content_validity(panel.relevance, essentiality=panel.essentiality,
                                importance=_importance(panel.relevance.index), **options)


def _assert_same(a: ContentValidity, b: ContentValidity) -> None:
    for name in ("items", "scale", "critical", "rules"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    assert (a.n_experts, a.n_items, a.cvr_method, a.alpha) == (
        b.n_experts, b.n_items, b.cvr_method, b.alpha)
    assert a.apa() == b.apa()


def test_defaults_are_the_old_keyword_defaults():
    rules = ContentValidityRules()
    assert {k: getattr(rules, k) for k in OLD_DEFAULTS} == OLD_DEFAULTS
    # Cicchetti & Sparrow (1981): poor < .40, fair .40-.59, good .60-.74, excellent
    assert rules.kappa_cuts == (0.40, 0.60, 0.75)
    assert rules.kappa_labels == ("poor", "fair", "good", "excellent")
    assert set(OLD_DEFAULTS) == set(CHANGED)
    assert set(OLD_DEFAULTS) | {"kappa_cuts", "kappa_labels"} == {
        f.name for f in dataclasses.fields(ContentValidityRules)}


def test_default_rules_give_the_default_result(panel):
    plain = _run(panel)
    _assert_same(plain, _run(panel, rules=ContentValidityRules(**OLD_DEFAULTS)))
    assert plain.settings == ContentValidityRules()


def test_rules_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        ContentValidityRules().alpha = 0.01  # type: ignore[misc]


@pytest.mark.parametrize("name", sorted(CHANGED))
def test_old_keyword_warns_and_equals_the_rules_field(panel, name):
    value = CHANGED[name]
    with pytest.warns(DeprecationWarning, match=rf"rules=ContentValidityRules\({name}=") as rec:
        old = _run(panel, **{name: value})
    assert rec[0].filename == __file__  # points at the caller
    new = _run(panel, rules=ContentValidityRules(**{name: value}))
    _assert_same(old, new)
    assert old.settings == new.settings
    assert getattr(new.settings, name) == value


def test_a_changed_rule_changes_the_result(panel):
    # guards the test above: each changed value must reach the computation
    default = _run(panel)
    for name, value in CHANGED.items():
        changed = _run(panel, rules=ContentValidityRules(**{name: value}))
        frames = [getattr(changed, t).equals(getattr(default, t))
                  for t in ("items", "scale", "critical", "rules")]
        assert not all(frames), name


def test_several_old_keywords_warn_once_each(panel):
    with pytest.warns(DeprecationWarning, match="is deprecated") as rec:
        old = _run(panel, cvr_method="lawshe", icvi_threshold=0.83)
    named = sorted(str(w.message).split("(")[1].split("=")[0] for w in rec
                   if issubclass(w.category, DeprecationWarning))
    assert named == ["cvr_method", "icvi_threshold"]
    _assert_same(old, _run(panel, rules=ContentValidityRules(cvr_method="lawshe",
                                                             icvi_threshold=0.83)))


def test_rules_and_an_old_keyword_together_are_refused(panel):
    with pytest.warns(DeprecationWarning, match=r"ContentValidityRules\(alpha="), \
            pytest.raises(PeerevalError, match="rules= and the keyword"):
        _run(panel, rules=ContentValidityRules(), alpha=0.01)


def test_unknown_keyword_and_wrong_rules_type(panel):
    with pytest.raises(TypeError, match="unexpected keyword argument 'icvi_thresold'"):
        _run(panel, icvi_thresold=0.8)
    with pytest.raises(PeerevalError, match="rules must be a ContentValidityRules"):
        _run(panel, rules={"alpha": 0.01})


@pytest.mark.parametrize(("field", "value"), [
    ("cvr_method", "binomial"), ("alpha", 0.7), ("alpha", True), ("alpha", "0.05"),
    ("cvr_revise", 1.5), ("icvi_threshold", "lin"), ("icvi_threshold", 1.2),
    ("icvi_threshold", 0), ("icvi_revise", -0.1), ("scvi_ave_threshold", 1.1),
    ("scvi_ua_threshold", "high"), ("impact_threshold", 0), ("impact_revise", 2.0),
    ("kappa_cuts", (0.6, 0.4)), ("kappa_cuts", (0.405,)), ("kappa_labels", ("low", "high")),
])
def test_invalid_rule_names_its_field(field, value):
    with pytest.raises(PeerevalError, match=rf"^ContentValidityRules\.{field}: ") as info:
        ContentValidityRules(**{field: value})
    assert info.value.hint


def test_lawshe_only_at_alpha_05_names_the_field():
    with pytest.raises(PeerevalError, match=r"ContentValidityRules\.alpha: .*\.05 only"):
        ContentValidityRules(cvr_method="lawshe", alpha=0.01)


def test_icvi_cutoffs_by_panel_size():
    polit, lynn = ContentValidityRules(), ContentValidityRules(icvi_threshold="lynn")
    # REFERENCES.md 1.4: 1.00 with 3-5 experts; .78 with 6+ (Polit & Beck 2006);
    # Lynn (1986): .83 with 6-8, .78 with 9 or more
    assert [polit.icvi_cutoff(n) for n in range(3, 11)] == [1.0] * 3 + [0.78] * 5
    assert [lynn.icvi_cutoff(n) for n in range(3, 11)] == [1.0] * 3 + [0.83] * 3 + [0.78] * 2
    assert ContentValidityRules(icvi_threshold=0.8).icvi_cutoff(4) == 0.8


def test_kappa_labels_are_configurable(panel):
    assert [ContentValidityRules().kappa_label(k) for k in (0.39, 0.395, 0.59, 0.745)] == [
        "poor", "fair", "fair", "excellent"]  # on kappa as printed: .40, .59, .75
    words = ContentValidityRules(kappa_cuts=(0.60,), kappa_labels=("low", "high"))
    result = _run(panel, rules=words)
    assert set(result.items["kappa_label"]) <= {"low", "high"}
    rule = result.rules.loc[result.rules["rule"].str.startswith("modified kappa"), "rule"]
    assert "low below .60, high above .59" in rule.iloc[0]
    default = _run(panel).rules["rule"]
    assert default.str.contains("poor below .40, fair .40-.59, good .60-.74, "
                                "excellent above .74").any()


def test_rules_table_by_itself():
    table = ContentValidityRules(cvr_method="lawshe").table(relevance=False, impact=False)
    assert list(table["criterion"]) == ["essentiality", "essentiality", "decision"]
    assert "Lawshe's table entry" in table["rule"].iloc[0]

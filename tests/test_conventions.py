"""One vocabulary of names over the public API (issue 14, item 3; docs/conventions.md).

Every public function and every result class is checked against the conventions
written down in docs/conventions.md: argument order ``(data, <columns>, *, options)``,
``confidence=`` for interval levels, ``metric=`` for a level of measurement, result
names ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``ci_level``, ``p_value``,
``p_adjusted``, ``n``, ``n_dropped``, argument-free tables as properties, ``apa()`` and
``methods()`` as the only prose methods.

Where the API differs today, the difference is listed in ``KNOWN_DEVIATIONS`` (the
same rows as the table "Where the API differs today" in docs/conventions.md, which a
test here compares). The list can only shrink:

- a deviation found that is not listed fails (a new name broke the vocabulary);
- a listed deviation that is no longer found fails too (it was fixed: delete its row
  here and in docs/conventions.md).

The checks read signatures, dataclass fields, properties and annotations; only a few
cheap results are computed, to read their ``to_frame()`` columns.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
import typing
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from peereval._results import Result

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "conventions.md"

MODULES = ["peereval", "peereval.reliability", "peereval.validity", "peereval.outcomes",
           "peereval.perception", "peereval.quality", "peereval.figures",
           "peereval.loaders"]

# ------------------------------------------------------------------ the vocabulary

# Arguments that name columns (or say which columns: a model, an instrument). They may
# come positionally after the data; every other argument is an option, keyword-only.
COLUMN_ARGS = frozenset({
    "items", "columns", "outcome", "outcomes", "group", "covariates", "variables",
    "rater1", "rater2", "x", "y", "before", "after", "time", "unit", "cluster", "id",
    "value", "targets", "raters", "ratings", "model", "instrument",
})

# Inputs of calculators (functions of numbers, not of a data frame); they may be
# positional, every other argument is keyword-only.
CALCULATOR_INPUTS = frozenset({
    "estimate", "ci_low", "ci_high", "lower", "upper", "effects", "variances",
    "p_values", "events", "n", "data",
})

# What each public function is; its family says what its first arguments are.
#   analysis    (data, <columns>, *, options)
#   paired      (first, second, <columns>, *, options): two inputs of the same kind
#   result      (result, <columns>, *, options): a figure drawn from a result
#   reader      (path, <columns>, *, options)
#   calculator  (<numbers>, *, options): power, E-value, pooling given effects
#   helper      not an analysis (colours, saving a figure, sample files)
FAMILY = {
    "link": "paired",
    "load_sample": "helper",
    "read_expert_panel": "reader",
    "read_export": "reader",
    "read_records": "reader",
    "sample_path": "helper",
    "reliability.alpha": "analysis",
    "reliability.cohen_kappa": "analysis",
    "reliability.fleiss_kappa": "analysis",
    "reliability.icc": "analysis",
    "reliability.item_analysis": "analysis",
    "reliability.krippendorff_alpha": "analysis",
    "reliability.omega": "analysis",
    "reliability.polychoric": "analysis",
    "reliability.polyserial": "analysis",
    "reliability.scale_reliability": "analysis",
    "reliability.split_half": "analysis",
    "reliability.test_retest": "paired",
    "validity.cfa": "analysis",
    "validity.content_validity": "analysis",
    "validity.discriminant_validity": "analysis",
    "validity.efa": "analysis",
    "validity.factor_retention": "analysis",
    "validity.factorability": "analysis",
    "validity.invariance": "analysis",
    "validity.map_test": "analysis",
    "validity.parallel_analysis": "analysis",
    "outcomes.adjust_p": "calculator",
    "outcomes.ancova": "analysis",
    "outcomes.balance": "analysis",
    "outcomes.compare": "analysis",
    "outcomes.compare_binary": "analysis",
    "outcomes.compare_many": "analysis",
    "outcomes.describe": "analysis",
    "outcomes.diff_in_diff": "analysis",
    "outcomes.e_value": "calculator",
    "outcomes.from_groups": "calculator",
    "outcomes.meta_analysis": "calculator",
    "outcomes.mixed_model": "analysis",
    "outcomes.power": "calculator",
    "outcomes.pre_post": "analysis",
    "outcomes.propensity_match": "analysis",
    "outcomes.propensity_weight": "analysis",
    "outcomes.simulate_power": "calculator",
    "perception.summarise": "analysis",
    "perception.wilson": "calculator",
    "quality.screen": "analysis",
    "figures.adjusted_means": "result",
    "figures.content_validity": "result",
    "figures.display_text": "helper",
    "figures.distributions": "analysis",
    "figures.diverging": "helper",
    "figures.forest": "analysis",
    "figures.forest_table": "analysis",
    "figures.likert": "result",
    "figures.loadings": "result",
    "figures.love": "result",
    "figures.pre_post": "analysis",
    "figures.render": "helper",
    "figures.save": "helper",
    "figures.scree": "result",
    "loaders.detect_platform": "reader",
}
FIRST_ARGUMENT = {"analysis": "data", "result": "result", "reader": "path"}

# Public classes that are not results of an analysis: inputs, settings, errors, and
# the parts of the screening registry (what a check reads, what one check found).
NOT_RESULTS = frozenset({
    "Instrument", "Item", "Scale", "Records", "Responses", "Linked", "ExpertPanel",
    "PeerevalError", "PeerevalWarning", "ContentValidityRules", "Scores", "Location",
    "ScreeningData", "Flagged",
})

# Parts of results (one effect size of a comparison): the attribute names are checked,
# the rest of what a result has is not asked of them.
PARTS = frozenset({"Effect"})

# Results of calculators: no data, so no n and nothing dropped.
CALCULATOR_RESULTS = frozenset({"PowerResult", "SimulatedPower", "EValue",
                                "MetaAnalysis"})

# Members that return a short label, not prose.
LABELS = frozenset({"interpretation", "measure_name", "test", "title", "kmo_label"})

# Names that are prose under another name than apa() / methods().
PROSE_NAMES = frozenset({"text", "explain", "sentence", "sentences", "summary",
                         "fit_verdict", "rule_text", "describe", "report"})

# Interval bounds that are not confidence intervals: prediction intervals (pi_) and
# the region of common support of propensity scores.
OTHER_BOUNDS = re.compile(r"^((.+_)?pi_(low|high)|support_(low|high))$")

# ------------------------------------------------ where the API differs today

# (where, what is there today) -> the conventional name. The same rows, in the same
# words, are the table "Where the API differs today" in docs/conventions.md. Delete a
# row (here and there) when the rename lands; never add one to make a new name pass.
#
# ``where`` is a function ("reliability.alpha"), a result class
# ("reliability.AlphaResult"), a method's arguments ("outcomes.MatchResult.effect()")
# or a result's to_frame() columns ("reliability.AlphaResult.to_frame()"). What is
# there today is one of:
#   "level", "p", ...           an argument, attribute or column with that name
#   "first argument X"          the function's first argument is called X
#   "X (positional)"            an option that can be passed positionally
#   "X()"                       an argument-free method: a table (make it a property)
#                               or prose (fold it into apa() or methods())
#   "no estimate", "no n", ...  a conventional attribute the result lacks
#   "n (not a count)"           n is there but is not the number of observations
#   "not a Result"              the class lacks to_frame(), apa(), methods(), repr
KNOWN_DEVIATIONS: dict[tuple[str, str], str] = {
    # Reliability: none left
    # Validity: none left
    # Outcomes: none left
    # Perception: none left
    # Screening: none left
    # Figures: none left
}

# ------------------------------------------------------------------ discovery


def _short(module: str, name: str) -> str:
    prefix = module.removeprefix("peereval").lstrip(".")
    return f"{prefix}.{name}" if prefix else name


def public_functions() -> dict[str, Any]:
    """Every public function, once, under the first module that exports it."""
    found: dict[str, Any] = {}
    seen: set[int] = set()
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) and id(obj) not in seen:
                seen.add(id(obj))
                found[_short(module_name, name)] = obj
    return found


def _return_class(function: Any) -> type | None:
    try:
        hint = typing.get_type_hints(function).get("return")
    except Exception:  # pragma: no cover - an unresolvable annotation
        return None
    return hint if inspect.isclass(hint) and hint.__module__.startswith("peereval") else None


def public_classes() -> dict[str, type]:
    """Public classes: exported, or returned by a public function or result method."""
    found: dict[str, type] = {}
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) and obj not in found.values():
                found[_short(module_name, name)] = obj
    for qualified, function in public_functions().items():
        returned = _return_class(function)
        if returned is not None and returned not in found.values():
            found[_short("peereval." + qualified.rpartition(".")[0], returned.__name__)] = returned
    for qualified, cls in list(found.items()):
        for _, member in _public_members(cls):
            if inspect.isfunction(member):
                returned = _return_class(member)
                if returned is not None and returned not in found.values():
                    package = qualified.rpartition(".")[0]
                    found[f"{package}.{returned.__name__}" if package
                          else returned.__name__] = returned
    return found


def result_classes() -> dict[str, type]:
    return {q: c for q, c in public_classes().items() if c.__name__ not in NOT_RESULTS}


def _public_members(cls: type) -> list[tuple[str, Any]]:
    """Public members, without deprecated aliases (kept for one release under an old
    name; they carry ``__deprecated__``, as ``warnings.deprecated`` sets it)."""
    members = [(name, inspect.getattr_static(cls, name)) for name in dir(cls)
               if not name.startswith("_")]
    return [(name, member) for name, member in members if not _deprecated(member)]


def _deprecated(member: Any) -> bool:
    function = member.fget if isinstance(member, property) else member
    return getattr(function, "__deprecated__", None) is not None


def _attributes(cls: type) -> dict[str, Any]:
    """Public data attributes (dataclass fields and properties) -> annotation."""
    hints = typing.get_type_hints(cls) if dataclasses.is_dataclass(cls) else {}
    out: dict[str, Any] = {}
    if dataclasses.is_dataclass(cls):
        for f in dataclasses.fields(cls):
            if not f.name.startswith("_"):
                out[f.name] = hints.get(f.name)
    for name, member in _public_members(cls):
        if isinstance(member, property):
            out[name] = _annotation(member.fget)
    return out


def _annotation(function: Any) -> Any:
    try:
        return typing.get_type_hints(function).get("return")
    except Exception:
        return getattr(function, "__annotations__", {}).get("return")


# ------------------------------------------------------------------ the rules


def _is_p_value(name: str) -> bool:
    return bool({"p", "pvalue", "pval", "pvalues"} & set(name.split("_")))


def _p_value_ok(name: str) -> bool:
    return re.fullmatch(r"(.+_)?p_(value|adjusted)s?", name) is not None


def _is_bound(name: str) -> bool:
    return name.split("_")[-1] in {"low", "high", "lower", "upper"}


def _bound_ok(name: str) -> bool:
    return (re.fullmatch(r"(.+_)?ci_(low|high)", name) is not None
            or OTHER_BOUNDS.fullmatch(name) is not None)


def breaks_vocabulary(name: str) -> bool:
    """True when an attribute, column or argument name breaks the vocabulary."""
    if name in {"level", "confidence_level", "conf_level", "n_obs", "est",
                "random_state", "rng"}:
        return True
    if _is_p_value(name) and not _p_value_ok(name):
        return True
    return _is_bound(name) and not _bound_ok(name)


def function_deviations(qualified: str, function: Any,
                        family: str | None = None) -> set[tuple[str, str]]:
    family = family or FAMILY[qualified]
    params = list(inspect.signature(function).parameters.values())
    found: set[tuple[str, str]] = set()
    named = set()
    for p in params:
        if breaks_vocabulary(p.name):
            found.add((qualified, p.name))
            named.add(p.name)
    if family == "helper":
        return found
    first = FIRST_ARGUMENT.get(family)
    if first is not None and params and params[0].name != first:
        found.add((qualified, f"first argument {params[0].name}"))
    start = {"calculator": 0, "paired": 2}.get(family, 1)
    allowed = CALCULATOR_INPUTS if family == "calculator" else COLUMN_ARGS
    for p in params[start:]:
        if (p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                and p.name not in allowed and p.name not in named):
            found.add((qualified, f"{p.name} (positional)"))
    return found


def class_deviations(qualified: str, cls: type) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    attributes = _attributes(cls)
    for name in attributes:
        if name == "confidence" or breaks_vocabulary(name):
            found.add((qualified, name))
    if cls.__name__ in PARTS:
        return found
    if not issubclass(cls, Result):
        return found | {(qualified, "not a Result")}
    if "ci_low" in attributes and "ci_high" in attributes:
        if "estimate" not in attributes:
            found.add((qualified, "no estimate"))
        if not {"ci_level", "level", "confidence"} & set(attributes):
            found.add((qualified, "no ci_level"))
    if cls.__name__ not in CALCULATOR_RESULTS:
        if "n" not in attributes and "n_obs" not in attributes:
            found.add((qualified, "no n"))
        elif "n" in attributes and attributes["n"] is not int:
            found.add((qualified, "n (not a count)"))
        if "n_dropped" not in attributes:
            found.add((qualified, "no n_dropped"))
        if typing.get_origin(attributes.get("dropped")) is list:
            found.add((qualified, "dropped (items to drop)"))
    for name, member in _public_members(cls):
        function = member.fget if isinstance(member, property) else member
        if not inspect.isfunction(function):
            continue
        returns = _annotation(function)
        if name in PROSE_NAMES or (returns is str and name not in LABELS
                                   and name not in {"apa", "methods"}):
            found.add((qualified, name + ("" if isinstance(member, property) else "()")))
            continue
        if isinstance(member, property):
            continue
        params = list(inspect.signature(function).parameters.values())[1:]
        for p in params:
            if breaks_vocabulary(p.name):
                found.add((f"{qualified}.{name}()", p.name))
        if not params and name not in {"to_frame", "apa", "methods"}:
            found.add((qualified, name + "()"))
    if getattr(cls, "apa", None) is Result.apa:
        found.add((qualified, "no apa()"))
    if not callable(getattr(cls, "methods", None)):
        found.add((qualified, "no methods()"))
    return found


# Cheap results (small data, few replicates) whose to_frame() columns are read. Left
# out: results whose columns are items, factors or covariates (EFA, retention, MAP,
# matching, weighting), which the rules have nothing to say about.
def _data() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = 60
    f = rng.normal(size=n)
    data = pd.DataFrame({f"q{i}": np.clip(np.round(3 + f + rng.normal(size=n)), 1, 5)
                         for i in range(4)})
    data["group"] = np.where(np.arange(n) % 2 == 0, "yes", "no")
    data["gpa"] = 3 + 0.2 * (data["group"] == "yes") + rng.normal(size=n) * 0.4
    data["pre"] = rng.normal(size=n)
    data["post"] = data["pre"] + 0.3 + rng.normal(size=n) * 0.5
    data["r1"] = rng.integers(1, 4, size=n)
    data["r2"] = np.where(rng.random(n) < 0.7, data["r1"], rng.integers(1, 4, size=n))
    data["cluster"] = np.arange(n) % 6
    data["entry"] = data["gpa"] * 0.5 + rng.normal(size=n) * 0.3
    data["passed"] = np.where(data["gpa"] > 3, "pass", "fail")
    return data


def cheap_results() -> dict[str, Result]:
    from peereval import outcomes, reliability, validity

    data = _data()
    items = ["q0", "q1", "q2", "q3"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "reliability.AlphaResult": reliability.alpha(data, items),
            "reliability.ItemAnalysis": reliability.item_analysis(data, items),
            "reliability.OmegaResult": reliability.omega(data, items, n_factors=1),
            "reliability.SplitHalfResult": reliability.split_half(data, items, n_splits=20,
                                                                  seed=1),
            "reliability.PolychoricResult": reliability.polychoric(data, items[:3]),
            "reliability.KappaResult": reliability.cohen_kappa(data, "r1", "r2"),
            "reliability.FleissKappaResult": reliability.fleiss_kappa(data, ["r1", "r2"]),
            "reliability.KrippendorffAlphaResult": reliability.krippendorff_alpha(
                data, ["r1", "r2"], n_boot=20, seed=1),
            "reliability.ICCResult": reliability.icc(data, columns=["r1", "r2"]),
            "validity.Factorability": validity.factorability(data, items),
            "validity.CFAResult": validity.cfa(data, "F =~ q0 + q1 + q2 + q3"),
            "outcomes.Comparison": outcomes.compare(data, "gpa", "group", treated="yes"),
            "outcomes.BinaryComparison": outcomes.compare_binary(
                data, "passed", "group", treated="yes", event="pass"),
            "outcomes.AncovaResult": outcomes.ancova(data, "gpa", "group", "entry",
                                                     treated="yes"),
            "outcomes.ManyComparisons": outcomes.compare_many(data, ["gpa", "entry"], "group",
                                                              treated="yes"),
            "outcomes.PrePostResult": outcomes.pre_post(data, "pre", "post"),
            "outcomes.DiffInDiffResult": outcomes.diff_in_diff(
                data, before="pre", after="post", group="group", treated="yes"),
            "outcomes.Describe": outcomes.describe(data, "group", ["gpa"], treated="yes"),
            "outcomes.BalanceTable": outcomes.balance(data, "group", ["entry"],
                                                      treated="yes"),
            "outcomes.MixedModelResult": outcomes.mixed_model(data, "gpa", "group",
                                                              "cluster", treated="yes"),
            "outcomes.EValue": outcomes.e_value(1.8, 1.2, 2.5),
            "outcomes.MetaAnalysis": outcomes.meta_analysis([0.2, 0.4, 0.1],
                                                            [0.01, 0.02, 0.015]),
            "outcomes.PowerResult": outcomes.power(effect=0.5, power=0.8),
            "outcomes.SimulatedPower": outcomes.simulate_power(effect=0.5, n=20,
                                                               n_sim=100, seed=1),
        }


def column_deviations(qualified: str, result: Result) -> set[tuple[str, str]]:
    return {(f"{qualified}.to_frame()", str(column))
            for column in result.to_frame().columns if breaks_vocabulary(str(column))}


def all_deviations() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for qualified, function in public_functions().items():
        found |= function_deviations(qualified, function)
    for qualified, cls in result_classes().items():
        found |= class_deviations(qualified, cls)
    for qualified, result in cheap_results().items():
        found |= column_deviations(qualified, result)
    return found


# ------------------------------------------------------------------ the tests


@pytest.fixture(scope="module")
def found() -> set[tuple[str, str]]:
    return all_deviations()


def test_every_public_function_has_a_family():
    missing = sorted(set(public_functions()) - set(FAMILY))
    assert not missing, (f"new public function(s) {missing}: add each to FAMILY in "
                         "tests/test_conventions.py (and follow docs/conventions.md)")
    stale = sorted(set(FAMILY) - set(public_functions()))
    assert not stale, f"FAMILY lists functions that are no longer public: {stale}"


def test_every_public_class_is_a_result_or_listed_as_not_one():
    for qualified, cls in public_classes().items():
        assert issubclass(cls, Result) or cls.__name__ in NOT_RESULTS | PARTS or (
            qualified, "not a Result") in KNOWN_DEVIATIONS, (
            f"{qualified} is public but neither a Result nor in NOT_RESULTS")


def test_no_new_deviation(found):
    new = sorted(found - set(KNOWN_DEVIATIONS))
    assert not new, (
        "these names break the conventions of docs/conventions.md; use the "
        "conventional name (do not add them to KNOWN_DEVIATIONS):\n"
        + "\n".join(f"  {where}: {current}" for where, current in new))


def test_fixed_deviations_are_removed_from_the_list(found):
    fixed = sorted(set(KNOWN_DEVIATIONS) - found)
    assert not fixed, (
        "these deviations are fixed: delete their rows from KNOWN_DEVIATIONS and from "
        "the table in docs/conventions.md:\n"
        + "\n".join(f"  {where}: {current}" for where, current in fixed))


def _page_rows() -> dict[tuple[str, str], str]:
    text = PAGE.read_text(encoding="utf-8")
    table = text.split("<!-- deviations:start -->")[1].split("<!-- deviations:end -->")[0]
    rows: dict[tuple[str, str], str] = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in {"Where", ""} or set(cells[0]) <= {"-", ":"}:
            continue
        where, current, conventional = (c.replace("`", "") for c in cells)
        rows[(where, current)] = conventional
    return rows


def test_the_page_lists_the_same_deviations():
    rows = _page_rows()
    expected = {key: value.replace("`", "") for key, value in KNOWN_DEVIATIONS.items()}
    assert set(rows) == set(expected), (
        f"only on the page: {sorted(set(rows) - set(expected))}; "
        f"only in the test: {sorted(set(expected) - set(rows))}")
    differ = {k: (rows[k], expected[k]) for k in rows if rows[k] != expected[k]}
    assert not differ, f"the page and the test name different fixes: {differ}"


@pytest.mark.parametrize("name", ["p", "pvalue", "chisq_p", "rmsea_pvalue", "ci_lower",
                                  "lower", "feldt_low", "level", "n_obs", "est"])
def test_the_rules_refuse(name):
    assert breaks_vocabulary(name)


@pytest.mark.parametrize("name", ["p_value", "robust_p_value", "p_adjusted", "p_values",
                                  "ci_low", "g_ci_high", "pi_low", "support_high",
                                  "ci_level", "n", "n_dropped", "estimate"])
def test_the_rules_accept(name):
    assert not breaks_vocabulary(name)


def test_the_signature_rules():
    def conventional(data, items=None, *, confidence=0.95):
        return data

    def unconventional(frame, n_factors, items=None, *, level=0.95):
        return frame

    assert function_deviations("probe", conventional, "analysis") == set()
    assert function_deviations("probe", unconventional, "analysis") == {
        ("probe", "first argument frame"), ("probe", "n_factors (positional)"),
        ("probe", "level")}


def test_a_conventional_result_passes_and_a_deprecated_alias_is_not_counted():
    def old_level(self) -> float:
        return self.ci_level

    old_level.__deprecated__ = "level is deprecated: use ci_level"  # type: ignore[attr-defined]

    @dataclasses.dataclass(frozen=True, repr=False)
    class Conventional(Result):
        estimate: float
        se: float
        ci_low: float
        ci_high: float
        ci_level: float
        p_value: float
        n: int
        n_dropped: int
        level = property(old_level)

        def to_frame(self) -> pd.DataFrame:
            return pd.DataFrame([dataclasses.asdict(self)])

        def apa(self) -> str:
            return ""

        def methods(self) -> str:
            return ""

    assert class_deviations("probe.Conventional", Conventional) == set()

    @dataclasses.dataclass(frozen=True, repr=False)
    class Unconventional(Result):
        kappa: float
        ci_lower: float
        ci_upper: float
        p: float
        n_obs: int

        def crosstab(self) -> pd.DataFrame:
            return pd.DataFrame()

        def explain(self) -> str:
            return ""

    assert class_deviations("probe.Unconventional", Unconventional) == {
        ("probe.Unconventional", name) for name in (
            "ci_lower", "ci_upper", "p", "n_obs", "no n_dropped", "crosstab()", "explain()",
            "no apa()", "no methods()")}

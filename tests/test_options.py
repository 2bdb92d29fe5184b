"""One option validator for every public function (issue 14, item 4).

Every public function that declares option constraints (``peereval._options.checked``,
or ``Literal[...]`` annotations) is fed each value its constraints must refuse; each
must raise an OptionError naming the function, the argument and the value before it
looks at its data — which is why the data passed here is ``None``.
"""

from __future__ import annotations

import importlib
import inspect
import warnings
from typing import Literal

import pytest

from peereval._options import Choice, Interval, checked, constraints_of
from peereval.errors import OptionError, PeerevalError, PeerevalWarning

PACKAGES = ["peereval.reliability", "peereval.validity", "peereval.outcomes",
            "peereval.perception", "peereval.quality"]


def _public_functions():
    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.isfunction(obj) and constraints_of(obj):
                yield f"{package}.{name}", obj


CASES = [(qualified, function, option, bad)
         for qualified, function in _public_functions()
         for option, rule in constraints_of(function).items()
         for bad in rule.invalid_examples()]


def test_the_reliability_functions_declare_their_options():
    checked_names = {q for q, _ in _public_functions()}
    for name in ("alpha", "icc", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha",
                 "omega", "split_half", "scale_reliability", "test_retest"):
        assert f"peereval.reliability.{name}" in checked_names


@pytest.mark.parametrize("package", PACKAGES[1:])
def test_every_public_function_is_checked(package):
    module = importlib.import_module(package)
    functions = [name for name in module.__all__
                 if inspect.isfunction(getattr(module, name))]
    unchecked = [name for name in functions
                 if not hasattr(getattr(module, name), "__peereval_options__")]
    assert functions
    assert unchecked == []


def test_case_insensitive_choices_keep_working():
    from peereval.outcomes import e_value, meta_analysis

    assert e_value(0.3, 0.1, 0.5, measure="smd").measure == "SMD"
    with pytest.warns(PeerevalWarning, match="only 3 studies"):
        pooled = meta_analysis([0.1, 0.3, 0.2], [0.01, 0.02, 0.01], method="reml")
    assert pooled.method == "REML"
    with pytest.raises(OptionError, match="measure must be one of 'RR'"):
        e_value(0.3, measure="d")


def test_warnings_of_checked_functions_point_at_the_caller():
    import warnings

    from peereval.outcomes import meta_analysis, power

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        meta_analysis([0.1, 0.2, float("nan")], [0.01, 0.02, 0.03])
        power(n=40, power=0.8)
    assert len(caught) >= 3
    assert {w.filename for w in caught} == {__file__}


@pytest.mark.parametrize(("qualified", "function", "option", "bad"), CASES,
                         ids=[f"{q}-{o}-{b!r}" for q, _, o, b in CASES])
def test_every_refused_value_raises_an_option_error(qualified, function, option, bad):
    required = {p.name: None for p in inspect.signature(function).parameters.values()
                if p.default is inspect.Parameter.empty
                and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    with pytest.raises(OptionError) as error:
        function(**{**required, option: bad})
    message = str(error.value)
    assert function.__name__ + "()" in message
    assert option in message
    assert isinstance(error.value, ValueError)
    assert isinstance(error.value, PeerevalError)


def test_interval_and_choice_rules():
    assert Interval(0, 1, closed="neither").accepts(0.5)
    assert not Interval(0, 1, closed="neither").accepts(1)
    assert Interval(0, 1).accepts(1)
    assert not Interval(0, None, integer=True).accepts(True)  # a bool is no number
    assert not Interval(0, None, integer=True).accepts(2.5)
    assert Interval(0, None, integer=True, none=True).accepts(None)
    assert not Choice(("a", "b")).accepts("c")
    assert not Choice((1, 2)).accepts(True)  # True == 1, but it is no choice here


def test_literal_annotations_are_checked_without_being_listed():
    @checked()
    def f(x, *, how: Literal["x", "y"] | None = None) -> str:
        return str(how)

    assert f(1, how=None) == "None"
    with pytest.raises(OptionError, match="how must be one of 'x', 'y', None"):
        f(1, how="z")


def test_a_constraint_on_a_missing_parameter_is_a_programming_error():
    with pytest.raises(TypeError, match="no parameter"):
        checked(nope=Interval(0, 1))(lambda x: x)


def test_renamed_argument_warns_and_still_works():
    from peereval._options import renamed

    @renamed(level="confidence")
    @checked(confidence=Interval(0, 1, closed="neither"))
    def f(x, *, confidence=0.95):
        return confidence

    with pytest.warns(DeprecationWarning, match=r"f\(level=\.\.\.\) is deprecated"):
        assert f(1, level=0.9) == 0.9
    with (pytest.warns(DeprecationWarning, match="level"),
          pytest.raises(OptionError, match="confidence must")):
        f(1, level=2)
    with pytest.raises(OptionError, match="give confidence= only"):
        f(1, level=0.9, confidence=0.9)
    assert constraints_of(f)  # the constraints stay visible through both decorators


def test_warnings_of_checked_functions_name_the_callers_line():
    import warnings

    import pandas as pd

    from peereval.reliability import alpha

    data = pd.DataFrame({"a": [1, 2, 4], "b": [2, 2, 5], "c": [1, 3, 4]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        alpha(data)  # three respondents for three items: a small-sample warning
    assert caught
    assert {w.filename for w in caught} == {__file__}


def test_old_level_argument_of_reliability_functions_still_works():
    import pandas as pd

    from peereval.reliability import alpha, krippendorff_alpha

    data = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3], "b": [2, 2, 3, 5, 4, 3],
                         "c": [1, 3, 3, 4, 5, 2]})
    with pytest.warns(DeprecationWarning, match=r"alpha\(level=\.\.\.\) is deprecated"):
        old = alpha(data, level=0.9)
    new = alpha(data, confidence=0.9)
    assert (old.ci_low, old.ci_high) == (new.ci_low, new.ci_high)
    with pytest.warns(DeprecationWarning, match="use metric="):
        old_k = krippendorff_alpha(data, level="ordinal", n_boot=0)
    assert old_k.alpha == krippendorff_alpha(data, metric="ordinal", n_boot=0).alpha


# ------------------------------------------------------------ deprecation helpers


def test_keyword_only_names_an_option_passed_by_position_and_warns():
    from peereval._options import keyword_only

    @keyword_only("0.1", "platform", "sheet")
    def read(path, *, platform="auto", sheet=None):
        return path, platform, sheet

    with pytest.warns(DeprecationWarning, match=r"read\(\): passing platform by position "
                      r"is deprecated since peereval 0\.1: use platform="):
        assert read("a.csv", "qualtrics") == ("a.csv", "qualtrics", None)
    with pytest.warns(DeprecationWarning, match="by position") as caught:
        assert read("a.csv", "kobo", "data") == ("a.csv", "kobo", "data")
    assert len(caught) == 2
    assert "passing sheet by position" in str(caught[1].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read("a.csv", platform="redcap") == ("a.csv", "redcap", None)
    with pytest.raises(OptionError, match="platform is given both by position and by name"):
        read("a.csv", "kobo", platform="redcap")
    with pytest.raises(TypeError, match="takes 1 positional arguments but 4 were given"):
        read("a.csv", "kobo", "data", "extra")


def test_keyword_only_refuses_a_name_that_is_not_a_keyword_only_option():
    from peereval._options import keyword_only

    with pytest.raises(TypeError, match="not a keyword-only"):
        @keyword_only("0.1", "platform")
        def read(path, platform="auto"):
            return path


def test_deprecated_alias_returns_the_new_attribute_warns_and_is_read_only():
    from dataclasses import dataclass

    from peereval._options import deprecated_alias

    @dataclass(frozen=True)
    class Fit:
        n: int
        n_obs = deprecated_alias("n")

    fit = Fit(n=40)
    with pytest.warns(DeprecationWarning, match=r"^Fit\.n_obs is deprecated since "
                      r"peereval 0\.1: use Fit\.n$"):
        assert fit.n_obs == 40
    assert Fit.n_obs.__deprecated__ == "Fit.n_obs is deprecated since peereval 0.1: use Fit.n"
    assert [f.name for f in __import__("dataclasses").fields(Fit)] == ["n"]
    with pytest.raises(AttributeError, match="read-only"):
        Fit.n_obs.__set__(fit, 3)

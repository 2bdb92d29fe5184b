"""Every public function and class documents itself with a runnable example.

The public API is every name in ``__all__`` of peereval and of its public modules.
Each public function and class must have a numpydoc "Examples" section holding at
least one ``>>>`` line that doctest actually runs (``pytest --doctest-modules``, see
pyproject.toml, runs them); each public function that takes parameters must also
have a "Parameters" section, and one that returns a value a "Returns" (or
"Yields") section.
"""

from __future__ import annotations

import importlib
import inspect
import re
from typing import Any

import pytest

PUBLIC_MODULES = [
    "peereval",
    "peereval.loaders",
    "peereval.instrument",
    "peereval.quality",
    "peereval.reliability",
    "peereval.validity",
    "peereval.outcomes",
    "peereval.perception",
    "peereval.figures",
    "peereval.report",
    "peereval.study",
    "peereval.datasets",
    "peereval.errors",
]

# Public names that are not functions or classes, so an example cannot be attached
# to them; each with the reason.
ALLOWED_WITHOUT_EXAMPLE = {
    "peereval.__version__": "a version string",
    "peereval.datasets.SAMPLE_FILES": "a constant mapping; load_sample/sample_path show it",
    "peereval.figures.CATEGORICAL": "a constant tuple of colours",
    "peereval.figures.DECISION": "a constant mapping of item decision to colour",
    "peereval.figures.OKABE_ITO": "a constant colour palette (name to hex)",
    "peereval.figures.STYLE": "a matplotlib rc constant",
    "peereval.loaders.PLATFORMS": "a constant tuple of platform names",
    "peereval.quality.FLAGS": "a constant tuple of screening flag names",
    "peereval.study.SCHEMA": "a constant mapping documenting study.toml keys",
}


def _public_objects() -> dict[str, Any]:
    """Map each public function, class or constant to its first public name."""
    found: dict[int, tuple[str, Any]] = {}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            value = getattr(module, name)  # resolves lazily imported names
            if inspect.ismodule(value):
                continue
            found.setdefault(id(value), (f"{module_name}.{name}", value))
    return dict(found.values())


PUBLIC = _public_objects()
CALLABLES = {name: obj for name, obj in PUBLIC.items()
             if inspect.isclass(obj) or inspect.isfunction(obj)}
FUNCTIONS = {name: obj for name, obj in CALLABLES.items() if inspect.isfunction(obj)}


def _section(doc: str, title: str) -> str | None:
    """The body of numpydoc section ``title`` in ``doc``, or None without one."""
    match = re.search(rf"^{title}\n-{{3,}}\n(.*?)(?=^\S[^\n]*\n-{{3,}}\n|\Z)", doc,
                      re.MULTILINE | re.DOTALL)
    return match.group(1) if match else None


def _doc(obj: Any) -> str:
    return inspect.cleandoc(obj.__doc__ or "")


def test_public_api_is_found():
    assert len(CALLABLES) > 100
    assert "peereval.reliability.alpha" in CALLABLES
    assert "peereval.report.run_study" in CALLABLES


def test_allow_list_names_are_public_and_not_callables():
    for name, reason in ALLOWED_WITHOUT_EXAMPLE.items():
        assert name in PUBLIC, f"{name} is no longer public: drop it from the allow-list"
        assert name not in CALLABLES, f"{name} is a function or class: give it an example"
        assert reason


def test_every_public_name_is_checked_or_allowed():
    unchecked = set(PUBLIC) - set(CALLABLES) - set(ALLOWED_WITHOUT_EXAMPLE)
    assert not unchecked, f"public names that are neither checked nor allowed: {unchecked}"


@pytest.mark.parametrize("name", sorted(CALLABLES))
def test_has_runnable_example(name):
    examples = _section(_doc(CALLABLES[name]), "Examples")
    assert examples is not None, f"{name}: no 'Examples' section"
    prompts = [line.strip() for line in examples.splitlines()
               if line.strip().startswith(">>>")]
    assert prompts, f"{name}: 'Examples' has no >>> line"
    run = [line for line in prompts if not re.search(r"#\s*doctest:.*\+SKIP", line)]
    assert run, f"{name}: every >>> line of 'Examples' is skipped"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_documents_parameters_and_returns(name):
    function = FUNCTIONS[name]
    doc = _doc(function)
    signature = inspect.signature(function)
    if signature.parameters:
        assert _section(doc, "Parameters") is not None, f"{name}: no 'Parameters' section"
    if signature.return_annotation not in (None, "None", inspect.Signature.empty):
        assert (_section(doc, "Returns") or _section(doc, "Yields")) is not None, (
            f"{name}: no 'Returns' section")

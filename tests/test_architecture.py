"""The package map in docs/architecture.md matches the code, and imports go one way."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "peereval"
PAGE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")

ANALYSES = {"reliability", "validity", "outcomes", "perception", "quality"}
GROUND = {"errors", "labels", "responses", "_options", "_format", "_results", "_columns",
          "_frames", "_lazy", "_random", "_parallel", "_bootstrap", "_bivariate", "_factor",
          "_effects"}
UPPER = {"loaders", "report", "study", "cli", "figures", "instrument"} | ANALYSES
#: Imports that still go against the layering, each to be removed (issue 14): the test
#: fails on a new one and on one that is gone but still listed.
KNOWN_UPWARD: set[tuple[str, str]] = set()


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(["peereval", *[p for p in parts if p != "__init__"]])


def _mentioned(path: Path) -> bool:
    relative = path.relative_to(PACKAGE)
    if relative.name == "__init__.py" and len(relative.parts) > 1:
        return f"{relative.parts[0]}/" in PAGE or f"`{relative.parts[0]}/__init__.py`" in PAGE
    if relative.name == "__init__.py":
        return True  # the package itself
    candidates = {str(relative), relative.name}
    return any(re.search(rf"`[^`]*{re.escape(c)}`", PAGE) for c in candidates)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_module_is_on_the_package_map(path):
    assert _mentioned(path), f"{path.relative_to(PACKAGE)} is not in docs/architecture.md"


def test_every_module_on_the_map_exists():
    named = {n for n in re.findall(r"`((?:[a-z_]+/)*_?[a-z_]+\.py)`", PAGE)
             if not n.startswith("tests/")}
    existing = {str(p.relative_to(PACKAGE)) for p in _modules()} | {p.name for p in _modules()}
    assert named <= existing, sorted(named - existing)


def _upward_imports() -> set[tuple[str, str]]:
    found = set()
    for path in _modules():
        module = _name(path)
        layer = module.split(".")[1] if "." in module else ""
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = ([node.module] if isinstance(node, ast.ImportFrom) and node.module
                       else [a.name for a in node.names] if isinstance(node, ast.Import)
                       else [])
            for target in targets:
                if not target.startswith("peereval."):
                    continue
                other = target.split(".")[1]
                upward = (
                    (layer in ANALYSES and other in {"loaders", "report", "study", "cli",
                                                     "figures"})
                    or (layer == "loaders" and other in ANALYSES | {"report", "study",
                                                                    "figures", "cli"})
                    or (layer == "figures" and other in {"loaders", "report", "study", "cli"})
                    or (layer == "figures" and other in ANALYSES
                        and target.split(".")[-1].startswith("_"))
                    or (layer in {"report", "figures", "loaders"} | ANALYSES
                        and other == "cli")
                    # the ground floor (errors, labels, responses, _options, ...) is
                    # imported by everything and imports nothing above it
                    or (layer in GROUND and other in UPPER)
                    # the study analyses; the report renders what it returns
                    or (layer == "study" and other in {"report", "cli"})
                )
                if upward and other != layer:
                    found.add((module, target))
    return found


def test_imports_go_one_way():
    found = _upward_imports()
    assert found - KNOWN_UPWARD == set(), "new imports against the layering"
    assert KNOWN_UPWARD - found == set(), "fixed: remove these from KNOWN_UPWARD"

"""Lazy attribute loading for packages whose modules import heavy libraries."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(package: str, names: Mapping[str, str], namespace: dict[str, Any]
                    ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package`` importing ``names`` on first use.

    ``names`` maps an attribute to the module defining it; the value is cached in the
    package's ``namespace`` (its ``globals()``) after the first access.
    """

    def get_attribute(name: str) -> Any:
        if name in names:
            value = getattr(importlib.import_module(names[name]), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def list_attributes() -> list[str]:
        return sorted(set(namespace) | set(names))

    return get_attribute, list_attributes

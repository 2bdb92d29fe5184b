"""Seeds: every random procedure takes ``seed=`` (an int, a Generator or None)."""

from __future__ import annotations

import numpy as np

__all__ = ["SeedLike", "as_generator", "describe_seed"]

SeedLike = int | np.random.Generator | None


def as_generator(seed: SeedLike) -> np.random.Generator:
    """A numpy Generator from an int (reproducible), a Generator (used as is) or None.

    Examples
    --------
    >>> a = as_generator(7).integers(0, 100, 3)
    >>> b = as_generator(7).integers(0, 100, 3)
    >>> bool((a == b).all())
    True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, int | np.integer):
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int, a numpy Generator or None, not {type(seed).__name__}")


def describe_seed(seed: SeedLike) -> str:
    """How a result records its seed (provenance)."""
    if seed is None:
        return "none (not reproducible)"
    if isinstance(seed, np.random.Generator):
        return "a numpy Generator supplied by the caller"
    return str(int(seed))

"""Write the "unseen data" sets of issue 13, item 8, for drift.R.

Run from the repository root: ``python tests/reference/make_drift_data.py``. Every set
is drawn here with a fixed seed from a stated model and does not use peereval, so that
the reference values (computed by R from these files) are independent of the package.
The data are of the kind on which peereval had drifted from R: small n, sparse or empty
answer categories, and answers missing here and there (pairwise deletion).

Files written to ``tests/reference/data/``:

* ``drift_ordinal5.csv``: 6 five-point items, n = 25, one factor (loadings .7), skewed
  thresholds so that the top and bottom categories are rare or empty in some items.
* ``drift_ordinal8.csv``: 6 eight-point items, n = 60, one factor (loadings .6).
* ``drift_pairwise.csv``: 9 five-point items, n = 90, three correlated factors (three
  items each), about 12% of answers missing completely at random (no row all missing).
* ``drift_omega6.csv``: 6 five-point items, n = 150, a general factor and three group
  factors of two items each, 8% of answers missing (its 3-factor solution has a
  Heywood case); ``drift_omega6_proper.csv``: the same model, n = 200 (no Heywood case).
* ``drift_weak.csv``: 6 five-point items, n = 40, weak correlations (loadings .25):
  Velicer's MAP is smallest with no component partialled out.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).parent / "data"
SEED = 20261207


def _cut(latent: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Answers 1..len(cuts)+1 from a latent normal cut at ``cuts`` (one row per item)."""
    out = np.empty(latent.shape, dtype=int)
    for j in range(latent.shape[1]):
        out[:, j] = 1 + np.searchsorted(cuts[j], latent[:, j])
    return out


def _one_factor(rng: np.random.Generator, n: int, p: int, loading: float) -> np.ndarray:
    factor = rng.standard_normal((n, 1))
    noise = rng.standard_normal((n, p))
    return loading * factor + np.sqrt(1 - loading**2) * noise


def _blank(rng: np.random.Generator, answers: np.ndarray, share: float) -> np.ndarray:
    """Missing completely at random, never a whole row."""
    values = answers.astype(float)
    mask = rng.random(values.shape) < share
    full = mask.all(axis=1)
    mask[full, 0] = False
    values[mask] = np.nan
    return values


def _bifactor(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """A general factor and three group factors of two items each, 8% missing."""
    general = rng.standard_normal((n, 1))
    groups = rng.standard_normal((n, 3))
    g_load = np.array([0.6, 0.5, 0.55, 0.6, 0.5, 0.55])
    s_load = np.array([0.5, 0.55, 0.5, 0.45, 0.55, 0.5])
    owner = np.repeat(np.arange(3), 2)
    unique = np.sqrt(1 - g_load**2 - s_load**2)
    latent = (general * g_load + groups[:, owner] * s_load
              + rng.standard_normal((n, 6)) * unique)
    cuts = np.tile([-1.4, -0.5, 0.4, 1.3], (6, 1))
    values = _cut(latent, cuts).astype(float)
    values[rng.random(values.shape) < 0.08] = np.nan
    return pd.DataFrame(values, columns=[f"i{j}" for j in range(1, 7)])


def main() -> None:
    OUT.mkdir(exist_ok=True)
    rng = np.random.default_rng(SEED)
    names6 = [f"i{j}" for j in range(1, 7)]

    # 5-point, n = 25, skewed: few answers in the lowest categories
    latent = _one_factor(rng, 25, 6, 0.7)
    cuts = np.array([[-2.2, -1.3, -0.3, 0.8]] * 3 + [[-1.8, -0.9, 0.2, 1.4]] * 3)
    ordinal5 = pd.DataFrame(_cut(latent, cuts), columns=names6)

    # 8-point, n = 60
    latent = _one_factor(rng, 60, 6, 0.6)
    base = np.array([-2.0, -1.4, -0.8, -0.3, 0.2, 0.8, 1.5])
    shifts = np.array([0.0, 0.3, -0.3, 0.5, -0.5, 0.1])
    ordinal8 = pd.DataFrame(_cut(latent, base[None, :] + shifts[:, None]), columns=names6)

    # 9 items, 3 correlated factors, n = 90, 12% missing
    n = 90
    phi = np.array([[1.0, 0.4, 0.3], [0.4, 1.0, 0.35], [0.3, 0.35, 1.0]])
    factors = rng.standard_normal((n, 3)) @ np.linalg.cholesky(phi).T
    pattern = np.zeros((9, 3))
    for f in range(3):
        pattern[3 * f:3 * f + 3, f] = [0.75, 0.65, 0.55]
    unique = np.sqrt(1 - np.sum((pattern @ phi) * pattern, axis=1))
    latent = factors @ pattern.T + rng.standard_normal((n, 9)) * unique
    cuts = np.tile([-1.5, -0.5, 0.5, 1.5], (9, 1))
    pairwise = pd.DataFrame(_blank(rng, _cut(latent, cuts), 0.12),
                            columns=[f"x{j}" for j in range(1, 10)])

    # bifactor: g .55, group factors .5 on pairs of items, n = 150, 8% missing
    omega6 = _bifactor(rng, 150)
    # the same model, n = 200, from a seed of its own: a proper solution (in omega6
    # one item's uniqueness goes to its lower bound, a Heywood case, as is common with
    # two items per group factor)
    omega6_proper = _bifactor(np.random.default_rng(8), 200)

    # weak: loadings .25, n = 40
    latent = _one_factor(rng, 40, 6, 0.25)
    weak = pd.DataFrame(_cut(latent, np.tile([-1.3, -0.4, 0.4, 1.3], (6, 1))),
                        columns=names6)

    for name, frame in {"drift_ordinal5": ordinal5, "drift_ordinal8": ordinal8,
                        "drift_pairwise": pairwise, "drift_omega6": omega6,
                        "drift_omega6_proper": omega6_proper,
                        "drift_weak": weak}.items():
        frame.to_csv(OUT / f"{name}.csv", index=False, na_rep="")
        print(f"wrote {OUT / f'{name}.csv'}: {frame.shape}")


if __name__ == "__main__":
    main()

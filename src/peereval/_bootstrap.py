"""Nonparametric bootstrap: resampling counts, percentile and BCa intervals.

Resamples are drawn as row indices (``Generator.integers``) and turned into count
vectors, so a statistic that is a function of weighted sums is evaluated for many
resamples at once by one matrix product (``counts @ columns``). Intervals follow
Davison & Hinkley (1997), *Bootstrap Methods and their Application*, Cambridge
University Press: the percentile interval and the bias-corrected and accelerated
(BCa) interval (Efron 1987, *JASA* 82:171-185), both read off the ordered
replicates with interpolation on the normal quantile scale (their eq. 5.8), the
choices R's ``boot::boot.ci`` makes, so the two agree on the same replicates.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
from scipy import special

from peereval._parallel import blocks_for, map_blocks
from peereval.errors import PeerevalWarning, user_stacklevel

__all__ = ["bca_interval", "bootstrap_replicates", "influence_from_jackknife",
           "percentile_interval", "resample_counts"]

#: Largest count matrix built at once (entries); 8e6 float64 entries = 64 MB.
CHUNK_ENTRIES = 8_000_000


def _ndtri(p: np.ndarray | float) -> np.ndarray:
    return special.ndtri(p)


def resample_counts(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    """A float64 count matrix (``size`` resamples x n) drawn from ``rng``.

    Row ``b`` counts how often each observation was drawn in resample ``b``; the index
    draws are those of ``size`` successive calls ``rng.integers(0, n, n)``, so a plain
    loop over resamples with the same generator sees the same resamples.
    """
    index = rng.integers(0, n, size=(size, n))
    index += (np.arange(size) * n)[:, None]
    counts = np.bincount(index.ravel(), minlength=size * n).reshape(size, n)
    return counts.astype(np.float64)


def bootstrap_replicates(statistic: Callable[..., np.ndarray], n: int, n_boot: int,
                         rng: np.random.Generator, *, n_jobs: int | None = None,
                         **shared: Any) -> np.ndarray:
    """``n_boot`` replicates of ``statistic(counts, **shared)``, block by block.

    The resamples are cut into blocks of at most ``CHUNK_ENTRIES`` counts and 250
    resamples; block ``i`` draws its counts (:func:`resample_counts`) from the
    ``i``-th generator spawned from ``rng`` and may run in another process or on a
    Dask cluster (see :mod:`peereval._parallel`), with the same replicates whatever
    ``n_jobs`` is. ``statistic`` maps a (resamples x n) count matrix to one value per
    resample and must be a module-level function.
    """
    sizes = blocks_for(n_boot, n, CHUNK_ENTRIES)
    parts = map_blocks(_bootstrap_block, sizes, rng, n_jobs=n_jobs, statistic=statistic,
                       n=n, **shared)
    return np.concatenate(parts)


def _bootstrap_block(rng: np.random.Generator, size: int, *,
                     statistic: Callable[..., np.ndarray], n: int, **shared: Any
                     ) -> np.ndarray:
    return np.asarray(statistic(resample_counts(rng, n, size), **shared), float)


def _normal_interpolation(replicates: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Quantiles of the replicates by Davison & Hinkley's eq. 5.8.

    With ``R`` ordered replicates t*(1) <= ... <= t*(R) and ``k = floor((R+1) p)``:
    t*(k) when ``(R+1) p`` is an integer; the extreme replicate when k is 0 or R;
    otherwise linear interpolation between t*(k) and t*(k+1) on the scale of
    Φ⁻¹(p) between Φ⁻¹(k/(R+1)) and Φ⁻¹((k+1)/(R+1)).
    """
    t = np.sort(replicates[np.isfinite(replicates)])
    r = t.size
    if r == 0:
        return np.full(probabilities.shape, np.nan)
    rk = (r + 1) * probabilities
    k = np.floor(rk).astype(int)
    if np.any((rk <= 1) | (rk >= r)):
        warnings.warn(
            f"the interval uses the most extreme of only {r} bootstrap replicates; "
            "increase n_boot (2,000 or more for 95% intervals)",
            PeerevalWarning, stacklevel=user_stacklevel())
    out = np.empty(probabilities.shape)
    for i, (ki, rki, p) in enumerate(zip(k, rk, probabilities, strict=True)):
        if ki <= 0:
            out[i] = t[0]
        elif ki >= r:
            out[i] = t[-1]
        elif ki == rki:
            out[i] = t[ki - 1]
        else:
            z = _ndtri(p)
            z_lo = _ndtri(ki / (r + 1))
            z_hi = _ndtri((ki + 1) / (r + 1))
            out[i] = t[ki - 1] + (z - z_lo) / (z_hi - z_lo) * (t[ki] - t[ki - 1])
    return out


def percentile_interval(replicates: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of the bootstrap replicates."""
    tail = (1 - level) / 2
    low, high = _normal_interpolation(np.asarray(replicates, float),
                                      np.array([tail, 1 - tail]))
    return float(low), float(high)


def influence_from_jackknife(leave_one_out: np.ndarray) -> np.ndarray:
    """Empirical influence values L_i = (n - 1)(mean of θ₍₋ⱼ₎ - θ₍₋ᵢ₎)."""
    values = np.asarray(leave_one_out, float)
    return (values.size - 1) * (values.mean() - values)


def bca_interval(estimate: float, replicates: np.ndarray, influence: np.ndarray,
                 level: float = 0.95) -> tuple[float, float]:
    """Bias-corrected and accelerated interval.

    .. math::

        z_0 = \\Phi^{-1}\\left(\\frac{\\#\\{\\theta^*_b < \\hat\\theta\\}}{B}\\right),\\quad
        a = \\frac{\\sum L_i^3}{6 (\\sum L_i^2)^{3/2}},\\quad
        \\alpha' = \\Phi\\left(z_0 + \\frac{z_0 + z_\\alpha}{1 - a (z_0 + z_\\alpha)}\\right)

    and the interval is read at the adjusted probabilities α' (Efron 1987).
    """
    t = np.asarray(replicates, float)
    t = t[np.isfinite(t)]
    influence = np.asarray(influence, float)
    share_below = np.mean(t < estimate)
    if share_below in (0.0, 1.0):
        warnings.warn("every bootstrap replicate lies on one side of the estimate; the BCa "
                      "interval is undefined, so the percentile interval is reported",
                      PeerevalWarning, stacklevel=user_stacklevel())
        return percentile_interval(t, level)
    z0 = _ndtri(share_below)
    denominator = 6 * np.sum(influence**2) ** 1.5
    accel = float(np.sum(influence**3) / denominator) if denominator > 0 else 0.0
    tail = (1 - level) / 2
    z = _ndtri(np.array([tail, 1 - tail]))
    adjusted = special.ndtr(z0 + (z0 + z) / (1 - accel * (z0 + z)))
    low, high = _normal_interpolation(t, adjusted)
    return float(low), float(high)


CIMethod = Literal["feldt", "percentile", "bca"]

"""Resampling in blocks: the same numbers on one core, all cores or a Dask cluster.

Every random procedure with many independent draws (bootstrap, permutation,
simulated null distributions, simulation-based power) is cut into *blocks* whose
sizes depend only on the problem (n, number of draws), never on how many workers
run them. Block ``i`` draws from its own generator, the ``i``-th child spawned from
the caller's seed (numpy's ``SeedSequence.spawn``, which gives statistically
independent streams; O'Neill 2015, PCG). The blocks are then evaluated with
:class:`joblib.Parallel`:

* ``n_jobs=None`` (default) follows the active joblib configuration: one process
  unless the caller set ``joblib.parallel_config(n_jobs=...)``;
* ``n_jobs=-1`` uses every core (joblib's loky process pool);
* inside ``with joblib.parallel_config(backend="dask"):`` with a
  ``dask.distributed.Client`` connected, the blocks run on the Dask cluster.

Because block ``i`` always sees the same stream and runs with one BLAS thread, the
result is bit for bit the same whichever way the blocks are run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from peereval.errors import PeerevalError

__all__ = ["block_sizes", "blocks_for", "check_n_jobs", "map_blocks", "spawn_generators"]

T = TypeVar("T")


def block_sizes(total: int, per_block: int) -> list[int]:
    """Split ``total`` draws into blocks of at most ``per_block`` (the last may be short).

    Examples
    --------
    >>> block_sizes(10, 4)
    [4, 4, 2]
    """
    per_block = max(1, int(per_block))
    full, rest = divmod(int(total), per_block)
    return [per_block] * full + ([rest] if rest else [])


def spawn_generators(rng: np.random.Generator, count: int) -> list[np.random.Generator]:
    """``count`` independent child generators of ``rng`` (advances its spawn counter).

    Examples
    --------
    >>> a = spawn_generators(np.random.default_rng(1), 2)
    >>> b = spawn_generators(np.random.default_rng(1), 2)
    >>> bool(a[1].integers(0, 10**9) == b[1].integers(0, 10**9))
    True
    """
    try:
        return rng.spawn(count)
    except TypeError:  # a generator built from a bit generator without a seed sequence
        seeds = rng.integers(0, 2**63, size=count)
        return [np.random.default_rng(int(seed)) for seed in seeds]


def check_n_jobs(n_jobs: int | None) -> int | None:
    """Validate ``n_jobs`` (None, -1, -2, ... or a positive int)."""
    if n_jobs is None:
        return None
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int | np.integer) or n_jobs == 0:
        raise PeerevalError(f"n_jobs must be a positive number of workers, -1 for every "
                            f"core, or None, not {n_jobs!r}", value=n_jobs)
    return int(n_jobs)


def map_blocks(task: Callable[..., T], sizes: list[int], rng: np.random.Generator, *,
               n_jobs: int | None = None, **shared: Any) -> list[T]:
    """``[task(child_i, size_i, **shared) for each block]``, possibly in parallel.

    ``task`` must be a module-level function (it is pickled to worker processes or a
    Dask cluster) and ``shared`` its read-only inputs. With one block, or when joblib
    would use a single worker, the blocks run in this process without joblib's
    overhead; the children are spawned first in either case, so the numbers agree.
    """
    n_jobs = check_n_jobs(n_jobs)
    children = spawn_generators(rng, len(sizes))
    # The limit is also set here, around the whole run, so that blocks running in
    # threads of this process (joblib's threading backend) never see it lifted by
    # another block finishing first.
    from joblib import Parallel, delayed, effective_n_jobs

    with _one_blas_thread():
        if len(sizes) <= 1 or effective_n_jobs(n_jobs) == 1:
            return [task(child, size, **shared)
                    for child, size in zip(children, sizes, strict=True)]
        parallel = Parallel(n_jobs=n_jobs, prefer="processes")
        return list(parallel(delayed(_run_block)(task, child, size, shared)
                             for child, size in zip(children, sizes, strict=True)))


def _run_block(task: Callable[..., T], rng: np.random.Generator, size: int,
               shared: dict[str, Any]) -> T:
    """Run one block with a single BLAS thread.

    OpenBLAS and MKL split a matrix product differently with different thread
    counts, which changes the last bits of sums; one thread everywhere (this
    process, a loky worker or a Dask worker) keeps the numbers identical. The workers
    supply the parallelism.
    """
    with _one_blas_thread():
        return task(rng, size, **shared)


_CONTROLLER: list[Any] = []


def _one_blas_thread() -> Any:
    """A context limiting BLAS to one thread.

    The controller that finds the loaded BLAS libraries is built once per process:
    building it reads the process's memory map, a few milliseconds that would
    otherwise be paid by every block.
    """
    if not _CONTROLLER:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1, user_api="blas")


def blocks_for(total: int, entries_per_draw: int, max_entries: int,
               max_per_block: int = 250) -> list[int]:
    """Block sizes for ``total`` draws each touching ``entries_per_draw`` numbers.

    A block holds at most ``max_entries`` numbers (memory) and ``max_per_block`` draws
    (so that even small problems split into several blocks for the workers).
    """
    per_block = max(1, min(max_per_block, max_entries // max(entries_per_draw, 1)))
    return block_sizes(total, per_block)


"""Resampling on one core, every core and a local Dask cluster gives the same numbers.

Every random procedure cuts its draws into blocks whose sizes depend only on the
problem, and block i draws from the i-th child of the seed, so how (and where) the
blocks run cannot change the result. These tests run each procedure in this process,
in joblib's loky process pool, under ``joblib.parallel_config`` and on a two-worker
``dask.distributed.LocalCluster``, and require bit-for-bit equal results.
"""

from __future__ import annotations

import joblib
import numpy as np
import pandas as pd
import pytest

from peereval._parallel import block_sizes, blocks_for, map_blocks, spawn_generators
from peereval.errors import PeerevalError
from peereval.outcomes import compare, simulate_power
from peereval.reliability import alpha, krippendorff_alpha
from peereval.validity import parallel_analysis


def _items(n: int = 400, k: int = 8, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    common = rng.standard_normal((n, 1))
    values = np.clip(np.round(3 + 0.9 * common + rng.standard_normal((n, k))), 1, 5)
    return pd.DataFrame(values, columns=[f"q{j}" for j in range(k)])


def _groups(seed: int = 9) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"score": np.concatenate([rng.normal(0.3, 1, 40),
                                                  rng.normal(0, 1, 45)]),
                         "mentored": ["yes"] * 40 + ["no"] * 45})


def _ratings(seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, 5, 120)
    coders = {f"c{j}": np.clip(truth + rng.integers(-1, 2, 120), 1, 4) for j in range(3)}
    return pd.DataFrame(coders).astype(float)


#: Each procedure with a fixed seed; returns the numbers that must not move.
PROCEDURES = {
    "alpha_bca": lambda jobs: alpha(_items(), ci="bca", n_boot=1000, seed=5,
                                    n_jobs=jobs).replicates,
    "alpha_pairwise": lambda jobs: alpha(_items(120).mask(np.eye(120, 8, dtype=bool)),
                                         missing="pairwise", ci="percentile", n_boot=300,
                                         seed=6, n_jobs=jobs).replicates,
    "permutation": lambda jobs: compare(_groups(), "score", "mentored", test="permutation",
                                        n_perm=20_000, seed=8, n_jobs=jobs).p_value,
    "parallel_analysis": lambda jobs: parallel_analysis(
        _items(), n_iter=600, seed=2, n_jobs=jobs).table.to_numpy(),
    "krippendorff": lambda jobs: (lambda r: (r.ci_low, r.ci_high))(krippendorff_alpha(
        _ratings(), metric="ordinal", n_boot=600, seed=3, n_jobs=jobs)),
    "simulate_power": lambda jobs: simulate_power(effect=0.4, n=(30, 50), n_sim=1200,
                                                  test="welch", seed=4,
                                                  n_jobs=jobs).rejections,
}


@pytest.fixture(scope="module")
def single_process():
    return {name: run(1) for name, run in PROCEDURES.items()}


@pytest.mark.parametrize("name", sorted(PROCEDURES))
def test_all_cores_give_the_single_process_numbers(name, single_process):
    np.testing.assert_array_equal(PROCEDURES[name](2), single_process[name])


@pytest.mark.parametrize("name", ["alpha_bca", "permutation", "simulate_power"])
def test_joblib_configuration_is_followed_without_code_changes(name, single_process):
    with joblib.parallel_config(backend="threading", n_jobs=2):
        threaded = PROCEDURES[name](None)
    np.testing.assert_array_equal(threaded, single_process[name])


def test_dask_cluster_gives_the_single_process_numbers(single_process):
    distributed = pytest.importorskip("distributed")
    with (distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   dashboard_address=None) as cluster,
          distributed.Client(cluster) as client,
          distributed.get_task_stream(client) as stream,
          joblib.parallel_config(backend="dask")):
        on_cluster = {name: run(None) for name, run in PROCEDURES.items()}
    for name, values in on_cluster.items():
        np.testing.assert_array_equal(values, single_process[name], err_msg=name)
    workers = {task["worker"] for task in stream.data}
    assert len(stream.data) >= len(PROCEDURES), "the blocks did not run on the cluster"
    assert len(workers) == 2, f"expected both workers to take blocks, got {workers}"


def test_a_different_seed_gives_different_resamples():
    first = alpha(_items(), ci="percentile", n_boot=300, seed=1).replicates
    second = alpha(_items(), ci="percentile", n_boot=300, seed=2).replicates
    assert not np.array_equal(first, second)


def test_blocks_depend_on_the_problem_only():
    assert block_sizes(1000, 250) == [250] * 4
    assert block_sizes(1001, 250) == [250] * 4 + [1]
    assert blocks_for(2000, 50_000, 8_000_000) == [160] * 12 + [80]
    assert blocks_for(1000, 60 * 60, 4_000_000) == [250] * 4
    assert sum(blocks_for(123_457, 1, 10**9)) == 123_457


def test_children_are_independent_streams_of_the_seed():
    children = spawn_generators(np.random.default_rng(3), 3)
    draws = [child.integers(0, 2**62, 4).tolist() for child in children]
    assert len({tuple(d) for d in draws}) == 3
    again = [c.integers(0, 2**62, 4).tolist()
             for c in spawn_generators(np.random.default_rng(3), 3)]
    assert draws == again


def test_a_generator_without_seed_sequence_still_spawns():
    # a bit generator taken from a legacy RandomState has no spawnable SeedSequence
    legacy = np.random.Generator(np.random.RandomState(5)._bit_generator)
    with pytest.raises(TypeError):
        legacy.spawn(2)
    first = [c.integers(0, 10**9) for c in spawn_generators(legacy, 2)]
    again = np.random.Generator(np.random.RandomState(5)._bit_generator)
    assert first == [c.integers(0, 10**9) for c in spawn_generators(again, 2)]
    assert first[0] != first[1]


def test_map_blocks_order_follows_the_blocks():
    values = map_blocks(_first_draw_and_size, [3, 1, 2], np.random.default_rng(0), n_jobs=2)
    expected = [_first_draw_and_size(child, size)
                for child, size in zip(np.random.default_rng(0).spawn(3), [3, 1, 2],
                                       strict=True)]
    assert values == expected


def _first_draw_and_size(rng: np.random.Generator, size: int) -> tuple[int, int]:
    return int(rng.integers(0, 10**9)), size


@pytest.mark.parametrize("bad", [0, 1.5, "all", True])
def test_bad_n_jobs_is_a_peereval_error(bad):
    with pytest.raises(PeerevalError, match="n_jobs"):
        alpha(_items(60), ci="percentile", n_boot=200, seed=1, n_jobs=bad)


def test_bootstrap_memory_stays_bounded_on_a_national_cohort():
    """Issue 8: alpha with a 2,000-resample BCa interval on 50,000 x 60 allocates
    well under 1 GiB. Without blocks the count matrix alone would be 2,000 x 50,000
    float64 (800 MB) beside as many int64 indices."""
    import tracemalloc

    rng = np.random.default_rng(8)
    data = pd.DataFrame(np.clip(np.round(3 + rng.standard_normal((50_000, 1))
                                         + rng.standard_normal((50_000, 60))), 1, 5))
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = alpha(data, ci="bca", n_boot=2000, seed=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.replicates.size == 2000
    assert peak < 512 * 2**20, f"peak {peak / 2**20:.0f} MiB"

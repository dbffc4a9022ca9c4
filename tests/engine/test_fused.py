"""The compiled whole-index steps give, bit for bit, what their numpy formulas give: random
arrays (ties and zeros included), read-only inputs as a kept match holds them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search_app.engine import fused
from search_app.engine.compiled import AVAILABLE

pytestmark = pytest.mark.skipif(not AVAILABLE, reason="numba is not installed")

sizes = st.integers(0, 300)
seeds = st.integers(0, 2**32 - 1)
f32 = st.floats(0, 1e6, width=32, allow_subnormal=False)


def _scores(rng: np.random.Generator, size: int) -> np.ndarray:
    """Non-negative float32 scores, a third of them 0 and some repeated (ties)."""
    values = rng.choice(np.asarray([0, 0.5, 3.25], dtype=np.float32), size)
    fresh = rng.random(size).astype(np.float32) * np.float32(rng.uniform(0.01, 1e4))
    return np.where(rng.random(size) < 0.5, values, fresh).astype(np.float32)


def _mask(rng: np.random.Generator, size: int) -> np.ndarray:
    return rng.random(size) < rng.uniform(0, 1)


def _frozen(array: np.ndarray, readonly: bool) -> np.ndarray:
    if readonly:
        array = array.copy()
        array.flags.writeable = False
    return array


def _both(step):  # noqa: ANN001, ANN202
    """`step(compiled)` run both ways, on the same inputs."""
    return step(True), step(False)


def _same_in_place(start: np.ndarray, change) -> None:  # noqa: ANN001
    """`change(array, compiled)` applied to copies of `start` both ways: the same bytes."""
    def step(compiled: bool) -> np.ndarray:
        array = start.copy()
        change(array, compiled)
        return array

    ours, numpys = _both(step)
    assert ours.dtype == numpys.dtype
    assert ours.tobytes() == numpys.tobytes()


@settings(max_examples=150, deadline=None)
@given(size=sizes, seed=seeds, best=f32, readonly=st.booleans())
def test_raise_where(size, seed, best, readonly) -> None:
    rng = np.random.default_rng(seed)
    start, mask = _scores(rng, size), _frozen(_mask(rng, size), readonly)

    _same_in_place(start, lambda value, compiled: fused.raise_where(
        value, mask, np.float32(best), compiled=compiled))


@settings(max_examples=150, deadline=None)
@given(size=sizes, seed=seeds, weight=st.floats(0, 4, width=32), readonly=st.booleans())
def test_add_clause(size, seed, weight, readonly) -> None:
    rng = np.random.default_rng(seed)
    start = _scores(rng, size)
    valued, value, text = (_frozen(a, readonly) for a in (
        _mask(rng, size), _scores(rng, size), _scores(rng, size)))

    _same_in_place(start, lambda scores, compiled: fused.add_clause(
        scores, valued, value, text, np.float32(weight), compiled=compiled))


@settings(max_examples=100, deadline=None)
@given(size=sizes, seed=seeds, readonly=st.booleans())
def test_keep_where(size, seed, readonly) -> None:
    rng = np.random.default_rng(seed)
    start, mask = _scores(rng, size), _frozen(_mask(rng, size), readonly)
    ours, numpys = _both(lambda compiled: fused.keep_where(start.copy(), mask, compiled))
    assert ours.tobytes() == numpys.tobytes()
    assert not ours[~mask].any()


@settings(max_examples=100, deadline=None)
@given(size=sizes, seed=seeds, step_by=st.integers(1, 40), readonly=st.booleans())
def test_add_tier(size, seed, step_by, readonly) -> None:
    rng = np.random.default_rng(seed)
    start = rng.integers(0, 1000, size).astype(np.int32)
    met = _frozen(_mask(rng, size), readonly)

    _same_in_place(start, lambda tier, compiled: fused.add_tier(
        tier, met, step_by, compiled=compiled))


@settings(max_examples=100, deadline=None)
@given(size=sizes, seed=seeds, readonly=st.booleans())
def test_sum_where(size, seed, readonly) -> None:
    rng = np.random.default_rng(seed)
    funding = _frozen(rng.integers(0, 10**12, size, dtype=np.int64), readonly)
    mask = _frozen(_mask(rng, size), readonly)
    ours, numpys = _both(lambda compiled: fused.sum_where(funding, mask, compiled))
    assert ours == numpys == int(funding[mask].sum())


@settings(max_examples=150, deadline=None)
@given(size=sizes, seed=seeds, readonly=st.booleans())
def test_relevance_keys(size, seed, readonly) -> None:
    rng = np.random.default_rng(seed)
    scores = _frozen(_scores(rng, size), readonly)
    tier = _frozen(rng.integers(0, 12, size).astype(np.int32), readonly)
    docs = np.flatnonzero(_mask(rng, size))
    (mine, key), (mine_np, key_np) = _both(
        lambda compiled: fused.relevance_keys(docs, scores, tier, compiled))
    assert mine.tobytes() == mine_np.tobytes()
    assert key.dtype == key_np.dtype == np.float64
    assert key.tobytes() == key_np.tobytes()


@settings(max_examples=150, deadline=None)
@given(size=sizes, seed=seeds, weight=st.floats(0, 2, width=32), readonly=st.booleans(),
       narrow=st.booleans())
def test_add_pair(size, seed, weight, readonly, narrow) -> None:
    rng = np.random.default_rng(seed)
    start = _scores(rng, size)
    first, second = (_frozen(_scores(rng, size), readonly) for _ in range(2))
    docs = np.flatnonzero(_mask(rng, size)).astype(np.int32 if narrow else np.int64)
    rng.shuffle(docs)  # distinct, in any order

    _same_in_place(start, lambda scores, compiled: fused.add_pair(
        scores, docs, first, second, np.float32(weight), compiled=compiled))


def test_a_pair_out_of_range_raises_instead_of_writing_outside() -> None:
    scores, texts = np.zeros(4, dtype=np.float32), np.ones(4, dtype=np.float32)
    for bad in (4, -1, 2**40):
        with pytest.raises(IndexError):
            fused.add_pair(scores, np.asarray([1, bad]), texts, texts, np.float32(1))


def test_arrays_of_different_sizes_raise_instead_of_reading_outside() -> None:
    short, long = np.zeros(3, dtype=bool), np.zeros(5, dtype=np.float32)
    with pytest.raises(ValueError):
        fused.keep_where(long, short)
    with pytest.raises(ValueError):
        fused.raise_where(long, short, np.float32(1))
    with pytest.raises(ValueError):
        fused.add_tier(np.zeros(5, dtype=np.int32), short, 2)
    with pytest.raises(ValueError):
        fused.sum_where(np.zeros(5, dtype=np.int64), short)
    with pytest.raises(IndexError):
        fused.relevance_keys(np.asarray([0, 7]), long, np.zeros(5, dtype=np.int32))

"""The compiled scoring pass adds, bit for bit, the contributions numpy's formula computes:
float32 throughout, the same operations in the same order; postings read from disk
(read-only) and filtered ones alike."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search_app.engine import bm25

SIZE = 200
f32 = st.floats(0, 1e4, width=32, allow_subnormal=False)


@settings(max_examples=300, deadline=None)
@given(docs=st.lists(st.integers(0, SIZE - 1), unique=True, max_size=80).map(sorted),
       seed=st.integers(0, 2**32 - 1), weight=st.floats(0.001, 50),
       avg=st.floats(1.0, 500), readonly=st.booleans(), start=f32)
def test_compiled_pass_equals_the_formula(docs, seed, weight, avg, readonly, start) -> None:
    rng = np.random.default_rng(seed)
    ids = np.asarray(docs, dtype=np.int32)
    tf = rng.integers(1, 40, ids.size).astype(np.float32) * rng.choice(
        np.asarray([1, 0.5, 1.75], dtype=np.float32), ids.size)
    lengths = rng.integers(0, 3000, SIZE).astype(np.float32)
    if readonly:  # as `indexer.postings` reads them
        ids = np.frombuffer(ids.tobytes(), dtype=np.int32)
        tf = np.frombuffer(tf.tobytes(), dtype=np.float32)
    scores = {}
    for compiled in (True, False):
        score = np.full(SIZE, start, dtype=np.float32)  # added to what is there
        mask = np.zeros(SIZE, dtype=bool)
        bm25.add_term(ids, tf, lengths, weight, avg, score, mask, compiled=compiled)
        assert np.array_equal(np.flatnonzero(mask), ids)
        scores[compiled] = score
    assert scores[True].tobytes() == scores[False].tobytes()
    expected = np.full(SIZE, start, dtype=np.float32)
    expected[ids] += bm25.contributions(tf, lengths[ids], weight, avg)
    assert scores[True].tobytes() == expected.tobytes()


def test_a_damaged_posting_raises_instead_of_writing_outside() -> None:
    # Compiled code has no bounds checks of its own: the pass checks each document.
    lengths = np.ones(10, dtype=np.float32)
    for bad in (10, 2_000_000_000, -1):
        score = np.zeros(10, dtype=np.float32)
        mask = np.zeros(10, dtype=bool)
        docs = np.asarray([1, bad], dtype=np.int32)
        with pytest.raises(IndexError):
            bm25.add_term(docs, np.ones(2, dtype=np.float32), lengths, 1.0, 1.0, score, mask)
        assert not mask[0] and mask[1]  # stopped at the bad one

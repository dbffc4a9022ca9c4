"""A term's BM25 contributions added into a whole-index score array, in one compiled pass over
its postings.

The numpy formula (`contributions`) makes five temporaries the size of the posting list and
a scatter; the compiled pass reads each posting once and adds its contribution in place,
with the same float32 operations in the same order (numpy computes the formula in float32:
the postings' frequencies and the field lengths are float32), so the scores are bit for bit
the same. Without numba the numpy formula answers.
"""

from __future__ import annotations

import numpy as np

from search_app.engine.compiled import AVAILABLE, kernel, signatures
from search_app.engine.relevance import K1, B


def contributions(tf: np.ndarray, lengths: np.ndarray, weight: float, avg: float
                  ) -> np.ndarray:
    """Each posting's BM25 score (`weight`: the field's boost times the term's idf;
    `lengths`: the field's length in each posting's document; `avg`: its mean)."""
    norm = tf + K1 * ((1 - B) + B * lengths / avg)
    return (weight * tf * (K1 + 1) / norm).astype(np.float32, copy=False)


def _add(docs, tf, lengths, weight, k1, b, rest, avg, k1_plus_1, score, mask):  # noqa: ANN001, ANN202
    # Compiled code has no bounds checks: a damaged posting list must raise, as numpy's
    # indexing does, not read or write outside the arrays.
    if tf.size < docs.size:
        raise IndexError("fewer frequencies than postings: the version is damaged")
    for i in range(docs.size):
        d = docs[i]
        if d < 0 or d >= score.size:
            raise IndexError("a posting's document is out of range: the version is damaged")
        norm = tf[i] + k1 * (rest + b * lengths[d] / avg)
        score[d] += weight * tf[i] * k1_plus_1 / norm
        mask[d] = True


# Postings read from disk are read-only, filtered ones are not: both are declared
# (`compiled.signatures`), so both are compiled (or loaded from the cache) before any request.
_SIGNATURES = signatures("void", "i32[]", "f32[]", "f32[]w", *["f32"] * 6, "f32[]w", "bool[]w")


def _kernel():  # noqa: ANN202 - a numba dispatcher
    return kernel(_add, _SIGNATURES)


def add_term(docs: np.ndarray, tf: np.ndarray, lengths: np.ndarray, weight: float, avg: float,
             score: np.ndarray, mask: np.ndarray, compiled: bool = AVAILABLE) -> None:
    """score[docs] += the postings' contributions; mask[docs] = True (`lengths`: the field's
    length of every document)."""
    if not docs.size:
        return
    if not compiled:
        score[docs] += contributions(tf, lengths[docs], weight, avg)
        mask[docs] = True
        return
    f32 = np.float32
    # The constants as numpy rounds them, each to float32 before its operation.
    _kernel()(docs, tf, lengths, f32(weight), f32(K1), f32(B), f32(1 - B), f32(avg),
              f32(K1 + 1), score, mask)


def warm() -> None:
    """Compile the pass (or load it from numba's cache) before any request."""
    if AVAILABLE:
        _kernel()

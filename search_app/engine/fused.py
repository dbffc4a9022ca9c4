"""The match's and the ranking's steps over every document, each one compiled loop.

Written in numpy, each step makes temporaries the size of the index (`np.where` of a mask and
two arrays, a cast, a product) and reads them again: at hundreds of thousands of records a
step costs milliseconds. Compiled, a step reads each input once and writes in place, with
the same float32 (or float64, or integer) operations in the same order as numpy's, so the
answers are bit for bit the same (`tests/engine/test_fused.py`). Without numba, or with
`compiled=False`, the numpy formulas answer.
"""

from __future__ import annotations

import numpy as np

from search_app.engine.compiled import AVAILABLE, kernel, signatures


def _raise_where(value, mask, best):  # noqa: ANN001, ANN202 - compiled
    for i in range(value.size):
        if mask[i] and best > value[i]:
            value[i] = best


def _add_clause(scores, valued, value, text, weight):  # noqa: ANN001, ANN202 - compiled
    for i in range(scores.size):
        if valued[i]:
            scores[i] += value[i] + text[i] * weight
        else:
            scores[i] += text[i]


def _keep_where(scores, mask):  # noqa: ANN001, ANN202 - compiled
    for i in range(scores.size):
        if not mask[i]:
            scores[i] = 0


def _add_tier(tier, met, step):  # noqa: ANN001, ANN202 - compiled
    for i in range(tier.size):
        if met[i]:
            tier[i] += step


def _add_pair(scores, docs, first, second, weight):  # noqa: ANN001, ANN202 - compiled
    for i in range(docs.size):
        d = docs[i]
        if d < 0 or d >= scores.size or d >= first.size or d >= second.size:
            raise IndexError("a document out of range")  # compiled code checks no bounds
        scores[d] += (first[d] + second[d]) * weight


def _sum_where(values, mask):  # noqa: ANN001, ANN202 - compiled
    total = 0
    for i in range(values.size):
        if mask[i]:
            total += values[i]
    return total


def _relevance_keys(docs, scores, tier, mine, key):  # noqa: ANN001, ANN202 - compiled
    top = np.float32(0)
    for i in range(docs.size):
        if docs[i] < 0 or docs[i] >= scores.size or docs[i] >= tier.size:
            raise IndexError("a document out of range")  # compiled code checks no bounds
        s = scores[docs[i]]
        mine[i] = s
        if s > top:
            top = s
    factor = np.float64(top) + 1.0
    for i in range(docs.size):
        key[i] = np.float64(mine[i]) + np.float64(tier[docs[i]]) * factor


_KERNELS = {
    _raise_where: signatures("void", "f32[]w", "bool[]", "f32"),
    _add_clause: signatures("void", "f32[]w", "bool[]", "f32[]", "f32[]", "f32"),
    _keep_where: signatures("void", "f32[]w", "bool[]"),
    _add_tier: signatures("void", "i32[]w", "bool[]", "i32"),
    _add_pair: signatures("void", "f32[]w", "i64[]", "f32[]", "f32[]", "f32"),
    _sum_where: signatures("i64", "i64[]", "bool[]"),
    _relevance_keys: signatures("void", "i64[]", "f32[]", "i32[]", "f32[]w", "f64[]w"),
}


def _compiled(function):  # noqa: ANN001, ANN202 - a numba dispatcher
    return kernel(function, _KERNELS[function])


def _sized(*arrays: np.ndarray) -> None:
    """Arrays read side by side have one size: compiled loops check no bounds (numpy's
    formulas would refuse to broadcast them)."""
    if len({a.size for a in arrays}) > 1:
        raise ValueError(f"arrays of different sizes: {[a.size for a in arrays]}")


def warm() -> None:
    """Compile every loop (or load it from numba's cache) before any request."""
    if AVAILABLE:
        for function in _KERNELS:
            _compiled(function)


def raise_where(value: np.ndarray, mask: np.ndarray, best: np.float32,
                compiled: bool = AVAILABLE) -> None:
    """value = max(value, best) where `mask` holds, in place (`value` >= 0 everywhere)."""
    if compiled:
        _sized(value, mask)
        _compiled(_raise_where)(value, mask, np.float32(best))
    else:
        np.maximum(value, np.where(mask, best, np.float32(0)), out=value)


def add_clause(scores: np.ndarray, valued: np.ndarray, value: np.ndarray, text: np.ndarray,
               weight: np.float32, compiled: bool = AVAILABLE) -> None:
    """scores += value + text * weight where `valued` holds, else text; in place."""
    if compiled:
        _sized(scores, valued, value, text)
        _compiled(_add_clause)(scores, valued, value, text, np.float32(weight))
    else:
        scores += np.where(valued, value + text * np.float32(weight), text)


def keep_where(scores: np.ndarray, mask: np.ndarray, compiled: bool = AVAILABLE
               ) -> np.ndarray:
    """`scores` with 0 wherever `mask` does not hold, in place; returned."""
    if compiled:
        _sized(scores, mask)
        _compiled(_keep_where)(scores, mask)
        return scores
    return np.where(mask, scores, np.float32(0))


def add_tier(tier: np.ndarray, met: np.ndarray, step: int, compiled: bool = AVAILABLE
             ) -> None:
    """tier += step where `met` holds, in place (int32 throughout)."""
    if compiled:
        _sized(tier, met)
        _compiled(_add_tier)(tier, met, np.int32(step))
    else:
        tier += met.view(np.uint8) * np.int32(step)


def add_pair(scores: np.ndarray, docs: np.ndarray, first: np.ndarray, second: np.ndarray,
             weight: np.float32, compiled: bool = AVAILABLE) -> None:
    """scores[docs] += (first[docs] + second[docs]) * weight, in place (`docs` distinct)."""
    if compiled:
        _compiled(_add_pair)(scores, docs.astype(np.int64, copy=False), first, second,
                             np.float32(weight))
    else:
        scores[docs] += (first[docs] + second[docs]) * np.float32(weight)


def sum_where(values: np.ndarray, mask: np.ndarray, compiled: bool = AVAILABLE) -> int:
    """The sum of int64 `values` where `mask` holds."""
    if compiled:
        _sized(values, mask)
        return int(_compiled(_sum_where)(values, mask))
    return int(values[mask].sum())


def relevance_keys(docs: np.ndarray, scores: np.ndarray, tier: np.ndarray,
                   compiled: bool = AVAILABLE) -> tuple[np.ndarray, np.ndarray]:
    """(scores[docs], their sort keys): each score in float64 plus its tier times one more
    than the best score, so a higher tier outweighs any score (scores are finite, >= 0)."""
    if compiled:
        mine = np.empty(docs.size, dtype=np.float32)
        key = np.empty(docs.size, dtype=np.float64)
        _compiled(_relevance_keys)(docs.astype(np.int64, copy=False), scores, tier, mine, key)
        return mine, key
    mine = scores[docs]
    key = mine.astype(np.float64)
    return mine, key + tier[docs].astype(np.float64) * (float(mine.max(initial=0)) + 1)

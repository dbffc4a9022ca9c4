"""`make bench`: build, serve and query the engine at Atlas scale, beside a SQLite FTS5 baseline.

Entry point: `python -m bench.run` (see bench/run.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def summarize(values_ms: Sequence[float]) -> dict[str, float | int | None]:
    """n, p50, p95, p99, mean and max of latencies in milliseconds (None when empty)."""
    n = len(values_ms)
    if not n:
        return {"n": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "mean_ms": None,
                "max_ms": None}
    arr = np.asarray(values_ms, dtype=np.float64)
    p50, p95, p99 = np.percentile(arr, [50, 95, 99])
    return {
        "n": n,
        "p50_ms": round(float(p50), 3),
        "p95_ms": round(float(p95), 3),
        "p99_ms": round(float(p99), 3),
        "mean_ms": round(float(arr.mean()), 3),
        "max_ms": round(float(arr.max()), 3),
    }

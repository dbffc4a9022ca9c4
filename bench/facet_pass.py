"""Facet counting alone, the compiled pass against the numpy reference, on many matches.

    python -m bench.facet_pass --index DIR [--repeat 200]

Every live document matches (the widest set a search counts over), under no filter, one
filter and two filters; the two paths alternate call by call, so a busy machine slows both
alike. Also times the filter masks: from posting lists against `np.isin` over every document.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from search_app.engine.facets import count_facets
from search_app.engine.filters import facet_mask, year_mask
from search_app.engine.service import SearchService


def _isin_mask(data, facet: str, indices: list[int]) -> np.ndarray:
    """The filter as it was: np.isin over every document."""
    wanted = np.asarray([i for i in indices if i >= 0], dtype=np.int32)
    if facet in data.single:
        return np.isin(data.single[facet], wanted)
    docs, vals = data.multi[facet]
    mask = np.zeros(data.size, dtype=bool)
    mask[docs[np.isin(vals, wanted)]] = True
    return mask


def _years_compared(data, lo: int, hi: int) -> np.ndarray:
    years = data.start_year
    return (years > 0) & (years >= lo) & (years <= hi)


def _timed(fns: dict[str, Callable[[], object]], repeat: int) -> dict[str, tuple[float, float]]:
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - start) * 1000)
    out = {}
    for name, ts in times.items():
        ts.sort()
        out[name] = (statistics.median(ts), ts[int(len(ts) * 0.95)])
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index", required=True)
    p.add_argument("--repeat", type=int, default=200)
    args = p.parse_args(argv)
    data = SearchService(args.index, cache_size=0).handle().data
    base = data.alive.copy()
    country = int(np.bincount(data.multi["country"][1]).argmax())
    theme = int(np.bincount(data.single["theme"][data.single["theme"] >= 0]).argmax())
    cases = {
        "no filter": {},
        "country": {"country": facet_mask(data, "country", [country])},
        "country+theme": {"country": facet_mask(data, "country", [country]),
                          "theme": facet_mask(data, "theme", [theme])},
        "country+years": {"country": facet_mask(data, "country", [country]),
                          "start_year": year_mask(data, 2010, 2018)},
    }
    print(f"{int(base.sum())} matching documents of {data.size}; median / p95, ms")
    for name, masks in cases.items():
        got = _timed({
            "compiled": lambda m=masks: count_facets(data, base, m, {}, None, None,
                                                     compiled=True),
            "numpy": lambda m=masks: count_facets(data, base, m, {}, None, None,
                                                  compiled=False),
        }, args.repeat)
        print(f"count_facets, {name}: " + ", ".join(
            f"{k} {a:.3f} / {b:.3f}" for k, (a, b) in got.items()))
    got = _timed({
        "postings": lambda: facet_mask(data, "country", [country]),
        "isin": lambda: _isin_mask(data, "country", [country]),
        "theme postings": lambda: facet_mask(data, "theme", [theme]),
        "theme isin": lambda: _isin_mask(data, "theme", [theme]),
        "years sorted": lambda: year_mask(data, 2010, 2018),
        "years compared": lambda: _years_compared(data, 2010, 2018),
    }, args.repeat)
    print("filter masks: " + ", ".join(f"{k} {a:.3f} / {b:.3f}" for k, (a, b) in got.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

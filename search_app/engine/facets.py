"""Disjunctive facet counts from the matching document set.

Each facet is counted under every active filter except its own, so the values of a
selected facet still show what they would add (OR within a facet, AND across facets).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from indexer.facetdata import FacetData
from indexer.fields import FACETS, YEAR, Facet, fold_value
from search_app.engine import facetpass


def combine(base: np.ndarray, masks: dict[str, np.ndarray], skip: str | None = None
            ) -> np.ndarray:
    out = base.copy()
    for name, mask in masks.items():
        if name != skip:
            out &= mask
    return out


class Counted(NamedTuple):
    """The documents a facet is counted over: a mask of every document, and the numbers of
    those it holds (gathering by numbers is five times faster than by a mask)."""

    mask: np.ndarray
    docs: np.ndarray


def counted(mask: np.ndarray) -> Counted:
    return Counted(mask, np.flatnonzero(mask))


def value_counts(data: FacetData, facet: str, where: Counted) -> tuple[np.ndarray, np.ndarray]:
    """(records, summed funding) of each value of `facet` over `where`."""
    n = len(data.values[facet])
    if facet in data.single:
        # -1 (no value) lands in bucket 0, dropped.
        codes = data.single[facet][where.docs] + 1
        return (np.bincount(codes, minlength=n + 1)[1:],
                np.bincount(codes, weights=data.funding_weights()[where.docs],
                            minlength=n + 1)[1:])
    sets = data.value_sets(facet)
    if sets is not None:
        codes, matrix = sets
        mine = codes[where.docs]
        size = matrix.shape[0]
        records = np.bincount(mine, minlength=size) @ matrix
        funding = np.bincount(mine, weights=data.funding_weights()[where.docs],
                              minlength=size) @ matrix
        return np.rint(records).astype(np.int64), funding
    docs, vals = data.multi[facet]
    hit = np.flatnonzero(where.mask[docs])
    return (np.bincount(vals[hit], minlength=n),
            np.bincount(vals[hit], weights=data.pair_funding(facet)[hit], minlength=n))


Tally = tuple[np.ndarray, np.ndarray]  # (records, summed funding) of each value


def _ordered_values(data: FacetData, declared: Facet, where: Counted | Tally,
                    selected: list[int], top: int | None = None
                    ) -> tuple[list[int], np.ndarray, np.ndarray, set[int], int]:
    """(value indexes with a count or selected, most frequent first then by name; counts;
    funding sums; the selected indexes; how many values that is), over `where` or as already
    tallied. With `top`, the order holds only the first `top` and the selected values."""
    facet = declared.name
    counts, sums = value_counts(data, facet, where) if isinstance(where, Counted) else where
    chosen = {i for i in selected if i >= 0}
    keep = counts > 0
    keep[list(chosen)] = True  # a selected value stays listed, even at zero
    shown = np.flatnonzero(keep)
    total = int(shown.size)
    if top and total > top:
        # Only values counted at least as often as the top-th can come first (ties
        # included, as names order them): the thousands of others are not sorted.
        least = np.partition(counts[shown], total - top)[total - top]
        keep &= counts >= least
        keep[list(chosen)] = True
        shown = np.flatnonzero(keep)
    # Most frequent first, then by name; in numpy, as the authority list runs to thousands.
    order = shown[np.lexsort((data.alphabetical_rank(facet)[shown], -counts[shown]))].tolist()
    return order, counts, sums, chosen, total


def _items(data: FacetData, declared: Facet, order: list[int], counts: np.ndarray,
           sums: np.ndarray, chosen: set[int]) -> list[dict[str, Any]]:
    values, labels = data.values[declared.name], data.labels(declared.name)
    counts_list, sums_list = counts.tolist(), sums.tolist()
    return [
        {
            "value": values[i],
            "label": labels[i],
            "count": counts_list[i],
            "funding_eur": int(sums_list[i]),
            "selected": i in chosen,
        }
        for i in order
    ]


def value_facet(data: FacetData, declared: Facet, where: Counted | Tally, selected: list[int]
                ) -> tuple[list[dict[str, Any]], int]:
    """(the facet's items, at most `declared.limit` plus the selected ones; how many values
    the facet has over `where`, listed or not)."""
    limit = declared.limit
    order, counts, sums, chosen, total = _ordered_values(data, declared, where, selected,
                                                         limit)
    if limit and len(order) > limit:
        order = order[:limit] + ([i for i in order[limit:] if i in chosen] if chosen else [])
    return _items(data, declared, order, counts, sums, chosen), total


def matching_values(data: FacetData, declared: Facet, mask: np.ndarray, selected: list[int],
                    needle: str, start: int, stop: int) -> tuple[list[dict[str, Any]], int]:
    """Every value of a facet under `mask` whose name holds `needle` (folded: no case or
    accents), in the sidebar's order: (items[start:stop], how many match)."""
    order, counts, sums, chosen, _ = _ordered_values(data, declared, counted(mask), selected)
    key = fold_value(needle)
    if key:
        values = data.values[declared.name]
        order = [i for i in order
                 if key in fold_value(values[i]) or key in fold_value(declared.display(values[i]))]
    return _items(data, declared, order[start:stop], counts, sums, chosen), len(order)


def year_facet(data: FacetData, where: Counted, year_min: int | None, year_max: int | None
               ) -> list[dict[str, Any]]:
    years = data.start_year[where.docs]
    known = np.flatnonzero(years > 0)
    if not known.size:
        return []
    # Counted by year from the first: a few dozen buckets, no sort of the documents.
    first = int(years[known].min())
    offset = years[known] - first
    all_counts = np.bincount(offset)
    all_sums = np.bincount(offset, weights=data.funding_weights()[where.docs[known]])
    return year_items(first, all_counts, all_sums, year_min, year_max)


def year_items(first: int, all_counts: np.ndarray, all_sums: np.ndarray, year_min: int | None,
               year_max: int | None) -> list[dict[str, Any]]:
    """The year facet from its counts and sums by year, the first bucket being `first`."""
    present = np.flatnonzero(all_counts)
    found, counts, sums = present + first, all_counts[present], all_sums[present]
    return [
        {
            "value": int(y),
            "label": str(int(y)),
            "count": int(c),
            "funding_eur": int(s),
            "selected": year_min is not None and year_max is not None
            and year_min <= int(y) <= year_max,
        }
        for y, c, s in zip(found, counts, sums, strict=True)
    ]


def count_facets(data: FacetData, base: np.ndarray, masks: dict[str, np.ndarray],
                 selected: dict[str, list[int]], year_min: int | None, year_max: int | None,
                 *, compiled: bool = facetpass.AVAILABLE
                 ) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
    """Every declared facet, each under every active filter but its own; and how many
    values each value facet has in all (its list may stop at the facet's `limit`).

    Counted in one compiled pass over `base` (`facetpass`), or with numpy facet by facet
    when `compiled` is off: the reference the compiled pass is tested against."""
    if not compiled:
        return numpy_facets(data, base, masks, selected, year_min, year_max)
    layout = facetpass.pass_layout(data)
    tallies = facetpass.tally(layout, np.flatnonzero(base), masks)
    return facets_of(data, layout, tallies, selected, year_min, year_max)


def facets_of(data: FacetData, layout: facetpass.PassLayout, tallies: facetpass.Tallies,
              selected: dict[str, list[int]], year_min: int | None, year_max: int | None
              ) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
    """`count_facets`' answer from a compiled pass's tallies."""
    counts, sums = tallies.counts, tallies.sums
    out: dict[str, list[dict[str, Any]]] = {}
    totals: dict[str, int] = {}
    for facet in FACETS:
        out[facet.name], totals[facet.name] = value_facet(
            data, facet, layout.slice(facet.name, counts, sums), selected.get(facet.name, []))
    out[YEAR.name] = year_items(layout.first_year, *layout.slice(YEAR.name, counts, sums),
                                year_min, year_max)
    return out, totals


def numpy_facets(data: FacetData, base: np.ndarray, masks: dict[str, np.ndarray],
                 selected: dict[str, list[int]], year_min: int | None, year_max: int | None
                 ) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
    """`count_facets` with numpy, a mask and a pass per facet."""
    out: dict[str, list[dict[str, Any]]] = {}
    totals: dict[str, int] = {}
    every: Counted | None = None  # under every filter: what each unfiltered facet counts

    def where(name: str) -> Counted:
        nonlocal every
        if name in masks:
            return counted(combine(base, masks, skip=name))
        if every is None:
            every = counted(combine(base, masks))
        return every

    for facet in FACETS:
        out[facet.name], totals[facet.name] = value_facet(
            data, facet, where(facet.name), selected.get(facet.name, []))
    out[YEAR.name] = year_facet(data, where(YEAR.name), year_min, year_max)
    return out, totals

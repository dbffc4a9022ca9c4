"""Turn filter parameters into boolean masks over documents (numpy, by docnum), facet by facet
as `indexer.fields` declares them."""

from __future__ import annotations

from datetime import date

import numpy as np

from indexer.facetdata import FacetData
from indexer.fields import FACETS, YEAR, Facet, fold_value
from search_app.engine.request import SearchParams

END_FILTER = "end_date"


def end_mask(data: FacetData, end_min: date | None, end_max: date | None
             ) -> np.ndarray | None:
    """Documents whose end date lies in [end_min, end_max] (inclusive); None: no bound."""
    if end_min is None and end_max is None:
        return None
    days = data.end_day
    mask = days > 0
    if end_min is not None:
        mask &= days >= end_min.toordinal()
    if end_max is not None:
        mask &= days <= end_max.toordinal()
    return mask


class ValueLookup:
    """Resolves what a person typed to the facet's value indices, without case or accents."""

    def __init__(self, data: FacetData) -> None:
        self.folded = {
            facet: {fold_value(v): i for i, v in enumerate(values)}
            for facet, values in data.values.items()
        }

    def resolve(self, facet: Facet, value: str) -> int | None:
        stored = facet.canonical(value)
        return None if stored is None else self.folded.get(facet.name, {}).get(fold_value(stored))


def selected_indices(params: SearchParams, lookup: ValueLookup) -> dict[str, list[int]]:
    """facet name -> selected value indices (-1 for a value that matches nothing)."""
    out: dict[str, list[int]] = {}
    for facet in FACETS:
        values = getattr(params, facet.param)
        if values:
            found = [lookup.resolve(facet, v) for v in values]
            out[facet.name] = [-1 if i is None else i for i in found]
    return out


def facet_mask(data: FacetData, facet: str, indices: list[int]) -> np.ndarray:
    """Documents having any of the values (values of one facet are OR-ed), set from the
    values' posting lists (`ByValue`), not by testing every document."""
    mask = np.zeros(data.size, dtype=bool)
    postings = by_value(data, facet)
    for i in dict.fromkeys(indices):
        if i >= 0:
            mask[postings.docs(i)] = True
    return mask


def year_mask(data: FacetData, year_min: int | None, year_max: int | None) -> np.ndarray | None:
    """Documents whose start year is known and within the range, from the documents in
    year order (`by_year`): one slice, not a comparison per document, unless the range
    holds so many that comparing is cheaper."""
    if year_min is None and year_max is None:
        return None
    years, order = by_year(data)
    lo = max(1, year_min) if year_min is not None else 1  # 0: no year
    start = int(np.searchsorted(years, lo, side="left"))
    stop = int(np.searchsorted(years, year_max, side="right")) if year_max is not None \
        else years.size
    if (stop - start) * 8 > data.size:
        # A wide range: comparing every year is cheaper than scattering most documents
        # (lo >= 1 leaves out the unknown years).
        mask = data.start_year >= lo
        if year_max is not None:
            mask &= data.start_year <= year_max
        return mask
    mask = np.zeros(data.size, dtype=bool)
    mask[order[start:stop]] = True
    return mask


class ByValue:
    """One facet's documents by value (CSR): value i's documents are
    `doc[offsets[i]:offsets[i + 1]]`, in document order."""

    def __init__(self, data: FacetData, facet: str) -> None:
        if facet in data.single:
            codes = data.single[facet]
            docs = np.flatnonzero(codes >= 0)
            vals = codes[docs]
        else:
            docs, vals = data.multi[facet]
        order = np.argsort(vals, kind="stable")
        self.doc = docs[order]
        self.offsets = np.zeros(len(data.values[facet]) + 1, dtype=np.int64)
        np.cumsum(np.bincount(vals, minlength=len(data.values[facet])), out=self.offsets[1:])

    def docs(self, value: int) -> np.ndarray:
        return self.doc[self.offsets[value]:self.offsets[value + 1]]


def by_value(data: FacetData, facet: str) -> ByValue:
    """A facet's posting lists by value, made once per version (kept with its facet data)."""
    key = ("by_value", facet)
    found = data._derived.get(key)
    if found is None:
        found = data._derived[key] = ByValue(data, facet)
    return found


def by_year(data: FacetData) -> tuple[np.ndarray, np.ndarray]:
    """(start years sorted, the documents in that order), made once per version."""
    key = ("by_year", "")
    found = data._derived.get(key)
    if found is None:
        order = np.argsort(data.start_year, kind="stable")
        found = data._derived[key] = (data.start_year[order], order)
    return found


def warm(data: FacetData) -> None:
    """Make every facet's posting lists and the year order before a request needs them."""
    for facet in FACETS:
        by_value(data, facet.name)
    by_year(data)


def filter_masks(data: FacetData, params: SearchParams, lookup: ValueLookup
                 ) -> tuple[dict[str, np.ndarray], dict[str, list[int]]]:
    """One mask per active facet (start_year included), and the selected indices."""
    selected = selected_indices(params, lookup)
    masks = {facet: facet_mask(data, facet, idx) for facet, idx in selected.items()}
    years = year_mask(data, params.year_min, params.year_max)
    if years is not None:
        masks[YEAR.name] = years
    ends = end_mask(data, params.end_min, params.end_max)
    if ends is not None:
        masks[END_FILTER] = ends  # no facet of its own: every facet counts under it
    return masks, selected

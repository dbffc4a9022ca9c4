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
    """Documents having any of the values (values of one facet are OR-ed)."""
    wanted = np.asarray([i for i in indices if i >= 0], dtype=np.int32)
    if facet in data.single:
        return np.isin(data.single[facet], wanted) if wanted.size else np.zeros(data.size, bool)
    docs, vals = data.multi[facet]
    mask = np.zeros(data.size, dtype=bool)
    if wanted.size:
        mask[docs[np.isin(vals, wanted)]] = True
    return mask


def year_mask(data: FacetData, year_min: int | None, year_max: int | None) -> np.ndarray | None:
    if year_min is None and year_max is None:
        return None
    years = data.start_year
    mask = years > 0
    if year_min is not None:
        mask &= years >= year_min
    if year_max is not None:
        mask &= years <= year_max
    return mask


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

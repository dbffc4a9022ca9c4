"""Turn filter parameters into boolean masks over documents (numpy, by docnum)."""

from __future__ import annotations

import numpy as np

from indexer.countries import country_code
from indexer.facetdata import FacetData, fold_value

from .params import SearchParams

# URL parameter -> facet name in FacetData
PARAM_FACET = {
    "country": "country",
    "theme": "theme",
    "sub_theme": "sub_theme",
    "status": "status",
    "form": "partnership_form",
    "french_partner": "french_partner",
}


class ValueLookup:
    """Resolves what a person typed to the facet's value indices, without case or accents."""

    def __init__(self, data: FacetData) -> None:
        self.folded = {
            facet: {fold_value(v): i for i, v in enumerate(values)}
            for facet, values in data.values.items()
        }

    def resolve(self, facet: str, value: str) -> int | None:
        table = self.folded.get(facet, {})
        if facet == "country":
            code = country_code(value)
            return table.get(fold_value(code)) if code else None
        return table.get(fold_value(value))


def selected_indices(params: SearchParams, lookup: ValueLookup) -> dict[str, list[int]]:
    """facet -> selected value indices (-1 for a value that matches nothing)."""
    out: dict[str, list[int]] = {}
    for param, facet in PARAM_FACET.items():
        values = getattr(params, param)
        if values:
            found = [lookup.resolve(facet, v) for v in values]
            out[facet] = [-1 if i is None else i for i in found]
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
        masks["start_year"] = years
    return masks, selected

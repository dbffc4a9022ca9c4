"""The figures beside the counts: who paid (funding rows by funder and year), each country's
share of a project's funding, where a result set's projects are, end dates.

Per-version data is built once and memoised on the handle (`IndexHandle.memo`); every
figure is numpy over a document mask, so it agrees with the search that made the mask.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

from indexer.facetdata import FacetData
from indexer.figures import authority_key
from indexer.places import country_name
from search_app.engine import facetpass
from search_app.engine.facets import combine, count_facets, counted, facets_of, value_counts
from search_app.engine.handle import IndexHandle

COUNTRY = "country"


@dataclass
class FundingRows:
    """Every funding row of a version with an amount: (document, year, amount, funder)."""

    docs: np.ndarray
    years: np.ndarray  # 0: no year
    amounts: np.ndarray  # float64, the weights np.bincount sums
    funders: np.ndarray  # index into `names` (-1: no funder written)
    names: list[str]  # each funder as first written
    matched: np.ndarray  # per funder name: the french_partner value index it names, or -1


def _build_rows(h: IndexHandle) -> FundingRows:
    data = h.data
    docs: list[int] = []
    years: list[int] = []
    amounts: list[int] = []
    funders: list[int] = []
    index: dict[str, int] = {}
    names: list[str] = []
    live = [(d, rid) for d, rid in enumerate(data.ids) if rid and data.alive[d]]
    store = h.records.reopen()  # a connection of its own: the live one serves requests
    try:
        for start in range(0, len(live), 500):  # SQLite's bound on host parameters
            chunk = live[start:start + 500]
            found = store.get_many_raw([rid for _, rid in chunk])
            for doc, rid in chunk:
                raw = found.get(rid)
                if raw is None:
                    continue
                for row in orjson.loads(raw).get("funding") or ():
                    amount = row.get("amount_eur")
                    if amount is None:
                        continue
                    funder = " ".join((row.get("funder") or "").split())
                    if funder:
                        key = authority_key(funder)
                        if key not in index:
                            index[key] = len(names)
                            names.append(funder)
                    docs.append(doc)
                    years.append(int(row.get("year") or 0))
                    amounts.append(int(amount))
                    funders.append(index[authority_key(funder)] if funder else -1)
    finally:
        store.close()
    authorities: dict[str, int] = {}
    for i, name in enumerate(data.values["french_partner"]):
        authorities.setdefault(authority_key(name), i)
    matched = np.asarray([authorities.get(authority_key(n), -1) for n in names], dtype=np.int64)
    return FundingRows(np.asarray(docs, dtype=np.int64), np.asarray(years, dtype=np.int64),
                       np.asarray(amounts, dtype=np.float64),
                       np.asarray(funders, dtype=np.int64), names, matched)


def funding_rows(h: IndexHandle) -> FundingRows:
    return h.memo("funding_rows", _build_rows)


def funding_by_year(h: IndexHandle, mask: np.ndarray) -> list[dict[str, int]]:
    """The funding rows of the documents in `mask`, summed per funding year (the rows'
    `year`; rows without a year left out), in year order."""
    rows = funding_rows(h)
    keep = mask[rows.docs] & (rows.years > 0)
    if not keep.any():
        return []
    years, amounts = rows.years[keep], rows.amounts[keep]
    first = int(years.min())
    sums = np.bincount(years - first, weights=amounts)
    counts = np.bincount(years - first)
    return [{"year": first + int(i), "funding_eur": int(round(sums[i])),
             "rows": int(counts[i])} for i in np.flatnonzero(counts).tolist()]


def authority_funding(h: IndexHandle, value: int, mask: np.ndarray
                      ) -> tuple[int, list[dict[str, Any]]]:
    """(the funding rows of `mask`'s documents whose funder is the authority `value` (a
    french_partner value index) summed, the funders of those rows that name no authority of
    the index: [{name, funding_eur, rows}], most money first)."""
    rows = funding_rows(h)
    inside = mask[rows.docs]
    named = rows.funders >= 0
    whose = np.full(rows.funders.size, -1, dtype=np.int64)
    whose[named] = rows.matched[rows.funders[named]]
    own = int(rows.amounts[inside & (whose == value)].sum())
    lost = inside & named & (whose < 0)
    unmatched: list[dict[str, Any]] = []
    if lost.any():
        sums = np.bincount(rows.funders[lost], weights=rows.amounts[lost],
                           minlength=len(rows.names))
        counts = np.bincount(rows.funders[lost], minlength=len(rows.names))
        for i in np.flatnonzero(counts).tolist():
            unmatched.append({"name": rows.names[i], "funding_eur": int(round(sums[i])),
                              "rows": int(counts[i])})
        unmatched.sort(key=lambda f: (-f["funding_eur"], f["name"]))
    return own, unmatched


def country_figures(data: FacetData, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                  np.ndarray]:
    """(projects, funding of those projects whole, their funding shares) per country value
    over `mask`; a project's share is its funding split equally among its countries
    (`FacetData.pair_share`), so the shares over every country add up to the funding of
    the projects that have a country."""
    counts, sums = value_counts(data, COUNTRY, counted(mask))
    docs, vals = data.multi[COUNTRY]
    hit = np.flatnonzero(mask[docs])
    shares = np.bincount(vals[hit], weights=data.pair_share(COUNTRY)[hit],
                         minlength=len(data.values[COUNTRY]))
    return counts, sums, shares


def add_country_shares(data: FacetData, items: list[dict[str, Any]], mask: np.ndarray
                       ) -> None:
    """`funding_share_eur` beside `funding_eur` in the country facet's items (counted over
    `mask`, the facet's own: every filter but the country one)."""
    if not items:
        return
    _put_shares(data, items, country_figures(data, mask)[2])


def _put_shares(data: FacetData, items: list[dict[str, Any]], shares: np.ndarray) -> None:
    """Each country item's `funding_share_eur` from the shares per country value."""
    index, shares_list = _country_index(data), shares.tolist()  # Python floats round faster
    for item in items:
        i = index.get(item["value"])
        item["funding_share_eur"] = int(round(shares_list[i])) if i is not None else 0


def countries_of_results(data: FacetData, mask: np.ndarray) -> list[dict[str, Any]]:
    """Where the matches are: each country of the documents in `mask` with its projects
    and their funding, most projects first (then by code). Unlike the facet's counts, every
    filter applies, the country filter too."""
    return _countries(data, *country_figures(data, mask))


def search_figures(data: FacetData, base: np.ndarray, masks: dict[str, np.ndarray],
                   selected: dict[str, list[int]], year_min: int | None, year_max: int | None,
                   *, compiled: bool = facetpass.AVAILABLE
                   ) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int],
                              list[dict[str, Any]]]:
    """A search's facets (`count_facets`, the country items with their funding shares),
    their totals, and its `countries_of_results`, for the matches `base` under `masks`.

    One compiled pass counts them all (`facetpass.tally`); without it (`compiled` off, the
    reference it is tested against) numpy counts each facet, the shares and the map's
    countries apart."""
    if not compiled:
        facets, totals = count_facets(data, base, masks, selected, year_min, year_max,
                                      compiled=False)
        add_country_shares(data, facets.get(COUNTRY) or [], combine(base, masks, skip=COUNTRY))
        return facets, totals, countries_of_results(data, combine(base, masks))
    layout = facetpass.pass_layout(data)
    tallies = facetpass.tally_of(data, base, masks)
    facets, totals = facets_of(data, layout, tallies, selected, year_min, year_max)
    if layout.share_facet < 0:
        return facets, totals, []
    _put_shares(data, facets.get(COUNTRY) or [], tallies.shares)
    return facets, totals, _countries(data, tallies.every_counts, tallies.every_sums,
                                      tallies.every_shares)


def _country_index(data: FacetData) -> dict[str, int]:
    """Each country code's value index (made once per version)."""
    found = data._derived.get(("index", COUNTRY))
    if found is None:
        found = data._derived["index", COUNTRY] = {
            v: i for i, v in enumerate(data.values[COUNTRY])}
    return found


def _country_names(data: FacetData) -> list[str]:
    """Each country value's French name, or as the pages wrote it (made once per version)."""
    found = data._derived.get(("names", COUNTRY))
    if found is None:
        found = data._derived["names", COUNTRY] = [
            country_name(c) or data.country_names.get(c) or c for c in data.values[COUNTRY]]
    return found


def _countries(data: FacetData, counts: np.ndarray, sums: np.ndarray, shares: np.ndarray
               ) -> list[dict[str, Any]]:
    codes, names = data.values[COUNTRY], _country_names(data)
    shown = np.flatnonzero(counts)
    order = shown[np.lexsort((data.alphabetical_rank(COUNTRY)[shown], -counts[shown]))]
    counts, sums, shares = counts.tolist(), sums.tolist(), shares.tolist()
    return [{"code": codes[i], "name": names[i], "count": int(counts[i]),
             "funding_eur": int(sums[i]), "funding_share_eur": int(round(shares[i]))}
            for i in order.tolist()]


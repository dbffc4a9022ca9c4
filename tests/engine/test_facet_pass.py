"""The compiled facet pass and the posting-list filters against the numpy code they replace:
the same facets, counts and funding sums, the same filter masks, over random corpora, random
matching sets and random filters."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.facetdata import FacetData
from indexer.fields import FACETS, YEAR
from search_app.engine import facetpass
from search_app.engine.facets import (
    combine,
    count_facets,
    counted,
    matching_values,
    numpy_facets,
    value_counts,
    value_facet,
)
from search_app.engine.figures import search_figures
from search_app.engine.filters import facet_mask, year_mask

POOL = ["SN", "ML", "MA", "BF", "DE", "Eau", "Santé", "Lille", "Lyon", "Nantes", "Éducation"]
YEARS = [None, 0, 1987, 1998, 2015, 2016, 2024]


@st.composite
def corpora(draw) -> FacetData:
    size = draw(st.integers(1, 60))
    rows = []
    for n in range(size):
        fv = {f.name: draw(st.lists(st.sampled_from(POOL), max_size=4 if f.kind == "multi"
                                    else 1)) for f in FACETS}
        fv[YEAR.name] = draw(st.sampled_from(YEARS))
        fv["funding"] = draw(st.sampled_from([0, 1, 2500, 123_456_789, 10**9]))
        rows.append((n, f"r{n}", fv))
    alive = draw(st.lists(st.booleans(), min_size=size, max_size=size))
    return FacetData.build(size, (r for r, keep in zip(rows, alive, strict=True) if keep))


def _bools(draw, size: int) -> np.ndarray:
    return np.asarray(draw(st.lists(st.booleans(), min_size=size, max_size=size)), dtype=bool)


@st.composite
def searches(draw):
    data = draw(corpora())
    base = _bools(draw, data.size) & data.alive
    names = [f.name for f in FACETS] + [YEAR.name, "end_year"]  # and a filter of no facet
    masks = {name: _bools(draw, data.size)
             for name in draw(st.sets(st.sampled_from(names), max_size=4))}
    selected = {f.name: draw(st.lists(st.integers(-1, len(data.values[f.name]) - 1),
                                      max_size=3))
                for f in FACETS if data.values[f.name] and draw(st.booleans())}
    year_min = draw(st.sampled_from([None, 1990, 2016]))
    year_max = draw(st.sampled_from([None, 2015, 2030]))
    return data, base, masks, selected, year_min, year_max


@settings(max_examples=60, deadline=None)  # a random corpus each: 60 keep the suite quick
@given(searches())
def test_the_compiled_pass_gives_the_numpy_facets(search) -> None:
    data, base, masks, selected, year_min, year_max = search
    assert count_facets(data, base, masks, selected, year_min, year_max, compiled=True) == \
        numpy_facets(data, base, masks, selected, year_min, year_max)


@settings(max_examples=60, deadline=None)  # a random corpus each: 60 keep the suite quick
@given(searches())
def test_the_compiled_tallies_are_numpy_s_counts_and_sums(search) -> None:
    data, base, masks, _, _, _ = search
    layout = facetpass.pass_layout(data)
    tallies = facetpass.tally(layout, np.flatnonzero(base), masks)
    counts, sums = tallies.counts, tallies.sums
    for facet in FACETS:
        want = value_counts(data, facet.name, counted(combine(base, masks, skip=facet.name)))
        got = layout.slice(facet.name, counts, sums)
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1]), facet.name
    under = combine(base, masks, skip=YEAR.name)
    got_counts, got_sums = layout.slice(YEAR.name, counts, sums)
    for offset in range(got_counts.size):
        year = under & (data.start_year == layout.first_year + offset)
        assert got_counts[offset] == year.sum()
        assert got_sums[offset] == data.funding[year].sum()
    assert got_counts.sum() == (under & (data.start_year > 0)).sum()


@settings(max_examples=60, deadline=None)  # a random corpus each: 60 keep the suite quick
@given(searches(), st.integers(1, 8))
def test_the_pass_in_two_halves_on_two_threads_adds_up_to_the_same(search, split_at) -> None:
    # Large matches are counted in two halves at once (`SPLIT_AT`); here from `split_at`.
    data, base, masks, _, _, _ = search
    layout = facetpass.pass_layout(data)
    docs = np.flatnonzero(base)
    whole = facetpass.tally(layout, docs, masks, split_at=10**9)
    halves = facetpass.tally(layout, docs, masks, split_at=split_at)
    for name in ("counts", "sums", "shares", "every_counts", "every_sums", "every_shares"):
        assert np.array_equal(getattr(whole, name), getattr(halves, name)), name


@settings(max_examples=60, deadline=None)  # a random corpus each: 60 keep the suite quick
@given(searches())
def test_one_pass_gives_the_country_shares_and_the_map_numpy_gives(search) -> None:
    # The country items' funding shares (every filter but the country's) and the map's
    # countries (every filter) come from the same compiled pass as the counts.
    data, base, masks, selected, year_min, year_max = search
    compiled = search_figures(data, base, masks, selected, year_min, year_max, compiled=True)
    assert compiled == search_figures(data, base, masks, selected, year_min, year_max,
                                      compiled=False)
    assert all("funding_share_eur" in item for item in compiled[0]["country"])


@settings(max_examples=60, deadline=None)  # a random corpus each: 60 keep the suite quick
@given(searches(), st.integers(1, 4))
def test_a_limited_facet_lists_the_head_of_the_full_order(search, limit) -> None:
    data, base, masks, selected, _, _ = search
    for facet in FACETS:
        mask = combine(base, masks, skip=facet.name)
        chosen = selected.get(facet.name, [])
        every, total = matching_values(data, facet, mask, chosen, "", 0, 10**6)
        picked = {i for i in chosen if i >= 0}
        values = data.values[facet.name]
        want = every[:limit] + [i for i in every[limit:] if values.index(i["value"]) in picked]
        assert value_facet(data, replace(facet, limit=limit), counted(mask), chosen) == \
            (want, total)


def test_the_kernel_is_compiled_when_numba_is_there() -> None:
    pytest.importorskip("numba")
    facetpass.warm()
    assert facetpass._kernel() is not facetpass._tally  # a dispatcher, not the Python function
    assert facetpass._kernel().signatures  # compiled (or loaded from the cache) by `warm`


@settings(max_examples=60, deadline=None)  # a random corpus each: 60 keep the suite quick
@given(corpora(), st.data())
def test_filters_from_posting_lists_are_the_isin_masks(data, draw) -> None:
    for facet in FACETS:
        n = len(data.values[facet.name])
        indices = draw.draw(st.lists(st.integers(-1, max(n - 1, -1)), max_size=4))
        wanted = np.asarray([i for i in indices if i >= 0], dtype=np.int32)
        if facet.name in data.single:
            want = np.isin(data.single[facet.name], wanted)
        else:
            docs, vals = data.multi[facet.name]
            want = np.zeros(data.size, dtype=bool)
            want[docs[np.isin(vals, wanted)]] = True
        assert np.array_equal(facet_mask(data, facet.name, indices), want), facet.name
    year_min = draw.draw(st.sampled_from([None, -5, 0, 1, 1987, 1990, 2016, 2024, 2100]))
    year_max = draw.draw(st.sampled_from([None, -5, 0, 1987, 2015, 2016, 2030]))
    got = year_mask(data, year_min, year_max)
    if year_min is None and year_max is None:
        assert got is None
        return
    years = data.start_year
    want = years > 0
    if year_min is not None:
        want &= years >= year_min
    if year_max is not None:
        want &= years <= year_max
    assert np.array_equal(got, want)


def test_a_version_opens_with_its_filter_postings_and_facet_pass_made(index_dir) -> None:
    from search_app.engine.request import SearchParams
    from search_app.engine.service import SearchService

    service = SearchService(index_dir, cache_size=0)
    try:
        data = service.handle().data
        made = {key for key in data._derived
                if key[0] in ("pass_layout", "by_value", "by_year")}
        assert made == {("pass_layout", ""), ("by_year", "")} | {
            ("by_value", f.name) for f in FACETS}
        country = data.values["country"][0]
        service.search(SearchParams(q="eau", country=[country], year_min=2000))
        assert {key for key in data._derived
                if key[0] in ("pass_layout", "by_value", "by_year")} == made
        if facetpass.AVAILABLE:
            assert facetpass._kernel().signatures  # compiled before the first search
    finally:
        service.close()


@pytest.mark.parametrize("facet", ["theme", "country"])
def test_a_damaged_value_code_stops_the_layout(facet: str) -> None:
    # The compiled pass adds at `base + code` without bounds checks: a code beyond the
    # facet's values (a damaged version) is refused when the layout is made.
    data = FacetData.build(2, [(0, "a", {"funding": 1, "start_year": 2000, "theme": "Santé"}),
                               (1, "b", {"theme": "Culture"})])
    facetpass.build_layout(data)  # intact: made
    codes = data.single[facet] if facet in data.single else data.multi[facet][1]
    if not codes.size:
        data.multi[facet] = (np.asarray([0], dtype=np.int32), np.asarray([7], dtype=np.int32))
    else:
        codes[0] = len(data.values[facet]) + 5
    with pytest.raises(ValueError, match="out of range"):
        facetpass.build_layout(data)


@settings(max_examples=40, deadline=None)  # a random corpus each: 40 keep the suite quick
@given(searches())
def test_most_of_the_live_documents_counted_as_every_one_less_the_others(search) -> None:
    # Without a filter, a match holding most live documents is counted by its complement.
    data, base, _, _, _, _ = search
    layout = facetpass.pass_layout(data)
    for docs in (base, data.alive.copy(), np.zeros(data.size, dtype=bool)):
        direct = facetpass.tally(layout, np.flatnonzero(docs), {})
        by_rest = facetpass.tally_of(data, docs, {})
        for name in ("counts", "sums", "shares", "every_counts", "every_sums", "every_shares"):
            assert np.array_equal(getattr(direct, name), getattr(by_rest, name)), name

"""Facet counts against a plain reading of the records: each facet counted over the records
matching the text and every filter but its own, its values most frequent first, then by name."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.facetdata import FacetData
from indexer.fields import FACETS, YEAR
from search_app.engine.facets import combine, count_facets

COUNTRIES = ["SN", "ML", "MA", "BF", "DE"]
WORDS = ["Eau", "Santé", "Culture", "Lille", "Lyon", "Nantes", "Éducation"]


def _values(draw, facet) -> list[str]:
    pool = COUNTRIES if facet.name == "country" else WORDS
    if facet.kind == "multi":
        return draw(st.lists(st.sampled_from(pool), max_size=3))
    return draw(st.lists(st.sampled_from(pool), max_size=1))


@st.composite
def corpora(draw):
    size = draw(st.integers(1, 40))
    rows = []
    for n in range(size):
        fv = {f.name: _values(draw, f) for f in FACETS}
        fv[YEAR.name] = draw(st.sampled_from([None, 0, 1998, 2015, 2016, 2024]))
        fv["funding"] = draw(st.sampled_from([0, 1, 2500, 10**9]))
        rows.append((n, f"r{n}", fv))
    alive = draw(st.lists(st.booleans(), min_size=size, max_size=size))
    base = draw(st.lists(st.booleans(), min_size=size, max_size=size))
    filtered = draw(st.sets(st.sampled_from([f.name for f in FACETS] + [YEAR.name]),
                            max_size=3))
    masks = {name: np.asarray(draw(st.lists(st.booleans(), min_size=size, max_size=size)))
             for name in filtered}
    return rows, np.asarray(alive), np.asarray(base), masks


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "numpy"])
@settings(max_examples=150, deadline=None)
@given(corpus=corpora())
def test_counts_are_those_of_the_records_under_every_other_filter(corpus, compiled) -> None:
    rows, alive, base, masks = corpus
    data = FacetData.build(len(rows), (r for r, keep in zip(rows, alive, strict=True) if keep))
    got, totals = count_facets(data, base & data.alive, masks, {}, None, None,
                               compiled=compiled)
    for facet in FACETS:
        under = combine(base & data.alive, masks, skip=facet.name)
        counts, funding = Counter(), Counter()
        for n, _, fv in rows:
            if under[n]:
                for value in dict.fromkeys(fv[facet.name]):
                    counts[value] += 1
                    funding[value] += fv["funding"]
        want = sorted(counts, key=lambda v: (-counts[v], v))
        assert totals[facet.name] == len(want)
        listed = got[facet.name]
        assert [i["value"] for i in listed] == want[:facet.limit or None], facet.name
        for item in listed:
            assert (item["count"], item["funding_eur"]) == \
                (counts[item["value"]], funding[item["value"]])
            assert item["label"] == facet.display(item["value"]) and not item["selected"]
    under = combine(base & data.alive, masks, skip=YEAR.name)
    years, funding = Counter(), Counter()
    for n, _, fv in rows:
        if under[n] and fv[YEAR.name]:
            years[fv[YEAR.name]] += 1
            funding[fv[YEAR.name]] += fv["funding"]
    assert [(i["value"], i["count"], i["funding_eur"]) for i in got[YEAR.name]] == \
        [(y, years[y], funding[y]) for y in sorted(years)]

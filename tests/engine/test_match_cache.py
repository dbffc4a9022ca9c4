"""The words a query matched, kept for its next request with other filters."""

from __future__ import annotations

import numpy as np
import pytest

from search_app.engine import reader as reader_module
from search_app.engine.handle import MatchCache
from search_app.engine.request import SearchParams
from search_app.engine.service import SearchService


class Held:
    def __init__(self, n: int) -> None:
        self.mask = np.zeros(n, dtype=bool)
        self.parts = [np.zeros(n, dtype=np.float32)]


def test_least_recently_used_go_past_the_budget_and_arrays_turn_read_only() -> None:
    cache = MatchCache(budget=3 * 500)  # each entry: 100 + 400 bytes
    for key in "abc":
        cache.put(key, Held(100))
    assert cache.get("a") is not None  # a is now the most recent
    cache.put("d", Held(100))
    assert cache.get("b") is None and all(cache.get(k) is not None for k in "acd")
    assert cache.used == 3 * 500
    with pytest.raises(ValueError):
        cache.get("a").mask[0] = True  # shared by answers: never written
    assert cache.put("big", Held(10_000)) is not None and cache.get("big") is None


def test_a_facet_clicked_reuses_the_words_matched(index_dir, monkeypatch) -> None:
    service = SearchService(index_dir)  # the answer cache on: matches are kept too
    calls = []
    real = reader_module.match_plan
    monkeypatch.setattr(reader_module, "match_plan",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    try:
        first = service.search(SearchParams(q="eau potable"))
        country = first["facets"]["country"][0]["value"]
        narrowed = service.search(SearchParams(q="eau potable", country=[country]))
        assert len(calls) == 1  # the words were matched once
        assert narrowed["total"] == first["facets"]["country"][0]["count"]
        service.search(SearchParams(q="eau potable", match="all"))
        assert len(calls) == 2  # every word required: another match
    finally:
        service.close()
    fresh = SearchService(index_dir, cache_size=0)  # no caches: every search matches
    try:
        fresh.search(SearchParams(q="eau potable"))
        fresh.search(SearchParams(q="eau potable", country=[country]))
        assert len(calls) == 4
        uncached = fresh.search(SearchParams(q="eau potable", country=[country]))
        assert uncached["total"] == narrowed["total"]
        assert [h["id"] for h in uncached["hits"]] == [h["id"] for h in narrowed["hits"]]
    finally:
        fresh.close()

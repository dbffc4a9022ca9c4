"""The numpy evaluation agrees with whoosh's own matchers on the fixture index."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from indexer.phrases import DOCS_FILE, KEYS_FILE, PhraseIndex
from search_app.query import build_text_query, parse_user_query
from search_app.service import SearchService

QUERIES = ["eau potable", "coopération décentralisée", "villes michelin", "-eau",
           "eau OR assainissement", "culture -musique", "clermont-ferrand", "2017",
           '"eau potable"', '"accès aux soins"', '"mise en œuvre"', "saint-louis",
           '"Réseau International des Villes"', '"villes durables"', "vitoria-gasteiz"]


@pytest.fixture(scope="module")
def handle(index_dir):
    service = SearchService(index_dir)
    yield service.handle()
    service.close()


@pytest.mark.parametrize("q", QUERIES)
def test_numpy_matching_equals_whoosh(handle, q: str) -> None:
    query = build_text_query(parse_user_query(q))
    mask, scores = handle.matcher.evaluate(query)
    expected = np.zeros(handle.data.size, dtype=bool)
    expected[list(query.matcher(handle.searcher).all_ids())] = True
    assert np.array_equal(mask & handle.data.alive, expected & handle.data.alive), q
    assert (scores[mask] >= 0).all()


@pytest.mark.parametrize("words", [["eau", "potabl"], ["acce", "soin"], ["mis", "oeuvr"],
                                   ["vill", "michelin"], ["developp", "durabl"]])
def test_pair_index_equals_whoosh_phrases(handle, words: list[str]) -> None:
    for field in ("title", "body", "themes"):
        phrase = wq.Phrase(field, words)
        mine, _ = handle.matcher._phrase(phrase)
        theirs, _ = handle.matcher._fallback(phrase)
        assert np.array_equal(mine, theirs), (field, words)


@settings(max_examples=150, deadline=None)
@given(keys=st.lists(st.integers(0, 40), max_size=300),
       probes=st.lists(st.integers(-1, 41), min_size=1, max_size=10),
       block=st.integers(1, 9))
def test_pair_spans_equal_a_full_binary_search(tmp_path_factory, keys: list[int],
                                               probes: list[int], block: int) -> None:
    # The server reads only a sample of the keys and the blocks around a probe: the span
    # must be the one a search over the whole array gives, duplicates and edges included.
    version = tmp_path_factory.mktemp("pairs")
    array = np.sort(np.asarray(keys, dtype=np.uint64))
    np.save(version / KEYS_FILE, array)
    np.save(version / DOCS_FILE, np.arange(array.size, dtype=np.int32))
    index = PhraseIndex(version, block=block)
    try:
        for probe in probes:
            key = np.uint64(max(probe, 0))
            expected = (int(np.searchsorted(array, key, side="left")),
                        int(np.searchsorted(array, key, side="right")))
            assert index.span(int(key)) == expected
    finally:
        index.close()

"""The numpy evaluation agrees with whoosh's own matchers on the fixture index."""

from __future__ import annotations

import numpy as np
import pytest
from whoosh import query as wq

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

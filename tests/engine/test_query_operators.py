"""Query operators as people type them (NOT, AND, punctuation), through the API."""

from __future__ import annotations

from ..conftest import hit_ids, search_all

# ---------------------------------------------------------------- query operators


def test_not_excludes_like_a_minus_sign(client) -> None:
    water = search_all(client, q="eau")
    minus = search_all(client, q="eau -santé")
    not_ = search_all(client, q="eau NOT santé")
    assert 0 < minus["total"] < water["total"]
    assert not_["total"] == minus["total"] and hit_ids(not_) == hit_ids(minus)
    assert not_["relaxed"] == []


def test_and_is_the_default_not_a_word(client) -> None:
    plain = search_all(client, q="eau santé", match="all")
    spelled = search_all(client, q="eau AND santé", match="all")
    assert plain["total"] > 0
    assert spelled["total"] == plain["total"] and hit_ids(spelled) == hit_ids(plain)
    assert search_all(client, q="eau AND santé")["relaxed"] == []


def test_punctuation_without_a_space_separates_words(client) -> None:
    spaced = search_all(client, q="eau santé", match="all")
    for q in ("eau,santé", "eau;santé", "eau/santé"):
        glued = search_all(client, q=q, match="all")
        assert glued["total"] == spaced["total"] and hit_ids(glued) == hit_ids(spaced), q



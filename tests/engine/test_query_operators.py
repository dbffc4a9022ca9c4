"""Query operators as people type them (NOT, AND, punctuation), through the API."""

from __future__ import annotations

import sys
from pathlib import Path

ATLAS = Path(sys.executable).parent / "atlas"


def _search(client, **params) -> dict:
    response = client.get("/api/search", params={"size": 100, **params})
    assert response.status_code == 200, response.text
    return response.json()


def _ids(answer: dict) -> set[str]:
    return {hit["id"] for hit in answer["hits"]}


# ---------------------------------------------------------------- query operators


def test_not_excludes_like_a_minus_sign(client) -> None:
    water = _search(client, q="eau")
    minus = _search(client, q="eau -santé")
    not_ = _search(client, q="eau NOT santé")
    assert 0 < minus["total"] < water["total"]
    assert not_["total"] == minus["total"] and _ids(not_) == _ids(minus)
    assert not_["relaxed"] == []


def test_and_is_the_default_not_a_word(client) -> None:
    plain = _search(client, q="eau santé", match="all")
    spelled = _search(client, q="eau AND santé", match="all")
    assert plain["total"] > 0
    assert spelled["total"] == plain["total"] and _ids(spelled) == _ids(plain)
    assert _search(client, q="eau AND santé")["relaxed"] == []


def test_punctuation_without_a_space_separates_words(client) -> None:
    spaced = _search(client, q="eau santé", match="all")
    for q in ("eau,santé", "eau;santé", "eau/santé"):
        glued = _search(client, q=q, match="all")
        assert glued["total"] == spaced["total"] and _ids(glued) == _ids(spaced), q



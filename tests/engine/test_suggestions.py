"""Did-you-mean through the product path: a table of good and bad suggestions. A good one
keeps the person's accents and case; a bad one (words that exist, but never together) is
not offered."""

from __future__ import annotations

import json

import pytest

from indexer.build import build
from search_app.engine.request import SearchParams
from search_app.engine.service import SearchService

RECORDS = [
    ("r1", "Collecte des déchets plastiques à Dakar", "Sénégal"),
    ("r2", "Bonnes pratiques agricoles", "Mali"),
    ("r3", "Gestion des déchets ménagers", "Maroc"),
    ("r4", "Éducation et formation des jeunes", "Sénégal"),
    ("r5", "Formation aux bonnes pratiques de santé", "Niger"),
]
# (typed, the suggestion expected, or None when none may be offered)
TABLE = [
    ("Sénégl", "Sénégal"),  # the accents typed are kept
    ("senegl", "senegal"),  # none typed, none added
    ("SÉNÉGL", "SÉNÉGAL"),
    ("déchets plastiqes", "déchets plastiques"),
    ("éducaiton", "éducation"),
    ("déchets pratiqes", None),  # both words exist, never in one record
    ("Sénégl pratiqes", None),
]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("suggest")
    lines = [json.dumps({"id": rid, "title": title, "theme": "Environnement",
                         "foreign_partners": [{"name": "Ville", "country": country}]},
                        ensure_ascii=False) for rid, title, country in RECORDS]
    (root / "r.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    build([root / "r.jsonl"], root / "index", progress=False, workers=1)
    svc = SearchService(root / "index")
    yield svc
    svc.close()


@pytest.mark.parametrize(("typed", "expected"), TABLE)
def test_did_you_mean_table(service: SearchService, typed: str, expected: str | None) -> None:
    result = service.search(SearchParams(q=typed, match="all"))
    assert result["suggestion"] == expected, (typed, result["suggestion"])

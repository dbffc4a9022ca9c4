"""Similar projects: the same theme and the same French authority come before shared
countries (a judged case: a project with many partner countries)."""

from __future__ import annotations

import json
from pathlib import Path

from indexer.build import build
from search_app.engine.service import SearchService


def project(rid: str, theme: str, authority: str, countries: list[str]) -> dict:
    return {"id": rid, "title": f"Projet {rid}", "theme": theme, "status": "En cours",
            "start_year": 2019, "french_partners": [authority],
            "foreign_partners": [{"name": f"Ville {c}", "country": c} for c in countries],
            "context": "Coopération entre collectivités."}


def test_theme_and_authority_weigh_more_than_shared_countries(tmp_path: Path) -> None:
    many = ["Italie", "Mexique", "Espagne"]
    records = [
        project("seed", "Economie durable", "Clermont-Ferrand", many),
        project("same_both", "Economie durable", "Clermont-Ferrand", ["Maroc"]),
        project("same_theme", "Economie durable", "Lille", ["Maroc"]),
        project("same_authority", "Culture et Patrimoine", "Clermont-Ferrand", ["Maroc"]),
        *(project(f"countries_{i}", "Santé", "Nantes", many) for i in range(4)),
    ]
    src = tmp_path / "p.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                   encoding="utf-8")
    build([src], tmp_path / "index", progress=False, workers=1)
    service = SearchService(tmp_path / "index")
    try:
        found = [h["id"] for h in service.similar("seed", limit=5)]
    finally:
        service.close()
    assert found[:3] == ["same_both", "same_theme", "same_authority"]
    assert all(rid.startswith("countries_") for rid in found[3:])

"""Rough edges people met: suggestions, announced synonyms, place names read as typos,
unknown parameters and values, search landmarks, the A–Z filter's status line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def places_client(tmp_path_factory: pytest.TempPathFactory):
    """Records about Saint-Louis (Sénégal), a « chaire » and the Egyptian capital's partner
    country, as the cases people met."""
    from indexer.build import build
    from search_app.settings import Settings
    from search_app.web.app import create_app

    root = tmp_path_factory.mktemp("places")
    base = {"status": "En cours", "start_year": 2018, "french_partners": ["Lille"]}
    records = [
        {**base, "id": "p1", "title": "Eau potable à Saint-Louis",
         "theme": "Eau et assainissement",
         "foreign_partners": [{"name": "Saint-Louis", "country": "Sénégal"}],
         "context": "Accès à l'eau potable dans les quartiers de Saint-Louis."},
        {**base, "id": "p2", "title": "Une chaire universitaire à Ismaïlia",
         "theme": "Education", "foreign_partners": [{"name": "Ismaïlia", "country": "Egypte"}],
         "context": "Une chaire de recherche commune sur la ville durable."},
        {**base, "id": "p3", "title": "Eaux pluviales à Eaubonne", "theme": "Environnement",
         "foreign_partners": [{"name": "Eauze", "country": "Bénin"}],
         "context": "Gestion des eaux de pluie."},
    ]
    (root / "recs.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    build([root], root / "index", progress=False, workers=1)
    with TestClient(create_app(Settings(index_dir=root / "index"))) as client:
        yield client


def test_suggest_offers_the_theme_first(places_client) -> None:
    suggestions = places_client.get("/api/suggest", params={"q": "eau"}).json()["suggestions"]
    assert suggestions[0] == {"value": "Eau et assainissement", "kind": "thématique"}
    # The page's own completion route says the same.
    assert places_client.get("/suggest", params={"q": "eau"}).json()["suggestions"][0] == \
        suggestions[0]


def test_a_place_name_is_not_read_as_a_typo(places_client) -> None:
    found = places_client.get("/api/search", params={"q": "Le Caire"}).json()
    assert found["fuzzy"] is False and found["suggestion"] is None
    assert found["total"] == 0  # nothing about Le Caire, and no « chaire » instead
    # A real typo is still tolerated.
    typo = places_client.get("/api/search", params={"q": "chiare"}).json()
    assert typo["total"] == 1 and typo["fuzzy"] is True


def test_abbreviations_are_searched_but_not_announced(places_client) -> None:
    found = places_client.get("/api/search", params={"q": "Saint-Louis"}).json()
    assert found["total"] == 1
    assert found["expanded"] == []
    page = places_client.get("/", params={"q": "Saint-Louis"}).text
    assert "Recherche élargie" not in page and "St Louis" not in page
    # Typed abbreviated, the full form is news: announced.
    short = places_client.get("/api/search", params={"q": "St-Louis"}).json()
    assert short["total"] == 1 and "Saint Louis" in short["expanded"]


@pytest.mark.parametrize("query,param,meant", [
    ({"countries": "SN"}, "countries", "country"),
    ({"pays": "SN"}, "pays", "country"),
    ({"thematique": "Culture"}, "thematique", "theme"),
])
def test_unknown_parameters_are_named_with_the_one_meant(client, query, param, meant) -> None:
    answer = client.get("/api/search", params=query).json()
    assert answer["total"] == client.get("/api/search").json()["total"]  # ignored, as said
    assert len(answer["warnings"]) == 1
    assert f"'{param}'" in answer["warnings"][0] and f"'{meant}'" in answer["warnings"][0]
    assert "Known parameters: q," in answer["warnings"][0]
    page = client.get("/", params=query).text
    assert re.search(rf"Paramètre inconnu «.{param}.» ignoré.: utilisez «.{meant}.»", page)


def test_unknown_values_are_said_not_silently_zero(client) -> None:
    answer = client.get("/api/search", params={"country": "XX"}).json()
    assert answer["total"] == 0
    assert answer["warnings"] == [
        "country: no record has the value 'XX' (see /api/facets/country for the values "
        "this index holds)"]
    page = client.get("/", params={"country": "XX"}).text
    assert "Aucun projet n’a la valeur «\u00a0XX\u00a0» pour le filtre pays" in page
    # A well-formed search has no warning, and the contract documents the field.
    assert client.get("/api/search", params={"country": "IT", "q": "eau"}).json()[
        "warnings"] == []
    schema = client.get("/openapi.json").json()["components"]["schemas"]["SearchAnswer"]
    assert "warnings" in schema["properties"]


def test_search_landmarks_have_unique_names(client) -> None:
    html = client.get("/", params={"q": "coopération"}).text
    forms = re.findall(r'<form[^>]*role="search"[^>]*>', html)
    assert len(forms) >= 2, "the facet value searches are on this page"
    labels = []
    for form in forms:
        name = re.search(r'aria-label="([^"]+)"', form)
        assert name, form
        labels.append(name.group(1))
    assert len(set(labels)) == len(labels), labels


def test_a_to_z_filter_has_a_status_line(client) -> None:
    html = client.get("/collectivites", params={"lettre": "A"}).text
    field = re.search(r'<input[^>]*id="filtre-collectivites"[^>]*>', html, re.S).group(0)
    assert 'data-filter-status="collectivites-etat"' in field
    assert 'data-filter-scope="collectivité en A"' in field
    assert re.search(r'<p class="filter-status" id="collectivites-etat" role="status">', html)


def test_value_search_fields_have_a_visible_border() -> None:
    css = (Path(__file__).parents[2] / "search_app/web/static/atlas.css").read_text()
    rule = re.search(r'\n\.search-row input\[type="search"\] \{([^}]*)\}', css).group(1)
    assert "#fff" not in rule.split("border:")[1].split(";")[0]

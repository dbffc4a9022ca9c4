"""The JSON API against the fixture index: shapes, facets, CSV, lookups, limits."""

from __future__ import annotations

import csv
import io
import json

import pytest

from indexer.parse import parse_file

from ..conftest import HOSTILE_TITLE, SEED_ID, SEED_PAGE, SYNTHETIC_COUNT

TOTAL = SYNTHETIC_COUNT + 2


def search(client, **params) -> dict:
    response = client.get("/api/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def read_csv(response) -> list[dict]:
    """Rows as French Excel reads the export (UTF-8 with BOM, `;` separated, French
    headings), keyed by record field name."""
    from search_app.web.exports import COLUMNS

    assert response.content.startswith(b"\xef\xbb\xbf")
    field = {heading: name for name, heading, _ in COLUMNS}
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    return [{field[k]: v for k, v in row.items()} for row in rows]


def test_search_shape(client) -> None:
    data = search(client, q="coopération")
    for key in ("total", "page", "size", "pages", "took_ms", "suggestion", "hits", "facets"):
        assert key in data
    assert set(data["facets"]) >= {"country", "theme", "status", "partnership_form",
                                   "start_year"}
    hit = data["hits"][0]
    for key in ("id", "title", "theme", "status", "start_year", "countries", "french_partners",
                "funding_total_eur", "snippet", "score"):
        assert key in hit
    item = data["facets"]["country"][0]
    assert set(item) >= {"value", "label", "count", "funding_eur", "selected"}


def test_empty_query_browses_everything(client) -> None:
    data = search(client)
    assert data["total"] == TOTAL
    assert data["pages"] == (TOTAL + 19) // 20 and len(data["hits"]) == 20


def test_seed_found_by_french_queries(client) -> None:
    for q in ("villes michelin", "Querétaro", "queretaro", "clermont ferrand",
              "réseau international", "\"Villes Michelin\"", "vitoria-gasteiz"):
        assert SEED_ID in {h["id"] for h in search(client, q=q, size=100)["hits"]}, q


def test_snippet_marks_and_escapes(client) -> None:
    hit = next(h for h in search(client, q="villes michelin", size=100)["hits"]
               if h["id"] == SEED_ID)
    assert "<mark>" in hit["snippet"]
    hostile = search(client, q="esperluette")["hits"][0]
    assert hostile["id"] == "hostile_xss"
    stripped = hostile["snippet"].replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped and "&lt;img" in stripped


@pytest.mark.parametrize("facet,param", [
    ("country", "country"), ("theme", "theme"), ("status", "status"),
    ("partnership_form", "form"),
])
def test_facet_count_equals_total_when_selected(client, facet: str, param: str) -> None:
    base = search(client, q="eau")
    for item in base["facets"][facet][:6]:
        narrowed = search(client, q="eau", **{param: item["value"]})
        assert narrowed["total"] == item["count"], item
        selected = [f for f in narrowed["facets"][facet] if f["selected"]]
        assert [f["value"] for f in selected] == [item["value"]]


def test_year_facet_consistency(client) -> None:
    for item in search(client)["facets"]["start_year"][:5]:
        year = item["value"]
        assert search(client, year_min=year, year_max=year)["total"] == item["count"]


def test_facets_are_disjunctive(client) -> None:
    top = search(client)["facets"]["country"]
    a, b = top[0], top[1]
    one = search(client, country=a["value"])
    # the selected facet still lists the other countries with what they would add
    other = next(f for f in one["facets"]["country"] if f["value"] == b["value"])
    assert other["count"] == b["count"]
    both = search(client, country=[a["value"], b["value"]])
    assert both["total"] >= max(a["count"], b["count"])
    assert both["total"] <= a["count"] + b["count"]
    # across facets it is AND: a theme count under a country filter is within that country
    theme = one["facets"]["theme"][0]
    assert search(client, country=a["value"], theme=theme["value"])["total"] == theme["count"]


def test_funding_per_facet_value(client) -> None:
    data = search(client, country="IT")
    italy = next(f for f in data["facets"]["country"] if f["value"] == "IT")
    rows = read_csv(client.get("/api/search.csv", params={"country": "IT"}))
    assert italy["funding_eur"] == sum(int(r["funding_total_eur"] or 0) for r in rows)


@pytest.mark.parametrize("value", ["IT", "it", "Italie", "ITALIE", "italie"])
def test_country_filter_by_code_or_french_name(client, value: str) -> None:
    data = search(client, country=value, size=100)
    assert SEED_ID in {h["id"] for h in data["hits"]}


def test_country_filter_accents(client) -> None:
    assert search(client, country="Mexique")["total"] == search(client, country="méxique")[
        "total"] or search(client, country="MX")["total"] >= 1
    assert search(client, country="Etats-Unis d'Amérique")["total"] == search(
        client, country="US")["total"] >= 1


def test_unknown_filter_values_give_zero(client) -> None:
    assert search(client, country="Atlantide")["total"] == 0
    assert search(client, theme="Rien du tout")["total"] == 0


def test_sorting(client) -> None:
    years = [h["start_year"] or 0 for h in search(client, sort="year_desc", size=50)["hits"]]
    assert years == sorted(years, reverse=True)
    funding = [h["funding_total_eur"] for h in search(client, sort="funding_desc",
                                                       size=50)["hits"]]
    assert funding == sorted(funding, reverse=True)
    years = [h["start_year"] for h in search(client, sort="year_asc", size=50)["hits"]]
    assert years == sorted(years)


def test_paging_is_consistent_and_past_end_empty(client) -> None:
    first = search(client, q="coopération", size=10, page=1)
    second = search(client, q="coopération", size=10, page=2)
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}
    past = search(client, q="coopération", page=first["pages"] + 5)
    assert past["hits"] == [] and past["total"] == first["total"]


@pytest.mark.parametrize("params", [
    {"size": 0}, {"size": 101}, {"page": 0}, {"page": "abc"}, {"year_min": "20x"},
    {"q": "x" * 501}, {"sort": "random"},
])
def test_bad_parameters_422(client, params: dict) -> None:
    response = client.get("/api/search", params=params)
    assert response.status_code == 422
    assert "detail" in response.json()


def test_csv_export(client) -> None:
    response = client.get("/api/search.csv", params={"q": "eau"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = read_csv(response)
    assert len(rows) == search(client, q="eau")["total"]
    assert {"id", "title", "country_codes", "funding_total_eur"} <= set(rows[0])


def test_project_lookup_is_the_parse(client) -> None:
    response = client.get(f"/api/projects/{SEED_ID}")
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(parse_file(SEED_PAGE).to_dict()))


@pytest.mark.parametrize("bad", ["nope", "a.b", "..%2F..%2Fetc", "x" * 300, "é"])
def test_project_404(client, bad: str) -> None:
    response = client.get(f"/api/projects/{bad}")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_suggest(client) -> None:
    values = client.get("/api/suggest", params={"q": "clerm"}).json()["suggestions"]
    assert any(v["value"] == "Clermont-Ferrand" for v in values)
    values = client.get("/api/suggest", params={"q": "ital"}).json()["suggestions"]
    assert any(v["value"] == "Italie" for v in values)
    values = client.get("/api/suggest", params={"q": "perennisation"}).json()["suggestions"]
    assert any(v.get("id") == SEED_ID for v in values)


def test_healthz(client) -> None:
    data = client.get("/healthz").json()
    assert data["status"] == "ok" and data["records"] == TOTAL
    assert data["version"] and data["built_at"]


def test_typo_tolerance_and_suggestion(client) -> None:
    data = search(client, q="michelinn")
    assert SEED_ID in {h["id"] for h in data["hits"]}
    assert data["suggestion"] and "michelin" in data["suggestion"].lower()
    assert search(client, q="eaux")["total"] > 0
    assert search(client, q="zzzzzzzzzzzq")["total"] == 0


def test_short_words_never_fuzzed(client) -> None:
    assert search(client, q="qxz")["total"] == 0


def test_hostile_record_served_as_data(client) -> None:
    record = client.get("/api/projects/hostile_xss").json()
    assert record["title"] == HOSTILE_TITLE


def test_security_headers(client) -> None:
    headers = client.get("/api/search").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"]


def test_api_token(settings) -> None:
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from search_app.web.app import create_app

    with TestClient(create_app(replace(settings, api_token="s3cret"))) as client:
        assert client.get("/api/search").status_code == 401
        assert client.get("/api/search", headers={"Authorization": "Bearer nope"}
                          ).status_code == 401
        assert client.get(f"/api/projects/{SEED_ID}").status_code == 401
        ok = client.get("/api/search", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200
        assert client.get("/").status_code == 200  # the HTML stays public
        assert client.get("/healthz").status_code == 200

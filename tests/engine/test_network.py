"""Authority and country pages agree with the search; field terms in q act as filters."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from search_app.engine.network import slugify

from ..conftest import SEED_ID


def search(client, **params) -> dict:
    r = client.get("/api/search", params={"size": 100, **params})
    assert r.status_code == 200
    return r.json()


def facet(answer: dict, name: str) -> dict[str, dict]:
    return {str(i["value"]): i for i in answer["facets"][name]}


def test_slug_rule() -> None:
    assert slugify("Métropole Européenne de Lille") == "metropole-europeenne-de-lille"
    assert slugify("  Saint-Étienne  ") == "saint-etienne"
    assert slugify("Communauté d'agglomération — Pays Basque") == (
        "communaute-d-agglomeration-pays-basque")
    assert slugify("Lyon <i>") == "lyon-i"


def test_every_authority_agrees_with_the_search(client) -> None:
    everything = search(client, size=1)
    authorities = everything["facets"]["french_partner"]
    assert len(authorities) > 20
    for item in authorities:
        name = item["value"]
        r = client.get(f"/api/authorities/{slugify(name)}")
        assert r.status_code == 200, name
        page = r.json()
        assert page["name"] == name and page["slug"] == slugify(name)
        filtered = search(client, french_partner=name, size=1)
        assert page["projects"] == filtered["total"] == item["count"]
        assert page["funding_eur"] == item["funding_eur"]
        assert {c["code"]: c["count"] for c in page["countries"]} == {
            k: v["count"] for k, v in facet(filtered, "country").items()}
        assert {t["value"]: t["count"] for t in page["themes"]} == {
            k: v["count"] for k, v in facet(filtered, "theme").items()}
        assert {y["value"]: y["count"] for y in page["years"]} == {
            int(k): v["count"] for k, v in facet(filtered, "start_year").items()}


def test_every_country_agrees_with_the_search(client) -> None:
    countries = search(client, size=1)["facets"]["country"]
    assert len(countries) > 10
    for item in countries:
        code = item["value"]
        page = client.get(f"/api/countries/{code}").json()
        filtered = search(client, country=code, size=1)
        assert page["code"] == code
        assert page["projects"] == filtered["total"] == item["count"]
        assert page["funding_eur"] == item["funding_eur"]
        assert {a["name"]: a["count"] for a in page["authorities"]} == {
            k: v["count"] for k, v in facet(filtered, "french_partner").items()}
        assert {t["value"]: t["count"] for t in page["themes"]} == {
            k: v["count"] for k, v in facet(filtered, "theme").items()}


def test_country_by_name_or_lowercase(client) -> None:
    assert client.get("/api/countries/mx").json()["code"] == "MX"
    assert client.get("/api/countries/Mexique").json()["name"] == "Mexique"


def test_seed_authority_partners(client) -> None:
    page = client.get("/api/authorities/clermont-ferrand").json()
    assert page["projects"] >= 1
    partners = {(p["name"], p["country"]) for p in page["partners"]}
    assert ("Cuneo", "Italie") in partners
    assert all(p["count"] >= 1 for p in page["partners"])


@pytest.mark.parametrize("url", ["/api/authorities/nulle-part", "/api/countries/XX",
                                 "/api/countries/atlantide"])
def test_unknown_is_404_json(client, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 404 and "detail" in r.json()


@pytest.mark.parametrize("url", ["/collectivites/nulle-part", "/pays/XX"])
def test_unknown_page_is_404_html(client, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")


def test_authority_page(client) -> None:
    html = client.get("/collectivites/clermont-ferrand").text
    assert "<h1" in html and "Clermont-Ferrand" in html
    assert re.search(r'<figure class="worldmap">.*href="/pays/MX"', html, re.S)
    assert 'class="yearchart"' in html
    assert f'id="hit-{SEED_ID}"' in html
    assert "Cuneo" in html
    assert 'href="/?french_partner=Clermont-Ferrand"' in html


def test_country_page_is_paged(client) -> None:
    biggest = search(client, size=1)["facets"]["country"][0]
    assert biggest["count"] > 20, "the fixture needs a country with two pages"
    code = biggest["value"]
    first = client.get(f"/pays/{code}").text
    second = client.get(f"/pays/{code}?page=2").text
    ids = re.compile(r'id="hit-([^"]+)"')
    assert len(ids.findall(first)) == 20
    assert ids.findall(second) and set(ids.findall(first)).isdisjoint(ids.findall(second))
    assert f'href="/pays/{code}?page=2"' in first


def test_hostile_names_are_escaped(client) -> None:
    html = client.get("/collectivites/lyon-i").text
    assert "Lyon &lt;i&gt;" in html and "<i>" not in html


def test_country_page_links_authorities(client) -> None:
    page = client.get("/api/countries/SN").json()
    html = client.get("/pays/SN").text
    assert "<h1" in html and "Sénégal" in html
    for a in page["authorities"][:5]:
        assert f'href="/collectivites/{a["slug"]}"' in html
    assert 'class="yearchart"' in html


def test_index_of_authorities(client) -> None:
    html = client.get("/collectivites").text
    assert 'href="/collectivites?lettre=' in html
    narrowed = client.get("/collectivites", params={"q": "clermont"}).text
    assert 'href="/collectivites/clermont-ferrand"' in narrowed
    assert narrowed.count('<li><a href="/collectivites/') < html.count(
        '<li><a href="/collectivites/')


def test_links_from_facets_hits_and_project_page(client) -> None:
    html = client.get("/", params={"q": "Michelin"}).text
    assert 'class="facet-page" href="/pays/BR"' in html  # the first of its 18 countries
    assert 'class="facet-page" href="/collectivites/clermont-ferrand"' in html
    card = html[html.index(f'id="hit-{SEED_ID}"'):]
    card = card[:card.index("</article>")]
    assert 'href="/pays/MX"' in card and 'href="/collectivites/clermont-ferrand"' in card
    project = client.get(f"/projects/{SEED_ID}").text
    assert 'href="/collectivites/clermont-ferrand"' in project
    assert 'href="/pays/IT"' in project


# ---------------------------------------------------------------- field syntax


def _first_value(client, facet_name: str) -> str:
    return search(client, size=1)["facets"][facet_name][0]["value"]


def _quoted(value: str) -> str:
    return f'"{value}"' if " " in value else value


@pytest.mark.parametrize(("field", "param", "facet_name"), [
    ("pays", "country", "country"),
    ("theme", "theme", "theme"),
    ("statut", "status", "status"),
    ("forme", "form", "partnership_form"),
    ("collectivite", "french_partner", "french_partner"),
])
def test_field_term_equals_its_filter(client, field: str, param: str, facet_name: str) -> None:
    value = _first_value(client, facet_name)
    with_syntax = search(client, q=f"{field}:{_quoted(value)} coopération")
    with_filter = search(client, q="coopération", **{param: value})
    assert with_syntax["total"] == with_filter["total"] > 0
    assert [h["id"] for h in with_syntax["hits"]] == [h["id"] for h in with_filter["hits"]]
    assert with_syntax["facets"] == with_filter["facets"]


def test_pays_by_french_name_without_accents(client) -> None:
    assert search(client, q="pays:senegal eau")["total"] == search(
        client, q="eau", country="SN")["total"] > 0
    assert search(client, q="PAYS:Sénégal")["total"] == search(client, country="SN")["total"]


@pytest.mark.parametrize(("q", "year_min", "year_max"), [
    ("annee:2019", 2019, 2019), ("annee:2015..2020", 2015, 2020), ("année:2015..", 2015, None),
])
def test_year_terms(client, q: str, year_min: int, year_max: int | None) -> None:
    filters = {"year_min": year_min} | ({"year_max": year_max} if year_max else {})
    assert search(client, q=q)["total"] == search(client, **filters)["total"] > 0


def test_unknown_field_is_text_and_value_matching_nothing_is_zero(client) -> None:
    assert client.get("/api/search", params={"q": "foo:bar"}).status_code == 200
    assert search(client, q="http://example.org")["total"] >= 0
    assert search(client, q="pays:atlantide")["total"] == 0
    html = client.get("/", params={"q": "pays:atlantide"}).text
    assert "Aucun projet" in html and "Retirer" in html


def test_field_term_is_a_removable_chip(client) -> None:
    html = client.get("/", params={"q": "pays:senegal eau"}).text
    chip = re.search(r'<a class="chip" href="([^"]+)">Pays\u00a0: Sénégal', html)
    assert chip and chip.group(1) == "/?q=eau"
    assert 'value="eau"' in html  # the box keeps the text, the chip the filter


def test_search_page_explains_the_syntax_and_the_expansion(client) -> None:
    html = client.get("/", params={"q": "UE"}).text
    assert 'class="syntax-help"' in html and "pays:" in html and "annee:2015..2020" in html
    assert re.search(r"Recherche élargie à [^<]*Union européenne", html)


def test_quoted_field_term_and_phrase_stay_text(client) -> None:
    name = "Clermont-Ferrand"
    assert search(client, q=f'collectivite:"{name}"')["total"] == search(
        client, french_partner=name)["total"]
    r = client.get("/api/search", params={"q": quote('"pays:senegal"')})
    assert r.status_code == 200

"""What people ran into on the pages and the API: crafted URLs, every facet value, paging past
the end, display details, autocomplete. Each goes through the app (TestClient)."""

from __future__ import annotations

import html
import json
import re

import pytest

from ..conftest import search_all

# ---------------------------------------------------------------- crafted URLs (item 2)


def test_too_many_filter_values_is_a_clear_422(client) -> None:
    crafted = [("q", "eau")] + [("french_partner", f"Ville {i}") for i in range(1000)]
    page = client.get("/", params=crafted)
    assert page.status_code == 422 and len(page.content) < 20_000
    text = html.unescape(page.text)
    assert "1000 valeurs\u00a0: au plus 20 par filtre" in text
    assert 'value="eau"' in page.text  # the search box keeps the query
    api = client.get("/api/search", params=crafted)
    assert api.status_code == 422
    assert api.json()["detail"][0]["type"] == "too_many_values"
    assert api.json()["detail"][0]["loc"] == ["query", "french_partner"]
    # The OpenAPI schema says so, so clients know before asking.
    schema = client.get("/openapi.json").json()
    country = next(p for p in schema["paths"]["/api/search"]["get"]["parameters"]
                   if p["name"] == "country")
    assert country["schema"]["anyOf"][0]["maxItems"] == 20
    assert client.get("/api/search", params=crafted[:21]).status_code == 200


def test_page_weight_follows_what_is_shown(client) -> None:
    # Each facet lists its ten most frequent values (and the selected ones), not hundreds.
    page = client.get("/").text
    for facet in ("country", "sub-theme", "french-partner"):
        block = re.search(rf'<ul id="facette-{facet}-liste".*?</ul>', page, re.S)
        assert block and block.group(0).count('class="facet-link') == 10, facet
    assert len(page.encode()) < 90_000
    # The most a URL may select (20 values of a filter): each is shown (chip and list) and
    # every link carries them, hundreds of kilobytes at most, not the tens of megabytes of
    # a thousand values.
    values = [v["value"] for v in search_all(client, size=1)["facets"]["french_partner"][:20]]
    chosen = client.get("/", params=[("french_partner", v) for v in values])
    assert chosen.status_code == 200
    assert chosen.text.count('class="chip"') == 20
    assert len(chosen.content) < 500_000


# ---------------------------------------------------------------- every facet value (item 11)


def test_facet_says_how_many_more_and_reaches_every_value(client) -> None:
    answer = search_all(client, size=1)
    everyone = answer["facet_totals"]["french_partner"]
    assert everyone > 10
    page = client.get("/").text
    more = re.search(r'<ul id="facette-french-partner-liste".*?</ul>\s*'
                     r'<p class="facet-more">et ([\d\u202f]+) autres · <a href="([^"]+)"',
                     page, re.S)
    assert more and int(more.group(1).replace("\u202f", "")) == everyone - 10
    assert more.group(2) == "/filtres/french_partner"
    # Every value is reachable: page after page of the value list, and by searching it.
    seen: list[str] = []
    url = more.group(2)
    while url:
        listing = client.get(url).text
        seen += re.findall(r'<a href="[^"]+" class="facet-link"\s+data-label="([^"]+)"', listing)
        nxt = re.search(r'<a href="([^"]+)" rel="next"', listing)
        url = html.unescape(nxt.group(1)) if nxt else ""
    assert len(seen) == len(set(seen)) == everyone
    rare = seen[-1]
    found = client.get("/filtres/french_partner", params={"valeur": rare[1:].upper()}).text
    label = re.escape(html.escape(rare))
    link = re.search(rf'<a href="([^"]+)" class="facet-link"\s+data-label="{label}"', found)
    assert link, rare
    narrowed = search_all(client, french_partner=rare)
    assert narrowed["total"] >= 1
    assert html.unescape(link.group(1)).startswith("/?french_partner=")


# ---------------------------------------------------------------- a page past the end (item 12)


def test_a_page_past_the_end_goes_to_the_last_page(client) -> None:
    answer = search_all(client, q="eau")
    last = (answer["total"] + 19) // 20
    moved = client.get("/", params={"q": "eau", "page": 60}, follow_redirects=False)
    assert moved.status_code == 303
    assert moved.headers["location"] == f"/?q=eau&page={last}"
    shown = client.get(moved.headers["location"]).text
    assert f"page {last} sur {last}" in shown and "page 60" not in shown


# ---------------------------------------------------------------- display details (6, 18)

DISPLAY_RECORDS = [
    {"id": "eau_potable", "title": "Accès à l'eau potable à Dakar", "theme": "Eau",
     "countries": [{"code": "US", "name": "Etats-Unis"}]},
    {"id": "sans_montant", "title": "Jumelage sans montant connu", "theme": "Culture et Patrimoine",
     "context": "Un jumelage culturel.", "french_partners": ["Lille"],
     "funding": [{"funder": "Lille", "amount_eur": None, "year": 2014}],
     "funding_total_eur": 0},
    {"id": "trois_pays", "title": "Réseau de trois pays", "theme": "Culture et Patrimoine",
     "context": "Un réseau culturel.",
     "countries": [{"code": "US", "name": "Etats-Unis d'Amérique"},
                   {"code": "EG", "name": "Egypte"}, {"code": "DE", "name": "Allemagne"}],
     "foreign_partners": [{"name": "Boston", "country": "Etats-Unis d'Amérique"}],
     "french_partners": ["Région Bretagne", "Lille"],
     "funding": [{"funder": "Lille", "amount_eur": 5000, "year": 2015}],
     "funding_total_eur": 5000},
]


@pytest.fixture(scope="module")
def display_client(tmp_path_factory: pytest.TempPathFactory):
    from fastapi.testclient import TestClient

    from indexer.build import build
    from search_app.settings import Settings
    from search_app.web.app import create_app

    root = tmp_path_factory.mktemp("display")
    source = root / "records.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in DISPLAY_RECORDS),
                      encoding="utf-8")
    build([source], root / "index", progress=False)
    with TestClient(create_app(Settings(index_dir=root / "index"))) as client:
        yield client


def _visible(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_no_known_amount_is_not_zero_euros(display_client) -> None:
    page = _visible(display_client.get("/projects/sans_montant").text)
    assert not re.search(r"(?<![\d\u202f])0\u00a0€", page)
    total = re.search(r"Financement total\s+(\S.*?)\n", page)
    assert total and total.group(1).strip() == "non renseigné", total
    assert "5\u202f000\u00a0€" in _visible(display_client.get("/projects/trois_pays").text)


def test_one_french_spelling_per_country_in_alphabetical_order(display_client) -> None:
    hit = search_all(display_client, q="réseau")["hits"][0]
    assert [c["name"] for c in hit["countries"]] == ["Allemagne", "Égypte", "États-Unis"]
    card = display_client.get("/", params={"q": "réseau"}).text
    card = card[card.index('id="hit-trois_pays"'):]
    names = re.findall(r'<a href="/pays/[A-Z]+">([^<]+)</a>', card[:card.index("</article>")])
    assert names == ["Allemagne", "Égypte", "États-Unis"]
    project = display_client.get("/projects/trois_pays").text
    assert "Etats-Unis d" not in html.unescape(project)
    assert "États-Unis" in project


def test_french_ui_text_has_no_break_spaces(display_client) -> None:
    pages = [display_client.get(url).text for url in (
        "/?q=réseau", "/?q=reseaux+zzzzzz&theme=Culture+et+Patrimoine&country=US",
        "/projects/trois_pays", "/filtres/country?valeur=e", "/nulle-part")]
    for page in pages:
        text = _visible(page)
        assert not re.search(r"« | »| [:;?!](?=\s)", text), re.findall(r".{20}(?:« | »| [:;?!]\s)",
                                                                       text)


# ---------------------------------------------------------------- autocomplete (item 10)


def _suggest(client, q: str, path: str = "/suggest") -> list[tuple[str, str]]:
    response = client.get(path, params={"q": q})
    assert response.status_code == 200, response.text
    return [(s["value"], s["kind"]) for s in response.json()["suggestions"]]


def test_autocomplete_from_the_start_of_any_word(display_client) -> None:
    assert ("Région Bretagne", "collectivité française") in _suggest(display_client, "Bretagne")
    assert ("Accès à l'eau potable à Dakar", "projet") in _suggest(display_client, "eau")
    assert _suggest(display_client, "egy") == [("Égypte", "pays")]


def test_autocomplete_one_entry_per_country(display_client) -> None:
    # Two records spell the United States two ways: one suggestion, the French name.
    for q in ("etats", "États-Unis", "Etats-Unis d'Am"):
        assert _suggest(display_client, q) == [("États-Unis", "pays")], q


def test_autocomplete_works_on_public_pages_when_a_token_guards_the_api(tmp_path) -> None:
    from fastapi.testclient import TestClient

    from indexer.build import build
    from search_app.settings import Settings
    from search_app.web.app import create_app

    source = tmp_path / "records.jsonl"
    source.write_text(json.dumps(DISPLAY_RECORDS[-1], ensure_ascii=False) + "\n",
                      encoding="utf-8")
    build([source], tmp_path / "index", progress=False)
    app = create_app(Settings(index_dir=tmp_path / "index", api_token="secret"))
    with TestClient(app) as client:
        assert client.get("/api/suggest", params={"q": "bret"}).status_code == 401
        page = client.get("/").text
        url = re.search(r'data-suggest-url="([^"]+)"', page).group(1)
        assert ("Région Bretagne", "collectivité française") in _suggest(client, "bret", url)


def test_the_api_pages_through_every_value_of_a_facet(client) -> None:
    """A search lists a facet's most frequent values up to its limit; /api/facets/{param}
    gives every one, in the same order and with the same counts, under the same filters."""
    from indexer.fields import BY_NAME

    answer = search_all(client, q="eau", size=1)
    listed = answer["facets"]["french_partner"]
    everyone = answer["facet_totals"]["french_partner"]
    limit = BY_NAME["french_partner"].limit
    assert limit is not None and len(listed) == min(limit, everyone)
    values: list[dict] = []
    page = 1
    while True:
        r = client.get("/api/facets/french_partner",
                       params={"q": "eau", "page": page, "size": 30})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["facet"] == "french_partner" and body["total"] == everyone
        values += body["values"]
        if page >= body["pages"]:
            break
        page += 1
    assert len(values) == everyone == len({v["value"] for v in values})
    assert [(v["value"], v["count"]) for v in values[:len(listed)]] == \
        [(v["value"], v["count"]) for v in listed]
    assert all(v["toggle_url"].startswith("/?q=eau&french_partner=") and "size=" not in
               v["toggle_url"] and "page=" not in v["toggle_url"] for v in values)
    # Narrowed by a part of the name (no case or accents), like the HTML value list.
    name = values[-1]["value"]
    part = client.get("/api/facets/french_partner",
                      params={"q": "eau", "contains": name[1:].upper()})
    assert name in [v["value"] for v in part.json()["values"]]
    # Disjunctive like the search's list: a selected partner's neighbours still count.
    top = values[0]["value"]
    chosen = client.get("/api/facets/french_partner",
                        params={"q": "eau", "french_partner": top, "size": 100}).json()
    assert chosen["total"] == everyone and chosen["values"][0]["value"] == top
    assert chosen["values"][0]["selected"] and not chosen["values"][1]["selected"]
    missing = client.get("/api/facets/nope")
    assert missing.status_code == 404 and "french_partner" in missing.json()["detail"]
    assert client.get("/api/facets/country", params={"size": 0}).status_code == 422

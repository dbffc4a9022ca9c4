"""The interface in English beside French, through HTTP: how the language is chosen, kept
and shown (labels, taxonomy, numbers, errors, exports), French unchanged by default."""

from __future__ import annotations

import io
import re

import pytest

from search_app.web import i18n
from tests.conftest import SEED_ID

EN = {"Accept-Language": "en-GB,en;q=0.9"}


def lang_of(html: str) -> str:
    return re.search(r'<html lang="([a-z]+)">', html).group(1)


# ---------------------------------------------------------------- choosing the language


@pytest.mark.parametrize("header,expected", [
    ("en", "en"), ("en-GB,en;q=0.9", "en"), ("en-US", "en"), ("de", None),
    ("de-DE,de;q=0.9,en;q=0.8", "en"), ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
    ("en;q=0.2,fr;q=0.9", "fr"), ("*", None), ("", None), ("en;q=0", None),
])
def test_accept_language_negotiation(header: str, expected: str | None) -> None:
    assert i18n.from_accept_language(header) == expected


def test_french_by_default_and_for_other_languages(client) -> None:
    for headers in ({}, {"Accept-Language": "de"}, {"Accept-Language": "fr-FR"}):
        page = client.get("/", headers=headers)
        assert lang_of(page.text) == "fr"
        assert "Rechercher un projet" in page.text and "Search for a project" not in page.text
        # Only the switch and the alternate link name English; no other link carries lang.
        assert page.text.count("lang=en") == 2


def test_search_page_in_english_for_accept_language(client) -> None:
    page = client.get("/", params={"q": "eau"}, headers=EN)
    assert page.status_code == 200 and lang_of(page.text) == "en"
    assert "Search for a project" in page.text
    heading = r'id="resultats-titre">[\d,]+\u00a0projects? for “eau”( · €[\d.]+[kmb]n?)?</h1>'
    assert re.search(heading, page.text)
    assert "Refine the search" in page.text and "Partner countries" in page.text
    assert "Rechercher un projet" not in page.text
    assert "Accept-Language" in page.headers["Vary"] and page.headers["Content-Language"] == "en"


def test_search_page_in_english_for_lang_parameter_and_cookie_keeps_it(client) -> None:
    page = client.get("/", params={"lang": "en"})
    assert lang_of(page.text) == "en" and "Search for a project" in page.text
    assert page.cookies.get("lang") == "en"
    # The next request, without the parameter, is still English (the cookie) …
    again = client.get("/", params={"q": "eau"})
    assert lang_of(again.text) == "en"
    # … until French is chosen again.
    back = client.get("/", params={"lang": "fr"})
    assert lang_of(back.text) == "fr" and back.cookies.get("lang") == "fr"
    assert lang_of(client.get("/").text) == "fr"


def test_explicit_choice_beats_accept_language(client) -> None:
    assert lang_of(client.get("/?lang=fr", headers=EN).text) == "fr"
    client.cookies.set("lang", "fr")
    assert lang_of(client.get("/", headers=EN).text) == "fr"


def test_links_and_forms_keep_the_language(client) -> None:
    html = client.get("/", params={"lang": "en", "q": "eau"}).text
    links = re.findall(r'href="(/[^"]*)"', html)
    local = [u for u in links if not u.startswith(("/static/", "//"))]
    assert local and all(re.search(r"[?&]lang=", u.replace("&amp;", "&")) for u in local)
    forms = html.count("<form ")
    assert forms >= 2 and html.count('<input type="hidden" name="lang" value="en">') == forms
    # A facet link keeps the search and adds the language.
    assert re.search(r'href="/\?q=eau&amp;country=[A-Z]{2}&amp;lang=en"', html)


def test_switch_alternates_and_html_lang(client) -> None:
    html = client.get("/", params={"q": "eau"}).text
    assert '<nav class="lang-switch"' in html
    assert 'href="/?q=eau&amp;lang=en" hreflang="en" lang="en"' in html
    assert 'href="/?q=eau&amp;lang=fr" hreflang="fr" lang="fr"' in html
    assert re.search(r'<link rel="alternate" hreflang="en" href="http://[^"]+/\?q=eau&amp;lang=en">',
                     html)
    assert '<link rel="alternate" hreflang="fr"' in html
    assert re.search(r'<link rel="alternate" hreflang="x-default" href="http://[^"]+/\?q=eau">',
                     html)


# ---------------------------------------------------------------- what is shown


def test_taxonomy_in_english_with_french_values_in_urls(client) -> None:
    html = client.get("/", params={"lang": "en", "theme": "Eau et assainissement"}).text
    assert "Water and sanitation" in html
    # The chip shows the English label; its value stays French in the URLs.
    assert re.search(r'class="chip"[^>]*>Theme: Water and sanitation<', html)
    assert "theme=Eau+et+assainissement" in html
    assert 'class="facet-label">Water and sanitation</span>' in html
    years = client.get("/", params={"lang": "en", "year_min": 2010, "year_max": 2015}).text
    assert re.search(r'class="chip"[^>]*>Start from 2010 to 2015<', years)
    french = client.get("/", params={"lang": "fr", "theme": "Eau et assainissement"}).text
    assert "Water and sanitation" not in french
    assert 'class="facet-label">Eau et assainissement</span>' in french


def test_project_page_in_english_record_text_stays_french(client) -> None:
    html = client.get(f"/projects/{SEED_ID}", headers=EN).text
    assert lang_of(html) == "en"
    for label in ("Similar projects", "Form of partnership", "Status", "Sustainable economy",
                  "Decentralised cooperation project", "Ongoing"):
        assert label in html, label
    assert "Pérennisation du Réseau International des Villes Michelin" in html
    assert "Forme du partenariat" not in html
    # Amounts for the locale: €1,234 in English, 1 234 € in French.
    assert re.search(r"€\d{1,3}(,\d{3})*<", html)
    french = client.get(f"/projects/{SEED_ID}").text
    assert re.search(r"\d{1,3}(\u202f\d{3})*\u00a0€", french)


def test_numbers_dates_and_amounts_for_the_locale() -> None:
    assert i18n.number(1380394, "fr") == "1\u202f380\u202f394"
    assert i18n.number(1380394, "en") == "1,380,394"
    assert i18n.money(1380394, "fr") == "1\u202f380\u202f394\u00a0€"
    assert i18n.money(1380394, "en") == "€1,380,394"
    assert i18n.date("2021-12-01", "fr") == "1er décembre 2021"
    assert i18n.date("2021-12-31", "fr") == "31 décembre 2021"
    assert i18n.date("2021-12-01", "en") == "1 December 2021"
    assert i18n.projects(0, "en") == "no project"
    assert i18n.projects(2, "en") == "2\u00a0projects"
    assert i18n.projects(1, "fr") == "1\u00a0projet"


def test_error_pages_in_english(client) -> None:
    missing = client.get("/projects/nope", headers=EN)
    assert missing.status_code == 404 and lang_of(missing.text) == "en"
    assert "Page not found" in missing.text and "Back to the search" in missing.text
    bad = client.get("/?q=eau&year_max=abc&lang=en")
    assert bad.status_code == 422
    assert "start year (until): “abc” is not a year: enter for example 2015" in bad.text
    assert 'href="/?q=eau&amp;lang=en"' in bad.text


def test_api_error_detail_in_the_request_language(client) -> None:
    french = client.get("/api/search?year_max=abc").json()["detail"][0]
    assert french["message"].startswith("année de début (jusqu’à)\u00a0: «\u00a0abc\u00a0»")
    assert french["msg"]  # pydantic's own text stays for programs
    english = client.get("/api/search?year_max=abc", headers=EN).json()["detail"][0]
    assert english["message"] == ("start year (until): “abc” is not a year: enter for example "
                                  "2015, or leave it empty")
    by_param = client.get("/api/search?sort=random&lang=en").json()["detail"][0]["message"]
    assert by_param == ("sort: unknown sort “random”: choose relevance, newest, oldest or "
                        "funding")


def test_workbook_headings_in_english(client) -> None:
    from openpyxl import load_workbook

    english = client.get("/api/search.xlsx", params={"q": "eau", "lang": "en"})
    sheet = load_workbook(io.BytesIO(english.content)).active
    assert sheet.title == "Projects"
    assert [c.value for c in sheet[1]][:4] == ["Identifier", "Title", "Theme", "Sub-theme"]
    french = client.get("/api/search.xlsx", params={"q": "eau"})
    assert [c.value for c in load_workbook(io.BytesIO(french.content)).active[1]][:3] == [
        "Identifiant", "Titre", "Thématique"]
    assert english.headers["etag"] != french.headers["etag"]


def test_authority_and_country_pages_in_english(client) -> None:
    country = client.get("/pays/MX", headers=EN)
    assert country.status_code == 200 and lang_of(country.text) == "en"
    assert "<h1 id=\"page-titre\">Mexico</h1>" in country.text
    assert "Projects in Mexico by start year" in country.text
    listing = client.get("/collectivites", headers=EN).text
    assert "French local authorities in the index." in listing


def test_catalog_falls_back_to_the_po_without_a_mo(tmp_path, monkeypatch) -> None:
    """An editable checkout has no compiled .mo: the .po is compiled in memory."""
    messages = tmp_path / "en" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    po = i18n.LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po"
    (messages / "messages.po").write_bytes(po.read_bytes())
    monkeypatch.setattr(i18n, "_locale_dir", lambda: tmp_path)
    i18n.translations.cache_clear()
    try:
        assert not (messages / "messages.mo").exists()
        assert i18n.translations("en").gettext("Rechercher un projet") == "Search for a project"
    finally:
        i18n.translations.cache_clear()


def test_redirect_past_the_last_page_keeps_the_language(client) -> None:
    moved = client.get("/", params={"q": "eau", "page": 9999, "lang": "en"},
                       follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"].endswith("&lang=en")
    french = client.get("/", params={"q": "eau", "page": 9999}, follow_redirects=False)
    assert "lang=" not in french.headers["location"]


def test_openapi_documents_the_language_parameter(client) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/search", "/api/search.xlsx"):
        names = [p["name"] for p in spec["paths"][path]["get"]["parameters"]]
        assert names.count("lang") == 1, path
    assert client.get("/api/search", params={"lang": "xx"}).status_code == 200

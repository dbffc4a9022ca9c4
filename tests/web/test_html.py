"""The HTML pages, through the app (TestClient): French UI, facets, chips, map, escaping."""

from __future__ import annotations

import html as htmllib
import re
from html.parser import HTMLParser

import pytest

from tests.conftest import HOSTILE_TITLE, SEED_ID

SPACES = re.compile(r"[\s\u00a0\u202f]+")


class Links(HTMLParser):
    """Every <a>: its attributes and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict] = []
        self._open: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "a":
            link = {**dict(attrs), "text": ""}
            self.links.append(link)
            self._open.append(link)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for link in self._open:
            link["text"] += data


def links(html: str) -> list[dict]:
    parser = Links()
    parser.feed(html)
    return parser.links


def text(html: str) -> str:
    """Visible-ish text with every kind of space collapsed."""
    return SPACES.sub(" ", htmllib.unescape(re.sub(r"<[^>]+>", " ", html)))


def total(html: str) -> int:
    heading = re.search(r'<h1 id="resultats-titre">(.*?)</h1>', html, re.S)
    assert heading, "no results heading"
    found = re.match(r"([\d\s\u202f\u00a0]+)projets?", heading.group(1))
    return int(SPACES.sub("", found.group(1))) if found else 0


def facet_link(html: str, facet: str, label: str) -> dict:
    block = re.search(rf'<ul id="facette-{facet}-liste".*?</ul>', html, re.S)
    assert block, f"no {facet} facet"
    for link in links(block.group(0)):
        if link.get("data-label") == label:
            return link
    raise AssertionError(f"{label} not in the {facet} facet")


def chips(html: str) -> list[str]:
    """Chip labels, without the hidden "retirer" text and the × sign."""
    bar = re.search(r'<ul class="chips".*?</ul>', html, re.S)
    if not bar:
        return []
    return [text(a["text"]).split(" : retirer")[0].strip() for a in links(bar.group(0))
            if a.get("class") == "chip"]


def chip_link(html: str, label: str) -> str:
    bar = re.search(r'<ul class="chips".*?</ul>', html, re.S)
    for link in links(bar.group(0)):
        if text(link["text"]).strip().startswith(label):
            return link["href"]
    raise AssertionError(f"no chip {label}")


def get(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def test_search_page_is_french_and_accessible(client) -> None:
    html = get(client, "/")
    assert '<html lang="fr">' in html
    assert 'class="skip-link" href="#resultats"' in html and 'id="resultats"' in html
    assert '<label for="q">Rechercher un projet</label>' in html
    assert "Affiner la recherche" in html and "Trier par" in html
    assert total(html) >= 202
    # Facet counts: Italy appears in the seed record at least (past the sidebar's most
    # frequent values: on the page of every country).
    values = get(client, "/filtres/country?valeur=ital")
    italie = facet_link(values, "country", "Italie")
    count = re.search(r'data-label="Italie">.*?<span class="count">([^<]+)</span>', values,
                      re.S)
    assert count and int(SPACES.sub("", count.group(1))) >= 1
    assert italie["href"].startswith("/?country=IT")
    # Synthetic records are announced by a banner.
    assert "banner-synthetic" in html and "données synthétiques" in html


def test_toggle_country_narrows_and_shows_a_chip(client) -> None:
    everything = total(get(client, "/"))
    values = get(client, "/filtres/country?valeur=Italie")
    narrowed = get(client, facet_link(values, "country", "Italie")["href"])
    assert 1 <= total(narrowed) < everything
    assert "Pays : Italie" in chips(narrowed)
    selected = facet_link(narrowed, "country", "Italie")
    assert "selected" in selected["class"]
    # Toggling again removes the filter.
    assert total(get(client, selected["href"])) == everything


def test_chips_remove_filters(client) -> None:
    html = get(client, "/?q=villes&country=IT&country=MX&year_min=2000")
    assert chips(html) == ["Pays : Italie", "Pays : Mexique", "Début depuis 2000"]
    assert "retirer ce filtre" in html  # said to screen readers
    without_mexico = chip_link(html, "Pays : Mexique")
    assert "country=MX" not in without_mexico and "country=IT" in without_mexico
    assert "q=villes" in without_mexico
    page = get(client, without_mexico)
    assert chips(page) == ["Pays : Italie", "Début depuis 2000"]
    cleared = get(client, chip_link(html, "Retirer tous les filtres"))
    assert chips(cleared) == [] and 'value="villes"' in cleared


def test_world_map_links_filter(client) -> None:
    html = get(client, "/")
    figure = re.search(r'<figure class="worldmap">.*?</figure>', html, re.S)
    assert figure and len(figure.group(0)) < 20_000
    # The shapes are not in the page: it draws them from the cached sprite.
    assert "<path" not in figure.group(0)
    sprite = re.search(r'<use href="(/static/worldmap\.[0-9a-f]{12}\.svg)#world"', html)
    assert sprite and f'<use href="{sprite.group(1)}#MX"' in html
    assert 'id="MX"' in client.get(sprite.group(1)).text
    # A mouse shortcut: hidden from assistive technology, which gets the caption and the list.
    assert '<svg viewBox' in html and 'aria-hidden="true" focusable="false"' in figure.group(0)
    assert "<figcaption>Carte des résultats par pays partenaire\u00a0: " in figure.group(0)
    assert 'href="#facette-country-titre"' in html and 'id="facette-country-titre"' in html
    mexico = [a for a in links(figure.group(0)) if a.get("data-code") == "MX"]
    assert mexico and mexico[0]["tabindex"] == "-1", "Mexico should be linked on the map"
    assert "<title>Mexique\u00a0: " in figure.group(0)
    page = get(client, mexico[0]["href"])
    assert "Pays : Mexique" in chips(page)
    assert SEED_ID in page


def test_year_chart_links_filter(client) -> None:
    html = get(client, "/")
    chart = re.search(r'<figure class="yearchart">.*?</figure>', html, re.S)
    assert chart
    bar = [a for a in links(chart.group(0)) if a.get("data-year") == "2020"]
    assert bar
    page = get(client, bar[0]["href"])
    assert chips(page) == ["Début en 2020"]
    assert SEED_ID in page


def test_sort_links(client) -> None:
    html = get(client, "/?q=coopération")
    sort = re.search(r'<nav class="sort".*?</nav>', html, re.S).group(0)
    current = [a for a in links(sort) if "aria-current" in a]
    assert [a["text"] for a in current] == ["pertinence"]
    by_year = [a for a in links(sort) if a["text"] == "plus récents"][0]["href"]
    page = get(client, by_year)
    sort = re.search(r'<nav class="sort".*?</nav>', page, re.S).group(0)
    assert [a["text"] for a in links(sort) if "aria-current" in a] == ["plus récents"]


def test_pagination(client) -> None:
    html = get(client, "/?size=10")
    nav = re.search(r'<nav class="pagination".*?</nav>', html, re.S)
    assert nav
    assert [a for a in links(nav.group(0)) if a.get("aria-current") == "page"][0]["href"] in (
        "/?size=10", "/?size=10&page=1")
    nxt = [a for a in links(nav.group(0)) if a.get("rel") == "next"][0]["href"]
    assert "page=2" in nxt and "size=10" in nxt
    page2 = get(client, nxt)
    assert "page 2 sur" in page2
    first_ids = set(re.findall(r'id="hit-([A-Za-z0-9_-]+)"', html))
    second_ids = set(re.findall(r'id="hit-([A-Za-z0-9_-]+)"', page2))
    assert len(first_ids) == len(second_ids) == 10 and not first_ids & second_ids
    # A page past the end (an old link) leads to the last page, never « page 60 sur 51 ».
    moved = client.get("/?size=10&page=9999", follow_redirects=False)
    assert moved.status_code == 303
    last = int(re.search(r"page=(\d+)", moved.headers["location"]).group(1))
    assert moved.headers["location"] == f"/?page={last}&size=10"
    beyond = get(client, moved.headers["location"])
    assert f"page {last} sur {last}" in beyond and "Cette page n’existe pas" not in beyond


def test_zero_result_page_offers_filters_to_drop(client) -> None:
    html = get(client, "/?q=Michelin&country=SN&status=En+cours")
    assert total(html) == 0
    assert "Aucun projet ne correspond" in html
    relax = re.search(r'<ul class="relax">.*?</ul>', html, re.S)
    assert relax
    options = links(relax.group(0))
    drop_country = [a for a in options if "Pays : Sénégal" in text(a["text"])]
    assert drop_country
    assert total(get(client, drop_country[0]["href"])) >= 1
    assert "Voir tous les projets" in html


def test_zero_result_page_offers_the_suggestion(client, monkeypatch) -> None:
    service = client.app.state.service
    real = service.search

    def misspelled(params):
        result = real(params)
        if params.q == "coopératoin":
            result = {**result, "total": 0, "pages": 0, "hits": [], "suggestion": "coopération"}
        return result

    monkeypatch.setattr(service, "search", misspelled)
    html = get(client, "/?q=coopératoin&country=IT")
    assert "Vouliez-vous dire" in html
    suggestion = [a for a in links(html) if a["text"] == "«\u00a0coopération\u00a0»"]
    assert suggestion and suggestion[0]["href"] == "/?q=coop%C3%A9ration&country=IT"


def test_project_page_shows_every_section(client) -> None:
    html = get(client, f"/projects/{SEED_ID}")
    page = text(html)
    assert "Pérennisation du Réseau International des Villes Michelin" in page
    for heading in ("Thématiques", "Autres thématiques", "Partenaires",
                    "Collectivités territoriales françaises", "Pays partenaires",
                    "Partenaires étrangers", "Description", "Contexte", "Financement",
                    "Contacts", "Contacts chez les partenaires étrangers",
                    "Postes diplomatiques", "Volontaires", "Projets similaires"):
        assert f">{heading}</h" in html, heading
    assert "Economie durable" in page and "Jeunesse & genre" in page  # other_themes row
    assert "Cuneo" in page and "Santiago de Querétaro" in page and "Mexique" in page
    assert "Clermont-Ferrand" in page
    assert "Total 1 380 394 €" in page  # funding table total
    assert "Ambassade de France à Rome" in page and "bruno.aubert@diplomatie.gouv.fr" in page
    assert "monica.arnaudo@comune.cuneo.it" in page
    assert "31 décembre 2021" in page and "Projet de coopération décentralisée" in page
    assert "Partenariat triennal non" in page
    assert "Aucun volontaire renseigné" in page
    similar = re.search(r'id="similaires".*?</section>', html, re.S).group(0)
    assert 'class="hit"' in similar
    assert "badge-synthetic" not in html.split('id="similaires"')[0]  # a real record


def test_synthetic_records_are_labelled(client) -> None:
    html = get(client, "/?sort=year_desc&size=50")
    cards = re.findall(r'<article class="hit".*?</article>', html, re.S)
    synthetic = [c for c in cards if 'id="hit-syn_' in c]
    assert synthetic and all("données synthétiques" in c for c in synthetic)
    seed = get(client, "/?q=Michelin")
    card = re.search(rf'<article class="hit" aria-labelledby="hit-{SEED_ID}".*?</article>',
                     seed, re.S)
    assert card and "données synthétiques" not in card.group(0)
    syn_id = re.search(r'id="hit-(syn_[A-Za-z0-9_-]+)"', html).group(1)
    detail = get(client, f"/projects/{syn_id}")
    assert ("Données synthétiques\u00a0: ce projet a été généré automatiquement"
            in htmllib.unescape(detail))


def test_hostile_record_is_escaped_everywhere(client) -> None:
    pages = [
        get(client, "/?q=piège"),
        get(client, "/?q=piège&sort=year_desc"),
        get(client, "/projects/hostile_xss"),
        get(client, "/?country=SN&size=100"),
        get(client, "/?french_partner=Lyon%20%3Ci%3E"),
    ]
    for html in pages:
        assert "<script>alert(1)</script>" not in html
        assert "<img src=x" not in html and "<svg onload" not in html
        assert "<b>Ville</b>" not in html and "Lyon <i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Projet piège" in pages[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Projet piège" in pages[2]
    assert "&lt;svg onload=alert(3)&gt;" in pages[2]
    assert HOSTILE_TITLE not in pages[2]


def test_not_found_pages(client) -> None:
    for url in ("/projects/nope", "/projects/bad.id", "/projects/a%20b", "/projects/%3Cscript%3E"):
        html = get(client, url, status=404)
        assert "Page introuvable" in html and '<html lang="fr">' in html
        assert "<script>" not in re.sub(r'<script src="/static/atlas\.[0-9a-f]+\.js" defer>', "",
                                        html)


def test_invalid_parameters_give_an_html_error(client) -> None:
    html = get(client, "/?page=0", status=422)
    assert "Paramètres invalides" in html


@pytest.mark.parametrize("url", ["/", "/?q=eau&country=SN", f"/projects/{SEED_ID}",
                                 "/projects/hostile_xss", "/projects/nope", "/?q=zzzzqqq"])
def test_no_inline_scripts_styles_or_handlers(client, url: str) -> None:
    html = client.get(url).text
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert 'src="/static/' in tag
    assert not re.search(r"<script\b[^>]*>(?!</script>)", html)  # no script bodies
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html, re.I)
    assert not re.search(r"<[^>]+\sstyle\s*=", html, re.I)
    assert "javascript:" not in html.lower()


def test_static_assets(client) -> None:
    html = client.get("/").text
    css_url = re.search(r'<link rel="stylesheet" href="(/static/atlas\.[0-9a-f]{12}\.css)">',
                        html).group(1)
    js_url = re.search(r'<script src="(/static/atlas\.[0-9a-f]{12}\.js)" defer>', html).group(1)
    css, js = client.get(css_url), client.get(js_url)
    assert css.status_code == js.status_code == 200
    assert ":focus-visible" in css.text and "@media print" in css.text
    assert "data-suggest-url" in js.text
    assert 'data-suggest-url="/suggest"' in html

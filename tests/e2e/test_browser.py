"""What a person sees, in a real headless Chromium (Playwright) against a live server."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SEED_ID

pytestmark = pytest.mark.browser

SPACES = re.compile(r"[\s\u00a0\u202f]+")

@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    # A CSP violation or a script error is a bug even when the page still works.
    assert errors == []


def shown_total(page) -> int:
    heading = page.locator("#resultats-titre").inner_text()
    found = re.match(r"([\d\s\u202f\u00a0]+)projets?", heading)
    return int(SPACES.sub("", found.group(1))) if found else 0


def squash(value: str) -> str:
    return SPACES.sub(" ", value)


def test_type_a_french_query_and_submit(page, live_server: str) -> None:
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    box = page.get_by_label("Rechercher un projet")
    box.fill("réseau des villes")
    box.press("Enter")
    page.wait_for_url(re.compile(r"q=r%C3%A9seau\+des\+villes"))
    assert "pour « réseau des villes »" in squash(page.locator("#resultats-titre").inner_text())
    first = page.locator("ol.hits .hit-title a").first
    assert "Pérennisation du Réseau International des Villes Michelin" in first.inner_text()
    assert page.locator("ol.hits mark").count() >= 1  # highlighted snippet


def test_click_a_country_facet(page, live_server: str) -> None:
    page.goto(live_server + "/")
    before = shown_total(page)
    first = page.locator("#facette-country-liste a.facet-link").first
    country = first.get_attribute("data-label")
    first.click()
    page.wait_for_url(re.compile(r"country="))
    after = shown_total(page)
    assert 1 <= after < before
    chip = page.locator("ul.chips a.chip")
    assert chip.count() == 1 and squash(chip.first.inner_text()).startswith(f"Pays : {country}")
    countries = page.locator("ol.hits .hit-meta").all_inner_texts()
    assert countries and all(country in c for c in countries)
    # The chip removes the filter again.
    chip.first.click()
    page.wait_for_url(live_server + "/")
    assert shown_total(page) == before


def test_every_facet_value_is_reachable_from_the_sidebar(page, live_server: str) -> None:
    # Past the sidebar's most frequent values: the search over a facet's values, then a value.
    page.goto(live_server + "/?q=Michelin")
    assert page.locator('#facette-country-liste a[data-label="Mexique"]').count() == 0
    assert "autres" in page.locator("#facette-country-liste + .facet-more").inner_text()
    box = page.get_by_label(re.compile(r"Chercher parmi les 18 valeurs «\sPays\s»"))
    box.fill("mexi")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/filtres/country\?q=Michelin&valeur=mexi"))
    values = page.locator("#facette-country-liste a.facet-link")
    assert values.all_inner_texts() and all("Mexique" in v for v in values.all_inner_texts())
    values.first.click()
    page.wait_for_url(re.compile(r"/\?q=Michelin&country=MX"))
    assert squash(page.locator("ul.chips a.chip").first.inner_text()).startswith("Pays : Mexique")
    assert page.locator(f"#hit-{SEED_ID}").count() == 1


def test_click_a_country_on_the_map(page, live_server: str) -> None:
    page.goto(live_server + "/")
    mexico = page.locator('.worldmap a[data-code="MX"]')
    assert "Mexique" in mexico.locator("title").text_content()
    mexico.locator("use").click()
    page.wait_for_url(re.compile(r"country=MX"))
    assert squash(page.locator("ul.chips a.chip").first.inner_text()).startswith("Pays : Mexique")
    assert page.locator(f"#hit-{SEED_ID}").count() == 1


def test_open_a_project(page, live_server: str) -> None:
    page.goto(live_server + "/?q=Michelin")
    page.locator(f"#hit-{SEED_ID} a").click()
    page.wait_for_url(re.compile(rf"/projects/{SEED_ID}$"))
    assert page.locator("h1").inner_text().startswith(
        "Pérennisation du Réseau International des Villes Michelin")
    partners = page.locator("#partenaires").inner_text()
    assert "Clermont-Ferrand" in partners and "Cuneo" in partners and "Mexique" in partners
    funding = squash(page.locator("#financement tfoot").inner_text())
    assert "Total" in funding and "1 380 394 €" in funding
    assert page.locator("#similaires article.hit").count() >= 1
    assert page.locator(".badge-block").count() == 0  # a real record


def test_autocomplete_suggests_a_country(page, live_server: str) -> None:
    page.goto(live_server + "/")
    box = page.locator("#q")
    box.press_sequentially("Mexi", delay=40)
    option = page.get_by_role("option").filter(has_text="Mexique").first
    option.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant")
    option.click()
    page.wait_for_url(re.compile(r"country=Mexique"))
    assert squash(page.locator("ul.chips a.chip").first.inner_text()).startswith("Pays : Mexique")


def test_works_without_javascript(browser, live_server: str) -> None:
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(live_server + "/")
    page.get_by_label("Rechercher un projet").fill("Michelin")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url(re.compile(r"q=Michelin"))
    assert page.locator(f"#hit-{SEED_ID}").count() == 1
    # The map needs no script: shapes come from the sprite and countries stay links.
    mexico = page.locator('.worldmap a[data-code="MX"] use')
    box = mexico.bounding_box()
    assert box and box["width"] > 5
    mexico.click()
    page.wait_for_url(re.compile(r"country=MX"))
    context.close()


def test_skip_link_is_first_and_visible_on_focus(page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Aller aux résultats"
    assert page.locator(".skip-link").first.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "resultats"


# ---------------------------------------------------------------- the interface in English


def test_switch_to_english_and_keep_it(page, live_server: str) -> None:
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"lang=en"))
    assert page.locator("html").get_attribute("lang") == "en"
    box = page.get_by_label("Search for a project")
    box.fill("réseau des villes")
    box.press("Enter")
    page.wait_for_url(re.compile(r"q=r%C3%A9seau\+des\+villes.*lang=en|lang=en.*q=r%C3%A9seau"))
    assert "for “réseau des villes”" in squash(page.locator("#resultats-titre").inner_text())
    # A theme in the sidebar: English label, French value in the address.
    theme = page.locator("#facette-theme-liste a.facet-link").first
    label = theme.get_attribute("data-label")
    theme.click()
    page.wait_for_url(re.compile(r"theme="))
    chip = squash(page.locator("ul.chips a.chip").first.inner_text())
    assert chip.startswith(f"Theme: {label}") and "lang=en" in page.url
    # The cookie keeps the choice for an address without it …
    page.goto(live_server + "/collectivites")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith("French local authorities")
    # … until French is chosen.
    page.get_by_role("link", name="Français").click()
    page.wait_for_url(re.compile(r"lang=fr"))
    assert page.locator("html").get_attribute("lang") == "fr"
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "fr"


def test_english_browser_gets_english(browser, live_server: str) -> None:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(live_server + f"/projects/{SEED_ID}")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Similar projects").count() == 1
    # The search box's completions name their kind, and count, in English.
    box = page.get_by_label("Search for a project")
    box.press_sequentially("Mexi", delay=40)
    option = page.get_by_role("option").filter(has_text="Mexique").first
    option.wait_for()
    assert option.locator(".suggest-kind").inner_text() == "country"
    assert "use the up and down arrows" in page.locator("[role=status], [aria-live]").first \
        .inner_text()
    context.close()


# ---------------------------------------------------------------- accessibility (axe-core)

# Every page type: search, filtered search with chips, zero results, project (real and
# synthetic), error.
PAGE_TYPES = {
    "search": "/",
    "filtered": "/?q=coop%C3%A9ration&country=IT&sort=year_desc",
    "zero-results": "/?q=Michelin&country=SN&status=En+cours",
    "project": f"/projects/{SEED_ID}",
    "synthetic-project": "/projects/{synthetic}",
    "not-found": "/projects/nope",
    "authority": "/collectivites/clermont-ferrand",
    "country": "/pays/MX",
    "authorities": "/collectivites",
    "values": "/filtres/french_partner",
    "hints": "/?countries=SN&country=XX",
}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"]


@pytest.fixture(scope="module")
def page_urls(live_server: str) -> dict[str, str]:
    import httpx

    hits = httpx.get(live_server + "/api/search", params={"q": "eau", "size": 50}).json()["hits"]
    synthetic = next(h["id"] for h in hits if h["id"].startswith("syn_"))
    return {name: live_server + path.replace("{synthetic}", synthetic)
            for name, path in PAGE_TYPES.items()}


def axe_violations(page, within: str | None = None) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    # ATLAS_AXE_JS, or the axe-core 4.14 `make install-test` fetched from npm: a newer build
    # than the one the package bundles.
    path = os.environ.get("ATLAS_AXE_JS") or (AXE_414 if AXE_414.is_file() else None)
    axe = Axe.from_file(str(path)) if path else Axe()
    response = axe.run(page, context=within, options=options).response
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(n["target"]) for n in v["nodes"][:5])
            for v in response["violations"]]


AXE_414 = (Path(__file__).resolve().parents[2] / ".venv" / "axe" / "node_modules" / "axe-core"
           / "axe.min.js")


# axe takes seconds on a page of facet lists: one page per type (the filtered search has every
# part of the plain one, plus chips and a selected country).
AXE_PAGES = ("filtered", "zero-results", "project", "not-found", "authority", "country",
             "authorities", "values", "hints")


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_axe_violations(browser, page_urls: dict[str, str], width: int, lang: str) -> None:
    context = browser.new_context(locale={"fr": "fr-FR", "en": "en-GB"}[lang],
                                  viewport={"width": width, "height": 900})
    page = context.new_page()
    found = {}
    for name in AXE_PAGES:
        page.goto(page_urls[name])
        assert page.locator("html").get_attribute("lang") == lang
        found[name] = axe_violations(page)
    context.close()
    assert found == {name: [] for name in AXE_PAGES}


def test_axe_catches_a_violation(page, live_server: str) -> None:
    """The check above can fail: the map as it was (an image holding links) is reported."""
    page.goto(live_server + "/")
    assert axe_violations(page, ".viz-map") == []
    page.evaluate("""() => {
        const svg = document.querySelector('.worldmap svg');
        svg.removeAttribute('aria-hidden');
        svg.setAttribute('role', 'img');
        svg.setAttribute('aria-label', 'Carte');
    }""")
    assert any(v.startswith("nested-interactive ") for v in axe_violations(page, ".viz-map"))


def test_no_sideways_scroll_at_320_px(browser, page_urls: dict[str, str]) -> None:
    """WCAG 1.4.10 reflow: at 320 CSS px wide, no page scrolls sideways."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 320, "height": 640})
    page = context.new_page()
    too_wide = {}
    for name, url in page_urls.items():
        page.goto(url)
        scroll, view = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        if scroll > view:
            too_wide[name] = scroll
    context.close()
    assert too_wide == {}


# ---------------------------------------------------------------- keyboard only


def focus_is_visible(page) -> bool:
    return page.evaluate("""() => {
        const el = document.activeElement;
        if (!el || el === document.body || !el.matches(':focus-visible')) return false;
        const style = getComputedStyle(el);
        const box = el.getBoundingClientRect();
        return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2
            && box.width > 0 && box.height > 0;
    }""")


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the focused element matches ``selector``; its focus must show."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            assert page.locator(":focus").is_visible()
            assert focus_is_visible(page), f"focus on {selector} is not visible"
            return
    raise AssertionError(f"{selector} not reached in {limit} Tab presses")


def test_keyboard_only_walk(page, live_server: str) -> None:
    """Search, add and remove a facet, sort, open a project and come back: keys only."""
    page.goto(live_server + "/")
    tab_to(page, "#q")
    page.keyboard.type("coopération")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=coop%C3%A9ration$"))
    searched = shown_total(page)
    assert searched > 1

    # Add a facet: the skip link to the filters, then the first country.
    tab_to(page, "a.skip-link[href='#filtres']")
    page.keyboard.press("Enter")
    tab_to(page, "#facette-country-liste a.facet-link")
    country = page.evaluate("document.activeElement.dataset.label")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"country="))
    assert squash(page.locator("ul.chips a.chip").first.inner_text()).startswith(
        f"Pays : {country}")
    assert shown_total(page) < searched

    # Remove it from its chip: the skip link to the results, then the chip.
    tab_to(page, "a.skip-link[href='#resultats']")
    page.keyboard.press("Enter")
    tab_to(page, "ul.chips a.chip")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=coop%C3%A9ration$"))
    assert page.locator("ul.chips").count() == 0 and shown_total(page) == searched

    # Sort by most recent.
    tab_to(page, "a.skip-link[href='#resultats']")
    page.keyboard.press("Enter")
    tab_to(page, ".sort a:not([aria-current])")
    assert page.evaluate("document.activeElement.textContent") == "plus récents"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"sort=year_desc"))
    assert page.locator(".sort a[aria-current]").inner_text() == "plus récents"
    results_url = page.url

    # Open the first project, then come back to the same results.
    tab_to(page, "a.skip-link[href='#resultats']")
    page.keyboard.press("Enter")
    tab_to(page, "ol.hits .hit-title a")
    title = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/projects/"))
    assert page.locator("h1").inner_text() == title
    tab_to(page, ".breadcrumb a")
    assert page.evaluate("document.activeElement.textContent") == "Retour aux résultats"
    page.keyboard.press("Enter")
    page.wait_for_url(results_url)
    assert page.locator(".sort a[aria-current]").inner_text() == "plus récents"


# ---------------------------------------------------------------- print and slow links


def test_project_page_prints_as_the_project(page, live_server: str) -> None:
    page.goto(live_server + f"/projects/{SEED_ID}")
    page.emulate_media(media="print")
    for hidden in ("#q", ".banner-synthetic", ".skip-links", ".breadcrumb", ".toc",
                   ".site-header"):
        assert page.locator(hidden).count() >= 1, hidden
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.locator("h1").is_visible()
    assert page.locator("#financement table").is_visible()
    page.emulate_media(media="screen")
    assert page.locator("#q").is_visible() and page.locator(".toc").is_visible()


def test_map_is_drawn_from_the_cached_sprite(page, live_server: str) -> None:
    page.goto(live_server + "/")
    mexico = page.locator('.worldmap a[data-code="MX"]')
    assert "Mexique" in mexico.locator("title").text_content()
    # The shape is drawn: the <use> element has a real box from the sprite.
    box = mexico.locator("use").bounding_box()
    assert box and box["width"] > 5 and box["height"] > 5


def test_repeat_view_fetches_no_asset(browser, live_server: str) -> None:
    """First view: HTML <= 30 KB and everything <= 60 KB on the wire; a second search page
    then takes its stylesheet, script and map sprite from the browser cache, unrevalidated."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    urls: dict[str, str] = {}
    headers: dict[str, dict] = {}
    wire: dict[str, int] = {}
    from_cache: set[str] = set()
    cdp.on("Network.requestWillBeSent",
           lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.responseReceived",
           lambda e: headers.__setitem__(e["requestId"], e["response"]["headers"]))
    cdp.on("Network.loadingFinished",
           lambda e: wire.__setitem__(e["requestId"], e["encodedDataLength"]))
    cdp.on("Network.requestServedFromCache", lambda e: from_cache.add(e["requestId"]))

    def view(path: str) -> dict[str, tuple[dict, int, bool]]:
        for seen in (urls, headers, wire, from_cache):
            seen.clear()
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")
        return {url.removeprefix(live_server): (headers.get(i, {}), wire.get(i, 0),
                                                i in from_cache)
                for i, url in urls.items()}

    first = view("/")
    html_headers, html_bytes, _ = first["/"]
    assert html_headers.get("content-encoding") in ("gzip", "br", "zstd")
    assert html_bytes <= 30_000
    assets = {url: got for url, got in first.items() if url.startswith("/static/")}
    assert {re.sub(r"\.[0-9a-f]{12}\.", ".", url) for url in assets} == {
        "/static/atlas.css", "/static/atlas.js", "/static/worldmap.svg"}
    assert all(h.get("cache-control") == "public, max-age=31536000, immutable"
               for h, _, _ in assets.values())
    assert all(size > 0 and not cached for _, size, cached in assets.values())
    assert sum(size for _, size, _ in first.values()) <= 60_000

    again = view("/?q=eau")
    repeat_assets = {url: got for url, got in again.items() if url.startswith("/static/")}
    assert set(repeat_assets) == set(assets)
    assert all(cached and size == 0 for _, size, cached in repeat_assets.values()), again
    context.close()


def test_authority_page_from_a_hit_then_country_page_from_its_map(page, live_server: str
                                                                    ) -> None:
    page.goto(live_server + "/?q=Michelin")
    page.locator(f"#hit-{SEED_ID}").locator("xpath=..").get_by_role(
        "link", name="Clermont-Ferrand").click()
    page.wait_for_url(re.compile(r"/collectivites/clermont-ferrand$"))
    assert page.locator("h1").inner_text() == "Clermont-Ferrand"
    assert page.locator(f"#hit-{SEED_ID}").count() == 1
    page.locator('.worldmap a[data-code="MX"] use').click()
    page.wait_for_url(re.compile(r"/pays/MX$"))
    assert page.locator("h1").inner_text() == "Mexique"
    authorities = page.locator("#collectivites-liste a").all_inner_texts()
    assert "Clermont-Ferrand" in authorities


# ---------------------------------------------------------------- figures (issue 26)


@pytest.mark.parametrize("width", [1366, 390])
def test_figures_and_the_map_with_a_country_selected(browser, live_server: str, width: int,
                                                     tmp_path: Path) -> None:
    import httpx

    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
    page = context.new_page()
    answer = httpx.get(live_server + "/api/search", params={"country": "SN"}).json()
    page.goto(live_server + "/?country=SN")
    heading = squash(page.locator("#resultats-titre").inner_text())
    assert heading.startswith(f"{answer['total']} projets · ") and heading.endswith("€")
    selected = page.locator('.worldmap a[data-code="SN"] use.sel')
    assert selected.count() == 1
    assert "Sénégal" in page.locator(".worldmap figcaption").inner_text()
    assert page.locator(".viz-funding figure").count() == 1
    page.screenshot(path=str(tmp_path / f"recherche-SN-{width}.png"), full_page=True)
    assert axe_violations(page) == []
    slug = httpx.get(live_server + "/api/authorities/region-bretagne").json()
    page.goto(live_server + "/collectivites/region-bretagne")
    figures = squash(page.locator("#financements").inner_text())
    assert "Contribution propre" in figures and "quel que soit le financeur" in figures
    assert squash(f"{slug['own_funding_eur']:,}".replace(",", " ")) in figures.replace(
        "\u202f", " ")
    assert page.locator('.downloads a[href*="recherche.jsonl"]').count() == 1
    page.screenshot(path=str(tmp_path / f"collectivite-{width}.png"), full_page=True)
    assert axe_violations(page) == []
    context.close()

"""What a person sees, in a real headless Chromium (Playwright) against a live server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SEED_ID

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SPACES = re.compile(r"[\s\u00a0\u202f]+")


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


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
    assert "pour « réseau des villes »" in page.locator("#resultats-titre").inner_text()
    first = page.locator("ol.hits .hit-title a").first
    assert "Pérennisation du Réseau International des Villes Michelin" in first.inner_text()
    assert page.locator("ol.hits mark").count() >= 1  # highlighted snippet


def test_click_a_country_facet(page, live_server: str) -> None:
    page.goto(live_server + "/")
    before = shown_total(page)
    page.locator('#facette-country-liste a[data-label="Italie"]').click()
    page.wait_for_url(re.compile(r"country=IT"))
    after = shown_total(page)
    assert 1 <= after < before
    chip = page.locator("ul.chips a.chip")
    assert chip.count() == 1 and chip.first.inner_text().startswith("Pays : Italie")
    countries = page.locator("ol.hits .hit-meta").all_inner_texts()
    assert countries and all("Italie" in c for c in countries)
    # The chip removes the filter again.
    chip.first.click()
    page.wait_for_url(live_server + "/")
    assert shown_total(page) == before


def test_facet_filter_box_narrows_the_list(page, live_server: str) -> None:
    page.goto(live_server + "/")
    box = page.get_by_label("Filtrer la liste « Pays »")
    assert box.is_visible()  # revealed by atlas.js
    box.fill("mexi")
    visible = page.locator("#facette-country-liste li:visible").all_inner_texts()
    assert visible and all("Mexique" in v for v in visible)


def test_click_a_country_on_the_map(page, live_server: str) -> None:
    page.goto(live_server + "/")
    mexico = page.locator('.worldmap a[data-code="MX"] path')
    assert "Mexique" in mexico.locator("title").text_content()
    mexico.click()
    page.wait_for_url(re.compile(r"country=MX"))
    assert page.locator("ul.chips a.chip").first.inner_text().startswith("Pays : Mexique")
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
    assert page.locator("ul.chips a.chip").first.inner_text().startswith("Pays : Mexique")


def test_works_without_javascript(browser, live_server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/")
    page.get_by_label("Rechercher un projet").fill("Michelin")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url(re.compile(r"q=Michelin"))
    assert page.locator(f"#hit-{SEED_ID}").count() == 1
    assert not page.get_by_label("Filtrer la liste « Pays »").is_visible()
    context.close()


def test_skip_link_is_first_and_visible_on_focus(page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Aller aux résultats"
    assert page.locator(".skip-link").first.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "resultats"


def test_authority_page_from_a_hit_then_country_page_from_its_map(page, live_server: str
                                                                    ) -> None:
    page.goto(live_server + "/?q=Michelin")
    page.locator(f"#hit-{SEED_ID}").locator("xpath=..").get_by_role(
        "link", name="Clermont-Ferrand").click()
    page.wait_for_url(re.compile(r"/collectivites/clermont-ferrand$"))
    assert page.locator("h1").inner_text() == "Clermont-Ferrand"
    assert page.locator(f"#hit-{SEED_ID}").count() == 1
    page.locator('.worldmap a[data-code="MX"] path').click()
    page.wait_for_url(re.compile(r"/pays/MX$"))
    assert page.locator("h1").inner_text() == "Mexique"
    authorities = page.locator("#collectivites-liste a").all_inner_texts()
    assert "Clermont-Ferrand" in authorities

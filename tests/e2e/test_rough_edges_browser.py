"""Rough edges people saw, checked as a browser draws them (headless Chromium)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert errors == []


def _luminance(rgb: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", rgb)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_value_search_fields_are_visible(page, live_server: str) -> None:
    page.goto(live_server + "/?q=coop%C3%A9ration")
    field = page.locator("form.facet-search input[type=search]").first
    border = field.evaluate("e => getComputedStyle(e).borderTopColor")
    assert contrast(border, "rgb(255, 255, 255)") >= 3, border  # WCAG 1.4.11: 3:1
    page.goto(live_server + "/filtres/french_partner")
    border = page.locator("#valeur").evaluate("e => getComputedStyle(e).borderTopColor")
    assert contrast(border, "rgb(255, 255, 255)") >= 3, border


def _authority_with_years(live_server: str) -> str:
    import httpx

    for name in ("clermont-ferrand",):
        if httpx.get(f"{live_server}/api/authorities/{name}").json().get("years"):
            return f"{live_server}/collectivites/{name}"
    raise AssertionError("no authority with years in the fixture")


def test_authority_year_chart_labels_are_body_sized(page, live_server: str) -> None:
    page.goto(_authority_with_years(live_server))
    heights = page.locator(".yearchart text").evaluate_all(
        "ts => ts.map(t => t.getBoundingClientRect().height)")
    assert heights, "the chart has year labels"
    assert all(8 <= h <= 18 for h in heights), heights  # about 12 px type, not 40


def test_authority_page_prints_its_colours_and_keeps_headings(page, live_server: str) -> None:
    page.goto(_authority_with_years(live_server))
    page.emulate_media(media="print")
    adjust = page.locator(".swatch").first.evaluate(
        "e => getComputedStyle(e).printColorAdjust || getComputedStyle(e).webkitPrintColorAdjust")
    assert adjust == "exact"
    assert page.locator(".yearchart").first.evaluate(
        "e => getComputedStyle(e).printColorAdjust") == "exact"
    breaks = page.locator(".network-page h2").evaluate_all(
        "hs => hs.map(h => getComputedStyle(h).breakAfter)")
    assert breaks and set(breaks) == {"avoid"}, breaks


def test_a_to_z_filter_says_when_the_letter_has_none(page, live_server: str) -> None:
    import httpx

    page.goto(live_server + "/collectivites")
    letters = page.locator("ul.letters a").all_inner_texts()
    assert len(letters) >= 2
    # A name under another letter than the one shown.
    page.goto(f"{live_server}/collectivites?lettre={letters[0]}")
    shown = page.locator("#collectivites-liste li").count()
    assert shown >= 1
    page.goto(f"{live_server}/collectivites?lettre={letters[1]}")
    other = page.locator("#collectivites-liste a").first.inner_text().split("\n")[0].strip()
    page.goto(f"{live_server}/collectivites?lettre={letters[0]}")
    page.fill("#filtre-collectivites", other)
    status = page.locator("#collectivites-etat")
    assert re.search(rf"Aucune collectivité en {letters[0]} ne contient", status.inner_text())
    status.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/collectivites\?q="))
    assert other in page.locator("#collectivites-liste").inner_text()
    assert httpx.get(live_server + "/collectivites", params={"q": other}).status_code == 200

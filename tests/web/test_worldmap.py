"""Server-side SVG: the world map and the year chart."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from markupsafe import Markup

from search_app.web.charts import render_year_chart
from search_app.web.worldmap import load_shapes, parse_path, render_world_map, sprite_svg

SVG = "{http://www.w3.org/2000/svg}"
LABELS = {"IT": "Italie", "MX": "Mexique", "FR": "France", "XK": "Kosovo"}


def link(code: str) -> str:
    return f"/?country={code}&q=a"


def test_parse_path_handles_relative_commands_and_implicit_repeats() -> None:
    subpaths = parse_path("m10 20 5 0c1 1 2 2 3 -4h2v-1l1 1 1 1zM0 0L1 1")
    assert subpaths[0] == [(10, 20), (15, 20), (18, 16), (20, 16), (20, 15), (21, 16), (22, 17)]
    assert subpaths[1] == [(0, 0), (1, 1)]
    assert parse_path("m1.5-.5.5.5") == [[(1.5, -0.5), (2.0, 0.0)]]


def test_shapes_are_parsed_once_and_light() -> None:
    shapes = load_shapes()
    assert shapes is load_shapes()
    assert {"FR", "IT", "MX", "US", "SN", "VA"} <= set(shapes.paths)
    assert "AQ" not in shapes.paths
    assert sum(len(d) for d in shapes.paths.values()) < 200_000
    assert all(re.fullmatch(r"(M-?\d+ -?\d+l[-\d ]*z)+", d) for d in shapes.paths.values())


def test_sprite_holds_every_shape_once() -> None:
    sprite = sprite_svg()
    root = ET.fromstring(sprite)
    world = root.find(f"{SVG}g")
    assert world is not None and world.get("id") == "world"
    paths = {p.get("id"): p.get("d") for p in world.iter(f"{SVG}path")}
    assert paths == load_shapes().paths
    # No paint of its own: the page's classes colour the shapes through <use>.
    assert all(p.get("fill") is None and p.get("style") is None for p in world.iter(f"{SVG}path"))
    assert sprite_svg() == sprite  # stable bytes, so a stable hashed URL


def test_map_links_shades_and_tooltips() -> None:
    sprite = "/static/worldmap.0123456789ab.svg"
    svg = render_world_map({"IT": 12, "MX": 1, "FR": 0, "XK": 3}, link, LABELS,
                           sprite_url=sprite)
    assert isinstance(svg, Markup)
    assert len(svg) < 3_000  # references to the sprite, not shapes
    root = ET.fromstring(str(svg))  # well-formed XML
    svg_el = root.find(f"{SVG}svg")
    uses = [u.get("href") for u in svg_el.iter(f"{SVG}use")]
    assert uses[0] == f"{sprite}#world"  # the grey base map, every country
    anchors = {a.get("data-code"): a for a in root.iter(f"{SVG}a")}
    assert set(anchors) == {"IT", "MX"}
    assert anchors["IT"].get("href") == "/?country=IT&q=a"  # attribute, unescaped by XML
    assert anchors["IT"].get("tabindex") == "-1"
    assert "&amp;q=a" in svg
    assert anchors["IT"].find(f"{SVG}title").text == "Italie\u00a0: 12 projets"
    assert anchors["MX"].find(f"{SVG}title").text == "Mexique\u00a0: 1 projet"
    assert anchors["IT"].find(f"{SVG}use").get("href") == f"{sprite}#IT"
    it_class = anchors["IT"].find(f"{SVG}use").get("class")
    mx_class = anchors["MX"].find(f"{SVG}use").get("class")
    assert it_class > mx_class  # darker class for more projects
    # Links inside an image are nested interactive content: the drawing is hidden from
    # assistive technology, and the caption says what it shows.
    assert svg_el.get("aria-hidden") == "true" and svg_el.get("role") is None
    assert root.find("figcaption").text == "Carte des résultats par pays partenaire\u00a0: 3 pays"
    # Kosovo is not in the shapes: offered as a text link instead.
    assert "Pays hors carte" in svg and "Kosovo" in svg
    assert "légende" in svg.lower()


def test_map_selected_country_is_marked() -> None:
    svg = render_world_map({"IT": 2, "MX": 1}, link, LABELS, selected={"MX"}, sprite_url="s.svg")
    root = ET.fromstring(str(svg))
    classes = {a.get("data-code"): a.find(f"{SVG}use").get("class") for a in root.iter(f"{SVG}a")}
    assert "sel" in classes["MX"].split() and "sel" not in classes["IT"].split()


def test_map_default_sprite_url_is_the_hashed_asset() -> None:
    svg = render_world_map({"IT": 2}, link, LABELS)
    assert re.search(r'<use href="/static/worldmap\.[0-9a-f]{12}\.svg#IT"', svg)


def test_map_escapes_labels_and_links() -> None:
    svg = render_world_map({"IT": 2}, lambda c: '/?q="><script>', {"IT": "<b>Italie</b>"})
    assert "<script>" not in svg and "<b>" not in svg
    ET.fromstring(str(svg))


def test_empty_map() -> None:
    svg = render_world_map({}, link, {})
    assert "<a " not in svg and "<svg" in svg and "#world" in svg


def test_year_chart() -> None:
    items = [{"value": 2005, "count": 3, "selected": False},
             {"value": 2008, "count": 10, "selected": True},
             {"value": 2009, "count": 1}]
    svg = render_year_chart(items, lambda y: f"/?year_min={y}&year_max={y}")
    root = ET.fromstring(str(svg))
    bars = list(root.iter(f"{SVG}rect"))
    assert len(bars) == 3  # 2006 and 2007 are gaps, not bars
    assert [a.find(f"{SVG}title").text for a in root.iter(f"{SVG}a")] == [
        "2005\u00a0: 3 projets", "2008\u00a0: 10 projets", "2009\u00a0: 1 projet"]
    assert root.find(f"{SVG}svg").get("aria-hidden") == "true"
    assert root.find("figcaption").text.startswith("Projets par année de début\u00a0: de 2005")
    assert "sel" in bars[1].get("class")
    heights = [float(r.get("height")) for r in bars]
    assert heights[1] == max(heights)
    assert "de 2005 à 2009" in svg and "10 projets en 2008" in svg
    assert render_year_chart([], str) == ""

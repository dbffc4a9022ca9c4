"""World map of results by partner country, drawn as SVG on the server.

The country shapes come from pygal_maps_world's worldmap.svg (one ``<g class="xx country">``
per ISO 3166-1 alpha-2 code). That file is 778 KB of Bézier curves; it is parsed once and
flattened to integer polylines on a coarser grid (curves keep only their end points, nearly
collinear points are dropped), which keeps the whole set of shapes around 80 KB. The shapes
are served once as a cached SVG sprite (``sprite_svg``); each page only references them.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from markupsafe import Markup, escape

from search_app.web.assets import asset_url, register_generated
from search_app.web.i18n import DEFAULT, N_, gettext, translations

SVG_NS = "{http://www.w3.org/2000/svg}"
# Source viewBox is 2475 x 1388; halving it still leaves sub-pixel precision at page width.
SCALE = 0.5
# Douglas-Peucker tolerance, in output units.
TOLERANCE = 0.6
# Antarctica carries no partner authorities and would take a fifth of the height.
SKIPPED = {"AQ"}
# Number of shading classes (plus "no result").
CLASSES = 5

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtAaZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
# Coordinates each command consumes per repetition.
_ARITY = {"m": 2, "l": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4, "t": 2, "a": 7, "z": 0}

Point = tuple[float, float]


@dataclass(frozen=True)
class Shapes:
    """Simplified outlines: ISO code -> SVG path data, and the output viewBox."""

    paths: dict[str, str]
    width: int
    height: int


def parse_path(d: str) -> list[list[Point]]:
    """Absolute vertices of each subpath; curves are reduced to their end points."""
    tokens = _TOKEN.findall(d)
    subpaths: list[list[Point]] = []
    current: list[Point] = []
    x = y = 0.0
    start = (0.0, 0.0)
    cmd = ""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.isalpha():
            cmd = tok
            i += 1
            if cmd in "Zz":
                x, y = start
                cmd = ""
                continue
        elif not cmd:
            raise ValueError(f"path data starts with a number: {d[:20]!r}")
        low = cmd.lower()
        n = _ARITY[low]
        args = [float(t) for t in tokens[i : i + n]]
        if len(args) < n:
            break
        i += n
        rel = cmd.islower()
        if low == "m":
            x, y = (x + args[0], y + args[1]) if rel else (args[0], args[1])
            if current:
                subpaths.append(current)
            current = [(x, y)]
            start = (x, y)
            # Further pairs after a moveto are implicit linetos.
            cmd = "l" if rel else "L"
            continue
        if low == "h":
            x = x + args[0] if rel else args[0]
        elif low == "v":
            y = y + args[0] if rel else args[0]
        else:
            ex, ey = args[-2], args[-1]
            x, y = (x + ex, y + ey) if rel else (ex, ey)
        current.append((x, y))
    if current:
        subpaths.append(current)
    return subpaths


def _simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, iterative so long coastlines do not hit the recursion limit."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        norm = math.hypot(dx, dy)
        worst, worst_at = 0.0, -1
        for k in range(first + 1, last):
            px, py = points[k]
            if norm:
                dist = abs(dy * (px - ax) - dx * (py - ay)) / norm
            else:
                dist = math.hypot(px - ax, py - ay)
            if dist > worst:
                worst, worst_at = dist, k
        if worst > tolerance and worst_at > 0:
            keep[worst_at] = True
            stack.append((first, worst_at))
            stack.append((worst_at, last))
    return [p for p, k in zip(points, keep, strict=True) if k]


def _path_data(subpaths: list[list[Point]]) -> str:
    """Integer relative path data; tiny islands collapse to nothing and are dropped."""
    parts: list[str] = []
    for sub in subpaths:
        pts = _simplify([(px * SCALE, py * SCALE) for px, py in sub], TOLERANCE)
        ints: list[tuple[int, int]] = []
        for px, py in pts:
            q = (round(px), round(py))
            if not ints or ints[-1] != q:
                ints.append(q)
        if len(ints) < 3:
            continue
        (x0, y0), rest = ints[0], ints[1:]
        moves = []
        px, py = x0, y0
        for qx, qy in rest:
            moves.append(f"{qx - px} {qy - py}")
            px, py = qx, qy
        parts.append(f"M{x0} {y0}l" + " ".join(moves).replace(" -", "-") + "z")
    if not parts and subpaths:
        # A micro-state: keep a small diamond so it can still be seen and clicked.
        xs = [p[0] * SCALE for s in subpaths for p in s]
        ys = [p[1] * SCALE for s in subpaths for p in s]
        cx, cy = round(sum(xs) / len(xs)), round(sum(ys) / len(ys))
        parts.append(f"M{cx} {cy - 2}l2 2-2 2-2-2z")
    return "".join(parts)


@lru_cache(maxsize=1)
def load_shapes() -> Shapes:
    """Parse and simplify pygal_maps_world's country shapes, once per process."""
    source = resources.files("pygal_maps_world").joinpath("worldmap.svg")
    root = ET.fromstring(source.read_bytes())
    width, height = (float(v) for v in root.attrib["viewBox"].split()[2:])
    paths: dict[str, str] = {}
    max_y = 0.0
    for group in root.iter(f"{SVG_NS}g"):
        classes = group.attrib.get("class", "").split()
        if "country" not in classes:
            continue
        code = classes[0].upper()
        if code in SKIPPED:
            continue
        subpaths: list[list[Point]] = []
        for path in group.iter(f"{SVG_NS}path"):
            subpaths.extend(parse_path(path.attrib.get("d", "")))
        max_y = max([max_y] + [p[1] for s in subpaths for p in s])
        data = _path_data(subpaths)
        if data:
            paths[code] = data
    return Shapes(paths, math.ceil(width * SCALE), math.ceil(max_y * SCALE) + 4)


def _thresholds(counts: list[int]) -> list[int]:
    """Upper bounds of the shading classes, on a log scale so one big country does not
    wash out the others."""
    top = max(counts)
    if top <= CLASSES:
        return list(range(1, top + 1))
    bounds: list[int] = []
    for k in range(1, CLASSES + 1):
        bound = round(math.exp(math.log(top) * k / CLASSES))
        if bounds and bound <= bounds[-1]:
            bound = bounds[-1] + 1
        bounds.append(min(bound, top))
    return sorted(set(bounds))


def _class_of(count: int, bounds: list[int]) -> int:
    for k, bound in enumerate(bounds, start=1):
        if count <= bound:
            return k
    return len(bounds)


TIP = N_("%(country)s\u00a0: %(projects)s")


def _projets(n: int, lang: str = DEFAULT) -> str:
    return translations(lang).ngettext("%(num)s projet", "%(num)s projets", n) % {"num": n}


def _legend_label(low: int, high: int, lang: str = DEFAULT) -> str:
    _ = gettext(lang)
    return str(low) if low == high else _("%(low)s à %(high)s") % {"low": low, "high": high}


# A country whose outline spans less than this (viewBox units) on both axes also gets a
# marker: Singapore, Malta or Cabo Verde are otherwise invisible at phone width.
SMALL = 8
MARKER_RADIUS = 3.5


@lru_cache(maxsize=1)
def small_countries() -> dict[str, Point]:
    """ISO code -> centre of each country drawn too small to see (`SMALL`)."""
    out: dict[str, Point] = {}
    for code, data in load_shapes().paths.items():
        points = [p for sub in parse_path(data) for p in sub]
        if not points:
            continue
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        if max(xs) - min(xs) < SMALL and max(ys) - min(ys) < SMALL:
            out[code] = ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2)
    return out


def sprite_svg() -> bytes:
    """The country shapes as one SVG file, each ``<path id="XX">`` inside ``<g id="world">``.

    Pages reference it (``<use href="…/worldmap.<hash>.svg#world">`` for the grey base map,
    ``#XX`` for a country with results) and colour the shapes with classes: the paths carry
    no fill or stroke of their own, so they inherit the page's. Served under a content-hashed
    URL, it travels once and is then read from the browser's cache.
    """
    shapes = load_shapes()
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 '
        f'{shapes.width} {shapes.height}"><g id="world">',
        *(f'<path id="{code}" d="{data}"/>' for code, data in shapes.paths.items()),
        "</g></svg>\n",
    ]
    return "".join(out).encode()


register_generated("worldmap.svg", sprite_svg)


def render_world_map(
    counts: dict[str, int],
    link: Callable[[str], str],
    labels: dict[str, str],
    *,
    selected: frozenset[str] | set[str] = frozenset(),
    sprite_url: str | None = None,
    lang: str = DEFAULT,
) -> Markup:
    """A ``<figure>`` with the SVG map, a legend and the countries the map cannot show.

    ``counts`` maps ISO codes to numbers of results, ``link(code)`` gives the URL that
    filters on that country and ``labels`` their French names. The shapes are not in the
    page: the map draws the cached sprite (``sprite_url``, by default its hashed static URL)
    with ``<use>``, and only the countries with results, shaded and linked, are listed here.

    The drawing is a mouse shortcut hidden from assistive technology and out of the tab
    order: its caption says what it shows and the country facet list, linked from the page,
    offers the same links to keyboard and screen reader users.
    """
    shapes = load_shapes()
    _ = gettext(lang)
    href = escape(sprite_url if sprite_url is not None else asset_url("worldmap.svg"))
    counts = {code.upper(): n for code, n in counts.items() if n > 0}
    bounds = _thresholds(list(counts.values())) if counts else []
    out: list[str] = [
        '<figure class="worldmap">',
        f'<svg viewBox="0 0 {shapes.width} {shapes.height}" xmlns="http://www.w3.org/2000/svg"'
        ' aria-hidden="true" focusable="false">',
        f'<use href="{href}#world" class="c0"/>',
    ]
    for code in sorted(counts, key=lambda c: counts[c]):  # darkest drawn last, on top
        if code not in shapes.paths:
            continue
        n = counts[code]
        tip = {"country": labels.get(code, code), "projects": _projets(n, lang)}
        cls = f"c{_class_of(n, bounds)}" + (" sel" if code in selected else "")
        centre = small_countries().get(code)
        marker = (f'<circle class="marker {cls}" cx="{centre[0]:.1f}" cy="{centre[1]:.1f}" '
                  f'r="{MARKER_RADIUS}"/>' if centre else "")
        out.append(
            f'<a href="{escape(link(code))}" tabindex="-1" data-code="{code}">'
            f"<title>{escape(_(TIP) % tip)}</title>"
            f'<use href="{href}#{code}" class="{cls}"/>{marker}</a>'
        )
    out.append("</svg>")
    caption = _("Carte des résultats par pays partenaire\u00a0: %(num)s pays") % {
        "num": len(counts)}
    chosen = sorted(labels.get(c, c) for c in selected if c in counts)
    if chosen:
        caption += " " + _("(sélection\u00a0: %(names)s, cerclée)") % {"names": ", ".join(chosen)}
    out.append(f"<figcaption>{escape(caption)}</figcaption>")
    if bounds:
        legend = _("Légende\u00a0: nombre de projets")
        out.append(f'<ul class="legend" aria-label="{escape(legend)}">')
        low = 1
        for k, high in enumerate(bounds, start=1):
            out.append(
                f'<li><span class="swatch c{k}" aria-hidden="true"></span>'
                f"{_legend_label(low, high, lang)}</li>"
            )
            low = high + 1
        out.append("</ul>")
    unmapped = sorted((c for c in counts if c not in shapes.paths), key=lambda c: -counts[c])
    if unmapped:
        items = ", ".join(
            f'<a href="{escape(link(c))}">{escape(labels.get(c, c))}</a> ({counts[c]})'
            for c in unmapped
        )
        off_map = _("Pays hors carte\u00a0:")
        out.append(f'<p class="unmapped">{escape(off_map)} {items}</p>')
    out.append("</figure>")
    return Markup("".join(out))


def warm() -> None:
    """Parse the country shapes now, not for a visitor's first map (at the server's start)."""
    load_shapes()
    small_countries()

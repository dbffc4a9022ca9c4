"""Small server-side SVG chart: results by start year."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from markupsafe import Markup, escape

from search_app.web.i18n import DEFAULT, gettext, money, translations

# Drawn small so that, scaled into its column, tick labels stay readable.
WIDTH = 400
HEIGHT = 190
TOP = 6
BOTTOM = 22
LEFT = 12
RIGHT = 14
# Too many bars would be hairlines: older years are folded into the first bar's tooltip.
MAX_YEARS = 60


def _projets(n: int, lang: str = DEFAULT) -> str:
    # Plain digits (no grouping) in the chart's short texts.
    return translations(lang).ngettext("%(num)s projet", "%(num)s projets", n) % {"num": n}


def render_year_chart(
    facet_items: Iterable[dict],
    link: Callable[[int], str] | None,
    *,
    title: str | None = None,
    lang: str = DEFAULT,
    describe: Callable[[int], str] | None = None,
) -> Markup:
    """Bars of ``count`` per year from ``start_year`` facet items (``value`` an int year).

    Years with no result between the first and the last are drawn as gaps so the time axis
    stays linear. Each bar links to ``link(year)`` (None: no links); ``describe`` words a
    bar's ``count`` (projects, or euros for the funding chart). The drawing is a mouse
    shortcut, hidden from assistive technology and out of the tab order: the caption says
    what it shows and the year facet list offers the same links.
    """
    counts: dict[int, int] = {}
    selected: set[int] = set()
    for item in facet_items:
        try:
            year = int(item["value"])
        except (TypeError, ValueError):
            continue
        if year <= 0 or not item.get("count"):
            continue
        counts[year] = counts.get(year, 0) + int(item["count"])
        if item.get("selected"):
            selected.add(year)
    if not counts:
        return Markup("")
    last = max(counts)
    first = max(min(counts), last - MAX_YEARS + 1)
    years = list(range(first, last + 1))
    top = max(counts.values())
    peak = max(counts, key=lambda y: counts[y])
    slot = (WIDTH - LEFT - RIGHT) / len(years)
    bar = max(slot * 0.8, 1.0)
    plot = HEIGHT - TOP - BOTTOM
    _ = gettext(lang)
    title = title or _("Projets par année de début")
    if describe is None:
        def describe(n: int) -> str:
            return _projets(n, lang)
    summary = (
        _("%(title)s\u00a0: de %(first)s à %(last)s, au plus %(projects)s en %(peak)s")
        % {"title": title, "first": first, "last": last, "projects": describe(top),
           "peak": peak}
        if first != last
        else _("%(title)s\u00a0: %(projects)s en %(year)s")
        % {"title": title, "projects": describe(top), "year": first}
    )
    out = [
        '<figure class="yearchart">',
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg"'
        ' aria-hidden="true" focusable="false">',
        f'<line class="axis" x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}"'
        f' y2="{HEIGHT - BOTTOM}"/>',
    ]
    # A tick label every few years so labels never overlap.
    step = next(s for s in (1, 2, 5, 10, 20) if len(years) / s <= 8)
    for i, year in enumerate(years):
        x = LEFT + i * slot + (slot - bar) / 2
        n = counts.get(year, 0)
        if n:
            h = max(plot * n / top, 1.5)
            cls = "bar sel" if year in selected else "bar"
            tip = _("%(year)s\u00a0: %(projects)s") % {"year": year, "projects": describe(n)}
            opening = (f'<a href="{escape(link(year))}" tabindex="-1" data-year="{year}">'
                       if link is not None else f'<g data-year="{year}">')
            out.append(
                f"{opening}<title>{escape(tip)}</title>"
                f'<rect class="{cls}" x="{x:.1f}" y="{HEIGHT - BOTTOM - h:.1f}"'
                f' width="{bar:.1f}" height="{h:.1f}"/>{"</a>" if link is not None else "</g>"}'
            )
        if year % step == 0 or (i == 0 and step == 1):
            out.append(
                f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle">{year}</text>'
            )
    out.append("</svg>")
    out.append(f"<figcaption>{escape(summary)}</figcaption></figure>")
    return Markup("".join(out))


def render_funding_chart(years: list[dict], *, title: str = "Financements par année",
                         lang: str = DEFAULT) -> Markup:
    """Bars of euros per funding year (``[{year, funding_eur}]``, the funding rows' years);
    not links: a funding year is no filter."""
    items = [{"value": y["year"], "count": y["funding_eur"]} for y in years
             if y.get("funding_eur")]
    return render_year_chart(items, None, title=title, lang=lang,
                             describe=lambda n: money(n, lang)) if items else Markup("")

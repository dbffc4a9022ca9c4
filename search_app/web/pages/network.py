"""View models of the authority pages, the country pages and the A–Z index of authorities.

As in `views`: everything a template prints is computed here; templates only loop and print.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from search_app.engine import network
from search_app.engine.request import SearchParams
from search_app.web.charts import render_year_chart
from search_app.web.i18n import DEFAULT, gettext
from search_app.web.i18n import money as euros
from search_app.web.i18n import number as nombre
from search_app.web.i18n import projects as projets
from search_app.web.pages.labels import value_label
from search_app.web.pages.views import hit_view, pagination, site_context
from search_app.web.urls import build_url
from search_app.web.worldmap import render_world_map

PAGE_SIZE = 20
LETTERS = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
OTHER = "#"  # names not starting with a letter
MAX_MATCHES = 500  # an index filter shows at most this many names
MAX_AUTHORITIES = 200  # on a country page; the JSON answer lists them all


def _projects(service: Any, h: Any, params: SearchParams, base: str, lang: str = DEFAULT
              ) -> dict:
    """One page of the projects, newest first, with its pagination."""
    hits, total = network.projects_page(service, h, params)
    pages = (total + params.size - 1) // params.size
    _ = gettext(lang)
    return {
        "hits": [hit_view(hit, lang) for hit in hits],
        "pagination": pagination(params.page, pages,
                                 lambda p: base if p == 1 else f"{base}?page={p}"),
        "page_info": _("page %(page)s sur %(pages)s") % {"page": params.page, "pages": pages}
        if pages > 1 else "",
        "out_of_range": params.page > max(pages, 1),
    }


def _year_chart(years: list[dict], filters: list[tuple[str, str]], title: str,
                lang: str = DEFAULT) -> Markup:
    if not years:
        return Markup("")
    prefix = build_url(filters)  # the same for every bar: encoded once
    return render_year_chart(years, lambda y: f"{prefix}&year_min={y}&year_max={y}",
                             title=title, lang=lang)


def _themes(themes: list[dict], filters: list[tuple[str, str]], lang: str = DEFAULT
            ) -> list[dict]:
    return [{"label": value_label("theme", t["value"], lang), "count": nombre(t["count"], lang),
             "url": build_url([*filters, ("theme", t["value"])])} for t in themes]


def authority_page_context(service: Any, slug: str, page: int = 1, lang: str = DEFAULT
                           ) -> dict | None:
    """Everything authority.html prints; None for an unknown authority."""
    h = service.handle()
    summary = network.authority(service, slug, h)
    if summary is None:
        return None
    name = summary["name"]
    filters = [("french_partner", name)]
    base = network.authority_url(name)
    countries = summary["countries"]
    names = {c["code"]: value_label("country", c["code"], lang, c["name"]) for c in countries}
    world_map = render_world_map(
        {c["code"]: c["count"] for c in countries},
        network.country_url,
        names,
        lang=lang,
    ) if countries else Markup("")
    params = SearchParams(french_partner=[name], sort="year_desc", page=page, size=PAGE_SIZE)
    _ = gettext(lang)
    return {
        **site_context(service, lang),
        "page_title": name,
        "name": name,
        "facts": [
            {"label": _("Projets"), "value": nombre(summary["projects"], lang)},
            {"label": _("Financement total"), "value": euros(summary["funding_eur"], lang)},
            {"label": _("Pays partenaires"), "value": nombre(len(countries), lang)},
        ],
        "search_url": build_url(filters),
        "api_url": f"/api/authorities/{summary['slug']}",
        "world_map": world_map,
        "countries": [{"label": names[c["code"]], "count": nombre(c["count"], lang),
                       "url": network.country_url(c["code"])} for c in countries],
        "year_chart": _year_chart(summary["years"], filters,
                                  _("Projets de %(name)s par année de début") % {"name": name},
                                  lang),
        "themes": _themes(summary["themes"], filters, lang),
        "partners": [{"name": p["name"],
                      "country": value_label("country", p["code"], lang, p["country"])
                      if p["code"] else p["country"],
                      "country_url": network.country_url(p["code"]) if p["code"] else "",
                      "count": nombre(p["count"], lang)} for p in summary["partners"]],
        "projects_heading": projets(summary["projects"], lang),
        **_projects(service, h, params, base, lang),
    }


def country_page_context(service: Any, code: str, page: int = 1, lang: str = DEFAULT
                         ) -> dict | None:
    """Everything country.html prints; None when no project names the country."""
    h = service.handle()
    summary = network.country(service, code, h)
    if summary is None:
        return None
    found = summary["code"]
    filters = [("country", found)]
    params = SearchParams(country=[found], sort="year_desc", page=page, size=PAGE_SIZE)
    name = value_label("country", found, lang, summary["name"])
    _ = gettext(lang)
    return {
        **site_context(service, lang),
        "page_title": name,
        "name": name,
        "code": found,
        "facts": [
            {"label": _("Projets"), "value": nombre(summary["projects"], lang)},
            {"label": _("Financement total"), "value": euros(summary["funding_eur"], lang)},
            {"label": _("Collectivités françaises"),
             "value": nombre(len(summary["authorities"]), lang)},
        ],
        "search_url": build_url(filters),
        "api_url": f"/api/countries/{found}",
        "authorities": [{"label": a["name"], "count": nombre(a["count"], lang),
                         "url": f"/collectivites/{a['slug']}"}
                        for a in summary["authorities"][:MAX_AUTHORITIES]],
        "more_authorities": max(0, len(summary["authorities"]) - MAX_AUTHORITIES),
        "year_chart": _year_chart(summary["years"], filters,
                                  _("Projets en %(name)s par année de début") % {"name": name},
                                  lang),
        "themes": _themes(summary["themes"], filters, lang),
        "projects_heading": projets(summary["projects"], lang),
        **_projects(service, h, params, network.country_url(found), lang),
    }


def _letter(slug: str) -> str:
    first = slug[:1].upper()
    return first if first in LETTERS else OTHER


def authorities_page_context(service: Any, q: str = "", letter: str = "", lang: str = DEFAULT
                             ) -> dict:
    """The A–Z index: one letter's authorities, or those whose name contains `q`."""
    everyone = network.authorities(service)
    by_letter: dict[str, list[dict]] = {}
    for a in everyone:
        by_letter.setdefault(_letter(a["slug"]), []).append(a)
    q = " ".join(q.split())
    letter = letter.upper()
    _ = gettext(lang)
    if q:
        needle = network.slugify(q)  # slugs are folded names: compare those
        shown = [a for a in everyone if needle in a["slug"]]
        heading = _("%(num)s collectivités contenant «\u00a0%(text)s\u00a0»") % {
            "num": nombre(len(shown), lang), "text": q}
    else:
        if letter not in by_letter:
            letter = next((x for x in [*LETTERS, OTHER] if x in by_letter), "")
        shown = by_letter.get(letter, [])
        heading = (_("Collectivités françaises") + (
            _("\u00a0: %(letter)s") % {"letter": letter} if letter else ""))
    return {
        **site_context(service, lang),
        "page_title": _("Collectivités françaises"),
        "heading": heading,
        "filter": q,
        "total": nombre(len(everyone), lang),
        "letters": [{"letter": x, "url": build_url([("lettre", x)], "/collectivites"),
                     "count": len(by_letter.get(x, [])), "current": not q and x == letter}
                    for x in [*LETTERS, OTHER] if x in by_letter],
        "items": [{"label": a["name"], "count": nombre(a["count"], lang),
                   "url": f"/collectivites/{a['slug']}"} for a in shown[:MAX_MATCHES]],
        "hidden_count": max(0, len(shown) - MAX_MATCHES),
    }

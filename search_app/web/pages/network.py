"""View models of the authority pages, the country pages and the A–Z index of authorities.

As in `views`: everything a template prints is computed here; templates only loop and print.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from search_app.engine import network
from search_app.engine.request import SearchParams
from search_app.web.charts import render_year_chart
from search_app.web.pages.views import hit_view, pagination, site_context
from search_app.web.templating import euros, nombre, projets
from search_app.web.urls import build_url
from search_app.web.worldmap import render_world_map

PAGE_SIZE = 20
LETTERS = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
OTHER = "#"  # names not starting with a letter
MAX_MATCHES = 500  # an index filter shows at most this many names
MAX_AUTHORITIES = 200  # on a country page; the JSON answer lists them all


def _projects(service: Any, h: Any, params: SearchParams, base: str) -> dict:
    """One page of the projects, newest first, with its pagination."""
    hits, total = network.projects_page(service, h, params)
    pages = (total + params.size - 1) // params.size
    return {
        "hits": [hit_view(hit) for hit in hits],
        "pagination": pagination(params.page, pages,
                                 lambda p: base if p == 1 else f"{base}?page={p}"),
        "page_info": f"page {params.page} sur {pages}" if pages > 1 else "",
        "out_of_range": params.page > max(pages, 1),
    }


def _year_chart(years: list[dict], filters: list[tuple[str, str]], title: str) -> Markup:
    if not years:
        return Markup("")
    prefix = build_url(filters)  # the same for every bar: encoded once
    return render_year_chart(years, lambda y: f"{prefix}&year_min={y}&year_max={y}",
                             title=title)


def _themes(themes: list[dict], filters: list[tuple[str, str]]) -> list[dict]:
    return [{"label": t["value"], "count": nombre(t["count"]),
             "url": build_url([*filters, ("theme", t["value"])])} for t in themes]


def authority_page_context(service: Any, slug: str, page: int = 1) -> dict | None:
    """Everything authority.html prints; None for an unknown authority."""
    h = service.handle()
    summary = network.authority(service, slug, h)
    if summary is None:
        return None
    name = summary["name"]
    filters = [("french_partner", name)]
    base = network.authority_url(name)
    countries = summary["countries"]
    world_map = render_world_map(
        {c["code"]: c["count"] for c in countries},
        network.country_url,
        {c["code"]: c["name"] for c in countries},
    ) if countries else Markup("")
    params = SearchParams(french_partner=[name], sort="year_desc", page=page, size=PAGE_SIZE)
    return {
        **site_context(service),
        "page_title": name,
        "name": name,
        "facts": [
            {"label": "Projets", "value": nombre(summary["projects"])},
            {"label": "Financement total", "value": euros(summary["funding_eur"])},
            {"label": "Pays partenaires", "value": nombre(len(countries))},
        ],
        "search_url": build_url(filters),
        "api_url": f"/api/authorities/{summary['slug']}",
        "world_map": world_map,
        "countries": [{"label": c["name"], "count": nombre(c["count"]),
                       "url": network.country_url(c["code"])} for c in countries],
        "year_chart": _year_chart(summary["years"], filters,
                                  f"Projets de {name} par année de début"),
        "themes": _themes(summary["themes"], filters),
        "partners": [{"name": p["name"], "country": p["country"],
                      "country_url": network.country_url(p["code"]) if p["code"] else "",
                      "count": nombre(p["count"])} for p in summary["partners"]],
        "projects_heading": projets(summary["projects"]),
        **_projects(service, h, params, base),
    }


def country_page_context(service: Any, code: str, page: int = 1) -> dict | None:
    """Everything country.html prints; None when no project names the country."""
    h = service.handle()
    summary = network.country(service, code, h)
    if summary is None:
        return None
    found = summary["code"]
    filters = [("country", found)]
    params = SearchParams(country=[found], sort="year_desc", page=page, size=PAGE_SIZE)
    return {
        **site_context(service),
        "page_title": summary["name"],
        "name": summary["name"],
        "code": found,
        "facts": [
            {"label": "Projets", "value": nombre(summary["projects"])},
            {"label": "Financement total", "value": euros(summary["funding_eur"])},
            {"label": "Collectivités françaises", "value": nombre(len(summary["authorities"]))},
        ],
        "search_url": build_url(filters),
        "api_url": f"/api/countries/{found}",
        "authorities": [{"label": a["name"], "count": nombre(a["count"]),
                         "url": f"/collectivites/{a['slug']}"}
                        for a in summary["authorities"][:MAX_AUTHORITIES]],
        "more_authorities": max(0, len(summary["authorities"]) - MAX_AUTHORITIES),
        "year_chart": _year_chart(summary["years"], filters,
                                  f"Projets en {summary['name']} par année de début"),
        "themes": _themes(summary["themes"], filters),
        "projects_heading": projets(summary["projects"]),
        **_projects(service, h, params, network.country_url(found)),
    }


def _letter(slug: str) -> str:
    first = slug[:1].upper()
    return first if first in LETTERS else OTHER


def authorities_page_context(service: Any, q: str = "", letter: str = "") -> dict:
    """The A–Z index: one letter's authorities, or those whose name contains `q`."""
    everyone = network.authorities(service)
    by_letter: dict[str, list[dict]] = {}
    for a in everyone:
        by_letter.setdefault(_letter(a["slug"]), []).append(a)
    q = " ".join(q.split())
    letter = letter.upper()
    if q:
        needle = network.slugify(q)  # slugs are folded names: compare those
        shown = [a for a in everyone if needle in a["slug"]]
        heading = f"{nombre(len(shown))} collectivités contenant «\u00a0{q}\u00a0»"
    else:
        if letter not in by_letter:
            letter = next((x for x in [*LETTERS, OTHER] if x in by_letter), "")
        shown = by_letter.get(letter, [])
        heading = ("Collectivités françaises" + (f"\u00a0: {letter}" if letter else ""))
    return {
        **site_context(service),
        "page_title": "Collectivités françaises",
        "heading": heading,
        "filter": q,
        "filter_scope": f"collectivité en {letter}" if letter and not q else "collectivité",
        "total": nombre(len(everyone)),
        "letters": [{"letter": x, "url": build_url([("lettre", x)], "/collectivites"),
                     "count": len(by_letter.get(x, [])), "current": not q and x == letter}
                    for x in [*LETTERS, OTHER] if x in by_letter],
        "items": [{"label": a["name"], "count": nombre(a["count"]),
                   "url": f"/collectivites/{a['slug']}"} for a in shown[:MAX_MATCHES]],
        "hidden_count": max(0, len(shown) - MAX_MATCHES),
    }

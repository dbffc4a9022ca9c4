"""View models of the authority pages, the country pages and the A–Z index of authorities.

As in `views`: everything a template prints is computed here; templates only loop and print.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from starlette.responses import Response

from search_app.engine import network
from search_app.engine.reader import Reader
from search_app.engine.relevance import PAGE_SIZE
from search_app.engine.request import SearchParams
from search_app.web.charts import render_year_chart
from search_app.web.deps import ReaderDep
from search_app.web.pages.views import error_page, hit_view, pagination, site_context
from search_app.web.templating import euros, nombre, projets, templates
from search_app.web.urls import (
    AUTHORITIES_PATH,
    api_authority_url,
    api_country_url,
    authority_url,
    build_url,
    country_url,
)
from search_app.web.worldmap import render_world_map

LETTERS = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
OTHER = "#"  # names not starting with a letter
MAX_MATCHES = 500  # an index filter shows at most this many names
MAX_AUTHORITIES = 200  # on a country page; the JSON answer lists them all


router = APIRouter()


def _projects(reader: Reader, params: SearchParams, base: str) -> dict:
    """One page of the projects, newest first, with its pagination."""
    hits, total = reader.projects(params)
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


def authority_page_context(reader: Reader, slug: str, page: int = 1) -> dict | None:
    """Everything authority.html prints; None for an unknown authority."""
    summary = network.authority(reader, slug)
    if summary is None:
        return None
    name = summary["name"]
    filters = [("french_partner", name)]
    base = authority_url(summary["slug"])
    countries = summary["countries"]
    world_map = render_world_map(
        {c["code"]: c["count"] for c in countries},
        country_url,
        {c["code"]: c["name"] for c in countries},
    ) if countries else Markup("")
    params = SearchParams(french_partner=[name], sort="year_desc", page=page, size=PAGE_SIZE)
    return {
        **site_context(reader),
        "page_title": name,
        "name": name,
        "facts": [
            {"label": "Projets", "value": nombre(summary["projects"])},
            {"label": "Financement total", "value": euros(summary["funding_eur"])},
            {"label": "Pays partenaires", "value": nombre(len(countries))},
        ],
        "search_url": build_url(filters),
        "api_url": api_authority_url(summary["slug"]),
        "world_map": world_map,
        "countries": [{"label": c["name"], "count": nombre(c["count"]),
                       "url": country_url(c["code"])} for c in countries],
        "year_chart": _year_chart(summary["years"], filters,
                                  f"Projets de {name} par année de début"),
        "themes": _themes(summary["themes"], filters),
        "partners": [{"name": p["name"], "country": p["country"],
                      "country_url": country_url(p["code"]) if p["code"] else "",
                      "count": nombre(p["count"])} for p in summary["partners"]],
        "projects_heading": projets(summary["projects"]),
        **_projects(reader, params, base),
    }


def country_page_context(reader: Reader, code: str, page: int = 1) -> dict | None:
    """Everything country.html prints; None when no project names the country."""
    summary = network.country(reader, code)
    if summary is None:
        return None
    found = summary["code"]
    filters = [("country", found)]
    params = SearchParams(country=[found], sort="year_desc", page=page, size=PAGE_SIZE)
    return {
        **site_context(reader),
        "page_title": summary["name"],
        "name": summary["name"],
        "code": found,
        "facts": [
            {"label": "Projets", "value": nombre(summary["projects"])},
            {"label": "Financement total", "value": euros(summary["funding_eur"])},
            {"label": "Collectivités françaises", "value": nombre(len(summary["authorities"]))},
            {"label": "Régions du monde",
             "value": ", ".join(r["name"] for r in summary["regions"]) or "–"},
        ],
        "search_url": build_url(filters),
        "api_url": api_country_url(found),
        "authorities": [{"label": a["name"], "count": nombre(a["count"]),
                         "url": authority_url(a["slug"])}
                        for a in summary["authorities"][:MAX_AUTHORITIES]],
        "more_authorities": max(0, len(summary["authorities"]) - MAX_AUTHORITIES),
        "year_chart": _year_chart(summary["years"], filters,
                                  f"Projets en {summary['name']} par année de début"),
        "themes": _themes(summary["themes"], filters),
        "projects_heading": projets(summary["projects"]),
        **_projects(reader, params, country_url(found)),
    }


def _letter(slug: str) -> str:
    first = slug[:1].upper()
    return first if first in LETTERS else OTHER


def authorities_page_context(reader: Reader, q: str = "", letter: str = "") -> dict:
    """The A–Z index: one letter's authorities, or those whose name contains `q`."""
    everyone = network.authorities(reader)
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
        **site_context(reader),
        "page_title": "Collectivités françaises",
        "heading": heading,
        "filter": q,
        "total": nombre(len(everyone)),
        "letters": [{"letter": x, "url": build_url([("lettre", x)], AUTHORITIES_PATH),
                     "count": len(by_letter.get(x, [])), "current": not q and x == letter}
                    for x in [*LETTERS, OTHER] if x in by_letter],
        "items": [{"label": a["name"], "count": nombre(a["count"]),
                   "url": authority_url(a["slug"])} for a in shown[:MAX_MATCHES]],
        "hidden_count": max(0, len(shown) - MAX_MATCHES),
    }


# ---------------------------------------------------------------- routes


@router.get(AUTHORITIES_PATH, response_class=HTMLResponse, include_in_schema=False)
def authorities_page(
    request: Request, reader: ReaderDep,
    q: Annotated[str, Query(max_length=200)] = "",
    lettre: Annotated[str, Query(max_length=1)] = "",
) -> Response:
    return templates.TemplateResponse(
        request, "authorities.html", authorities_page_context(reader, q, lettre))


@router.get(AUTHORITIES_PATH + "/{slug}", response_class=HTMLResponse, include_in_schema=False)
def authority_page(
    request: Request, slug: str, reader: ReaderDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    context = authority_page_context(reader, slug, page)
    if context is None:
        return error_page(request, 404, f"Aucune collectivité française «\u00a0{slug}\u00a0».")
    return templates.TemplateResponse(request, "authority.html", context)


@router.get("/pays/{code}", response_class=HTMLResponse, include_in_schema=False)
def country_page(
    request: Request, code: str, reader: ReaderDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    context = country_page_context(reader, code, page)
    if context is None:
        return error_page(request, 404, f"Aucun projet dans le pays «\u00a0{code}\u00a0».")
    return templates.TemplateResponse(request, "country.html", context)

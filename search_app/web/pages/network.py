"""View models of the authority pages, the country pages and the A–Z index of authorities.

As in `views`: everything a template prints is computed here; templates only loop and print.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from starlette.responses import Response

from search_app.engine import network
from search_app.engine.reader import Reader
from search_app.engine.relevance import PAGE_SIZE
from search_app.engine.request import SearchParams, Sort
from search_app.web.charts import render_funding_chart, render_year_chart
from search_app.web.deps import ReaderDep
from search_app.web.i18n import DEFAULT, get_language, gettext
from search_app.web.i18n import money as euros
from search_app.web.i18n import number as nombre
from search_app.web.i18n import projects as projets
from search_app.web.pages.labels import value_label
from search_app.web.pages.render import render
from search_app.web.pages.views import error_page, hit_view, pagination, site_context
from search_app.web.urls import (
    AUTHORITIES_PATH,
    authority_json_url,
    authority_url,
    build_url,
    country_json_url,
    country_url,
    export_url,
)
from search_app.web.worldmap import render_world_map

LETTERS = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
OTHER = "#"  # names not starting with a letter
MAX_MATCHES = 500  # an index filter shows at most this many names
MAX_AUTHORITIES = 200  # on a country page; the JSON answer lists them all


router = APIRouter()

# The orders a network page's project list offers (the search's, relevance aside).
SORTS = (("year_desc", "plus récents"), ("year_asc", "plus anciens"),
         ("funding_desc", "financement"), ("end_desc", "fin la plus récente"),
         ("end_asc", "fin la plus ancienne"))
DEFAULT_SORT = "year_desc"
OWN_DEFINITION = ("Somme des lignes de financement de ses projets dont le financeur est "
                  "cette collectivité (« Ville d’Angers » compte pour Angers).")
TOTAL_DEFINITION = ("Somme des financements totaux de ses projets, chaque projet compté en "
                    "entier, quel que soit le financeur.")
COUNTRY_TOTAL_DEFINITION = ("Somme des financements totaux des projets menés dans ce pays, "
                            "chaque projet compté en entier (un projet dans 3 pays compte dans "
                            "chacun).")
SHARE_DEFINITION = ("Financement de chaque projet divisé à parts égales entre ses pays : les "
                    "parts de tous les pays s’additionnent au total des projets.")


def _page_link(base: str, page: int, sort: str) -> str:
    items = ([("sort", sort)] if sort != DEFAULT_SORT else []) + \
        ([("page", str(page))] if page > 1 else [])
    return build_url(items, base)


def _tools(filters: list[tuple[str, str]], base: str, sort: str) -> dict:
    """Download links (every project of the page, as the search exports them) and sorts."""
    items = [*filters, ("sort", sort)]
    return {
        "downloads": [{"label": label, "url": export_url(ext, items)} for ext, label in (
            ("xlsx", "Télécharger (Excel)"), ("csv", "Télécharger (CSV)"),
            ("jsonl", "Télécharger (JSON Lines)"))],
        "sorts": [{"label": label, "url": _page_link(base, 1, value),
                   "current": value == sort} for value, label in SORTS],
    }


def _projects(reader: Reader, params: SearchParams, base: str, lang: str = DEFAULT
              ) -> dict:
    """One page of the projects, in the page's order, with its pagination."""
    hits, total = reader.projects(params)
    pages = (total + params.size - 1) // params.size
    _ = gettext(lang)
    return {
        "hits": [hit_view(hit, lang) for hit in hits],
        "pagination": pagination(params.page, pages,
                                 lambda p: _page_link(base, p, params.sort)),
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


def authority_page_context(reader: Reader, slug: str, page: int = 1, lang: str = DEFAULT,
                           sort: str = DEFAULT_SORT) -> dict | None:
    """Everything authority.html prints; None for an unknown authority."""
    summary = network.authority(reader, slug)
    if summary is None:
        return None
    name = summary["name"]
    filters = [("french_partner", name)]
    base = authority_url(summary["slug"])
    countries = summary["countries"]
    names = {c["code"]: value_label("country", c["code"], lang, c["name"]) for c in countries}
    world_map = render_world_map(
        {c["code"]: c["count"] for c in countries},
        country_url,
        names,
        lang=lang,
    ) if countries else Markup("")
    params = SearchParams(french_partner=[name], sort=sort, page=page, size=PAGE_SIZE)
    _ = gettext(lang)
    return {
        **site_context(reader, lang),
        "page_title": name,
        "name": name,
        "facts": [
            {"label": _("Projets"), "value": nombre(summary["projects"], lang)},
            {"label": _("Financement total"), "value": euros(summary["funding_eur"], lang)},
            {"label": _("Contribution propre"), "value": euros(summary["own_funding_eur"], lang)},
            {"label": _("Pays partenaires"), "value": nombre(len(countries), lang)},
        ],
        "figures": {
            "items": [
                {"label": "Financement total des projets",
                 "value": euros(summary["funding_eur"]), "definition": TOTAL_DEFINITION},
                {"label": "Contribution propre", "value": euros(summary["own_funding_eur"]),
                 "definition": OWN_DEFINITION},
            ],
            "chart": render_funding_chart(summary["funding_years"],
                                          title=f"Financements des projets de {name} par "
                                                "année de versement"),
            "unmatched": [{"name": f["name"], "amount": euros(f["funding_eur"])}
                          for f in summary["unmatched_funders"]],
        },
        **_tools(filters, base, sort),
        "search_url": build_url(filters),
        "api_url": authority_json_url(summary["slug"]),
        "world_map": world_map,
        "countries": [{"label": names[c["code"]], "count": nombre(c["count"], lang),
                       "url": country_url(c["code"])} for c in countries],
        "year_chart": _year_chart(summary["years"], filters,
                                  _("Projets de %(name)s par année de début") % {"name": name},
                                  lang),
        "themes": _themes(summary["themes"], filters, lang),
        "partners": [{"name": p["name"],
                      "country": value_label("country", p["code"], lang, p["country"])
                      if p["code"] else p["country"],
                      "country_url": country_url(p["code"]) if p["code"] else "",
                      "count": nombre(p["count"], lang)} for p in summary["partners"]],
        "projects_heading": projets(summary["projects"], lang),
        **_projects(reader, params, base, lang),
    }


def country_page_context(reader: Reader, code: str, page: int = 1, lang: str = DEFAULT,
                         sort: str = DEFAULT_SORT) -> dict | None:
    """Everything country.html prints; None when no project names the country."""
    summary = network.country(reader, code)
    if summary is None:
        return None
    found = summary["code"]
    filters = [("country", found)]
    params = SearchParams(country=[found], sort=sort, page=page, size=PAGE_SIZE)
    name = value_label("country", found, lang, summary["name"])
    _ = gettext(lang)
    return {
        **site_context(reader, lang),
        "page_title": name,
        "name": name,
        "code": found,
        "facts": [
            {"label": _("Projets"), "value": nombre(summary["projects"], lang)},
            {"label": _("Financement total"), "value": euros(summary["funding_eur"], lang)},
            {"label": _("Part du financement"),
             "value": euros(summary["funding_share_eur"], lang)},
            {"label": _("Collectivités françaises"),
             "value": nombre(len(summary["authorities"]), lang)},
            {"label": _("Régions du monde"),
             "value": ", ".join(r["name"] for r in summary["regions"]) or "–"},
        ],
        "figures": {
            "items": [
                {"label": "Financement total des projets",
                 "value": euros(summary["funding_eur"]), "definition": COUNTRY_TOTAL_DEFINITION},
                {"label": "Part du financement", "value": euros(summary["funding_share_eur"]),
                 "definition": SHARE_DEFINITION},
            ],
            "chart": render_funding_chart(summary["funding_years"],
                                          title=f"Financements des projets en "
                                                f"{summary['name']} par année de versement"),
            "unmatched": [],
        },
        **_tools(filters, country_url(found), sort),
        "search_url": build_url(filters),
        "api_url": country_json_url(found),
        "authorities": [{"label": a["name"], "count": nombre(a["count"], lang),
                         "url": authority_url(a["slug"])}
                        for a in summary["authorities"][:MAX_AUTHORITIES]],
        "more_authorities": max(0, len(summary["authorities"]) - MAX_AUTHORITIES),
        "year_chart": _year_chart(summary["years"], filters,
                                  _("Projets en %(name)s par année de début") % {"name": name},
                                  lang),
        "themes": _themes(summary["themes"], filters, lang),
        "projects_heading": projets(summary["projects"], lang),
        **_projects(reader, params, country_url(found), lang),
    }


def _letter(slug: str) -> str:
    first = slug[:1].upper()
    return first if first in LETTERS else OTHER


def authorities_page_context(reader: Reader, q: str = "", letter: str = "", lang: str = DEFAULT
                             ) -> dict:
    """The A–Z index: one letter's authorities, or those whose name contains `q`."""
    everyone = network.authorities(reader)
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
        **site_context(reader, lang),
        "page_title": _("Collectivités françaises"),
        "heading": heading,
        "filter": q,
        "filter_scope": (_("collectivité en %(letter)s") % {"letter": letter}
                         if letter and not q else _("collectivité")),
        "total": nombre(len(everyone), lang),
        "letters": [{"letter": x, "url": build_url([("lettre", x)], AUTHORITIES_PATH),
                     "count": len(by_letter.get(x, [])), "current": not q and x == letter}
                    for x in [*LETTERS, OTHER] if x in by_letter],
        "items": [{"label": a["name"], "count": nombre(a["count"], lang),
                   "url": authority_url(a["slug"])} for a in shown[:MAX_MATCHES]],
        "hidden_count": max(0, len(shown) - MAX_MATCHES),
    }


Language = Annotated[str, Depends(get_language)]


# ---------------------------------------------------------------- routes


@router.get(AUTHORITIES_PATH, response_class=HTMLResponse, include_in_schema=False)
def authorities_page(
    request: Request, reader: ReaderDep, lang: Language,
    q: Annotated[str, Query(max_length=200)] = "",
    lettre: Annotated[str, Query(max_length=1)] = "",
) -> Response:
    return render(request, "authorities.html",
                  authorities_page_context(reader, q, lettre, lang), lang)


@router.get(AUTHORITIES_PATH + "/{slug}", response_class=HTMLResponse, include_in_schema=False)
def authority_page(
    request: Request, slug: str, reader: ReaderDep, lang: Language,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    sort: Sort = DEFAULT_SORT,
) -> Response:
    context = authority_page_context(reader, slug, page, lang, sort)
    if context is None:
        _ = gettext(lang)
        return error_page(request, 404, _("Aucune collectivité française «\u00a0%(slug)s\u00a0».")
                          % {"slug": slug})
    return render(request, "authority.html", context, lang)


@router.get("/pays/{code}", response_class=HTMLResponse, include_in_schema=False)
def country_page(
    request: Request, code: str, reader: ReaderDep, lang: Language,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    sort: Sort = DEFAULT_SORT,
) -> Response:
    context = country_page_context(reader, code, page, lang, sort)
    if context is None:
        _ = gettext(lang)
        return error_page(request, 404, _("Aucun projet dans le pays «\u00a0%(code)s\u00a0».")
                          % {"code": code})
    return render(request, "country.html", context, lang)

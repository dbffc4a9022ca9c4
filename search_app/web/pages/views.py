"""HTML pages: the search page and the project page.

Handlers only call one view-model function and render; everything a template shows is
computed here (datasette-style), so templates only loop and print.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import parse_qsl

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup
from starlette.responses import Response

from indexer.fields import BY_NAME, BY_PARAM, FACETS, LABELS, YEAR
from indexer.places import country_code, country_name
from indexer.synthetic import is_synthetic
from search_app.engine.hits import countries_fr
from search_app.engine.query.fieldterms import syntax_help
from search_app.engine.reader import Reader
from search_app.engine.request import MAX_Q, SearchParams
from search_app.web.answers import search_answer
from search_app.web.charts import render_year_chart
from search_app.web.deps import ParamsDep, ReaderDep
from search_app.web.templating import date_fr, euros, nombre, projets, templates
from search_app.web.urls import (
    active_chips,
    api_project_url,
    authority_url,
    build_url,
    country_url,
    export_url,
    facet_page_url,
    facet_toggle_urls,
    match_all_url,
    page_url,
    project_url,
    query_url,
    sort_url,
)
from search_app.web.worldmap import render_world_map

ID_PATTERN = re.compile(r"[A-Za-z0-9_-]+")

SORTS = (
    ("relevance", "pertinence"),
    ("year_desc", "plus récents"),
    ("year_asc", "plus anciens"),
    ("funding_desc", "financement"),
)
# Facets in the sidebar, in registry order; the start year gets its own range form and chart.
SIDEBAR_FACETS = tuple(f.name for f in FACETS)
OPEN_FACETS = SIDEBAR_FACETS[:2]  # unfolded by default: the first two
# Values listed per facet in the sidebar (selected ones always are): the page stays light
# however many values a facet has; the rest are one link away (« voir tout », with a search
# over the values on the server).
SHOWN_VALUES = 10
# Values per page of a facet's own page (`/filtres/{param}`).
VALUES_PAGE = 100
# Filters offered to drop on an empty result, each costing one count.
MAX_RELAXATIONS = 6
PARTNERS_ON_CARD = 4

router = APIRouter()


# ---------------------------------------------------------------- shared pieces


def site_context(reader: Reader | None) -> dict:
    """What base.html needs on every page: the synthetic-data banner."""
    try:
        stats = reader.stats() if reader is not None else {}
    except Exception:  # noqa: BLE001 - a banner must never break an error page
        stats = {}
    synthetic = int(stats.get("synthetic") or 0)
    return {
        "site": {
            "records": stats.get("records"),
            "synthetic": synthetic,
            "synthetic_text": (
                f"Cet index contient {projets(synthetic)} générés automatiquement "
                "(données synthétiques), signalés comme tels."
                if synthetic
                else ""
            ),
        }
    }


def _years(start_year: int | None, end_date: str | None) -> str:
    end_year = (end_date or "")[:4]
    if start_year and end_year:
        return str(start_year) if str(start_year) == end_year else f"{start_year} – {end_year}"
    if start_year:
        return f"depuis {start_year}"
    if end_year:
        return f"jusqu’en {end_year}"
    return ""


def hit_view(hit: dict) -> dict:
    """A result card: display strings plus the links it carries (project, authority and
    country pages)."""
    partners = list(hit.get("french_partners") or [])
    more = len(partners) - PARTNERS_ON_CARD
    return {
        "id": hit["id"],
        "url": project_url(hit["id"]),
        "title": hit.get("title") or "(sans titre)",
        "theme": hit.get("theme") or "",
        "status": hit.get("status") or "",
        "years": _years(hit.get("start_year"), hit.get("end_date")),
        "countries": [{"name": c.get("name") or c.get("code"), "url": country_url(c["code"])}
                      for c in hit.get("countries") or [] if c.get("code")],
        "french_partners": [{"name": n, "url": authority_url(n)}
                            for n in partners[:PARTNERS_ON_CARD]],
        "more_partners": f" et {more} autre{'s' if more > 1 else ''}" if more > 0 else "",
        "funding": euros(hit["funding_total_eur"]) if hit.get("funding_total_eur") else "",
        # The service escapes record text and adds only <mark>: safe to print as HTML.
        "snippet": Markup(hit.get("snippet") or ""),
        "synthetic": bool(hit.get("synthetic")) or is_synthetic(hit["id"]),
    }


# ---------------------------------------------------------------- search page


def _facet_item(facet: str, i: dict) -> dict:
    return {
        "label": str(i.get("label") or i["value"]),
        "count": nombre(i.get("count")),
        "url": i["toggle_url"],
        "selected": bool(i.get("selected")),
        "action": ("Retirer le filtre " if i.get("selected") else "Filtrer sur ")
        + str(i.get("label") or i["value"]),
        "page_url": _page_url(facet, str(i["value"])),
    }


def _facet_section(facet: str, items: list[dict], params: SearchParams,
                   total: int | None = None) -> dict:
    """A sidebar facet: its most frequent values, the selected ones, and, when it has more,
    « et N autres » (from the facet's full count) linking to all of them."""
    shown = items[:SHOWN_VALUES]
    # A selected value must stay visible even past the cap.
    shown += [i for i in items[SHOWN_VALUES:] if i.get("selected")]
    total = len(items) if total is None else max(total, len(items))
    hidden = total - len(shown)
    param = BY_NAME[facet].param if facet in BY_NAME else facet
    return {
        "key": facet,
        "id": f"facette-{facet.replace('_', '-')}",
        "title": LABELS[facet],
        "items": [_facet_item(facet, i) for i in shown],
        "hidden_count": hidden,
        "more_text": f"et {nombre(hidden)} autre{'s' if hidden > 1 else ''}" if hidden > 0
        else "",
        "all_url": build_url(_without_page(params), facet_page_url(param)) if hidden > 0 else "",
        "search_url": facet_page_url(param),
        "search_label": f"Chercher parmi les {nombre(total)} valeurs «\u00a0{LABELS[facet]}\u00a0»",
        "search_hidden": _hidden_inputs(params, ()),
        "open": any(i.get("selected") for i in items) or facet in OPEN_FACETS,
    }


def _without_page(params: SearchParams) -> list[tuple[str, str]]:
    return [(k, v) for k, v in params.query_items() if k != "page"]


def _page_url(facet: str, value: str) -> str:
    """The authority's or the country's own page, for those two facets."""
    if facet == "country":
        return country_url(value)
    if facet == "french_partner":
        return authority_url(value)
    return ""


def pagination(page: int, pages: int, url: Callable[[int], str]) -> dict:
    """Links to the first, last and nearby pages (gaps marked), previous and next; `url`
    gives a page's address."""
    wanted = {1, pages, *range(page - 2, page + 3)}
    links: list[dict] = []
    previous = 0
    for p in sorted(n for n in wanted if 1 <= n <= pages):
        if previous and p > previous + 1:
            links.append({"gap": True})
        links.append({"gap": False, "page": p, "url": url(p), "current": p == page})
        previous = p
    return {
        "show": pages > 1,
        "links": links,
        "prev_url": url(page - 1) if 1 < page <= pages + 1 else "",
        "next_url": url(page + 1) if page < pages else "",
    }


def _hidden_inputs(params: SearchParams, drop: tuple[str, ...]) -> list[dict]:
    """The current state as hidden form fields, so a form changes one thing only."""
    return [
        {"name": k, "value": v}
        for k, v in params.query_items()
        if k not in drop and k != "page"
    ]


_LIST_PARAMS = frozenset(f.param for f in FACETS)


def _params_from_url(url: str) -> SearchParams:
    data: dict[str, Any] = {}
    for key, value in parse_qsl(url.partition("?")[2]):
        if key in _LIST_PARAMS:
            data.setdefault(key, []).append(value)
        else:
            data[key] = value
    return SearchParams(**data)


# How the page names each kind of value the query was read as naming.
UNDERSTOOD_LABELS = {"country": "pays", "region": "région du monde",
                     "authority": "collectivité", "theme": "thématique", "status": "statut",
                     "form": "forme", "period": "période"}


def _relaxations(reader: Reader, params: SearchParams, chips: list[dict]) -> list[dict]:
    """For an empty result: each filter to drop, with how many projects that would give."""
    options = []
    for chip in chips[:MAX_RELAXATIONS]:
        relaxed = _params_from_url(chip["remove_url"]).model_copy(update={"size": 1})
        try:
            total = int(reader.search(relaxed)["total"])
        except Exception:  # noqa: BLE001 - the hint is optional
            total = None
        options.append({
            "label": chip["label"],
            "url": chip["remove_url"],
            "count": projets(total) if total is not None else "",
        })
    return options


def _filters_summary(active: int) -> str:
    if not active:
        return "Affiner la recherche"
    plural = "s" if active > 1 else ""
    return f"Affiner la recherche ({active} filtre{plural} actif{plural})"


def _downloads(params: SearchParams) -> list[dict]:
    """Every match of this search as a file (the API's exports, without page and size)."""
    items = [(k, v) for k, v in params.query_items() if k not in ("page", "size")]
    return [{"label": label, "url": export_url(ext, items)}
            for ext, label in (("xlsx", "Télécharger (Excel)"), ("csv", "Télécharger (CSV)"))]


def search_page_context(reader: Reader, params: SearchParams, downloads: bool = True) -> dict:
    """Everything search.html prints, for one query string.

    `downloads`: link the exports (not when a token keeps the API from the public)."""
    result = search_answer(reader, params)
    facets = result.get("facets") or {}
    facet_totals = result.get("facet_totals") or {}
    total = int(result.get("total") or 0)
    pages = int(result.get("pages") or 0)
    chips = active_chips(params, result)

    country_items = facets.get("country") or []
    world_map = render_world_map(
        {str(i["value"]): int(i["count"]) for i in country_items},
        {str(i["value"]): i["toggle_url"] for i in country_items}.__getitem__,
        {str(i["value"]): str(i.get("label") or i["value"]) for i in country_items},
        selected={str(i["value"]) for i in country_items if i.get("selected")},
    ) if country_items else Markup("")
    year_items = facets.get("start_year") or []
    year_links = {int(i["value"]): i["toggle_url"] for i in year_items}
    year_chart = render_year_chart(year_items, year_links.__getitem__) if year_items else ""

    suggestion = result.get("suggestion")
    if total == 0:
        heading = "Aucun projet ne correspond à votre recherche"
    else:
        heading = f"{projets(total)}" + (f" pour «\u00a0{params.q}\u00a0»" if params.q else "")
    return {
        **site_context(reader),
        "page_title": (f"«\u00a0{params.q}\u00a0» – " if params.q else "") + projets(total),
        "q": params.q,
        "total": total,
        "heading": heading,
        "took": f"{float(result.get('took_ms') or 0):.0f} ms",
        "page_info": f"page {params.page} sur {pages}" if pages > 1 else "",
        "out_of_range": total > 0 and params.page > pages,
        "first_page_url": page_url(params, 1),
        "last_page_url": page_url(params, pages) if total > 0 and params.page > pages else "",
        "fuzzy": bool(result.get("fuzzy")) and total > 0,
        "expanded": ", ".join(result.get("expanded") or []),
        "syntax_help": syntax_help(),
        "suggestion": (
            {"text": suggestion, "url": query_url(params, suggestion)}
            if suggestion and suggestion != params.q
            else None
        ),
        "relaxed": (result.get("relaxed") or []) if total else [],
        "all_words_count": result.get("total_all_words"),
        "others_count": total - int(result.get("total_all_words") or 0),
        "understood": [{**u, "label": UNDERSTOOD_LABELS.get(u["kind"], u["kind"])}
                       for u in result.get("understood") or []],
        "match_all_url": match_all_url(params) if result.get("relaxed") else "",
        "named_filters": result.get("named_filters") or [],
        "hits": [hit_view(h) for h in result.get("hits") or []],
        "chips": chips,
        "filters_summary": _filters_summary(len(chips)),
        "clear_url": query_url(SearchParams(), params.q) if chips else "",
        "relaxations": _relaxations(reader, params, chips) if total == 0 else [],
        "drop_query_url": query_url(params, "") if total == 0 and params.q else "",
        "facets": [
            _facet_section(f, facets[f], params, facet_totals.get(f))
            for f in SIDEBAR_FACETS if facets.get(f)
        ],
        "years": {
            "items": [_facet_item(YEAR.name, i) for i in year_items],
            "year_min": "" if params.year_min is None else str(params.year_min),
            "year_max": "" if params.year_max is None else str(params.year_max),
            "hidden": _hidden_inputs(params, YEAR.params),
        },
        "search_hidden": _hidden_inputs(params, ("q",)),
        "sorts": [
            {"label": label, "url": sort_url(params, value), "current": params.sort == value}
            for value, label in SORTS
        ],
        "pagination": pagination(params.page, pages, lambda p: page_url(params, p)),
        "downloads": _downloads(params) if downloads and total else [],
        "world_map": world_map,
        "year_chart": year_chart,
    }


# ---------------------------------------------------------------- one facet, every value


def facet_values_context(reader: Reader, params: SearchParams, param: str, contains: str
                         ) -> dict | None:
    """Everything facet_values.html prints: every value of one facet for a search (those
    holding `contains`), a page at a time; `params.page` is the page of values. None when
    `param` names no facet."""
    declared = BY_PARAM.get(param)
    if declared is None:
        return None
    found = reader.facet_values(params, declared.name, contains, params.page, VALUES_PAGE)
    state = params.model_copy(update={"page": 1})
    items = [_facet_item(declared.name, i)
             for i in facet_toggle_urls(declared.name, found["values"], state)]
    base = facet_page_url(param)
    extra = [("valeur", contains)] if contains else []
    pages = int(found["pages"])

    def page_link(n: int) -> str:
        return build_url([*_without_page(state), *extra, *([("page", str(n))] if n > 1 else [])],
                         base)

    total = int(found["total"])
    title = f"{declared.label}\u00a0: {nombre(total)} valeur{'s' if total > 1 else ''}"
    return {
        **site_context(reader),
        "page_title": title,
        "heading": title + (f" contenant «\u00a0{contains}\u00a0»" if contains else ""),
        "q": params.q,
        "label": declared.label,
        "contains": contains,
        "items": items,
        "list_id": f"facette-{declared.name.replace('_', '-')}-liste",
        "total": total,
        "chips": active_chips(state, None),
        "search_url": base,
        "form_hidden": _hidden_inputs(state, ("valeur",)),
        "search_hidden": _hidden_inputs(state, ("q",)),
        "back_url": build_url(_without_page(state)),
        "all_values_url": build_url(_without_page(state), base) if contains else "",
        "page_info": f"page {params.page} sur {pages}" if pages > 1 else "",
        "prev_url": page_link(params.page - 1) if 1 < params.page <= pages else "",
        "next_url": page_link(params.page + 1) if params.page < pages else "",
    }


# ---------------------------------------------------------------- project page


def text_blocks(text: str | None) -> list[dict]:
    """Free text -> paragraphs and bullet lists (lines starting with ``- `` or ``• ``)."""
    blocks: list[dict] = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        bullet = re.match(r"^[-•*]\s+(.*)", line)
        if bullet:
            if not blocks or blocks[-1]["kind"] != "list":
                blocks.append({"kind": "list", "items": []})
            blocks[-1]["items"].append(bullet.group(1))
        else:
            blocks.append({"kind": "para", "text": line})
    return blocks


def _filter_url(param: str, value: str | None) -> str:
    return build_url([(param, value)]) if value else ""


def _person(p: dict | None, missing: str) -> dict:
    if not p or not (p.get("name") or p.get("email")):
        return {"name": missing, "email": "", "missing": True}
    return {"name": p.get("name") or "", "email": p.get("email") or "", "missing": False}


def _full_name(first: str | None, last: str | None) -> str:
    return " ".join(x for x in (first, last) if x)


def project_page_context(reader: Reader, project_id: str) -> dict | None:
    """Everything project.html prints; None when there is no such project."""
    if not ID_PATTERN.fullmatch(project_id):
        return None
    record = reader.get_record(project_id)
    if record is None:
        return None
    r: dict = record
    funding = r.get("funding") or []
    # The stored total is 0 when no row has an amount: that is « non renseigné », not 0 €.
    known = any(f.get("amount_eur") is not None for f in funding) or (
        not funding and bool(r.get("funding_total_eur")))
    total = r.get("funding_total_eur")
    if total is None:
        total = sum(int(f.get("amount_eur") or 0) for f in funding)
    funding_total = euros(total) if known else "non renseigné"
    themes = [
        {"label": "Thématique", "value": r.get("theme"),
         "url": _filter_url("theme", r.get("theme"))},
        {"label": "Sous-thématique", "value": r.get("sub_theme"),
         "url": _filter_url("sub_theme", r.get("sub_theme"))},
        {"label": "Sous-sous-thématique", "value": r.get("sub_sub_theme"), "url": ""},
    ]
    texts = [
        ("Contexte", r.get("context")),
        ("Historique", r.get("history")),
        ("Objectifs locaux", r.get("objectives_local")),
        ("Objectifs en France", r.get("objectives_france")),
        ("Description détaillée du partenariat", r.get("description")),
    ]
    similar = []
    try:
        similar = [hit_view(h) for h in reader.similar(project_id, limit=5)]
    except Exception:  # noqa: BLE001 - a page without neighbours is still a page
        similar = []
    title = r.get("title") or "(sans titre)"
    return {
        **site_context(reader),
        "page_title": title,
        "id": r["id"],
        "title": title,
        "synthetic": is_synthetic(r["id"]) or bool(r.get("synthetic")),
        "api_url": api_project_url(r["id"]),
        "facts": [
            {"label": k, "value": v}
            for k, v in (
                ("Statut", r.get("status") or "non renseigné"),
                ("Forme du partenariat", r.get("partnership_form") or "non renseignée"),
                ("Année de signature de la convention", r.get("signature_year") or "—"),
                ("Année de début du partenariat", r.get("start_year") or "—"),
                ("Date de fin du partenariat", _date_or_dash(r.get("end_date"))),
                ("Partenariat triennal", _oui_non(r.get("triennial"))),
                ("Financement total", funding_total),
            )
        ],
        "themes": [t for t in themes if t["value"]],
        "other_themes": [
            {
                "priority": t.get("priority") if t.get("priority") is not None else "",
                "theme": t.get("theme") or "",
                "sub_theme": t.get("sub_theme") or "",
                "sub_sub_theme": t.get("sub_sub_theme") or "",
            }
            for t in sorted(
                r.get("other_themes") or [],
                key=lambda t: (t.get("priority") is None, t.get("priority") or 0),
            )
        ],
        "texts": [{"title": t, "blocks": text_blocks(v)} for t, v in texts if v and v.strip()],
        "countries": [
            {"name": c["name"] or c["code"], "code": c["code"], "url": country_url(c["code"])}
            for c in countries_fr(r.get("countries") or [])
        ],
        "foreign_partners": [
            {
                "name": p.get("name") or "",
                # one spelling per country, as everywhere else
                "country": country_name(code) if (code := country_code(p.get("country")))
                else p.get("country") or "",
                "country_url": country_url(code) if code else "",
            }
            for p in r.get("foreign_partners") or []
        ],
        "french_partners": [
            {"name": n, "url": authority_url(n)}
            for n in r.get("french_partners") or []
        ],
        "funding": [
            {"funder": f.get("funder") or "", "year": f.get("year") or "",
             "amount": euros(f.get("amount_eur")) if f.get("amount_eur") is not None
             else "non renseigné"}
            for f in funding
        ],
        "funding_total": funding_total,
        "foreign_contacts": [
            {
                "authority": c.get("authority") or "",
                "name": _full_name(c.get("first_name"), c.get("last_name")),
                "role": c.get("role") or "",
                "email": c.get("email") or "",
            }
            for c in r.get("foreign_contacts") or []
        ],
        "embassy_contacts": [
            {
                "post": e.get("post") or "Poste diplomatique",
                "correspondent": _person(
                    e.get("decentralised_cooperation_correspondent"),
                    "Pas de correspondant coopération décentralisée",
                ),
                "counsellor": _person(
                    e.get("cooperation_cultural_counsellor"),
                    "Pas de conseiller de coopération et d’action culturelle",
                ),
            }
            for e in r.get("embassy_contacts") or []
        ],
        "volunteers": [
            {
                "name": _full_name(v.get("first_name"), v.get("last_name")),
                "mission": v.get("mission") or "",
                "field": v.get("field") or "",
                "assigned_to": v.get("assigned_to") or "",
            }
            for v in r.get("volunteers") or []
        ],
        "similar": similar,
        "back_url": "/",
    }


def _date_or_dash(value: str | None) -> str:
    return date_fr(value) or "—"


def _oui_non(value: bool | None) -> str:
    return "non renseigné" if value is None else ("oui" if value else "non")


# ---------------------------------------------------------------- errors and routes

ERRORS = {
    404: ("Page introuvable", "Cette page ou ce projet n’existe pas (ou plus) dans l’index."),
    422: ("Paramètres invalides", "L’adresse contient un paramètre de recherche invalide."),
    405: ("Méthode non autorisée", "Cette adresse ne répond pas à cette méthode HTTP."),
    503: ("Service indisponible", "L’index n’est pas encore prêt. Réessayez dans un instant."),
}


def error_context(status: int, detail: str | None = None, reader: Reader | None = None,
                  back_url: str = "/", q: str = "") -> dict:
    title, text = ERRORS.get(status, ("Erreur", "Une erreur est survenue."))
    q = q.strip()[:MAX_Q]
    return {
        **site_context(reader),
        "page_title": title,
        "status": status,
        "title": title,
        "text": text,
        "detail": detail or "",
        "q": q,  # the search box keeps what was typed
        "home_url": back_url,
    }


def error_page(request: Request, status: int, detail: str | None = None,
               back_url: str = "/", headers: dict[str, str] | None = None) -> Response:
    """The HTML error page; the app's exception handlers call it for page routes.

    `back_url` keeps what the visitor searched (minus what was invalid)."""
    service = getattr(request.app.state, "service", None)
    try:  # the banner's counts; an error page must show even without an index
        reader = service.reader() if service is not None else None
    except Exception:  # noqa: BLE001
        reader = None
    q = request.query_params.get("q", "")
    return templates.TemplateResponse(
        request, "error.html", error_context(status, detail, reader, back_url, q),
        status_code=status, headers=headers,
    )


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def search_page(
    request: Request,
    params: ParamsDep,
    reader: ReaderDep,
) -> Response:
    context = search_page_context(reader, params,
                                  downloads=not request.app.state.settings.api_token)
    if context["last_page_url"]:  # a page past the end (an old link): the last one
        return RedirectResponse(context["last_page_url"], status_code=303)
    return templates.TemplateResponse(request, "search.html", context)


@router.get("/suggest", include_in_schema=False)
def suggest(
    reader: ReaderDep,
    q: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=20)] = 8,
) -> Response:
    """The search box's completions, public like the pages (the token guards /api only);
    the same answer as /api/suggest."""
    return Response(orjson.dumps({"q": q, "suggestions": reader.suggest(q, limit)}),
                    media_type="application/json")


@router.get("/filtres/{param}", response_class=HTMLResponse, include_in_schema=False)
def facet_values_page(
    request: Request,
    param: str,
    params: ParamsDep,
    reader: ReaderDep,
    valeur: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    context = facet_values_context(reader, params, param, valeur.strip())
    if context is None:
        return error_page(request, 404, f"Aucun filtre «\u00a0{param}\u00a0».")
    return templates.TemplateResponse(request, "facet_values.html", context)


@router.get("/projects/{project_id}", response_class=HTMLResponse, include_in_schema=False)
def project_page(
    request: Request, project_id: str, reader: ReaderDep
) -> Response:
    context = project_page_context(reader, project_id)
    if context is None:
        return error_page(request, 404)
    return templates.TemplateResponse(request, "project.html", context)

"""HTML pages: the search page and the project page.

Handlers only call one view-model function and render; everything a template shows is
computed here (datasette-style), so templates only loop and print.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import parse_qsl

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup
from starlette.responses import Response

from indexer.fields import BY_NAME, BY_PARAM, FACETS, YEAR
from indexer.figures import CHECK_ENDED, status_check
from indexer.places import country_code, country_name
from indexer.record import ID_PATTERN
from indexer.summary import countries_fr
from indexer.synthetic import is_synthetic
from search_app.engine.reader import Reader
from search_app.engine.request import MAX_Q, SearchParams
from search_app.web import hints
from search_app.web.answers import search_answer
from search_app.web.charts import render_funding_chart, render_year_chart
from search_app.web.deps import ParamsDep, ReaderDep
from search_app.web.i18n import (
    DEFAULT,
    N_,
    get_language,
    gettext,
    money_short,
    plural_in,
    request_language,
)
from search_app.web.i18n import date as date_in
from search_app.web.i18n import money as money_in
from search_app.web.i18n import number as number_in
from search_app.web.i18n import projects as projects_in
from search_app.web.observability import count_search
from search_app.web.pages.labels import chips_in, facet_title, syntax_help_in, value_label
from search_app.web.pages.render import render, with_language
from search_app.web.templating import date_fr, euros, oui_non
from search_app.web.urls import (
    authority_url,
    build_url,
    country_url,
    export_url,
    facet_page_url,
    facet_toggle_urls,
    match_all_url,
    page_url,
    project_json_url,
    project_url,
    query_url,
    site_url,
    sort_url,
)
from search_app.web.worldmap import render_world_map

SORTS = (
    ("relevance", N_("pertinence")),
    ("year_desc", N_("plus récents")),
    ("year_asc", N_("plus anciens")),
    ("funding_desc", N_("financement")),
    ("end_desc", N_("fin la plus récente")),
    ("end_asc", N_("fin la plus ancienne")),
)
END_PARAMS = ("end_min", "end_max")
RECENT_DAYS = 365  # « terminés depuis 12 mois »
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


def site_context(reader: Reader | None, lang: str = DEFAULT) -> dict:
    """What base.html needs on every page: the synthetic-data banner."""
    try:
        stats = reader.stats() if reader is not None else {}
    except Exception:  # noqa: BLE001 - a banner must never break an error page
        stats = {}
    synthetic = int(stats.get("synthetic") or 0)
    _ = gettext(lang)
    return {
        "site": {
            "records": stats.get("records"),
            "synthetic": synthetic,
            "synthetic_text": (
                _("Cet index contient %(projects)s générés automatiquement "
                  "(données synthétiques), signalés comme tels.")
                % {"projects": projects_in(synthetic, lang)}
                if synthetic
                else ""
            ),
        }
    }


def _years(start_year: int | None, end_date: str | None, lang: str = DEFAULT) -> str:
    end_year = (end_date or "")[:4]
    _ = gettext(lang)
    if start_year and end_year:
        return str(start_year) if str(start_year) == end_year else f"{start_year} – {end_year}"
    if start_year:
        return _("depuis %(year)s") % {"year": start_year}
    if end_year:
        return _("jusqu’en %(year)s") % {"year": end_year}
    return ""


def hit_view(hit: dict, lang: str = DEFAULT) -> dict:
    """A result card: display strings plus the links it carries (project, authority and
    country pages)."""
    partners = list(hit.get("french_partners") or [])
    more = len(partners) - PARTNERS_ON_CARD
    _ = gettext(lang)
    return {
        "id": hit["id"],
        "url": project_url(hit["id"]),
        "title": hit.get("title") or _("(sans titre)"),
        "theme": value_label("theme", hit.get("theme") or "", lang),
        "status": value_label("status", hit.get("status") or "", lang),
        "years": _years(hit.get("start_year"), hit.get("end_date"), lang),
        "countries": [{"name": value_label("country", c["code"], lang,
                                           c.get("name") or c.get("code")),
                       "url": country_url(c["code"])}
                      for c in hit.get("countries") or [] if c.get("code")],
        "french_partners": [{"name": n, "url": authority_url(n)}
                            for n in partners[:PARTNERS_ON_CARD]],
        "more_partners": (" " + plural_in(lang, "et %(num)s autre", "et %(num)s autres",
                                               more)) if more > 0 else "",
        "funding": money_in(hit["funding_total_eur"], lang) if hit.get("funding_total_eur")
        else "",
        # The service escapes record text and adds only <mark>: safe to print as HTML.
        "snippet": Markup(hit.get("snippet") or ""),
        "synthetic": bool(hit.get("synthetic")) or is_synthetic(hit["id"]),
    }


# ---------------------------------------------------------------- search page


def _facet_item(facet: str, i: dict, lang: str = DEFAULT) -> dict:
    label = value_label(facet, str(i["value"]), lang, str(i.get("label") or i["value"]))
    _ = gettext(lang)
    return {
        "label": label,
        "count": number_in(i.get("count"), lang),
        "url": i["toggle_url"],
        "selected": bool(i.get("selected")),
        "action": (_("Retirer le filtre %(value)s") if i.get("selected")
                   else _("Filtrer sur %(value)s")) % {"value": label},
        "page_url": _page_url(facet, str(i["value"])),
    }


def _facet_section(facet: str, items: list[dict], params: SearchParams,
                   total: int | None = None, lang: str = DEFAULT) -> dict:
    """A sidebar facet: its most frequent values, the selected ones, and, when it has more,
    « et N autres » (from the facet's full count) linking to all of them."""
    shown = items[:SHOWN_VALUES]
    # A selected value must stay visible even past the cap.
    shown += [i for i in items[SHOWN_VALUES:] if i.get("selected")]
    total = len(items) if total is None else max(total, len(items))
    hidden = total - len(shown)
    param = BY_NAME[facet].param if facet in BY_NAME else facet
    title = facet_title(facet, lang)
    _ = gettext(lang)
    return {
        "key": facet,
        "id": f"facette-{facet.replace('_', '-')}",
        "title": title,
        "items": [_facet_item(facet, i, lang) for i in shown],
        "hidden_count": hidden,
        "more_text": plural_in(lang, "et %(num)s autre", "et %(num)s autres", hidden)
        if hidden > 0 else "",
        "all_url": build_url(_without_page(params), facet_page_url(param)) if hidden > 0 else "",
        "search_url": facet_page_url(param),
        "search_label": _("Chercher parmi les %(num)s valeurs «\u00a0%(facet)s\u00a0»")
        % {"num": number_in(total, lang), "facet": title},
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
UNDERSTOOD_LABELS = {"country": N_("pays"), "region": N_("région du monde"),
                     "authority": N_("collectivité"), "theme": N_("thématique"),
                     "status": N_("statut"), "form": N_("forme"), "period": N_("période")}


def _relaxations(reader: Reader, params: SearchParams, chips: list[dict], lang: str = DEFAULT
                 ) -> list[dict]:
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
            "count": projects_in(total, lang) if total is not None else "",
        })
    return options


def _filters_summary(active: int, lang: str = DEFAULT) -> str:
    _ = gettext(lang)
    if not active:
        return _("Affiner la recherche")
    return plural_in(lang, "Affiner la recherche (%(num)s filtre actif)",
                     "Affiner la recherche (%(num)s filtres actifs)", active)


def _downloads(params: SearchParams, lang: str = DEFAULT) -> list[dict]:
    """Every match of this search as a file (the API's exports, without page and size)."""
    items = [(k, v) for k, v in params.query_items() if k not in ("page", "size")]
    _ = gettext(lang)
    return [{"label": label, "url": export_url(ext, items)}
            for ext, label in (("xlsx", _("Télécharger (Excel)")),
                               ("csv", _("Télécharger (CSV)")))]


def results_map(where: list[dict], facet_items: list[dict], lang: str = DEFAULT) -> Markup:
    """The map of where the results are (`countries_of_results`, every filter applied);
    a country links to its facet toggle, the selected ones stand out."""
    if not where:
        return Markup("")
    toggles = {str(i["value"]): i["toggle_url"] for i in facet_items}
    return render_world_map(
        {c["code"]: int(c["count"]) for c in where},
        lambda code: toggles.get(code) or country_url(code),
        {c["code"]: value_label("country", c["code"], lang, c["name"]) for c in where},
        selected={str(i["value"]) for i in facet_items if i.get("selected")},
        lang=lang,
    )


def _ordered_items(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return SearchParams(**_grouped(items)).query_items()


def _grouped(items: list[tuple[str, str]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in items:
        if key in _LIST_PARAMS:
            data.setdefault(key, []).append(value)
        else:
            data[key] = value
    return data


def end_filter(params: SearchParams, today: dt.date | None = None) -> dict:
    """The « Fin du partenariat » range form, its chip and the ready « terminés depuis 12
    mois » link (ended in the last 365 days, today included)."""
    today = today or dt.date.today()
    kept = [(k, v) for k, v in params.query_items() if k not in (*END_PARAMS, "page")]
    low, high = params.end_min, params.end_max
    chip = None
    if low or high:
        if low and high:
            text = f"du {date_fr(low)} au {date_fr(high)}"
        elif low:
            text = f"depuis le {date_fr(low)}"
        else:
            text = f"jusqu’au {date_fr(high)}"
        chip = {"facet": "end_date", "name": "Fin du partenariat", "value": f"{low}-{high}",
                "label": f"Fin {text}", "remove_url": build_url(kept)}
    recent = [*[(k, v) for k, v in kept if k != "sort"],
              ("end_min", (today - dt.timedelta(days=RECENT_DAYS)).isoformat()),
              ("end_max", today.isoformat()), ("sort", "end_desc")]
    return {
        "end_min": low.isoformat() if low else "",
        "end_max": high.isoformat() if high else "",
        "hidden": _hidden_inputs(params, END_PARAMS),
        "recent_url": build_url(_ordered_items(recent)),
        "chip": chip,
    }


def _relaxed_summary(result: dict, total: int, lang: str) -> str:
    """« 15 projets avec tous les mots, 31 autres sans « terminé » » (empty when every record
    shown meets every word)."""
    with_all = result.get("total_all_words")
    relaxed = result.get("relaxed") or []
    if with_all is None or not relaxed or total - int(with_all) <= 0:
        return ""
    _ = gettext(lang)
    words = ", ".join(f"«\u00a0{w}\u00a0»" for w in relaxed)
    return _("%(with_all)s avec tous les mots, %(others)s") % {
        "with_all": projects_in(int(with_all), lang),
        "others": plural_in(lang, "%(num)s autre sans", "%(num)s autres sans",
                            total - int(with_all)) + " " + words}


def search_page_context(reader: Reader, params: SearchParams, downloads: bool = True,
                        lang: str = DEFAULT) -> dict:
    """Everything search.html prints, for one query string.

    `downloads`: link the exports (public routes, see pages/downloads.py)."""
    result = search_answer(reader, params)
    count_search(result)
    facets = result.get("facets") or {}
    facet_totals = result.get("facet_totals") or {}
    total = int(result.get("total") or 0)
    pages = int(result.get("pages") or 0)
    chips = chips_in(params, result, lang)
    _ = gettext(lang)
    ends = end_filter(params)
    if ends["chip"]:
        chips.append(ends["chip"])

    world_map = results_map(result.get("countries_of_results") or [],
                            facets.get("country") or [], lang)
    funding_total = int(result.get("funding_total_eur") or 0)
    year_items = facets.get("start_year") or []
    year_links = {int(i["value"]): i["toggle_url"] for i in year_items}
    year_chart = render_year_chart(year_items, year_links.__getitem__, lang=lang) \
        if year_items else ""

    suggestion = result.get("suggestion")
    shown_total = projects_in(total, lang)
    if total == 0:
        heading = _("Aucun projet ne correspond à votre recherche")
    elif params.q:
        heading = _("%(projects)s pour «\u00a0%(q)s\u00a0»") % {"projects": shown_total,
                                                              "q": params.q}
    else:
        heading = shown_total
    if total:
        heading += f" · {money_short(funding_total, lang)}"
    return {
        **site_context(reader, lang),
        "page_title": _("«\u00a0%(q)s\u00a0» – %(projects)s") % {"q": params.q,
                                                              "projects": shown_total}
        if params.q else shown_total,
        "q": params.q,
        "total": total,
        "heading": heading,
        "took": f"{float(result.get('took_ms') or 0):.0f} ms",
        "page_info": _("page %(page)s sur %(pages)s") % {"page": params.page, "pages": pages}
        if pages > 1 else "",
        "out_of_range": total > 0 and params.page > pages,
        "first_page_url": page_url(params, 1),
        "last_page_url": page_url(params, pages) if total > 0 and params.page > pages else "",
        "fuzzy": bool(result.get("fuzzy")) and total > 0,
        "expanded": ", ".join(result.get("expanded") or []),
        "translated": ", ".join(f"{t['from']} → {t['to']}"
                                for t in result.get("translated") or []),
        "syntax_help": syntax_help_in(lang),
        "suggestion": (
            {"text": suggestion, "url": query_url(params, suggestion)}
            if suggestion and suggestion != params.q
            else None
        ),
        "relaxed": (result.get("relaxed") or []) if total else [],
        "all_words_count": result.get("total_all_words"),
        "others_count": total - int(result.get("total_all_words") or 0),
        "understood": [{**u, "label": _(UNDERSTOOD_LABELS[u["kind"]])
                        if u["kind"] in UNDERSTOOD_LABELS else u["kind"]}
                       for u in result.get("understood") or []],
        "relaxed_summary": _relaxed_summary(result, total, lang),
        "match_all_url": match_all_url(params) if result.get("relaxed") else "",
        "named_filters": [
            {**f, "label": facet_title(f["facet"], lang),
             "display": value_label(f["facet"], str(f["value"]), lang, f["display"])}
            for f in result.get("named_filters") or []
        ],
        "hits": [hit_view(h, lang) for h in result.get("hits") or []],
        "chips": chips,
        "filters_summary": _filters_summary(len(chips), lang),
        "clear_url": query_url(SearchParams(), params.q) if chips else "",
        "relaxations": _relaxations(reader, params, chips, lang) if total == 0 else [],
        "drop_query_url": query_url(params, "") if total == 0 and params.q else "",
        "facets": [
            _facet_section(f, facets[f], params, facet_totals.get(f), lang)
            for f in SIDEBAR_FACETS if facets.get(f)
        ],
        "years": {
            "items": [_facet_item(YEAR.name, i, lang) for i in year_items],
            "year_min": "" if params.year_min is None else str(params.year_min),
            "year_max": "" if params.year_max is None else str(params.year_max),
            "hidden": _hidden_inputs(params, YEAR.params),
        },
        "search_hidden": _hidden_inputs(params, ("q",)),
        "sorts": [
            {"label": _(label), "url": sort_url(params, value), "current": params.sort == value}
            for value, label in SORTS
        ],
        "pagination": pagination(params.page, pages, lambda p: page_url(params, p)),
        "downloads": _downloads(params, lang) if downloads and total else [],
        "world_map": world_map,
        "year_chart": year_chart,
        "funding_total": euros(funding_total),
        "funding_chart": render_funding_chart(
            reader.funding_years(params), title="Financements par année de versement"
        ) if total else Markup(""),
        "ends": ends,
    }


# ---------------------------------------------------------------- one facet, every value


def facet_values_context(reader: Reader, params: SearchParams, param: str, contains: str,
                         lang: str = DEFAULT) -> dict | None:
    """Everything facet_values.html prints: every value of one facet for a search (those
    holding `contains`), a page at a time; `params.page` is the page of values. None when
    `param` names no facet."""
    declared = BY_PARAM.get(param)
    if declared is None:
        return None
    found = reader.facet_values(params, declared.name, contains, params.page, VALUES_PAGE)
    state = params.model_copy(update={"page": 1})
    items = [_facet_item(declared.name, i, lang)
             for i in facet_toggle_urls(declared.name, found["values"], state)]
    base = facet_page_url(param)
    extra = [("valeur", contains)] if contains else []
    pages = int(found["pages"])

    def page_link(n: int) -> str:
        return build_url([*_without_page(state), *extra, *([("page", str(n))] if n > 1 else [])],
                         base)

    total = int(found["total"])
    label = facet_title(declared.name, lang)
    _ = gettext(lang)
    title = _("%(facet)s\u00a0: %(values)s") % {"facet": label, "values": plural_in(
        lang, "%(num)s valeur", "%(num)s valeurs", total)}
    return {
        **site_context(reader, lang),
        "page_title": title,
        "heading": title + (_(" contenant «\u00a0%(text)s\u00a0»") % {"text": contains}
                            if contains else ""),
        "q": params.q,
        "label": label,
        "contains": contains,
        "items": items,
        "list_id": f"facette-{declared.name.replace('_', '-')}-liste",
        "total": total,
        "chips": chips_in(state, None, lang),
        "search_url": base,
        "form_hidden": _hidden_inputs(state, ("valeur",)),
        "search_hidden": _hidden_inputs(state, ("q",)),
        "back_url": build_url(_without_page(state)),
        "all_values_url": build_url(_without_page(state), base) if contains else "",
        "page_info": _("page %(page)s sur %(pages)s") % {"page": params.page, "pages": pages}
        if pages > 1 else "",
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


def project_page_context(reader: Reader, project_id: str, lang: str = DEFAULT) -> dict | None:
    """Everything project.html prints; None when there is no such project."""
    if not ID_PATTERN.fullmatch(project_id):
        return None
    record = reader.get_record(project_id)
    if record is None:
        return None
    r: dict = record
    _ = gettext(lang)
    funding = r.get("funding") or []
    # The stored total is 0 when no row has an amount: that is « non renseigné », not 0 €.
    known = any(f.get("amount_eur") is not None for f in funding) or (
        not funding and bool(r.get("funding_total_eur")))
    total = r.get("funding_total_eur")
    if total is None:
        total = sum(int(f.get("amount_eur") or 0) for f in funding)
    funding_total = money_in(total, lang) if known else _("non renseigné")
    themes = [
        {"label": _("Thématique"), "value": value_label("theme", r.get("theme") or "", lang),
         "url": _filter_url("theme", r.get("theme"))},
        {"label": _("Sous-thématique"),
         "value": value_label("sub_theme", r.get("sub_theme") or "", lang),
         "url": _filter_url("sub_theme", r.get("sub_theme"))},
        {"label": _("Sous-sous-thématique"),
         "value": value_label("sub_sub_theme", r.get("sub_sub_theme") or "", lang), "url": ""},
    ]
    texts = [
        (_("Contexte"), r.get("context")),
        (_("Historique"), r.get("history")),
        (_("Objectifs locaux"), r.get("objectives_local")),
        (_("Objectifs en France"), r.get("objectives_france")),
        (_("Description détaillée du partenariat"), r.get("description")),
    ]
    similar = []
    try:
        similar = [hit_view(h, lang) for h in reader.similar(project_id, limit=5)]
    except Exception:  # noqa: BLE001 - a page without neighbours is still a page
        similar = []
    title = r.get("title") or _("(sans titre)")
    return {
        **site_context(reader, lang),
        "page_title": title,
        "id": r["id"],
        "title": title,
        "synthetic": is_synthetic(r["id"]) or bool(r.get("synthetic")),
        "api_url": project_json_url(r["id"]),
        "status_remark": _status_remark(r),
        "facts": [
            {"label": k, "value": v}
            for k, v in (
                (_("Statut"), value_label("status", r.get("status") or "", lang)
                 or _("non renseigné")),
                (_("Forme du partenariat"),
                 value_label("partnership_form", r.get("partnership_form") or "", lang)
                 or _("non renseignée")),
                (_("Année de signature de la convention"), r.get("signature_year") or "—"),
                (_("Année de début du partenariat"), r.get("start_year") or "—"),
                (_("Date de fin du partenariat"), _date_or_dash(r.get("end_date"), lang)),
                (_("Partenariat triennal"), oui_non(r.get("triennial"), lang)),
                (_("Financement total"), funding_total),
            )
        ],
        "themes": [t for t in themes if t["value"]],
        "other_themes": [
            {
                "priority": t.get("priority") if t.get("priority") is not None else "",
                "theme": value_label("theme", t.get("theme") or "", lang),
                "sub_theme": value_label("sub_theme", t.get("sub_theme") or "", lang),
                "sub_sub_theme": value_label("sub_sub_theme", t.get("sub_sub_theme") or "", lang),
            }
            for t in sorted(
                r.get("other_themes") or [],
                key=lambda t: (t.get("priority") is None, t.get("priority") or 0),
            )
        ],
        "texts": [{"title": t, "blocks": text_blocks(v)} for t, v in texts if v and v.strip()],
        "countries": [
            {"name": value_label("country", c["code"], lang, c["name"] or c["code"]),
             "code": c["code"], "url": country_url(c["code"])}
            for c in countries_fr(r.get("countries") or [])
        ],
        "foreign_partners": [
            {
                "name": p.get("name") or "",
                # one spelling per country, as everywhere else
                "country": value_label("country", code, lang, country_name(code))
                if (code := country_code(p.get("country"))) else p.get("country") or "",
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
             "amount": money_in(f.get("amount_eur"), lang) if f.get("amount_eur") is not None
             else _("non renseigné")}
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
                "post": e.get("post") or _("Poste diplomatique"),
                "correspondent": _person(
                    e.get("decentralised_cooperation_correspondent"),
                    _("Pas de correspondant coopération décentralisée"),
                ),
                "counsellor": _person(
                    e.get("cooperation_cultural_counsellor"),
                    _("Pas de conseiller de coopération et d’action culturelle"),
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
        "back_url": site_url("/"),
    }


def _status_remark(record: dict) -> str:
    """A quiet remark when the status contradicts the end date (`figures.status_check`)."""
    check = status_check(record.get("status"), record.get("end_date"))
    if check is None:
        return ""
    if check == CHECK_ENDED:
        return (f"Statut à vérifier\u00a0: indiqué «\u00a0{record['status']}\u00a0» alors "
                f"que le partenariat a pris fin le {date_fr(record['end_date'])}.")
    return (f"Statut à vérifier\u00a0: indiqué «\u00a0{record['status']}\u00a0» alors que "
            f"la date de fin est le {date_fr(record['end_date'])}.")


def _date_or_dash(value: str | None, lang: str = DEFAULT) -> str:
    return date_in(value, lang) or "—"


# ---------------------------------------------------------------- errors and routes

ERRORS = {
    404: (N_("Page introuvable"),
          N_("Cette page ou ce projet n’existe pas (ou plus) dans l’index.")),
    422: (N_("Paramètres invalides"),
          N_("L’adresse contient un paramètre de recherche invalide.")),
    405: (N_("Méthode non autorisée"), N_("Cette adresse ne répond pas à cette méthode HTTP.")),
    503: (N_("Service indisponible"),
          N_("L’index n’est pas encore prêt. Réessayez dans un instant.")),
    500: (N_("Erreur interne"),
          N_("Une erreur inattendue est survenue ; elle a été consignée. "
             "Réessayez dans un instant.")),
}


def error_context(status: int, detail: str | None = None, reader: Reader | None = None,
                  back_url: str = "/", q: str = "", lang: str = DEFAULT) -> dict:
    _ = gettext(lang)
    title, text = ERRORS.get(status, (N_("Erreur"), N_("Une erreur est survenue.")))
    title, text = _(title), _(text)
    q = q.strip()[:MAX_Q]
    return {
        **site_context(reader, lang),
        "page_title": title,
        "status": status,
        "title": title,
        "text": text,
        "detail": detail or "",
        "q": q,  # the search box keeps what was typed
        "home_url": site_url(back_url),  # callers give site-absolute paths
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
    lang = request_language(request)
    return render(request, "error.html", error_context(status, detail, reader, back_url, q, lang),
                  lang, status_code=status, headers=headers)


Language = Annotated[str, Depends(get_language)]


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def search_page(
    request: Request,
    params: ParamsDep,
    reader: ReaderDep,
    lang: Language,
) -> Response:
    # Downloads are public routes (pages/downloads.py): offered whatever the API token.
    context = search_page_context(reader, params, lang=lang)
    context["hints"] = hints.notices([k for k, _ in request.query_params.multi_items()],
                                     reader.unknown_values(params))
    if context["last_page_url"]:  # a page past the end (an old link): the last one
        return RedirectResponse(with_language(context["last_page_url"], lang), status_code=303)
    return render(request, "search.html", context, lang)


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
    lang: Language,
    valeur: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    context = facet_values_context(reader, params, param, valeur.strip(), lang)
    if context is None:
        _ = gettext(lang)
        return error_page(request, 404, _("Aucun filtre «\u00a0%(name)s\u00a0».") % {"name": param})
    return render(request, "facet_values.html", context, lang)


@router.get("/projects/{project_id}", response_class=HTMLResponse, include_in_schema=False)
def project_page(
    request: Request, project_id: str, reader: ReaderDep,
    lang: Language,
) -> Response:
    context = project_page_context(reader, project_id, lang)
    if context is None:
        return error_page(request, 404)
    return render(request, "project.html", context, lang)

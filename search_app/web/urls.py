"""Every URL the web layer writes: the paths of pages, API routes and exports, and the links
between search states (every state lives in the query string).

Pure functions over ``SearchParams.query_items()``, so the HTML page and the JSON API build
the same links (datasette-style ``toggle_url`` on each facet item). A path appears here once.

Every URL the site writes goes through ``site_url``, which puts it under the request's root
path (``/atlas`` behind a proxy at a sub-path; see ``web/proxy.py``, which sets it per request).
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import quote_plus, urlencode

from indexer.fields import FACETS, LABELS, YEAR, facet_for, fold_value
from indexer.figures import slugify

YEAR_FACET = YEAR.name
YEAR_PARAMS = YEAR.params


class HasQueryItems(Protocol):
    def query_items(self) -> list[tuple[str, str]]: ...


# The request's root path ("" at the top of a host): a context variable, so that the pure
# functions below need no request argument. Set by web/proxy.RootPath for each request.
ROOT_PATH: ContextVar[str] = ContextVar("atlas_root_path", default="")


def root_path() -> str:
    """The current request's root path: ``""`` or ``/atlas``."""
    return ROOT_PATH.get()


def site_url(path: str) -> str:
    """A site-absolute path (``/projects/x``) as the browser must ask for it; a path already
    under the root path (made by a path helper below) is left as it is."""
    root = ROOT_PATH.get()
    if root and (path == root or path.startswith(root + "/")):
        return path
    return root + path


# ---------------------------------------------------------------- paths

SEARCH_PATH = "/"
AUTHORITIES_PATH = "/collectivites"
SUGGEST_PATH = "/suggest"


def project_url(project_id: str) -> str:
    return site_url(f"/projects/{project_id}")


def authority_url(name: str) -> str:
    """An authority's page, by its name or its slug (a slug is its own slug)."""
    return site_url(f"{AUTHORITIES_PATH}/{slugify(name)}")


def country_url(code: str) -> str:
    return site_url(f"/pays/{code}")


def facet_page_url(param: str) -> str:
    """The page listing every value of one facet (`/filtres/{param}`)."""
    return site_url(f"/filtres/{param}")


def api_project_url(project_id: str) -> str:
    return site_url(f"/api/projects/{project_id}")


def api_authority_url(slug: str) -> str:
    return site_url(f"/api/authorities/{slug}")


def api_country_url(code: str) -> str:
    return site_url(f"/api/countries/{code}")


def api_search_url(items: list[tuple[str, str]]) -> str:
    return build_url(items, "/api/search")


# The website's downloads: public like the pages (`pages/downloads.py`), whatever token
# guards the programmatic routes under /api.
DOWNLOADS_PATH = "/telechargements"


def export_url(ext: str, items: list[tuple[str, str]]) -> str:
    """A search's download for a visitor: ``jsonl``, ``csv`` or ``xlsx``."""
    return build_url(items, f"{DOWNLOADS_PATH}/recherche.{ext}")


def project_json_url(project_id: str) -> str:
    return site_url(f"{DOWNLOADS_PATH}/projets/{project_id}.json")


def authority_json_url(slug: str) -> str:
    return site_url(f"{DOWNLOADS_PATH}/collectivites/{slug}.json")


def country_json_url(code: str) -> str:
    return site_url(f"{DOWNLOADS_PATH}/pays/{code}.json")


def build_url(items: list[tuple[str, str]], base: str = "/") -> str:
    """``base`` under the root path, with the items as query string (no ``?`` when none)."""
    base = site_url(base)
    return f"{base}?{urlencode(items)}" if items else base


def _same(param: str, a: str, b: str) -> bool:
    """Whether two values of a parameter name the same thing (``Italie`` is ``IT``)."""
    facet = facet_for(param)
    return facet.same(a, b) if facet is not None else fold_value(a) == fold_value(b)


def _param(key: str) -> str:
    """The URL parameter of a facet name (``partnership_form`` -> ``form``) or of itself."""
    facet = facet_for(key)
    return facet.param if facet is not None else key


def _without_page(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    # A different result set starts again on page 1.
    return [(k, v) for k, v in items if k != "page"]


def _year_range(items: list[tuple[str, str]]) -> tuple[str | None, str | None]:
    found = dict((k, v) for k, v in items if k in YEAR_PARAMS)
    return found.get("year_min"), found.get("year_max")


def is_selected(params: HasQueryItems, facet: str, value: Any) -> bool:
    """Whether ``value`` of ``facet`` is among the active filters."""
    items = params.query_items()
    if facet == YEAR_FACET:
        return _year_range(items) == (str(value), str(value))
    param = _param(facet)
    return any(k == param and _same(param, v, str(value)) for k, v in items)


def toggle_url(
    params: HasQueryItems,
    facet: str,
    value: Any,
    *,
    selected: bool | None = None,
    base: str = "/",
) -> str:
    """URL adding ``value`` to the ``facet`` filter, or removing it when already active.

    ``facet`` is a result facet key (``partnership_form``, ``start_year``...) or its URL
    parameter. Selecting a year ``Y`` sets ``year_min=Y&year_max=Y``.
    """
    if selected is None:
        selected = is_selected(params, facet, value)
    return _toggled(_without_page(params.query_items()), facet, str(value), selected, base)


def _toggled(items: list[tuple[str, str]], facet: str, value: str, selected: bool,
             base: str) -> str:
    """`toggle_url` from the search's query items (page left out)."""
    if facet in (YEAR_FACET, *YEAR_PARAMS):
        items = [(k, v) for k, v in items if k not in YEAR_PARAMS]
        if not selected:
            items += [("year_min", value), ("year_max", value)]
        return build_url(_ordered(items), base)
    param = _param(facet)
    if selected:
        items = [(k, v) for k, v in items if not (k == param and _same(param, v, value))]
    else:
        items = [*items, (param, value)]
    return build_url(_ordered(items), base)


def remove_url(
    params: HasQueryItems, key: str, value: Any = None, *, base: str = "/"
) -> str:
    """URL without one filter value, or without every value of ``key`` when ``value`` is None.

    ``key`` is a URL parameter (``country``, ``form``, ``year_min``, ``q``...) or a facet key.
    """
    param = _param(key)
    items = _without_page(params.query_items())
    if param == YEAR_FACET:
        items = [(k, v) for k, v in items if k not in YEAR_PARAMS]
    elif value is None:
        items = [(k, v) for k, v in items if k != param]
    else:
        items = [(k, v) for k, v in items if not (k == param and _same(param, v, str(value)))]
    return build_url(items, base)


def page_url(params: HasQueryItems, page: int, *, base: str = "/") -> str:
    """URL of another page of the same results."""
    items = _without_page(params.query_items())
    if page > 1:
        items.append(("page", str(page)))
    return build_url(_ordered(items), base)


def sort_url(params: HasQueryItems, sort: str, *, base: str = "/") -> str:
    """URL of the same results in another order, from page 1."""
    items = [(k, v) for k, v in _without_page(params.query_items()) if k != "sort"]
    if sort != "relevance":
        items.append(("sort", sort))
    return build_url(_ordered(items), base)


def query_url(params: HasQueryItems, q: str, *, base: str = "/") -> str:
    """URL with another free-text query and the same filters, from page 1."""
    items = [(k, v) for k, v in _without_page(params.query_items()) if k != "q"]
    if q:
        items.insert(0, ("q", q))
    return build_url(items, base)


# Keys in the order SearchParams.query_items() writes them, so links stay canonical.
_ORDER = ["q", *(f.param for f in FACETS), *YEAR_PARAMS, "end_min", "end_max", "match", "sort",
          "page", "size"]


_RANK = {k: i for i, k in enumerate(_ORDER)}


def _ordered(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(items, key=lambda kv: _RANK.get(kv[0], len(_RANK)))  # stable within a key


_MARK = "\x00value\x00"
_MARK_QUOTED = quote_plus(_MARK)


@lru_cache(maxsize=16_384)  # facet values recur from answer to answer
def _quoted(value: str) -> str:
    return quote_plus(value)


def facet_toggle_urls(facet: str, items: list[dict], params: HasQueryItems) -> list[dict]:
    """One facet's items (a page of its values), each with its ``toggle_url``."""
    return add_toggle_urls({"facets": {facet: items}}, params)["facets"][facet]


def add_toggle_urls(result: dict, params: HasQueryItems, *, base: str = "/") -> dict:
    """A copy of a search result whose facet items each carry a ``toggle_url``."""
    facets: dict[str, list[dict]] = {}
    items_now = _without_page(params.query_items())
    year_range = _year_range(items_now)
    for facet, items in (result.get("facets") or {}).items():
        # Adding a value gives the same URL but for the value: encode it once per facet
        # (hundreds of facet items per answer), then put each value in its place (two
        # places for a year: year_min and year_max).
        parts = _toggled(items_now, facet, _MARK, False, base).split(_MARK_QUOTED)
        is_year = facet == YEAR_FACET
        out = []
        for item in items:
            value = item["value"]
            if is_year:
                plain = year_range != (str(value), str(value))
            else:
                plain = not item.get("selected")
            if plain:
                url = _quoted(str(value)).join(parts)
            else:
                # A year inside a selected range narrows to that year, not off.
                url = toggle_url(params, facet, value, base=base,
                                 selected=None if is_year else item.get("selected"))
            copy = item.copy()
            copy["toggle_url"] = url
            out.append(copy)
        facets[facet] = out
    named = [{**item, "filter_url": toggle_url(params, item["facet"], item["value"],
                                                selected=False, base=base)}
             for item in result.get("named_filters") or []]
    return {**result, "facets": facets, "named_filters": named}


def match_all_url(params: HasQueryItems, *, base: str = "/") -> str:
    """URL of the same search requiring every word (no relaxation), from page 1."""
    items = [(k, v) for k, v in _without_page(params.query_items()) if k != "match"]
    return build_url(_ordered([*items, ("match", "all")]), base)


def _facet_label(result: dict | None, facet: str, value: str) -> str:
    """The display label the facets give a value (``IT`` -> ``Italie``), else the value."""
    param = _param(facet)
    for item in ((result or {}).get("facets") or {}).get(facet, []):
        if _same(param, str(item["value"]), value):
            return str(item.get("label") or item["value"])
    return value


def active_chips(
    params: HasQueryItems, result: dict | None = None, *, base: str = "/"
) -> list[dict]:
    """Active filters as ``{facet, name, label, value, remove_url}``, in URL order.

    ``label`` is what the chip shows (``Pays : Italie``); ``result`` lends facet labels.
    """
    items = params.query_items()
    chips: list[dict] = []
    for key, value in items:
        declared = facet_for(key)
        if declared is None:
            continue
        facet = declared.name
        shown = _facet_label(result, facet, value)
        chips.append({
            "facet": facet,
            "name": LABELS[facet],
            "value": value,
            "label": f"{LABELS[facet]}\u00a0: {shown}",
            "remove_url": remove_url(params, key, value, base=base),
        })
    year_min, year_max = _year_range(items)
    if year_min or year_max:
        if year_min == year_max:
            text = f"en {year_min}"
        elif year_min and year_max:
            text = f"de {year_min} à {year_max}"
        elif year_min:
            text = f"depuis {year_min}"
        else:
            text = f"jusqu’en {year_max}"
        chips.append({
            "facet": YEAR_FACET,
            "name": LABELS[YEAR_FACET],
            "value": f"{year_min or ''}-{year_max or ''}",
            "label": f"Début {text}",
            "remove_url": remove_url(params, YEAR_FACET, base=base),
        })
    return chips

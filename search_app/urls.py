"""Links between search states: every state lives in the query string.

Pure functions over ``SearchParams.query_items()``, so the HTML page and the JSON API build
the same links (datasette-style ``toggle_url`` on each facet item).
"""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import quote_plus, urlencode

from indexer.countries import country_code
from indexer.facetdata import fold_value

# Facet key in results -> URL parameter.
FACET_PARAMS: dict[str, str] = {
    "country": "country",
    "theme": "theme",
    "sub_theme": "sub_theme",
    "status": "status",
    "partnership_form": "form",
    "french_partner": "french_partner",
}
YEAR_FACET = "start_year"
YEAR_PARAMS = ("year_min", "year_max")

# French names of facets and parameters, for chips and headings.
FACET_LABELS: dict[str, str] = {
    "country": "Pays",
    "theme": "Thématique",
    "sub_theme": "Sous-thématique",
    "status": "Statut",
    "partnership_form": "Forme",
    "french_partner": "Collectivité française",
    "start_year": "Année de début",
}
PARAM_FACETS: dict[str, str] = {v: k for k, v in FACET_PARAMS.items()}


class HasQueryItems(Protocol):
    def query_items(self) -> list[tuple[str, str]]: ...


def build_url(items: list[tuple[str, str]], base: str = "/") -> str:
    """``base`` with the items as query string (no ``?`` when there are none)."""
    return f"{base}?{urlencode(items)}" if items else base


def _same(param: str, a: str, b: str) -> bool:
    """Whether two values of a parameter name the same thing (``Italie`` is ``IT``)."""
    if fold_value(a) == fold_value(b):
        return True
    if param == "country":
        code_a, code_b = country_code(a), country_code(b)
        return code_a is not None and code_a == code_b
    return False


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
    param = FACET_PARAMS.get(facet, facet)
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
    items = _without_page(params.query_items())
    if selected is None:
        selected = is_selected(params, facet, value)
    if facet in (YEAR_FACET, *YEAR_PARAMS):
        items = [(k, v) for k, v in items if k not in YEAR_PARAMS]
        if not selected:
            items += [("year_min", str(value)), ("year_max", str(value))]
        return build_url(_ordered(items), base)
    param = FACET_PARAMS.get(facet, facet)
    if selected:
        items = [(k, v) for k, v in items if not (k == param and _same(param, v, str(value)))]
    else:
        items.append((param, str(value)))
    return build_url(_ordered(items), base)


def remove_url(
    params: HasQueryItems, key: str, value: Any = None, *, base: str = "/"
) -> str:
    """URL without one filter value, or without every value of ``key`` when ``value`` is None.

    ``key`` is a URL parameter (``country``, ``form``, ``year_min``, ``q``...) or a facet key.
    """
    param = FACET_PARAMS.get(key, key)
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
_ORDER = ["q", *FACET_PARAMS.values(), *YEAR_PARAMS, "sort", "page", "size"]


def _ordered(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    rank = {k: i for i, k in enumerate(_ORDER)}
    return sorted(items, key=lambda kv: rank.get(kv[0], len(rank)))  # stable within a key


_MARK = "\x00value\x00"
_MARK_QUOTED = quote_plus(_MARK)


def add_toggle_urls(result: dict, params: HasQueryItems, *, base: str = "/") -> dict:
    """A copy of a search result whose facet items each carry a ``toggle_url``."""
    facets: dict[str, list[dict]] = {}
    for facet, items in (result.get("facets") or {}).items():
        # Adding a value gives the same URL but for the value: encode it once per facet
        # (hundreds of facet items per answer), then drop each value in.
        template = toggle_url(params, facet, _MARK, selected=False, base=base)
        year_range = _year_range(params.query_items()) if facet == YEAR_FACET else None
        out = []
        for item in items:
            if facet == YEAR_FACET:
                plain = year_range != (str(item["value"]), str(item["value"]))
            else:
                plain = not item.get("selected")
            if plain:
                url = template.replace(_MARK_QUOTED, quote_plus(str(item["value"])))
            else:
                # A year inside a selected range narrows to that year, not off.
                url = toggle_url(params, facet, item["value"], base=base,
                                 selected=None if facet == YEAR_FACET else item.get("selected"))
            out.append({**item, "toggle_url": url})
        facets[facet] = out
    return {**result, "facets": facets}


def _facet_label(result: dict | None, facet: str, value: str) -> str:
    """The display label the facets give a value (``IT`` -> ``Italie``), else the value."""
    param = FACET_PARAMS.get(facet, facet)
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
        facet = PARAM_FACETS.get(key)
        if facet is None:
            continue
        shown = _facet_label(result, facet, value)
        chips.append({
            "facet": facet,
            "name": FACET_LABELS[facet],
            "value": value,
            "label": f"{FACET_LABELS[facet]} : {shown}",
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
            "name": FACET_LABELS[YEAR_FACET],
            "value": f"{year_min or ''}-{year_max or ''}",
            "label": f"Début {text}",
            "remove_url": remove_url(params, YEAR_FACET, base=base),
        })
    return chips

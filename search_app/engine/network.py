"""Who cooperates with whom: the summaries behind the authority and country pages.

An authority's projects are exactly ``/api/search?french_partner=NAME`` and a country's
``/api/search?country=CODE``: the masks come from the same filters (`filters.filter_masks`),
so the counts agree with the search by construction. Counts and funding are numpy over the
facet arrays; only an authority's foreign partners are read from the record store (one
SQLite query that extracts them, memoised per index version).

Slug of an authority (API.md): its name folded to lowercase ASCII, each run of other
characters replaced by ``-``, trimmed (« Métropole Européenne de Lille » →
``metropole-europeenne-de-lille``). Two names with one slug: the one with more projects.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import numpy as np
import orjson
from unidecode import unidecode

from indexer.facetdata import FacetData
from indexer.fields import BY_NAME, fold_value
from indexer.places import country_code, country_name
from search_app.engine.facets import combine
from search_app.engine.filters import filter_masks
from search_app.engine.request import SearchParams

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
PARTNER_CACHE = 512  # authorities whose foreign partners are kept, per index version


@lru_cache(maxsize=100_000)
def slugify(name: str) -> str:
    """``Métropole Européenne de Lille`` -> ``metropole-europeenne-de-lille``."""
    return _NON_ALNUM.sub("-", unidecode(name).lower()).strip("-")


def authority_url(name: str) -> str:
    return f"/collectivites/{slugify(name)}"


def country_url(code: str) -> str:
    return f"/pays/{code}"


@dataclass
class _Network:
    """What one index version knows of its authorities: slugs and project counts."""

    slugs: dict[str, int]  # slug -> value index of french_partner
    slug_of: list[str]  # value index -> slug
    counts: np.ndarray  # projects per authority (value index)
    partners: OrderedDict[str, list[dict[str, Any]]]
    lock: threading.Lock


_BY_HANDLE: weakref.WeakKeyDictionary[Any, _Network] = weakref.WeakKeyDictionary()
_BUILD_LOCK = threading.Lock()


def _network(h: Any) -> _Network:
    found = _BY_HANDLE.get(h)
    if found is not None:
        return found
    with _BUILD_LOCK:
        found = _BY_HANDLE.get(h)
        if found is None:
            data: FacetData = h.data
            names = data.values["french_partner"]
            docs, vals = data.multi["french_partner"]
            counts = np.bincount(vals[data.alive[docs]], minlength=len(names))
            slug_of = [slugify(name) for name in names]
            slugs: dict[str, int] = {}
            for i in np.argsort(-counts, kind="stable").tolist():
                if slug_of[i]:
                    slugs.setdefault(slug_of[i], i)
            found = _Network(slugs, slug_of, counts, OrderedDict(), threading.Lock())
            _BY_HANDLE[h] = found
    return found


def _mask(h: Any, params: SearchParams) -> np.ndarray:
    """The documents the search answers for `params` without text (same filters)."""
    masks, _ = filter_masks(h.data, params, h.lookup)
    return combine(h.data.alive, masks)


def _value_counts(data: FacetData, facet: str, mask: np.ndarray) -> list[tuple[int, int]]:
    """(value index, projects) of a facet under `mask`, most first, then by name."""
    n = len(data.values[facet])
    if facet in data.single:
        codes = data.single[facet][mask]
        counts = np.bincount(codes[codes >= 0], minlength=n)
    else:
        docs, vals = data.multi[facet]
        counts = np.bincount(vals[mask[docs]], minlength=n)
    shown = np.flatnonzero(counts)
    order = shown[np.lexsort((data.alphabetical_rank(facet)[shown], -counts[shown]))]
    return list(zip(order.tolist(), counts[order].tolist(), strict=True))


def _years(data: FacetData, mask: np.ndarray) -> list[dict[str, int]]:
    years = data.start_year[mask]
    found, counts = np.unique(years[years > 0], return_counts=True)
    return [{"value": int(y), "count": int(c)} for y, c in zip(found, counts, strict=True)]


def _summary(h: Any, mask: np.ndarray) -> dict[str, Any]:
    data = h.data
    return {
        "projects": int(mask.sum()),
        "funding_eur": int(data.funding[mask].sum()),
        "themes": [{"value": data.values["theme"][i], "count": c}
                   for i, c in _value_counts(data, "theme", mask)],
        "years": _years(data, mask),
    }


def _foreign_partners(h: Any, net: _Network, name: str, mask: np.ndarray
                      ) -> list[dict[str, Any]]:
    with net.lock:
        cached = net.partners.get(name)
        if cached is not None:
            net.partners.move_to_end(name)
            return cached
    ids = [h.data.ids[d] for d in np.flatnonzero(mask).tolist()]
    tally: dict[tuple[str, str], int] = {}
    shown: dict[tuple[str, str], tuple[str, str]] = {}
    for start in range(0, len(ids), 500):  # SQLite's bound on host parameters
        chunk = ids[start:start + 500]
        for raw in h.records.get_many_raw(chunk).values():
            seen: set[tuple[str, str]] = set()
            for p in orjson.loads(raw).get("foreign_partners") or ():
                partner = (p.get("name") or "").strip()
                if not partner:
                    continue
                country = (p.get("country") or "").strip()
                key = (fold_value(partner), fold_value(country))
                if key in seen:
                    continue
                seen.add(key)
                tally[key] = tally.get(key, 0) + 1
                shown.setdefault(key, (partner, country))
    partners = []
    for key in sorted(tally, key=lambda k: (-tally[k], k)):
        partner, country = shown[key]
        code = country_code(country) if country else None
        partners.append({"name": partner, "country": country, "code": code,
                         "count": tally[key]})
    with net.lock:
        net.partners[name] = partners
        if len(net.partners) > PARTNER_CACHE:
            net.partners.popitem(last=False)
    return partners


def authority(service: Any, slug: str, h: Any = None) -> dict[str, Any] | None:
    """The `/api/authorities/{slug}` answer (API.md), or None when unknown (`h`: the
    index version to read, by default the live one)."""
    h = h or service.handle()
    net = _network(h)
    i = net.slugs.get(slug)
    if i is None:
        return None
    data = h.data
    name = data.values["french_partner"][i]
    mask = _mask(h, SearchParams(french_partner=[name]))
    summary = _summary(h, mask)
    countries = [{"code": data.values["country"][j],
                  "name": data.country_names.get(data.values["country"][j])
                  or country_name(data.values["country"][j]),
                  "count": c}
                 for j, c in _value_counts(data, "country", mask)]
    return {
        "name": name,
        "slug": slugify(name),
        "projects": summary["projects"],
        "funding_eur": summary["funding_eur"],
        "countries": countries,
        "themes": summary["themes"],
        "years": summary["years"],
        "partners": _foreign_partners(h, net, name, mask),
        "search_url": f"/api/search?{_query('french_partner', name)}",
    }


def resolve_country(h: Any, code: str) -> str | None:
    """The ISO code of a country some project names (`code` any case, or a French name)."""
    found = country_code(code)
    if found is None or h.lookup.resolve(BY_NAME["country"], found) is None:
        return None
    return found


def country(service: Any, code: str, h: Any = None) -> dict[str, Any] | None:
    """The `/api/countries/{code}` answer (API.md), or None when no project names it."""
    h = h or service.handle()
    found = resolve_country(h, code)
    if found is None:
        return None
    data = h.data
    slug_of = _network(h).slug_of
    mask = _mask(h, SearchParams(country=[found]))
    summary = _summary(h, mask)
    names = data.values["french_partner"]
    return {
        "code": found,
        "name": country_name(found) or data.country_names.get(found) or found,
        "projects": summary["projects"],
        "funding_eur": summary["funding_eur"],
        "authorities": [{"name": names[j], "slug": slug_of[j], "count": c}
                        for j, c in _value_counts(data, "french_partner", mask)],
        "themes": summary["themes"],
        "years": summary["years"],
        "search_url": f"/api/search?{_query('country', found)}",
    }


def authorities(service: Any) -> list[dict[str, Any]]:
    """Every French authority with its number of projects, in alphabetical order."""
    h = service.handle()
    net = _network(h)
    names = h.data.values["french_partner"]
    out = [{"name": names[i], "slug": slug, "count": int(net.counts[i])}
           for slug, i in net.slugs.items() if net.counts[i] > 0]
    out.sort(key=lambda a: (a["slug"], a["name"]))
    return out


def projects_page(service: Any, h: Any, params: SearchParams) -> tuple[list[dict], int]:
    """(one page of the projects under `params`' filters as search hits, their number),
    in the search's order, without counting facets the pages do not show."""
    mask = _mask(h, params)
    total = int(mask.sum())
    start = (params.page - 1) * params.size
    if start >= total:
        return [], total
    ranked = service._rank(h, None, mask, params, start + params.size)
    return service._hits(h, ranked[start:start + params.size], set()), total


def _query(param: str, value: str) -> str:
    return urlencode([(param, value)])

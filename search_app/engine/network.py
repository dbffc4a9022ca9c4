"""Who cooperates with whom: the summaries behind the authority and country pages.

An authority's projects are exactly a search with ``french_partner=NAME`` and a country's
with ``country=CODE``: the documents come from the reader's filters and the counts from the
facet counting the search uses, so they agree with the search by construction. Only an
authority's foreign partners are read from the record store (memoised per version).

Slug of an authority (`indexer.figures.slugify`, where funders are matched to authorities
too): its name folded to lowercase ASCII, each run of other characters
replaced by ``-``, trimmed (« Métropole Européenne de Lille » → ``metropole-europeenne-de-
lille``). Two names with one slug: the one with more projects.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson

from indexer.facetdata import FacetData
from indexer.fields import BY_NAME, fold_value
from indexer.figures import slugify
from indexer.places import country_code, country_name
from indexer.regions import region_name, regions_of
from search_app.engine import fused
from search_app.engine.facets import counted, value_counts, year_facet
from search_app.engine.figures import authority_funding, country_figures, funding_by_year
from search_app.engine.handle import IndexHandle
from search_app.engine.reader import Reader
from search_app.engine.request import SearchParams

PARTNER_CACHE = 512  # authorities whose foreign partners are kept, per index version




@dataclass
class Network:
    """What one index version knows of its authorities: slugs and project counts."""

    slugs: dict[str, int]  # slug -> value index of french_partner
    slug_of: list[str]  # value index -> slug
    counts: np.ndarray  # projects per authority (value index)
    partners: OrderedDict[str, list[dict[str, Any]]] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _build_network(h: IndexHandle) -> Network:
    data: FacetData = h.data
    names = data.values["french_partner"]
    docs, vals = data.multi["french_partner"]
    counts = np.bincount(vals[data.alive[docs]], minlength=len(names))
    slug_of = [slugify(name) for name in names]
    slugs: dict[str, int] = {}
    for i in np.argsort(-counts, kind="stable").tolist():
        if slug_of[i]:
            slugs.setdefault(slug_of[i], i)
    return Network(slugs, slug_of, counts)


def network_of(reader: Reader) -> Network:
    return reader.handle.memo("network", _build_network)


def _value_counts(data: FacetData, facet: str, mask: np.ndarray) -> list[tuple[int, int]]:
    """(value index, projects) of a facet under `mask`, most first, then by name."""
    counts, _ = value_counts(data, facet, counted(mask))
    shown = np.flatnonzero(counts)
    order = shown[np.lexsort((data.alphabetical_rank(facet)[shown], -counts[shown]))]
    return list(zip(order.tolist(), counts[order].tolist(), strict=True))


def _summary(data: FacetData, mask: np.ndarray) -> dict[str, Any]:
    return {
        "projects": int(mask.sum()),
        "funding_eur": fused.sum_where(data.funding, mask),  # as a search's total
        "themes": [{"value": data.values["theme"][i], "count": c}
                   for i, c in _value_counts(data, "theme", mask)],
        "years": [{"value": y["value"], "count": y["count"]}
                  for y in year_facet(data, counted(mask), None, None)],
    }


def _foreign_partners(reader: Reader, net: Network, name: str, mask: np.ndarray
                      ) -> list[dict[str, Any]]:
    with net.lock:
        cached = net.partners.get(name)
        if cached is not None:
            net.partners.move_to_end(name)
            return cached
    data = reader.handle.data
    ids = [data.ids[d] for d in np.flatnonzero(mask).tolist()]
    tally: dict[tuple[str, str], int] = {}
    shown: dict[tuple[str, str], tuple[str, str]] = {}
    for start in range(0, len(ids), 500):  # SQLite's bound on host parameters
        for raw in reader.records_json(ids[start:start + 500]).values():
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


def authority(reader: Reader, slug: str) -> dict[str, Any] | None:
    """An authority's summary (the `/api/authorities/{slug}` answer without its URLs), or
    None when no authority has that slug."""
    net = network_of(reader)
    i = net.slugs.get(slug)
    if i is None:
        return None
    data = reader.handle.data
    name = data.values["french_partner"][i]
    mask = reader.filtered(SearchParams(french_partner=[name]))
    summary = _summary(data, mask)
    own, unmatched = authority_funding(reader.handle, i, mask)
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
        "own_funding_eur": own,
        "unmatched_funders": unmatched,
        "funding_years": funding_by_year(reader.handle, mask),
        "countries": countries,
        "themes": summary["themes"],
        "years": summary["years"],
        "partners": _foreign_partners(reader, net, name, mask),
    }


def resolve_country(reader: Reader, code: str) -> str | None:
    """The ISO code of a country some project names (`code` any case, or a French name)."""
    found = country_code(code)
    if found is None or reader.handle.lookup.resolve(BY_NAME["country"], found) is None:
        return None
    return found


def country(reader: Reader, code: str) -> dict[str, Any] | None:
    """A country's summary (the `/api/countries/{code}` answer without its URLs), or None
    when no project names it."""
    found = resolve_country(reader, code)
    if found is None:
        return None
    data = reader.handle.data
    slug_of = network_of(reader).slug_of
    mask = reader.filtered(SearchParams(country=[found]))
    summary = _summary(data, mask)
    names = data.values["french_partner"]
    _, _, shares = country_figures(data, mask)
    share = int(round(shares[data.values["country"].index(found)]))
    return {
        "code": found,
        "name": country_name(found) or data.country_names.get(found) or found,
        # Its world regions (continent, sub-region, groupings): the `region` facet's values.
        "regions": [{"slug": slug, "name": region_name(slug)} for slug in regions_of(found)],
        "projects": summary["projects"],
        "funding_eur": summary["funding_eur"],
        "funding_share_eur": share,
        "funding_years": funding_by_year(reader.handle, mask),
        "authorities": [{"name": names[j], "slug": slug_of[j], "count": c}
                        for j, c in _value_counts(data, "french_partner", mask)],
        "themes": summary["themes"],
        "years": summary["years"],
    }


def authorities(reader: Reader) -> list[dict[str, Any]]:
    """Every French authority with its number of projects, in alphabetical order."""
    net = network_of(reader)
    names = reader.handle.data.values["french_partner"]
    out = [{"name": names[i], "slug": slug, "count": int(net.counts[i])}
           for slug, i in net.slugs.items() if net.counts[i] > 0]
    out.sort(key=lambda a: (a["slug"], a["name"]))
    return out

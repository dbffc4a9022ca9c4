"""One request's reader over one index version: search, facet values, exports, records,
similar projects, completions. The one data function behind the JSON API, the exports, the
HTML pages and the CLI: they render what it returns.

A search goes: query stages (`query.pipeline`) -> match (`match`) -> filters -> facet counts
-> rank -> hits.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from indexer import glossary
from indexer.fields import BY_NAME, FACETS
from indexer.synonyms import Synonyms
from search_app.engine import fused
from search_app.engine.facets import combine, matching_values
from search_app.engine.figures import (
    add_country_shares,
    funding_by_year,
    search_figures,
)
from search_app.engine.filters import filter_masks
from search_app.engine.handle import IndexHandle
from search_app.engine.hits import hits
from search_app.engine.match import match_plan
from search_app.engine.query.naming import Named
from search_app.engine.query.periods import Period
from search_app.engine.query.pipeline import understand
from search_app.engine.query.translate import with_sources
from search_app.engine.ranking import rank
from search_app.engine.relevance import SIMILAR_WEIGHTS
from search_app.engine.request import SearchParams
from search_app.engine.spelling import did_you_mean
from search_app.engine.suggestions import suggest


@dataclass
class Matched:
    """What a request's free text matched in one version."""

    scores: np.ndarray | None  # None: no text query, no score
    mask: np.ndarray
    tier: np.ndarray | None
    fuzzy: bool
    terms: set[str]  # the keys the match met: what snippets mark
    relaxed: list[str]
    named: list[tuple[Named, str]]
    expanded: list[str]
    translated: list[dict[str, str | None]]
    lacking: list[np.ndarray]  # for each of `relaxed`, the records without it
    all_words: np.ndarray  # the records meeting every word


class Reader:
    """Reads one version (`handle`) for one request."""

    def __init__(self, handle: IndexHandle, synonyms: Synonyms | None) -> None:
        self.handle = handle
        self.synonyms = synonyms

    # ---- the version

    @property
    def version_name(self) -> str:
        """The version's name: changes with every build, update, delete or rollback."""
        return self.handle.version.name

    @property
    def version(self) -> Path:
        return self.handle.version

    def stats(self) -> dict[str, Any]:
        h = self.handle
        return {
            "records": self.records,
            "version": h.meta.get("version"),
            "built_at": h.meta.get("built_at"),
            "synthetic": h.synthetic,
        }

    # ---- search

    @property
    def records(self) -> int:
        """How many records the version holds."""
        return len(self.handle.id_to_doc)

    @staticmethod
    def _answer_key(params: SearchParams) -> str:
        # The foreign-word switch changes answers: part of the key.
        return f"{params.cache_key()}|{glossary.is_enabled()}"

    def answered(self, params: SearchParams) -> bool:
        """Whether the answer to `params` is kept (`search` would only read it)."""
        return self._answer_key(params) in self.handle.cache

    def search(self, params: SearchParams, *, use_cache: bool = True) -> dict[str, Any]:
        """The answer to `params`; `use_cache=False` always searches (a readiness probe)."""
        started = time.perf_counter()
        h = self.handle
        key = self._answer_key(params)
        cached = h.cache.get(key) if use_cache else None
        if cached is not None:
            h.cache.move_to_end(key)
            return {**orjson.loads(cached),
                    "took_ms": round((time.perf_counter() - started) * 1000, 2), "cached": True}
        result = self._search(params, use_cache)
        # Kept as JSON bytes: a few times smaller than the dicts, for a bounded worker memory.
        h.cache[key] = orjson.dumps(result)
        if len(h.cache) > h.cache_size:
            h.cache.popitem(last=False)
        return {**result, "took_ms": round((time.perf_counter() - started) * 1000, 2),
                "cached": False}

    def matching(self, params: SearchParams, *, use_cache: bool = True) -> Matched:
        """What the text query matches (every record, unscored, when it has no word), and
        the synonyms it was widened with. The same words answer the same whatever the
        filters: a facet clicked re-runs them, so the match is kept (`IndexHandle.matches`,
        off with the answer cache; `use_cache=False` matches again, as a probe must)."""
        h = self.handle
        key = (params.q, params.match, glossary.is_enabled(), self.synonyms is not None)
        found = h.matches.get(key) if use_cache else None
        if found is None:
            found = h.matches.put(key, self._matching(params))
        return found

    def _matching(self, params: SearchParams) -> Matched:
        h = self.handle
        understood = understand(params.q, self.synonyms, h.naming())
        plan = understood.plan
        translated = [t.as_dict() for t in understood.translated]
        if plan.empty:
            every = h.data.alive.copy()
            return Matched(None, every, None, False, set(), [], [], understood.expanded,
                           translated, [], every)
        found = match_plan(plan, h.text_docs, h.value_mask, h.data.alive,
                           strict=params.match == "all", docs_of=h.text_docs_of)
        relaxed = with_sources(found.relaxed, understood.translated)
        return Matched(found.scores, found.mask, found.tier, found.fuzzy, found.terms,
                       relaxed, found.named, understood.expanded, translated, found.lacking,
                       found.all_words)

    def _search(self, params: SearchParams, use_cache: bool = True) -> dict[str, Any]:
        h = self.handle
        m = self.matching(params, use_cache=use_cache)
        masks, selected = filter_masks(h.data, params, h.lookup)
        final = combine(m.mask, masks)
        total = int(np.count_nonzero(final))
        facets, facet_totals, countries = search_figures(h.data, m.mask, masks, selected,
                                                         params.year_min, params.year_max)
        start = (params.page - 1) * params.size
        ranked = (rank(h, m.scores, final, params.sort, start + params.size, m.tier)
                  if start < total else [])
        page = ranked[start:start + params.size]
        shown = np.fromiter((d for d, _ in page), dtype=np.int64, count=len(page))
        # The notice names a dropped word only when some hits shown lack it.
        relaxed = [words for words, lacking in zip(m.relaxed, m.lacking, strict=True)
                   if lacking[shown].any()]
        suggestion = None
        if params.q and (total == 0 or m.fuzzy):
            suggestion = did_you_mean(params.q, h.spelling)
            if suggestion is not None and not self._finds(params, suggestion, masks):
                suggestion = None  # its words exist, but never together: no help
        return {
            "total": total,
            # The funding of every match (the sum over the search's exports).
            "funding_total_eur": fused.sum_where(h.data.funding, final),
            # Of `total`, the records meeting every word of the query (they rank first).
            "total_all_words": int(np.count_nonzero(m.all_words & final)),
            "page": params.page,
            "size": params.size,
            "pages": (total + params.size - 1) // params.size,
            "suggestion": suggestion,
            "fuzzy": m.fuzzy,
            "expanded": m.expanded,
            "translated": m.translated,
            "relaxed": relaxed,
            "named_filters": named_filters(m.named, h.data.values, selected),
            "understood": understood_values(m.named, h.data.values, params.periods),
            "applied": [{"kind": "period", "words": p.words, "year_min": p.low,
                         "year_max": p.high, "label": p.label()} for p in params.periods],
            "hits": hits(h, page, m.terms),
            "facets": facets,
            # How many values each facet has in all: its list stops at the facet's `limit`.
            "facet_totals": facet_totals,
            # Where the matches are, under every filter (the facet counts what each country
            # would add): what the map shows.
            "countries_of_results": countries,
        }

    def _finds(self, params: SearchParams, q: str, masks: dict[str, np.ndarray]) -> bool:
        """Whether `q`, every word required, finds a record under the same filters."""
        m = self.matching(params.model_copy(update={"q": q, "match": "all"}))
        return bool(combine(m.mask, masks).any())

    def funding_years(self, params: SearchParams) -> list[dict[str, int]]:
        """The funding rows of every match, summed per funding year (`figures`)."""
        h = self.handle
        m = self.matching(params)
        masks, _ = filter_masks(h.data, params, h.lookup)
        return funding_by_year(h, combine(m.mask, masks))

    def filtered(self, params: SearchParams) -> np.ndarray:
        """The documents the search answers for `params`' filters, without its text."""
        masks, _ = filter_masks(self.handle.data, params, self.handle.lookup)
        return combine(self.handle.data.alive, masks)

    def projects(self, params: SearchParams) -> tuple[list[dict[str, Any]], int]:
        """(one page of the projects under `params`' filters as search hits, their number),
        in the search's order, without counting facets."""
        mask = self.filtered(params)
        total = int(np.count_nonzero(mask))
        start = (params.page - 1) * params.size
        if start >= total:
            return [], total
        ranked = rank(self.handle, None, mask, params.sort, start + params.size)
        return hits(self.handle, ranked[start:start + params.size], set()), total

    def facet_values(self, params: SearchParams, facet: str, contains: str = "",
                     page: int = 1, size: int = 100) -> dict[str, Any]:
        """One facet's values for a search, all of them (not only the first `limit`), those
        whose name holds `contains`, a page at a time, in the sidebar's order and counts."""
        h = self.handle
        declared = BY_NAME[facet]
        m = self.matching(params)
        masks, selected = filter_masks(h.data, params, h.lookup)
        start = (page - 1) * size
        where = combine(m.mask, masks, skip=facet)
        items, total = matching_values(h.data, declared, where, selected.get(facet, []),
                                       contains, start, start + size)
        if facet == "country":
            add_country_shares(h.data, items, where)
        return {"facet": facet, "label": declared.label, "contains": contains, "total": total,
                "page": page, "size": size, "pages": (total + size - 1) // size,
                "values": items}

    # ---- exports and lookups

    def unknown_values(self, params: SearchParams) -> list[tuple[str, str]]:
        """(parameter, value) of the filter values no record of this version has: they
        select nothing, so the answer can say so rather than give a silent 0."""
        lookup = self.handle.lookup
        return [(f.param, v) for f in FACETS for v in getattr(params, f.param)
                if lookup.resolve(f, v) is None]

    def export_json(self, params: SearchParams) -> tuple[int, Iterator[bytes]]:
        """(count, every matching record's stored JSON, as UTF-8 bytes, in the requested order).

        The order is fixed now; the records are read lazily, in chunks, through a connection
        of the export's own to this version's store, so a stream keeps memory flat and a
        swap to a newer version (which closes the live handle) cannot cut it short. Bytes,
        not str: an export writes them out as they are stored (no decode and re-encode).
        """
        h = self.handle
        m = self.matching(params)
        masks, _ = filter_masks(h.data, params, h.lookup)
        final = combine(m.mask, masks)
        ids = [h.data.ids[d]
               for d, _ in rank(h, m.scores, final, params.sort, int(final.sum()), m.tier)]
        store = h.records

        def texts() -> Iterator[bytes]:
            records = store.reopen()
            try:
                for i in range(0, len(ids), 500):
                    chunk = ids[i:i + 500]
                    found = records.get_many_raw(chunk)
                    yield from (found[rid] for rid in chunk if rid in found)
            finally:
                records.close()

        return len(ids), texts()

    def records_json(self, record_ids: list[str]) -> dict[str, bytes]:
        """id -> stored JSON (UTF-8 bytes) for those of `record_ids` the index holds."""
        return self.handle.records.get_many_raw(record_ids)

    def get_record(self, record_id: str) -> dict[str, Any] | None:
        return self.handle.records.get(record_id)

    def record_json(self, record_id: str) -> str | None:
        """The record exactly as stored: the JSON `atlas parse` prints."""
        return self.handle.records.get_json(record_id)

    def similar(self, record_id: str, limit: int = 5) -> list[dict[str, Any]]:
        """Projects most like this one: the same theme and the same French authority weigh
        most, then the sub-theme; a shared country counts once, however many are shared (a
        project with many partner countries would otherwise pull in unrelated ones)."""
        h = self.handle
        doc = h.id_to_doc.get(record_id)
        if doc is None:
            return []
        data = h.data
        score = np.zeros(data.size, dtype=np.float64)
        for facet, weight in SIMILAR_WEIGHTS.items():
            if facet in data.single:
                code = data.single[facet][doc]
                if code >= 0:
                    score += weight * (data.single[facet] == code)
                continue
            docs, vals = data.multi[facet]
            mine = vals[docs == doc]
            if mine.size:
                shares = np.zeros(data.size, dtype=bool)
                shares[docs[np.isin(vals, mine)]] = True
                score += weight * shares
        score[doc] = 0
        score[~data.alive] = 0
        best = np.argsort(-score, kind="stable")[:limit]
        page = [(int(d), None) for d in best if score[d] > 0]
        return hits(h, page, set())

    def suggest(self, q: str, limit: int = 8) -> list[dict[str, Any]]:
        """Completions over countries, authorities and titles (`suggestions`)."""
        return suggest(self.handle, q, limit)


# What kind of value each facet holds, as `understood` names it.
KINDS = {"country": "country", "region": "region", "french_partner": "authority",
         "theme": "theme", "sub_theme": "theme", "status": "status",
         "partnership_form": "form"}


def understood_values(named: list[tuple[Named, str]], values: dict[str, list[str]],
               periods: list[Period]) -> list[dict[str, Any]]:
    """Every value recognised in the query, with the words that named it: how the question
    was read."""
    out: list[dict[str, Any]] = []
    seen: set[Named] = set()
    for (facet_name, index), words in named:
        if (facet_name, index) in seen:
            continue
        seen.add((facet_name, index))
        facet = BY_NAME[facet_name]
        value = values[facet_name][index]
        out.append({"kind": KINDS.get(facet_name, facet_name), "facet": facet_name,
                    "value": value, "display": facet.display(value), "words": words})
    out += [{"kind": "period", "facet": "start_year", "value": p.label(),
             "display": p.label(), "words": p.words, "year_min": p.low, "year_max": p.high}
            for p in periods]
    return out


def named_filters(named: list[tuple[Named, str]], values: dict[str, list[str]],
                  selected: dict[str, list[int]]) -> list[dict[str, Any]]:
    """The facet values the query's words name, as filters one click away (« Filtrer sur
    Pays : Sénégal ? »); values already filtered on are left out."""
    out: list[dict[str, Any]] = []
    seen: set[Named] = set()
    for (facet_name, index), words in named:
        if (facet_name, index) in seen or index in selected.get(facet_name, ()):
            continue
        seen.add((facet_name, index))
        facet = BY_NAME[facet_name]
        value = values[facet_name][index]
        out.append({"facet": facet_name, "param": facet.param, "label": facet.label,
                    "value": value, "display": facet.display(value), "words": words})
    return out

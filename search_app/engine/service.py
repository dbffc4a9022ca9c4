"""The one data function behind the JSON API, the CSV export, the HTML pages and the CLI.

An `IndexHandle` is one opened index version (whoosh searcher, record store, facet
arrays, answer cache). `SearchService` keeps the live handle and swaps to a new one
when a build publishes a new version, so servers pick up rebuilds without a restart.
"""

from __future__ import annotations

import bisect
import gc
import re
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from whoosh.query import Every, FuzzyTerm

from indexer import version as versions
from indexer.analysis import word_keys
from indexer.errors import IndexUnavailable
from indexer.fields import BY_NAME, FACETS, fold_value
from indexer.forms import WrittenForms
from indexer.places import country_name, french_names
from indexer.schema import BODY_FIELD
from indexer.synonyms import Synonyms, load_synonyms
from indexer.synthetic import is_synthetic
from indexer.version import Layout, OpenVersion
from search_app.engine.facets import combine, count_facets, matching_values
from search_app.engine.filters import ValueLookup, facet_mask, filter_masks
from search_app.engine.query.naming import Named, NamingIndex, broader_values
from search_app.engine.query.plan import match_plan, plan_query
from search_app.engine.query.synonyms import expand
from search_app.engine.query.syntax import parse_user_query, query_terms
from search_app.engine.request import SearchParams
from search_app.engine.scorer import TextMatcher
from search_app.engine.snippets import marked_snippet, snippet
from search_app.engine.spelling import did_you_mean
from search_app.engine.warm import warm_in_background
from search_app.web.errors import IndexNotReady

# The free-text fields, most telling first; together they are the index's `body` (BODY_PARTS).
SNIPPET_FIELDS = ("description", "context", "history", "objectives_local", "objectives_france")


# What makes two projects alike, by facet: what they do and who does it first.
SIMILAR_WEIGHTS = {"theme": 4.0, "french_partner": 3.0, "sub_theme": 2.0, "country": 1.0,
                   "partnership_form": 0.5}


def _close_parts(parts: OpenVersion, warming: threading.Event) -> None:
    warming.set()
    parts.close()


class IndexHandle:
    """One opened, immutable index version (`indexer.version.OpenVersion`) and what the
    service derives from it: the matcher, value lookups, completions, the answer cache."""

    def __init__(self, layout: Layout, cache_size: int) -> None:
        self.layout = layout
        self.parts = OpenVersion(layout)
        self.meta = self.parts.meta
        self.searcher = self.parts.searcher
        self.records = self.parts.records
        self.data = self.parts.facets
        self.spelling = self.parts.spelling
        self.forms = self.parts.forms
        self.lookup = ValueLookup(self.data)
        self.matcher = TextMatcher(self.searcher, self.data.size, self.parts.postings,
                                   self.spelling, self.parts.phrases)
        self.id_to_doc = {rid: i for i, rid in enumerate(self.data.ids) if rid}
        # Ties are broken by id, so an order does not depend on how a build numbered docs.
        self.id_rank = np.argsort(np.argsort(np.asarray(self.data.ids, dtype=str), kind="stable"))
        self.cache: OrderedDict[str, str] = OrderedDict()
        self.cache_size = cache_size
        self.synthetic = sum(1 for rid in self.id_to_doc if is_synthetic(rid))
        self._completions: list[tuple[str, str, str, int]] | None = None
        self._naming: NamingIndex | None = None
        self._value_masks: dict[Named, np.ndarray] = {}
        self._folded_titles: list[str] | None = None
        try:
            # A probe through the matcher: whoosh and the flat postings answer together.
            self.text_docs(Every())
            self.matcher.lengths("title")
        except Exception:
            self.parts.close()
            raise
        self._warming = warm_in_background(layout.warm_files())
        # The parts close when the handle is closed or, once replaced by a newer version,
        # when the last request still using it lets it go (`retire`).
        self._closer = weakref.finalize(self, _close_parts, self.parts, self._warming)

    @property
    def version(self) -> Path:
        return self.layout.root

    def close(self) -> None:
        self._closer()

    def retire(self) -> None:
        """Replaced by a newer version: stop warming; requests that hold this handle finish
        with it (its parts close when the last of them drops it)."""
        self._warming.set()

    # ---- text matching

    def text_docs(self, query) -> tuple[np.ndarray, np.ndarray]:
        """(mask of live documents matching a whoosh query, their scores)."""
        mask, scores = self.matcher.evaluate(query)
        return mask & self.data.alive, scores

    # ---- named facet values

    def naming(self) -> NamingIndex:
        """The words naming this version's facet values, built on first use."""
        if self._naming is None:
            self._naming = NamingIndex(self.data.values, broader_values(self.data))
        return self._naming

    def value_mask(self, named: Named) -> np.ndarray:
        """Live documents holding one facet value (cached: few values are ever named)."""
        mask = self._value_masks.get(named)
        if mask is None:
            facet, index = named
            mask = facet_mask(self.data, facet, [index]) & self.data.alive
            self._value_masks[named] = mask
        return mask

    # ---- completions

    def completions(self) -> list[tuple[str, str, str, int]]:
        """(key, value, kind, weight) sorted by key, built on first use: one key per word
        start of each value (« bretagne » for « Région Bretagne », « eau » for « l'eau »), a
        country under its one French name whatever spelling its records use."""
        if self._completions is None:
            best: dict[tuple[str, str], tuple[int, set[str]]] = {}

            def add(value: str, kind: str, weight: int, spelled: str = "") -> None:
                folded = fold_value(spelled or value)
                if not folded:
                    return
                weight_now, keys = best.get((value, kind), (weight, set()))
                keys.update(word_starts(folded))
                best[(value, kind)] = (max(weight, weight_now), keys)

            data = self.data
            # Themes first (« eau » -> « Eau et assainissement »): a handful of values that
            # each cover a large share of the records, and a filter one click away.
            for facet, kind, base in (("theme", "thématique", THEME_WEIGHT),
                                      ("sub_theme", "sous-thématique", 0)):
                codes = data.single.get(facet)
                if codes is None:
                    continue
                used = np.bincount(codes[codes >= 0], minlength=len(data.values[facet]))
                for i, name in enumerate(data.values[facet]):
                    if used[i]:
                        add(name, kind, base + int(used[i]))
            for code, written in data.country_names.items():
                for spelled in (country_name(code), written, *french_names(code)):
                    add(country_name(code), "pays", 1000, spelled=spelled)
            docs, vals = data.multi["french_partner"]
            counts = np.bincount(vals, minlength=len(data.values["french_partner"]))
            for i, name in enumerate(data.values["french_partner"]):
                add(name, "collectivité française", int(counts[i]))
            for name, count in data.partners.items():
                add(name, "partenaire étranger", count)
            self._completions = sorted((key, value, kind, weight)
                                       for (value, kind), (weight, keys) in best.items()
                                       for key in keys)
        return self._completions

    def folded_titles(self) -> list[str]:
        """Each title folded, words apart (an elision or a hyphen parts words too)."""
        if self._folded_titles is None:
            self._folded_titles = [" " + " ".join(word_starts(fold_value(t))[0:1])
                                   for t in self.data.titles]
        return self._folded_titles


# Above a country's 1,000: a theme typed is the theme meant.
THEME_WEIGHT = 100_000
_WORD_BREAK = re.compile(r"[\s'\-/(),.]+")


def word_starts(folded: str) -> list[str]:
    """The folded text from each of its words on: « region bretagne » -> [« region
    bretagne », « bretagne »]; « l'eau » -> [« l eau », « eau »]."""
    words = [w for w in _WORD_BREAK.split(folded) if w]
    return [" ".join(words[i:]) for i in range(len(words))]


def _settle_heap() -> None:
    """Exempt what is loaded now (the index, the app) from later full garbage collections.

    A full collection walks every tracked object: with an index open that is 25-40 ms,
    landing on whichever request crosses the threshold. Frozen objects are skipped. The
    previous version's objects are unfrozen and collected first, so a swap frees them.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class SearchService:
    def __init__(self, index_dir: Path, cache_size: int = 256,
                 synonyms: Synonyms | None = None) -> None:
        self.index_dir = Path(index_dir)
        self.cache_size = cache_size
        # Query-time synonyms: the bundled list unless the settings name another.
        self.synonyms = load_synonyms() if synonyms is None else synonyms
        self._handle: IndexHandle | None = None
        self._lock = threading.Lock()
        self._live = versions.LiveVersion(self.index_dir)

    # ---- lifecycle

    def open(self) -> IndexHandle:
        """Open the live version (raises IndexNotReady with a clear reason)."""
        return self.handle()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def handle(self) -> IndexHandle:
        """The live version, reopened when a build has published a new one."""
        try:
            layout = self._live.get()
        except IndexUnavailable as exc:
            if self._handle is not None:
                return self._handle  # keep serving what we have
            raise IndexNotReady(str(exc)) from None
        current = self._handle
        if current is not None and current.layout == layout:
            return current
        with self._lock:
            current = self._handle
            if current is not None and current.layout == layout:
                return current
            try:
                fresh = IndexHandle(layout, self.cache_size)
            except Exception as exc:
                if current is not None:
                    return current
                raise IndexNotReady(f"cannot open index at {self.index_dir}: {exc}") from None
            self._handle = fresh
            if current is not None:
                current.retire()  # not closed under a request still reading it
                del current
            _settle_heap()
            return fresh

    def stats(self) -> dict[str, Any]:
        h = self.handle()
        return {
            "records": len(h.id_to_doc),
            "version": h.meta.get("version"),
            "built_at": h.meta.get("built_at"),
            "synthetic": h.synthetic,
        }

    # ---- search

    def search(self, params: SearchParams) -> dict[str, Any]:
        started = time.perf_counter()
        h = self.handle()
        key = params.cache_key()
        cached = h.cache.get(key)
        if cached is not None:
            h.cache.move_to_end(key)
            return {**orjson.loads(cached),
                    "took_ms": round((time.perf_counter() - started) * 1000, 2), "cached": True}
        result = self._search(h, params)
        # Kept as JSON bytes: a few times smaller than the dicts, for a bounded worker memory.
        h.cache[key] = orjson.dumps(result)
        if len(h.cache) > h.cache_size:
            h.cache.popitem(last=False)
        return {**result, "took_ms": round((time.perf_counter() - started) * 1000, 2),
                "cached": False}

    def _matching(self, h: IndexHandle, params: SearchParams) -> Matched:
        """What the text query matches (every record, unscored, when it has no word), and
        the synonyms it was widened with."""
        uq, expanded = expand(parse_user_query(params.q), self.synonyms)
        plan = plan_query(uq, h.naming())
        if plan.empty:
            return Matched(None, h.data.alive.copy(), None, False, set(), [], [], expanded)
        found = match_plan(plan, h.text_docs, h.value_mask, h.data.alive,
                           strict=params.match == "all")
        terms = query_terms(uq) | found.stems
        if found.fuzzy:
            terms |= {t for c in plan.clauses if c.fuzzy is not None
                      for t in _typo_terms(c.fuzzy, h.spelling)}
        return Matched(found.scores, found.mask, found.tier, found.fuzzy, terms, found.relaxed,
                       found.named, expanded)

    def _search(self, h: IndexHandle, params: SearchParams) -> dict[str, Any]:
        m = self._matching(h, params)
        scores, base, fuzzy, terms = m.scores, m.mask, m.fuzzy, m.terms
        masks, selected = filter_masks(h.data, params, h.lookup)
        final = combine(base, masks)
        total = int(final.sum())
        facets, facet_totals = count_facets(h.data, base, masks, selected, params.year_min,
                                            params.year_max)
        start = (params.page - 1) * params.size
        ranked = (self._rank(h, scores, final, params, start + params.size, m.tier)
                  if start < total else [])
        page = ranked[start:start + params.size]
        suggestion = None
        if params.q and (total == 0 or fuzzy):
            suggestion = did_you_mean(params.q, h.spelling)
            if suggestion is not None and not self._finds(h, params, suggestion, masks):
                suggestion = None  # its words exist, but never together: no help
        return {
            "total": total,
            "page": params.page,
            "size": params.size,
            "pages": (total + params.size - 1) // params.size,
            "suggestion": suggestion,
            "fuzzy": fuzzy,
            "expanded": m.expanded,
            "relaxed": m.relaxed,
            "named_filters": named_filters(m.named, h.data.values, selected),
            "hits": self._hits(h, page, terms),
            "facets": facets,
            # How many values each facet has in all: its list stops at the facet's `limit`.
            "facet_totals": facet_totals,
        }

    def _finds(self, h: IndexHandle, params: SearchParams, q: str,
               masks: dict[str, np.ndarray]) -> bool:
        """Whether `q`, every word required, finds a record under the same filters."""
        m = self._matching(h, params.model_copy(update={"q": q, "match": "all"}))
        return bool(combine(m.mask, masks).any())

    def _rank(self, h: IndexHandle, scores: np.ndarray | None, mask: np.ndarray,
              params: SearchParams, limit: int, tier: np.ndarray | None = None
              ) -> list[tuple[int, float | None]]:
        """The first `limit` (docnum, score) pairs in the requested order; by relevance,
        records meeting more of the query's words (`tier`) come first."""
        data = h.data
        if limit < 1:
            return []
        docs = np.flatnonzero(mask)
        if params.sort == "relevance" and scores is not None:
            mine = scores[docs]
            # One sort key: the tier outweighs any score (scores are finite and >= 0).
            key = mine.astype(np.float64)
            if tier is not None:
                key = key + tier[docs].astype(np.float64) * (float(mine.max(initial=0)) + 1)
            if docs.size > limit:  # only the best `limit` (and their ties) need sorting
                kth = np.partition(key, docs.size - limit)[docs.size - limit]
                keep = key >= kth
                docs, mine, key = docs[keep], mine[keep], key[keep]
            order = np.lexsort((h.id_rank[docs], -key))[:limit]
            return [(int(docs[i]), round(float(mine[i]), 4)) for i in order]
        if params.sort == "year_asc":
            years = np.where(data.start_year[docs] > 0, data.start_year[docs], 99999)
            order = np.lexsort((h.id_rank[docs], years))
        elif params.sort == "funding_desc":
            order = np.lexsort((h.id_rank[docs], -data.funding[docs]))
        else:  # year_desc, and relevance without text
            order = np.lexsort((h.id_rank[docs], -data.start_year[docs]))
        return [(int(d), None) for d in docs[order[:limit]]]

    def _hits(self, h: IndexHandle, page: list[tuple[int, float | None]], terms: set[str]
              ) -> list[dict[str, Any]]:
        ids = [h.data.ids[d] for d, _ in page]
        records = h.records.get_many(ids)
        in_body = self._in_body(h, [d for d, _ in page], terms)
        return [hit_summary(records[rid], terms if body else set(), score, h.forms)
                for rid, (_, score), body in zip(ids, page, in_body, strict=True)
                if rid in records]

    @staticmethod
    def _in_body(h: IndexHandle, docs: list[int], terms: set[str]) -> list[bool]:
        """Whether each document's free text (`body`: the snippet fields, indexed together)
        holds one of `terms`. A snippet can mark a word only where the body's postings hold
        its stem, so the others skip the search for marks (a third of the hits)."""
        if not terms or not docs:
            return [bool(terms)] * len(docs)
        wanted = np.asarray(docs, dtype=np.int32)
        found = np.zeros(len(docs), dtype=bool)
        for term in terms:
            postings, _ = h.matcher.postings(BODY_FIELD, term)
            if postings.size:
                # A term's postings list its documents in ascending order (postings.py):
                # a binary search per hit, not a sort of the whole list as np.isin does.
                at = np.minimum(np.searchsorted(postings, wanted), postings.size - 1)
                found |= postings[at] == wanted
        return found.tolist()

    def facet_values(self, params: SearchParams, facet: str, contains: str = "",
                     page: int = 1, size: int = 100) -> dict[str, Any]:
        """One facet's values for a search, all of them (not only the first `limit`), those
        whose name holds `contains`, a page at a time, in the sidebar's order and counts."""
        h = self.handle()
        declared = BY_NAME[facet]
        m = self._matching(h, params)
        masks, selected = filter_masks(h.data, params, h.lookup)
        start = (page - 1) * size
        items, total = matching_values(h.data, declared, combine(m.mask, masks, skip=facet),
                                       selected.get(facet, []), contains, start, start + size)
        return {"facet": facet, "label": declared.label, "contains": contains, "total": total,
                "page": page, "size": size, "pages": (total + size - 1) // size,
                "values": items}

    # ---- exports and lookups

    def unknown_values(self, params: SearchParams) -> list[tuple[str, str]]:
        """(parameter, value) of the filter values no record of this version has: they
        select nothing, so the answer can say so rather than give a silent 0."""
        h = self.handle()
        return [(f.param, v) for f in FACETS for v in getattr(params, f.param)
                if h.lookup.resolve(f, v) is None]

    def export_json(self, params: SearchParams) -> tuple[int, Iterator[bytes]]:
        """(count, every matching record's stored JSON, as UTF-8 bytes, in the requested order).

        The order is fixed now; the records are read lazily, in chunks, through a connection
        of the export's own to this version's store, so a stream keeps memory flat and a
        swap to a newer version (which closes the live handle) cannot cut it short. Bytes,
        not str: an export writes them out as they are stored (no decode and re-encode).
        """
        h = self.handle()
        m = self._matching(h, params)
        masks, _ = filter_masks(h.data, params, h.lookup)
        final = combine(m.mask, masks)
        ids = [h.data.ids[d]
               for d, _ in self._rank(h, m.scores, final, params, int(final.sum()), m.tier)]
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
        return self.handle().records.get_many_raw(record_ids)

    def version_name(self) -> str:
        """The live version's name: changes with every build, update, delete or rollback."""
        return self.handle().version.name

    def get_record(self, record_id: str) -> dict[str, Any] | None:
        return self.handle().records.get(record_id)

    def record_json(self, record_id: str) -> str | None:
        """The record exactly as stored: the JSON `atlas parse` prints."""
        return self.handle().records.get_json(record_id)

    def similar(self, record_id: str, limit: int = 5) -> list[dict[str, Any]]:
        """Projects most like this one: the same theme and the same French authority weigh
        most, then the sub-theme; a shared country counts once, however many are shared (a
        project with many partner countries would otherwise pull in unrelated ones)."""
        h = self.handle()
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
        return self._hits(h, page, set())

    def suggest(self, q: str, limit: int = 8) -> list[dict[str, Any]]:
        """Completions over countries, authorities and titles, from the start of any word
        of a name (after an elision too), one entry per value."""
        h = self.handle()
        starts = word_starts(fold_value(q))
        if not starts:
            return []
        key = starts[0]
        entries = h.completions()
        start = bisect.bisect_left(entries, (key,))
        found: dict[tuple[str, str], int] = {}
        for folded, value, kind, weight in entries[start:]:
            if not folded.startswith(key):
                break
            found[(value, kind)] = weight
        ranked = sorted(found.items(), key=lambda x: (-x[1], x[0][0]))
        out: list[dict[str, Any]] = [{"value": v, "kind": k} for (v, k), _ in ranked[:limit]]
        if len(out) < limit and len(key) >= 2:
            needle = " " + key
            titles = h.folded_titles()
            for doc, folded in enumerate(titles):
                if needle in folded and h.data.alive[doc]:
                    out.append({"value": h.data.titles[doc], "kind": "projet",
                                "id": h.data.ids[doc]})
                    if len(out) >= limit:
                        break
        return out


@dataclass
class Matched:
    scores: np.ndarray | None  # None: no text query, no score
    mask: np.ndarray
    tier: np.ndarray | None
    fuzzy: bool
    terms: set[str]
    relaxed: list[str]
    named: list[tuple[Named, str]]
    expanded: list


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


def hit_summary(record: dict[str, Any], terms: set[str], score: float | None,
                forms: WrittenForms | None = None) -> dict[str, Any]:
    """What a result list shows of a record, with a highlighted snippet (`forms`: its
    version's written forms, `indexer.forms`)."""
    return {
        "id": record["id"],
        "title": record.get("title") or "",
        "theme": record.get("theme"),
        "sub_theme": record.get("sub_theme"),
        "status": record.get("status"),
        "partnership_form": record.get("partnership_form"),
        "start_year": record.get("start_year"),
        "end_date": record.get("end_date"),
        "countries": countries_fr(record.get("countries") or []),
        "french_partners": record.get("french_partners") or [],
        "funding_total_eur": record.get("funding_total_eur") or 0,
        "snippet": best_snippet(record, terms, forms),
        "score": score,
        "synthetic": is_synthetic(record["id"]),
    }


def countries_fr(countries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A record's countries under one French name each (« États-Unis », however the page
    wrote it), in French alphabetical order (accents and case aside)."""
    named = [{**c, "name": country_name(c["code"]) if c.get("code") else c.get("name") or ""}
             for c in countries]
    return sorted(named, key=lambda c: (fold_value(c["name"]), c["name"]))


def best_snippet(record: dict[str, Any], terms: set[str],
                 forms: WrittenForms | None = None) -> str:
    """The first text field with a highlighted match, else the start of the first non-empty."""
    texts = [t for t in (record.get(name) for name in SNIPPET_FIELDS) if t]
    if not texts:
        return ""
    for text in texts if terms else ():
        html = marked_snippet(text, terms, forms=forms)
        if html is not None:
            return html
    return snippet(texts[0], set())


def _typo_terms(query, spelling) -> set[str]:
    """The lexicon words a typo-tolerant query matched (folded and stemmed, as `query_terms`
    gives them), so the snippets mark what was found."""
    out: set[str] = set()
    for leaf in query.leaves():
        if isinstance(leaf, FuzzyTerm):
            for word in spelling.typo_words(leaf.text, leaf.maxdist, prefix=leaf.prefixlength):
                out |= {key for folded, stem in word_keys(word) for key in (folded, stem) if key}
    return out

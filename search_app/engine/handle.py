"""One opened, immutable index version and everything derived from it.

An `IndexHandle` holds the version's parts (`indexer.version.OpenVersion`: whoosh segment,
record store, facet arrays, flat postings, phrase pairs, lexicon, written forms), the scorer
over them, and the per-version state built on first use (`memo`: the words naming values,
value masks, completions, the authorities' slugs...). A request takes one handle and passes
it down, so every part of its answer reads the same version.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from indexer.synthetic import is_synthetic
from indexer.version import Layout, OpenVersion
from search_app.engine import bm25, facetpass, filters, fused
from search_app.engine.filters import ValueLookup, facet_mask
from search_app.engine.query.naming import Named, NamingIndex, broader_values
from search_app.engine.query.tree import Every, Node
from search_app.engine.scorer import Scorer
from search_app.engine.warm import warm_in_background

T = TypeVar("T")
MATCH_CACHE_BYTES = 32 * 1024 * 1024  # a worker's kept matches, their arrays counted


class MatchCache:
    """Recently matched queries (key -> what they matched), least recently used dropped
    past `budget` bytes of arrays; the arrays are made read-only, as answers share them."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self._items: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: Any, value: T) -> T:
        arrays = _arrays(value)
        for array in arrays:
            array.flags.writeable = False
        size = sum(a.nbytes for a in arrays)
        if size > self.budget:
            return value
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.used -= old[1]
            self._items[key] = (value, size)
            self.used += size
            while self.used > self.budget:
                _, (_, dropped) = self._items.popitem(last=False)
                self.used -= dropped
        return value


def _arrays(value: Any) -> list[np.ndarray]:
    """The numpy arrays a dataclass holds, directly or in lists."""
    found: list[np.ndarray] = []
    for item in vars(value).values():
        for part in item if isinstance(item, list) else [item]:
            if isinstance(part, np.ndarray) and not any(part is f for f in found):
                found.append(part)
    return found


def _close_parts(parts: OpenVersion, warming: threading.Event) -> None:
    warming.set()
    parts.close()


class IndexHandle:
    """One opened version, its scorer, value lookups, answer cache and derived state."""

    def __init__(self, layout: Layout, cache_size: int) -> None:
        self.layout = layout
        self.parts = OpenVersion(layout)
        self.meta = self.parts.meta
        self.records = self.parts.records
        self.data = self.parts.facets
        self.spelling = self.parts.spelling
        self.forms = self.parts.forms
        self.lookup = ValueLookup(self.data)
        self.scorer = Scorer(self.data.size, self.parts.searcher.reader().doc_count(),
                             self.parts.postings, self.spelling, self.parts.phrases)
        self.id_to_doc = {rid: i for i, rid in enumerate(self.data.ids) if rid}
        # Ties are broken by id, so an order does not depend on how a build numbered docs.
        self.id_rank = np.argsort(np.argsort(np.asarray(self.data.ids, dtype=str), kind="stable"))
        self.cache: OrderedDict[str, bytes] = OrderedDict()
        self.cache_size = cache_size
        # What a query's words matched, kept for the next request with other filters
        # (`Reader.matching`); off with the answer cache.
        self.matches = MatchCache(MATCH_CACHE_BYTES if cache_size else 0)
        self.synthetic = sum(1 for rid in self.id_to_doc if is_synthetic(rid))
        self._memo: dict[str, Any] = {}
        self._memo_lock = threading.Lock()
        self._value_masks: dict[Named, np.ndarray] = {}
        self._all_alive = bool(self.data.alive.all())
        try:
            # A probe through the scorer: the flat postings answer.
            self.text_docs(Every())
            self.scorer.lengths("title")
            # Filter postings and the facet pass's arrays (its code too, if the server's
            # start has not compiled it): made as the version opens, not by a request.
            filters.warm(self.data)
            facetpass.warm(self.data)
            bm25.warm()
            fused.warm()
            self.naming()  # the words naming facet values: the first query would build them
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

    # ---- derived state, built once per version on first use

    def memo(self, name: str, build: Callable[[IndexHandle], T]) -> T:
        found = self._memo.get(name)
        if found is None:
            with self._memo_lock:
                found = self._memo.get(name)
                if found is None:
                    found = self._memo[name] = build(self)
        return found

    # ---- text matching

    def text_docs(self, node: Node, met: set[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(mask of live documents matching a query node, their scores)."""
        mask, scores = self.scorer.evaluate(node, met)
        # A version without deletions needs no pass over its documents for them.
        return (mask if self._all_alive else mask & self.data.alive), scores

    def text_docs_of(self, node: Node) -> np.ndarray:
        """The live documents matching an unscored node, ascending (`Scorer.docs_of`)."""
        docs = self.scorer.docs_of(node)
        return docs if self._all_alive else docs[self.data.alive[docs]]

    # ---- named facet values

    def naming(self) -> NamingIndex:
        """The words naming this version's facet values."""
        return self.memo("naming", lambda h: NamingIndex(h.data.values, broader_values(h.data)))

    def value_mask(self, named: Named) -> np.ndarray:
        """Live documents holding one facet value (cached: few values are ever named)."""
        mask = self._value_masks.get(named)
        if mask is None:
            facet, index = named
            mask = facet_mask(self.data, facet, [index]) & self.data.alive
            self._value_masks[named] = mask
        return mask

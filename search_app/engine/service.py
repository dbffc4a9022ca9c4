"""The engine's entry point: the live index version, swapped when a build publishes another.

`SearchService.reader()` gives a request its `Reader` over the live version (one handle for
the whole request); servers pick up rebuilds without a restart. The delegating methods
(`search`, `similar`...) are for callers that ask one thing (the CLI, scripts, tests).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from indexer import version as versions
from indexer.errors import IndexUnavailable
from indexer.synonyms import Synonyms, load_synonyms
from search_app.engine.errors import IndexNotReady
from search_app.engine.handle import IndexHandle
from search_app.engine.reader import Reader
from search_app.engine.request import SearchParams


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

    def reader(self) -> Reader:
        """A reader over the live version, for one request."""
        return Reader(self.handle(), self.synonyms)

    # ---- one question, one reader

    def stats(self) -> dict[str, Any]:
        return self.reader().stats()

    def version_name(self) -> str:
        return self.reader().version_name

    def search(self, params: SearchParams, *, use_cache: bool = True) -> dict[str, Any]:
        """The answer to `params`; `use_cache=False` always searches (a readiness probe)."""
        return self.reader().search(params, use_cache=use_cache)

    def facet_values(self, params: SearchParams, facet: str, contains: str = "",
                     page: int = 1, size: int = 100) -> dict[str, Any]:
        return self.reader().facet_values(params, facet, contains, page, size)

    def unknown_values(self, params: SearchParams) -> list[tuple[str, str]]:
        return self.reader().unknown_values(params)

    def export_json(self, params: SearchParams) -> tuple[int, Iterator[bytes]]:
        return self.reader().export_json(params)

    def records_json(self, record_ids: list[str]) -> dict[str, bytes]:
        return self.reader().records_json(record_ids)

    def get_record(self, record_id: str) -> dict[str, Any] | None:
        return self.reader().get_record(record_id)

    def record_json(self, record_id: str) -> str | None:
        return self.reader().record_json(record_id)

    def similar(self, record_id: str, limit: int = 5) -> list[dict[str, Any]]:
        return self.reader().similar(record_id, limit)

    def suggest(self, q: str, limit: int = 8) -> list[dict[str, Any]]:
        return self.reader().suggest(q, limit)

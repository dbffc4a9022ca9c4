"""The record store of an index version: id -> record JSON and its facet summary, in SQLite.

A fresh build writes one file (`version.Layout.records`). An update or a delete does not copy
it: the new version shares the earlier one's file (a hard link, never written again) and
writes what changed into a small delta beside it (`version.Layout.records_delta`):

    records (id, json, facets)   records added or replaced since the shared file was written
    gone (id)                    ids of the shared file's records replaced or deleted since

A store opened on both reads them as one table: a temporary view named `records` shadows the
shared file's table, so every query on `records` sees the current records. When the delta
reaches 1/FOLD_SHARE of the shared file, the next change folds it into a new full file
instead, so an update copies at most that share of the store. Servers open the files
read-only and immutable.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson

FOLD_SHARE = 16  # a delta this much smaller than its base stays a delta

_TABLE = "(id TEXT PRIMARY KEY, json TEXT NOT NULL, facets TEXT NOT NULL)"
_VIEW = ("CREATE TEMP VIEW records AS "
         "SELECT id, json, facets FROM main.records WHERE id NOT IN (SELECT id FROM delta.gone) "
         "UNION ALL SELECT id, json, facets FROM delta.records")


def _readonly_uri(path: Path) -> str:
    return f"file:{quote(str(path))}?mode=ro&immutable=1"


class RecordStore:
    """id -> record JSON in SQLite; opened read-only by servers.

    With `delta`, the records are the base file's as the delta changes them: read-only
    stores read both; a writable one writes the delta only and never the base."""

    def __init__(self, path: Path, readonly: bool = False, delta: Path | None = None) -> None:
        self.path = path
        self.delta = delta
        if delta is not None:
            self.db = sqlite3.connect(_readonly_uri(path), uri=True, check_same_thread=False)
            if readonly:
                self.db.execute("ATTACH ? AS delta", (_readonly_uri(delta),))
            else:
                self.db.execute("ATTACH ? AS delta", (str(delta),))
                self.db.execute("PRAGMA delta.journal_mode=OFF")
                self.db.execute("PRAGMA delta.synchronous=OFF")
                self.db.execute(f"CREATE TABLE IF NOT EXISTS delta.records {_TABLE}")
                self.db.execute("CREATE TABLE IF NOT EXISTS delta.gone (id TEXT PRIMARY KEY)")
            self.db.execute(_VIEW)
        elif readonly:
            self.db = sqlite3.connect(_readonly_uri(path), uri=True, check_same_thread=False)
        else:
            self.db = sqlite3.connect(path, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=OFF")
            self.db.execute("PRAGMA synchronous=OFF")  # the version is synced once, whole
            self.db.execute(f"CREATE TABLE IF NOT EXISTS records {_TABLE}")

    @classmethod
    def changing(cls, base: Path, delta: Path | None, path: Path, new_delta: Path,
                 link: Callable[[str, str], None]) -> RecordStore:
        """A writable store for a new version, starting from the live version's records
        (`base`, and `delta` when it has one): the base linked at `path` and the delta
        copied to `new_delta`, or, once the delta has grown past its share of the base, a
        full copy at `path` with the delta folded in (and no file at `new_delta`)."""
        delta_bytes = delta.stat().st_size if delta is not None else 0
        if delta_bytes * FOLD_SHARE < base.stat().st_size:
            link(str(base), str(path))
            if delta is not None:
                shutil.copyfile(delta, new_delta)
            return cls(path, delta=new_delta)
        shutil.copyfile(base, path)
        store = cls(path)
        if delta is not None:
            old = sqlite3.connect(_readonly_uri(delta), uri=True)
            try:
                store.delete(rid for (rid,) in old.execute("SELECT id FROM gone"))
                store.put_many(old.execute("SELECT id, json, facets FROM records"))
            finally:
                old.close()
        return store

    def _shadow(self, ids: Iterable[tuple[str]]) -> None:
        # Only ids the base holds are recorded as gone: `count` relies on it.
        self.db.executemany("INSERT OR IGNORE INTO delta.gone "
                            "SELECT id FROM main.records WHERE id = ?", ids)

    def put_many(self, rows: Iterable[tuple[str, str, str]]) -> None:
        if self.delta is None:
            self.db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?)", rows)
            return
        rows = list(rows)
        self.db.executemany("INSERT OR REPLACE INTO delta.records VALUES (?, ?, ?)", rows)
        self._shadow((r[0],) for r in rows)

    def delete(self, ids: Iterable[str]) -> None:
        keys = [(i,) for i in ids]
        if self.delta is None:
            self.db.executemany("DELETE FROM records WHERE id = ?", keys)
            return
        self.db.executemany("DELETE FROM delta.records WHERE id = ?", keys)
        self._shadow(keys)

    def commit(self) -> None:
        self.db.commit()

    def get(self, record_id: str) -> dict[str, Any] | None:
        text = self.get_json(record_id)
        return orjson.loads(text) if text is not None else None

    def get_json(self, record_id: str) -> str | None:
        row = self.db.execute("SELECT json FROM records WHERE id = ?", (record_id,)).fetchone()
        return row[0] if row else None

    def get_many(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(f"SELECT id, json FROM records WHERE id IN ({marks})", ids)
        return {rid: orjson.loads(text) for rid, text in rows}

    def get_many_raw(self, ids: list[str]) -> dict[str, bytes]:
        """id -> stored JSON as UTF-8 bytes, for the ids present: answers and exports embed
        it as it is, with no decode and re-encode."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return dict(self.db.execute(
            f"SELECT id, CAST(json AS BLOB) FROM records WHERE id IN ({marks})", ids))

    def facets_of(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """id -> facet summary, for the ids present."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):  # SQLite's bound on host parameters
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            found.update((rid, json.loads(text)) for rid, text in self.db.execute(
                f"SELECT id, facets FROM records WHERE id IN ({marks})", chunk))
        return found

    def facet_rows(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for rid, text in self.db.execute("SELECT id, facets FROM records"):
            yield rid, json.loads(text)

    def count(self) -> int:
        if self.delta is None:
            return self.db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
        # Counting through the view would read every id of the base.
        base, gone, added = self.db.execute(
            "SELECT (SELECT COUNT(*) FROM main.records), (SELECT COUNT(*) FROM delta.gone), "
            "(SELECT COUNT(*) FROM delta.records)").fetchone()
        return base - gone + added

    def reopen(self) -> RecordStore:
        """Another read-only connection to the same files."""
        return RecordStore(self.path, readonly=True, delta=self.delta)

    def close(self) -> None:
        self.db.close()

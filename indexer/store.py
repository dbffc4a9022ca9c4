"""The record store of an index version: id -> record JSON and its facet summary, in SQLite.

Record JSON is stored compressed with zstd and a dictionary trained on the version's first
records (`meta` table of the base file): Atlas records share most of their keys and
phrases, so the store is about 8x smaller than the JSON, and a record decompresses in a few
microseconds. A stored value that is not a zstd frame is plain JSON (format 2 versions).

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
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
import zstandard as zstd

FOLD_SHARE = 16  # a delta this much smaller than its base stays a delta

# hit: what a result list shows of the record, prepared (`summary.prepared`, JSON).
_TABLE = "(id TEXT PRIMARY KEY, json BLOB NOT NULL, facets TEXT NOT NULL, hit TEXT NOT NULL)"
_META = "(key TEXT PRIMARY KEY, value BLOB)"
Row = tuple[str, str | bytes, str, str]  # id, record JSON, facet JSON, prepared hit JSON
TRAIN_ROWS = 1000  # records the dictionary is trained on (0.04 s)
DICT_BYTES = 64 * 1024
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class Codec:
    """zstd with the store's dictionary (or none); one decompressor per thread, as zstd
    contexts are not shared between threads."""

    def __init__(self, dictionary: bytes | None) -> None:
        self.dictionary = dictionary
        self._dict = zstd.ZstdCompressionDict(dictionary) if dictionary else None
        self._local = threading.local()

    def _tools(self) -> tuple[zstd.ZstdCompressor, zstd.ZstdDecompressor]:
        tools = getattr(self._local, "tools", None)
        if tools is None:
            kw = {"dict_data": self._dict} if self._dict is not None else {}
            tools = self._local.tools = (zstd.ZstdCompressor(level=3, **kw),
                                         zstd.ZstdDecompressor(**kw))
        return tools

    def pack(self, text: str | bytes) -> bytes:
        """A record's JSON as stored; already packed bytes pass through."""
        if isinstance(text, bytes):
            return text
        return self._tools()[0].compress(text.encode("utf-8"))

    def unpack(self, value: bytes | str) -> bytes:
        """Stored value -> JSON as UTF-8 bytes."""
        if isinstance(value, str):  # plain JSON of a format 2 version
            return value.encode("utf-8")
        if value[:4] != _ZSTD_MAGIC:
            return bytes(value)
        return self._tools()[1].decompress(value)


def train(samples: list[str]) -> bytes | None:
    """A dictionary for records like `samples`, or None when they are too few to train."""
    data = [s.encode("utf-8") for s in samples]
    if len(data) < 64:
        return None
    try:
        # Fixed COVER parameters: zstd's search for the best ones costs four times as much
        # for a dictionary compressing 1% better on these records.
        return zstd.train_dictionary(DICT_BYTES, data, k=1024, d=8).as_bytes()
    except zstd.ZstdError:
        return None


_VIEW = ("CREATE TEMP VIEW records AS "
         "SELECT id, json, facets, hit FROM main.records "
         "WHERE id NOT IN (SELECT id FROM delta.gone) "
         "UNION ALL SELECT id, json, facets, hit FROM delta.records")


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
        self._pending: list[Row] | None = None
        has_meta = self.db.execute(
            "SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
        if has_meta:
            row = self.db.execute("SELECT value FROM main.meta WHERE key = 'zstd_dict'"
                                  ).fetchone()
            self.codec = Codec(row[0] if row and row[0] else None)
        elif not readonly and delta is None and not self.count():
            # A fresh store: rows wait until the dictionary is trained on the first ones.
            self.db.execute(f"CREATE TABLE meta {_META}")
            self._pending = []
            self.codec = Codec(None)
        else:
            self.codec = Codec(None)  # a format 2 store: plain JSON, new rows compressed

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
                store.put_many(old.execute("SELECT id, json, facets, hit FROM records"))
            finally:
                old.close()
        return store

    def _shadow(self, ids: Iterable[tuple[str]]) -> None:
        # Only ids the base holds are recorded as gone: `count` relies on it.
        self.db.executemany("INSERT OR IGNORE INTO delta.gone "
                            "SELECT id FROM main.records WHERE id = ?", ids)

    def put_many(self, rows: Iterable[Row]) -> None:
        """Add or replace (id, record JSON, facet JSON, prepared hit JSON) rows; the record
        JSON is compressed here (bytes are taken as already stored values)."""
        if self._pending is not None:
            self._pending.extend(rows)
            if len(self._pending) >= TRAIN_ROWS:
                self._train()
            return
        pack = self.codec.pack
        rows = [(rid, pack(text), facets, hit) for rid, text, facets, hit in rows]
        if self.delta is None:
            self.db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)", rows)
            return
        self.db.executemany("INSERT OR REPLACE INTO delta.records VALUES (?, ?, ?, ?)", rows)
        self._shadow((r[0],) for r in rows)

    def _train(self) -> None:
        """Train the dictionary on the rows waiting, keep it, then store them."""
        pending, self._pending = self._pending or [], None
        dictionary = train([row[1] for row in pending if isinstance(row[1], str)])
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('zstd_dict', ?)", (dictionary,))
        self.codec = Codec(dictionary)
        self.put_many(pending)

    def delete(self, ids: Iterable[str]) -> None:
        keys = [(i,) for i in ids]
        if self.delta is None:
            self.db.executemany("DELETE FROM records WHERE id = ?", keys)
            return
        self.db.executemany("DELETE FROM delta.records WHERE id = ?", keys)
        self._shadow(keys)

    def commit(self) -> None:
        if self._pending is not None:
            self._train()
        self.db.commit()

    def get(self, record_id: str) -> dict[str, Any] | None:
        text = self.get_json(record_id)
        return orjson.loads(text) if text is not None else None

    def get_json(self, record_id: str) -> str | None:
        row = self.db.execute("SELECT json FROM records WHERE id = ?", (record_id,)).fetchone()
        return self.codec.unpack(row[0]).decode("utf-8") if row else None

    def get_many(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        return {rid: orjson.loads(raw) for rid, raw in self.get_many_raw(ids).items()}

    def get_many_raw(self, ids: list[str]) -> dict[str, bytes]:
        """id -> record JSON as UTF-8 bytes, for the ids present: answers and exports embed
        it as it is, with no decode and re-encode."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        unpack = self.codec.unpack
        return {rid: unpack(value) for rid, value in self.db.execute(
            f"SELECT id, json FROM records WHERE id IN ({marks})", ids)}

    def hits_of(self, ids: list[str]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
        """id -> (record, its prepared hit parts), for the ids present (a result page)."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        unpack = self.codec.unpack
        return {rid: (orjson.loads(unpack(value)), orjson.loads(hit))
                for rid, value, hit in self.db.execute(
                    f"SELECT id, json, hit FROM records WHERE id IN ({marks})", ids)}

    def iter_json(self) -> Iterator[tuple[str, bytes]]:
        """(id, record JSON as UTF-8 bytes) of every record, in id order."""
        unpack = self.codec.unpack
        for rid, value in self.db.execute("SELECT id, json FROM records ORDER BY id"):
            yield rid, unpack(value)

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

"""The record store of an index version: id -> record JSON and its facet summary, in SQLite.

Where it lives is `version.Layout.records`. Servers open it read-only and immutable.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson


class RecordStore:
    """id -> record JSON in SQLite; opened read-only by servers."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = path
        if readonly:
            uri = f"file:{path}?mode=ro&immutable=1"
            self.db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        else:
            self.db = sqlite3.connect(path, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=OFF")
            self.db.execute("PRAGMA synchronous=OFF")  # the version is synced once, whole
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS records "
                "(id TEXT PRIMARY KEY, json TEXT NOT NULL, facets TEXT NOT NULL)"
            )

    def put_many(self, rows: Iterable[tuple[str, str, str]]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?)", rows)

    def delete(self, ids: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM records WHERE id = ?", ((i,) for i in ids))

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

    def facet_rows(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for rid, text in self.db.execute("SELECT id, facets FROM records"):
            yield rid, json.loads(text)

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM records").fetchone()[0]

    def close(self) -> None:
        self.db.close()

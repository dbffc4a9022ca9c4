"""The on-disk layout of an index directory, and the record store beside the whoosh index.

    DIR/CURRENT                 name of the live version (replaced atomically)
    DIR/versions/<version>/     one complete, immutable version:
        whoosh/                 the full-text index
        records.sqlite          id -> record JSON (lookups, hits) and facet values
        facets.npz              per-document facet arrays, by whoosh docnum
        meta.json               version, build time, record count

A build writes a new version beside the live one and swaps CURRENT only on success,
so a failed build leaves the old index, and the servers reading it, untouched.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from .errors import IndexUnavailable

CURRENT = "CURRENT"
VERSIONS = "versions"
KEEP_VERSIONS = 3  # the live one and two before it, for readers still finishing a request


def current_version(index_dir: Path) -> Path:
    """The live version directory; raises IndexUnavailable with a clear reason."""
    pointer = index_dir / CURRENT
    if not index_dir.is_dir():
        raise IndexUnavailable(
            f"no index at {index_dir} (run 'atlas build SOURCE --index {index_dir}')")
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except OSError:
        raise IndexUnavailable(
            f"no index at {index_dir} (no {CURRENT} file; run 'atlas build SOURCE --index "
            f"{index_dir}')"
        ) from None
    version = index_dir / VERSIONS / name
    if not name or "/" in name or not (version / "meta.json").is_file():
        raise IndexUnavailable(
            f"corrupt index at {index_dir}: version {name!r} is missing or incomplete")
    return version


def new_version(index_dir: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    path = index_dir / VERSIONS / f"{stamp}-{secrets.token_hex(4)}"
    path.mkdir(parents=True)
    return path


def publish(index_dir: Path, version: Path) -> None:
    """Make `version` the live one with an atomic rename, then prune old versions."""
    tmp = index_dir / f".{CURRENT}.{secrets.token_hex(4)}"
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(version.name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / CURRENT)
    prune(index_dir, keep=version.name)


def prune(index_dir: Path, keep: str) -> None:
    versions = sorted((index_dir / VERSIONS).iterdir(), key=lambda p: p.stat().st_mtime)
    old = [v for v in versions if v.name != keep]
    for path in old[: max(0, len(old) - (KEEP_VERSIONS - 1))]:
        shutil.rmtree(path, ignore_errors=True)


def discard(version: Path) -> None:
    shutil.rmtree(version, ignore_errors=True)


def write_meta(version: Path, meta: dict[str, Any]) -> None:
    (version / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")


def read_meta(version: Path) -> dict[str, Any]:
    return json.loads((version / "meta.json").read_text(encoding="utf-8"))


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
            self.db.execute("PRAGMA synchronous=OFF")
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

    def facet_rows(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for rid, text in self.db.execute("SELECT id, facets FROM records"):
            yield rid, json.loads(text)

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM records").fetchone()[0]

    def close(self) -> None:
        self.db.close()

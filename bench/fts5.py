"""The SQLite FTS5 baseline: the same records and the same query mix, measured in-process.

One FTS5 table over title + free text (`unicode61 remove_diacritics 2`, no stemming), a facet
table beside it, and per query what the engine answers: the total under the filters, the top 20
by bm25 (title weighted like the engine's title boost) with a highlighted snippet each, and
disjunctive facet counts (each facet counted under every filter except its own) for country,
theme, status, partnership_form and start_year, by GROUP BY over the matching rowids.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from indexer.store import RecordStore
from search_app.engine.query.syntax import parse_user_query

from . import summarize
from .queries import WARMUP_QUERIES, Combo

BODY_PARTS = ("context", "history", "objectives_local", "objectives_france", "description")
TITLE_WEIGHT = 3.0  # the engine's TITLE_BOOST
FACETS = ("country", "theme", "status", "partnership_form", "start_year")
FILTER_COLUMNS = {"theme": "theme", "status": "status", "form": "partnership_form"}
TOP = 20

# Small words the engine ignores; FTS5 has no stop list, so the translation drops them.
STOPWORDS = frozenset(
    "le la les de des du un une et en à a au aux pour par sur dans avec ou d l qu j n s c m t"
    .split()
)
_WORD_SPLIT = re.compile(r"[’'\s]+")


# ---------------------------------------------------------------- query translation


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _item(text: str, phrase: bool) -> str | None:
    """An FTS5 string for one item: a phrase as written, or a word without elision/stop word."""
    if phrase:
        return _fts_string(text) if text.strip() else None
    parts = [p for p in _WORD_SPLIT.split(text) if p and p.lower() not in STOPWORDS]
    parts = [p for p in parts if any(ch.isalnum() for ch in p)]
    return _fts_string(" ".join(parts)) if parts else None


def to_match(q: str) -> str | None:
    """The FTS5 MATCH expression for a user query; None when it has no content word.

    Words are AND-ed, `a OR b` joins neighbours into one group, `-word` excludes (FTS5 NOT).
    A query made only of exclusions is treated as browsing (None).
    """
    # The engine's own parser, so both sides read the query syntax the same way.
    uq = parse_user_query(q)
    groups = [g for g in ([i for i in (_item(it.text, it.phrase) for it in group) if i]
                          for group in uq.groups) if g]
    excluded = [i for i in (_item(it.text, it.phrase) for it in uq.excluded) if i]
    if not groups:
        return None
    clauses = [g[0] if len(g) == 1 else "(" + " OR ".join(g) + ")" for g in groups]
    expr = " AND ".join(clauses)
    for item in excluded:
        expr = f"({expr}) NOT {item}"
    return expr


# ---------------------------------------------------------------- the baseline


class Fts5Baseline:
    """An FTS5 database built from an index version's record store."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TEMP TABLE m (rowid INTEGER PRIMARY KEY)")

    def close(self) -> None:
        self.db.close()

    @classmethod
    def build(cls, records: RecordStore, path: Path) -> tuple[Fts5Baseline, dict[str, Any]]:
        """A fresh baseline at `path` from an index version's records; returns it and its
        build figures."""
        started = time.perf_counter()
        for old in (path, path.with_name(path.name + "-journal")):
            old.unlink(missing_ok=True)
        db = sqlite3.connect(path)
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("CREATE VIRTUAL TABLE fts USING fts5(title, body, "
                   "tokenize='unicode61 remove_diacritics 2')")
        db.execute("CREATE TABLE docs (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, title TEXT, "
                   "theme TEXT, status TEXT, partnership_form TEXT, start_year INTEGER)")
        db.execute("CREATE TABLE doc_country (doc INTEGER NOT NULL, code TEXT NOT NULL)")
        rows = 0
        batch: list[dict[str, Any]] = []
        for _, text in records.iter_json():
            batch.append(json.loads(text))
            if len(batch) >= 1000:
                _insert(db, batch, rows)
                rows += len(batch)
                batch = []
        _insert(db, batch, rows)
        rows += len(batch)
        db.execute("CREATE INDEX doc_country_doc ON doc_country (doc, code)")
        db.execute("CREATE INDEX doc_country_code ON doc_country (code, doc)")
        db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        db.commit()
        db.execute("ANALYZE")
        db.commit()
        db.close()
        seconds = time.perf_counter() - started
        figures = {
            "rows": rows,
            "seconds": round(seconds, 3),
            "records_per_s": round(rows / seconds, 1) if seconds else None,
            "db_bytes": path.stat().st_size,
        }
        return cls(path), figures

    # ---- one query

    def search(self, combo: Combo) -> dict[str, Any]:
        """Total, top 20 (id, title, score, snippet) and disjunctive facet counts.

        The matching rowids go to a temp table once; counts are driven from it (CROSS JOIN
        fixes the join order: the planner has no statistics for the temp table)."""
        db = self.db
        match = to_match(combo.q)
        db.execute("DELETE FROM m")
        if match is None:
            db.execute("INSERT INTO m SELECT rowid FROM docs")
        else:
            db.execute("INSERT INTO m SELECT rowid FROM fts WHERE fts MATCH ?", (match,))
        where, args = _where(combo.filters)
        total = db.execute(
            f"SELECT COUNT(*) FROM m CROSS JOIN docs d ON d.rowid = m.rowid WHERE {where}", args
        ).fetchone()[0]
        if match is None:
            top = db.execute(
                f"SELECT d.rowid, d.id, d.title, NULL FROM docs d WHERE {where} "
                f"ORDER BY d.start_year DESC, d.rowid LIMIT {TOP}", args).fetchall()
            snippets: dict[int, str] = {}
        else:
            top = db.execute(
                f"SELECT d.rowid, d.id, d.title, bm25(fts, {TITLE_WEIGHT}, 1.0) AS s "
                f"FROM fts JOIN docs d ON d.rowid = fts.rowid "
                f"WHERE fts MATCH ? AND {where} ORDER BY s LIMIT {TOP}", (match, *args)
            ).fetchall()
            snippets = {}
            if top:
                marks = ",".join("?" * len(top))
                snippets = dict(db.execute(
                    "SELECT rowid, snippet(fts, -1, '<mark>', '</mark>', '…', 24) FROM fts "
                    f"WHERE fts MATCH ? AND rowid IN ({marks})",
                    (match, *(r[0] for r in top))))
        facets = {facet: self._facet(facet, combo.filters) for facet in FACETS}
        return {
            "total": total,
            "hits": [{"id": rid, "title": title, "score": score, "snippet": snippets.get(rowid)}
                     for rowid, rid, title, score in top],
            "facets": facets,
        }

    def _facet(self, facet: str, filters: dict[str, list[str]]) -> list[tuple[Any, int]]:
        own = "form" if facet == "partnership_form" else facet
        where, args = _where({k: v for k, v in filters.items() if k != own})
        if facet == "country":
            sql = ("SELECT c.code, COUNT(*) FROM m CROSS JOIN docs d ON d.rowid = m.rowid "
                   f"CROSS JOIN doc_country c ON c.doc = d.rowid WHERE {where} "
                   "GROUP BY c.code ORDER BY 2 DESC, 1")
        else:
            sql = (f"SELECT d.{facet}, COUNT(*) FROM m CROSS JOIN docs d ON d.rowid = m.rowid "
                   f"WHERE {where} AND d.{facet} IS NOT NULL GROUP BY d.{facet} "
                   "ORDER BY 2 DESC, 1")
        return self.db.execute(sql, args).fetchall()

    # ---- the mix

    def measure(self, combos: Sequence[Combo], rounds: int = 3) -> dict[str, Any]:
        """Latency of every combo, `rounds` times (SQLite keeps no answers between queries)."""
        for q in WARMUP_QUERIES:
            self.search(Combo(q))
        times: list[float] = []
        per_combo: list[dict[str, Any]] = []
        for r in range(max(1, rounds)):
            for combo in combos:
                started = time.perf_counter()
                result = self.search(combo)
                ms = (time.perf_counter() - started) * 1000
                times.append(ms)
                if r == 0:
                    per_combo.append({"query": combo.label(), "ms": round(ms, 3),
                                      "total": result["total"]})
        return {"search": summarize(times), "rounds": rounds, "per_combo": per_combo}


def _insert(db: sqlite3.Connection, records: Iterable[dict[str, Any]], first: int) -> None:
    docs, fts, countries = [], [], []
    for n, rec in enumerate(records, start=first + 1):
        body = "\n".join(rec.get(p) or "" for p in BODY_PARTS)
        docs.append((n, rec["id"], rec.get("title") or "", rec.get("theme"), rec.get("status"),
                     rec.get("partnership_form"), rec.get("start_year")))
        fts.append((n, rec.get("title") or "", body))
        codes = dict.fromkeys(c["code"] for c in rec.get("countries") or [] if c.get("code"))
        countries += [(n, code) for code in codes]
    db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)", docs)
    db.executemany("INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)", fts)
    db.executemany("INSERT INTO doc_country VALUES (?, ?)", countries)


def _where(filters: dict[str, list[str]]) -> tuple[str, list[Any]]:
    """SQL over `docs d` for the filters (values of one facet OR-ed, facets AND-ed)."""
    clauses: list[str] = []
    args: list[Any] = []
    for name in sorted(filters):
        values = filters[name]
        if not values:
            continue
        marks = ",".join("?" * len(values))
        if name == "country":
            clauses.append(f"d.rowid IN (SELECT doc FROM doc_country WHERE code IN ({marks}))")
        elif name in FILTER_COLUMNS:
            clauses.append(f"d.{FILTER_COLUMNS[name]} IN ({marks})")
        else:
            raise ValueError(f"the FTS5 baseline has no filter {name!r}")
        args += values
    return (" AND ".join(clauses) or "1"), args

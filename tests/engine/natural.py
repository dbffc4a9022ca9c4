"""Grading natural questions by the records' structured fields (the rules in the header of
`tests/data/natural_queries.tsv`): nDCG@10 and P@10 through `SearchService`, and the same
questions against a plain SQLite FTS5 bm25 baseline whose words are OR-ed."""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

DATA = Path(__file__).parents[1] / "data"
K = 10


def read_questions(name: str) -> list[tuple[str, dict[str, Any]]]:
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            query, predicates = line.split("\t")
            rows.append((query, json.loads(predicates)))
    return rows


def read_foreign_questions() -> list[tuple[str, str, dict[str, Any]]]:
    """(language, query, predicates) of `foreign_queries.tsv`."""
    rows = []
    for line in (DATA / "foreign_queries.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            language, query, predicates = line.split("\t")
            rows.append((language, query, json.loads(predicates)))
    return rows


def meets(record: dict[str, Any], field: str, wanted: Any) -> bool:
    codes = {c.get("code") for c in record.get("countries") or []}
    if field == "country":
        return wanted in codes
    if field == "region":
        from indexer.regions import members

        return bool(codes & set(members(wanted)))
    if field == "years":
        low, high = wanted
        year = record.get("start_year")
        return year is not None and (low is None or year >= low) and (
            high is None or year <= high)
    key = "partnership_form" if field == "form" else field
    return record.get(key) == wanted


def grade(record: dict[str, Any], predicates: dict[str, str]) -> int:
    met = sum(meets(record, f, v) for f, v in predicates.items())
    if met == len(predicates):
        return 2
    return 1 if met == len(predicates) - 1 and met >= 1 else 0


def _dcg(grades: list[int]) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(grades[:K]))


def scores(ranked: list[int], all_grades: list[int]) -> tuple[float, float]:
    """(nDCG@10, P@10) of a ranked list of grades against the corpus's grades."""
    ideal = _dcg(sorted(all_grades, reverse=True))
    ndcg = _dcg(ranked) / ideal if ideal else 0.0
    return ndcg, sum(1 for g in ranked[:K] if g == 2) / K


def evaluate(questions: list[tuple[str, dict[str, str]]], search: Callable[[str], list[str]],
             records: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Per question: nDCG@10, P@10, P@10 over the best the corpus allows, ids returned."""
    out = []
    for query, predicates in questions:
        all_grades = [grade(r, predicates) for r in records.values()]
        ids = search(query)
        ndcg, p10 = scores([grade(records[i], predicates) for i in ids[:K]], all_grades)
        # The best P@10 the corpus allows: a small corpus may hold fewer than 10 full answers.
        best = min(K, all_grades.count(2)) / K
        out.append({"query": query, "ndcg": ndcg, "p10": p10, "returned": len(ids),
                    "p10_of_best": p10 / best if best else 1.0})
    return out


def mean(rows: list[dict[str, Any]], key: str) -> float:
    return sum(r[key] for r in rows) / len(rows)


# ---- the FTS5 OR anchor

_WORD = re.compile(r"\w+")
_ELIDED = re.compile(r"^(?:[ldjmntsc]|qu|jusqu)['’]", re.IGNORECASE)


def fts5_or_search(db: sqlite3.Connection) -> Callable[[str], list[str]]:
    """Top 10 by bm25 (title weighted 3) with the query's words OR-ed, stop words left out
    (the bench baseline's list)."""
    from bench.fts5 import STOPWORDS, TITLE_WEIGHT

    def search(q: str) -> list[str]:
        words = [_ELIDED.sub("", w) for w in q.split()]
        words = [t for w in words for t in _WORD.findall(w) if t.lower() not in STOPWORDS]
        if not words:
            return []
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        rows = db.execute(
            f"SELECT d.id FROM fts JOIN docs d ON d.rowid = fts.rowid WHERE fts MATCH ? "
            f"ORDER BY bm25(fts, {TITLE_WEIGHT}, 1.0) LIMIT {K}", (match,)).fetchall()
        return [r[0] for r in rows]

    return search

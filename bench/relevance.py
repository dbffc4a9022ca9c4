"""Graded relevance of the place, authority, theme and period questions
(`tests/data/place_queries.tsv`, judged by the records' structured fields): nDCG@10 of atlas
beside the SQLite FTS5 OR baseline and tantivy (French stemmer, when installed) over the same
records, in the same run."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from bench.tantivy_baseline import available, tantivy_search
from indexer.version import current as live_version
from tests.engine.natural import evaluate, fts5_or_search, mean, read_questions

TABLE = "place_queries.tsv"


def place_relevance(index: Path, fts_db: Path) -> dict[str, Any]:
    """Mean nDCG@10 of atlas, FTS5 OR and tantivy (None when not installed), and atlas's
    lowest-scoring query."""
    from search_app.engine.request import SearchParams
    from search_app.engine.service import SearchService

    store = live_version(index).record_store()
    try:
        records = {rid: json.loads(text) for rid, text in store.iter_json()}
    finally:
        store.close()
    questions = read_questions(TABLE)
    service = SearchService(index, cache_size=0)
    db = sqlite3.connect(fts_db)
    try:
        ours = evaluate(questions, lambda q: [h["id"] for h in service.search(
            SearchParams(q=q, size=10))["hits"]], records)
        anchor = evaluate(questions, fts5_or_search(db), records)
        rust = (evaluate(questions, tantivy_search(records.values()), records)
                if available() else None)
    finally:
        db.close()
        service.close()
    worst = min(ours, key=lambda r: r["ndcg"])
    return {"queries": len(questions), "atlas_ndcg10": round(mean(ours, "ndcg"), 3),
            "fts5_or_ndcg10": round(mean(anchor, "ndcg"), 3),
            "tantivy_ndcg10": round(mean(rust, "ndcg"), 3) if rust else None,
            "worst": {"query": worst["query"], "ndcg10": round(worst["ndcg"], 3)}}

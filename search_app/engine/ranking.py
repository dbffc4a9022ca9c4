"""Stage 9, rank: the matching documents in the requested order, only as many as a page needs."""

from __future__ import annotations

import numpy as np

from search_app.engine import fused
from search_app.engine.handle import IndexHandle


def rank(h: IndexHandle, scores: np.ndarray | None, mask: np.ndarray, sort: str, limit: int,
         tier: np.ndarray | None = None) -> list[tuple[int, float | None]]:
    """The first `limit` (docnum, score) pairs in the requested order; by relevance,
    records meeting more of the query's words (`tier`) come first."""
    data = h.data
    if limit < 1:
        return []
    docs = np.flatnonzero(mask)
    if sort == "relevance" and scores is not None:
        # One sort key: the tier outweighs any score (scores are finite and >= 0).
        if tier is not None:
            mine, key = fused.relevance_keys(docs, scores, tier)
        else:
            mine = scores[docs]
            key = mine.astype(np.float64)
        if docs.size > limit:  # only the best `limit` (and their ties) need sorting
            kth = np.partition(key, docs.size - limit)[docs.size - limit]
            keep = key >= kth
            docs, mine, key = docs[keep], mine[keep], key[keep]
        order = np.lexsort((h.id_rank[docs], -key))[:limit]
        return [(int(docs[i]), round(float(mine[i]), 4)) for i in order]
    if sort == "year_asc":
        years = np.where(data.start_year[docs] > 0, data.start_year[docs], 99999)
        order = np.lexsort((h.id_rank[docs], years))
    elif sort in ("end_desc", "end_asc"):
        # Records without an end date come last either way.
        days = data.end_day[docs].astype(np.int64)
        key = np.where(days > 0, -days if sort == "end_desc" else days, np.iinfo(np.int64).max)
        order = np.lexsort((h.id_rank[docs], key))
    elif sort == "funding_desc":
        order = np.lexsort((h.id_rank[docs], -data.funding[docs]))
    else:  # year_desc, and relevance without text
        order = np.lexsort((h.id_rank[docs], -data.start_year[docs]))
    return [(int(d), None) for d in docs[order[:limit]]]

"""Queries in English, Spanish, German, Portuguese and Italian (`tests/data/foreign_queries.tsv`)
through the engine at bench scale, judged by the records' structured fields as the tests judge
them: mean nDCG@10, the share with a right record in the top 3, per language, and the same
with the glossary switched off (``ATLAS_GLOSSARY=off``) as the anchor."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.engine.natural import grade, read_foreign_questions, scores


def _measure(service: Any, records: dict[str, dict[str, Any]]) -> dict[str, Any]:
    from search_app.engine.request import SearchParams

    per: list[tuple[str, float, bool]] = []
    for language, query, predicates in read_foreign_questions():
        all_grades = [grade(r, predicates) for r in records.values()]
        ids = [h["id"] for h in service.search(SearchParams(q=query, size=10))["hits"]]
        grades = [grade(records[i], predicates) for i in ids]
        ndcg, _ = scores(grades, all_grades)
        per.append((language, ndcg, 2 in grades[:3]))
    languages = sorted({lang for lang, _, _ in per})
    return {
        "queries": len(per),
        "ndcg10": round(sum(n for _, n, _ in per) / len(per), 3),
        "top3": round(sum(t for _, _, t in per) / len(per), 3),
        "ndcg10_by_language": {lang: round(sum(n for g, n, _ in per if g == lang)
                                           / sum(1 for g, _, _ in per if g == lang), 3)
                               for lang in languages},
    }


def foreign_queries(index: Path) -> dict[str, Any]:
    """The table's measures on this index, glossary on, then off."""
    from search_app.engine.service import SearchService

    service = SearchService(index, cache_size=0)
    previous = os.environ.get("ATLAS_GLOSSARY")
    try:
        records = {rid: json.loads(t) for rid, t in service.handle().records.iter_json()}
        result = _measure(service, records)
        os.environ["ATLAS_GLOSSARY"] = "off"
        result["glossary_off"] = _measure(service, records)
        return result
    finally:
        if previous is None:
            os.environ.pop("ATLAS_GLOSSARY", None)
        else:
            os.environ["ATLAS_GLOSSARY"] = previous
        service.close()

"""Questions as people type them, ranked through the product path (`SearchService`) on a
generated corpus and graded by the records' structured fields; a plain SQLite FTS5 bm25
baseline (words OR-ed) is measured in the same run as an anchor. Known-item searches (a
record's own title) keep that record on top."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from indexer.fields import fold_value
from search_app.engine.request import SearchParams
from search_app.engine.service import SearchService

from .natural import evaluate, fts5_or_search, mean, read_questions

CORPUS_SIZE = 1200
TABLES = ("natural_queries.tsv", "natural_queries_extra.tsv")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory):
    from bench.fts5 import Fts5Baseline
    from indexer.build import build
    from indexer.generate import generate

    root = tmp_path_factory.mktemp("natural")
    generate(CORPUS_SIZE, seed=3, out_dir=root / "pages")
    report = build([root / "pages"], root / "index", progress=False, workers=1)
    assert not report.failures
    service = SearchService(root / "index")
    store = service.handle().records
    records = {rid: json.loads(text) for rid, text in store.iter_json()}
    baseline, _ = Fts5Baseline.build(store, root / "fts5.sqlite")
    yield service, records, baseline
    baseline.close()
    service.close()


def _atlas(service: SearchService):
    def search(q: str) -> list[str]:
        return [hit["id"] for hit in service.search(SearchParams(q=q, size=10))["hits"]]
    return search


@pytest.mark.parametrize("table", TABLES)
def test_questions_rank_what_they_ask_for(corpus, table: str) -> None:
    service, records, baseline = corpus
    questions = read_questions(table)
    ours = evaluate(questions, _atlas(service), records)
    anchor = evaluate(questions, fts5_or_search(baseline.db), records)
    report = "\n".join(f"{r['ndcg']:.2f} {r['p10']:.1f} (FTS5 OR {a['ndcg']:.2f}) {r['query']}"
                       for r, a in zip(ours, anchor, strict=True))
    print(f"\n{table}: nDCG@10 {mean(ours, 'ndcg'):.3f} P@10 {mean(ours, 'p10'):.3f} "
          f"(of the best possible {mean(ours, 'p10_of_best'):.3f}); "
          f"FTS5 OR nDCG@10 {mean(anchor, 'ndcg'):.3f} P@10 {mean(anchor, 'p10'):.3f}\n{report}")
    assert not [r["query"] for r in ours if r["returned"] == 0]
    assert mean(ours, "ndcg") >= 0.85, report
    assert mean(ours, "ndcg") > mean(anchor, "ndcg"), report
    if table == "natural_queries.tsv":
        assert mean(ours, "p10") >= 0.6, report
    # The written questions ask for rarer combinations (three predicates, small countries):
    # at this corpus size several have fewer than 10 full answers, so P@10 is taken against
    # the best the corpus allows.
    assert mean(ours, "p10_of_best") >= 0.6, report


def test_known_items_stay_on_top(corpus) -> None:
    """A record's own title finds it first (among records titled the same)."""
    service, records, _ = corpus
    same_title = Counter(fold_value(r["title"]) for r in records.values())
    missed = []
    for rid in random.Random(5).sample(sorted(records), 120):
        title = records[rid]["title"]
        ties = same_title[fold_value(title)]
        top = [h["id"] for h in service.search(SearchParams(q=title, size=20))["hits"]][:ties]
        if rid not in top:
            missed.append(title)
    assert not missed


def test_the_tables_are_there() -> None:
    assert len(read_questions("natural_queries.tsv")) >= 7
    assert len(read_questions("natural_queries_extra.tsv")) >= 20
    assert Path(__file__).with_name("natural.py").exists()

"""Bench passes for the Atlas as a network: authority and country pages over HTTP, and what
query-time synonyms add to a search (in-process, the same mix with and without them)."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import orjson

from indexer.store import RecordStore

from . import summarize
from .queries import Combo


def authority_names(records: RecordStore) -> list[str]:
    """Every French authority some record names, read from the version's record store."""
    names = {name for _, raw in records.iter_json()
             for name in orjson.loads(raw).get("french_partners") or () if name}
    return sorted(names)


def network_pages(base_url: str, records: RecordStore, seed: int, sample: int = 150
                  ) -> dict[str, Any]:
    """First visits of authority and country pages, HTML and JSON: `sample` random
    authorities and every country, on one keep-alive connection."""
    from search_app.engine.network import slugify

    rng = random.Random(seed)
    names = authority_names(records)
    chosen = rng.sample(names, min(sample, len(names)))
    timings: dict[str, list[float]] = {"authority_html": [], "authority_api": [],
                                       "country_html": [], "country_api": []}
    errors = 0
    with httpx.Client(base_url=base_url, timeout=120) as http:
        codes = [i["value"] for i in
                 http.get("/api/search", params={"size": 1}).json()["facets"]["country"]]
        urls = [(f"/collectivites/{slugify(n)}", "authority_html") for n in chosen]
        urls += [(f"/api/authorities/{slugify(n)}", "authority_api") for n in chosen]
        urls += [(f"/pays/{c}", "country_html") for c in codes]
        urls += [(f"/api/countries/{c}", "country_api") for c in codes]
        rng.shuffle(urls)
        for url, kind in urls:
            t0 = time.perf_counter()
            r = http.get(url)
            ms = (time.perf_counter() - t0) * 1000
            if r.status_code != 200:
                errors += 1
                continue
            timings[kind].append(ms)
    every = [ms for values in timings.values() for ms in values]
    return {**summarize(every), "errors": errors,
            **{kind: summarize(values) for kind, values in timings.items()}}


def synonyms_cost(index: Path, combos: Sequence[Combo], rounds: int) -> dict[str, Any]:
    """The mix searched with the bundled synonyms and with none (answer cache off), each
    query timed both ways in turn: the p95s and the p95 of what synonyms add."""
    from indexer.synonyms import Synonyms
    from search_app.engine.request import SearchParams
    from search_app.engine.service import SearchService

    with_syn = SearchService(index, cache_size=0)
    without = SearchService(index, cache_size=0, synonyms=Synonyms())
    try:
        on, off, added = [], [], []
        expanded = 0
        for combo in combos:  # warm both: postings and phrase pairs read once
            with_syn.search(SearchParams(q=combo.q, **combo.filters))
            without.search(SearchParams(q=combo.q, **combo.filters))
        for _ in range(max(1, rounds)):
            for combo in combos:
                params = SearchParams(q=combo.q, **combo.filters)
                t0 = time.perf_counter()
                answer = with_syn.search(params)
                t1 = time.perf_counter()
                without.search(params)
                t2 = time.perf_counter()
                on.append((t1 - t0) * 1000)
                off.append((t2 - t1) * 1000)
                added.append(on[-1] - off[-1])
                expanded += bool(answer.get("expanded"))
        with_p95 = summarize(on)["p95_ms"]
        without_p95 = summarize(off)["p95_ms"]
        return {
            "with": summarize(on), "without": summarize(off), "added": summarize(added),
            "added_p95_ms": round(with_p95 - without_p95, 3)
            if with_p95 is not None and without_p95 is not None else None,
            "expanded_queries": expanded, "rules": len(with_syn.synonyms),
        }
    finally:
        with_syn.close()
        without.close()

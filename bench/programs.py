"""The lookup API as programs use it: batch lookups, conditional GETs, the JSON Lines export.

Run against a live `atlas serve` on loopback (bounded request counts). The export is streamed
while the server's memory is sampled, so "RSS flat while streaming" is measured, not assumed.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from . import summarize
from .load import check_loopback

BATCH = 100
CONDITIONAL_URLS = (
    ("/api/search", {"q": "eau"}),
    ("/api/search", {"q": "coopération décentralisée", "country": "SN"}),
    ("/api/search", {}),
    ("/api/suggest", {"q": "bre"}),
)


def batch_lookups(http: httpx.Client, ids: Sequence[str], rounds: int, seed: int
                  ) -> dict[str, Any]:
    """`GET /api/projects?id=…` with 100 random ids, `rounds` times."""
    rng = random.Random(seed)
    times, errors = [], 0
    for _ in range(rounds):
        wanted = rng.sample(list(ids), min(BATCH, len(ids)))
        t0 = time.perf_counter()
        r = http.get("/api/projects", params={"id": wanted})
        ms = (time.perf_counter() - t0) * 1000
        if r.status_code != 200 or [p["id"] for p in r.json()["projects"]] != wanted:
            errors += 1
            continue
        times.append(ms)
    return {**summarize(times), "ids_per_request": min(BATCH, len(ids)), "errors": errors}


def conditional_gets(http: httpx.Client, rounds: int) -> dict[str, Any]:
    """`If-None-Match` with the ETag of an earlier answer: each must be a bodiless 304."""
    tags = []
    for path, params in CONDITIONAL_URLS:
        r = http.get(path, params=params)
        r.raise_for_status()
        tags.append((path, params, r.headers["etag"]))
    times, errors = [], 0
    for i in range(rounds):
        path, params, tag = tags[i % len(tags)]
        t0 = time.perf_counter()
        r = http.get(path, params=params, headers={"If-None-Match": tag})
        ms = (time.perf_counter() - t0) * 1000
        if r.status_code != 304 or r.content:
            errors += 1
            continue
        times.append(ms)
    return {**summarize(times), "errors": errors}


def jsonl_export(base_url: str, rss: Callable[[], float], params: dict[str, Any] | None = None,
                 ) -> dict[str, Any]:
    """Stream `/api/search.jsonl`, count the lines, sample the server's RSS while it streams."""
    params = params or {}
    with httpx.Client(base_url=base_url, timeout=300) as http:
        total = http.get("/api/search", params={**params, "size": 1}).json()["total"]
        before = rss()
        peak, lines, errors = before, 0, 0
        t0 = next_sample = time.perf_counter()
        with http.stream("GET", "/api/search.jsonl", params=params) as r:
            if r.status_code != 200:
                errors += 1
            for chunk in r.iter_bytes():
                lines += chunk.count(b"\n")
                if time.perf_counter() >= next_sample:  # every 20 ms of streaming
                    peak = max(peak, rss())
                    next_sample = time.perf_counter() + 0.02
        seconds = time.perf_counter() - t0
        after = rss()
    if lines != total:
        errors += 1
    return {
        "records": lines,
        "total": total,
        "seconds": round(seconds, 3),
        "records_per_s": round(lines / seconds) if seconds else None,
        "ms_per_10k": round(seconds * 1000 * 10_000 / lines, 1) if lines else None,
        "rss_before_mb": before,
        "rss_peak_mb": peak,
        "rss_after_mb": after,
        "rss_growth_mb": round(max(peak, after) - before, 1),
        "errors": errors,
    }


def program_api(base_url: str, ids: Sequence[str], rss: Callable[[], float], seed: int,
                rounds: int = 200) -> dict[str, Any]:
    """Batch lookup, 304 and export figures for one live server (`rss`: its RSS in MB)."""
    check_loopback(base_url)
    with httpx.Client(base_url=base_url, timeout=60) as http:
        batch_lookups(http, ids, 5, seed + 1)  # each worker opens its record store pages
        batch = batch_lookups(http, ids, rounds, seed)
        not_modified = conditional_gets(http, rounds)
    export = jsonl_export(base_url, rss)
    return {"batch": batch, "not_modified": not_modified, "export": export,
            "errors": batch["errors"] + not_modified["errors"] + export["errors"]}

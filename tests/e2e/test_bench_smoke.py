"""The benchmark machinery end to end on ~300 records: every figure is in the result JSON.

Runs `python -m bench.run` in a subprocess (generate, build, a 2-worker server on a loopback
port, the query passes, a 1 s load test, the FTS5 baseline, the in-process engine, the profile)
with a short mix. Timings are never asserted: only that each figure is there and sane.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SIZE = 300

LATENCY_KEYS = ("n", "p50_ms", "p95_ms", "p99_ms", "mean_ms", "max_ms")


def _latency(summary: dict, name: str) -> None:
    for key in LATENCY_KEYS:
        assert key in summary, f"{name} lacks {key}"
    assert summary["n"] > 0, f"{name} measured nothing"
    assert 0 <= summary["p50_ms"] <= summary["p95_ms"] <= summary["p99_ms"] <= summary["max_ms"]


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str, Path]:
    work = tmp_path_factory.mktemp("bench-work")
    out = tmp_path_factory.mktemp("bench-out")
    cmd = [sys.executable, "-m", "bench.run", "--sizes", str(SIZE), "--work", str(work),
           "--out", str(out), "--duration", "1", "--clients", "4", "--lookups", "20",
           "--updates", "2", "--rounds", "1", "--mix-limit", "24", "--ready-timeout", "60",
           "--quiet-wait", "0"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=170)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads((out / "latest.json").read_text(encoding="utf-8")), done.stdout, out


def test_result_json_has_every_figure(bench_run: tuple[dict, str, Path]) -> None:
    results, _, out = bench_run
    assert results["settings"]["combos"] == 24
    assert results["git"]["commit"]
    res = results["sizes"][str(SIZE)]

    assert res["build"]["indexed"] == SIZE
    assert res["build"]["seconds"] > 0 and res["build"]["records_per_s"] > 0
    assert res["build"]["index_bytes"] > 0
    assert {"whoosh", "records.sqlite", "meta.json"} <= set(res["build"]["index_parts_bytes"])

    server = res["server"]
    assert server["workers"] == 2
    assert len(server["processes"]) >= 3  # the supervisor and two workers
    assert server["rss_ready_mb"] > 0 and server["rss_after_mb"] > 0 and server["pss_after_mb"] > 0

    for name in ("search_uncached", "search_uncached_took", "search_uncached_first_sight",
                 "search_uncached_http_overhead", "search_uncached_without_phrases",
                 "search_cached", "search_cached_took",
                 "lookup"):
        _latency(res[name], name)
    assert res["search_uncached"]["n"] == 24
    assert res["search_uncached"]["cache_violations"] == 0
    assert res["search_uncached"]["errors"] == 0 and res["lookup"]["errors"] == 0
    assert res["search_cached"]["n"] == 24
    _latency(res["connection_probe"]["keepalive_healthz"], "keepalive probe")
    _latency(res["connection_probe"]["fresh_connection_healthz"], "fresh probe")
    assert res["slowest"] and {"query", "ms", "took_ms", "total"} <= set(res["slowest"][0])

    assert 0 <= res["contention"]["passes"]["foreign_cpu_share"] <= 1
    assert 0 <= res["contention"]["load"]["machine_busy_share"] <= 1.05

    load = res["load"]
    assert load["clients"] == 4 and load["errors"] == 0 and load["ok"] > 0
    assert load["throughput_rps"] > 0
    _latency(load["latency"], "load")

    fts = res["fts5"]
    assert fts["build"]["rows"] == SIZE and fts["build"]["seconds"] > 0
    # the same records built from JSON Lines, and the analysis cost against 98aa148
    assert res["build_records"]["indexed"] == SIZE
    assert res["ratios"]["build_records_vs_fts5"] > 0
    relevance = res["relevance"]  # the graded place questions, atlas beside the baselines
    assert relevance["queries"] >= 40
    assert 0 <= relevance["fts5_or_ndcg10"] <= 1 and 0 < relevance["atlas_ndcg10"] <= 1
    assert res["analysis"].get("ratio", 0) > 0 or "skipped" in res["analysis"]
    assert fts["build"]["db_bytes"] > 0
    _latency(fts["search"], "fts5")
    _latency(res["engine_inprocess"]["search"], "engine in-process")
    _latency(res["tantivy"]["search"], "tantivy, interleaved")
    assert res["tantivy"]["search"]["n"] == res["engine_inprocess"]["search"]["n"]
    assert res["tantivy"]["build"]["rows"] == SIZE and res["tantivy"]["build"]["index_bytes"] > 0
    assert res["ratios"]["inprocess_vs_tantivy_p50"] > 0
    assert res["ratios"]["inprocess_vs_tantivy_p95"] > 0
    _latency(res["network_pages"], "authority and country pages")
    assert res["network_pages"]["errors"] == 0
    for kind in ("authority_html", "authority_api", "country_html", "country_api"):
        _latency(res["network_pages"][kind], kind)
    _latency(res["synonyms_cost"]["with"], "synonyms on")
    _latency(res["synonyms_cost"]["without"], "synonyms off")
    assert res["synonyms_cost"]["rules"] > 60

    assert Path(res["profile"]["file"]).is_file()
    assert res["profile"]["slowest"]["top_own_time"]
    assert res["profile"]["slowest_without_phrase"]["queries"]
    _latency(res["api_overhead"]["cached_search_plus_toggle_urls"], "toggle URLs")
    assert len(res["per_combo"]) == 24 and len(res["fts5"]["per_combo"]) == 24
    programs = res["programs"]
    assert programs["errors"] == 0
    assert programs["batch"]["ids_per_request"] == 100
    _latency(programs["batch"], "batch lookup")
    _latency(programs["not_modified"], "304")
    export = programs["export"]
    assert export["records"] == export["total"] == SIZE and export["records_per_s"] > 0
    assert export["rss_before_mb"] > 0 and export["rss_after_mb"] > 0

    keys = {t["key"] for t in res["targets"]}
    assert "errors" in keys
    assert all(t["pass"] for t in res["targets"])  # only the error check applies at 300
    assert results["pass"] is True
    assert (out / f"{results['timestamp']}.json").is_file()
    assert (out / f"{results['timestamp']}.md").is_file()
    assert results["code_changed_during_run"] in (True, False)
    assert set(res["git"]) == {"build", "serve"}


def test_reports_are_written(bench_run: tuple[dict, str, Path]) -> None:
    _, stdout, out = bench_run
    md = (out / "latest.md").read_text(encoding="utf-8")
    assert "| metric | atlas 300 | FTS5 300 |" in md
    assert "search uncached p95, ms" in md and "PASS" in md
    assert "search uncached p95, ms" in stdout and "PASS" in stdout


def test_one_run_per_work_dir(tmp_path: Path) -> None:
    from bench.run import lock_work_dir, main

    held = lock_work_dir(tmp_path)
    assert held is not None
    try:
        assert main(["--sizes", "10", "--work", str(tmp_path), "--out", str(tmp_path)]) == 2
    finally:
        held.close()
    again = lock_work_dir(tmp_path)
    assert again is not None
    again.close()


def test_fts5_translation_and_targets() -> None:
    from bench.fts5 import to_match
    from bench.queries import QUERIES, query_mix
    from bench.run import check_targets

    assert len(QUERIES) >= 40
    combos = query_mix()
    assert len(combos) == 3 * len(QUERIES)
    assert sum(1 for c in combos if c.filters) == 2 * len(QUERIES)
    assert to_match("gestion des déchets") == '"gestion" AND "déchets"'
    assert to_match("eau OR assainissement") == '("eau" OR "assainissement")'
    assert to_match('agriculture -élevage "eau potable"') == \
        '("agriculture" AND "eau potable") NOT "élevage"'
    assert to_match("l'accès à l'eau") == '"accès" AND "eau"'
    assert to_match("les des") is None

    def fake(p95: float, fts_p95: float, update_s: float = 1.0, vs_tantivy: float = 2.0
             ) -> dict:
        return {"search_uncached": {"p95_ms": p95, "errors": 0, "cache_violations": 0},
                "fts5": {"search": {"p95_ms": fts_p95}}, "lookup": {"p95_ms": 1.0, "errors": 0},
                "build": {"seconds": 10.0}, "server": {"rss_max_mb": 100.0},
                "ratios": {"build_vs_fts5": 9.0, "build_records_vs_fts5": 5.0,
                           "http_p95_vs_fts5": round(p95 / fts_p95, 3),
                           "index_vs_fts5": 1.5, "inprocess_vs_tantivy_p50": vs_tantivy,
                           "inprocess_vs_tantivy_p95": vs_tantivy},
                "analysis": {"ratio": 0.9},
                "updates": {"p95_s": update_s, "load_errors": 0},
                "load": {"errors": 0}, "network_pages": {"p95_ms": 25.0},
                "synonyms_cost": {"added_p95_ms": 1.0},
                "programs": {"batch": {"p95_ms": 9.0}, "not_modified": {"p95_ms": 1.5},
                             "export": {"ms_per_10k": 400.0, "rss_growth_mb": 3.0},
                             "errors": 0}}

    verdicts = {t["key"]: t["pass"] for t in check_targets(12_000, fake(12.0, 40.0))}
    assert verdicts == {
        "search_p95": True, "search_p95_vs_fts5": True, "http_p95_vs_fts5": True,
        "lookup_p95": True, "build_s": True,
        "build_vs_fts5": True, "index_vs_fts5": True, "update_s": True,
        "updates_load_errors": True, "analysis_ratio": True, "rss_mb": True,
        "network_pages_p95": True, "inprocess_vs_tantivy_p50": True,
        "inprocess_vs_tantivy_p95": True,
        "synonyms_p95": True, "batch_p95": True, "not_modified_p95": True,
        "export_ms_per_10k": True, "export_rss_growth": True, "errors": True}
    verdicts = {t["key"]: t["pass"] for t in check_targets(12_000, fake(12.0, 30.0,
                                                                        vs_tantivy=2.8))}
    assert verdicts["inprocess_vs_tantivy_p50"] is True  # <= 3x
    assert verdicts["inprocess_vs_tantivy_p95"] is False  # > 2.5x
    # The issue's measure: HTTP p95 at most 0.35x FTS5's at 12,000 (12 / 30 is 0.4).
    assert verdicts["http_p95_vs_fts5"] is False and verdicts["search_p95_vs_fts5"] is True
    verdicts = {t["key"]: t["pass"] for t in check_targets(12_000, fake(12.0, 10.0, 3.0))}
    assert verdicts["search_p95_vs_fts5"] is False and verdicts["search_p95"] is True
    assert verdicts["update_s"] is False
    verdicts = {t["key"]: t["pass"] for t in check_targets(120_000, fake(160.0, 1.0))}
    assert verdicts == {"search_p95": False, "http_p95_vs_fts5": False, "build_s": True,
                        "update_s": True,
                        "updates_load_errors": True, "network_pages_p95": True,
                        "synonyms_p95": True, "errors": True,
                        "inprocess_vs_tantivy_p50": True, "inprocess_vs_tantivy_p95": True}
    verdicts = {t["key"]: t["pass"] for t in check_targets(120_000, fake(16.0, 210.0))}
    assert verdicts["http_p95_vs_fts5"] is True  # 0.076 <= 0.08
    # An error in the cached pass is an error of the run.
    failing = {**fake(12.0, 40.0), "search_cached": {"errors": 1}}
    assert {t["key"]: t["pass"] for t in check_targets(12_000, failing)}["errors"] is False

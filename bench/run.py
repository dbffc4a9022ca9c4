"""`make bench`: build, serve and query the engine at Atlas scale, beside SQLite FTS5 and tantivy.

For each size: generate synthetic pages (cached in the work dir), time `atlas build`, measure
the index on disk, start `atlas serve --workers 2` on a free loopback port, measure its memory,
run the fixed query mix through the HTTP API uncached then cached, look records up, run a
bounded load test, then (server stopped) build and query the FTS5 baseline, build a tantivy
index of the same records and query the engine in-process interleaved with tantivy, combo by
combo (`bench.tantivy_anchor`), and profile the slowest queries. Prints a table and PASS/FAIL
per target; writes JSON and markdown to the results folder. Exit status 1 when a target fails.

    python -m bench.run                      # 12,000 and 120,000 records
    python -m bench.run --quick              # a 2,000-record smoke run
    python -m bench.run --sizes 12000 --out bench/results
"""

from __future__ import annotations

import argparse
import cProfile
import fcntl
import hashlib
import io
import json
import math
import os
import platform
import pstats
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from indexer.sources import expand
from indexer.version import current as live_version
from search_app.engine.warm import read_through

from . import analysis_cost, summarize
from .foreign import foreign_queries
from .fts5 import Fts5Baseline
from .load import run_load
from .network import network_pages, synonyms_cost
from .programs import program_api
from .queries import QUERIES, WARMUP_QUERIES, Combo, query_mix
from .relevance import place_relevance
from .tantivy_anchor import TantivyAnchor
from .treemem import process_tree
from .wire import WireClient

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (12_000, 120_000)
QUICK_SIZE = 2_000
MB = 1_000_000

# (size it applies to, key, label, limit, how to read the value from a size's results)
Target = tuple[int, str, str, float, Callable[[dict[str, Any]], float | None]]


def _get(path: str) -> Callable[[dict[str, Any]], float | None]:
    def read(result: dict[str, Any]) -> float | None:
        value: Any = result
        for part in path.split("."):
            if not isinstance(value, dict) or value.get(part) is None:
                return None
            value = value[part]
        return float(value)

    return read


TARGETS: tuple[Target, ...] = (
    (12_000, "search_p95", "search p95 uncached (HTTP, all facets) <= 16 ms", 16.0,
     _get("search_uncached.p95_ms")),
    (12_000, "search_p95_vs_fts5", "search p95 uncached <= FTS5 baseline p95 (same run)",
     float("nan"), _get("search_uncached.p95_ms")),
    (12_000, "http_p95_vs_fts5", "search p95 uncached (HTTP) <= 0.35x the FTS5 baseline's "
     "p95 (same run)", 0.35, _get("ratios.http_p95_vs_fts5")),
    (12_000, "lookup_p95", "record lookup p95 <= 5 ms", 5.0, _get("lookup.p95_ms")),
    (12_000, "inprocess_vs_tantivy_p50", "engine in-process p50 <= 3x tantivy's (same run)",
     3.0, _get("ratios.inprocess_vs_tantivy_p50")),
    (12_000, "inprocess_vs_tantivy_p95", "engine in-process p95 <= 2.5x tantivy's (same run)",
     2.5, _get("ratios.inprocess_vs_tantivy_p95")),
    (12_000, "build_s", "build <= 12 s", 12.0, _get("build.seconds")),
    (12_000, "build_vs_fts5", "build of the parsed records (JSON Lines) <= 6x the FTS5 baseline "
     "building them (same run)", 6.0, _get("ratios.build_records_vs_fts5")),
    (12_000, "index_vs_fts5", "index on disk <= 2x the FTS5 database", 2.0,
     _get("ratios.index_vs_fts5")),
    (12_000, "update_s", "update of one record (atlas update, p95 of 10, idle server) <= 2 s", 2.0,
     _get("updates.p95_s")),
    (12_000, "updates_load_errors", "0 errors from the load test while 20 updates land", 0.0,
     _get("updates.load_errors")),
    (12_000, "analysis_ratio", "analysis cost per record <= 1.10x that of 98aa148 (same run)",
     1.10, _get("analysis.ratio")),
    (12_000, "rss_mb", "server RSS (parent + workers) <= 300 MB", 300.0, _get("server.rss_max_mb")),
    (12_000, "network_pages_p95", "authority and country pages p95 (HTTP) <= 30 ms", 30.0,
     _get("network_pages.p95_ms")),
    (12_000, "synonyms_p95", "synonyms add <= 2 ms per query at p95", 2.0,
     _get("synonyms_cost.added_p95_ms")),
    (12_000, "batch_p95", "batch lookup of 100 ids p95 <= 15 ms", 15.0,
     _get("programs.batch.p95_ms")),
    (12_000, "not_modified_p95", "304 (If-None-Match) p95 <= 2 ms", 2.0,
     _get("programs.not_modified.p95_ms")),
    (12_000, "export_ms_per_10k", "JSON Lines export >= 20,000 records/s (<= 500 ms / 10,000)",
     500.0, _get("programs.export.ms_per_10k")),
    (12_000, "export_rss_growth", "server RSS while exporting grows <= 25 MB", 25.0,
     _get("programs.export.rss_growth_mb")),
    (120_000, "search_p95", "search p95 uncached (HTTP, all facets) <= 150 ms", 150.0,
     _get("search_uncached.p95_ms")),
    (120_000, "http_p95_vs_fts5", "search p95 uncached (HTTP) <= 0.08x the FTS5 baseline's "
     "p95 (same run)", 0.08, _get("ratios.http_p95_vs_fts5")),
    (120_000, "inprocess_vs_tantivy_p50", "engine in-process p50 <= 3x tantivy's (same run)",
     3.0, _get("ratios.inprocess_vs_tantivy_p50")),
    (120_000, "inprocess_vs_tantivy_p95", "engine in-process p95 <= 2.5x tantivy's (same run)",
     2.5, _get("ratios.inprocess_vs_tantivy_p95")),
    (120_000, "build_s", "build <= 150 s", 150.0, _get("build.seconds")),
    (120_000, "update_s", "update of one record (atlas update, p95 of 10, idle server) <= 5 s", 5.0,
     _get("updates.p95_s")),
    (120_000, "updates_load_errors", "0 errors from the load test while 20 updates land", 0.0,
     _get("updates.load_errors")),
    (120_000, "network_pages_p95", "authority and country pages p95 (HTTP) <= 100 ms", 100.0,
     _get("network_pages.p95_ms")),
    (120_000, "synonyms_p95", "synonyms add <= 2 ms per query at p95", 2.0,
     _get("synonyms_cost.added_p95_ms")),
)


# ---------------------------------------------------------------- small helpers


def atlas_command(*args: str) -> list[str]:
    """`atlas ARGS` run with this interpreter (the same code as the console script)."""
    return [sys.executable, "-m", "search_app.cli", *args]


def disk_usage(path: Path) -> int:
    """Bytes allocated on disk under `path`, like `du` (hard links counted once)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for p in [path, *path.rglob("*")]:
        st = p.lstat()
        if (st.st_dev, st.st_ino) in seen:
            continue
        seen.add((st.st_dev, st.st_ino))
        total += st.st_blocks * 512
    return total


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def git_info() -> dict[str, Any]:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": git("rev-parse", "HEAD") or None,
            "modified_tracked_files": len(status.splitlines()) if status else 0}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- generate and build


def _generator_digest() -> str:
    """Changes when the generator's code or data files change."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "indexer" / "generate").rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json", ".tsv"):
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_pages(work: Path, count: int, seed: int) -> dict[str, Any]:
    """Synthetic pages for `count` records, generated once per (count, seed, generator code)
    and reused."""
    pages = work / f"pages-{count}-seed{seed}"
    marker = work / f"pages-{count}-seed{seed}.complete"
    generator = _generator_digest()
    if marker.is_file() and pages.is_dir():
        try:
            made_by = json.loads(marker.read_text(encoding="utf-8")).get("generator")
        except ValueError:
            made_by = None
        if made_by == generator:
            return {"dir": str(pages), "reused": True, "seconds": None}
    marker.unlink(missing_ok=True)
    shutil.rmtree(pages, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(atlas_command("generate", "--count", str(count), "--seed", str(seed),
                                 "--out", str(pages)), cwd=ROOT, check=True)
    seconds = time.perf_counter() - started
    marker.write_text(json.dumps({"count": count, "seed": seed, "generator": generator}),
                      encoding="utf-8")
    return {"dir": str(pages), "reused": False, "seconds": round(seconds, 2)}


def read_once(folder: Path) -> float:
    """Read the sources a build of `folder` reads, once (the bytes are dropped); the seconds
    it took."""
    started = time.perf_counter()
    read_through(expand([folder]), threading.Event())
    return round(time.perf_counter() - started, 2)


def build_index(pages: Path, index: Path, log_file: Path) -> dict[str, Any]:
    """Time a fresh `atlas build` (wall clock, subprocess) and measure the version on disk."""
    shutil.rmtree(index, ignore_errors=True)
    started = time.perf_counter()
    with log_file.open("w", encoding="utf-8") as fh:
        done = subprocess.run(atlas_command("build", str(pages), "--index", str(index)),
                              cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - started
    output = log_file.read_text(encoding="utf-8", errors="replace")
    if done.returncode != 0:
        raise RuntimeError(f"atlas build failed ({done.returncode}); see {log_file}:\n"
                           + output[-2000:])
    found = re.search(r"indexed (\d+) records, skipped (\d+)", output)
    indexed = int(found.group(1)) if found else None
    version = live_version(index).root
    parts = {p.name: disk_usage(p) for p in sorted(version.iterdir())}
    return {
        "seconds": round(seconds, 2),
        "indexed": indexed,
        "skipped": int(found.group(2)) if found else None,
        "records_per_s": round(indexed / seconds, 1) if indexed and seconds else None,
        "index_bytes": disk_usage(version),
        "index_parts_bytes": parts,
        "version": version.name,
    }


def build_from_records(index: Path, work: Path, size: int) -> dict[str, Any]:
    """Time `atlas build` of the records the FTS5 baseline builds from: the live version's
    record JSON, one line each (written first, not timed), so both builds start from parsed
    records."""
    source = work / f"records-{size}.jsonl"
    records = live_version(index).record_store()
    try:
        with source.open("wb") as fh:
            for _, text in records.iter_json():
                fh.write(text + b"\n")
    finally:
        records.close()
    index = work / f"index-{size}-records"
    try:
        return build_index(source, index, work / f"build-{size}-records.log")
    finally:
        shutil.rmtree(index, ignore_errors=True)
        source.unlink(missing_ok=True)


def record_ids(index: Path) -> list[str]:
    records = live_version(index).record_store()
    try:
        return [row[0] for row in records.db.execute("SELECT id FROM records ORDER BY id")]
    finally:
        records.close()


# ---------------------------------------------------------------- the server


def _status_kb(pid: int, field: str) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
    return int(found.group(1)) if found else 0


def _pss_kb(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    found = re.search(r"^Pss:\s+(\d+) kB", text, re.M)
    return int(found.group(1)) if found else 0


def memory(pid: int) -> dict[str, Any]:
    """RSS summed over the server's process tree (parent + workers), plus PSS and peaks."""
    pids = process_tree(pid)
    procs = []
    for p in pids:
        try:
            cmd = Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
        except OSError:
            continue
        procs.append({"pid": p, "rss_mb": round(_status_kb(p, "VmRSS") * 1024 / MB, 1),
                      "cmd": cmd.strip()})
    return {
        "processes": procs,
        "rss_mb": round(sum(_status_kb(p, "VmRSS") for p in pids) * 1024 / MB, 1),
        "pss_mb": round(sum(_pss_kb(p) for p in pids) * 1024 / MB, 1),
        "peak_rss_mb": round(sum(_status_kb(p, "VmHWM") for p in pids) * 1024 / MB, 1),
    }


def server_rss(pid: int) -> Callable[[], float]:
    """A cheap RSS probe (MB) of the server's processes as they are now: reads only their
    status files, so sampling it while a response streams does not slow the stream."""
    pids = process_tree(pid)
    return lambda: round(sum(_status_kb(p, "VmRSS") for p in pids) * 1024 / MB, 1)


def _jiffies(pid: int | str) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def cpu_snapshot(server_pid: int) -> tuple[float, int, int]:
    """(time, busy jiffies of the whole machine, jiffies of this process + the server tree)."""
    line = Path("/proc/stat").read_text().splitlines()[0].split()
    values = [int(v) for v in line[1:]]
    busy = sum(values) - values[3] - (values[4] if len(values) > 4 else 0)  # minus idle, iowait
    ours = _jiffies("self") + sum(_jiffies(p) for p in process_tree(server_pid))
    return time.time(), busy, ours


def foreign_cpu(before: tuple[float, int, int], after: tuple[float, int, int]
                ) -> dict[str, Any]:
    """CPU used by processes other than the benchmark and its server between two snapshots,
    as a share of the machine: other work on a 2-core box skews latencies."""
    hz = os.sysconf("SC_CLK_TCK")
    elapsed = max(after[0] - before[0], 1e-6)
    busy = (after[1] - before[1]) / hz
    ours = (after[2] - before[2]) / hz
    capacity = elapsed * (os.cpu_count() or 1)
    return {
        "seconds": round(elapsed, 1),
        "machine_busy_share": round(busy / capacity, 3),
        "foreign_cpu_share": round(max(0.0, busy - ours) / capacity, 3),
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
    }


def wait_for_quiet(max_wait_s: float, threshold: float = 0.15, server_pid: int | None = None
                   ) -> dict[str, Any]:
    """Wait (at most `max_wait_s`) until other processes use under `threshold` of the machine
    over a 2 s window, so other work on the box skews the figures less. Returns what it saw."""
    started = time.perf_counter()
    pid = server_pid if server_pid is not None else os.getpid()
    share = 1.0
    while True:
        before = cpu_snapshot(pid)
        time.sleep(2.0)
        share = foreign_cpu(before, cpu_snapshot(pid))["foreign_cpu_share"]
        waited = time.perf_counter() - started
        if share < threshold or waited >= max_wait_s:
            return {"waited_s": round(waited, 1), "foreign_cpu_share": share,
                    "quiet": share < threshold}


class Server:
    """`atlas serve --workers W` on a free loopback port, in its own session."""

    def __init__(self, index: Path, workers: int, log_file: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_file = log_file
        self._log = log_file.open("w", encoding="utf-8")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("ATLAS_API_TOKEN", None)
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            atlas_command("serve", "--index", str(index), "--host", "127.0.0.1",
                          "--port", str(self.port), "--workers", str(workers)),
            cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT, env=env,
            start_new_session=True,
        )

    def wait_ready(self, timeout_s: float) -> float:
        """Seconds until /healthz answers ok."""
        deadline = time.perf_counter() + timeout_s
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"atlas serve exited with {self.proc.returncode}; see "
                                   f"{self.log_file}")
            try:
                r = httpx.get(self.base_url + "/healthz", timeout=5)
                if r.status_code == 200 and r.json().get("status") == "ok":
                    return time.perf_counter() - self.started
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"atlas serve not ready after {timeout_s} s; see {self.log_file}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # the session we started
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
            except ProcessLookupError:
                pass
        self._log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def warm_up(base_url: str, ids: Sequence[str], connections: int = 10) -> None:
    """Open the index in every worker: fresh connections, words outside the mix."""
    for i in range(connections):
        with httpx.Client(base_url=base_url, timeout=120) as http:
            http.get("/healthz").raise_for_status()
            http.get("/api/search", params={"q": WARMUP_QUERIES[i % len(WARMUP_QUERIES)]}
                     ).raise_for_status()
            if ids:
                http.get(f"/api/projects/{ids[i % len(ids)]}").raise_for_status()


def connection_probe(base_url: str, n: int = 20) -> dict[str, Any]:
    """/healthz latency on one keep-alive connection (the passes' client and httpx, alternated)
    vs a fresh connection per request.

    A gap near 40 ms means the server's accepted sockets lack TCP_NODELAY (Nagle's algorithm
    meets the client's delayed ACK on a reused connection)."""
    kept, kept_httpx, fresh = [], [], []
    with WireClient(base_url, timeout=30) as wire, \
            httpx.Client(base_url=base_url, timeout=30) as http:
        wire.get("/healthz")
        http.get("/healthz")
        for _ in range(n):
            t0 = time.perf_counter()
            wire.get("/healthz").raise_for_status()
            kept.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            http.get("/healthz").raise_for_status()
            kept_httpx.append((time.perf_counter() - t0) * 1000)
    for _ in range(n):
        with WireClient(base_url, timeout=30) as wire:
            t0 = time.perf_counter()
            wire.get("/healthz").raise_for_status()
            fresh.append((time.perf_counter() - t0) * 1000)
    return {"keepalive_healthz": summarize(kept), "keepalive_healthz_httpx": summarize(kept_httpx),
            "fresh_connection_healthz": summarize(fresh)}


def uncached_pass(http: WireClient, combos: Sequence[Combo]) -> dict[str, Any]:
    """Each combo once on a server that has not answered it (the answer cache misses):
    client ms, the server's took_ms, and the first combo of each query (its words first
    seen)."""
    out: dict[str, Any] = {"ms": [], "took": [], "overhead": [], "cold": [], "rows": [],
                           "errors": 0, "violations": 0}
    seen_q: set[str] = set()
    for combo in combos:
        t0 = time.perf_counter()
        r = http.get("/api/search", params=combo.params())
        ms = (time.perf_counter() - t0) * 1000
        if r.status_code != 200:
            out["errors"] += 1
            continue
        body = r.json()
        if body.get("cached") is not False:
            out["violations"] += 1
            continue
        out["ms"].append(ms)
        out["took"].append(float(body["took_ms"]))
        out["overhead"].append(ms - float(body["took_ms"]))
        if combo.q not in seen_q:
            out["cold"].append(ms)
            seen_q.add(combo.q)
        out["rows"].append({"query": combo.label(), "ms": round(ms, 2),
                            "took_ms": body["took_ms"], "total": body["total"],
                            "fuzzy": body.get("fuzzy")})
    return out


def fresh_server_passes(index: Path, combos: Sequence[Combo], ids: Sequence[str], rounds: int,
                        args: argparse.Namespace, log_file: Path) -> list[dict[str, Any]]:
    """`rounds` more uncached passes, each on a server started afresh for it (warmed up
    like the first, then the machine left to quiet down): the first pass alone is 150
    searches, which one slow second of this shared machine can tip."""
    passes = []
    for _ in range(rounds):
        with Server(index, args.server_workers, log_file) as server:
            server.wait_ready(args.ready_timeout)
            warm_up(server.base_url, ids)
            wait_for_quiet(args.quiet_wait, server_pid=server.proc.pid)
            with WireClient(server.base_url, timeout=120) as http:
                passes.append(uncached_pass(http, combos))
    return passes


def pooled(passes: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The uncached figures over every pass (per-combo rows: the first pass's)."""
    def every(key: str) -> list[float]:
        return [v for one in passes for v in one[key]]

    ms = every("ms")
    return {
        "search_uncached": {**summarize(ms), "passes": len(passes),
                            "errors": sum(one["errors"] for one in passes),
                            "cache_violations": sum(one["violations"] for one in passes)},
        "search_uncached_passes_p95": [summarize(one["ms"])["p95_ms"] for one in passes],
        "search_uncached_took": summarize(every("took")),
        "search_uncached_first_sight": summarize(every("cold")),
        "search_uncached_http_overhead": summarize(every("overhead")),
        "search_uncached_without_phrases": summarize(
            [row["ms"] for one in passes for row in one["rows"] if '"' not in row["query"]]),
    }


def http_passes(base_url: str, combos: Sequence[Combo], ids: Sequence[str], lookups: int,
                seed: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The mix uncached (each combo once), then cached, then record lookups: one keep-alive
    connection (`bench.wire`), so the cached pass meets the worker that answered the uncached
    one. The cached pass asks each combo again through httpx too (its own connection, which
    may meet the other worker: then it asks again), to show what that client adds. Returns
    the uncached pass (`uncached_pass`) and the other figures."""
    cached, cached_took, cached_httpx = [], [], []
    cached_retries, errors = 0, 0
    with WireClient(base_url, timeout=120) as http, \
            httpx.Client(base_url=base_url, timeout=120) as other:
        first = uncached_pass(http, combos)
        for combo in combos:
            for client, times in ((http, cached), (other, cached_httpx)):
                for _ in range(4):  # a reconnect may land on the other worker: ask again
                    t0 = time.perf_counter()
                    r = client.get("/api/search", params=combo.params())
                    ms = (time.perf_counter() - t0) * 1000
                    if r.status_code != 200:
                        errors += 1
                        break
                    body = r.json()
                    if body.get("cached") is True:
                        times.append(ms)
                        if client is http:
                            cached_took.append(float(body["took_ms"]))
                        break
                    cached_retries += 1
        rng = random.Random(seed)
        sample = [rng.choice(ids) for _ in range(lookups)] if ids else []
        lookup_ms, lookup_errors = [], 0
        for rid in sample:
            t0 = time.perf_counter()
            r = http.get(f"/api/projects/{rid}")
            ms = (time.perf_counter() - t0) * 1000
            if r.status_code == 200 and r.json().get("id") == rid:
                lookup_ms.append(ms)
            else:
                lookup_errors += 1
    rows = sorted(first["rows"], key=lambda row: -row["ms"])
    return first, {
        "search_cached": {**summarize(cached), "retries_on_other_worker": cached_retries,
                          "errors": errors},
        "search_cached_took": summarize(cached_took),
        "search_cached_httpx": summarize(cached_httpx),
        "lookup": {**summarize(lookup_ms), "errors": lookup_errors},
        "slowest": rows[:8],
        "per_combo": rows,
        "mean_total_hits": round(sum(r["total"] for r in rows) / len(rows), 1) if rows else None,
        "zero_hit_queries": sum(1 for r in rows if r["total"] == 0),
    }


# ---------------------------------------------------------------- in-process engine


def _service(index: Path):
    from search_app.engine.service import SearchService

    service = SearchService(index, cache_size=0)  # no answer cache: every search is computed
    for q in WARMUP_QUERIES:
        service.search(_params(Combo(q)))
    return service


def _params(combo: Combo):
    from search_app.engine.request import SearchParams

    return SearchParams(q=combo.q, **combo.filters)


def engine_inprocess(index: Path, combos: Sequence[Combo], rounds: int,
                     anchor: TantivyAnchor | None = None) -> dict[str, Any]:
    """The engine's search in this process, answer cache off (term postings stay cached);
    with `anchor`, tantivy answers each combo right after the engine (interleaved, so both
    meet the same machine), under "anchor"."""
    service = _service(index)
    if anchor is not None:
        for q in WARMUP_QUERIES:
            anchor.search(Combo(q))
    try:
        first, every, anchored = [], [], []
        for r in range(max(1, rounds)):
            for combo in combos:
                params = _params(combo)
                t0 = time.perf_counter()
                service.search(params)
                ms = (time.perf_counter() - t0) * 1000
                every.append(ms)
                if r == 0:
                    first.append(ms)
                if anchor is not None:
                    t0 = time.perf_counter()
                    anchor.search(combo)
                    anchored.append((time.perf_counter() - t0) * 1000)
        out = {"first_round": summarize(first), "search": summarize(every), "rounds": rounds}
        if anchor is not None:
            out["anchor"] = summarize(anchored)
        return out
    finally:
        service.close()


def _anchor_ratios(result: dict[str, Any]) -> dict[str, float | None]:
    """The engine's in-process latency over tantivy's, at p50 and p95 (same run)."""
    ours, theirs = result["engine_inprocess"]["search"], result["tantivy"]["search"]
    return {f"inprocess_vs_tantivy_{p}": round(ours[f"{p}_ms"] / theirs[f"{p}_ms"], 2)
            if ours.get(f"{p}_ms") and theirs.get(f"{p}_ms") else None for p in ("p50", "p95")}


def _top_functions(stats: pstats.Stats, n: int = 15) -> list[dict[str, Any]]:
    raw = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values()) or 1.0
    top = []
    for (filename, line, func), (_, ncalls, tottime, cumtime, _) in sorted(
            raw.items(), key=lambda kv: -kv[1][2])[:n]:
        short = filename.replace(str(ROOT) + "/", "")
        short = re.sub(r".*/site-packages/", "", short)
        top.append({"function": f"{short}:{line}({func})", "calls": ncalls,
                    "own_s": round(tottime, 4), "cum_s": round(cumtime, 4),
                    "own_share": round(tottime / total, 3)})
    return top


def profile_queries(index: Path, groups: dict[str, Sequence[str]], combos: Sequence[Combo],
                    out_file: Path) -> dict[str, Any]:
    """cProfile of the engine's search for groups of combos (by label), each group in a fresh
    service (cold term cache, like the uncached HTTP pass). Full listings go to `out_file`."""
    by_label = {c.label(): c for c in combos}
    report: dict[str, Any] = {"file": str(out_file)}
    text = io.StringIO()
    for name, labels in groups.items():
        chosen = [by_label[label] for label in labels if label in by_label]
        if not chosen:
            continue
        service = _service(index)
        profiler = cProfile.Profile()
        timings = []
        try:
            for combo in chosen:
                params = _params(combo)
                t0 = time.perf_counter()
                profiler.enable()
                service.search(params)
                profiler.disable()
                timings.append({"query": combo.label(),
                                "profiled_ms": round((time.perf_counter() - t0) * 1000, 2)})
        finally:
            service.close()
        stats = pstats.Stats(profiler, stream=text)
        text.write(f"==== {name}: {', '.join(c.label() for c in chosen)}\n")
        stats.sort_stats("cumulative").print_stats(40)
        text.write(f"---- {name}, by own time ----\n")
        stats.sort_stats("tottime").print_stats(20)
        report[name] = {"queries": timings, "top_own_time": _top_functions(stats)}
    out_file.write_text(text.getvalue(), encoding="utf-8")
    return report


def api_overhead(index: Path, combos: Sequence[Combo]) -> dict[str, Any] | None:
    """What /api/search adds to the service's (cached) answer before serialization:
    `add_toggle_urls`, timed over the mix in-process, with its top functions."""
    try:
        from search_app.web.urls import add_toggle_urls
    except ImportError:  # the API's helper moved: nothing to measure here
        return None
    from search_app.engine.service import SearchService

    service = SearchService(index)
    try:
        times: list[float] = []
        profiler = cProfile.Profile()
        for i, combo in enumerate(combos):
            params = _params(combo)
            service.search(params)  # now cached
            t0 = time.perf_counter()
            add_toggle_urls(service.search(params), params)
            times.append((time.perf_counter() - t0) * 1000)
            if i < 20:
                profiler.enable()
                add_toggle_urls(service.search(params), params)
                profiler.disable()
        stats = pstats.Stats(profiler, stream=io.StringIO())
        return {"cached_search_plus_toggle_urls": summarize(times),
                "top_own_time": _top_functions(stats, 8)}
    finally:
        service.close()


# ---------------------------------------------------------------- one size


def run_size(size: int, args: argparse.Namespace, combos: Sequence[Combo], out: Path,
             stamp: str) -> dict[str, Any]:
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    # The tree may change under a long run (other people commit): note the code per phase.
    result: dict[str, Any] = {"records": size, "git": {"build": git_info()}}

    log(f"{size}: pages")
    result["generate"] = ensure_pages(work, size, args.seed)
    pages = Path(result["generate"]["dir"])
    # Pages kept from an earlier run may have left the OS file cache (this host reclaims
    # idle memory: a cold read of the 12,000 pages costs about 2 s of the build). Read once,
    # untimed, they are as warm as the inputs of the two builds compared with this one (the
    # FTS5 baseline's and the JSON Lines build's, written just before they run).
    result["generate"]["read_once_s"] = read_once(pages)

    quiet: dict[str, Any] = {"build": wait_for_quiet(args.quiet_wait)}
    log(f"{size}: atlas build (machine quiet: {quiet['build']})")
    index = work / f"index-{size}"
    result["build"] = build_index(pages, index, work / f"build-{size}.log")
    log(f"{size}: built in {result['build']['seconds']} s")
    ids = record_ids(index)

    log(f"{size}: atlas serve --workers {args.server_workers}")
    result["git"]["serve"] = git_info()
    with Server(index, args.server_workers, work / f"serve-{size}.log") as server:
        ready_s = server.wait_ready(args.ready_timeout)
        warm_up(server.base_url, ids)
        mem_ready = memory(server.proc.pid)
        quiet["passes"] = wait_for_quiet(args.quiet_wait, server_pid=server.proc.pid)
        log(f"{size}: ready in {ready_s:.1f} s, RSS {mem_ready['rss_mb']} MB; query mix "
            f"(machine quiet: {quiet['passes']})")
        cpu_before = cpu_snapshot(server.proc.pid)
        # The first uncached pass is pooled with the passes below.
        first, passes = http_passes(server.base_url, combos, ids, args.lookups, args.seed)
        result.update(passes)
        cpu_passes = cpu_snapshot(server.proc.pid)
        log(f"{size}: authority and country pages")
        records = live_version(index).record_store()
        try:
            result["network_pages"] = network_pages(server.base_url, records, args.seed)
        finally:
            records.close()
        result["connection_probe"] = connection_probe(server.base_url)
        log(f"{size}: batch lookups, conditional GETs, JSON Lines export")
        result["programs"] = program_api(server.base_url, ids, server_rss(server.proc.pid),
                                         args.seed)
        log(f"{size}: load test, {args.clients} clients, {args.duration} s")
        result["load"] = run_load(server.base_url, combos, clients=args.clients,
                                  duration_s=args.duration, max_requests=args.max_requests)
        mem_after = memory(server.proc.pid)
        log(f"{size}: load test while {args.updates} updates land")
        result["updates"] = updates_under_load(server.base_url, combos, index, work, args)
        result["contention"] = {
            "quiet_wait": quiet,
            "passes": foreign_cpu(cpu_before, cpu_passes),
            "load": foreign_cpu(cpu_passes, cpu_snapshot(server.proc.pid)),
        }
        result["server"] = {
            "workers": args.server_workers,
            "ready_s": round(ready_s, 2),
            "rss_ready_mb": mem_ready["rss_mb"],
            "rss_after_mb": mem_after["rss_mb"],
            "rss_max_mb": max(mem_ready["rss_mb"], mem_after["rss_mb"]),
            "pss_after_mb": mem_after["pss_mb"],
            "peak_rss_mb": mem_after["peak_rss_mb"],
            "processes": mem_after["processes"],
        }

    log(f"{size}: {args.rounds - 1} more uncached passes, each on a server started afresh")
    more = fresh_server_passes(index, combos, ids, args.rounds - 1, args,
                               work / f"serve-{size}-again.log")
    result.update(pooled([first, *more]))

    log(f"{size}: FTS5 baseline")
    fts_path = work / f"fts5-{size}.sqlite"
    records = live_version(index).record_store()
    try:
        baseline, figures = Fts5Baseline.build(records, fts_path)
    finally:
        records.close()
    try:
        measured = baseline.measure(combos, rounds=args.rounds)
    finally:
        baseline.close()
    log(f"{size}: graded place questions, atlas beside FTS5 OR")
    result["relevance"] = place_relevance(index, fts_path)
    totals = [row["total"] for row in measured["per_combo"]]
    result["fts5"] = {"build": figures, **measured,
                      "mean_total_hits": round(sum(totals) / len(totals), 1) if totals else None,
                      "zero_hit_queries": sum(1 for t in totals if t == 0)}

    log(f"{size}: atlas build from the same records, parsed (JSON Lines)")
    result["build_records"] = build_from_records(index, work, size)
    result["ratios"] = {
        "build_vs_fts5": round(result["build"]["seconds"] / figures["seconds"], 2)
        if figures.get("seconds") else None,
        "build_records_vs_fts5": round(result["build_records"]["seconds"] / figures["seconds"],
                                       2) if figures.get("seconds") else None,
        "index_vs_fts5": round(result["build"]["index_bytes"] / figures["db_bytes"], 2)
        if figures.get("db_bytes") else None,
        # The measure: atlas through HTTP against FTS5 in process, p95 for p95.
        "http_p95_vs_fts5": round(result["search_uncached"]["p95_ms"]
                                  / measured["search"]["p95_ms"], 3)
        if (measured.get("search") or {}).get("p95_ms") else None,
    }
    if size == min(args.size_list) and args.analysis_baseline:
        log(f"{size}: analysis cost per record against {args.analysis_baseline}")
        try:
            result["analysis"] = analysis_cost.compare(pages, args.analysis_baseline,
                                                       records=min(3000, size))
        except subprocess.CalledProcessError as exc:  # e.g. a clone without that commit
            result["analysis"] = {"skipped": f"{exc.cmd[:3]} failed: "
                                             f"{(exc.stderr or '')[-300:]}"}
    log(f"{size}: tantivy anchor")
    records = live_version(index).record_store()
    try:
        anchor, figures = TantivyAnchor.build(records, work / f"tantivy-{size}")
    finally:
        records.close()
    log(f"{size}: engine in-process, interleaved with tantivy")
    result["engine_inprocess"] = engine_inprocess(index, combos, args.rounds, anchor)
    del anchor
    shutil.rmtree(work / f"tantivy-{size}", ignore_errors=True)
    result["tantivy"] = {"build": figures, "search": result["engine_inprocess"].pop("anchor")}
    result["ratios"].update(_anchor_ratios(result))
    log(f"{size}: synonyms on and off")
    result["synonyms_cost"] = synonyms_cost(index, combos, args.rounds)
    log(f"{size}: foreign-language queries")
    result["foreign_queries"] = foreign_queries(index)
    if args.profile:
        log(f"{size}: profile of the slowest queries")
        rows = result["per_combo"]
        groups = {
            "slowest": [row["query"] for row in rows[:5]],
            "slowest_without_phrase": [row["query"] for row in rows
                                       if '"' not in row["query"]][:5],
        }
        result["profile"] = profile_queries(index, groups, combos,
                                            out / f"profile-{stamp}-{size}.txt")
        result["api_overhead"] = api_overhead(index, combos)
    result["targets"] = check_targets(size, result)
    return result


UPDATES = 20  # while the load test runs (`--updates`)


def _percentile_s(times: list[float], share: float) -> float | None:
    ordered = sorted(times)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))], 3) if ordered else None


def updates_under_load(base_url: str, combos: Sequence[Combo], index: Path, work: Path,
                       args: argparse.Namespace) -> dict[str, Any]:
    """`atlas update` of one record: half of `--updates` one after another on an idle server
    (what an update costs), then `--updates` more while the load test runs (a swap must
    never fail a request; their times show the cost when the machine is saturated)."""
    quiet_count = max(1, args.updates // 2)
    source = work / "update-one.jsonl"
    failures: list[str] = []
    ids: list[str] = []

    def update(n: int) -> float:
        rid = f"bench_update_{n:02d}"
        ids.append(rid)
        source.write_text(json.dumps({
            "id": rid, "title": f"Mise à jour {n} du forage",
            "theme": "Eau et assainissement", "status": "En cours", "start_year": 2020,
            "foreign_partners": [{"name": "Podor", "country": "Sénégal"}],
            "context": "Accès à l'eau potable et assainissement.",
        }, ensure_ascii=False) + "\n", encoding="utf-8")
        started = time.perf_counter()
        done = subprocess.run(atlas_command("update", str(source), "--index", str(index)),
                              cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            failures.append(done.stderr.strip()[-300:])
        return time.perf_counter() - started

    quiet = [update(n) for n in range(quiet_count)]
    loaded: list[float] = []
    thread = threading.Thread(
        target=lambda: loaded.extend(update(quiet_count + n) for n in range(args.updates)))
    thread.start()
    load = run_load(base_url, combos, clients=args.clients, duration_s=args.duration,
                    max_requests=args.max_requests)
    thread.join()
    # The same records as built again, for the baseline and the in-process passes.
    started = time.perf_counter()
    done = subprocess.run(atlas_command("delete", *ids, "--index", str(index)),
                          cwd=ROOT, capture_output=True, text=True)
    delete_s = time.perf_counter() - started
    if done.returncode != 0:
        failures.append(done.stderr.strip()[-300:])
    return {
        "count": len(quiet),
        "p50_s": _percentile_s(quiet, 0.5),
        "p95_s": _percentile_s(quiet, 0.95),
        "max_s": round(max(quiet), 3) if quiet else None,
        "under_load": {"count": len(loaded), "p50_s": _percentile_s(loaded, 0.5),
                       "p95_s": _percentile_s(loaded, 0.95)},
        "delete_all_s": round(delete_s, 3),
        "failures": failures,
        "load_errors": int(load.get("errors") or 0) + len(failures),
        "load": load,
    }


def check_targets(size: int, result: dict[str, Any]) -> list[dict[str, Any]]:
    checks = []
    for applies, key, label, limit, read in TARGETS:
        if applies != size:
            continue
        value = read(result)
        if key == "search_p95_vs_fts5":
            limit = float(result.get("fts5", {}).get("search", {}).get("p95_ms") or "nan")
        known = not math.isnan(limit)
        ok = value is not None and known and value <= limit
        checks.append({"key": key, "target": label, "value": value,
                       "limit": round(limit, 3) if known else None, "pass": ok})
    errors = result["load"]["errors"] + result["search_uncached"]["errors"] \
        + result["search_uncached"]["cache_violations"] + result["lookup"]["errors"] \
        + result.get("search_cached", {}).get("errors", 0) \
        + result.get("programs", {}).get("errors", 0)
    checks.append({"key": "errors", "target": "no errors (load test, passes, lookups, "
                                              "batch, 304, export)",
                   "value": errors, "limit": 0, "pass": errors == 0})
    return checks


# ---------------------------------------------------------------- report

ROWS: tuple[tuple[str, str, str], ...] = (
    # (label, engine path, FTS5 path)
    ("build, s", "build.seconds", "fts5.build.seconds"),
    ("build from parsed records (JSON Lines), s", "build_records.seconds", "fts5.build.seconds"),
    ("build vs FTS5: from pages / from parsed records", "ratios.build_vs_fts5|"
     "ratios.build_records_vs_fts5", ""),
    ("analysis per record, ms: now / 98aa148", "analysis.ms_per_record|"
     "analysis.baseline_ms_per_record", ""),
    ("build, records/s", "build.records_per_s", "fts5.build.records_per_s"),
    ("index on disk, MB", "build.index_bytes", "fts5.build.db_bytes"),
    ("server RSS ready / after load, MB", "server.rss_ready_mb|server.rss_after_mb", ""),
    ("server PSS after load, MB", "server.pss_after_mb", ""),
    ("place questions nDCG@10 (FTS5 column: FTS5 OR / tantivy)", "relevance.atlas_ndcg10",
     "relevance.fts5_or_ndcg10|relevance.tantivy_ndcg10"),
    ("search uncached p50, ms", "search_uncached.p50_ms", "fts5.search.p50_ms"),
    ("search uncached p95, ms", "search_uncached.p95_ms", "fts5.search.p95_ms"),
    ("search uncached p99, ms", "search_uncached.p99_ms", "fts5.search.p99_ms"),
    ("  HTTP p95 / FTS5 p95", "ratios.http_p95_vs_fts5", ""),
    ("  p95 of each uncached pass, ms", "search_uncached_passes_p95", ""),
    ("  first sight of the words p95, ms", "search_uncached_first_sight.p95_ms", ""),
    ("  without the phrase queries p95, ms", "search_uncached_without_phrases.p95_ms", ""),
    ("  server took_ms p50 / p95", "search_uncached_took.p50_ms|search_uncached_took.p95_ms",
     ""),
    ("  client minus took_ms p50 / p95",
     "search_uncached_http_overhead.p50_ms|search_uncached_http_overhead.p95_ms", ""),
    ("search cached p50 / p95 / p99, ms",
     "search_cached.p50_ms|search_cached.p95_ms|search_cached.p99_ms", ""),
    ("  the same through httpx p50 / p95 / p99, ms",
     "search_cached_httpx.p50_ms|search_cached_httpx.p95_ms|search_cached_httpx.p99_ms", ""),
    ("engine in-process p50 / p95, ms", "engine_inprocess.search.p50_ms|"
     "engine_inprocess.search.p95_ms", "fts5.search.p50_ms|fts5.search.p95_ms"),
    ("tantivy in-process p50 / p95, ms (interleaved)", "tantivy.search.p50_ms|"
     "tantivy.search.p95_ms", ""),
    ("engine in-process / tantivy: p50 / p95", "ratios.inprocess_vs_tantivy_p50|"
     "ratios.inprocess_vs_tantivy_p95", ""),
    ("tantivy build (in-process, 1 thread), s", "tantivy.build.seconds", ""),
    ("lookup p50 / p95 / p99, ms", "lookup.p50_ms|lookup.p95_ms|lookup.p99_ms", ""),
    ("authority / country pages p50 / p95, ms", "network_pages.p50_ms|network_pages.p95_ms",
     ""),
    ("synonyms: search p95 on / off, ms", "synonyms_cost.with.p95_ms|"
     "synonyms_cost.without.p95_ms", ""),
    ("in-process: cached search + toggle URLs p50 / p95, ms",
     "api_overhead.cached_search_plus_toggle_urls.p50_ms|"
     "api_overhead.cached_search_plus_toggle_urls.p95_ms", ""),
    ("batch of 100 ids p50 / p95, ms", "programs.batch.p50_ms|programs.batch.p95_ms", ""),
    ("304 revalidation p50 / p95, ms",
     "programs.not_modified.p50_ms|programs.not_modified.p95_ms", ""),
    ("JSON Lines export: records, records/s", "programs.export.records|"
     "programs.export.records_per_s", ""),
    ("  server RSS before / peak / after export, MB", "programs.export.rss_before_mb|"
     "programs.export.rss_peak_mb|programs.export.rss_after_mb", ""),
    ("/healthz keep-alive / fresh conn. p50, ms", "connection_probe.keepalive_healthz.p50_ms|"
     "connection_probe.fresh_connection_healthz.p50_ms", ""),
    ("  keep-alive through httpx p50, ms", "connection_probe.keepalive_healthz_httpx.p50_ms", ""),
    ("load: req/s", "load.throughput_rps", ""),
    ("load: p50 / p95 / p99, ms", "load.latency.p50_ms|load.latency.p95_ms|load.latency.p99_ms",
     ""),
    ("load: errors / requests", "load.errors|load.requests", ""),
    ("other processes' CPU share: passes / load", "contention.passes.foreign_cpu_share|"
     "contention.load.foreign_cpu_share", ""),
    ("foreign-language queries nDCG@10 / right in top 3 / glossary off nDCG@10",
     "foreign_queries.ndcg10|foreign_queries.top3|foreign_queries.glossary_off.ndcg10", ""),
    ("mean hits per query / zero-hit queries", "mean_total_hits|zero_hit_queries",
     "fts5.mean_total_hits|fts5.zero_hit_queries"),
)


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, list):
        return ", ".join(_fmt(v) for v in value) or "–"
    if isinstance(value, float):
        if value >= 1000:
            return f"{value:,.0f}"
        return f"{value:.1f}" if value >= 100 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _cell(result: dict[str, Any], spec: str) -> str:
    if not spec:
        return "–"
    parts = []
    for path in spec.split("|"):
        value: Any = result
        for key in path.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        if path.endswith("_bytes") and isinstance(value, int):
            value = round(value / MB, 1)
        parts.append(_fmt(value))
    return " / ".join(parts)


def table(results: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    header = ["metric"]
    for size in results["sizes"]:
        header += [f"atlas {int(size):,}", f"FTS5 {int(size):,}"]
    rows = []
    for label, engine, fts in ROWS:
        row = [label]
        for size_result in results["sizes"].values():
            row += [_cell(size_result, engine), _cell(size_result, fts)]
        rows.append(row)
    return header, rows


def render_text(results: dict[str, Any]) -> str:
    header, rows = table(results)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.append("")
    lines += _target_lines(results)
    for size, res in results["sizes"].items():
        lines.append(f"slowest uncached queries at {int(size):,} (client ms / server took_ms):")
        for row in res["slowest"][:5]:
            lines.append(f"  {row['ms']:8.1f} / {row['took_ms']:8.1f}  {row['query']}"
                         f"  ({row['total']} hits)")
    return "\n".join(lines)


def _target_lines(results: dict[str, Any]) -> list[str]:
    lines = []
    for size, res in results["sizes"].items():
        for check in res["targets"]:
            verdict = "PASS" if check["pass"] else "FAIL"
            lines.append(f"{verdict}  {int(size):,}: {check['target']}: "
                         f"{_fmt(check['value'])} (limit {_fmt(check['limit'])})")
    return lines


def render_markdown(results: dict[str, Any]) -> str:
    header, rows = table(results)
    m = results["machine"]
    lines = [
        f"Benchmark of {results['timestamp']} ({results['mode']} run; {m['cpus']} CPUs, "
        f"Python {m['python']}; commit {str(results['git']['commit'])[:10]}). Synthetic pages, "
        f"seed {results['settings']['seed']}; {results['settings']['combos']} distinct "
        f"(query, filters) combos from {results['settings']['queries']} French queries; "
        f"HTTP through `atlas serve --workers {results['settings']['server_workers']}` on "
        f"loopback, one keep-alive connection (`http.client`, uncompressed; httpx beside it in "
        f"the cached pass and the probe), the uncached mix {results['settings']['rounds']} "
        f"times, each on a server started afresh; load test {results['settings']['clients']} "
        f"clients for {results['settings']['duration_s']:g} s; FTS5 in-process. "
        "MB = 10^6 bytes.",
        "",
        *(["**The code changed during this run** (commits landed between phases; see "
           "`git` per size in the JSON): columns may measure different code.", ""]
          if results.get("code_changed_during_run") else []),
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines += ["", "Targets:", ""]
    lines += [f"- {line}" for line in _target_lines(results)]
    for size, res in results["sizes"].items():
        lines += ["", f"Slowest uncached queries at {int(size):,} records (client ms / server "
                  "took_ms, hits):", ""]
        lines += [f"- {row['ms']:.1f} / {row['took_ms']:.1f} ms: `{row['query']}` "
                  f"({row['total']} hits)" for row in res["slowest"][:5]]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                   help="comma-separated record counts (default: 12000,120000)")
    p.add_argument("--quick", action="store_true", help=f"one {QUICK_SIZE:,}-record smoke run")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    p.add_argument("--work", type=Path, default=Path("/tmp/atlas-bench"),
                   help="generated pages (reused), indexes, logs (default /tmp/atlas-bench)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--duration", type=float, default=20.0, help="load test seconds")
    p.add_argument("--max-requests", type=int, default=200_000)
    p.add_argument("--lookups", type=int, default=500)
    p.add_argument("--updates", type=int, default=UPDATES,
                   help="one-record updates while the load test runs (half as many before it, "
                        "on the idle server)")
    p.add_argument("--rounds", type=int, default=3,
                   help="rounds over the mix: in-process, FTS5, and uncached HTTP passes "
                        "(each on a server started afresh)")
    p.add_argument("--server-workers", type=int, default=2)
    p.add_argument("--mix-limit", type=int, default=0,
                   help="use only the first N combos of the mix (smoke tests)")
    p.add_argument("--ready-timeout", type=float, default=600.0)
    p.add_argument("--no-profile", dest="profile", action="store_false")
    p.add_argument("--analysis-baseline", default="98aa148",
                   help="commit whose analysis cost per record is the reference (empty: skip)")
    p.add_argument("--quiet-wait", type=float, default=180.0,
                   help="seconds to wait at most for other processes to go quiet before the "
                        "build and before the query passes (0: do not wait)")
    args = p.parse_args(argv)
    if args.quick:
        args.sizes = str(QUICK_SIZE)
        args.duration = min(args.duration, 5.0)
    try:
        args.size_list = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        p.error("--sizes takes comma-separated integers")
    if not args.size_list or min(args.size_list) < 1:
        p.error("--sizes needs at least one positive count")
    args.work = args.work.resolve()
    return args


def lock_work_dir(work: Path):
    """Hold an exclusive lock on the work dir for the run: two runs would rebuild each other's
    indexes and share the CPU. Returns the open lock file, or None when another run holds it."""
    work.mkdir(parents=True, exist_ok=True)
    handle = (work / ".lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    lock = lock_work_dir(args.work)
    if lock is None:
        print(f"bench: another run is using {args.work} (lock {args.work / '.lock'}); "
              "wait for it or pass --work", file=sys.stderr)
        return 2
    try:
        return _run(args)
    finally:
        lock.close()


def _run(args: argparse.Namespace) -> int:
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    combos = query_mix()
    if args.mix_limit > 0:
        combos = combos[:args.mix_limit]
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    results: dict[str, Any] = {
        "schema": 1,
        "timestamp": stamp,
        "mode": "quick" if args.quick else (
            "full" if tuple(args.size_list) == DEFAULT_SIZES else "partial"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "git": git_info(),
        "settings": {"seed": args.seed, "queries": len(QUERIES), "combos": len(combos),
                     "clients": args.clients, "duration_s": args.duration,
                     "lookups": args.lookups, "rounds": args.rounds,
                     "server_workers": args.server_workers},
        "sizes": {},
    }
    for size in args.size_list:
        results["sizes"][str(size)] = run_size(size, args, combos, out, stamp)
    seen = {json.dumps(results["git"], sort_keys=True)} | {
        json.dumps(g, sort_keys=True) for r in results["sizes"].values()
        for g in r["git"].values()}
    results["code_changed_during_run"] = len(seen) > 1
    results["pass"] = all(c["pass"] for r in results["sizes"].values() for c in r["targets"])
    text = json.dumps(results, ensure_ascii=False, indent=1)
    (out / f"{stamp}.json").write_text(text, encoding="utf-8")
    tmp = out / "latest.json.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, out / "latest.json")
    markdown = render_markdown(results)
    (out / f"{stamp}.md").write_text(markdown, encoding="utf-8")
    (out / "latest.md").write_text(markdown, encoding="utf-8")
    print(render_text(results))
    print(f"\nresults: {out / (stamp + '.json')}, {out / 'latest.md'}")
    return 0 if results["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())

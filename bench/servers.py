"""The serving stacks of `atlas serve --http` side by side, in the same run: the query mix
uncached (search p95) and a bounded load test (req/s, p95), on one index.

    python -m bench.servers --size 2000 --rounds 2 --duration 10

Each round starts every stack afresh (`--workers 2`, a cold answer cache) in turn, so a
busy spell of the shared machine falls on each; the best round of each stack is reported
beside the median. Loopback only, bounded by count and time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from . import summarize
from .load import run_load
from .queries import query_mix
from .run import ROOT, atlas_command, ensure_pages, free_port

STACKS = ("httptools", "guarded", "h11")


def serve(index: Path, http: str, log_file: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("ATLAS_API_TOKEN", None)
    with log_file.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            atlas_command("serve", "--index", str(index), "--port", str(port), "--workers", "2",
                          "--http", http),
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"atlas serve --http {http} exited; see {log_file}")
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"atlas serve --http {http} not ready; see {log_file}")


def uncached_pass(base: str, combos: Sequence[Any]) -> dict[str, Any]:
    """Each combo once on one keep-alive connection: answers not cached yet."""
    took: list[float] = []
    with httpx.Client(base_url=base, timeout=60) as http:
        for combo in combos:
            t0 = time.perf_counter()
            r = http.get("/api/search", params=combo.params())
            if r.status_code == 200:
                took.append((time.perf_counter() - t0) * 1000)
    return summarize(took)


def one(index: Path, http: str, combos: Sequence[Any], args: argparse.Namespace,
        work: Path) -> dict[str, Any]:
    proc, base = serve(index, http, work / f"serve-{http}.log")
    try:
        uncached = uncached_pass(base, combos)
        load = run_load(base, combos, clients=args.clients, duration_s=args.duration,
                        max_requests=args.max_requests)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    return {"search_uncached_p95_ms": uncached["p95_ms"],
            "load_rps": load["throughput_rps"], "load_p95_ms": load["latency"]["p95_ms"],
            "load_errors": load["errors"]}


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.servers", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", type=int, default=2000, help="records (at most 12,000)")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--duration", type=float, default=10.0, help="load seconds per stack")
    p.add_argument("--max-requests", type=int, default=50_000)
    p.add_argument("--work", type=Path, default=Path("/tmp/atlas-bench"))
    p.add_argument("--stacks", default=",".join(STACKS))
    args = p.parse_args(argv)
    size = min(args.size, 12_000)
    args.work.mkdir(parents=True, exist_ok=True)
    pages = Path(ensure_pages(args.work, size, 1)["dir"])
    index = args.work / f"servers-index-{size}"
    if not (index / "CURRENT").exists():
        subprocess.run(atlas_command("build", str(pages), "--index", str(index)), cwd=ROOT,
                       check=True, capture_output=True)
    combos = query_mix()
    stacks = args.stacks.split(",")
    runs: dict[str, list[dict[str, Any]]] = {s: [] for s in stacks}
    for r in range(args.rounds):
        for http in (stacks if r % 2 == 0 else stacks[::-1]):
            runs[http].append(one(index, http, combos, args, args.work))
            print(f"round {r + 1} {http}: {runs[http][-1]}", file=sys.stderr)
    report = {}
    for http, results in runs.items():
        report[http] = {
            key: {"median": statistics.median(x[key] for x in results),
                  "best": (max if key == "load_rps" else min)(x[key] for x in results)}
            for key in ("search_uncached_p95_ms", "load_rps", "load_p95_ms")}
        report[http]["errors"] = sum(x["load_errors"] for x in results)
    print(json.dumps({"size": size, "rounds": args.rounds, "clients": args.clients,
                      "duration_s": args.duration, "stacks": report}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

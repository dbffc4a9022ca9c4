"""The serving stacks of `atlas serve --http` side by side, in the same run: the query mix
uncached (search p95) and a bounded load test (req/s, p95), on one index.

    python -m bench.servers --size 2000 --slices 6 --slice-seconds 4

Every stack runs at once (`--workers 2` each, a cold answer cache), and they take turns:
the uncached pass asks each combo of each stack in a rotating order, and the load test is
cut into short slices, stack after stack, round after round. On a shared machine, a busy
spell then falls on every stack alike. Loopback only, bounded by count and time.
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
from .run import ROOT, _jiffies, atlas_command, ensure_pages, free_port, process_tree

STACKS = ("httptools", "guarded", "h11")


def serve(index: Path, http: str, log_file: Path) -> tuple[subprocess.Popen, str]:
    """`atlas serve --http HTTP --workers 2` on a free loopback port, once it answers."""
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


def cpu_ms(pid: int) -> float:
    """CPU time (user + system) of a server's process tree, in milliseconds: unlike
    latencies, hardly moved by what else runs on a shared machine."""
    return sum(_jiffies(p) for p in process_tree(pid)) * 1000 / os.sysconf("SC_CLK_TCK")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def interleaved_uncached(bases: dict[str, str], combos: Sequence[Any]) -> dict[str, Any]:
    """Each combo once per stack (answers not cached yet), stacks in a rotating order."""
    took: dict[str, list[float]] = {name: [] for name in bases}
    clients = {name: httpx.Client(base_url=base, timeout=60) for name, base in bases.items()}
    names = list(bases)
    try:
        for i, combo in enumerate(combos):
            for name in names[i % len(names):] + names[:i % len(names)]:
                t0 = time.perf_counter()
                r = clients[name].get("/api/search", params=combo.params())
                if r.status_code == 200:
                    took[name].append((time.perf_counter() - t0) * 1000)
    finally:
        for client in clients.values():
            client.close()
    return {name: summarize(values) for name, values in took.items()}


def healthz_load(base: str, pid: int, seconds: float, clients: int = 4) -> dict[str, Any]:
    """`/healthz` from `clients` keep-alive connections for `seconds`: next to no app work,
    so the server CPU per request is mostly the HTTP layer's (the stacks' difference)."""
    import threading

    counts = [0] * clients
    deadline = time.perf_counter() + seconds

    def client(i: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as http:
            while time.perf_counter() < deadline:
                if http.get("/healthz").status_code == 200:
                    counts[i] += 1

    before = cpu_ms(pid)
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    done = sum(counts)
    return {"requests": done, "cpu_ms_per_request": (cpu_ms(pid) - before) / max(1, done)}


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.servers", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", type=int, default=2000, help="records (at most 12,000)")
    p.add_argument("--slices", type=int, default=6, help="load slices per stack")
    p.add_argument("--slice-seconds", type=float, default=4.0)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--max-requests", type=int, default=20_000, help="per slice")
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
    procs: dict[str, subprocess.Popen] = {}
    bases: dict[str, str] = {}
    try:
        for name in stacks:
            procs[name], bases[name] = serve(index, name, args.work / f"serve-{name}.log")
        uncached = interleaved_uncached(bases, combos)
        slices: dict[str, list[dict[str, Any]]] = {name: [] for name in stacks}
        light: dict[str, list[dict[str, Any]]] = {name: [] for name in stacks}
        for r in range(args.slices):
            for name in (stacks if r % 2 == 0 else stacks[::-1]):
                before = cpu_ms(procs[name].pid)
                load = run_load(bases[name], combos, clients=args.clients,
                                duration_s=args.slice_seconds, max_requests=args.max_requests)
                load["cpu_ms_per_request"] = (cpu_ms(procs[name].pid) - before) / max(
                    1, load["requests"])
                slices[name].append(load)
                light[name].append(healthz_load(bases[name], procs[name].pid,
                                                args.slice_seconds / 2))
                print(f"slice {r + 1} {name}: {load['throughput_rps']} req/s, p95 "
                      f"{load['latency']['p95_ms']} ms", file=sys.stderr)
    finally:
        for proc in procs.values():
            stop(proc)
    report = {}
    for name in stacks:
        done = slices[name]
        report[name] = {
            "search_uncached_p95_ms": uncached[name]["p95_ms"],
            "search_uncached_p50_ms": uncached[name]["p50_ms"],
            "load_rps_median": statistics.median(x["throughput_rps"] for x in done),
            "load_p95_ms_median": statistics.median(x["latency"]["p95_ms"] for x in done),
            "load_errors": sum(x["errors"] for x in done),
            "healthz_cpu_ms_per_request": round(
                sum(x["cpu_ms_per_request"] * x["requests"] for x in light[name])
                / max(1, sum(x["requests"] for x in light[name])), 4),
            "server_cpu_ms_per_request": round(
                sum(x["cpu_ms_per_request"] * x["requests"] for x in done)
                / max(1, sum(x["requests"] for x in done)), 3),
        }
    base = report.get("httptools")
    if base:
        for row in report.values():
            row["vs_httptools"] = {
                "search_uncached_p95": round(row["search_uncached_p95_ms"]
                                             / base["search_uncached_p95_ms"] - 1, 3),
                "load_rps": round(row["load_rps_median"] / base["load_rps_median"] - 1, 3),
                "load_p95": round(row["load_p95_ms_median"] / base["load_p95_ms_median"] - 1, 3),
                "server_cpu_per_request": round(row["server_cpu_ms_per_request"]
                                                / base["server_cpu_ms_per_request"] - 1, 3)}
    print(json.dumps({"size": size, "slices": args.slices, "slice_seconds": args.slice_seconds,
                      "clients": args.clients, "stacks": report}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A bounded loopback load test: N concurrent keep-alive clients over the query mix.

Each client is a thread with its own `httpx.Client` (its own connection, so the kernel spreads
clients over the server's workers). Clients walk the mix from different offsets, so answers are
cached or not as it falls. Bounded by time and by a request cap; loopback addresses only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from . import summarize
from .queries import Combo

LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_CLIENTS = 64
MAX_DURATION_S = 120.0


def check_loopback(base_url: str) -> None:
    host = urlsplit(base_url).hostname
    if host not in LOOPBACK:
        raise ValueError(f"the load test only targets loopback addresses, not {host!r}")


def run_load(base_url: str, combos: Sequence[Combo], clients: int = 16,
             duration_s: float = 20.0, max_requests: int = 200_000,
             timeout_s: float = 30.0) -> dict[str, Any]:
    """Throughput, latency percentiles, errors and cached share of a bounded load run."""
    check_loopback(base_url)
    if not combos:
        raise ValueError("empty query mix")
    clients = max(1, min(clients, MAX_CLIENTS))
    duration_s = max(0.1, min(duration_s, MAX_DURATION_S))
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    counters = {"sent": 0, "cached": 0}
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def take_slot() -> bool:
        with lock:
            if counters["sent"] >= max_requests:
                return False
            counters["sent"] += 1
            return True

    def client(worker: int) -> None:
        mine: list[float] = []
        my_errors: list[str] = []
        cached = 0
        offset = (worker * 7919) % len(combos)
        with httpx.Client(base_url=base_url, timeout=timeout_s) as http:
            start.wait()
            i = 0
            while time.perf_counter() < deadline[0] and take_slot():
                combo = combos[(offset + i) % len(combos)]
                i += 1
                t0 = time.perf_counter()
                try:
                    response = http.get("/api/search", params=combo.params())
                    body = response.json() if response.status_code == 200 else None
                except Exception as exc:  # every failure counts; the run goes on
                    my_errors.append(f"{type(exc).__name__}: {exc}"[:200])
                    continue
                elapsed = (time.perf_counter() - t0) * 1000
                if body is None:
                    my_errors.append(f"HTTP {response.status_code} for {combo.label()}")
                    continue
                mine.append(elapsed)
                cached += bool(body.get("cached"))
        with lock:
            latencies.extend(mine)
            errors.extend(my_errors)
            counters["cached"] += cached

    threads = [threading.Thread(target=client, args=(w,), daemon=True) for w in range(clients)]
    for t in threads:
        t.start()
    deadline[0] = time.perf_counter() + duration_s
    began = time.perf_counter()
    start.wait()
    for t in threads:
        t.join(duration_s + timeout_s + 30)
    elapsed_s = time.perf_counter() - began
    ok = len(latencies)
    return {
        "clients": clients,
        "duration_s": round(elapsed_s, 3),
        "requests": ok + len(errors),
        "ok": ok,
        "errors": len(errors),
        "error_samples": errors[:5],
        "throughput_rps": round(ok / elapsed_s, 1) if elapsed_s else None,
        "cached_fraction": round(counters["cached"] / ok, 3) if ok else None,
        "latency": summarize(latencies),
    }

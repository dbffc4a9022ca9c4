"""What an operator watches: request ids, the access log (text or JSON lines), Prometheus metrics.

Metrics use `prometheus-client`. With several uvicorn workers, `atlas serve` sets
`PROMETHEUS_MULTIPROC_DIR` (a fresh temporary folder) before the workers start, so that each
worker's counters land in files there and `/metrics`, whichever worker answers it, adds them
up (prometheus-client's multiprocess mode). The index facts (live version, records, age) are
read when scraped, from the answering worker: every worker serves the same live version.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import orjson
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from search_app.web.middleware import ACCESS_LOGGER

REQUEST_ID_HEADER = "x-request-id"
# A client's id is kept when it is short and plain (it is echoed and logged).
_CLIENT_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

REQUESTS = Counter("atlas_http_requests_total", "HTTP requests answered",
                   ["method", "route", "status"])
DURATION = Histogram("atlas_http_request_duration_seconds", "Time to answer a request",
                     ["method", "route", "status"],
                     buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
SEARCHES = Counter("atlas_searches_total", "Searches answered (API and pages)")
ZERO_RESULTS = Counter("atlas_zero_result_searches_total", "Searches that found nothing")
TYPO_ANSWERS = Counter("atlas_typo_answers_total",
                       "Searches answered with typo tolerance or a spelling suggestion")
RELAXED_ANSWERS = Counter("atlas_relaxed_answers_total",
                          "Searches answered by dropping words (not every word matched)")
EXPORTS = Counter("atlas_exports_total", "Exports started", ["format"])


def count_search(result: dict[str, Any]) -> None:
    """Counts one search answer by its kind."""
    SEARCHES.inc()
    if not result.get("total"):
        ZERO_RESULTS.inc()
    if result.get("fuzzy") or result.get("suggestion"):
        TYPO_ANSWERS.inc()
    if result.get("relaxed"):
        RELAXED_ANSWERS.inc()


class IndexFacts(Collector):
    """The live version, its record count and age, read from the service when scraped."""

    def __init__(self, service_of: Any) -> None:
        self.service_of = service_of

    def collect(self) -> Iterator[GaugeMetricFamily]:
        info = GaugeMetricFamily("atlas_live_version_info", "The live index version",
                                 labels=["version"])
        records = GaugeMetricFamily("atlas_live_records", "Records in the live version")
        age = GaugeMetricFamily("atlas_live_version_age_seconds",
                                "Seconds since the live version was built")
        try:
            stats = self.service_of().stats()
        except Exception:  # noqa: BLE001 - no index yet: the families stay empty
            stats = {}
        if stats.get("version"):
            info.add_metric([str(stats["version"])], 1)
            records.add_metric([], float(stats.get("records") or 0))
            built = _parse_time(stats.get("built_at"))
            if built is not None:
                age.add_metric([], max(0.0, time.time() - built))
        yield info
        yield records
        yield age


def _parse_time(value: Any) -> float | None:
    try:
        stamp = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.timezone.utc)
    return stamp.timestamp()


def render_metrics(service_of: Any) -> tuple[bytes, str]:
    """The Prometheus text exposition of every worker's counters plus the index facts."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
        registry.register(IndexFacts(service_of))
        return generate_latest(registry), CONTENT_TYPE_LATEST
    registry.register(IndexFacts(service_of))
    return generate_latest(REGISTRY) + generate_latest(registry), CONTENT_TYPE_LATEST


def _route_of(scope: dict[str, Any], path: str) -> str:
    """The route template (`/api/projects/{project_id}`), never the raw path: bounded labels.
    Noted in the shared `state` by the innermost middleware (app.ServerErrors); `path` is
    the request's path under the root path."""
    noted = (scope.get("state") or {}).get("route")
    if noted:
        return str(noted)
    return "/static" if path.startswith("/static/") else "unmatched"


class RequestLog:
    """Outermost middleware: request id, access log line, request metrics (plain ASGI).

    The id is the client's `X-Request-ID` when plain and short, else a new one; it is echoed
    in the answer's `X-Request-ID` and kept in `request.state.request_id` for error pages."""

    def __init__(self, app: Any, log_format: str = "text",
                 logger: logging.Logger | None = None) -> None:
        self.app = app
        self.json = log_format == "json"
        self.logger = logger or logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope.get("headers") or ())
        given = headers.get(b"x-request-id", b"").decode("latin-1").strip()
        request_id = given if _CLIENT_ID.fullmatch(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        # Read now: routing rewrites the scope's root path on its way down (mounts).
        path = scope.get("path", "").removeprefix(scope.get("root_path", ""))
        status = 0
        sent = 0

        async def send_wrapper(message: dict[str, Any]) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [
                    *(h for h in message.get("headers", []) if h[0].lower() != b"x-request-id"),
                    (b"x-request-id", request_id.encode())]}
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            status = status or 500
            route = _route_of(scope, path)
            labels = (scope["method"], route, str(status))
            REQUESTS.labels(*labels).inc()
            DURATION.labels(*labels).observe(elapsed)
            if self.logger.isEnabledFor(logging.INFO):
                self._log(scope, headers, request_id, status, sent, elapsed)

    def _log(self, scope: dict[str, Any], headers: dict[bytes, bytes], request_id: str,
             status: int, sent: int, elapsed: float) -> None:
        path = scope.get("path", "")
        if scope.get("query_string"):
            path += "?" + scope["query_string"].decode("latin-1")
        client = (scope.get("client") or ("-",))[0]
        if self.json:
            self.logger.info(orjson.dumps({
                "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
                "request_id": request_id,
                "client": client,
                "method": scope["method"],
                "path": path,
                "status": status,
                "bytes": sent,
                "duration_ms": round(elapsed * 1000, 2),
                "user_agent": headers.get(b"user-agent", b"").decode("latin-1"),
            }).decode())
        else:
            self.logger.info('%s "%s %s" %d %dB [%s] %.1f ms', client, scope["method"], path,
                             status, sent, request_id, elapsed * 1000)

"""Plain ASGI middleware (no per-request task): HEAD on every GET route, an access log,
errors answered inside the stack, relative redirects, and a cap on concurrent exports."""

from __future__ import annotations

import atexit
import logging
import queue
import sys
from logging.handlers import QueueHandler, QueueListener
from typing import Any
from urllib.parse import urlsplit

ACCESS_LOGGER = "atlas.access"
ERROR_LOGGER = "atlas.error"

Scope = dict[str, Any]


class HeadAsGet:
    """Answers `HEAD` on every GET route: the GET's status and headers, without its body.

    FastAPI routes serve only the methods they declare; uptime monitors and link checkers
    send HEAD. A 405's `Allow` header then lists HEAD beside GET.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}

        async def send_wrapper(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                message = {**message, "headers": [_allow_head(k, v)
                                                  for k, v in message.get("headers", [])]}
            elif head and message["type"] == "http.response.body":
                if message.get("more_body"):
                    return  # the rest of a streamed body: not sent
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app(scope, receive, send_wrapper)


def _allow_head(name: bytes, value: bytes) -> tuple[bytes, bytes]:
    if name.lower() == b"allow":
        methods = [m.strip() for m in value.decode("latin-1").split(",") if m.strip()]
        if "GET" in methods and "HEAD" not in methods:
            methods.append("HEAD")
        return name, ", ".join(methods).encode("latin-1")
    return name, value


class _DroppingQueueHandler(QueueHandler):
    """Hands records to the writer thread; when it is far behind (stderr is a pipe nobody
    reads), drops the line rather than stall the request."""

    def enqueue(self, record: logging.LogRecord) -> None:
        try:
            self.queue.put_nowait(record)
        except queue.Full:
            pass


def _through_queue(logger: logging.Logger, handlers: list[logging.Handler],
                   backlog: int) -> None:
    """`logger` hands its records to a thread that writes them with `handlers`: a slow or
    full stderr (a pipe nobody reads) never blocks the event loop; at worst, past `backlog`
    waiting records, new ones are dropped."""
    records: queue.Queue = queue.Queue(maxsize=backlog)
    listener = QueueListener(records, *handlers, respect_handler_level=True)
    listener.start()
    atexit.register(listener.stop)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.addHandler(_DroppingQueueHandler(records))


def log_access_to_stderr(backlog: int = 10_000, json_lines: bool = False) -> None:
    """Send the access log to stderr (what `atlas serve` does), once per process; lines are
    written by a thread of their own (see `_through_queue`)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if logger.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    # JSON lines carry their own time: the line is the object, nothing around it.
    handler.setFormatter(logging.Formatter("%(message)s" if json_lines
                                           else "%(asctime)s %(message)s"))
    _through_queue(logger, [handler], backlog)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def log_errors_to_stderr(backlog: int = 1_000) -> None:
    """Tracebacks (`atlas.error`) and uvicorn's own messages to stderr through a queue, once
    per process: a few errors with nobody draining stderr used to block every request."""
    logger = logging.getLogger(ERROR_LOGGER)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        _through_queue(logger, [handler], backlog)
        logger.setLevel(logging.ERROR)
        logger.propagate = False
    for name in ("uvicorn.error", "uvicorn"):
        other = logging.getLogger(name)
        plain = [h for h in other.handlers if not isinstance(h, QueueHandler)]
        if plain:
            _through_queue(other, plain, backlog)


class CatchErrors:
    """An exception a route lets escape: its traceback to `atlas.error` (never blocking, see
    `log_errors_to_stderr`) and the answer `render(scope)` makes (the HTML error page for
    pages, JSON for the API), sent from inside the middleware stack so it carries the
    security headers like any other answer. Starlette's last-resort handler and uvicorn's
    answer plain text without them and print the traceback on the event loop."""

    def __init__(self, app: Any, render: Any) -> None:
        self.app = app
        self.render = render
        self.logger = logging.getLogger(ERROR_LOGGER)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_wrapper(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:  # noqa: BLE001 - answered and logged here, on purpose
            self.logger.exception("%s %s", scope.get("method"), scope.get("path"))
            if started:  # too late for an error answer: cut the stream short
                raise
            await self.render(scope)(scope, receive, send)


EXPORT_PATHS = frozenset({"/api/search.jsonl", "/api/search.csv", "/api/search.xlsx",
                          "/telechargements/recherche.jsonl", "/telechargements/recherche.csv",
                          "/telechargements/recherche.xlsx"})
EXPORT_RETRY_AFTER = 10  # seconds: an export of the whole index takes a few


class ExportLimit:
    """At most `limit` exports at once in this process; beyond it, `503` with `Retry-After`.

    An export holds a store connection and a thread for as long as its client reads; the cap
    keeps a crowd of slow or stalled downloads from taking the memory and the thread pool
    that searches need. The slot is held until the answer's last byte is sent (or the
    connection is cut, see `serving.GuardedHttpTools`'s write timeout)."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.active = 0

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] not in EXPORT_PATHS:
            await self.app(scope, receive, send)
            return
        if self.active >= self.limit:
            body = (b'{"detail":"too many exports at once: retry in '
                    + str(EXPORT_RETRY_AFTER).encode() + b' seconds"}')
            await send({"type": "http.response.start", "status": 503, "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(EXPORT_RETRY_AFTER).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1


class RelativeRedirects:
    """Redirects within the site carry a relative `Location` (path and query only).

    Starlette's trailing-slash redirect builds an absolute URL from the request's `Host`
    header: a forged `Host: evil.example` came back as `location: http://evil.example/…`
    (a poisoned cache or a link in a log could send people there)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                message = {**message, "headers": [
                    (k, _relative(v) if k.lower() == b"location" else v)
                    for k, v in message.get("headers", [])]}
            await send(message)

        await self.app(scope, receive, send_wrapper)


def _relative(location: bytes) -> bytes:
    """`http://any.host/path?q` -> `/path?q`; a relative location as it is. The site never
    redirects to another one, so any absolute URL here was built from the request."""
    parts = urlsplit(location.decode("latin-1"))
    if not parts.scheme and not parts.netloc:
        return location
    path = parts.path or "/"
    if path.startswith("//"):  # not a scheme-relative URL to another host
        path = "/" + path.lstrip("/")
    return (path + (f"?{parts.query}" if parts.query else "")).encode("latin-1")

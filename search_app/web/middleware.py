"""Plain ASGI middleware (no per-request task): HEAD on every GET route; the access log's
writer thread (the log line itself: `observability.RequestLog`)."""

from __future__ import annotations

import atexit
import logging
import queue
import sys
from logging.handlers import QueueHandler, QueueListener
from typing import Any

ACCESS_LOGGER = "atlas.access"

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


def log_access_to_stderr(backlog: int = 10_000, json_lines: bool = False) -> None:
    """Send the access log to stderr (what `atlas serve` does), once per process.

    Lines are written by a thread of their own: a slow or full stderr never blocks the
    event loop (at worst, past `backlog` waiting lines, new ones are dropped)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if logger.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    # JSON lines carry their own time: the line is the object, nothing around it.
    handler.setFormatter(logging.Formatter("%(message)s" if json_lines
                                           else "%(asctime)s %(message)s"))
    lines: queue.Queue = queue.Queue(maxsize=backlog)
    listener = QueueListener(lines, handler)
    listener.start()
    atexit.register(listener.stop)
    logger.addHandler(_DroppingQueueHandler(lines))
    logger.setLevel(logging.INFO)
    logger.propagate = False

"""How `atlas serve` runs uvicorn: limits that hold against a hostile network by themselves.

uvicorn's httptools protocol (the fastest it has: see README, « Serving limits ») sets no limit
on a request's head and never closes a connection that stops half way through its headers;
under it an h11 parser has a size limit but no read timeout either. `GuardedHttpTools` adds,
per connection:

- a size limit on the request line and headers together and on their count: `431` and close;
- a header read timeout: a connection that has not finished a request's headers this long
  after it opened (or after the request's first byte) is closed, idle ones included;
- a write timeout: a response whose client stops reading (the socket's buffer stays full
  this long) is aborted, so the stream behind it stops and releases what it holds;
- a cap on open connections per worker: beyond it, `503` with `Retry-After` and close, at
  once, so idle sockets cannot use up the process's file descriptors.

uvicorn's own keep-alive timeout closes a connection idle between requests. The limits come
from the environment (set by `atlas serve` from its options) so every worker reads the same.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from search_app.web.limits import Limits

# File descriptors kept for the index, the logs and the thread pool, beside the sockets.
RESERVED_FDS = 64


def _fd_cap(wanted: int) -> int:
    """Connections a worker may hold: at most the descriptors it may open, less a reserve."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        # Ask for what is allowed (often 1,024 soft for 4,096 or more hard).
        try:
            new_soft = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
            resource.setrlimit(resource.RLIMIT_NOFILE, (new_soft, hard))
            soft = new_soft
        except (ValueError, OSError):
            pass
    return max(1, min(wanted, soft - RESERVED_FDS))


class HeadTooLarge(Exception):
    """Raised inside a parser callback to stop parsing a head that is over the limit."""


REFUSALS = {
    431: b"HTTP/1.1 431 Request Header Fields Too Large\r\n",
    503: b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n",
}


class GuardedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol with head limits, header and write timeouts and a cap."""

    limits: Limits = Limits()
    connection_cap: int | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cls = type(self)
        if cls.connection_cap is None:
            cls.limits = Limits.from_env()
            cls.connection_cap = _fd_cap(cls.limits.max_connections)
        self._head_pending = True
        self._head_bytes = 0
        self._head_count = 0
        self._head_timer: asyncio.TimerHandle | None = None
        self._write_timer: asyncio.TimerHandle | None = None
        self._refusal: int | None = None

    # -------------------------------------------------------------- connections

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > (self.connection_cap or 0):
            self._refuse(503)
            return
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    def _refuse(self, status: int) -> None:
        self._cancel_timers()
        if not self.transport.is_closing():
            self.transport.write(REFUSALS[status] + b"Content-Length: 0\r\n"
                                 b"Connection: close\r\n\r\n")
            self.transport.close()

    def _cancel_timers(self) -> None:
        for timer in (self._head_timer, self._write_timer):
            if timer is not None:
                timer.cancel()
        self._head_timer = self._write_timer = None

    # -------------------------------------------------------------- the request head

    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.limits.header_timeout,
                                                    self._head_timed_out)

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._head_pending and not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._head_pending:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._head_pending and self._head_bytes > self.limits.max_head_bytes:
            self._refuse(431)

    def send_400_response(self, msg: str) -> None:
        if self._refusal is not None:
            self._refuse(self._refusal)
        else:
            super().send_400_response(msg)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_pending = True
        self._head_count = 0
        self._arm_head_timer()

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_count += 1
        if self._head_count > self.limits.max_headers:
            self._refusal = 431
            raise HeadTooLarge(f"more than {self.limits.max_headers} headers")
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._head_pending = False
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        # What comes next is the next request's head, counted from its first byte.
        self._head_pending = True
        self._head_bytes = 0
        super().on_response_complete()

    # -------------------------------------------------------------- writing

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._write_timer is None:
            self._write_timer = self.loop.call_later(self.limits.write_timeout,
                                                     self._write_timed_out)

    def resume_writing(self) -> None:
        if self._write_timer is not None:
            self._write_timer.cancel()
            self._write_timer = None
        super().resume_writing()

    def _write_timed_out(self) -> None:
        # abort, not close: close would wait to flush a buffer the client never reads.
        self._write_timer = None
        self.transport.abort()


PROTOCOLS = {"guarded": GuardedHttpTools, "httptools": "httptools", "h11": "h11"}


def main(argv: list[str] | None = None) -> None:
    """What `atlas serve` runs in its place: uvicorn with the app factory and the limits."""
    p = argparse.ArgumentParser(prog="python -m search_app.web.serving")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--http", choices=sorted(PROTOCOLS), default="guarded")
    args = p.parse_args(argv)
    limits = Limits.from_env()
    options: dict = {}
    if args.http == "h11":
        options["h11_max_incomplete_event_size"] = limits.max_head_bytes
    uvicorn.run("search_app.web.app:app_from_env", factory=True, host=args.host,
                port=args.port, workers=max(1, args.workers), http=PROTOCOLS[args.http],
                timeout_keep_alive=limits.keep_alive, log_level="warning",
                # The app reads the proxy's headers itself, trusting ATLAS_FORWARDED_ALLOW_IPS.
                proxy_headers=False, **options)


if __name__ == "__main__":
    main(sys.argv[1:])

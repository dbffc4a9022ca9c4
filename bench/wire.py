"""A lean keep-alive HTTP/1.1 client for the timed passes (the standard library's `http.client`).

The passes time one request at a time on one connection, so the client's own work per request
is inside every figure. httpx spends a few hundred microseconds more than `http.client` per
request (its request and response models, header handling, decoding): `bench.run`'s
connection probe measures both on the same server, and the cached pass both on the same
answers, so the README can say how much of an HTTP figure was the client.

No `Accept-Encoding` is sent by default: on loopback a compressed body costs both ends CPU
and saves nothing; pass `accept_encoding` to ask for one (the body is then left encoded).
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

# What a server closing an idle keep-alive connection looks like from here: ask once more on
# a fresh connection.
_RECONNECT = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
              http.client.CannotSendRequest, http.client.BadStatusLine)


@dataclass(frozen=True)
class Reply:
    status_code: int
    headers: dict[str, str]
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise RuntimeError(f"HTTP {self.status_code}: {self.content[:200]!r}")


class WireClient:
    """GET requests on one kept-alive connection to `base_url` (http only: loopback)."""

    def __init__(self, base_url: str, timeout: float = 60.0,
                 accept_encoding: str | None = None) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"an http:// base URL is needed, not {base_url!r}")
        self._host, self._port = parts.hostname, parts.port or 80
        self._prefix = parts.path.rstrip("/")
        self._timeout = timeout
        self._headers = {"Accept-Encoding": accept_encoding or "identity"}
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self._host, self._port,
                                                    timeout=self._timeout)
        return self._conn

    def get(self, path: str, params: Any = None) -> Reply:
        target = self._prefix + path
        if params:
            target += "?" + urlencode(params, doseq=True)
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request("GET", target, headers=self._headers)
                response = conn.getresponse()
                body = response.read()
            except _RECONNECT:
                self.close()
                if attempt == 2:
                    raise
                continue
            if response.will_close:
                self.close()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()},
                         body)
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> WireClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""Serving behind a reverse proxy, possibly at a sub-path (`/atlas/`).

`RootPath` decides each request's root path: `X-Forwarded-Prefix` when the peer is a
trusted proxy (`ATLAS_FORWARDED_ALLOW_IPS`), else the configured `ATLAS_ROOT_PATH`
(`atlas serve --root-path`). It puts it in the ASGI scope (Starlette's routing and
FastAPI's OpenAPI read it there) and in `urls.ROOT_PATH`, through which every link the site
writes goes. Then uvicorn's own `ProxyHeadersMiddleware` takes the client address and the
scheme from `X-Forwarded-For`/`-Proto`, trusting the same proxies: `atlas serve` turns
uvicorn's copy off so that the peer address is still the proxy's when `RootPath` looks.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from search_app.settings import ROOT_PATTERN
from search_app.web.urls import ROOT_PATH


class TrustedProxies:
    """Whether a peer address is one of the trusted proxies (addresses, networks or `*`)."""

    def __init__(self, entries: tuple[str, ...]) -> None:
        self.any = "*" in entries
        self.networks = [ipaddress.ip_network(e, strict=False) for e in entries if e != "*"]

    def __contains__(self, host: str | None) -> bool:
        if self.any:
            return True
        try:
            address = ipaddress.ip_address(host or "")
        except ValueError:
            return False
        return any(address in network for network in self.networks)


def forwarded_prefix(value: str) -> str | None:
    """A usable `X-Forwarded-Prefix` (`/atlas`, no trailing slash), None for anything else."""
    prefix = value.split(",")[0].strip().rstrip("/")
    if prefix == "":
        return ""
    return prefix if ROOT_PATTERN.fullmatch(prefix) else None


class RootPath:
    """Sets the request's root path (see the module's docstring); plain ASGI."""

    def __init__(self, app: Any, root_path: str, trusted: tuple[str, ...]) -> None:
        self.app = ProxyHeadersMiddleware(app, trusted_hosts=list(trusted) or "")
        self.root_path = root_path
        self.trusted = TrustedProxies(trusted)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        root = self.root_path or scope.get("root_path", "").rstrip("/")
        peer = (scope.get("client") or (None,))[0]
        if peer in self.trusted:
            for name, value in scope.get("headers", ()):
                if name == b"x-forwarded-prefix":
                    given = forwarded_prefix(value.decode("latin-1"))
                    if given is not None:
                        root = given
                    break
        path = scope["path"]
        if root and not (path == root or path.startswith(root + "/")):
            # The proxy strips the prefix (as nginx's `proxy_pass .../;` does): put it back,
            # as uvicorn does with its --root-path, so routing sees one convention.
            scope = {**scope, "path": root + path,
                     "raw_path": root.encode() + scope.get("raw_path", path.encode())}
        scope = {**scope, "root_path": root}
        token = ROOT_PATH.set(root)
        try:
            await self.app(scope, receive, send)
        finally:
            ROOT_PATH.reset(token)

"""The application factory: `create_app(settings)` wires the service, the API and the pages."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette_compress import CompressMiddleware, add_compress_type

from search_app.engine import facetpass
from search_app.engine.errors import EngineError
from search_app.engine.service import SearchService
from search_app.settings import Settings
from search_app.web import api
from search_app.web.assets import AssetFiles
from search_app.web.deps import require_token
from search_app.web.errors import AtlasError, NotModified, issue, kept_query, status_of
from search_app.web.i18n import request_language
from search_app.web.middleware import AccessLog, HeadAsGet, log_access_to_stderr
from search_app.web.models import Health
from search_app.web.pages import network as network_pages
from search_app.web.pages import views

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
# Answers of at least this many bytes are compressed (zstd, brotli or gzip, as the client asks).
COMPRESS_MIN_BYTES = 1024
# Besides HTML, JSON, CSS, JS and SVG, which starlette-compress knows: the exports. Streamed
# exports stay streamed: the middleware compresses each chunk as it comes.
for _media_type in ("text/csv", "application/x-ndjson", "application/jsonl"):
    add_compress_type(_media_type)
# FastAPI's /docs page loads its assets from a CDN with an inline bootstrap script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com; object-src 'none'"
)


def create_app(settings: Settings | None = None, service: SearchService | None = None
               ) -> FastAPI:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        facetpass.warm()  # the compiled facet pass, loaded or compiled before any request
        if getattr(app.state, "service", None) is None:
            app.state.service = SearchService(settings.index_dir, settings.cache_size,
                                              synonyms=settings.synonyms())
        with contextlib.suppress(EngineError):  # no index yet: opened when one is published
            app.state.service.open()  # the live version and its filter and facet arrays
        try:
            yield
        finally:
            app.state.service.close()  # reopened on next use if the app is started again

    app = FastAPI(
        title="Atlas de la coopération décentralisée — recherche",
        description="Full-text and faceted search over the Atlas français de la coopération "
                    "décentralisée. JSON API under /api (bearer token when configured).",
        version="0.1.0",
        lifespan=lifespan,
        redoc_url=None,  # ReDoc needs a CDN script and blob: workers the CSP refuses
    )
    app.state.settings = settings
    if service is not None:  # given by the caller (tests, tools): usable before startup too
        app.state.service = service

    # The bearer scheme is declared (and checked) only when a token is configured.
    app.include_router(api.router,
                       dependencies=[Depends(require_token)] if settings.api_token else [])
    app.include_router(views.router)
    app.include_router(network_pages.router)
    app.mount("/static", AssetFiles(), name="static")

    @app.get("/healthz", tags=["ops"], summary="Liveness and index facts",
             response_model=Health, responses={503: {"description": "Index not open yet"}})
    async def healthz(request: Request) -> dict[str, Any]:
        return {"status": "ok", **request.app.state.service.reader().stats()}

    @app.exception_handler(NotModified)
    async def not_modified(request: Request, exc: NotModified) -> Response:
        return Response(status_code=304, headers={"ETag": exc.etag})

    @app.exception_handler(AtlasError)
    async def atlas_error(request: Request, exc: AtlasError) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        if request.url.path.startswith(("/api/", "/healthz")):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=headers)
        return views.error_page(request, exc.status, exc.detail)

    @app.exception_handler(EngineError)
    async def engine_error(request: Request, exc: EngineError) -> Response:
        return await atlas_error(request, AtlasError(exc.detail, status_of(exc)))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/") or exc.status_code not in (404, 405):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        return views.error_page(request, exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        lang = request_language(request)
        # `msg` is pydantic's (stable, for programs); `message` says it in the request's
        # language (French by default, English for `Accept-Language: en` or `lang=en`).
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", ""),
             "message": issue(e, lang)}
            for e in exc.errors()
        ]
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": errors}, status_code=422,
                                headers={"Content-Language": lang, "Vary": "Accept-Language"})
        raw = exc.errors()
        return views.error_page(request, 422, " ; ".join(issue(e, lang) for e in raw),
                                back_url=kept_query(request.query_params.multi_items(), raw))

    # Fast levels: under a millisecond for a 150 KB page with zstd (what current browsers and
    # httpx ask for first), about 2 ms with brotli or gzip, for 8 to 10 times fewer bytes.
    app.add_middleware(CompressMiddleware, minimum_size=COMPRESS_MIN_BYTES,
                       zstd_level=3, brotli_quality=4, gzip_level=4)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)
    app.add_middleware(AccessLog)  # outermost: sees the request as sent, HEAD included
    return app


class SecurityHeaders:
    """Adds the security headers to every response (plain ASGI: no per-request task)."""

    def __init__(self, app) -> None:
        self.app = app
        self.default = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
        self.docs = [(k, DOCS_CSP.encode() if k == b"content-security-policy" else v)
                     for k, v in self.default]

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.docs if scope["path"] == "/docs" else self.default

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` (used by `atlas serve`): logs every request."""
    log_access_to_stderr()
    return create_app(Settings.from_env())

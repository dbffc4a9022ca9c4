"""The application factory: `create_app(settings)` wires the service, the API and the pages."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette_compress import CompressMiddleware, add_compress_type

from search_app.engine import bm25, facetpass, fused, spelling
from search_app.engine.errors import EngineError
from search_app.engine.query import pipeline
from search_app.engine.service import SearchService
from search_app.settings import Settings
from search_app.web import api, ops, templating, worldmap
from search_app.web.assets import AssetFiles
from search_app.web.deps import require_token
from search_app.web.errors import AtlasError, NotModified, issue, kept_query, status_of
from search_app.web.i18n import request_language
from search_app.web.middleware import (
    ExportLimit,
    HeadAsGet,
    RelativeRedirects,
    log_access_to_stderr,
    log_errors_to_stderr,
)
from search_app.web.models import Health
from search_app.web.observability import RequestLog
from search_app.web.pages import downloads, views
from search_app.web.pages import network as network_pages
from search_app.web.proxy import RootPath

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
# /docs gets the site's policy too: Swagger UI's files are served by the app itself
# (ops.py) and started by an external script, with no inline script or CDN.
API_DESCRIPTION = (
    "Atlas de la coopération décentralisée — recherche: full-text and faceted search over the "
    "Atlas français de la coopération décentralisée. JSON API under /api (a bearer token when "
    "the server sets one). The website's downloads are public routes outside /api.")


def create_app(settings: Settings | None = None, service: SearchService | None = None
               ) -> FastAPI:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        facetpass.warm()  # the compiled facet pass, loaded or compiled before any request
        bm25.warm()  # and the scoring pass
        fused.warm()  # and the match's and the ranking's loops
        pipeline.warm()  # and the query's translation tables, built once per process
        spelling.warm()  # and the foreign words did-you-mean leaves alone
        templating.warm()  # the pages' templates, compiled
        worldmap.warm()  # the map's country shapes, parsed
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
        title="Atlas API",  # what generated clients are named after
        description=API_DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan,
        # Served by ops.py: the schema names the request's root path, /docs works offline.
        openapi_url=None, docs_url=None, redoc_url=None,
        generate_unique_id_function=ops.operation_id,
    )
    app.state.settings = settings
    if service is not None:  # given by the caller (tests, tools): usable before startup too
        app.state.service = service

    # The bearer scheme is declared on every /api route (generated clients then offer it);
    # it is checked only when a token is configured.
    app.include_router(api.router, dependencies=[Depends(require_token)])
    app.include_router(views.router)
    app.include_router(network_pages.router)
    app.include_router(downloads.router)  # public, like the pages: never behind the token
    app.include_router(ops.router)
    app.mount(ops.DOCS_PREFIX, ops.docs_files(), name="docs-static")  # before /static
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
        if wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=headers)
        return views.error_page(request, exc.status, exc.detail)

    @app.exception_handler(EngineError)
    async def engine_error(request: Request, exc: EngineError) -> Response:
        return await atlas_error(request, AtlasError(exc.detail, status_of(exc)))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if wants_json(request) or exc.status_code not in (404, 405):
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
        if wants_json(request):
            return JSONResponse({"detail": errors}, status_code=422,
                                headers={"Content-Language": lang, "Vary": "Accept-Language"})
        raw = exc.errors()
        return views.error_page(request, 422, " ; ".join(issue(e, lang) for e in raw),
                                back_url=kept_query(request.query_params.multi_items(), raw))

    # Fast levels: under a millisecond for a 150 KB page with zstd (what current browsers and
    # httpx ask for first), about 2 ms with brotli or gzip, for 8 to 10 times fewer bytes.
    app.add_middleware(ServerErrors)  # innermost: a 500 still gets every header below
    app.add_middleware(CompressMiddleware, minimum_size=COMPRESS_MIN_BYTES,
                       zstd_level=3, brotli_quality=4, gzip_level=4)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                           allow_methods=["GET", "HEAD"],
                           allow_headers=["Authorization", "If-None-Match", "X-Request-ID"],
                           expose_headers=["ETag", "X-Total-Count", "X-Request-ID"],
                           max_age=600)
    app.add_middleware(ExportLimit, limit=settings.max_exports)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RelativeRedirects)
    app.add_middleware(HeadAsGet)
    # Sees the request as sent (HEAD included), the client as the proxy reports it.
    app.add_middleware(RequestLog, log_format=settings.log_format)
    # Outermost: the root path and the proxy's headers, before anything reads them.
    app.add_middleware(RootPath, root_path=settings.root_path,
                       trusted=settings.forwarded_allow_ips)
    return app


def wants_json(request: Request) -> bool:
    """API and probe routes answer errors in JSON; pages in HTML."""
    path = request.scope.get("path", "").removeprefix(request.scope.get("root_path", ""))
    return path.startswith(("/api/", "/healthz", "/readyz", "/metrics", "/openapi.json"))


class ServerErrors:
    """An unexpected exception becomes the styled error page (pages) or a JSON error (API),
    both naming the request id; the traceback goes to the `atlas.error` log."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_wrapper(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            request = Request(scope)
            request_id = (scope.get("state") or {}).get("request_id", "")
            logging.getLogger("atlas.error").exception(
                "request %s %s failed", request_id, scope.get("path", ""))
            if started:
                raise  # the answer is under way: all that is left is to cut it
            response = server_error_response(request, request_id)
            await response(scope, receive, send)
        finally:
            # The route template, for the metrics (the router notes its match in this scope,
            # which the outer middleware's copies do not see; `state` they share).
            route = scope.get("route")
            if route is not None and "state" in scope:
                scope["state"]["route"] = getattr(route, "path", None)


def server_error_response(request: Request, request_id: str) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": "internal server error", "request_id": request_id},
                            status_code=500)
    return views.error_page(request, 500, f"Référence de l’incident : {request_id}")


class SecurityHeaders:
    """Adds the security headers to every response (plain ASGI: no per-request task)."""

    def __init__(self, app) -> None:
        self.app = app
        self.default = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.default

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` (used by `atlas serve`): logs every request, and
    errors without blocking."""
    settings = Settings.from_env()
    log_access_to_stderr(json_lines=settings.log_format == "json")
    log_errors_to_stderr()
    return create_app(settings)

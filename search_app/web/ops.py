"""Routes for operators and integrators: readiness, metrics, the OpenAPI document and /docs.

`/docs` is Swagger UI from the `fastapi-offline` package's files, served by this app under
`/static/docs/` (no CDN, so it works on an offline server), started by `docs.js` (the CSP
allows no inline script). `/openapi.json` names the request's root path in `servers`, so
"Try it out" and generated clients call the API under the proxy's prefix.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import escape
from starlette.concurrency import run_in_threadpool
from starlette.staticfiles import StaticFiles

from search_app.engine.request import SearchParams
from search_app.web.assets import STATIC_DIR, asset_url
from search_app.web.observability import render_metrics
from search_app.web.urls import root_path, site_url

SWAGGER_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
DOCS_PREFIX = "/static/docs"

# Short, stable operation ids: what generated clients name their functions.
OPERATION_IDS = {
    "api_search": "search",
    "api_facet_values": "facet_values",
    "api_search_jsonl": "export_jsonl",
    "api_search_csv": "export_csv",
    "api_search_xlsx": "export_xlsx",
    "api_projects": "get_projects",
    "api_project": "get_project",
    "api_suggest": "suggest",
    "api_authority": "get_authority",
    "api_country": "get_country",
    "healthz": "health",
    "readyz": "ready",
}
YEAR_PARAMS = ("year_min", "year_max")

router = APIRouter()


def operation_id(route: Any) -> str:
    """FastAPI's `generate_unique_id_function`: the short id, else the function's name."""
    return OPERATION_IDS.get(route.name, route.name)


def docs_files() -> StaticFiles:
    """Swagger UI's files, mounted at `/static/docs`."""
    return StaticFiles(directory=SWAGGER_DIR)


def polished_schema(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document with what generators need: years as `integer | null` (in a query
    string, null is an empty value or no parameter)."""
    if app.openapi_schema is None:
        schema = app.openapi()
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                for parameter in operation.get("parameters", []):
                    if parameter.get("name") in YEAR_PARAMS:
                        parameter["schema"] = _nullable_year(parameter.get("schema", {}))
                        # An empty value (an HTML form's blank field) is read as null.
                        parameter["allowEmptyValue"] = True
        app.openapi_schema = schema
    return app.openapi_schema


def _nullable_year(described: dict[str, Any]) -> dict[str, Any]:
    """`integer (its bounds kept) | null` in place of `integer | ""`."""
    integer = next((b for b in described.get("anyOf", []) if b.get("type") == "integer"),
                   {"type": "integer"})
    return {"anyOf": [integer, {"type": "null"}],
            **{k: v for k, v in described.items() if k in ("title", "description")}}


@router.get("/openapi.json", include_in_schema=False)
async def openapi_document(request: Request) -> JSONResponse:
    schema = polished_schema(request.app)
    root = root_path()
    if root:
        schema = copy.copy(schema)
        schema["servers"] = [{"url": root}]
    return JSONResponse(schema)


DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Atlas API</title>
<link rel="icon" href="{favicon}" type="image/svg+xml">
<link rel="stylesheet" href="{css}">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{schema}"></div>
<script src="{bundle}"></script>
<script src="{init}"></script>
</body>
</html>
"""


@router.get("/docs", include_in_schema=False)
async def docs_page() -> HTMLResponse:
    return HTMLResponse(DOCS_PAGE.format(
        favicon=escape(asset_url("favicon.svg")),
        css=escape(site_url(f"{DOCS_PREFIX}/swagger-ui.css")),
        bundle=escape(site_url(f"{DOCS_PREFIX}/swagger-ui-bundle.js")),
        init=escape(asset_url("docs.js")),
        schema=escape(site_url("/openapi.json"))))


@router.get("/favicon.ico", include_in_schema=False)
async def favicon() -> Response:
    return Response((STATIC_DIR / "favicon.svg").read_bytes(), media_type="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=86400"})


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    body, media_type = await run_in_threadpool(render_metrics, lambda: request.app.state.service)
    return Response(body, media_type=media_type)


def readiness(service: Any) -> str | None:
    """A real record read and a real (uncached) search on the live version; None when both
    work, else what failed."""
    try:
        reader = service.reader()  # one version for both probes
        first = next(iter(reader.handle.id_to_doc), None)
        if first is None:
            return "the live version holds no record"
        record = reader.get_record(first)
        if not record:
            return f"record {first} cannot be read"
        words = [w for w in str(record.get("title") or "").split() if len(w) >= 4]
        probe = SearchParams(q=words[0] if words else "", size=1)
        result = reader.search(probe, use_cache=False)
        if int(result.get("total") or 0) < 1:
            return f"a search for {probe.q!r} found nothing, though record {first} holds it"
    except Exception as exc:  # noqa: BLE001 - whatever breaks, the answer is "not ready"
        detail = getattr(exc, "detail", None) or f"{type(exc).__name__}: {exc}"
        return f"search or record read failed: {detail}"
    return None


@router.get("/readyz", tags=["ops"], summary="Readiness: a real search and record read",
            responses={503: {"description": "The live version cannot answer; `reason` says why"}})
async def readyz(request: Request) -> JSONResponse:
    service = request.app.state.service
    problem = await run_in_threadpool(readiness, service)
    if problem:
        return JSONResponse({"status": "unavailable", "reason": problem}, status_code=503)
    return JSONResponse({"status": "ready", "version": service.version_name()})

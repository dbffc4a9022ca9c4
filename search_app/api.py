"""The JSON API: /api/search, /api/search.csv, /api/projects/{id}, /api/suggest,
/api/authorities/{slug}, /api/countries/{code}."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response, StreamingResponse

from . import network
from .deps import get_service, require_token, search_params
from .errors import NotFound
from .params import SearchParams
from .service import SearchService
from .urls import add_toggle_urls

router = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(require_token)])

ID_REGEX = r"^[A-Za-z0-9_-]+$"

CSV_COLUMNS = [
    "id", "title", "theme", "sub_theme", "sub_sub_theme", "status", "partnership_form",
    "signature_year", "start_year", "end_date", "country_codes", "countries",
    "french_partners", "foreign_partners", "funding_total_eur", "triennial",
]


def csv_row(record: dict[str, Any]) -> list[Any]:
    countries = record.get("countries") or []
    partners = record.get("foreign_partners") or []
    joined = {
        "country_codes": ";".join(c["code"] for c in countries),
        "countries": ";".join(c["name"] for c in countries),
        "french_partners": ";".join(record.get("french_partners") or []),
        "foreign_partners": ";".join(
            f"{p.get('name') or ''} ({p.get('country') or ''})" for p in partners),
    }
    return [joined.get(col, record.get(col)) if col in joined else record.get(col)
            for col in CSV_COLUMNS]


def csv_lines(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        writer.writerow(csv_row(record))
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


class FastJSON(Response):
    """JSON by orjson, without FastAPI's per-value encoding pass: answers are plain dicts."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        if isinstance(content, bytes | str):  # already JSON (a stored record)
            return content.encode("utf-8") if isinstance(content, str) else content
        return orjson.dumps(content)


@router.get("/search", summary="Full-text search with disjunctive facets",
            response_class=FastJSON)
async def api_search(
    params: Annotated[SearchParams, Depends(search_params)],
    service: Annotated[SearchService, Depends(get_service)],
) -> FastJSON:
    return FastJSON(add_toggle_urls(service.search(params), params))


@router.get("/search.csv", summary="Every matching record as CSV (UTF-8 with BOM)",
            response_class=StreamingResponse)
async def api_search_csv(
    params: Annotated[SearchParams, Depends(search_params)],
    service: Annotated[SearchService, Depends(get_service)],
) -> StreamingResponse:
    lines = list(csv_lines(service.export(params)))  # built now: the index may swap later
    return StreamingResponse(
        iter(lines), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="atlas-recherche.csv"'},
    )


@router.get("/projects/{project_id}", summary="One whole record, as `atlas parse` gives it",
            response_class=FastJSON)
async def api_project(
    project_id: Annotated[str, Path()],
    service: Annotated[SearchService, Depends(get_service)],
) -> FastJSON:
    if len(project_id) > 200 or not re.match(ID_REGEX, project_id):
        raise NotFound(f"no project with id {project_id!r}")
    text = service.record_json(project_id)
    if text is None:
        raise NotFound(f"no project with id {project_id!r}")
    return FastJSON(text)


@router.get("/suggest", summary="Completions over countries, authorities and titles",
            response_class=FastJSON)
async def api_suggest(
    service: Annotated[SearchService, Depends(get_service)],
    q: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=50)] = 8,
) -> FastJSON:
    return FastJSON({"q": q, "suggestions": service.suggest(q, limit)})


@router.get("/authorities/{slug}", summary="One French authority: projects, countries, "
            "themes, years, foreign partners", response_class=FastJSON)
async def api_authority(
    slug: Annotated[str, Path(max_length=300)],
    service: Annotated[SearchService, Depends(get_service)],
) -> FastJSON:
    found = network.authority(service, slug)
    if found is None:
        raise NotFound(f"no French authority with slug {slug!r}")
    return FastJSON(found)


@router.get("/countries/{code}", summary="One partner country: French authorities, themes, "
            "years, funding", response_class=FastJSON)
async def api_country(
    code: Annotated[str, Path(max_length=100)],
    service: Annotated[SearchService, Depends(get_service)],
) -> FastJSON:
    found = network.country(service, code)
    if found is None:
        raise NotFound(f"no project in a country {code!r}")
    return FastJSON(found)

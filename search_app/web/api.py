"""The JSON API: search, every value of a facet, exports (JSON Lines, CSV, Excel), lookups (one
or a batch), suggest, authorities and countries.

Answers are rendered with orjson (`FastJSON`); `response_model` only documents them (a
handler that returns a `Response` is not re-validated), see `models.py`. Every answer
carries an ETag (`deps.conditional`).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from functools import partial
from pathlib import Path as FilePath
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.background import BackgroundTask
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.responses import FileResponse

from indexer.fields import BY_PARAM
from indexer.record import ID_REGEX, MAX_ID  # the one id rule, the indexer's too
from search_app.engine import network
from search_app.engine.reader import Reader
from search_app.engine.request import SearchParams
from search_app.web import exports, hints
from search_app.web.answers import search_answer
from search_app.web.deps import (
    ParamsDep,
    ReaderDep,
    check_record_etag,
    conditional,
    own_etag,
    run_search,
)
from search_app.web.errors import NotFound
from search_app.web.filenames import content_disposition
from search_app.web.i18n import get_language
from search_app.web.models import (
    AuthorityAnswer,
    BatchAnswer,
    CountryAnswer,
    FacetValuesAnswer,
    Record,
    SearchAnswer,
    SuggestAnswer,
    responses,
)
from search_app.web.observability import EXPORTS, count_search
from search_app.web.urls import api_search_url, facet_toggle_urls, project_url

router = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(conditional)])

MAX_BATCH = 100
EXAMPLE_ID = "000_671a6b7235ccf533"  # the real Atlas page shipped in data/sample
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FastJSON(JSONResponse):
    """JSON by orjson, without FastAPI's per-value encoding pass: answers are plain dicts.

    A JSONResponse, so OpenAPI documents each route's `response_model` as its 200 body.
    """

    def render(self, content: Any) -> bytes:
        if isinstance(content, bytes | str):  # already JSON (a stored record)
            return content.encode("utf-8") if isinstance(content, str) else content
        return orjson.dumps(content)


def tagged(request: Request) -> dict[str, str]:
    """The headers every API answer carries: its ETag."""
    return {"ETag": request.state.etag}


def export_records(request: Request, reader: Reader, params: SearchParams
                   ) -> tuple[int, Iterator[bytes]]:
    """(count, every matching record's JSON with its page's URL and its `status_check`)."""
    total, texts = reader.export_json(params)
    site = str(request.base_url).rstrip("/")
    h = reader.handle
    codes, values = h.data.single["status_check"], h.data.values["status_check"]

    def check_of(rid: str) -> str | None:
        doc = h.id_to_doc.get(rid)
        code = -1 if doc is None else int(codes[doc])
        return values[code] if code >= 0 else None

    return total, exports.with_page_and_check(texts, lambda rid: site + project_url(rid),
                                              check_of)


def _stream(request: Request, reader: Reader, params: SearchParams,
            chunks: Callable[[Iterable[bytes]], Iterable], media_type: str,
            extension: str) -> StreamingResponse:
    """Every matching record, streamed in the requested order as `chunks` renders them."""
    total, texts = export_records(request, reader, params)
    EXPORTS.labels(extension).inc()
    return StreamingResponse(
        _closing(chunks(texts), texts), media_type=media_type,
        headers={**tagged(request), "X-Total-Count": str(total),
                 "Content-Disposition": content_disposition(params, extension),
                 "Vary": "Accept-Language, Cookie"})


async def _closing(chunks: Iterable, texts: Iterator[bytes]) -> AsyncIterator:
    """The chunks, made in the thread pool; however the stream ends (done, client gone, cut
    by the write timeout), the records' reader is closed now, not when collected."""
    try:
        async for chunk in iterate_in_threadpool(iter(chunks)):
            yield chunk
    finally:
        for source in (chunks, texts):
            try:
                source.close()  # type: ignore[attr-defined]
            except (AttributeError, ValueError):  # ValueError: still running in a thread
                pass


SEARCH_ERRORS = responses(304, 401, 422, 503)


@router.get("/search", summary="Full-text search with disjunctive facets",
            response_class=FastJSON, response_model=SearchAnswer, responses=SEARCH_ERRORS)
async def api_search(
    request: Request,
    params: ParamsDep,
    reader: ReaderDep,
) -> FastJSON:
    def answer() -> FastJSON:
        result = search_answer(reader, params)
        result["warnings"] = hints.warnings([k for k, _ in request.query_params.multi_items()],
                                            reader.unknown_values(params))
        count_search(result)
        return FastJSON(result, headers=tagged(request))

    return await run_search(request, reader, params, answer)


@router.get("/facets/{param}", summary="Every value of one facet for a search, a page at a time",
            description="The values `/api/search` counts for one facet (`param`: its filter "
                        "parameter, e.g. `french_partner`), under every filter but the "
                        "facet's own, most frequent first; a search's own list stops at the "
                        "facet's limit. `contains` keeps the values whose name holds it "
                        "(no case or accents); `page` and `size` page through the values.",
            response_class=FastJSON, response_model=FacetValuesAnswer,
            responses=responses(304, 401, 404, 422, 503))
def api_facet_values(
    request: Request,
    param: Annotated[str, Path(examples=["french_partner"])],
    params: ParamsDep,
    reader: ReaderDep,
    contains: Annotated[str, Query(max_length=200)] = "",
) -> FastJSON:
    declared = BY_PARAM.get(param)
    if declared is None:
        raise NotFound(f"no facet {param!r}: one of {', '.join(BY_PARAM)}")
    found = reader.facet_values(params, declared.name, contains.strip(), params.page,
                                 params.size)
    # A value's toggle keeps the search's words and filters; `page` and `size` here page
    # the values, so the search it leads to starts at its first page of the default size.
    default_size = SearchParams.model_fields["size"].default
    state = params.model_copy(update={"page": 1, "size": default_size})
    return FastJSON({**found, "values": facet_toggle_urls(declared.name, found["values"], state)},
                    headers=tagged(request))


@router.get("/search.jsonl", summary="Every matching record as JSON Lines, streamed",
            description="One record per line, as `atlas parse` gives it plus `url` (its "
                        "page) and, when its status contradicts its end date, "
                        "`status_check`, in the requested order; as many lines as the "
                        "search's `total` (page and size are ignored). `X-Total-Count` "
                        "gives the count before the body.",
            response_class=StreamingResponse, responses={
                200: {"content": {"application/x-ndjson": {"schema": {"type": "string"}}},
                      "description": "One JSON record per line"},
                **SEARCH_ERRORS})
def api_search_jsonl(
    request: Request,
    params: ParamsDep,
    reader: ReaderDep,
) -> StreamingResponse:
    return _stream(request, reader, params, exports.jsonl_chunks, "application/x-ndjson",
                   "jsonl")


@router.get("/search.csv", summary="Every matching record as CSV for French Excel",
            description="UTF-8 with BOM, `;` separated, a header row; lists inside a cell are "
                        "separated by ` | `; unknown amounts are empty; text that a "
                        "spreadsheet would run as a formula starts with `'`.",
            response_class=StreamingResponse, responses={
                200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                      "description": "CSV rows"},
                **SEARCH_ERRORS})
def api_search_csv(
    request: Request,
    params: ParamsDep,
    reader: ReaderDep,
    lang: Annotated[str, Depends(get_language)],
) -> StreamingResponse:
    return _stream(request, reader, params, partial(exports.csv_chunks, lang=lang),
                   "text/csv; charset=utf-8", "csv")


@router.get("/search.xlsx", summary="Every matching record as an Excel workbook",
            description="Numbers as numbers, the end date as a date, « oui »/« non » for "
                        "booleans, unknown amounts empty, a frozen header row, cells longer "
                        "than Excel's 32,767 characters cut with a marker.",
            response_class=FileResponse, responses={
                200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
                      "description": "An .xlsx workbook"},
                **SEARCH_ERRORS})
async def api_search_xlsx(
    request: Request,
    params: ParamsDep,
    reader: ReaderDep,
    lang: Annotated[str, Depends(get_language)],
) -> FileResponse:
    total, texts = export_records(request, reader, params)
    EXPORTS.labels("xlsx").inc()
    handle, name = tempfile.mkstemp(prefix="atlas-", suffix=".xlsx")
    os.close(handle)
    path = FilePath(name)
    try:
        await run_in_threadpool(exports.write_xlsx, texts, path, lang)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return FileResponse(
        path, media_type=XLSX,
        headers={**tagged(request), "X-Total-Count": str(total), "Content-Language": lang,
                 "Vary": "Accept-Language, Cookie",
                 "Content-Disposition": content_disposition(params, "xlsx")},
        background=BackgroundTask(path.unlink, missing_ok=True))


@router.get("/projects", summary="Several whole records at once, in the order asked",
            description=f"1 to {MAX_BATCH} `id` parameters. Each record appears once, in the "
                        "order first asked; ids the index does not hold are listed in "
                        "`missing`. The ETag is a digest of the answer's records as stored: "
                        "it stays the same across updates that leave them unchanged.",
            response_class=FastJSON, response_model=BatchAnswer,
            responses=responses(304, 401, 422, 503))
@own_etag
def api_projects(
    request: Request,
    reader: ReaderDep,
    id: Annotated[list[Annotated[str, Query(min_length=1, max_length=MAX_ID)]],
                  Query(min_length=1, max_length=MAX_BATCH, examples=[[EXAMPLE_ID]],
                        description="A project id; repeat for several")],
) -> FastJSON:
    wanted = list(dict.fromkeys(id))
    found = reader.records_json([i for i in wanted if re.match(ID_REGEX, i)])
    body = b'{"projects":[' + b",".join(found[i] for i in wanted if i in found)
    body += b'],"missing":' + orjson.dumps([i for i in wanted if i not in found]) + b"}"
    return FastJSON(body, headers={"ETag": check_record_etag(request, body)})


@router.get("/projects/{project_id}", summary="One whole record, as `atlas parse` gives it",
            description="The ETag is a digest of the record as stored: it stays the same "
                        "across updates that leave this record unchanged.",
            response_class=FastJSON, response_model=Record,
            responses=responses(304, 401, 404, 503))
@own_etag
def api_project(
    request: Request,
    project_id: Annotated[str, Path(examples=[EXAMPLE_ID])],
    reader: ReaderDep,
) -> FastJSON:
    if len(project_id) > MAX_ID or not re.match(ID_REGEX, project_id):
        raise NotFound(f"no project with id {project_id!r}")
    text = reader.record_json(project_id)
    if text is None:
        raise NotFound(f"no project with id {project_id!r}")
    body = text.encode("utf-8")
    return FastJSON(body, headers={"ETag": check_record_etag(request, body)})


@router.get("/suggest", summary="Completions over countries, authorities and titles",
            response_class=FastJSON, response_model=SuggestAnswer,
            responses=responses(304, 401, 422, 503))
def api_suggest(
    request: Request,
    reader: ReaderDep,
    q: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=50)] = 8,
) -> FastJSON:
    return FastJSON({"q": q, "suggestions": reader.suggest(q, limit)}, headers=tagged(request))


@router.get("/authorities/{slug}", summary="One French authority: projects, countries, "
            "themes, years, foreign partners", response_class=FastJSON,
            response_model=AuthorityAnswer, responses=responses(304, 401, 404, 422, 503))
def api_authority(
    request: Request,
    slug: Annotated[str, Path(max_length=300, examples=["clermont-ferrand"])],
    reader: ReaderDep,
) -> FastJSON:
    found = network.authority(reader, slug)
    if found is None:
        raise NotFound(f"no French authority with slug {slug!r}")
    found["search_url"] = api_search_url([("french_partner", found["name"])])
    return FastJSON(found, headers=tagged(request))


@router.get("/countries/{code}", summary="One partner country: French authorities, themes, "
            "years, funding", response_class=FastJSON,
            response_model=CountryAnswer, responses=responses(304, 401, 404, 422, 503))
def api_country(
    request: Request,
    code: Annotated[str, Path(max_length=100, examples=["MX"])],
    reader: ReaderDep,
) -> FastJSON:
    found = network.country(reader, code)
    if found is None:
        raise NotFound(f"no project in a country {code!r}")
    found["search_url"] = api_search_url([("country", found["code"])])
    return FastJSON(found, headers=tagged(request))

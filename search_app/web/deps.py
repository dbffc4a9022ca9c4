"""FastAPI dependencies: the service, the request's reader, validated search parameters, the
API token, ETags. Route handlers take them through the aliases (`ServiceDep`, `ReaderDep`,
`ParamsDep`); tests override `get_service`.

All `async`: none of them blocks, and FastAPI runs a plain `def` dependency in a thread
(a hop per dependency per request).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from search_app.engine.reader import Reader
from search_app.engine.request import SearchParams
from search_app.engine.service import SearchService
from search_app.settings import Settings
from search_app.web.errors import NotModified, Unauthorized
from search_app.web.i18n import DEFAULT, get_language

# Declares the bearer scheme in OpenAPI (so /docs can send it); checked by require_token.
bearer = HTTPBearer(auto_error=False, description="The server's ATLAS_API_TOKEN")


async def get_service(request: Request) -> SearchService:
    return request.app.state.service


ServiceDep = Annotated[SearchService, Depends(get_service)]


async def get_reader(service: ServiceDep) -> Reader:
    """One reader per request (FastAPI caches a dependency within a request): every part
    of the answer, its ETag included, reads the same index version."""
    return service.reader()


ReaderDep = Annotated[Reader, Depends(get_reader)]


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def search_params(params: Annotated[SearchParams, Query()]) -> SearchParams:
    return params


ParamsDep = Annotated[SearchParams, Depends(search_params)]

T = TypeVar("T")


async def run_search(request: Request, reader: Reader, params: SearchParams,
                     work: Callable[[], T]) -> T:
    """`work`, a search and its answer, on the event loop: an answer already kept, or any
    search of a version of at most `Settings.inline_search_records` records: the same
    search ran slower in a pool thread, by more than the hops there and back (README,
    « Running it for others »). Beyond the setting (a search of a bigger version takes
    tens of milliseconds) it runs in the pool, so that it does not hold up the worker's
    other connections that long."""
    limit = request.app.state.settings.inline_search_records
    if reader.records <= limit or reader.answered(params):
        return work()
    return await run_in_threadpool(work)


async def require_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """When ATLAS_API_TOKEN is set, /api/* needs `Authorization: Bearer <token>`."""
    token = request.app.state.settings.api_token
    if not token:
        return
    given = credentials.credentials.strip() if credentials is not None else ""
    if not hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8")):
        raise Unauthorized("missing or invalid bearer token")


def etag_for(version: str, path: str, query: str) -> str:
    """A weak ETag: the index version plus a digest of the request (answers carry took_ms,
    so two answers with one tag are equivalent, not byte-equal)."""
    digest = hashlib.blake2b(f"{path}?{query}".encode(), digest_size=8).hexdigest()
    return f'W/"{version}-{digest}"'


def _matches(header: str, tag: str) -> bool:
    if header.strip() == "*":
        return True
    opaque = tag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == opaque for t in header.split(","))


# Handlers that tag their answer themselves, from the records' stored bytes (`record_etag`),
# so an unchanged record keeps its ETag across updates of others.
OWN_ETAG: set[Callable[..., Any]] = set()


def own_etag(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a handler that computes its own ETag (see `check_record_etag`)."""
    OWN_ETAG.add(handler)
    return handler


def record_etag(body: bytes) -> str:
    """A strong ETag: a digest of the bytes the answer is made of."""
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def check_record_etag(request: Request, body: bytes) -> str:
    """The ETag of an answer made of `body`; raises NotModified when the client has it."""
    tag = record_etag(body)
    request.state.etag = tag
    header = request.headers.get("if-none-match")
    if header and _matches(header, tag):
        raise NotModified(tag)
    return tag


async def conditional(request: Request, reader: ReaderDep,
                      lang: Annotated[str, Depends(get_language)]) -> str:
    """Tags the answer with an ETag; `If-None-Match` with it ends the request with a 304.

    Runs before parameters are looked at, so a revalidation costs no search. Record
    lookups tag themselves (`own_etag`).
    """
    if request.scope.get("endpoint") in OWN_ETAG:
        return ""
    # Workbook headings and error messages follow the language: a language other than the
    # default is part of the tag.
    query = request.url.query if lang == DEFAULT else f"{request.url.query}#{lang}"
    tag = etag_for(reader.version_name, request.url.path, query)
    request.state.etag = tag
    header = request.headers.get("if-none-match")
    if header and _matches(header, tag):
        raise NotModified(tag)
    return tag

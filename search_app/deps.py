"""FastAPI dependencies: the service, validated search parameters, the API token check.

All `async`: none of them blocks, and FastAPI runs a plain `def` dependency in a thread
(a hop per dependency per request).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Query, Request

from .errors import Unauthorized
from .params import SearchParams
from .service import SearchService
from .settings import Settings


async def get_service(request: Request) -> SearchService:
    return request.app.state.service


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def search_params(params: Annotated[SearchParams, Query()]) -> SearchParams:
    return params


async def require_token(request: Request) -> None:
    """When ATLAS_API_TOKEN is set, /api/* needs `Authorization: Bearer <token>`."""
    token = request.app.state.settings.api_token
    if not token:
        return
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode("utf-8"), token.encode("utf-8")
    ):
        raise Unauthorized("missing or invalid bearer token")

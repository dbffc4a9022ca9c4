"""The website's downloads: public like the pages, whatever `ATLAS_API_TOKEN` says.

The token guards the programmatic routes under `/api`; a visitor's « Télécharger » link and
the « JSON » link of a project, authority or country page go to these routes, which answer
exactly what their `/api` twins answer (the same handlers, the same ETags).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from starlette.responses import FileResponse, Response

from search_app.engine.request import SearchParams
from search_app.engine.service import SearchService
from search_app.web import api
from search_app.web.deps import conditional, get_service, own_etag, search_params

router = APIRouter(prefix="/telechargements", include_in_schema=False,
                   dependencies=[Depends(conditional)])

Params = Annotated[SearchParams, Depends(search_params)]
Service = Annotated[SearchService, Depends(get_service)]


@router.get("/recherche.jsonl")
def search_jsonl(request: Request, params: Params, service: Service) -> StreamingResponse:
    return api.api_search_jsonl(request, params, service)


@router.get("/recherche.csv")
def search_csv(request: Request, params: Params, service: Service) -> StreamingResponse:
    return api.api_search_csv(request, params, service)


@router.get("/recherche.xlsx")
async def search_xlsx(request: Request, params: Params, service: Service) -> FileResponse:
    return await api.api_search_xlsx(request, params, service)


@router.get("/projets/{project_id}.json")
@own_etag
def project_json(request: Request, project_id: str, service: Service) -> Response:
    return api.api_project(request, project_id, service)


@router.get("/collectivites/{slug}.json")
def authority_json(request: Request, slug: str, service: Service) -> Response:
    return api.api_authority(request, slug, service)


@router.get("/pays/{code}.json")
def country_json(request: Request, code: str, service: Service) -> Response:
    return api.api_country(request, code, service)

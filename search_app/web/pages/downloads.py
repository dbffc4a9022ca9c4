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

from search_app.web import api
from search_app.web.deps import ParamsDep, ReaderDep, conditional, own_etag
from search_app.web.i18n import get_language
from search_app.web.urls import DOWNLOADS_PATH

router = APIRouter(prefix=DOWNLOADS_PATH, include_in_schema=False,
                   dependencies=[Depends(conditional)])

Lang = Annotated[str, Depends(get_language)]


@router.get("/recherche.jsonl")
def search_jsonl(request: Request, params: ParamsDep, reader: ReaderDep) -> StreamingResponse:
    return api.api_search_jsonl(request, params, reader)


@router.get("/recherche.csv")
def search_csv(request: Request, params: ParamsDep, reader: ReaderDep, lang: Lang
               ) -> StreamingResponse:
    return api.api_search_csv(request, params, reader, lang)


@router.get("/recherche.xlsx")
async def search_xlsx(request: Request, params: ParamsDep, reader: ReaderDep, lang: Lang
                      ) -> FileResponse:
    return await api.api_search_xlsx(request, params, reader, lang)


@router.get("/projets/{project_id}.json")
@own_etag
def project_json(request: Request, project_id: str, reader: ReaderDep) -> Response:
    return api.api_project(request, project_id, reader)


@router.get("/collectivites/{slug}.json")
def authority_json(request: Request, slug: str, reader: ReaderDep) -> Response:
    return api.api_authority(request, slug, reader)


@router.get("/pays/{code}.json")
def country_json(request: Request, code: str, reader: ReaderDep) -> Response:
    return api.api_country(request, code, reader)

"""No input gives a 5xx: property tests of query parsing and filters, and OpenAPI fuzzing."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from search_app.app import create_app
from search_app.params import SearchParams
from search_app.service import SearchService
from search_app.settings import Settings

QUERY_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))
SYNTAX = st.sampled_from(['"', "-", " OR ", "(", ")", ":", "*", "?", "~", "^", "\\", "'",
                          "’", " AND ", " NOT ", "[", "]", "{", "}", "/", "+", "!", "&&"])
WORDS = st.sampled_from(["eau", "coopération", "villes", "Sénégal", "l'eau", "œuvre", "les",
                         "de", "Clermont-Ferrand", "2017", "michelinn", "é", ""])
QUERIES = st.lists(st.one_of(SYNTAX, WORDS, st.text(QUERY_ALPHABET, max_size=12)),
                   max_size=25).map("".join).map(lambda q: q[:500])


@pytest.fixture(scope="module")
def service(index_dir):
    svc = SearchService(index_dir)
    yield svc
    svc.close()


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(q=QUERIES, country=st.lists(st.text(max_size=20), max_size=3),
       theme=st.lists(st.text(max_size=30), max_size=2),
       sort=st.sampled_from(["relevance", "year_desc", "year_asc", "funding_desc"]),
       page=st.integers(1, 50), size=st.integers(1, 100))
def test_any_query_and_filters_answer(service, q, country, theme, sort, page, size) -> None:
    result = service.search(SearchParams(q=q, country=country, theme=theme, sort=sort,
                                         page=page, size=size))
    assert result["total"] >= len(result["hits"])
    assert len(result["hits"]) <= size
    for hit in result["hits"]:
        body = hit["snippet"].replace("<mark>", "").replace("</mark>", "")
        assert "<" not in body and ">" not in body


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(q=QUERIES)
def test_any_query_through_http(client_module, q) -> None:
    response = client_module.get("/api/search", params={"q": q})
    assert response.status_code == 200
    page = client_module.get("/", params={"q": q})
    assert page.status_code == 200
    assert "<script>alert" not in page.text


@pytest.fixture(scope="module")
def client_module(index_dir):
    from fastapi.testclient import TestClient

    with TestClient(create_app(Settings(index_dir=index_dir))) as test_client:
        yield test_client


# The schema comes from the app itself; the fixture index is attached before any call.
FUZZ_APP = create_app(Settings(index_dir=Path("unused-until-attached")))
schema = schemathesis.openapi.from_asgi("/openapi.json", FUZZ_APP)


@pytest.fixture(scope="module", autouse=True)
def attach_index(service):
    FUZZ_APP.state.service = service
    yield


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_openapi_fuzz_no_server_error(case) -> None:
    response = case.call()
    assert response.status_code < 500, (case.path, case.query, response.text[:300])
    case.validate_response(response, checks=[not_a_server_error])

"""No input gives a 5xx: property tests of query parsing and filters, and OpenAPI fuzzing
of a real `atlas serve` process with every schemathesis check."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search_app.engine.request import NULL_WORDS, SearchParams
from search_app.engine.service import SearchService
from search_app.settings import Settings
from search_app.web.app import create_app

from ..conftest import free_port, wait_until_serving

TOKEN = "fuzz-t0ken"
QUERY_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))
SYNTAX = st.sampled_from(['"', "-", " OR ", "(", ")", ":", "*", "?", "~", "^", "\\", "'",
                          "’", " AND ", " NOT ", "[", "]", "{", "}", "/", "+", "!", "&&"])
WORDS = st.sampled_from(["eau", "coopération", "villes", "Sénégal", "l'eau", "œuvre", "les",
                         "de", "Clermont-Ferrand", "2017", "michelinn", "é", "",
                         # periods and names in words
                         "depuis", "avant", "entre", "et", "années", "90", "récents",
                         "Afrique", "du", "Sud", "Ville", "Maghreb", "region:"])
QUERIES = st.lists(st.one_of(SYNTAX, WORDS, st.text(QUERY_ALPHABET, max_size=12)),
                   max_size=25).map("".join).map(lambda q: q[:500])


def FILTER_VALUE(size: int):  # noqa: N802 - a strategy, named like the others
    # Null-looking values ("null", "None"...) are refused by design (a 422): not searches.
    return st.text(max_size=size).filter(lambda v: v.strip().lower() not in NULL_WORDS)


@pytest.fixture(scope="module")
def service(index_dir):
    svc = SearchService(index_dir)
    yield svc
    svc.close()


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(q=QUERIES, country=st.lists(FILTER_VALUE(20), max_size=3),
       theme=st.lists(FILTER_VALUE(30), max_size=2),
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


@pytest.fixture(scope="module")
def atlas_serve(index_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """A real `atlas serve` process, with an API token, its stderr kept in a file."""
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "stderr.log"
    with log.open("w") as err:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("atlas")), "serve", "--index", str(index_dir),
             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=err,
            env={**os.environ, "ATLAS_API_TOKEN": TOKEN})
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, proc, log.read_text)
        yield base, log
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_schemathesis_all_checks_against_atlas_serve(atlas_serve, tmp_path: Path) -> None:
    """Every schemathesis check (schema conformance, negative data rejection, unsupported
    methods, ignored auth...) over every operation, on a real server: 0 failures."""
    base, _ = atlas_serve
    run = subprocess.run(
        [str(Path(sys.executable).with_name("schemathesis")), "run", f"{base}/openapi.json",
         "--checks", "all", "--header", f"Authorization: Bearer {TOKEN}",
         "--max-examples", "12", "--seed", "1", "--generation-database", "none",
         "--no-color", "--request-timeout", "10"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)  # its cache goes there
    summary = run.stdout[-3000:]
    assert run.returncode == 0, summary
    assert "No issues found" in summary, summary


def test_serve_keeps_an_access_log(atlas_serve) -> None:
    base, log = atlas_serve
    assert httpx.get(f"{base}/api/search", params={"q": "eau"}).status_code == 401
    assert httpx.head(f"{base}/healthz").status_code == 200
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = log.read_text().splitlines()
        search = [line for line in lines if '"GET /api/search?q=eau" 401' in line]
        head = [line for line in lines if '"HEAD /healthz" 200' in line]
        if search and head:
            break
        time.sleep(0.1)
    assert search and head, lines[-5:]
    assert re.search(r" [0-9.]+ ms$", search[-1]), search[-1]

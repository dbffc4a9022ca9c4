"""The served OpenAPI document makes a usable generated client (openapi-python-client).

A real `atlas serve` with a token; the client is generated from its `/openapi.json` into a
temporary folder, imported, and used: search and paging, the batch lookup, a 304 on a
revalidation, the token (401 without it), and the exports.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path

import httpx
import pytest

from tests.conftest import SEED_ID, free_port, wait_until_serving

TOKEN = "jeton-client"
GENERATOR = Path(sys.executable).parent / "openapi-python-client"
# The generator reads JSON, text and binary bodies; the exports' media types are declared as
# they are served, and mapped here onto what it knows (its documented override).
CONFIG = {
    "package_name_override": "atlas_api_client",
    "content_type_overrides": {
        "application/x-ndjson": "text/plain",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
            "application/octet-stream",
    },
}


@pytest.fixture(scope="module")
def served(index_dir: Path) -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "search_app.cli", "serve", "--index", str(index_dir),
         "--port", str(port)], env={**env, "ATLAS_API_TOKEN": TOKEN},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    wait_until_serving(base, proc, lambda: proc.stderr.read().decode()[-500:])
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_the_schema_suits_generators(served: str) -> None:
    spec = httpx.get(f"{served}/openapi.json").json()
    assert spec["info"]["title"] == "Atlas API"
    assert "Atlas de la coopération décentralisée" in spec["info"]["description"]
    ids = {path: op["operationId"] for path, item in spec["paths"].items()
           for op in item.values()}
    assert ids == {
        "/api/search": "search", "/api/facets/{param}": "facet_values",
        "/api/search.jsonl": "export_jsonl", "/api/search.csv": "export_csv",
        "/api/search.xlsx": "export_xlsx", "/api/projects": "get_projects",
        "/api/projects/{project_id}": "get_project", "/api/suggest": "suggest",
        "/api/authorities/{slug}": "get_authority", "/api/countries/{code}": "get_country",
        "/healthz": "health", "/readyz": "ready",
    }
    schemes = spec["components"]["securitySchemes"]
    assert [s["scheme"] for s in schemes.values()] == ["bearer"]
    name = next(iter(schemes))
    for path, item in spec["paths"].items():
        security = item["get"].get("security")
        assert (security == [{name: []}]) if path.startswith("/api/") else not security, path
    years = [p["schema"] for p in spec["paths"]["/api/search"]["get"]["parameters"]
             if p["name"] in ("year_min", "year_max")]
    assert [[b["type"] for b in y["anyOf"]] for y in years] == [["integer", "null"]] * 2
    media = {path: set(spec["paths"][path]["get"]["responses"]["200"]["content"])
             for path in ("/api/search.jsonl", "/api/search.csv", "/api/search.xlsx")}
    assert media == {
        "/api/search.jsonl": {"application/x-ndjson"}, "/api/search.csv": {"text/csv"},
        "/api/search.xlsx": {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}}


@pytest.fixture(scope="module")
def client_package(served: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not GENERATOR.exists():
        pytest.skip("openapi-python-client is not installed (test extras)")
    root = tmp_path_factory.mktemp("generated")
    (root / "openapi.json").write_text(httpx.get(f"{served}/openapi.json").text)
    (root / "config.json").write_text(json.dumps(CONFIG))
    run = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(root / "openapi.json"), "--config",
         str(root / "config.json"), "--output-path", str(root / "atlas_api_client"),
         "--meta", "none"], capture_output=True, text=True, timeout=300,
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"})
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout, run.stdout  # every operation generated in full
    sys.path.insert(0, str(root))
    try:
        yield "atlas_api_client"
    finally:
        sys.path.remove(str(root))
        for module in [m for m in sys.modules if m.startswith("atlas_api_client")]:
            del sys.modules[module]
        shutil.rmtree(root, ignore_errors=True)


def test_a_generated_client_searches_pages_and_revalidates(client_package: str,
                                                           served: str) -> None:
    package = importlib.import_module(client_package)
    search = importlib.import_module(f"{client_package}.api.api.search")
    get_project = importlib.import_module(f"{client_package}.api.api.get_project")
    get_projects = importlib.import_module(f"{client_package}.api.api.get_projects")
    export_csv = importlib.import_module(f"{client_package}.api.api.export_csv")
    export_xlsx = importlib.import_module(f"{client_package}.api.api.export_xlsx")

    client = package.AuthenticatedClient(base_url=served, token=TOKEN)
    first = search.sync(client=client, q="eau", size=5)
    second = search.sync(client=client, q="eau", size=5, page=2)
    assert first.total == second.total > 10 and first.pages >= 2
    assert {h.id for h in first.hits}.isdisjoint(h.id for h in second.hits)
    years = search.sync(client=client, year_min=2015, year_max=2018, size=100)
    assert years.total > 0 and all(2015 <= h.start_year <= 2018 for h in years.hits)

    wanted = [SEED_ID, first.hits[0].id, "absent_000"]
    batch = get_projects.sync_detailed(client=client, id=wanted)
    assert batch.status_code == HTTPStatus.OK
    assert [p.id for p in batch.parsed.projects] == wanted[:2]
    assert batch.parsed.missing == ["absent_000"]

    record = get_project.sync_detailed(client=client, project_id=SEED_ID)
    assert record.status_code == HTTPStatus.OK and record.parsed.id == SEED_ID
    tagged = client.with_headers({"If-None-Match": record.headers["etag"]})
    again = get_project.sync_detailed(client=tagged, project_id=SEED_ID)
    assert again.status_code == HTTPStatus.NOT_MODIFIED and again.content == b""

    csv = export_csv.sync_detailed(client=client, q="eau")
    assert csv.status_code == HTTPStatus.OK and csv.headers["x-total-count"] == str(first.total)
    xlsx = export_xlsx.sync_detailed(client=client, q="eau")
    assert xlsx.status_code == HTTPStatus.OK and xlsx.content[:2] == b"PK"

    anonymous = package.Client(base_url=served)
    refused = search.sync_detailed(client=anonymous, q="eau")
    assert refused.status_code == HTTPStatus.UNAUTHORIZED

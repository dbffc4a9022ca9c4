"""The API as programs meet it: batch lookup, ETags, exports, methods, validation, contract."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import SEED_ID, SYNTHETIC_COUNT
from .test_api import read_csv, search

TOTAL = SYNTHETIC_COUNT + 2


def some_ids(client, n: int) -> list[str]:
    return [h["id"] for h in search(client, sort="year_asc", size=n)["hits"]]


# ---------------------------------------------------------------- batch lookup


def test_batch_in_order_asked_each_once_with_missing(client) -> None:
    a, b, c = some_ids(client, 3)
    response = client.get("/api/projects", params={"id": [c, "nope", a, c, "x.y", b, a]})
    assert response.status_code == 200
    data = response.json()
    assert [p["id"] for p in data["projects"]] == [c, a, b]
    assert data["missing"] == ["nope", "x.y"]
    for record in data["projects"]:  # the whole record, as the single lookup gives it
        assert record == client.get(f"/api/projects/{record['id']}").json()


def test_batch_of_100_and_limits(client) -> None:
    ids = some_ids(client, 100)
    data = client.get("/api/projects", params={"id": ids}).json()
    assert [p["id"] for p in data["projects"]] == ids and data["missing"] == []
    too_many = client.get("/api/projects", params={"id": ids + ["one-more"]})
    assert too_many.status_code == 422
    assert "100" in json.dumps(too_many.json()["detail"])
    assert client.get("/api/projects").status_code == 422
    assert client.get("/api/projects", params={"id": ""}).status_code == 422


# ---------------------------------------------------------------- ETags


API_GETS = [
    ("/api/search", {"q": "eau"}), ("/api/search.jsonl", {"q": "eau"}),
    ("/api/search.csv", {"q": "eau"}), ("/api/search.xlsx", {"q": "eau"}),
    ("/api/projects", {"id": SEED_ID}), (f"/api/projects/{SEED_ID}", {}),
    ("/api/suggest", {"q": "ital"}), ("/api/authorities/clermont-ferrand", {}),
    ("/api/countries/MX", {}),
]


@pytest.mark.parametrize("path,params", API_GETS)
def test_etag_and_304(client, path: str, params: dict) -> None:
    first = client.get(path, params=params)
    assert first.status_code == 200
    tag = first.headers["etag"]
    again = client.get(path, params=params, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag
    assert client.get(path, params=params, headers={"If-None-Match": '"other"'}
                      ).status_code == 200
    other = client.get(path, params={**params, "x": "1"}).headers["etag"]
    if path.startswith("/api/projects"):
        assert other == tag  # a record's tag is its stored bytes', whatever else is asked
    else:
        assert other != tag


def test_etag_changes_with_index_version(index_dir: Path, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from indexer.build import delete
    from search_app.settings import Settings
    from search_app.web.app import create_app

    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    with TestClient(create_app(Settings(index_dir=copy))) as client:
        before = client.get("/api/search", params={"q": "eau"})
        victim = before.json()["hits"][0]["id"]
        delete([victim], copy)
        after = client.get("/api/search", params={"q": "eau"},
                           headers={"If-None-Match": before.headers["etag"]})
        assert after.status_code == 200
        assert after.headers["etag"] != before.headers["etag"]
        assert after.json()["total"] == before.json()["total"] - 1


# ---------------------------------------------------------------- exports


@pytest.mark.parametrize("params", [
    {}, {"q": "eau"}, {"q": "coopération", "sort": "funding_desc"}, {"country": "SN"},
    {"q": "zzzzzzzzzzzq"},
])
def test_jsonl_count_equals_total_in_requested_order(client, params: dict) -> None:
    response = client.get("/api/search.jsonl", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = response.text.splitlines()
    answer = search(client, **params, size=100)
    assert len(lines) == answer["total"] == int(response.headers["x-total-count"])
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records[:100]] == [h["id"] for h in answer["hits"]]
    assert len({r["id"] for r in records}) == len(records)


def test_jsonl_lines_are_the_parse(client) -> None:
    lines = client.get("/api/search.jsonl", params={"q": "villes michelin"}).text.splitlines()
    seed = next(json.loads(line) for line in lines if SEED_ID in line)
    # The parse, then the record's page and, its status contradicting its end date, the
    # remark (issue 26).
    assert seed.pop("url") == f"http://testserver/projects/{SEED_ID}"
    assert seed.pop("status_check") == "En cours, date de fin passée"
    assert seed == client.get(f"/api/projects/{SEED_ID}").json()


@pytest.fixture(scope="module")
def spreadsheet_client(tmp_path_factory: pytest.TempPathFactory):
    """An index of records made to trip spreadsheets: formulas, huge cells, unknown amounts."""
    from fastapi.testclient import TestClient

    from indexer.build import build
    from search_app.settings import Settings
    from search_app.web.app import create_app

    root = tmp_path_factory.mktemp("sheet")
    records = [
        {"id": "f1", "title": "=HYPERLINK(\"http://evil\";\"clic\")", "start_year": 2015,
         "triennial": True, "french_partners": ["+Lyon", "@Nantes"],
         "funding": [{"funder": "Ville", "amount_eur": 1200, "year": 2015}],
         "countries": [{"code": "SN", "name": "Sénégal"}],
         "context": "coopération tableur"},
        # A title within the indexer's limits; a cell beyond Excel's (800 partner names).
        {"id": "f2", "title": "-2+3 tableur", "triennial": False,
         "funding": [{"funder": "Région", "amount_eur": None, "year": 2014}],
         "french_partners": [f"Commune numéro {i} " + "long " * 9 for i in range(800)],
         "context": "coopération tableur"},
        {"id": "f3", "title": "Projet sans financement", "context": "coopération tableur"},
    ]
    (root / "recs.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    build([root], root / "index", progress=False, workers=1)
    with TestClient(create_app(Settings(index_dir=root / "index"))) as client:
        yield client


def test_csv_for_french_excel_and_inert_formulas(spreadsheet_client) -> None:
    response = spreadsheet_client.get("/api/search.csv", params={"sort": "year_desc"})
    heading = response.content.decode("utf-8-sig").splitlines()[0]
    assert heading.startswith('"Identifiant";"Titre";"Thématique";')  # as Excel's
    rows = {r["id"]: r for r in read_csv(response)}
    assert rows["f1"]["title"] == "'=HYPERLINK(\"http://evil\";\"clic\")"
    assert rows["f1"]["french_partners"] == "'+Lyon | @Nantes"
    assert rows["f2"]["title"].startswith("'-2+3")
    assert rows["f1"]["funding_total_eur"] == "1200"
    assert rows["f2"]["funding_total_eur"] == "" and rows["f3"]["funding_total_eur"] == ""
    assert (rows["f1"]["triennial"], rows["f2"]["triennial"], rows["f3"]["triennial"]) == (
        "oui", "non", "")


def test_xlsx_export(spreadsheet_client, client) -> None:
    from openpyxl import load_workbook

    response = spreadsheet_client.get("/api/search.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["Identifiant", "Titre"]
    col = {name: header.index(name) for name in header}
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    assert set(rows) == {"f1", "f2", "f3"}
    f1, f2, f3 = rows["f1"], rows["f2"], rows["f3"]
    title = f1[col["Titre"]]
    assert title.data_type == "s" and title.value.startswith("=HYPERLINK")
    assert title.quotePrefix  # shown as text, never run
    assert f1[col["Année de début"]].value == 2015  # a number, not text
    assert f1[col["Financement total (€)"]].value == 1200
    assert f2[col["Financement total (€)"]].value is None
    assert f3[col["Financement total (€)"]].value is None
    assert [r[col["Triennal"]].value for r in (f1, f2, f3)] == ["oui", "non", None]
    long_text = f2[col["Collectivités françaises"]].value
    assert len(long_text) == 32_767 and long_text.endswith("(texte tronqué)")
    assert sheet.column_dimensions["B"].width >= 40
    # The fixture index: one row per match, like the JSON Lines export.
    big = load_workbook(io.BytesIO(client.get("/api/search.xlsx", params={"q": "eau"}).content))
    assert big.active.max_row - 1 == search(client, q="eau")["total"]


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize("query,needle", [
    ("year_max=null", "not a year"), ("year_max=abc", "not a year"),
    ("year_min=20x", "not a year"), ("year_min=-5", "not a year"),
    ("status=null", "not a filter value"), ("country=None", "not a filter value"),
    ("theme=undefined", "not a filter value"), ("sort=random", "relevance"),
    ("size=101", "100"),
])
@pytest.mark.parametrize("path", ["/api/search", "/api/search.csv", "/api/search.jsonl"])
def test_bad_input_422_with_message(client, path: str, query: str, needle: str) -> None:
    response = client.get(f"{path}?{query}")
    assert response.status_code == 422
    assert needle in json.dumps(response.json()["detail"])


def test_empty_values_mean_no_filter_and_reversed_range_swapped(client) -> None:
    everything = search(client)["total"]
    assert everything == TOTAL
    empties = client.get("/api/search?country=&theme=&status=&year_min=&year_max=").json()
    assert empties["total"] == everything
    one_bound = client.get("/api/search?year_min=2010&year_max=").json()["total"]
    assert one_bound == search(client, year_min=2010)["total"] > 0
    assert search(client, year_min=2018, year_max=2010)["total"] == search(
        client, year_min=2010, year_max=2018)["total"] > 0


def test_html_error_page_french_keeps_query(client) -> None:
    response = client.get("/?q=eau&country=SN&year_max=abc")
    assert response.status_code == 422
    # French typography: no-break spaces inside « » and before « : ».
    assert "«\u00a0abc\u00a0» n’est pas une année\u00a0: indiquez" in response.text
    assert 'href="/?q=eau&amp;country=SN"' in response.text
    assert "Input should" not in response.text
    assert client.get("/?q=eau&year_min=2010&year_max=").status_code == 200


# ---------------------------------------------------------------- methods


def get_routes(routes) -> list[str]:
    """Every GET path of the app, included routers walked (the seed id for `{project_id}`)."""
    out = []
    for route in routes:
        inner = getattr(route, "original_router", None) or getattr(route, "router", None)
        if inner is not None and not getattr(route, "methods", None):
            out += get_routes(inner.routes)
        elif "GET" in (getattr(route, "methods", None) or ()):
            out.append(route.path.replace("{project_id}", SEED_ID))
    return out


def test_head_answers_on_every_get_route(client) -> None:
    paths = get_routes(client.app.routes)
    assert {"/", "/healthz", "/api/search", "/api/projects"} <= set(paths)
    for path in paths:
        params = {"id": SEED_ID} if path == "/api/projects" else {}
        get = client.get(path, params=params)
        head = client.head(path, params=params)
        assert head.status_code == get.status_code, path
        assert head.content == b"", path
        assert head.headers["content-type"] == get.headers["content-type"], path


@pytest.mark.parametrize("method,path", [
    ("TRACE", "/healthz"), ("DELETE", "/api/search"), ("POST", f"/api/projects/{SEED_ID}"),
    ("PUT", "/"),
])
def test_405_with_allow(client, method: str, path: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


# ---------------------------------------------------------------- contract


def test_openapi_describes_real_answers(client) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ("/api/search", "/api/projects", "/api/projects/{project_id}", "/api/suggest",
                 "/api/authorities/{slug}", "/api/countries/{code}", "/healthz"):
        schema = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert "$ref" in schema, path
    for path in ("/api/search", "/api/search.jsonl", "/api/projects"):
        assert {"304", "401", "422"} <= set(paths[path]["get"]["responses"]), path
    assert "404" in paths["/api/projects/{project_id}"]["get"]["responses"]
    hit = spec["components"]["schemas"]["Hit"]
    assert {"id", "title", "snippet", "score", "countries"} <= set(hit["properties"])
    assert client.get("/redoc").status_code == 404  # not offered: it cannot load under the CSP


def test_openapi_declares_bearer_when_a_token_is_set(settings) -> None:
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from search_app.web.app import create_app

    with TestClient(create_app(replace(settings, api_token="s3cret"))) as client:
        spec = client.get("/openapi.json").json()
        assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
        assert spec["paths"]["/api/search"]["get"]["security"] == [{"HTTPBearer": []}]
        ok = {"Authorization": "Bearer s3cret"}
        tag = client.get("/api/search", headers=ok).headers["etag"]
        # a revalidation still needs the token
        assert client.get("/api/search", headers={"If-None-Match": tag}).status_code == 401
        assert client.get("/api/search", headers={**ok, "If-None-Match": tag}
                          ).status_code == 304


def atlas(*args: str, env: dict | None = None, timeout: float = 60
          ) -> subprocess.CompletedProcess:
    import os

    exe = Path(sys.executable).with_name("atlas")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def test_serve_refuses_a_non_ascii_token_in_one_line(index_dir: Path) -> None:
    run = atlas("serve", "--index", str(index_dir), "--port", "1",
                env={"ATLAS_API_TOKEN": "clé-secrète"})
    assert run.returncode == 1
    assert run.stderr.strip().count("\n") == 0, run.stderr
    assert "ATLAS_API_TOKEN" in run.stderr and "Traceback" not in run.stderr


def test_search_page_links_the_exports_of_this_search(client, settings) -> None:
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from search_app.web.app import create_app

    assert search(client, q="eau")["pages"] >= 2
    page = client.get("/", params={"q": "eau", "sort": "year_desc", "page": 2}).text
    xlsx = "/telechargements/recherche.xlsx?q=eau&amp;sort=year_desc"
    assert f'href="{xlsx}" download>Télécharger (Excel)' in page
    assert 'href="/telechargements/recherche.csv?q=eau&amp;sort=year_desc"' in page
    # The downloads are public: a token on the API does not take them from visitors.
    with TestClient(create_app(replace(settings, api_token="s3cret"))) as private:
        page = private.get("/", params={"q": "eau"}).text
        assert "/telechargements/recherche.xlsx?q=eau" in page
        got = private.get("/telechargements/recherche.csv", params={"q": "eau"})
        assert got.status_code == 200 and got.headers["x-total-count"] == str(
            search(client, q="eau")["total"])
        assert private.get("/api/search.csv", params={"q": "eau"}).status_code == 401

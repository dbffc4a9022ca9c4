"""Issue 26: figures people can trust, checked through HTTP against plain computations over
the records (the JSON Lines export of the same search)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.figures import CHECK_ENDED, authority_key, status_check
from search_app.engine.network import slugify
from tests.conftest import SEED_ID

SEARCHES = [
    {},
    {"q": "eau"},
    {"country": "SN"},
    {"theme": "Culture et Patrimoine", "year_min": "2010"},
    {"q": "jeunesse", "status": "En cours"},
    {"end_min": "2022-01-01", "end_max": "2026-12-31"},
]


def export(client, **params) -> list[dict]:
    r = client.get("/api/search.jsonl", params=params)
    assert r.status_code == 200
    return [json.loads(line) for line in r.text.splitlines()]


# ---------------------------------------------------------------- the answer's own total


@pytest.mark.parametrize("params", SEARCHES, ids=lambda p: "&".join(f"{k}={v}" for k, v in
                                                                     p.items()) or "all")
def test_answer_total_is_the_exports_sum(client, params) -> None:
    answer = client.get("/api/search", params={**params, "size": 1}).json()
    records = export(client, **params)
    assert len(records) == answer["total"]
    assert answer["funding_total_eur"] == sum(r["funding_total_eur"] for r in records)
    assert answer["total"] > 0 or not records


# ---------------------------------------------------------------- countries


def test_country_shares_add_up_to_the_whole(client) -> None:
    records = export(client)
    with_country = sum(r["funding_total_eur"] for r in records if r["countries"])
    facet = client.get("/api/search", params={"size": 1}).json()["facets"]["country"]
    assert sum(i["funding_share_eur"] for i in facet) == with_country
    # The whole-project figure counts a project once per country: more than the whole.
    assert sum(i["funding_eur"] for i in facet) > with_country
    # The country pages' figures are the facet's.
    for item in facet[:5]:
        page = client.get(f"/api/countries/{item['value']}").json()
        assert page["funding_share_eur"] == item["funding_share_eur"]
        assert page["funding_eur"] == item["funding_eur"]
        mine = [r for r in records if item["value"] in {c["code"] for c in r["countries"]}]
        assert page["funding_eur"] == sum(r["funding_total_eur"] for r in mine)
        assert abs(page["funding_share_eur"] - sum(
            r["funding_total_eur"] / len({c["code"] for c in r["countries"]}) for r in mine)
        ) <= len(mine)  # whole euros: at most one per project apart


def test_map_shows_where_the_results_are(client) -> None:
    answer = client.get("/api/search", params={"country": "SN", "size": 1}).json()
    where = {c["code"]: c for c in answer["countries_of_results"]}
    assert where["SN"]["count"] == answer["total"] > 0
    assert where["SN"]["funding_eur"] == answer["funding_total_eur"]
    records = export(client, country="SN")
    plain: dict[str, int] = {}
    for r in records:
        for code in {c["code"] for c in r["countries"]}:
            plain[code] = plain.get(code, 0) + 1
    assert {c: w["count"] for c, w in where.items()} == plain
    # The facet keeps its disjunctive counts: what each other country would add.
    facet = {i["value"]: i["count"] for i in answer["facets"]["country"]}
    assert sum(facet.values()) > sum(plain.values())


# ---------------------------------------------------------------- end dates


@pytest.fixture
def everything(client) -> list[dict]:
    return export(client)


DAYS = st.dates(min_value=date(2010, 1, 1), max_value=date(2032, 12, 31))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(low=st.none() | DAYS, high=st.none() | DAYS,
       sort=st.sampled_from(["end_desc", "end_asc"]))
def test_end_filters_and_sorts_are_the_plain_computation(client, everything, low, high,
                                                         sort) -> None:
    params = {"sort": sort, "size": 100}
    if low:
        params["end_min"] = low.isoformat()
    if high:
        params["end_max"] = high.isoformat()
    if low and high and low > high:
        low, high = high, low
    got = export(client, **params)
    wanted = [r for r in everything if (low or high) is None or (
        r["end_date"] and (low is None or r["end_date"] >= low.isoformat())
        and (high is None or r["end_date"] <= high.isoformat()))]
    assert sorted(r["id"] for r in got) == sorted(r["id"] for r in wanted)
    ends = [r["end_date"] for r in got if r["end_date"]]
    assert ends == sorted(ends, reverse=sort == "end_desc")
    assert all(r["end_date"] for r in got[:len(ends)])  # undated last
    answer = client.get("/api/search", params=params).json()
    assert answer["total"] == len(wanted)
    assert [h["id"] for h in answer["hits"]] == [r["id"] for r in got[:100]]


def test_end_query_syntax_is_the_filter(client) -> None:
    by_syntax = client.get("/api/search", params={"q": "fin:2020..2022"}).json()
    by_params = client.get("/api/search", params={"end_min": "2020-01-01",
                                                  "end_max": "2022-12-31"}).json()
    assert by_syntax["total"] == by_params["total"] > 0
    assert by_syntax["hits"] == by_params["hits"]
    assert client.get("/api/search", params={"end_min": "2021-13-01"}).status_code == 422


def test_a_contradiction_is_flagged_on_the_real_page(client) -> None:
    answer = client.get("/api/search", params={"status_check": CHECK_ENDED, "size": 100}).json()
    ids = {h["id"]: h for h in answer["hits"]}
    assert ids[SEED_ID]["status_check"] == CHECK_ENDED  # « En cours », ended 31/12/2021
    assert all(h["status_check"] for h in answer["hits"])
    facet = {i["value"]: i["count"] for i in answer["facets"]["status_check"]}
    assert facet[CHECK_ENDED] == answer["total"]
    plain = [r for r in export(client) if status_check(r["status"], r["end_date"])]
    assert sum(facet.values()) == len(plain)
    page = client.get(f"/projects/{SEED_ID}").text
    assert "statut à vérifier" in page.lower()


def test_status_check_rule() -> None:
    today = date(2026, 6, 1)
    assert status_check("En cours", "2021-12-31", today) == CHECK_ENDED
    assert status_check("En cours", "2026-06-01", today) is None
    assert status_check("Terminé", "2027-01-01", today) is not None
    assert status_check("Terminé", "2020-01-01", today) is None
    assert status_check("En projet", "2020-01-01", today) is None
    assert status_check("En cours", None, today) is None


# ---------------------------------------------------------------- authorities' own funding

SPELLINGS = [
    ("Ville d'Angers", "Angers"),
    ("Angers", "Angers"),
    ("ANGERS", "Angers"),
    ("ville d’angers", "Angers"),
    ("Commune de Saint-Étienne", "Saint-Etienne"),
    ("Mairie de Lille", "Lille"),
    ("Région Pays de la Loire", "Région Pays de la Loire"),
    ("REGION PAYS DE LA LOIRE", "Région Pays de la Loire"),
    ("Département de la Gironde", "Département de la Gironde"),
]
NOT_THE_SAME = [("Angers Loire Métropole", "Angers"), ("Villeneuve-d'Ascq", "Ascq"),
                ("Union européenne", "Angers")]


@pytest.mark.parametrize(("funder", "authority"), SPELLINGS)
def test_spellings_of_one_authority_share_a_key(funder, authority) -> None:
    assert authority_key(funder) == authority_key(authority)


@pytest.mark.parametrize(("funder", "authority"), NOT_THE_SAME)
def test_other_names_keep_their_own_key(funder, authority) -> None:
    assert authority_key(funder) != authority_key(authority)


def _record(rid: str, partners: list[str], rows: list[tuple[str, int]], **extra) -> dict:
    return {"id": rid, "title": f"Projet {rid}", "theme": "Eau et assainissement",
            "status": "En cours", "start_year": 2018, "french_partners": partners,
            "foreign_partners": [{"name": "Podor", "country": "Sénégal"}],
            "funding": [{"funder": f, "amount_eur": a, "year": 2019 + i % 2}
                        for i, (f, a) in enumerate(rows)], **extra}


SPELLED = [
    _record("b1", ["Angers"], [("Ville d'Angers", 1000), ("Union européenne", 500)]),
    _record("b2", ["Angers", "Région Pays de la Loire"],
            [("ANGERS", 200), ("Région Pays de la Loire", 300), ("angers", 7)]),
    _record("b3", ["Angers"], [("Agence de l'eau", 840)]),  # no row of Angers: not its own
    _record("b4", ["Lille"], [("Ville d'Angers", 99), ("Mairie de Lille", 50)]),
]


@pytest.fixture(scope="module")
def spelled_client(tmp_path_factory: pytest.TempPathFactory):
    from fastapi.testclient import TestClient

    from indexer.build import build
    from search_app.settings import Settings
    from search_app.web.app import create_app

    root = tmp_path_factory.mktemp("spelled")
    source = root / "records.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in SPELLED),
                      encoding="utf-8")
    assert not build([source], root / "index", progress=False, workers=1).failures
    with TestClient(create_app(Settings(index_dir=root / "index"))) as c:
        yield c


def test_own_contribution_is_the_sum_of_its_funder_rows(spelled_client) -> None:
    angers = spelled_client.get("/api/authorities/angers").json()
    assert angers["own_funding_eur"] == 1000 + 200 + 7  # b4's row is not on its projects
    assert angers["funding_eur"] == 1500 + 507 + 840
    assert {f["name"] for f in angers["unmatched_funders"]} == {"Union européenne",
                                                                "Agence de l'eau"}
    region = spelled_client.get("/api/authorities/region-pays-de-la-loire").json()
    assert region["own_funding_eur"] == 300
    lille = spelled_client.get("/api/authorities/lille").json()
    assert lille["own_funding_eur"] == 50
    years = {y["year"]: y["funding_eur"] for y in angers["funding_years"]}
    assert sum(years.values()) == angers["funding_eur"]


def test_own_contribution_on_the_fixture_corpus(client) -> None:
    records = export(client)
    names = sorted({n for r in records for n in r["french_partners"]})
    keys = {authority_key(n) for n in names}
    checked = 0
    for name in names[:12]:
        answer = client.get("/api/search", params={"french_partner": name, "size": 1}).json()
        mine = [r for r in records if name in r["french_partners"]]
        own = sum(f["amount_eur"] or 0 for r in mine for f in r["funding"]
                  if f["funder"] and authority_key(f["funder"]) == authority_key(name))
        page = client.get(f"/api/authorities/{slugify(name)}").json()
        if page["name"] != name:
            continue
        assert page["own_funding_eur"] == own
        assert page["funding_eur"] == answer["funding_total_eur"]
        unmatched = {authority_key(f["funder"]) for r in mine for f in r["funding"]
                     if f["funder"] and f["amount_eur"] is not None
                     and authority_key(f["funder"]) not in keys}
        assert {authority_key(f["name"]) for f in page["unmatched_funders"]} == unmatched
        checked += 1
    assert checked >= 8


def test_ready_link_finds_what_ended_in_the_last_twelve_months(client, everything) -> None:
    page = client.get("/").text
    today = date.today()
    start = (today - timedelta(days=365)).isoformat()
    assert f"end_min={start}" in page and "terminés depuis 12 mois" in page


# ---------------------------------------------------------------- the map


def test_selected_country_stands_out_on_the_search_map(client) -> None:
    page = client.get("/", params={"country": "SN"}).text
    assert 'data-code="SN"' in page
    sn = page.split('data-code="SN"', 1)[1].split("</a>", 1)[0]
    assert " sel" in sn
    assert "sélection\u00a0: Sénégal" in page


def test_small_countries_get_markers() -> None:
    from search_app.web.worldmap import render_world_map

    drawn = str(render_world_map({"SG": 3, "FR": 10}, lambda c: f"/pays/{c}", {},
                                 selected={"SG"}))
    singapore = drawn.split('data-code="SG"', 1)[1].split("</a>", 1)[0]
    france = drawn.split('data-code="FR"', 1)[1].split("</a>", 1)[0]
    assert "<circle" in singapore and "sel" in singapore
    assert "<circle" not in france


def test_legend_classes_are_distinct() -> None:
    css = (Path(__file__).parents[2] / "search_app" / "web" / "static" / "atlas.css").read_text()
    colours = [tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))
               for h in re.findall(r"--map-\d: #([0-9a-f]{6});", css)]
    assert len(colours) == 6
    for i, a in enumerate(colours):
        for b in colours[i + 1:]:
            assert sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5 > 45, (a, b)


def test_every_country_value_carries_its_share(client) -> None:
    listed = client.get("/api/facets/country", params={"size": 100}).json()["values"]
    facet = client.get("/api/search", params={"size": 1}).json()["facets"]["country"]
    assert {i["value"]: i["funding_share_eur"] for i in listed} == \
        {i["value"]: i["funding_share_eur"] for i in facet}


# ---------------------------------------------------------------- exports and network pages


def test_csv_carries_the_page_and_the_status_check(client) -> None:
    from .test_api import read_csv

    rows = read_csv(client.get("/api/search.csv", params={"q": "villes michelin"}))
    seed = next(r for r in rows if r["id"] == SEED_ID)
    assert seed["url"] == f"http://testserver/projects/{SEED_ID}"
    assert seed["status_check"] == CHECK_ENDED


@pytest.mark.parametrize("page", ["/pays/SN", "/collectivites/region-bretagne"])
def test_network_pages_download_and_sort(client, page) -> None:
    html = client.get(page).text
    for ext in ("xlsx", "csv", "jsonl"):
        assert f"/telechargements/recherche.{ext}?" in html  # public, like the page
    assert f'href="{page}?sort=funding_desc"' in html
    filters = {"country": "SN"} if "pays" in page else {"french_partner": "Région Bretagne"}
    richest = client.get("/api/search", params={**filters, "sort": "funding_desc",
                                                "size": 1}).json()["hits"][0]
    listed = client.get(page, params={"sort": "funding_desc"}).text.split('<ol class="hits">')[1]
    first = re.search(r'href="/projects/([^"]+)"', listed)
    assert first is not None and first.group(1) == richest["id"]
    assert client.get(page, params={"sort": "nope"}).status_code == 422


@pytest.mark.parametrize(("q", "ends"), [
    ("fin:2021", (date(2021, 1, 1), date(2021, 12, 31))),
    ("fin:2020..2022", (date(2020, 1, 1), date(2022, 12, 31))),
    ("fin:2022..2020", (date(2020, 1, 1), date(2022, 12, 31))),
    ("fin:2021-06-30..2021", (date(2021, 6, 30), date(2021, 12, 31))),
    ("fin:..2020", (None, date(2020, 12, 31))),
    ("Fin:2019..", (date(2019, 1, 1), None)),
])
def test_end_syntax(q, ends) -> None:
    from search_app.engine.request import SearchParams

    params = SearchParams(q=f"eau {q}")
    assert params.q == "eau" and (params.end_min, params.end_max) == ends


def test_a_bad_end_term_stays_text() -> None:
    from search_app.engine.request import SearchParams

    params = SearchParams(q="fin:2021-02-30")
    assert params.q == "fin:2021-02-30" and params.end_min is None

"""French matching cases through the product path: a record holding `document` is found by
`query` or, for nomatch rows, is not. Indexes are built by `indexer.build.build` and searched
by `SearchService`, as the API, the pages and the CLI do (typo tolerance and its fallbacks
included).

A nomatch row searches its own tiny index (the document plus distractors), where nothing
else can match and so every fallback is tried. The match rows of a table share one index
(one record per document, plus the distractors): other records can only keep the fallbacks
from running, so a row found there is found alone too, and the suite stays fast."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from indexer.build import build
from indexer.record import Country, ForeignContact, ForeignPartner, Record
from indexer.schema import build_schema, record_to_doc
from search_app.engine.request import SearchParams
from search_app.engine.service import SearchService

DATA = Path(__file__).parents[1] / "data"

DISTRACTORS = [
    Record(id="d1", title="Appui à la gouvernance locale",
           context="Formation des agents municipaux à la gestion budgétaire."),
    Record(id="d2", title="Échanges universitaires",
           context="Bourses pour des chercheurs en agronomie.",
           foreign_partners=[ForeignPartner(name="Hué", country="Viêt Nam")],
           countries=[Country(code="VN", name="Viêt Nam")]),
    Record(id="d3", title="Festival de musique",
           context="Programmation d'artistes et résidences de création."),
]


def _rows(name: str) -> list:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        lines = [line for line in f if line.strip() and not line.startswith("#")]
    rows = list(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [pytest.param(*row, id=f"{row[0]}-{row[1]}") for row in rows]


CASES = _rows("french_queries.tsv") + _rows("french_queries_extra.tsv")
ROUND2 = _rows("french_queries_round2.tsv")
ROUND3 = _rows("french_queries_round3.tsv")


def build_index(root: Path, records: list[Record]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    source = root / "records.jsonl"
    source.write_text("".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n"
                              for r in records), encoding="utf-8")
    report = build([source], root / "index", progress=False, workers=1)
    assert not report.failures, report.failures
    return root / "index"


def search_index(index: Path, q: str, service: SearchService | None = None) -> set[str]:
    """Every id `q` finds, all pages read."""
    own = service is None
    service = SearchService(index) if service is None else service
    found: set[str] = set()
    try:
        page = 1
        while True:
            # The tables state AND semantics over content words: every word required
            # (`match=all`); relaxed matching is tested by test_relax and the natural queries.
            result = service.search(SearchParams(q=q, size=100, page=page, match="all"))
            found.update(hit["id"] for hit in result["hits"])
            if page >= result["pages"]:
                return found
            page += 1
    finally:
        if own:
            service.close()


def found_ids(tmp_path: Path, records: list[Record], q: str) -> set[str]:
    return search_index(build_index(tmp_path, records), q)


def _doc_id(document: str) -> str:
    return f"doc{zlib.crc32(document.encode()):08x}"


@pytest.fixture(scope="module")
def shared_service(tmp_path_factory: pytest.TempPathFactory):
    """One index holding the document of every match row (id from the document)."""
    documents = {row.values[3] for row in CASES + ROUND2 + ROUND3
                 if row.values[4] == "match"}
    records = [Record(id=_doc_id(d), title="Projet", context=d) for d in sorted(documents)]
    index = build_index(tmp_path_factory.mktemp("shared"), [*records, *DISTRACTORS])
    service = SearchService(index)
    yield service
    service.close()


@pytest.fixture(scope="module")
def case_index(tmp_path_factory: pytest.TempPathFactory):
    """The index of one document and the distractors, built once per distinct document."""
    built: dict[str, Path] = {}

    def index_for(document: str) -> Path:
        if document not in built:
            target = Record(id="target", title="Projet", context=document)
            built[document] = build_index(tmp_path_factory.mktemp("case"),
                                          [target, *DISTRACTORS])
        return built[document]

    return index_for


def test_public_cases_are_all_there() -> None:
    assert len(_rows("french_queries.tsv")) >= 22
    assert len(_rows("french_queries_extra.tsv")) >= 40
    assert len(ROUND2) >= 200
    assert len(ROUND3) >= 60


@pytest.mark.parametrize(("case", "category", "query", "document", "expect"),
                         CASES + ROUND2 + ROUND3)
def test_french_query(case_index, shared_service, case: str, category: str, query: str,
                      document: str, expect: str) -> None:
    if expect == "match":
        found = _doc_id(document) in search_index(Path(), query, shared_service)
    else:
        found = "target" in search_index(case_index(document), query)
    assert found == (expect == "match"), f"{case} [{category}] {query!r} vs {document!r}"


@pytest.mark.parametrize(("query", "document"), [
    ("Clermont-Ferrand", "Jumelage avec Clermont-Ferrand"),
    ("vitoria gasteiz", "Vitoria-Gasteiz"),
    ("côte d'ivoire", "Côte d’Ivoire"),
])
def test_names_field_matches_partner_names(tmp_path: Path, query: str, document: str) -> None:
    target = Record(id="target", title="Projet",
                    foreign_partners=[ForeignPartner(name=document, country="Espagne")])
    assert "target" in found_ids(tmp_path, [target, *DISTRACTORS], query)


def test_titles_and_themes_are_searched(tmp_path: Path) -> None:
    target = Record(id="target", title="Gestion des déchets", theme="Environnement, Climat",
                    sub_theme="Eau et assainissement")
    assert "target" in found_ids(tmp_path, [target, *DISTRACTORS], "dechets")
    assert "target" in found_ids(tmp_path, [target, *DISTRACTORS], "assainissement")


def test_emails_are_never_indexed(tmp_path: Path) -> None:
    target = Record(id="target", title="Projet", foreign_contacts=[ForeignContact(
        authority="Commune de Thiès", last_name="Diop", first_name="Awa", role="Maire",
        email="awa.diop@thies.sn")])
    doc = record_to_doc(target)
    assert not any("@" in str(value) or "thies.sn" in str(value) for value in doc.values())
    assert "target" in found_ids(tmp_path / "a", [target, *DISTRACTORS], "Thiès")
    assert "target" not in found_ids(tmp_path / "b", [target, *DISTRACTORS], "awa.diop")


def test_only_the_id_is_stored() -> None:
    schema = build_schema()
    assert [name for name, field in schema.items() if field.stored] == ["id"]


# ---- the seams: the same answer through SearchService, the HTTP API and `atlas search`

SEAM_RECORDS = [
    Record(id="martin", title="Partenariat avec Louis Saint-Martin",
           context="La potable question de l'eau du village."),
    Record(id="bamako", title="Jumelage avec Bamako", context="Des échanges scolaires."),
    Record(id="dali", title="Jumelage", context="Coopération avec la commune de N’Dali."),
]


@pytest.fixture(scope="module")
def seam_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(tmp_path_factory.mktemp("seam"), [*SEAM_RECORDS, *DISTRACTORS])


def _through_service(index: Path, q: str) -> set[str]:
    return search_index(index, q)


def _through_api(index: Path, q: str) -> set[str]:
    from fastapi.testclient import TestClient

    from search_app.settings import Settings
    from search_app.web.app import create_app

    with TestClient(create_app(Settings(index_dir=index))) as client:
        response = client.get("/api/search", params={"q": q, "size": 100})
    assert response.status_code == 200, response.text
    return {hit["id"] for hit in response.json()["hits"]}


def _through_cli(index: Path, q: str) -> set[str]:
    atlas = Path(sys.executable).parent / "atlas"
    done = subprocess.run([str(atlas), "search", q, "--json", "--limit", "100", "--index",
                           str(index)], capture_output=True, text=True, timeout=120,
                          check=True)
    return {hit["id"] for hit in json.loads(done.stdout)["hits"]}


PATHS = [_through_service, _through_api, _through_cli]


@pytest.mark.parametrize("path", PATHS, ids=["service", "api", "cli"])
def test_seams(seam_index: Path, path) -> None:
    # A hyphenated name or a phrase with no exact match never falls back to its parts in
    # another order, typo tolerance or not.
    assert path(seam_index, "Saint-Louis") == set()
    assert path(seam_index, '"eau potable"') == set()
    assert path(seam_index, "Saint-Martin") == {"martin"}
    # Typo tolerance (a transposition is one typo) and the N' names, the same everywhere.
    assert path(seam_index, "Bamkao") == {"bamako"}
    assert path(seam_index, "Ndali") == {"dali"}
    assert path(seam_index, "dali") == set()


# ---- invisible and decomposed characters, thousands separators: documents and queries alike

UNICODE_CASES = [
    ("école", "Construction d'une e\u0301cole primaire."),
    ("e\u0301cole", "Construction d'une école primaire."),
    ("assainissement", "Travaux d'assainisse\u00adment urbain."),
    ("assainisse\u00adment", "Travaux d'assainissement urbain."),
    ("coopération", "La coop\u200bération décentralisée."),
    ("coopé\u200dration", "La coopération décentralisée."),
    ("Sénégal", "Jumelage avec le Séné\ufeffgal."),
    ("\ufeffSénégal", "Jumelage avec le Sénégal."),
    ("5 000", "Un budget de 5\u00a0000 euros."),
    ("5\u202f000", "Un budget de 5000 euros."),
    ("5000", "Un budget de 5\u2009000 euros."),
    ("5\u00a0000 euros", "Un budget de 5 000 euros."),
]


@pytest.mark.parametrize(("query", "document"), UNICODE_CASES)
def test_unicode_forms_and_separators_match(case_index, query: str, document: str) -> None:
    assert "target" in search_index(case_index(document), query)


@pytest.mark.parametrize(("query", "document"), [
    ("5\u00a0000", "Un budget de 15\u00a0000 euros."),
    ("cole", "Une e\u0301cole primaire."),  # a decomposed accent does not split a word
    ("ment", "Travaux d'assainisse\u00adment."),  # nor does a soft hyphen
    ("ration", "La coopé\u200bration."),  # nor a zero-width space
])
def test_unicode_precision(case_index, query: str, document: str) -> None:
    assert "target" not in search_index(case_index(document), query)


def test_glued_elision_only_when_the_joined_form_is_absent(tmp_path: Path) -> None:
    split = Record(id="split", title="Projet", context="Travaux de l'assainissement urbain.")
    joined = Record(id="joined", title="Projet", context="Le mot lassainissement, tel quel.")
    assert found_ids(tmp_path / "a", [split, *DISTRACTORS], "lassainissement") == {"split"}
    assert found_ids(tmp_path / "b", [split, joined, *DISTRACTORS],
                     "lassainissement") == {"joined"}

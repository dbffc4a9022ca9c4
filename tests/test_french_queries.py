"""French matching cases: a record holding `document` is found by `query` or, for nomatch
rows, is not. Each case gets its own tiny index (the document plus distractors)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.record import Country, ForeignContact, ForeignPartner, Record
from indexer.schema import build_schema, record_to_doc
from search_app.query import build_text_query, parse_user_query

DATA = Path(__file__).parent / "data"

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


def found_ids(tmp_path: Path, records: list[Record], q: str) -> set[str]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    with ix.writer() as writer:
        for record in records:
            writer.add_document(**record_to_doc(record))
    query = build_text_query(parse_user_query(q))
    with ix.searcher() as searcher:
        if query is None:  # no content word: everything matches
            return {fields["id"] for fields in searcher.all_stored_fields()}
        return {hit["id"] for hit in searcher.search(query, limit=None)}


def test_public_cases_are_all_there() -> None:
    assert len(_rows("french_queries.tsv")) >= 22
    assert len(_rows("french_queries_extra.tsv")) >= 40


@pytest.mark.parametrize(("case", "category", "query", "document", "expect"), CASES)
def test_french_query(tmp_path: Path, case: str, category: str, query: str, document: str,
                      expect: str) -> None:
    target = Record(id="target", title="Projet", context=document)
    found = "target" in found_ids(tmp_path, [target, *DISTRACTORS], query)
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

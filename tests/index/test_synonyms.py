"""French synonyms: the bundled list, ATLAS_SYNONYMS, query-time expansion and its precision."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.build import build
from indexer.synonyms import SynonymsError, load_synonyms, parse_synonyms, spelling_key
from search_app.engine.query.synonyms import expand
from search_app.engine.query.syntax import parse_user_query
from search_app.engine.request import SearchParams
from search_app.engine.service import SearchService

DATA = Path(__file__).parents[1] / "data"

DOCS = {
    "ue_long": "Programme cofinancé par l'Union européenne pour les villes.",
    "ue_short": "Cofinancement de l'UE obtenu pour la deuxième phase.",
    "rue": "Réfection de la rue principale du quartier.",
    "ong_dots": "Partenariat avec une O.N.G. locale.",
    "ong_long": "Une organisation non gouvernementale assure le suivi.",
    "ong_short": "Les ONG du territoire sont associées.",
    "oms_long": "Appui de l'Organisation mondiale de la santé aux dispensaires.",
    "oms_short": "Campagne de vaccination avec l'OMS.",
    "hommes": "Égalité entre les femmes et les hommes.",
    "odd_long": "Contribution aux objectifs de développement durable de l'agenda 2030.",
    "odd_short": "Les ODD guident le programme.",
    "afd_long": "Prêt de l'Agence française de développement.",
    "afd_short": "Subvention AFD pour le réseau.",
    "epci_long": "Un établissement public de coopération intercommunale porte le projet.",
    "epci_short": "L'EPCI porte le projet.",
    "ord_3e": "Le 3e forum des maires.",
    "ord_3eme": "La troisième édition du festival.",
    "ord_roman": "Les IIIe Rencontres de la coopération.",
    "ord_plural": "Les 3èmes rencontres régionales.",
    "ord_21": "Les villes du XXIe siècle.",
    "ord_21b": "Les défis du 21ème siècle.",
    "st_short": "Jumelage avec St-Étienne depuis 1990.",
    "st_long": "Jumelage avec Saint-Étienne depuis 1990.",
    "ste_short": "Échanges avec Ste-Foy.",
    "ste_long": "Échanges avec Sainte-Foy.",
    "union_only": "Une union de coopératives agricoles.",
}


def _record(rid: str, text: str) -> dict:
    return {"id": f"syn_{rid}", "title": "Projet", "context": text, "start_year": 2020}


@pytest.fixture(scope="module")
def synonyms_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synonyms")
    src = root / "docs.jsonl"
    src.write_text("".join(json.dumps(_record(k, v), ensure_ascii=False) + "\n"
                           for k, v in DOCS.items()), encoding="utf-8")
    build([src], root / "index", progress=False, workers=1)
    return root / "index"


@pytest.fixture(scope="module")
def service(synonyms_index: Path):
    svc = SearchService(synonyms_index)
    yield svc
    svc.close()


def found(service: SearchService, q: str) -> set[str]:
    # Every word required (no relaxation): what the words and their expansions match.
    result = service.search(SearchParams(q=q, size=100, match="all"))
    return {h["id"].removeprefix("syn_") for h in result["hits"]}


# (query, documents it must find). Each group is checked both ways: every spelling finds
# every document of the group.
GROUPS = {
    "UE": ["UE", "Union européenne", "union europeenne", '"Union européenne"', "U.E."],
    "ONG": ["ONG", "O.N.G.", "organisation non gouvernementale", "ong"],
    "OMS": ["OMS", "Organisation mondiale de la santé"],
    "ODD": ["ODD", "objectifs de développement durable", "objectif de développement durable"],
    "AFD": ["AFD", "Agence française de développement"],
    "EPCI": ["EPCI", "établissement public de coopération intercommunale"],
    "3e": ["3e", "3ème", "3èmes", "troisième", "troisièmes", "IIIe"],
    "21e": ["XXIe", "21ème", "21e"],
    "St-Étienne": ["St-Étienne", "Saint-Étienne", "saint etienne", "st etienne"],
    "Ste-Foy": ["Ste-Foy", "Sainte-Foy"],
}
EXPECTED = {
    "UE": {"ue_long", "ue_short"},
    "ONG": {"ong_dots", "ong_long", "ong_short"},
    "OMS": {"oms_long", "oms_short"},
    "ODD": {"odd_long", "odd_short"},
    "AFD": {"afd_long", "afd_short"},
    "EPCI": {"epci_long", "epci_short"},
    "3e": {"ord_3e", "ord_3eme", "ord_roman", "ord_plural"},
    "21e": {"ord_21", "ord_21b"},
    "St-Étienne": {"st_short", "st_long"},
    "Ste-Foy": {"ste_short", "ste_long"},
}
CASES = [(group, q) for group, spellings in GROUPS.items() for q in spellings]


@pytest.mark.parametrize(("group", "q"), CASES, ids=[q for _, q in CASES])
def test_every_spelling_finds_every_document_of_its_group(service, group: str, q: str) -> None:
    assert EXPECTED[group] <= found(service, q)


@pytest.mark.parametrize(("q", "never"), [
    ("UE", {"rue"}),  # an acronym is a whole word
    ("OMS", {"hommes"}),
    ("ONG", {"hommes", "rue"}),
    ("union", {"ue_short"}),  # one word of an expansion does not expand
    ("européenne", {"ue_short"}),
    ("3e", {"ord_21", "ord_21b"}),
    ("XXIe", {"ord_3e", "ord_roman"}),
    ("Saint-Étienne", {"ste_short", "ste_long"}),
    ("organisation", {"ong_short", "oms_short"}),
])
def test_precision(service, q: str, never: set[str]) -> None:
    assert not (found(service, q) & never)


def test_without_synonyms_the_acronym_misses_the_expansion(synonyms_index: Path) -> None:
    from indexer.synonyms import Synonyms

    plain = SearchService(synonyms_index, synonyms=Synonyms())
    try:
        assert found(plain, "UE") == {"ue_short"}
        assert found(plain, "Union européenne") == {"ue_long"}
    finally:
        plain.close()


def test_answer_lists_what_was_added(service) -> None:
    result = service.search(SearchParams(q="UE"))
    assert "Union européenne" in result["expanded"]
    assert service.search(SearchParams(q="eau"))["expanded"] == []
    assert "UE" in service.search(SearchParams(q="union européenne"))["expanded"]


def test_excluding_an_acronym_excludes_its_expansion(service) -> None:
    assert not found(service, "cofinancé -UE") & {"ue_long", "ue_short"}
    assert found(service, "programme -ONG") >= {"ue_long"}


def test_expansion_keeps_other_words_and_or(service) -> None:
    assert found(service, "UE villes") == {"ue_long"}
    relaxed = service.search(SearchParams(q="UE villes"))["hits"]
    assert relaxed[0]["id"].removeprefix("syn_") == "ue_long"  # meets both words: first
    assert found(service, "AFD OR EPCI") == EXPECTED["AFD"] | EXPECTED["EPCI"]


def test_bundled_list_size_and_coverage() -> None:
    bundled = load_synonyms()
    assert bundled.groups >= 60
    for spelling in ("UE", "O.N.G.", "ODD", "AFD", "EPCI", "3èmes", "IIIe", "St", "Ste"):
        assert bundled.alternatives(spelling_key(spelling)), spelling


@pytest.mark.parametrize(("text", "reason"), [
    ("eau, flotte\nUE,, Union\n", "empty spelling"),
    ("eau, flotte\n\nsolo\n", "at least two"),
    ("a => b => c\n", "more than one"),
    ("=> union\n", "both sides"),
    ("UE, de la\n", "no searchable word"),
])
def test_a_malformed_line_is_named(text: str, reason: str) -> None:
    with pytest.raises(SynonymsError) as err:
        parse_synonyms(text, "mine.txt")
    line = text.rstrip("\n").count("\n") + 1
    assert f"mine.txt:{line}:" in str(err.value) and reason in str(err.value)


def test_one_way_rule() -> None:
    rules = parse_synonyms("# comment\nmairie => hôtel de ville\n")
    uq, added = expand(parse_user_query("mairie"), rules)
    assert added == ["hôtel de ville"]
    assert expand(parse_user_query("hôtel de ville"), rules)[1] == []


def test_french_query_table_still_holds_with_synonyms(tmp_path: Path) -> None:
    """The public French table through the real engine, synonyms on: every row as before."""
    rows = []
    for name in ("french_queries.tsv", "french_queries_extra.tsv"):
        with open(DATA / name, encoding="utf-8", newline="") as f:
            lines = [line for line in f if line.strip() and not line.startswith("#")]
        rows += list(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    src = tmp_path / "table.jsonl"
    src.write_text("".join(
        json.dumps({"id": f"t{i}", "title": "Projet", "context": row[3]}, ensure_ascii=False)
        + "\n" for i, row in enumerate(rows)), encoding="utf-8")
    build([src], tmp_path / "index", progress=False, workers=1)
    svc = SearchService(tmp_path / "index")
    try:
        wrong = []
        for i, (case, _, q, _, expect) in enumerate(rows):
            hit = f"t{i}" in {h["id"] for h in svc.search(SearchParams(q=q, size=100))["hits"]}
            if hit != (expect == "match"):
                wrong.append(case)
        assert wrong == []
    finally:
        svc.close()


def _atlas(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search_app.cli", *args], capture_output=True,
                          text=True, env={**os.environ, **env}, timeout=120)


def test_atlas_synonyms_replaces_the_list(synonyms_index: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine.txt"
    mine.write_text("# only this\nfestival, fête\n", encoding="utf-8")
    run = _atlas("search", "fête", "--index", str(synonyms_index), "--json",
                 env={"ATLAS_SYNONYMS": str(mine)})
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout)
    assert {h["id"] for h in answer["hits"]} == {"syn_ord_3eme"}
    assert answer["expanded"] == ["festival"]
    run = _atlas("search", "UE", "--index", str(synonyms_index), "--json",
                 env={"ATLAS_SYNONYMS": str(mine)})
    assert {h["id"] for h in json.loads(run.stdout)["hits"]} == {"syn_ue_short"}


def test_atlas_synonyms_malformed_is_one_line(synonyms_index: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("eau, flotte\nsolo\n", encoding="utf-8")
    run = _atlas("search", "eau", "--index", str(synonyms_index),
                 env={"ATLAS_SYNONYMS": str(bad)})
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        f"atlas: error: {bad}:2: a group needs at least two different spellings, "
        "comma-separated"]


@pytest.mark.parametrize("setting", ["synonyms", "token"])
def test_serve_refuses_a_bad_setting_in_one_line(synonyms_index: Path, tmp_path: Path,
                                                setting: str) -> None:
    """Checked once, before any worker starts (in a child process, so the supervisor
    does not load what the check needs)."""
    bad = tmp_path / "bad.txt"
    bad.write_text("eau, flotte\nsolo\n", encoding="utf-8")
    env = {"ATLAS_SYNONYMS": str(bad)} if setting == "synonyms" else {"ATLAS_API_TOKEN": "clé"}
    run = _atlas("serve", "--index", str(synonyms_index), "--port", "1", env=env)
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("atlas: error: "), run.stderr
    assert (f"{bad}:2:" in lines[0]) if setting == "synonyms" else ("ATLAS_API_TOKEN" in lines[0])

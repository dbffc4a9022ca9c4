"""Relaxed matching, optional words, words naming facet values, derivational families: each
rule on a small real index through `SearchService` and the HTTP API, and the plan alone."""

from __future__ import annotations

import html
import json

import pytest
from fastapi.testclient import TestClient

from indexer.build import build
from indexer.record import Country, ForeignPartner, Record
from indexer.wordlists import country_words, families, family_of, optional_words, stem_of
from search_app.engine.query.naming import NamingIndex
from search_app.engine.query.plan import plan_query
from search_app.engine.query.syntax import parse_user_query
from search_app.engine.relevance import RELAX_BELOW
from search_app.engine.request import SearchParams
from search_app.engine.service import SearchService


def _rec(rid: str, title: str, context: str = "", country: str | None = None, **kw) -> Record:
    codes = {"Sénégal": "SN", "Mali": "ML", "Allemagne": "DE", "Burkina Faso": "BF",
             "Congo": "CG", "Portugal": "PT", "Italie": "IT"}
    extra = {}
    if country:
        extra = {"foreign_partners": [ForeignPartner(name="Ville", country=country)],
                 "countries": [Country(code=codes[country], name=country)]}
    return Record(id=rid, title=title, context=context, **extra, **kw)


# Water in Senegal: many records, none saying « travaille »; one that does.
RECORDS = [
    *[_rec(f"eau_sn_{i}", f"Forage numéro {i}", "Accès à l'eau potable.", "Sénégal",
           theme="Eau et assainissement", status="Terminé" if i % 2 else "En cours",
           partnership_form="Jumelage" if i < 3 else "Accord de coopération")
      for i in range(25)],
    _rec("travail_sn", "Une commune qui travaille sur l'eau", "L'eau au village.", "Sénégal",
         theme="Eau et assainissement", status="En cours"),
    *[_rec(f"eau_ml_{i}", f"Puits {i}", "Eau potable gratuite.", "Mali",
           theme="Eau et assainissement", status="Suspendu") for i in range(4)],
    _rec("culture_ml", "Festival", "Programmation culturelle.", "Mali",
         theme="Culture et Patrimoine", status="En projet"),
    _rec("patrimoine_ml", "Musée de Ségou", "Le patrimoine de la ville.", "Mali",
         theme="Culture et Patrimoine", status="Terminé"),
    _rec("de_env", "Climat et déchets", "Tri sélectif.", "Allemagne",
         theme="Environnement, Climat et Energie", partnership_form="Pacte d'amitié"),
    _rec("bf_sante", "Centre de santé", "Soins.", "Burkina Faso", theme="Santé"),
    _rec("cg", "Brazzaville", "Un partenariat.", "Congo", theme="Gouvernance locale"),
    _rec("port", "Aménagement du port", "Le port de pêche.", "Italie"),
    _rec("portugais", "Cours de langue", "Des échanges avec des enseignants portugais.",
         "Portugal"),
    _rec("sport", "Club", "Activités sportives pour les jeunes.", "Italie"),
]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("relax")
    source = root / "records.jsonl"
    source.write_text("".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n"
                              for r in RECORDS), encoding="utf-8")
    build([source], root / "index", progress=False, workers=1)
    svc = SearchService(root / "index")
    yield svc
    svc.close()


def search(service: SearchService, q: str, **kw) -> dict:
    return service.search(SearchParams(q=q, size=100, **kw))


def ids(result: dict) -> list[str]:
    return [h["id"] for h in result["hits"]]


# ---- 1. relaxed matching


def test_question_words_are_optional_and_reported(service) -> None:
    result = search(service, "qui travaille sur l'eau au Sénégal ?")
    found = ids(result)
    assert found[0] == "travail_sn"  # meets every word: first
    assert {f"eau_sn_{i}" for i in range(25)} <= set(found)
    assert "eau_ml_0" not in found  # « Sénégal » is not optional
    assert result["relaxed"] == ["travaille"]


def test_match_all_requires_every_word(service) -> None:
    result = search(service, "qui travaille sur l'eau au Sénégal ?", match="all")
    assert ids(result) == ["travail_sn"] and result["relaxed"] == []


def test_nothing_is_relaxed_when_every_word_finds_a_page(service) -> None:
    result = search(service, "eau Sénégal")
    assert result["total"] >= RELAX_BELOW and result["relaxed"] == []
    assert all(h["id"].startswith(("eau_sn", "travail_sn")) for h in result["hits"])


def test_the_most_frequent_word_is_dropped_and_fuller_matches_rank_first(service) -> None:
    # Nothing holds eau + patrimoine + Mali; « eau » is the most frequent word: dropped first,
    # then « patrimoine »; the place, Mali, is never dropped.
    result = search(service, "eau patrimoine Mali")
    found = ids(result)
    assert result["relaxed"] == ["eau", "patrimoine"]
    assert result["total_all_words"] == 0
    assert found[0] == "patrimoine_ml"
    assert not any(i.startswith("eau_sn") for i in found)


def test_a_word_meeting_nothing_is_dropped_first(service) -> None:
    result = search(service, "festival zqxwvk")
    assert ids(result) == ["culture_ml"] and result["relaxed"] == ["zqxwvk"]


def test_phrases_and_exclusions_are_never_relaxed(service) -> None:
    result = search(service, '"eau potable gratuite" Sénégal')
    assert result["relaxed"] == ["Sénégal"]
    assert set(ids(result)) == {f"eau_ml_{i}" for i in range(4)}
    excluded = search(service, "eau Mali -puits")
    assert not any(i.startswith("eau_ml") for i in ids(excluded))


def test_relaxed_is_in_the_api_and_the_page(service, tmp_path) -> None:
    from search_app.settings import Settings
    from search_app.web.app import create_app

    app = create_app(Settings(index_dir=service.index_dir))
    with TestClient(app) as client:
        data = client.get("/api/search", params={"q": "qui travaille sur l'eau au Sénégal"}).json()
        assert data["relaxed"] == ["travaille"]
        page = html.unescape(client.get("/", params={"q": "qui travaille sur l'eau au Sénégal"})
                             .text)
        assert "Résultats sans\u00a0: travaille" in page
        assert "match=all" in page
        assert "Filtrer sur Pays\u00a0: Sénégal\u00a0?" in page
        chip = next(f for f in data["named_filters"] if f["facet"] == "country")
        assert chip["value"] == "SN" and "country=SN" in chip["filter_url"]
        narrowed = client.get(chip["filter_url"].replace("/?", "/api/search?")).json()
        assert narrowed["total"] and all(
            "SN" in {c["code"] for c in h["countries"]} for h in narrowed["hits"])


# ---- 2. optional words


@pytest.mark.parametrize("word", ["qui", "quels", "où", "comment", "font", "travaille",
                                  "travaillent", "projets", "collectivités", "villes",
                                  "coopération"])
def test_listed_words_are_optional(word: str) -> None:
    plan = plan_query(parse_user_query(f"{word} eau"), None)
    assert [c.words for c in plan.clauses if not c.optional] == ["eau"]


@pytest.mark.parametrize("word", ["travaux", "travail", "eau", "culture", "santé",
                                  "communication", "jeunesse", "école", "musée"])
def test_content_words_are_not_optional(word: str) -> None:
    plan = plan_query(parse_user_query(f"{word} projets"), None)
    assert [c.words for c in plan.clauses if not c.optional] == [word]


def test_generic_words_alone_are_required(service) -> None:
    plan = plan_query(parse_user_query("projets coopération"), None)
    assert plan.clauses and not any(c.optional for c in plan.clauses)
    assert search(service, "commune travaille")["hits"][0]["id"] == "travail_sn"


def test_the_optional_list_stays_small_and_holds_no_content_word() -> None:
    words = optional_words()
    assert len(words) < 120
    assert not words & {"eau", "sante", "culture", "travaux", "ecole", "sport", "senegal"}


# ---- 3. structured fields


@pytest.fixture(scope="module")
def naming(service) -> NamingIndex:
    return service.handle().naming()


def _named(naming: NamingIndex, service, q: str) -> set[tuple[str, str]]:
    values = service.handle().data.values
    plan = plan_query(parse_user_query(q), naming)
    return {(f, values[f][i]) for c in plan.clauses for f, i in c.named}


@pytest.mark.parametrize(("q", "expected"), [
    ("Sénégal", ("country", "SN")),
    ("sénégalaises", ("country", "SN")),
    ("villes allemandes", ("country", "DE")),
    ("maliens", ("country", "ML")),
    ("Burkina", ("country", "BF")),
    ("au Burkina Faso", ("country", "BF")),
    ("Congo-Brazzaville", ("country", "CG")),
    ("portugais", ("country", "PT")),
    ("projets terminés", ("status", "Terminé")),
    ("suspendus", ("status", "Suspendu")),
    ("en cours", ("status", "En cours")),
    ("en projet", ("status", "En projet")),
    ("jumelages", ("partnership_form", "Jumelage")),
    ("villes jumelées", ("partnership_form", "Jumelage")),
    ("pacte d'amitié", ("partnership_form", "Pacte d'amitié")),
    ("eau et assainissement", ("theme", "Eau et assainissement")),
    ("culturels", ("theme", "Culture et Patrimoine")),
    ("patrimoine", ("theme", "Culture et Patrimoine")),
    ("environnementaux", ("theme", "Environnement, Climat et Energie")),
])
def test_words_name_facet_values(service, naming, q: str, expected: tuple[str, str]) -> None:
    assert expected in _named(naming, service, q)


@pytest.mark.parametrize("q", ["port", "cours d'eau", "projet", "mal", "français", "art"])
def test_words_that_name_no_value(service, naming, q: str) -> None:
    named = _named(naming, service, q)
    assert not {n for n in named if n[0] in ("country", "status", "partnership_form")}


def test_a_named_value_meets_the_word(service) -> None:
    # No record says « terminé » or « allemand »: the values meet the words.
    assert {h["status"] for h in search(service, "terminés", match="all")["hits"]} == {"Terminé"}
    assert ids(search(service, "allemands", match="all")) == ["de_env"]
    assert set(ids(search(service, "pacte d'amitié", match="all"))) == {"de_env"}
    jumelages = set(ids(search(service, "jumelages Sénégal", match="all")))
    assert jumelages == {"eau_sn_0", "eau_sn_1", "eau_sn_2"}


def test_named_values_rank_above_mentions(service) -> None:
    # « eau » is in the text of every water record, the theme only in theirs; both meet it.
    hits = search(service, "eau Mali")["hits"]
    assert [h["theme"] for h in hits[:4]] == ["Eau et assainissement"] * 4


def test_every_country_word_names_one_real_country() -> None:
    import pycountry

    seen: dict[str, str] = {}
    for code, words in country_words().items():
        assert pycountry.countries.get(alpha_2=code) is not None, code
        for word in words:
            key = " ".join(stem_of(w) or w for w in word.lower().split())
            assert seen.setdefault(key, code) == code, (word, code, seen[key])
    assert not any("français" in w for ws in country_words().values() for w in ws)


# ---- 4. derivational families


FAMILY_PAIRS = [
    ("culturel", "culture"), ("économique", "économie"), ("agricole", "agriculture"),
    ("sanitaire", "santé"), ("éducatif", "éducation"), ("sportif", "sport"),
    ("environnemental", "environnement"), ("touristique", "tourisme"),
    ("patrimonial", "patrimoine"), ("énergétique", "énergie"), ("alimentaire", "alimentation"),
    ("scolaire", "école"), ("universitaire", "université"),
]


def test_at_least_forty_families_and_no_stem_in_two() -> None:
    groups = set(families().values())
    assert len(groups) >= 40  # families() itself refuses a stem listed twice
    for a, b in FAMILY_PAIRS:
        assert stem_of(b) in family_of(stem_of(a)), (a, b)


@pytest.mark.parametrize(("a", "b"), FAMILY_PAIRS)
def test_a_family_word_finds_the_other(tmp_path, a: str, b: str) -> None:
    records = [Record(id="noun", title="Projet", context=f"Un mot : {b}."),
               Record(id="adj", title="Projet", context=f"Un mot : {a}."),
               Record(id="other", title="Projet", context="Rien à voir.")]
    source = tmp_path / "r.jsonl"
    source.write_text("".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n"
                              for r in records), encoding="utf-8")
    build([source], tmp_path / "index", progress=False, workers=1)
    svc = SearchService(tmp_path / "index")
    try:
        assert set(ids(svc.search(SearchParams(q=a)))) == {"noun", "adj"}
        assert set(ids(svc.search(SearchParams(q=b)))) == {"noun", "adj"}
    finally:
        svc.close()


@pytest.mark.parametrize(("q", "absent"), [
    ("port", "portugais"), ("sport", "portugais"), ("art", "de_env"), ("eau", "port"),
])
def test_families_keep_precision(service, q: str, absent: str) -> None:
    assert absent not in ids(search(service, q, match="all"))


def test_family_words_are_highlighted(service) -> None:
    hit = next(h for h in search(service, "culture Mali")["hits"] if h["id"] == "culture_ml")
    assert "<mark>culturelle</mark>" in hit["snippet"]

"""Periods in words (the stage alone) and the proximity bonus (on a small real index): each
with a control that fails when the feature is switched off."""

from __future__ import annotations

import json

import pytest

from indexer.build import build
from indexer.record import Record
from search_app.engine import match as match_stage
from search_app.engine.query.periods import split_periods
from search_app.engine.request import SearchParams
from search_app.engine.service import SearchService


@pytest.mark.parametrize(("q", "text", "low", "high"), [
    ("jumelages depuis 2018", "jumelages", 2018, None),
    ("jumelages signés depuis 2018", "jumelages signés", 2018, None),
    ("santé après 2015", "santé", 2016, None),
    ("coopération avec la Chine avant 2000", "coopération avec la Chine", None, 1999),
    ("eau entre 2015 et 2020", "eau", 2015, 2020),
    ("eau entre 2020 et 2015", "eau", 2015, 2020),
    ("de 2015 à 2020 culture", "culture", 2015, 2020),
    ("projets au Mali en 2019", "projets au Mali", 2019, 2019),
    ("culture années 1990", "culture", 1990, 1999),
    ("culture années 90", "culture", 1990, 1999),
    ("projets cette année", "projets", 2026, 2026),
    ("projets récents au Mali", "projets au Mali", 2024, None),
    ("Apres 2015", "", 2016, None),
])
def test_periods_in_words(q: str, text: str, low: int | None, high: int | None) -> None:
    rest, periods = split_periods(q, today=2026)
    assert rest == text
    assert [(p.low, p.high) for p in periods] == [(low, high)]


@pytest.mark.parametrize("q", ["eau 2020", "5000 habitants", '"depuis 2018"', "loi 1901",
                               "en 3000", "COP21", "jusqu'à 2020"])
def test_no_period(q: str) -> None:
    assert split_periods(q, today=2026) == (q, [])


def test_a_period_is_a_filter_not_a_word() -> None:
    params = SearchParams(q="jumelages depuis 2018", year_max=2022)
    assert params.q == "jumelages" and (params.year_min, params.year_max) == (2018, 2022)
    assert [p.words for p in params.periods] == ["depuis 2018"]
    # Same filters typed as parameters: another answer (no `applied`), another cache key.
    assert params.cache_key() != SearchParams(q="jumelages", year_min=2018,
                                              year_max=2022).cache_key()


# « pompes solaires » side by side in one record, in separate sentences in the other (which
# sorts first by id and says « pompes » once more: without the bonus it ranks first).
RECORDS = [
    Record(id="a_scattered", title="Forages au village",
           context="Des pompes, encore des pompes pour les forages du village. Des panneaux "
                   "solaires sur l'école."),
    Record(id="b_adjacent", title="Forages au village",
           context="Des pompes solaires pour les forages du village. Des panneaux sur "
                   "l'école."),
]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("proximity")
    source = root / "records.jsonl"
    source.write_text("".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n"
                              for r in RECORDS), encoding="utf-8")
    build([source], root / "index", progress=False, workers=1)
    svc = SearchService(root / "index", cache_size=0)
    yield svc
    svc.close()


def _order(service: SearchService) -> list[str]:
    return [h["id"] for h in service.search(SearchParams(q="forages pompes solaires"))["hits"]]


def test_adjacent_words_rank_above_scattered_words(service, monkeypatch) -> None:
    assert _order(service) == ["b_adjacent", "a_scattered"]
    monkeypatch.setattr(match_stage, "PROXIMITY_WEIGHT", 0.0)
    assert _order(service) == ["a_scattered", "b_adjacent"]


def test_authority_names() -> None:
    from indexer.fields import BY_NAME

    naming = BY_NAME["french_partner"].naming
    assert naming is not None
    assert set(naming("Nantes").names) >= {"Nantes", "Ville de Nantes"}
    assert "Ville d'Angers" in naming("Angers").names
    assert "Nantes" in naming("Ville de Nantes").names  # a town stored with its head
    assert naming("Nantes Métropole").names == ("Nantes Métropole",)
    assert naming("Région Bretagne").names == ("Région Bretagne",)

"""The translate stage alone (pure): what it replaces, what it keeps, what it reports."""

from __future__ import annotations

import pytest

from search_app.engine.query.syntax import parse_user_query
from search_app.engine.query.translate import translate, with_sources


def words(q: str, enabled: bool | None = None) -> list[list[str]]:
    uq, _ = translate(parse_user_query(q), enabled)
    return [[item.text for item in group] for group in uq.groups]


def report(q: str) -> list[tuple[str, str, str | None]]:
    _, done = translate(parse_user_query(q))
    return [(t.source, t.to, t.language) for t in done]


@pytest.mark.parametrize(("q", "french"), [
    ("water", [["eau"]]),
    ("Wasser", [["eau"]]),
    ("agua potable Marruecos", [["eau"], ["potable"], ["Maroc"]]),
    ("food security Mali", [["sécurité"], ["alimentaire"], ["Mali"]]),
    ("Germany", [["Allemagne"]]),
    ("Deutschland", [["Allemagne"]]),
    ("Beijing", [["Pékin"]]),
    ("Ha Noi", [["Hanoï"]]),
    ("Ivory Coast", [["Côte"], ["d'Ivoire"]]),
    ("Wasserprojekte", [["eau"], ["projet"]]),
    ("water projects in Senegal", [["eau"], ["projet"], ["Senegal"]]),
    ("water OR health", [["eau", "santé"]]),
])
def test_foreign_terms_become_french(q: str, french: list[list[str]]) -> None:
    assert words(q) == french
    assert words(q, enabled=False) != french


@pytest.mark.parametrize("q", [
    "culture", "sport", "transport", "agriculture", "relief", "donne", "Sénégal", "Senegal",
    "Hanoi", "Vietnam", "projet algérien", "nos projets en Italie", "eau potable au Mali",
    "coopération décentralisée", "in", "festival de musique",
])
def test_french_queries_are_left_as_typed(q: str) -> None:
    uq = parse_user_query(q)
    assert translate(uq) == (uq, [])


def test_a_homograph_keeps_its_french_reading_beside_foreign_words() -> None:
    uq, done = translate(parse_user_query("donne acqua"))
    assert [[i.text for i in g] for g in uq.groups] == [["donne"], ["eau"]]
    assert [i.text for i in uq.alternatives[0].items] == ["femmes", "femme"]
    assert ("donne", "femmes", "it") in [(t.source, t.to, t.language) for t in done]


def test_the_report_names_each_translation_once_in_query_order() -> None:
    assert report("Beijing food security") == [
        ("Beijing", "Pékin", None), ("food security", "sécurité alimentaire", "en")]
    assert report("Alemania") == [("Alemania", "Allemagne", "es")]


def test_the_switch_turns_the_stage_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_GLOSSARY", "off")
    uq = parse_user_query("water Germany")
    assert translate(uq) == (uq, [])


def test_relaxed_words_name_what_was_typed() -> None:
    _, done = translate(parse_user_query("women empowerment Mali"))
    assert with_sources(["autonomisation", "Mali"], done) == [
        "autonomisation (women empowerment)", "Mali"]

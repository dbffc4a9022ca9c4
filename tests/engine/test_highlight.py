"""Snippets: escaped record text where only <mark> tags are added."""

from __future__ import annotations

import html
import re

import numpy as np
import orjson
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from indexer.analysis import text_keys
from search_app.engine import snippets
from search_app.engine.query.syntax import parse_user_query
from search_app.engine.snippets import snippet


def terms(q: str) -> set[str]:
    """The keys a match of `q`'s positive words reports (stems and folded names)."""
    return {key for group in parse_user_query(q).groups for item in group
            for folded, stem in text_keys(item.text) if stem is not None
            for key in (stem, folded)}


def marked(out: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", out)


def test_marks_inflected_and_accented_forms_as_written() -> None:
    text = "Les Villes partenaires gèrent l’Économie locale et la ville durable."
    out = snippet(text, terms("ville economie"))
    assert marked(out) == ["Villes", "Économie", "ville"]


def test_marks_names_unstemmed() -> None:
    out = snippet("Rencontres à Clermont-Ferrand en 2017.", terms("clermont ferrand 2017"))
    assert marked(out) == ["Clermont", "Ferrand", "2017"]


def test_no_partial_word_marks() -> None:
    out = snippet("Le réseau de Pau et l'eau du Portugal.", terms("eau port"))
    assert marked(out) == ["eau"]


def test_record_html_is_escaped() -> None:
    text = "<script>alert(1)</script> Projet d'eau & <b>assainissement</b>"
    out = snippet(text, terms("eau"))
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "&amp;" in out
    assert re.sub(r"</?mark>", "", out).count("<") == 0
    assert marked(out) == ["eau"]


def test_no_terms_gives_the_beginning_with_ellipsis() -> None:
    text = "Début du texte. " + "mot " * 200
    out = snippet(text, set(), max_chars=100)
    assert out.startswith("Début du texte.")
    assert out.endswith("…")
    assert len(out) <= 101
    assert snippet("Court <texte>", set()) == "Court &lt;texte&gt;"


def test_no_match_is_like_no_terms() -> None:
    text = "Un texte sans le mot cherché."
    assert snippet(text, terms("forage")) == snippet(text, set())


def test_window_goes_to_the_matches() -> None:
    text = ("Introduction. " + "bla " * 150 + "Le forage de puits pour l'eau potable. "
            + "fin " * 150)
    out = snippet(text, terms("forage eau"), max_chars=120)
    assert out.startswith("…") and out.endswith("…")
    assert marked(out) == ["forage", "eau"]
    assert len(html.unescape(re.sub(r"</?mark>", "", out))) <= 122


def test_empty_text() -> None:
    assert snippet("", terms("eau")) == ""


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400), st.text(max_size=40))
def test_only_mark_tags_are_added(text: str, q: str) -> None:
    out = snippet(text, terms(q))
    assert "<" not in re.sub(r"</?mark>", "", out)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_matches_agree_with_the_analyzers(text: str) -> None:
    # The snippet's fast word scan must see exactly what the index analyzers see.
    from indexer.analysis import french_analyzer, name_analyzer
    from search_app.engine.snippets import _matches

    stems = {(t.startchar, t.endchar): t.text for t in french_analyzer()(text, chars=True)}
    names = {(t.startchar, t.endchar): t.text for t in name_analyzer()(text, chars=True)}
    terms = set(stems.values()) | set(names.values())
    expected = sorted((a, b) for (a, b) in names)
    assert [(a, b) for a, b, _ in _matches(text, terms)] == expected
    only_stems = set(stems.values())
    assert {(a, b) for a, b, _ in _matches(text, only_stems)} >= set(stems)


_PIECES = ["l'eau", "L’Eau", "eaux", "d'eau", "qu'il", "jusqu'à", "lorsqu'eau", "réseau", "Pau",
           "eau_douce", "écoles", "école", "Ecole", "l", "L", "qu", "villes", "ville", "œuvre",
           "oeuvres", "ſ'eau", "İl", "2024", "eau2", "'", "’"]


_SEPARATORS = [" ", "", "-", ". ", "'", "\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(_SEPARATORS)), max_size=40))
def test_matches_find_every_place_of_a_word(pieces: list[tuple[str, str]]) -> None:
    # Only the spellings that match are located: every place must still be found, once,
    # and only where the word pattern itself would read a whole word.
    from indexer.analysis import WORD_PATTERN, word_keys
    from search_app.engine.snippets import _matches

    text = "".join(word + sep for word, sep in pieces)
    terms = {"eau", "ecol", "vill", "l", "qu", "oeuvr", "il", "2024"}
    expected = []
    for m in WORD_PATTERN.finditer(text):
        for folded, stem in word_keys(m.group()):
            if stem in terms or folded in terms:
                expected.append((m.start(), m.end(), stem or folded))
                break
    assert _matches(text, terms) == expected


@pytest.mark.parametrize(("q", "word"), [("travail", "travaux"), ("active", "actif"),
                                         ("construire", "construction"), ("public", "publique"),
                                         ("eau", "eaux")])
def test_snippet_marks_words_whose_stem_is_not_a_prefix(q: str, word: str) -> None:
    # "travaux" stems to "travail": a later field holding only such a word is still the one
    # shown, marked (a substring test on the folded text would skip it).
    from search_app.engine.hits import best_snippet

    record = {"description": "Rien de tel ici.", "context": f"Les {word} du port."}
    assert best_snippet(record, terms(q)) == \
        f"Les <mark>{word}</mark> du port."


def test_snippet_fields_are_the_indexed_body() -> None:
    from indexer.schema import BODY_PARTS
    from indexer.summary import SNIPPET_FIELDS

    assert sorted(SNIPPET_FIELDS) == sorted(BODY_PARTS)


@pytest.mark.parametrize("q", ["eau potable", "forages", "coopération culturelle", "Dakar",
                               "jeunes femmes", "ecole", "Saint-Louis", "santé",
                               "agriculture -élevage", "eau OR énergie", "formation"])
def test_hits_skip_marking_only_where_the_body_cannot_match(index_dir, q: str) -> None:
    """The service looks for marks only in records whose body postings hold a query term;
    every hit's snippet is the one the full search for marks gives."""
    from search_app.engine.hits import best_snippet
    from search_app.engine.request import SearchParams
    from search_app.engine.service import SearchService

    service = SearchService(index_dir)
    try:
        reader = service.reader()
        h = reader.handle
        answer = reader.search(SearchParams(q=q, size=50))
        terms = reader.matching(SearchParams(q=q)).terms
        assert answer["hits"], q
        records = h.records.get_many([hit["id"] for hit in answer["hits"]])
        for hit in answer["hits"]:
            assert hit["snippet"] == best_snippet(records[hit["id"]], terms), hit["id"]
    finally:
        service.close()


_WORDS = ["l'eau", "L’Est", "Eau", "eaux", "n'Dali", "N’diaye", "Ndali", "co-gestion",
          "cogestion", "Éco-tourisme", "5 000", "5000", "nord-est", "Grand Est", "est",
          "jusqu'à", "aujourd'hui", "qu'il", "coopération", "Saint-Louis", "G20", "d'Est",
          "école", "e\u0301cole", "bio\u00adgaz", "forages", "femmes", "l'", "d", "é", "-",
          "’", "'", " ", "  ", "\n", ". ", ", "]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=14),
       st.sets(st.sampled_from(["eau", "est", "ndali", "cogestion", "ecotourism", "5000",
                                "cooper", "saint", "loui", "g", "20", "ecol", "biogaz",
                                "forag", "femm", "l", "d", "qu", "aujourd", "hui"]),
               min_size=1, max_size=4))
def test_word_runs_find_the_marks_the_word_pattern_finds(words, terms) -> None:
    from search_app.engine import snippets as highlight

    text = "".join(words)
    fast = highlight._matches(text, terms)
    real = highlight._word_pattern
    highlight._word_pattern = lambda text, kinds, special=None: highlight.WORD_PATTERN
    try:
        assert fast == highlight._matches(text, terms), (text, terms)
    finally:
        highlight._word_pattern = real


def _special_reference():
    """The special forms written plainly (case-blind), as WORD_PATTERN's alternatives say."""
    import re as re_

    from indexer.analysis import (
        ACRONYM,
        APOSTROPHES,
        COUNTED,
        EXPRESSION,
        HYPHENS,
        INVISIBLE,
        PREFIXES,
        THOUSANDS,
    )

    apos = "[" + re_.escape(APOSTROPHES) + "]"
    hyphen = "[" + re_.escape(HYPHENS) + "]"
    prefix = "|".join(p.replace("e", "[eé]") if p in ("eco", "pre", "re", "peri") else p
                      for p in PREFIXES)
    return re_.compile(
        r"[nm]" + apos + r"|\b(?:" + prefix + ")" + hyphen + r"|\d[" + THOUSANDS + r"]\d"
        + "|" + apos + r"est\b|(?:nord|sud)" + hyphen + r"est\b|grand[ \u00a0]+est\b"
        + r"|\b" + ACRONYM + "|" + COUNTED + r"|\b(?:" + EXPRESSION + ")"
        + r"|[\u0300-\u036f" + INVISIBLE + "]", re_.IGNORECASE)


_SPECIAL_TEXT = st.text(alphabet=st.sampled_from(list(
    "nmNMlL'’ʼ‘- \u00a0\u2009\u202f09estESTgrandGRANDordORDsudcoCOéÉbioBIOrRpPaxſıİK"
    "\u0301\u00ad\u200b")), max_size=30)


@settings(max_examples=2000, deadline=None)
@given(_SPECIAL_TEXT)
def test_special_form_scan_agrees_with_its_plain_definition(text: str) -> None:
    from indexer.analysis import has_special_form

    assert has_special_form(text) == bool(_special_reference().search(text)), text


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_WORDS), max_size=14), min_size=1, max_size=4),
       st.sets(st.sampled_from(["eau", "est", "ndali", "cogestion", "ecotourism", "5000",
                                "cooper", "saint", "loui", "g", "20", "ecol", "biogaz",
                                "forag", "femm", "l", "d", "qu", "aujourd", "hui", "gestion",
                                "tourism"]), min_size=1, max_size=4))
def test_written_forms_give_the_marks_of_reading_every_word(parts, terms) -> None:
    """A record's free text as a build reads it (its parts joined, `content_words`) gives
    written forms with which each part's marks are those of reading it word by word."""
    from indexer import forms
    from indexer.analysis import content_words
    from search_app.engine import snippets as highlight

    texts = ["".join(words) for words in parts]
    held = forms.WrittenForms()
    held.add(forms.written(content_words("\n".join(texts))))
    held.add(forms.written(content_words("d'autres mots : eaux, Forages")))  # other records
    for text in texts:
        assert highlight._matches(text, terms, held) == highlight._matches(text, terms), \
            (text, terms)


def test_written_forms_are_saved_and_grow_without_repeating(tmp_path) -> None:
    from indexer import forms

    held = forms.WrittenForms()
    held.add(forms.written(["Forages", "forage", "l", "co-gestion", "5 000", "Forages"]))
    held.add(forms.written(["forage", "Eaux"]))
    assert sorted(held.words("forag")) == ["Forages", "forage"]
    assert held.words("eaux") == ["Eaux"] and held.words("eau") == ["Eaux"]
    assert held.words("cogestion") == [] and held.words("5000") == []  # plain words only
    held.save(tmp_path / "written.json")
    again = forms.WrittenForms.load(tmp_path / "written.json")
    assert again is not None and again.by_key == {k: sorted(v) for k, v in held.by_key.items()}
    again.add(forms.written(["forage", "forer"]))
    assert again.words("forag") == ["Forages", "forage"] and again.words("forer") == ["forer"]
    assert forms.WrittenForms.load(tmp_path / "none.json") is None


_UNIT_TEXT = st.lists(st.sampled_from(["cours d'eau", "phase II", "Grande-Bretagne", "l'est",
                                       "5 000", "co-gestion", "eau", "potable", "Nord-Est",
                                       "siècle XXI", "des", "N'Djamena", "école"]),
                      max_size=8).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(_SPECIAL_TEXT, _UNIT_TEXT))
def test_the_flags_a_build_stores_answer_as_the_scan_does(text: str) -> None:
    # A hit reads its texts' special-form flags from the build (`indexer.summary`) instead
    # of scanning each text: the same answer for both questions a snippet asks.
    from indexer.analysis import has_special_form
    from indexer.summary import special_form, text_flags

    flags = text_flags(text)
    for units in (False, True):
        assert special_form(flags, units) == has_special_form(text, units), (text, units)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_SPECIAL_TEXT, _UNIT_TEXT, st.sampled_from(_WORDS)), max_size=6)
       .map("".join),
       st.sets(st.sampled_from(["eau", "est", "ndali", "cogestion", "ecotourism", "5000",
                                "cooper", "saint", "loui", "g", "20", "ecol", "biogaz",
                                "l", "d", "qu", "aujourd", "hui", "gestion", "tourism",
                                "cour", "cours d'eau", "potabl", "bretagn", "grande-bretagne",
                                "phase", "ii", "2", "21", "siecl", "djamena", "nord"]),
               min_size=1, max_size=4))
def test_a_snippet_index_gives_the_marks_of_cutting_the_text(text: str, terms) -> None:
    # A text holding a special form is not cut again for a snippet: its words and their
    # starts are read from the snippet index the build stored (`indexer.summary`).
    from indexer.summary import text_flags, text_words
    from search_app.engine import snippets as highlight

    flags = text_flags(text)
    index = text_words(text)
    assert highlight._matches(text, terms, special=flags, words=index) == \
        highlight._matches(text, terms), (text, terms)
    assert highlight.marked_snippet(text, terms, 60, special=flags, words=index) == \
        highlight.marked_snippet(text, terms, 60), (text, terms)


def test_a_snippet_index_is_what_a_snippet_reads(monkeypatch) -> None:
    # With the index, the text is not cut again (the pattern is never run over it).
    from indexer.summary import text_flags, text_words
    from search_app.engine import snippets as highlight

    text = "Le comité s’est réuni à N’Djamena : l’accès à l’eau potable, 5 000 forages."
    index, flags = text_words(text), text_flags(text)
    assert flags and orjson.loads(index)["N’Djamena"] == [text.index("N’Djamena")]

    class NoCut:
        def __getattr__(self, name):
            raise AssertionError(f"the text was cut again ({name})")

    expected = highlight.marked_snippet(text, {"eau", "djamena"}, special=flags)
    assert expected is not None and "<mark>" in expected
    monkeypatch.setattr(highlight, "WORD_PATTERN", NoCut())
    monkeypatch.setattr(highlight, "_word_pattern", lambda *a: highlight.WORD_PATTERN)
    assert highlight.marked_snippet(text, {"eau", "djamena"}, special=flags,
                                    words=index) == expected


def test_hits_from_prepared_parts_equal_hits_worked_out_at_search(index_dir) -> None:
    # Every hit of a few searches, read with the parts the build prepared and without.
    from search_app.engine.hits import hit_summary
    from search_app.engine.request import SearchParams
    from search_app.engine.service import SearchService

    service = SearchService(index_dir, cache_size=0)
    try:
        h = service.handle()
        compared = indexed = 0
        for q in ("eau potable", "cours d'eau", "phase II", "côte", "l'est", "jumelage Sénégal"):
            reader = service.reader()
            m = reader.matching(SearchParams(q=q))
            ids = [h.data.ids[d] for d in np.flatnonzero(m.mask)[:40]]
            for rid, (record, prepared) in h.records.hits_of(ids).items():
                assert hit_summary(record, m.terms, 1.0, h.forms, prepared) == \
                    hit_summary(record, m.terms, 1.0, h.forms), (q, rid)
                compared += 1
                indexed += sum(index is not None for index in prepared["words"])
        assert compared >= 80
        assert indexed >= 10  # texts with special forms, read from their snippet index
    finally:
        service.close()


@settings(max_examples=300, deadline=None)
@example("a  b")
@example("a\u00a0b")
@example(" \n ")
@given(st.text(alphabet=st.sampled_from(list("ab <>&\"'é")) | st.characters(
    categories=["Zs", "Zl", "Zp", "Cc"])))
def test_escaping_collapses_every_whitespace_run_as_the_regex_does(text: str) -> None:
    # Its shortcut skips the regex for printable text without a double space.
    assert snippets._escape(text) == html.escape(re.sub(r"\s+", " ", text), quote=True)

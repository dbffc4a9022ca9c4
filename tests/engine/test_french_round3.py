"""Round three of the French chain, below the product path: every Unicode look-alike of the
hyphen and the apostrophe, Roman numerals, and the pairs of words the query joins."""

from __future__ import annotations

import collections
import sys
import unicodedata

import pytest

from indexer.analysis import APOSTROPHES, HYPHENS, roman_value, text_keys
from indexer.generate.page import generate_page
from indexer.generate.write import page_rng
from search_app.engine.query.spacing import join_spaced, joinable
from search_app.engine.query.syntax import parse_user_query

DASHES = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Pd"]


def test_every_dash_of_the_unicode_category_is_a_hyphen() -> None:
    assert "\u2011" in DASHES and len(DASHES) >= 25
    assert set(DASHES) <= set(HYPHENS)


@pytest.mark.parametrize("dash", sorted(set(DASHES) | set(HYPHENS)))
def test_a_dash_joins_a_prefix_as_the_hyphen_does(dash: str) -> None:
    assert text_keys(f"la co{dash}gestion") == text_keys("la cogestion")
    assert text_keys(f"Nord{dash}Est") == text_keys("Nord-Est")


@pytest.mark.parametrize("mark", list(APOSTROPHES))
def test_an_apostrophe_look_alike_is_an_apostrophe(mark: str) -> None:
    assert text_keys(f"N{mark}Djamena") == text_keys("N'Djamena") == [("ndjamena", "ndjamen")]
    assert text_keys(f"l{mark}eau potable") == text_keys("l'eau potable")
    assert text_keys(f"aujourd{mark}hui") == text_keys("aujourd'hui")


def test_the_named_look_alikes_are_apostrophes() -> None:
    for mark in "\u00b4\u02b9\u02bc\u2032\u0060\u2018\u2019\uff07":
        assert mark in APOSTROPHES


@pytest.mark.parametrize(("numeral", "value"), [
    ("I", 1), ("II", 2), ("III", 3), ("IV", 4), ("V", 5), ("IX", 9), ("X", 10), ("XIV", 14),
    ("XIX", 19), ("XX", 20), ("XXIV", 24), ("XXIX", 29), ("XXX", 30)])
def test_roman_numerals_after_a_counter_word(numeral: str, value: int) -> None:
    assert roman_value(numeral) == value
    assert text_keys(f"la phase {numeral}") == text_keys(f"la phase {value}")
    assert text_keys(f"la tranche {numeral.lower()}") == text_keys(f"la tranche {value}")


def test_roman_letters_elsewhere_stay_words() -> None:
    assert text_keys("Louis XIV") == text_keys("Louis") + [("xiv", "xiv")]
    assert text_keys("la phase VIH") != text_keys("la phase 6")


def test_dotted_acronyms_are_one_word() -> None:
    assert text_keys("le P.N.U.D.") == text_keys("le P.N.U.D") == text_keys("le PNUD")
    assert text_keys("M. Dupont") == [("m", None), ("dupont", "dupont")]
    assert text_keys("www.x.fr") == text_keys("www x fr")


def test_the_query_joins_short_words_only() -> None:
    joined = join_spaced(parse_user_query("jumelage Da Nang eau potable"))
    assert [(a.start, a.end, a.items[0].text) for a in joined.alternatives] == [(1, 3, "danang")]
    assert not join_spaced(parse_user_query("bien des faits")).alternatives


def _capital(word: str) -> bool:
    return word.replace("’", "'").split("'")[-1][:1].isupper()  # « d'El Alto »: El


def test_no_ordinary_words_join_in_the_corpus() -> None:
    """Over generated pages: every pair of adjacent words the query would join, whose joined
    spelling is also a word of the pages, is a proper name written both ways (« Da Nang »,
    « Danang »), never two common words making a third (« bien fait » / « bienfait »)."""
    words: collections.Counter[str] = collections.Counter()
    pairs: dict[tuple[str, str], set[bool]] = collections.defaultdict(set)
    for index in range(1500):
        text = generate_page(page_rng(28, index), index).text
        previous: tuple[str, str | None, str] | None = None
        for word in text.split():  # the query's items are its words between spaces
            keys = text_keys(word)
            words.update(folded for folded, _ in keys)
            if len(keys) != 1:
                previous = None
                continue
            folded, stem = keys[0]
            if previous is not None and previous[1] is not None and stem is not None:
                pairs[(previous[0], folded)].add(_capital(previous[2]) and _capital(word))
            previous = (folded, stem, word)
    joined = {p: caps for p, caps in pairs.items()
              if p[0].isalpha() and p[1].isalpha() and joinable(*p) and words[p[0] + p[1]]}
    assert joined, "the pages hold names written both ways"
    assert all(caps == {True} for caps in joined.values()), {
        p: c for p, c in joined.items() if c != {True}}


def test_every_listed_unit_is_one_word_however_it_is_spaced() -> None:
    from indexer.analysis import EXPRESSIONS

    for words in EXPRESSIONS:
        written = " ".join(words)
        unit = text_keys(written)
        assert len(unit) == 1, written
        assert text_keys("-".join(words)) == text_keys(written.upper()) == unit
        plural = " ".join([words[0] + ("" if words[0][-1] in "sx" else "s"), *words[1:]])
        assert text_keys(f"les {plural}") == [("les", None), *unit], plural


def test_a_unit_s_parts_apart_stay_words() -> None:
    assert [k for k, _ in text_keys("en cours, d'eau potable")] == ["en", "cours", "eau",
                                                                    "potable"]
    assert text_keys("la Bretagne")[-1][0] == "bretagne"

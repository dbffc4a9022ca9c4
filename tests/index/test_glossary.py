"""The cooperation glossary: sizes, the file's rules, and the longest-match translation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer import glossary as g
from indexer.termmatch import phrase_key
from indexer.wordlists import french_homographs

GENERATE = Path(__file__).parents[2] / "indexer" / "generate" / "data"


def _found(query: str, **kwargs: object) -> list[tuple[str, str, str]]:
    return [(t.source, t.to, t.language) for t in g.translations(query.split(), **kwargs)]


def test_sizes() -> None:
    rows = g.entries()
    assert sum(1 for e in rows if e.forms["en"]) >= 400
    assert len(g.terms("en")) >= 400
    for lang in ("es", "de", "pt", "it"):
        assert sum(1 for e in rows if e.forms[lang]) >= 150, lang
    # The most used terms come first and have all five languages.
    assert all(all(e.forms[lang] for lang in g.LANGUAGES) for e in rows[:150])


def test_every_row_has_a_french_side_and_a_foreign_form() -> None:
    for entry in g.entries():
        assert entry.french and all(phrase_key(f) for f in entry.french), entry.line
        assert any(entry.forms.values()), entry.line


def test_no_form_is_in_two_rows_of_one_language() -> None:
    for lang in g.LANGUAGES:
        owner: dict[tuple[str, ...], int] = {}
        for i, entry in enumerate(g.entries()):
            for form in entry.forms[lang]:
                key = phrase_key(form.text)
                assert owner.setdefault(key, i) == i, (lang, form.text)


def test_a_duplicate_form_is_refused_with_its_line() -> None:
    text = "# x\neau\twater\t-\t-\t-\t-\nmer\twater\t-\t-\t-\t-\n"
    with pytest.raises(g.GlossaryError, match="line 2"):
        g.build_table(g.parse(text))
    with pytest.raises(g.GlossaryError, match="columns"):
        g.parse("eau\twater\n")
    with pytest.raises(g.GlossaryError, match="no French"):
        g.parse("-\twater\t-\t-\t-\t-\n")


def test_also_french_marks_match_the_rows_french_forms() -> None:
    for entry in g.entries():
        own = {phrase_key(f) for f in entry.french}
        for forms in entry.forms.values():
            for form in forms:
                assert (phrase_key(form.text) in own) == form.also_french, (entry.line, form)


def test_no_unmarked_foreign_word_hides_a_french_word_of_the_corpus() -> None:
    """A foreign form that is a word of the Atlas's French texts is marked `*` (same meaning),
    so the French reading of that word is never lost."""
    from indexer.foreign_places import _french_vocabulary

    vocabulary = set(_french_vocabulary())  # the words of the generator's sentences and taxonomy
    vocabulary |= {phrase_key(f)[0] for e in g.entries() for f in e.french
                   if len(phrase_key(f)) == 1}
    hidden = [(e.line, lang, f.text) for e in g.entries() for lang, forms in e.forms.items()
              for f in forms if len(phrase_key(f.text)) == 1
              and phrase_key(f.text)[0] in vocabulary and not f.also_french]
    assert hidden == []


def test_culture_is_flagged_as_also_french() -> None:
    [t] = g.translations(["culture"])
    assert t.to == "culture" and t.also_french and t.language == "en"
    [t] = g.translations(["sport"])
    assert t.also_french and set(t.languages) == {"en", "de", "it"}
    [t] = g.translations(["water"])
    assert not t.also_french


def test_multi_word_terms_are_units() -> None:
    assert _found("food security Mali") == [("food security", "sécurité alimentaire", "en")]
    assert _found("drinking water") == [("drinking water", "eau potable", "en")]
    assert _found("women empowerment") == [("women empowerment", "autonomisation des femmes",
                                            "en")]
    assert _found("maternal health") == [("maternal health", "santé maternelle", "en")]
    # Longest first: « water » alone when no longer term fits.
    assert _found("water sanitation Senegal") == [("water", "eau", "en"),
                                                  ("sanitation", "assainissement", "en")]


@pytest.mark.parametrize(("query", "french", "lang"), [
    ("twinning", "jumelage", "en"),
    ("town twinning", "jumelage", "en"),
    ("decentralised cooperation", "coopération décentralisée", "en"),
    ("capacity building", "renforcement des capacités", "en"),
    ("renewable energy", "énergies renouvelables", "en"),
    ("Wasser", "eau", "de"),
    ("Städtepartnerschaft", "jumelage", "de"),
    ("Staedtepartnerschaft", "jumelage", "de"),
    ("agua potable", "eau potable", "es"),
    ("seguridad alimentaria", "sécurité alimentaire", "es"),
    ("saúde materna", "santé maternelle", "pt"),
    ("gemellaggio", "jumelage", "it"),
    ("Gesundheit", "santé", "de"),
])
def test_each_language(query: str, french: str, lang: str) -> None:
    [t] = g.translations(query.split())
    assert (t.to, lang in t.languages) == (french, True)


def test_plural_finds_the_singular_and_french_is_left_alone() -> None:
    assert _found("wells") == [("wells", "forages", "en")]
    assert _found("eau assainissement formation") == []


def test_language_filter_and_switch_off(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _found("acqua potabile", languages=["es"]) == []
    assert _found("acqua potabile", languages=["it"]) == [("acqua potabile", "eau potable", "it")]
    assert _found("water", enabled=False) == []
    monkeypatch.setenv(g.ENV, "off")
    assert _found("water") == []
    assert _found("water", enabled=True) == [("water", "eau", "en")]
    monkeypatch.setenv(g.ENV, "on")
    assert _found("water") == [("water", "eau", "en")]


def test_forms_that_are_french_words_are_marked() -> None:
    """Every single-word form that a French word spells (french_homographs.tsv) is marked « * »
    (same meaning) or « ! » (another meaning), and every « ! » is such a word."""
    homographs = french_homographs()
    for entry in g.entries():
        for lang, forms in entry.forms.items():
            for form in forms:
                key = phrase_key(form.text)
                listed = len(key) == 1 and key[0] in homographs
                if listed:
                    assert form.also_french or form.homograph, (entry.line, lang, form.text)
                if form.homograph:
                    assert listed, (entry.line, lang, form.text)


def test_a_false_friend_keeps_its_french_reading() -> None:
    [t] = g.translations(["relief"])
    assert t.to == "urgence" and t.french_homograph and not t.also_french and t.keep_french
    [t] = g.translations(["donne"])
    assert t.language == "it" and t.keep_french
    [t] = g.translations(["Wasser"])
    assert not t.keep_french

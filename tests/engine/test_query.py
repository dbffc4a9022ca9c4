"""The public query syntax and atlas's query tree built from it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from search_app.engine.query.build import text_node as build_text_query
from search_app.engine.query.syntax import Item, parse_user_query
from search_app.engine.query.tree import And, AndNot, Every, Or, Phrase, Term, Typo


def words(q: str) -> list[list[tuple[str, bool]]]:
    return [[(i.text, i.phrase) for i in g] for g in parse_user_query(q).groups]


def excluded(q: str) -> list[tuple[str, bool]]:
    return [(i.text, i.phrase) for i in parse_user_query(q).excluded]


def test_words_are_separate_groups() -> None:
    assert words("eau potable") == [[("eau", False)], [("potable", False)]]


def test_phrases() -> None:
    assert words('"mise en œuvre" eau') == [[("mise en œuvre", True)], [("eau", False)]]


def test_or_groups_chain() -> None:
    assert words("eau OR assainissement") == [[("eau", False), ("assainissement", False)]]
    assert words("a OR b OR c d") == [
        [("a", False), ("b", False), ("c", False)], [("d", False)]]
    assert words('"eau potable" OR forage') == [[("eau potable", True), ("forage", False)]]


def test_lowercase_or_and_dangling_or_are_plain_words() -> None:
    assert words("eau or assainissement") == [[("eau", False)], [("or", False)],
                                              [("assainissement", False)]]
    assert words("OR eau") == [[("eau", False)]]
    assert words("eau OR") == [[("eau", False)]]
    assert words("eau OR -forage") == [[("eau", False)]]


def test_exclusions() -> None:
    assert excluded('eau -forage -"puits profond"') == [("forage", False),
                                                         ("puits profond", True)]
    assert words('eau -forage -"puits profond"') == [[("eau", False)]]


def test_junk_is_plain_text() -> None:
    assert words('"eau potable') == [[("eau", False)], [("potable", False)]]
    assert words("- eau") == [[("-", False)], [("eau", False)]]
    assert words("(eau) AND NOT title:forage*") == [[("eau", False)]]
    assert excluded("(eau) AND NOT title:forage*") == [("title:forage*", False)]


def test_not_excludes_and_and_is_the_default() -> None:
    assert words("eau NOT santé") == [[("eau", False)]]
    assert excluded('eau NOT santé NOT "puits profond"') == [("santé", False),
                                                              ("puits profond", True)]
    assert words("eau AND santé") == words("eau santé")
    assert words("eau NOT") == [[("eau", False)]]
    assert words("eau not santé") == [[("eau", False)], [("not", False)], [("santé", False)]]


def test_punctuation_between_words_separates_them() -> None:
    assert words("eau,santé") == words("eau santé") == words("eau;santé") == words("eau/santé")
    assert words("1,5 l'eau Saint-Louis O.N.U.") == [
        [("1,5", False)], [("l'eau", False)], [("Saint-Louis", False)], [("O.N.U.", False)]]
    assert words('"eau,santé"') == [[("eau,santé", True)]]


def test_empty_and_stopword_only_queries_match_all() -> None:
    for q in ("", "   ", "les de la", '"de la"', "OR", "-", '"', "or"):
        assert build_text_query(parse_user_query(q)) is None, q


def _terms(query) -> set[tuple[str, str]]:
    return {(t.field, t.text) for t in query.leaves() if isinstance(t, Term)}


def test_word_is_searched_in_text_themes_and_names() -> None:
    query = build_text_query(parse_user_query("Villes"))
    assert isinstance(query, Or)
    assert ("title", "vill") in _terms(query)
    assert ("body", "vill") in _terms(query)
    assert ("themes", "vill") in _terms(query)
    assert ("names", "villes") in _terms(query)


def test_words_are_anded_and_stopwords_dropped() -> None:
    query = build_text_query(parse_user_query("la coopération de la ville"))
    assert isinstance(query, And)
    assert len(query.parts) == 2


def test_hyphenated_word_is_a_phrase() -> None:
    query = build_text_query(parse_user_query("Clermont-Ferrand"))
    phrases = [q for q in query.leaves() if isinstance(q, Phrase)]
    assert phrases and all(p.words == ("clermont", "ferrand") for p in phrases)


def test_quoted_phrase() -> None:
    query = build_text_query(parse_user_query('"mise en œuvre"'))
    phrases = {(p.field, tuple(p.words)) for p in query.leaves() if isinstance(p, Phrase)}
    assert ("body", ("mis", "oeuvr")) in phrases
    assert ("names", ("mise", "en", "oeuvre")) in phrases


def test_exclusion_only_is_everything_minus() -> None:
    query = build_text_query(parse_user_query("-eau"))
    assert isinstance(query, AndNot)
    assert isinstance(query.positive, Every)
    assert ("body", "eau") in _terms(query.negative)


def test_or_group_query() -> None:
    query = build_text_query(parse_user_query("eau OR assainissement"))
    assert isinstance(query, Or)
    texts = {text for _, text in _terms(query)}
    assert {"eau", "assain"} <= texts


def test_fuzzy_only_from_five_letters() -> None:
    def fuzzies(q: str) -> dict[str, int]:
        query = build_text_query(parse_user_query(q), fuzzy=True)
        return {f.word: f.edits for f in query.leaves() if isinstance(f, Typo)}

    assert fuzzies("eau port ville") == {"ville": 1}
    assert fuzzies("cooperaton") == {"cooperaton": 2}
    assert fuzzies("2017") == {}
    assert not [f for f in build_text_query(parse_user_query("cooperaton")).leaves()
                if isinstance(f, Typo)]


def test_a_name_phrase_marks_only_its_content_words() -> None:
    query = build_text_query(parse_user_query('"Saint-Louis du Sénégal"'))
    names = [p for p in query.leaves() if isinstance(p, Phrase) and p.field == "names"]
    assert names and names[0].words == ("saint", "louis", "du", "senegal")
    assert "du" not in names[0].marks and "senegal" in names[0].marks


def test_item_is_hashable() -> None:
    assert len({Item("a"), Item("a"), Item("a", phrase=True)}) == 2


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=500))
def test_parse_and_build_never_raise(q: str) -> None:
    uq = parse_user_query(q)
    build_text_query(uq)
    build_text_query(uq, fuzzy=True)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(['"', "-", "OR", "or", "(", ")", ":", "*", "^", "~", "AND",
                                 "NOT", "eau", "ville", "l'", "’", " ", "-\"", "é"]),
                max_size=40))
def test_syntax_soup_never_raises(parts: list[str]) -> None:
    q = "".join(parts)
    build_text_query(parse_user_query(q), fuzzy=True)

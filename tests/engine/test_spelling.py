"""Did-you-mean over a tiny index."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.build import build
from indexer.record import ForeignPartner, Record
from search_app.engine.service import SearchService
from search_app.engine.spelling import did_you_mean

RECORDS = [
    Record(id="a", title="Coopération décentralisée pour l'assainissement",
           context="Développement de la coopération entre collectivités. Assainissement."),
    Record(id="b", title="Coopération culturelle", context="Échanges entre musées."),
    Record(id="c", title="Coopérations agricoles", context="Développement rural.",
           foreign_partners=[ForeignPartner(name="Ouagadougou", country="Burkina Faso")]),
    Record(id="d", title="Opération pilote", context="Une opération de reboisement."),
]


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("spell")
    source = root / "records.jsonl"
    source.write_text("".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n"
                              for r in RECORDS), encoding="utf-8")
    build([source], root / "index", progress=False)
    service = SearchService(root / "index")
    yield service.handle().spelling
    service.close()


@pytest.mark.parametrize(("q", "expected"), [
    ("cooperaton", "cooperation"),
    ("cooperaton culturelle", "cooperation culturelle"),
    ("Cooperaton", "Cooperation"),
    ("developement rural", "developpement rural"),
    ("assainisement", "assainissement"),
    ("ouagadougo", "ouagadougou"),
    ('"cooperaton decentralisee" -musees', '"cooperation decentralisee" -musees'),
])
def test_corrections(reader, q: str, expected: str) -> None:
    assert did_you_mean(q, reader) == expected


@pytest.mark.parametrize("q", [
    "", "coopération", "cooperation", "coopérations décentralisées", "eau", "muse",
    "zzzzzzzz", "2017", "la de les", "OR", "coopérer",
])
def test_nothing_to_correct(reader, q: str) -> None:
    assert did_you_mean(q, reader) is None


def test_suggestions_are_words_not_stems(reader) -> None:
    suggestion = did_you_mean("developpemen", reader)
    assert suggestion == "developpement"


def test_short_words_are_not_corrected(reader) -> None:
    assert did_you_mean("cope", reader) is None


def damerau(a: str, b: str) -> int:
    """The textbook (unrestricted) Damerau-Levenshtein distance, as a reference."""
    alphabet: dict[str, int] = {}
    inf = len(a) + len(b)
    d = [[inf] * (len(b) + 2)] + [[inf] + [0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i + 1][1] = i
    for j in range(len(b) + 1):
        d[1][j + 1] = j
    for i in range(1, len(a) + 1):
        last = 0
        for j in range(1, len(b) + 1):
            k, l_ = alphabet.get(b[j - 1], 0), last
            cost = 0 if a[i - 1] == b[j - 1] else 1
            if not cost:
                last = j
            d[i + 1][j + 1] = min(d[i][j] + cost, d[i + 1][j] + 1, d[i][j + 1] + 1,
                                  d[k][l_] + (i - k - 1) + 1 + (j - l_ - 1))
        alphabet[a[i - 1]] = i
    return d[len(a) + 1][len(b) + 1]


@pytest.mark.parametrize(("word", "maxdist"), [("cooperaton", 1), ("reboisemnt", 1),
                                               ("operatoin", 2), ("zzzzzz", 1)])
def test_typo_search_finds_what_a_scan_of_the_lexicon_finds(reader, word: str,
                                                             maxdist: int) -> None:
    scan = sorted(w for w in reader.counts
                  if w[:1] == word[:1] and damerau(word, w) <= maxdist)
    assert reader.words_within(word, maxdist, prefix=1) == scan
    assert reader.typo_words(word, maxdist) == tuple(w for w in scan if w != word)
    assert reader.typo_words(word, maxdist) == reader.typo_words(word, maxdist)  # remembered


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text("abcé", min_size=1, max_size=7), min_size=1, max_size=40),
       st.text("abcé", min_size=1, max_size=7), st.integers(0, 2), st.integers(0, 2))
def test_words_within_is_a_damerau_scan(words: list[str], word: str, maxdist: int,
                                        prefix: int) -> None:
    from indexer.lexicon import SpellingReader

    spelling = SpellingReader.__new__(SpellingReader)
    spelling.counts = Counter(words)
    spelling._by_prefix = {}
    expected = sorted(w for w in set(words)
                      if w.startswith(word[:prefix]) and len(word) >= prefix
                      and damerau(word, w) <= maxdist)
    assert spelling.words_within(word, maxdist, prefix) == expected


@pytest.mark.parametrize(("q", "expected"), [
    ("cooperaiton", "cooperation"),  # one transposition is one typo
    ("Ouagadoguou", "Ouagadougou"),
    ("devloeppement rural", "developpement rural"),  # 9+ letters: a swap and one more edit
    ("lassainissement", "l'assainissement"),  # an elision typed without its apostrophe
    ("dassainissement", "d'assainissement"),
])
def test_transpositions_and_glued_elisions(reader, q: str, expected: str) -> None:
    assert did_you_mean(q, reader) == expected


@pytest.mark.parametrize("q", ["dune", "lune", "dune lune"])
def test_glued_elisions_need_a_content_word(reader, q: str) -> None:
    # « dune » is not « d'une »: a stop word is never the word after the article.
    assert did_you_mean(q, reader) is None


def test_glued_elision_suggested_with_its_apostrophe(reader) -> None:
    # The accent typed is kept (« é »), the apostrophe restored.
    assert did_you_mean("lopération pilote", reader) == "l'opération pilote"


def test_typo_words_count_a_swap_as_one_edit(reader) -> None:
    assert damerau("cooperaiton", "cooperation") == 1
    assert "cooperation" in reader.typo_words("cooperaiton", 1)
    assert "cooperation" not in reader.typo_words("ocoperation", 1)  # the first letter stays

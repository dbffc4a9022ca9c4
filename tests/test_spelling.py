"""Did-you-mean over a tiny index."""

from __future__ import annotations

import json

import pytest

from indexer.build import build
from indexer.record import ForeignPartner, Record
from search_app.service import SearchService
from search_app.spelling import did_you_mean

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


@pytest.mark.parametrize(("word", "maxdist"), [("cooperaton", 1), ("reboisemnt", 1),
                                               ("operatoin", 2), ("zzzzzz", 1)])
def test_typo_search_is_remembered_unchanged(reader, word: str, maxdist: int) -> None:
    # The memo must answer what the lexicon answers, the first time and every time after.
    from indexer.schema import SPELL_FIELD

    direct = sorted(reader.lexicon.terms_within(SPELL_FIELD, word, maxdist, prefix=1))
    first = sorted(reader.terms_within(SPELL_FIELD, word, maxdist, prefix=1))
    again = sorted(reader.terms_within(SPELL_FIELD, word, maxdist, prefix=1))
    assert first == again == direct
    assert (word, maxdist, 1) in reader._within


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
    from indexer.schema import SPELL_FIELD

    # whoosh's automaton counts a swap as two edits, whatever its docstring says.
    assert "cooperation" not in reader.lexicon.terms_within(SPELL_FIELD, "cooperaiton", 1,
                                                            prefix=1)
    assert "cooperation" in reader.typo_words("cooperaiton", 1)
    assert "cooperation" not in reader.typo_words("ocoperation", 1)  # the first letter stays

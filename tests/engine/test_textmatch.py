"""The numpy evaluation of atlas's query tree agrees with whoosh's own matchers.

The product index keeps no positions (phrases come from the word-pair index), so the oracle
is a reference whoosh index of the same records with positions, compared by record id.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from unidecode import unidecode
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.fields import TEXT, Schema

from indexer.accents import SEPARATOR, compatible
from indexer.phrases import PhraseIndex
from indexer.schema import ACCENTS_FIELD, build_schema, record_to_doc
from indexer.sources import Failure, expand, read_sources
from search_app.engine.query import tree
from search_app.engine.query.build import text_node
from search_app.engine.query.syntax import parse_user_query
from search_app.engine.service import SearchService

QUERIES = ["eau potable", "coopération décentralisée", "villes michelin", "-eau",
           "eau OR assainissement", "culture -musique", "clermont-ferrand", "2017",
           '"eau potable"', '"accès aux soins"', '"mise en œuvre"', "saint-louis",
           '"Réseau International des Villes"', '"villes durables"', "vitoria-gasteiz",
           # typed with diacritics: only agreeing spellings (`indexer.accents`)
           "côte", "élevé", "marché", '"côte d\'ivoire"', "développé", "zéro déchet"]


@pytest.fixture(scope="module")
def handle(index_dir):
    service = SearchService(index_dir)
    yield service.handle()
    service.close()


@pytest.fixture(scope="module")
def reference(corpus_dir, tmp_path_factory):
    """The same records in a plain whoosh index whose text fields keep positions."""
    product = build_schema()
    fields = {name: product[name] for name in product.names()}
    for name in ("title", "body", "themes", "names"):
        fields[name] = TEXT(analyzer=product[name].analyzer, phrase=True)
    ix = whoosh_index.create_in(str(tmp_path_factory.mktemp("reference")), Schema(**fields))
    with ix.writer() as writer:
        for item in read_sources(expand([corpus_dir]), unique=True):
            if not isinstance(item, Failure):
                writer.add_document(**record_to_doc(item))
    with ix.searcher() as searcher:
        yield searcher


def _ids(handle, mask: np.ndarray) -> set[str]:
    return {handle.data.ids[d] for d in np.flatnonzero(mask & handle.data.alive)}


def _disagreeing(reference, stem: str, typed: str) -> wq.Query:
    """The records writing `stem` only with diacritics disagreeing with `typed`, from the
    `accents` field's terms: some form that disagrees, none that agrees, no plain one."""
    prefix = stem + SEPARATOR
    bad, good = [], []
    for raw in reference.lexicon(ACCENTS_FIELD):
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        if text.startswith(prefix):
            agrees = compatible(typed, stem, text[len(prefix):])
            (good if agrees else bad).append(wq.Term(ACCENTS_FIELD, text))
    if not bad:
        return wq.NullQuery
    return wq.AndNot(wq.Or(bad), wq.Or(good)) if good else wq.Or(bad)


def as_whoosh(node: tree.Node, reference) -> wq.Query:
    """The same query in whoosh's classes, for its reference matchers."""
    if isinstance(node, tree.Term):
        term = wq.Term(node.field, node.text)
        if node.typed:
            return wq.AndNot(term, _disagreeing(reference, node.text, node.typed))
        return term
    if isinstance(node, tree.Phrase):
        phrase = wq.Phrase(node.field, list(node.words))
        for word, typed in zip(node.words, node.typed or ("",) * len(node.words),
                               strict=True):
            if typed:
                phrase = wq.AndNot(phrase, _disagreeing(reference, word, typed))
        return phrase
    if isinstance(node, tree.And):
        return wq.And([as_whoosh(p, reference) for p in node.parts])
    if isinstance(node, tree.Or):
        return wq.Or([as_whoosh(p, reference) for p in node.parts])
    if isinstance(node, tree.AndNot):
        return wq.AndNot(as_whoosh(node.positive, reference),
                         as_whoosh(node.negative, reference))
    if isinstance(node, tree.Every):
        return wq.Every()
    if isinstance(node, tree.Split):
        # The scorer skips the phrases whose words are absent: those match nothing anyway.
        return wq.Or([as_whoosh(p, reference) for p in node.phrases])
    raise TypeError(type(node).__name__)


def _typed(key: str, typed: str) -> str:
    return key + SEPARATOR + typed if typed else key


def _reference_ids(reference, query) -> set[str]:
    return {reference.stored_fields(d)["id"] for d in query.matcher(reference).all_ids()}


@pytest.mark.parametrize("q", QUERIES)
def test_numpy_matching_equals_whoosh(handle, reference, q: str) -> None:
    query = text_node(parse_user_query(q))
    met: set[str] = set()
    mask, scores = handle.scorer.evaluate(query, met)
    assert _ids(handle, mask) == _reference_ids(reference, as_whoosh(query, reference)), q
    # The keys reported met are leaves of the query that have postings (with the spelling
    # typed, for a word typed with diacritics).
    leaves = {t for leaf in query.leaves() for t in (
        (_typed(leaf.text, leaf.typed),) if isinstance(leaf, tree.Term)
        else [_typed(m, t) for m, t in zip(leaf.marks, leaf.typed or ("",) * len(leaf.marks),
                                           strict=True)] if isinstance(leaf, tree.Phrase)
        else ())}
    assert met <= leaves and (met or not mask.any() or not leaves)
    assert (scores[mask] >= 0).all()


def test_typed_accents_drop_disagreeing_records(handle) -> None:
    # A word typed with its accents meets a subset of what it meets typed without them;
    # the fixture corpus writes « à côté » and « élèves » often: those records drop out.
    dropped = set()
    for q in ("côte", "élevé", "marché", "développé", "zéro déchet"):
        typed, _ = handle.scorer.evaluate(text_node(parse_user_query(q)))
        plain, _ = handle.scorer.evaluate(text_node(parse_user_query(unidecode(q))))
        assert not (typed & ~plain).any(), q
        if (plain & ~typed).any():
            dropped.add(q)
    assert {"côte", "élevé"} <= dropped


@pytest.mark.parametrize("words", [["eau", "potabl"], ["acce", "soin"], ["mis", "oeuvr"],
                                   ["vill", "michelin"], ["developp", "durabl"]])
def test_pair_index_equals_whoosh_phrases(handle, reference, words: list[str]) -> None:
    for field in ("title", "body", "themes"):
        phrase = tree.Phrase(field, tuple(words))
        mine, _ = handle.scorer.evaluate(phrase)
        theirs = _reference_ids(reference, as_whoosh(phrase, reference))
        assert _ids(handle, mine) == theirs, (field, words)
        assert mine.any() or field != "body" or words != ["eau", "potabl"]


@settings(max_examples=150, deadline=None)
@given(keys=st.lists(st.integers(0, 40), max_size=300),
       probes=st.lists(st.integers(-1, 41), min_size=1, max_size=10),
       block=st.integers(1, 9))
def test_pair_spans_equal_a_full_binary_search(tmp_path_factory, keys: list[int],
                                               probes: list[int], block: int) -> None:
    # The server reads only a sample of the keys and the blocks around a probe: the span
    # must be the one a search over the whole array gives, duplicates and edges included.
    version = tmp_path_factory.mktemp("pairs")
    array = np.sort(np.asarray(keys, dtype=np.uint64))
    np.save(version / "keys.npy", array)
    np.save(version / "docs.npy", np.arange(array.size, dtype=np.int32))
    index = PhraseIndex(version / "keys.npy", version / "docs.npy", block=block)
    try:
        for probe in probes:
            key = np.uint64(max(probe, 0))
            expected = (int(np.searchsorted(array, key, side="left")),
                        int(np.searchsorted(array, key, side="right")))
            assert index.span(int(key)) == expected
    finally:
        index.close()


def test_flat_lengths_are_whoosh_lengths_of_live_documents(handle) -> None:
    reader = handle.parts.searcher.reader()
    for field in ("title", "body", "themes", "names"):
        flat = handle.scorer.flat[field].lengths
        for doc in range(handle.data.size):
            expected = reader.doc_field_length(doc, field, 0) if handle.data.alive[doc] else 0
            assert flat[doc] == expected, (field, doc)

"""Stage 8, score: atlas's query tree evaluated over whole posting lists with numpy.

The build writes a flat copy of each scored field's postings (`indexer.postings`), so a
term's posting list is one slice; phrases are looked up in the version's word-pair index
(`indexer.phrases`) and typos in its spelling lexicon. Every node gives the set of matching
documents and its BM25F scores (constants in `relevance`), and reports the keys its leaves
met, which is what snippets mark.
"""

from __future__ import annotations

import math

import numpy as np

from indexer.analysis import word_keys
from indexer.phrases import PhraseIndex
from indexer.postings import FlatPostings
from search_app.engine.query.tree import And, AndNot, Every, Node, Or, Phrase, Split, Term, Typo
from search_app.engine.relevance import FIELD_BOOSTS, K1, NAME_FIELD, WORD_FIELDS, B

_EMPTY = (np.empty(0, np.int32), np.empty(0, np.float32))
Scored = tuple[np.ndarray, np.ndarray]


class Scorer:
    """The scored fields' flat posting lists of one opened index version, as arrays."""

    def __init__(self, size: int, doc_count: int, flat: dict[str, FlatPostings],
                 spelling, phrases: PhraseIndex) -> None:
        self.phrases = phrases
        self.flat = flat
        self.spelling = spelling
        self.size = size
        self.doc_count = doc_count
        self._lengths: dict[str, tuple[np.ndarray, float]] = {}

    # ---- per-field document lengths (for BM25's length normalisation)

    def lengths(self, field: str) -> tuple[np.ndarray, float]:
        if field not in self._lengths:
            lens = self.flat[field].lengths
            docs = max(1, self.doc_count)
            # Deleted documents have length 0 in the flat copy: the average is the live one.
            self._lengths[field] = (lens, max(float(lens.sum(dtype=np.float64)) / docs, 1.0))
        return self._lengths[field]

    # ---- posting lists

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, term frequencies) of one term; empty arrays when absent."""
        flat = self.flat.get(field)
        if flat is None:
            return _EMPTY
        found = flat.get(text)
        return _EMPTY if found is None else found

    # ---- evaluation

    def evaluate(self, node: Node, met: set[str] | None = None) -> Scored:
        """(boolean mask of matching docs, BM25F score per doc); the keys met go to `met`."""
        if isinstance(node, Term):
            return self._term(node.field, node.text, met)
        if isinstance(node, And):
            mask = np.ones(self.size, dtype=bool)
            score = np.zeros(self.size, dtype=np.float32)
            for part in node.parts:
                m, s = self.evaluate(part, met)
                mask &= m
                score += s
            return mask, np.where(mask, score, 0).astype(np.float32)
        if isinstance(node, Or):
            mask = np.zeros(self.size, dtype=bool)
            score = np.zeros(self.size, dtype=np.float32)
            for part in node.parts:
                m, s = self.evaluate(part, met)
                mask |= m
                score += s
            return mask, score
        if isinstance(node, AndNot):
            m, s = self.evaluate(node.positive, met)
            drop, _ = self.evaluate(node.negative)
            keep = m & ~drop
            return keep, np.where(keep, s, 0).astype(np.float32)
        if isinstance(node, Phrase):
            return self._phrase(node, met)
        if isinstance(node, Typo):
            return self._typo(node, met)
        if isinstance(node, Split):
            # Only the phrases whose every word is in their field: a dict lookup each, where
            # a phrase lookup reads the pair index.
            found = tuple(leaf for leaf in node.leaves() if not isinstance(leaf, Phrase)
                          or all(self.postings(leaf.field, w)[0].size for w in leaf.words))
            if not found:
                return np.zeros(self.size, dtype=bool), np.zeros(self.size, dtype=np.float32)
            return self.evaluate(Or(found), met)
        if isinstance(node, Every):
            return np.ones(self.size, dtype=bool), np.zeros(self.size, dtype=np.float32)
        raise TypeError(f"query node not evaluated: {type(node).__name__}")

    def _term(self, field: str, text: str, met: set[str] | None) -> Scored:
        mask = np.zeros(self.size, dtype=bool)
        score = np.zeros(self.size, dtype=np.float32)
        docs, tf = self.postings(field, text)
        if not docs.size:
            return mask, score
        if met is not None:
            met.add(text)
        lens, avg = self.lengths(field)
        idf = math.log(1 + (self.doc_count - docs.size + 0.5) / (docs.size + 0.5))
        norm = tf + K1 * ((1 - B) + B * lens[docs] / avg)
        mask[docs] = True
        score[docs] = (FIELD_BOOSTS.get(field, 1.0) * idf) * tf * (K1 + 1) / norm
        return mask, score

    def _phrase(self, node: Phrase, met: set[str] | None) -> Scored:
        """Documents holding the words' consecutive pairs in the field (the build's pair
        index), scored as the sum of the words' own scores there."""
        mask = np.zeros(self.size, dtype=bool)
        docs = self.phrases.docs_with(node.field, list(node.words))
        mask[docs[docs < self.size]] = True
        score = np.zeros(self.size, dtype=np.float32)
        if mask.any() and node.scored:
            if met is not None:
                met.update(node.marks)
            for word in dict.fromkeys(node.words):
                score += self._term(node.field, word, None)[1]
            score = np.where(mask, score, 0).astype(np.float32)
        return mask, score

    def _typo(self, node: Typo, met: set[str] | None) -> Scored:
        """A word with typos: the lexicon's real words within the distance, each searched
        as the word itself would be (its stem in the text fields, itself among names)."""
        mask = np.zeros(self.size, dtype=bool)
        score = np.zeros(self.size, dtype=np.float32)
        for word in self.spelling.typo_words(node.word, node.edits, prefix=node.prefix):
            keys = [(folded, stem) for folded, stem in word_keys(word) if stem is not None]
            if not keys:
                continue
            m, s = self.evaluate(Or(tuple([Term(f, stem) for _, stem in keys for f in WORD_FIELDS]
                                          + [Term(NAME_FIELD, f) for f, _ in keys])), met)
            mask |= m
            score += s
        return mask, score

"""Evaluate whoosh queries over whole posting lists with numpy: the matching set and BM25F.

whoosh's own matchers walk postings one document at a time in Python; to count facets we
need every matching document anyway. The build writes a flat copy of each scored field's
postings (`indexer.postings`), so a term's posting list is one slice; phrases are looked up
in the version's word-pair index (`indexer.phrases`) and typo terms in its spelling lexicon.
Terms, phrases, fuzzy terms and their And/Or/AndNot combinations are all the query
builder makes; anything else is a programming error.
"""

from __future__ import annotations

import math

import numpy as np
from whoosh import query as wq

from indexer.analysis import word_keys
from indexer.phrases import STEMMED_FIELDS as PHRASE_STEMMED
from indexer.phrases import PhraseIndex
from indexer.postings import FlatPostings
from indexer.schema import NAMES_FIELD, SPELL_FIELD, TEXT_FIELDS, THEMES_FIELD

STEMMED = (*TEXT_FIELDS, THEMES_FIELD)
PHRASE_FIELDS = (*PHRASE_STEMMED, NAMES_FIELD)

K1 = 1.2  # whoosh's BM25F defaults
B = 0.75

_EMPTY = (np.empty(0, np.int32), np.empty(0, np.float32))


class TextMatcher:
    """The scored fields' flat posting lists of one opened index version, as arrays."""

    def __init__(self, searcher, size: int, flat: dict[str, FlatPostings],
                 spelling, phrases: PhraseIndex) -> None:
        self.searcher = searcher
        self.phrases = phrases
        self.flat = flat
        self.spelling = spelling
        self.reader = searcher.reader()
        self.schema = searcher.schema
        self.size = size
        self._lengths: dict[str, tuple[np.ndarray, float]] = {}

    # ---- per-field document lengths (for BM25's length normalisation)

    def lengths(self, field: str) -> tuple[np.ndarray, float]:
        if field not in self._lengths:
            lens = self.flat[field].lengths
            docs = max(1, self.reader.doc_count())
            # Deleted documents have length 0 in the flat copy: the average is the live one.
            self._lengths[field] = (lens, max(float(lens.sum(dtype=np.float64)) / docs, 1.0))
        return self._lengths[field]

    # ---- posting lists

    def postings(self, field: str, text: str | bytes) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, term frequencies) of one term; empty arrays when absent."""
        flat = self.flat.get(field)
        if flat is None:
            return _EMPTY
        found = flat.get(text.decode("utf-8") if isinstance(text, bytes) else text)
        return _EMPTY if found is None else found

    # ---- evaluation

    def evaluate(self, q: wq.Query) -> tuple[np.ndarray, np.ndarray]:
        """(boolean mask of matching docs, BM25F score per doc)."""
        if isinstance(q, wq.Term):
            return self._term(q.fieldname, q.text, q.boost)
        if isinstance(q, wq.And):
            mask = np.ones(self.size, dtype=bool)
            score = np.zeros(self.size, dtype=np.float32)
            for sub in q.subqueries:
                m, s = self.evaluate(sub)
                mask &= m
                score += s
            return mask, np.where(mask, score, 0).astype(np.float32)
        if isinstance(q, wq.Or):
            mask = np.zeros(self.size, dtype=bool)
            score = np.zeros(self.size, dtype=np.float32)
            for sub in q.subqueries:
                m, s = self.evaluate(sub)
                mask |= m
                score += s
            return mask, score
        if isinstance(q, wq.AndNot):
            m, s = self.evaluate(q.a)
            drop, _ = self.evaluate(q.b)
            keep = m & ~drop
            return keep, np.where(keep, s, 0).astype(np.float32)
        if isinstance(q, wq.Phrase) and q.slop == 1 and q.fieldname in PHRASE_FIELDS:
            return self._phrase(q)
        if isinstance(q, wq.FuzzyTerm) and q.fieldname == SPELL_FIELD:
            return self._typo(q)
        if isinstance(q, wq.Every):
            return np.ones(self.size, dtype=bool), np.zeros(self.size, dtype=np.float32)
        if isinstance(q, type(wq.NullQuery)):
            return np.zeros(self.size, dtype=bool), np.zeros(self.size, dtype=np.float32)
        raise TypeError(f"query kind not evaluated: {type(q).__name__}")

    def _term(self, field: str, text, boost: float) -> tuple[np.ndarray, np.ndarray]:
        mask = np.zeros(self.size, dtype=bool)
        score = np.zeros(self.size, dtype=np.float32)
        if field not in self.schema or not self.schema[field].scorable:
            docs, _ = self.postings(field, text)
            mask[docs] = True
            return mask, score
        docs, tf = self.postings(field, text)
        if not docs.size:
            return mask, score
        lens, avg = self.lengths(field)
        n = self.reader.doc_count()
        idf = math.log(1 + (n - docs.size + 0.5) / (docs.size + 0.5))
        field_boost = getattr(self.schema[field].format, "field_boost", 1.0)
        norm = tf + K1 * ((1 - B) + B * lens[docs] / avg)
        mask[docs] = True
        score[docs] = (boost * field_boost * idf) * tf * (K1 + 1) / norm
        return mask, score

    def _phrase(self, q: wq.Phrase) -> tuple[np.ndarray, np.ndarray]:
        """Documents holding the words' consecutive pairs in the field (the build's pair
        index), scored as the sum of the words' own scores there."""
        mask = np.zeros(self.size, dtype=bool)
        words = [w.decode("utf-8") if isinstance(w, bytes) else w for w in q.words]
        docs = self.phrases.docs_with(q.fieldname, words)
        mask[docs[docs < self.size]] = True
        score = np.zeros(self.size, dtype=np.float32)
        if mask.any():
            for word in dict.fromkeys(words):
                score += self._term(q.fieldname, word, q.boost)[1]
            score = np.where(mask, score, 0).astype(np.float32)
        return mask, score

    def _typo(self, q: wq.FuzzyTerm) -> tuple[np.ndarray, np.ndarray]:
        """A word with typos: the lexicon's real words within the distance, each searched
        as the word itself would be (its stem in the text fields, itself among names)."""
        mask = np.zeros(self.size, dtype=bool)
        score = np.zeros(self.size, dtype=np.float32)
        for word in self.spelling.typo_words(q.text, q.maxdist, prefix=q.prefixlength):
            keys = [(folded, stem) for folded, stem in word_keys(word) if stem is not None]
            if not keys:
                continue
            m, s = self.evaluate(wq.Or([wq.Term(f, stem) for _, stem in keys for f in STEMMED] +
                                       [wq.Term(NAMES_FIELD, f) for f, _ in keys],
                                       boost=q.boost))
            mask |= m
            score += s
        return mask, score

"""Evaluate whoosh queries over whole posting lists with numpy: the matching set and BM25F.

whoosh's own matchers walk postings one document at a time in Python; to count facets we
need every matching document anyway, so we read each term's posting list once, block by
block, into arrays, and combine them with array operations. Queries this module does not
know (phrases, fuzzy terms, anything else) fall back to whoosh's own matcher for the set.
"""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
from whoosh import query as wq
from whoosh.reading import TermNotFound

from indexer.analysis import FRENCH_STOPWORDS, french_stem
from indexer.phrases import STEMMED_FIELDS as PHRASE_STEMMED
from indexer.phrases import PhraseIndex
from indexer.postings import FlatPostings, read_postings
from indexer.schema import NAMES_FIELD, SPELL_FIELD, TEXT_FIELDS, THEMES_FIELD

STEMMED = (*TEXT_FIELDS, THEMES_FIELD)
PHRASE_FIELDS = (*PHRASE_STEMMED, NAMES_FIELD)

K1 = 1.2  # whoosh's BM25F defaults
B = 0.75


class TextMatcher:
    """Posting lists as arrays for one opened index version: the build's flat copy for the
    scored fields, else read from whoosh (any number of segments) and cached."""

    def __init__(self, searcher, size: int, flat: dict[str, FlatPostings] | None = None,
                 spelling=None, phrases: PhraseIndex | None = None,
                 cache_terms: int = 4096) -> None:
        self.searcher = searcher
        self.phrases = phrases
        self.flat = flat or {}
        self.spelling = spelling
        self.reader = searcher.reader()
        self.schema = searcher.schema
        self.size = size
        self._lengths: dict[str, tuple[np.ndarray, float]] = {}
        self._postings: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = \
            OrderedDict()
        self._cache_terms = cache_terms

    # ---- per-field document lengths (for BM25's length normalisation)

    def lengths(self, field: str) -> tuple[np.ndarray, float]:
        if field not in self._lengths:
            reader = self.reader
            if field in self.flat:
                lens = self.flat[field].lengths
            else:
                lens = np.fromiter((reader.doc_field_length(d, field, 0) or 0
                                    for d in range(self.size)), dtype=np.float32,
                                   count=self.size)
            total = reader.field_length(field)
            docs = max(1, reader.doc_count())
            self._lengths[field] = (lens, max(total / docs, 1.0))
        return self._lengths[field]

    # ---- posting lists

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, term frequencies) of one term; empty arrays when absent."""
        flat = self.flat.get(field)
        if flat is not None:
            found = flat.get(text.decode("utf-8") if isinstance(text, bytes) else text)
            if found is None:
                return np.empty(0, np.int32), np.empty(0, np.float32)
            return found
        key = (field, text)
        hit = self._postings.get(key)
        if hit is not None:
            self._postings.move_to_end(key)
            return hit
        result = read_postings(self.reader, field, text)
        self._postings[key] = result
        if len(self._postings) > self._cache_terms:
            self._postings.popitem(last=False)
        return result

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
        if isinstance(q, wq.Phrase) and self.phrases is not None and q.slop == 1 \
                and q.fieldname in PHRASE_FIELDS:
            return self._phrase(q)
        if isinstance(q, wq.FuzzyTerm) and q.fieldname == SPELL_FIELD:
            return self._typo(q)
        if isinstance(q, wq.Every):
            return np.ones(self.size, dtype=bool), np.zeros(self.size, dtype=np.float32)
        if isinstance(q, type(wq.NullQuery)):
            return np.zeros(self.size, dtype=bool), np.zeros(self.size, dtype=np.float32)
        return self._fallback(q)

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
        if self.spelling is None:
            return mask, score
        for word in self.spelling.terms_within(SPELL_FIELD, q.text, q.maxdist,
                                               prefix=q.prefixlength):
            if word in FRENCH_STOPWORDS:
                continue
            m, s = self.evaluate(wq.Or([wq.Term(f, french_stem(word)) for f in STEMMED] +
                                       [wq.Term(NAMES_FIELD, word)], boost=q.boost))
            mask |= m
            score += s
        return mask, score

    def _fallback(self, q: wq.Query) -> tuple[np.ndarray, np.ndarray]:
        """Phrases, fuzzy terms and the rest: whoosh gives the set, its terms the score."""
        mask = np.zeros(self.size, dtype=bool)
        try:
            ids = np.fromiter(q.matcher(self.searcher).all_ids(), dtype=np.int64)
        except TermNotFound:
            ids = np.empty(0, np.int64)
        mask[ids[ids < self.size]] = True
        score = np.zeros(self.size, dtype=np.float32)
        if mask.any():
            try:
                terms = list(q.existing_terms(self.reader, expand=True))
            except Exception:  # scoring is best effort; the set is what matters
                terms = []
            for field, text in terms[:50]:
                _, s = self._term(field, text, q.boost)
                score += s
            score = np.where(mask, score, 0).astype(np.float32)
        return mask, score

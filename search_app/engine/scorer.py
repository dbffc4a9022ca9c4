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

from indexer.accents import SEPARATOR, compatible
from indexer.analysis import word_keys
from indexer.phrases import PhraseIndex
from indexer.postings import FlatPostings
from indexer.schema import ACCENTS_FIELD
from search_app.engine import bm25, fused
from search_app.engine.query.tree import And, AndNot, Every, Node, Or, Phrase, Split, Term, Typo
from search_app.engine.relevance import FIELD_BOOSTS, NAME_FIELD, WORD_FIELDS

_EMPTY = (np.empty(0, np.int32), np.empty(0, np.float32))
_ACCENTED_MAX = 4096  # (stem, spelling) document lists kept; then it starts again
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
        self._disagreeing: dict[tuple[str, str], np.ndarray] = {}

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

    def disagreeing(self, stem: str, typed: str) -> np.ndarray:
        """The documents (ascending) writing `stem` only with diacritics that disagree with
        `typed` (`indexer.accents`): a word typed so does not meet them."""
        key = (stem, typed)
        found = self._disagreeing.get(key)
        if found is None:
            flat = self.flat.get(ACCENTS_FIELD)
            prefix = stem + SEPARATOR
            bad, good = [], []
            for term in [] if flat is None else flat.with_prefix(prefix):
                written = term[len(prefix):]
                docs = self.postings(ACCENTS_FIELD, term)[0]
                (good if compatible(typed, stem, written) else bad).append(docs)
            found = _EMPTY[0]
            if bad:
                found = np.unique(np.concatenate(bad))
                if good:
                    found = np.setdiff1d(found, np.concatenate(good), assume_unique=False)
            if len(self._disagreeing) >= _ACCENTED_MAX:
                self._disagreeing.clear()
            self._disagreeing[key] = found
        return found

    def _agreeing(self, docs: np.ndarray, stem: str, typed: str) -> np.ndarray:
        """Which of `docs` (ascending) meet `stem` typed `typed` (a boolean per document)."""
        bad = self.disagreeing(stem, typed)
        if not bad.size or not docs.size:
            return np.ones(docs.size, dtype=bool)
        at = np.minimum(np.searchsorted(bad, docs), bad.size - 1)
        return bad[at] != docs

    # ---- evaluation

    def evaluate(self, node: Node, met: set[str] | None = None) -> Scored:
        """(boolean mask of matching docs, BM25F score per doc); the keys met go to `met`."""
        if isinstance(node, Term):
            return self._term(node.field, node.text, met, node.typed)
        if isinstance(node, And):
            mask = np.ones(self.size, dtype=bool)
            score = np.zeros(self.size, dtype=np.float32)
            for part in node.parts:
                m, s = self.evaluate(part, met)
                mask &= m
                score += s
            return mask, fused.keep_where(score, mask)
        if isinstance(node, Or):
            mask = np.zeros(self.size, dtype=bool)
            score = np.zeros(self.size, dtype=np.float32)
            for part in node.parts:
                if isinstance(part, Term):
                    # Added where its postings are, not as two more whole-index arrays:
                    # the same float32 sums in the same order.
                    self._term_into(part.field, part.text, met, part.typed, mask, score)
                    continue
                m, s = self.evaluate(part, met)
                mask |= m
                score += s
            return mask, score
        if isinstance(node, AndNot):
            m, s = self.evaluate(node.positive, met)
            drop, _ = self.evaluate(node.negative)
            keep = m & ~drop
            return keep, fused.keep_where(s, keep)  # `s`: this evaluation's own
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

    def _term(self, field: str, text: str, met: set[str] | None, typed: str = "") -> Scored:
        mask = np.zeros(self.size, dtype=bool)
        score = np.zeros(self.size, dtype=np.float32)
        self._term_into(field, text, met, typed, mask, score)
        return mask, score

    def _term_into(self, field: str, text: str, met: set[str] | None, typed: str,
                   mask: np.ndarray, score: np.ndarray) -> None:
        """Adds the term's BM25F scores into `score` and its documents to `mask`."""
        docs, tf = self.postings(field, text)
        if typed and docs.size:
            keep = self._agreeing(docs, text, typed)
            docs, tf = docs[keep], tf[keep]
        if not docs.size:
            return
        if met is not None:
            # A key met only in some spellings is reported with them: snippets mark those.
            met.add(text + SEPARATOR + typed if typed else text)
        lens, avg = self.lengths(field)
        idf = math.log(1 + (self.doc_count - docs.size + 0.5) / (docs.size + 0.5))
        bm25.add_term(docs, tf, lens, FIELD_BOOSTS.get(field, 1.0) * idf, avg, score, mask)

    def docs_of(self, node: Node) -> np.ndarray:
        """The documents matching `node`, ascending, unscored: a phrase, or an OR of
        phrases, reads them from the pair index with no whole-index array; any other node
        is evaluated."""
        if isinstance(node, Phrase):
            return self._phrase_docs(node)
        if isinstance(node, Or) and all(isinstance(p, Phrase) for p in node.parts):
            found = [docs for docs in map(self._phrase_docs, node.parts) if docs.size]
            if len(found) == 1:
                return found[0]
            # Their union: one mask scattered into (a sort of them all costs more).
            mask = np.zeros(self.size, dtype=bool)
            for docs in found:
                mask[docs] = True
            return np.flatnonzero(mask)
        return np.flatnonzero(self.evaluate(node)[0])

    def _phrase_docs(self, node: Phrase) -> np.ndarray:
        """Documents holding the words' consecutive pairs in the field (the build's pair
        index), in the spellings typed with diacritics; ascending."""
        docs = self.phrases.docs_with(node.field, list(node.words))
        docs = docs[docs < self.size]
        typed = node.typed or ("",) * len(node.words)
        for word, spelled in zip(node.words, typed, strict=True):
            if spelled and docs.size:
                docs = docs[self._agreeing(docs, word, spelled)]
        return docs

    def _phrase(self, node: Phrase, met: set[str] | None) -> Scored:
        """The phrase's documents (`_phrase_docs`), scored as the sum of the words' own
        scores there."""
        mask = np.zeros(self.size, dtype=bool)
        docs = self._phrase_docs(node)
        mask[docs] = True
        typed = node.typed or ("",) * len(node.words)
        score = np.zeros(self.size, dtype=np.float32)
        if mask.any() and node.scored:
            if met is not None:
                spelled = dict(zip(node.words, typed, strict=True))
                met.update(m + SEPARATOR + spelled[m] if spelled.get(m) else m
                           for m in node.marks)
            for word, spelled_word in dict(zip(node.words, typed, strict=True)).items():
                score += self._term(node.field, word, None, spelled_word)[1]
            score = fused.keep_where(score, mask)
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
            # Its accents, when typed, still mean what they say (`indexer.accents`).
            typed = node.typed if len(keys) == 1 else ""
            m, s = self.evaluate(Or(tuple([Term(f, stem, typed) for _, stem in keys
                                           for f in WORD_FIELDS]
                                          + [Term(NAME_FIELD, f) for f, _ in keys])), met)
            mask |= m
            score += s
        return mask, score

"""The spelling lexicon of an index version: every distinct folded word with its record count.

Did-you-mean and typo tolerance need the real words people wrote (not stems) and how common
each is. The version holds them as one JSON object, word -> number of records holding it
(`Layout.lexicon_counts`); the server finds the words within an edit distance of a typed
word with rapidfuzz's Damerau-Levenshtein distance (C++), over the words sharing its first
letters.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from .analysis import glued_elision_candidate
from .schema import SPELL_FIELD


def write(counts_path: Path, counts: Counter) -> None:
    kept = {w: n for w, n in counts.items() if n > 0}
    counts_path.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")


def read_counts(counts_path: Path) -> Counter:
    return Counter(json.loads(counts_path.read_text(encoding="utf-8")))


def adjust(counts: Counter, added: Iterable[list[str]], removed: Iterable[list[str]]) -> None:
    for words in removed:
        counts.subtract(words)
    for words in added:
        counts.update(words)


WITHIN_CACHE = 4096


def edits(a: str, b: str) -> int:
    """Edits between two words, swapping two adjacent letters counting as one (Damerau)."""
    return DamerauLevenshtein.distance(a, b)


class SpellingReader:
    """The main index's reader and the lexicon, seen as one reader with a `spell` field.

    Answers the calls did-you-mean makes: membership of (field, word), words within an
    edit distance, and a word's record count.
    """

    def __init__(self, main_reader, counts_path: Path) -> None:
        self.main = main_reader
        self.counts = read_counts(counts_path)
        self.schema = {SPELL_FIELD, *main_reader.schema.names()}
        self._by_prefix: dict[str, list[str]] = {}
        # A version's lexicon never changes: each word's typo search is done once, for the
        # match and the suggestion.
        self._typos: dict[tuple[str, int, int], tuple[str, ...]] = {}

    def __contains__(self, item: tuple[str, str]) -> bool:
        field, text = item
        if field == SPELL_FIELD:
            return text in self.counts
        return item in self.main

    def _words_starting(self, prefix: str) -> list[str]:
        """The lexicon's words starting with `prefix` (grouped on first use)."""
        words = self._by_prefix.get(prefix)
        if words is None:
            shorter = self._words_starting(prefix[:-1]) if prefix else list(self.counts)
            words = [w for w in shorter if w.startswith(prefix)] if prefix else shorter
            self._by_prefix[prefix] = words
        return words

    def words_within(self, text: str, maxdist: int, prefix: int = 0) -> list[str]:
        """The lexicon's words within `maxdist` edits of `text` (`edits`) that start with its
        first `prefix` letters, in alphabetical order."""
        if len(text) < prefix:
            return []
        found = process.extract(text, self._words_starting(text[:prefix]),
                                scorer=DamerauLevenshtein.distance, score_cutoff=maxdist,
                                limit=None)
        return sorted(word for word, _, _ in found)

    def typo_words(self, text: str, maxdist: int, prefix: int = 1) -> tuple[str, ...]:
        """The lexicon's words a query word may stand for, itself excluded: those within
        `maxdist` edits (`edits`: « Bamkao » is one from « Bamako ») sharing its first
        `prefix` letters, and, when the index does not have the word itself, the word of an
        elision typed without its apostrophe (« lassainissement » -> « assainissement »)."""
        key = (text, maxdist, prefix)
        found = self._typos.get(key)
        if found is not None:
            return found
        words = set(self.words_within(text, maxdist, prefix)) if maxdist else set()
        glued = glued_elision_candidate(text)
        if glued is not None and text not in self.counts and glued[1] in self.counts:
            words.add(glued[1])
        words.discard(text)
        found = tuple(sorted(words))
        if len(self._typos) >= WITHIN_CACHE:
            self._typos.clear()
        self._typos[key] = found
        return found

    def doc_frequency(self, field: str, text: str) -> int:
        if field == SPELL_FIELD:
            return self.counts.get(text, 0)
        return self.main.doc_frequency(field, text)

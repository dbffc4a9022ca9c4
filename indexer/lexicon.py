"""The spelling lexicon of an index version: every distinct folded word with its record count.

Did-you-mean and typo tolerance need the real words people wrote (not stems) and how common
each is. A tiny whoosh index holds one document per word, so whoosh's automata find the words
within an edit distance; the counts sit beside it as JSON.

    a whoosh index, field `spell`: one document per word   (`Layout.lexicon`)
    a JSON object: word -> number of records holding it     (`Layout.lexicon_counts`)
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, Schema

from .analysis import glued_elision_candidate
from .schema import SPELL_FIELD


def write(path: Path, counts_path: Path, counts: Counter) -> None:
    path.mkdir(exist_ok=True)
    ix = whoosh_index.create_in(str(path), Schema(**{SPELL_FIELD: ID()}))
    with ix.writer() as writer:
        for word in sorted(w for w, n in counts.items() if n > 0):
            writer.add_document(**{SPELL_FIELD: word})
    ix.close()
    kept = {w: n for w, n in counts.items() if n > 0}
    counts_path.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")


def write_changes(base: Path, path: Path, counts_path: Path, before: Counter,
                  after: Counter, link: Callable[[str, str], None]) -> None:
    """An updated lexicon at `path` from the earlier one at `base`: its segments linked, the
    words that appeared added and those now in no record deleted (a small segment), so an
    update costs what it changes."""
    appeared = sorted(w for w, n in after.items() if n > 0 and before.get(w, 0) <= 0)
    gone = sorted(w for w, n in before.items() if n > 0 and after.get(w, 0) <= 0)
    shutil.copytree(base, path, copy_function=link)
    if appeared or gone:
        ix = whoosh_index.open_dir(str(path))
        try:
            with ix.writer() as writer:
                for word in gone:
                    writer.delete_by_term(SPELL_FIELD, word)
                for word in appeared:
                    writer.add_document(**{SPELL_FIELD: word})
        finally:
            ix.close()
    kept = {w: n for w, n in after.items() if n > 0}
    counts_path.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")


def read_counts(counts_path: Path) -> Counter:
    return Counter(json.loads(counts_path.read_text(encoding="utf-8")))


def adjust(counts: Counter, added: Iterable[list[str]], removed: Iterable[list[str]]) -> None:
    for words in removed:
        counts.subtract(words)
    for words in added:
        counts.update(words)


WITHIN_CACHE = 4096


def transpositions(word: str, prefix: int = 0) -> list[str]:
    """`word` with two adjacent letters swapped, at every place after `prefix` letters."""
    return [word[:i] + word[i + 1] + word[i] + word[i + 2:]
            for i in range(prefix, len(word) - 1) if word[i] != word[i + 1]]


class SpellingReader:
    """The main index's reader and the lexicon, seen as one reader with a `spell` field.

    Answers the calls did-you-mean makes: membership of (field, word), words within an
    edit distance, and a word's record count.
    """

    def __init__(self, main_reader, path: Path, counts_path: Path) -> None:
        self.main = main_reader
        self.counts = read_counts(counts_path)
        self.lexicon = whoosh_index.open_dir(str(path)).reader()
        self.schema = {SPELL_FIELD, *main_reader.schema.names()}
        # A version's lexicon never changes: a typo search (a Levenshtein automaton walked
        # over the lexicon, 5-15 ms) is done once per word, for the match and the suggestion.
        self._within: dict[tuple[str, int, int], tuple[str, ...]] = {}
        self._typos: dict[tuple[str, int, int], tuple[str, ...]] = {}

    def __contains__(self, item: tuple[str, str]) -> bool:
        field, text = item
        if field == SPELL_FIELD:
            return text in self.counts
        return item in self.main

    def terms_within(self, field: str, text: str, maxdist: int, prefix: int = 0):
        if field != SPELL_FIELD:
            return self.main.terms_within(field, text, maxdist, prefix=prefix)
        key = (text, maxdist, prefix)
        found = self._within.get(key)
        if found is None:
            if len(self._within) >= WITHIN_CACHE:
                self._within.clear()
            # A word deleted by an update stays in whoosh's term list until segments merge:
            # only words some record still holds count.
            found = tuple(w for w in self.lexicon.terms_within(SPELL_FIELD, text, maxdist,
                                                               prefix=prefix)
                          if w in self.counts)
            self._within[key] = found
        return iter(found)

    def typo_words(self, text: str, maxdist: int, prefix: int = 1) -> tuple[str, ...]:
        """The lexicon's words a query word may stand for, itself excluded: those within
        `maxdist` edits where swapping two adjacent letters is one edit (Damerau; whoosh's
        automaton counts it as two, « Bamkao » would miss « Bamako »), and, when the index
        does not have the word itself, the word of an elision typed without its apostrophe
        (« lassainissement » -> « assainissement »)."""
        key = (text, maxdist, prefix)
        found = self._typos.get(key)
        if found is not None:
            return found
        words: set[str] = set()
        if maxdist and self.lexicon is not None:
            words.update(self.terms_within(SPELL_FIELD, text, maxdist, prefix=prefix))
            for swapped in transpositions(text, prefix):
                if swapped in self.counts:
                    words.add(swapped)
                if maxdist > 1:
                    words.update(self.terms_within(SPELL_FIELD, swapped, maxdist - 1,
                                                   prefix=prefix))
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

    def close(self) -> None:
        self.lexicon.close()

"""The written forms of a version's free text: each index key's words as the texts write them.

A snippet marks the words of a hit's text whose keys (`word_keys`) are among the query's
terms. Listing every word of the text and sorting each into matching or not is most of a
snippet's cost; with this list (« jumel » -> « jumelage », « Jumelages », ...) a snippet
looks for the few words that can match instead (`search_app.highlight`).

Only plain words are kept (runs of word characters: what a text without special forms is
made of, `analysis.WORD_RUNS`); a text with special forms is still read word by word. The
list must hold every plain word of every live record's free text (`BODY_PARTS`), else a
snippet would miss a mark: a build writes it from every record, an update adds the new
records' words (a deleted record's words may stay: a form that is not there is not
found). A version without it (written by an older atlas) makes its snippets the long way.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import orjson

from .analysis import WORD_RUNS, word_keys

# word -> its keys: what a batch of records hands to the version's list.
Written = dict[str, tuple[str, ...]]


def keys_of(word: str) -> tuple[str, ...]:
    """The keys a snippet compares with a query's terms: each part's folded form and stem."""
    return tuple(dict.fromkeys(k for pair in word_keys(word) for k in pair if k))


def written(words: Iterable[str]) -> Written:
    """The plain words among `words` (a text's words as the build reads them), with keys."""
    return {w: keys_of(w) for w in set(words) if WORD_RUNS.fullmatch(w)}


class WrittenForms:
    """key -> the written words that have it: a version's list, read, built or changed."""

    def __init__(self, by_key: dict[str, list[str]] | None = None) -> None:
        self.by_key: dict[str, list[str]] = by_key if by_key is not None else {}
        self._words: set[str] | None = None

    def add(self, words: Written) -> None:
        """Each word of `words` under each of its keys, unless the list has it already."""
        if self._words is None:
            self._words = {w for ws in self.by_key.values() for w in ws}
        for word, keys in words.items():
            if word in self._words:
                continue
            self._words.add(word)
            for key in keys:
                self.by_key.setdefault(key, []).append(word)

    def words(self, key: str) -> list[str]:
        return self.by_key.get(key, [])

    def save(self, path: Path) -> None:
        path.write_bytes(orjson.dumps({k: sorted(v) for k, v in self.by_key.items()},
                                      option=orjson.OPT_SORT_KEYS))

    @classmethod
    def load(cls, path: Path) -> WrittenForms | None:
        """The version's list, or None when it has none (an older atlas wrote the version)."""
        try:
            return cls(orjson.loads(path.read_bytes()))
        except FileNotFoundError:
            return None

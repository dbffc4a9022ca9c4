"""Multi-word terms found in a query as units: the longest listed phrase wins.

Shared by the data-file loaders (regions, glossary, exonyms, foreign country names). A
phrase is keyed by its words' folded forms (`analysis.word_keys`: no case, accents or
elided articles) with French stop words left out, so « Afrique de l'Ouest », « afrique
ouest » and « AFRIQUE DE L OUEST » share one key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

from .analysis import WORD_PATTERN, word_keys

V = TypeVar("V")
Key = tuple[str, ...]


@lru_cache(maxsize=65_536)  # query words and listed forms recur
def phrase_key(text: str) -> Key:
    """The folded content words of `text`: the key a phrase is listed and matched by. A
    phrase of stop words only (« Sienne », a possessive in French) keeps them all."""
    keys = [k for word in WORD_PATTERN.findall(text) for k in word_keys(word) if k[0]]
    content = tuple(folded for folded, stem in keys if stem is not None)
    return content or tuple(folded for folded, _ in keys)


@lru_cache(maxsize=65_536)
def stop_only(word: str) -> bool:
    """Whether `word` is stop words only."""
    return not any(stem is not None for w in WORD_PATTERN.findall(word)
                   for _, stem in word_keys(w))


@dataclass(frozen=True)
class Match(Generic[V]):
    """A listed phrase met in the words: `words[start:end]` name `value`."""

    start: int
    end: int
    source: str
    value: V


def longest_matches(words: Sequence[str], table: Mapping[Key, V],
                    longest: int) -> list[Match[V]]:
    """Greedy left-to-right: at each word, the longest listed phrase starting there.

    `words` are the query's words as typed; a word may fold to several parts (« Hà-Nội »)
    and a stop word to none. A match covers whole words only.
    """
    parts: list[tuple[str, int]] = []
    for i, word in enumerate(words):
        key = phrase_key(word)
        if key not in table and stop_only(word):
            continue  # a stop word (« de », « la ») between the words of a phrase
        parts += [(p, i) for p in key]
    out: list[Match[V]] = []
    i = 0
    while i < len(parts):
        found = None
        for n in range(min(longest, len(parts) - i), 0, -1):
            key = tuple(p for p, _ in parts[i:i + n])
            value = table.get(key)
            if value is None:
                continue
            first, last = parts[i][1], parts[i + n - 1][1]
            # Whole words only: the span must not start or end inside a word.
            if (i > 0 and parts[i - 1][1] == first) or (
                    i + n < len(parts) and parts[i + n][1] == last):
                continue
            found = Match(first, last + 1, " ".join(words[first:last + 1]), value)
            i += n
            break
        if found is None:
            i += 1
        else:
            out.append(found)
    return out

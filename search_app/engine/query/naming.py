"""Words that name facet values: « Sénégal », « sénégalaises », « terminés », « jumelages »,
« culture » name a country, a status, a form, a theme of the record.

Built per index version from the facet registry (`indexer.fields`: each facet's `naming`) and
the values the version holds. Pure lookups: a run of query words -> the (facet, value index)
pairs it names. Proper names are met word for word (folded), common words by stem and
derivational family.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from indexer.analysis import text_keys
from indexer.facetdata import FacetData
from indexer.fields import FACETS
from indexer.wordlists import family_root

# A run of query words naming a value is at most this long (« Projet de coopération
# décentralisée » is 4 words, « République démocratique du Congo » 4).
MAX_SPAN = 6

Token = tuple[str, str | None]  # (folded word, stem or None for a stop word)
Named = tuple[str, int]  # (facet name, value index in the version's facet values)


def tokens_of(text: str) -> list[Token]:
    """The words of `text` as the French chain sees them, stop words kept."""
    return text_keys(text)


def name_key(tokens: Sequence[Token]) -> tuple[str, ...]:
    return tuple(folded for folded, _ in tokens)


def word_key(tokens: Sequence[Token]) -> tuple[str, ...]:
    return tuple(folded if stem is None else family_root(stem) for folded, stem in tokens)


def _content(tokens: Sequence[Token]) -> bool:
    return any(stem is not None for _, stem in tokens)


class NamingIndex:
    """Which facet values a run of words names, for one version's facet values."""

    def __init__(self, values: dict[str, list[str]],
                 broader: dict[Named, Named] | None = None) -> None:
        self.broader = broader or {}
        self.names: dict[tuple[str, ...], list[Named]] = {}
        self.words: dict[tuple[str, ...], list[Named]] = {}
        for facet in FACETS:
            if facet.naming is None:
                continue
            for index, value in enumerate(values.get(facet.name, [])):
                naming = facet.naming(value)
                for text in naming.names:
                    self._add(self.names, name_key(tokens_of(text)), facet.name, index)
                for text in naming.words:
                    tokens = tokens_of(text)
                    if _content(tokens):
                        self._add(self.words, word_key(tokens), facet.name, index)

    @staticmethod
    def _add(table: dict[tuple[str, ...], list[Named]], key: tuple[str, ...], facet: str,
             index: int) -> None:
        if key and (facet, index) not in table.setdefault(key, []):
            table[key].append((facet, index))

    def named(self, tokens: Sequence[Token]) -> list[Named]:
        """The values these words name together (empty when they name none)."""
        if not tokens or not _content(tokens):
            return []
        found = list(self.names.get(name_key(tokens), ()))
        found += [n for n in self.words.get(word_key(tokens), ()) if n not in found]
        wider = [self.broader[n] for n in found if n in self.broader]
        return found + [n for n in dict.fromkeys(wider) if n not in found]


def spans(items: Sequence[list[Token]], index: NamingIndex
          ) -> Iterable[tuple[int, int, list[Named]]]:
    """Greedy longest runs of whole items naming values: (start, end, named), end exclusive.
    Items not inside such a run come out alone with an empty list."""
    i = 0
    while i < len(items):
        best: tuple[int, list[Named]] | None = None
        tokens: list[Token] = []
        for j in range(i, len(items)):
            tokens = tokens + items[j]
            if len(tokens) > MAX_SPAN:
                break
            named = index.named(tokens)
            if named:
                best = (j + 1, named)
        if best is None:
            yield i, i + 1, []
            i += 1
        else:
            yield i, best[0], best[1]
            i = best[0]


def broader_values(data: FacetData) -> dict[Named, Named]:
    """Each value of a facet declaring a `broader` facet -> the wider value most of its
    records hold (« Energies renouvelables » -> « Environnement, Climat et Energie »)."""
    out: dict[Named, Named] = {}
    for facet in FACETS:
        wide = facet.broader
        if wide is None or facet.name not in data.single or wide not in data.single:
            continue
        narrow_codes, wide_codes = data.single[facet.name], data.single[wide]
        both = (narrow_codes >= 0) & (wide_codes >= 0)
        if not both.any():
            continue
        pairs = np.unique(np.stack([narrow_codes[both], wide_codes[both]]), axis=1,
                          return_counts=True)
        best: dict[int, tuple[int, int]] = {}
        for (narrow, wider), count in zip(pairs[0].T.tolist(), pairs[1].tolist(), strict=True):
            if narrow not in best or count > best[narrow][0]:
                best[narrow] = (count, wider)
        for narrow, (_, wider) in best.items():
            out[(facet.name, narrow)] = (wide, wider)
    return out

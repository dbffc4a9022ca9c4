"""atlas's own query tree: what the build stage makes and the scorer evaluates.

Small immutable nodes. A leaf names what it looks up (a term in a field, a phrase, a word
with typos); the scorer evaluates a node into (matching documents, scores) and reports, for
highlighting, the index keys each leaf actually met. Nothing here reads an index.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


class Node:
    """A query node; `leaves()` walks its leaves in order."""

    def leaves(self) -> Iterator[Node]:
        yield self


@dataclass(frozen=True)
class Term(Node):
    """One index key in one field (a stem in an analysed field, a folded name in `names`)."""

    field: str
    text: str
    # The word as typed when it has diacritics (`indexer.accents`): only documents holding
    # a written form of `text` whose diacritics agree meet it. "" for any.
    typed: str = ""


@dataclass(frozen=True)
class Phrase(Node):
    """Consecutive keys in one field (looked up in the version's word-pair index). `marks`:
    the keys it reports when met (a name phrase keeps its small words, never marked)."""

    field: str
    words: tuple[str, ...]
    marks: tuple[str, ...] = ()
    scored: bool = True  # False: only which documents hold it (a proximity test)
    typed: tuple[str, ...] = ()  # each word as typed when it has diacritics (see Term)


@dataclass(frozen=True)
class Typo(Node):
    """A word with typos: the lexicon's real words within `edits` of it, the first `prefix`
    letters as typed, each searched as the word itself would be."""

    word: str
    edits: int
    prefix: int
    typed: str = ""  # the word as typed when it has diacritics (see Term)


@dataclass(frozen=True)
class Split(Node):
    """A word typed joined (« danang ») that texts may write as two words (« Da Nang »): its
    `phrases`, each looked up only when both its words are in its field (most splits of a
    word, « pot able », are not)."""

    word: str
    stem: str
    phrases: tuple[Node, ...]

    def leaves(self) -> Iterator[Node]:
        for part in self.phrases:
            yield from part.leaves()


@dataclass(frozen=True)
class And(Node):
    parts: tuple[Node, ...]

    def leaves(self) -> Iterator[Node]:
        for part in self.parts:
            yield from part.leaves()


@dataclass(frozen=True)
class Or(Node):
    parts: tuple[Node, ...]

    def leaves(self) -> Iterator[Node]:
        for part in self.parts:
            yield from part.leaves()


@dataclass(frozen=True)
class AndNot(Node):
    """Documents of `positive` that `negative` does not match; only `positive` scores."""

    positive: Node
    negative: Node

    def leaves(self) -> Iterator[Node]:
        yield from self.positive.leaves()


@dataclass(frozen=True)
class Every(Node):
    """Every live document, unscored (a query with only exclusions)."""


def all_of(parts: list[Node]) -> Node:
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def any_of(parts: list[Node]) -> Node:
    return parts[0] if len(parts) == 1 else Or(tuple(parts))

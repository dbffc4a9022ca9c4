"""Stage 6, build: items and clauses into atlas's query tree (`tree`). Pure: no index, no I/O.

A word is its stem in every analysed field or its folded form among names, and, with typos
tolerated, a `Typo` over the lexicon's real words. A hyphenated or glued word and a quoted
phrase are phrases in each field: « Saint-Louis » is never « Louis Saint-… ».
"""

from __future__ import annotations

from indexer.accents import has_marks
from indexer.analysis import WORD_PATTERN, glued_elision_candidate, text_keys, word_forms
from search_app.engine.query.spacing import SHORT, joinable
from search_app.engine.query.syntax import Item, UserQuery
from search_app.engine.query.tree import (
    AndNot,
    Every,
    Node,
    Or,
    Phrase,
    Split,
    Term,
    Typo,
    all_of,
    any_of,
)
from search_app.engine.relevance import NAME_FIELD, TYPO_PREFIX, WORD_FIELDS, typo_edits


def item_tokens(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """((stem, folded name) of each content token, every folded name token incl. stop words)."""
    keys = text_keys(text)
    return [(stem, folded) for folded, stem in keys if stem is not None], [f for f, _ in keys]


def typed_accents(text: str) -> list[str]:
    """Each content token of `text` as typed when it has diacritics, else "" (aligned with
    `item_tokens`' first list): such a word means its accents (`indexer.accents`)."""
    return [part if has_marks(part) else "" for word in WORD_PATTERN.findall(text)
            for _, part in word_forms(word)]


def _typo_edits(word: str) -> int:
    return typo_edits(word) if word.isalpha() else 0


def split_phrases(name: str) -> list[Node]:
    """A word typed joined that texts may write as two short words (« danang » / « Da Nang »,
    « startup » / « start-up »): each split into two words of which one has at most 3
    letters and the other at most `SHORT`, neither a stop word, searched as a phrase."""
    if not (4 <= len(name) <= 2 * SHORT and name.isalpha()):
        return []
    out: list[Node] = []
    for cut in range(2, len(name) - 1):
        first, second = name[:cut], name[cut:]
        if min(len(first), len(second)) > 3 or not joinable(first, second):
            continue
        tokens, _ = item_tokens(f"{first} {second}")
        if len(tokens) == 2:
            out.append(phrase_node(tokens, [first, second]))
    return out


def word_node(stem: str, name: str, fuzzy: bool = False, typed: str = "") -> Node:
    alternatives: list[Node] = [Term(f, stem, typed) for f in WORD_FIELDS]
    alternatives.append(Term(NAME_FIELD, name))
    splits = split_phrases(name)
    if splits:
        alternatives.append(Split(name, stem, tuple(splits)))
    edits = _typo_edits(name) if fuzzy else 0
    if edits or (fuzzy and glued_elision_candidate(name)):
        # Typos (and « lassainissement » for « l'assainissement ») are matched against real
        # (folded, unstemmed) words of the lexicon, not stems.
        alternatives.append(Typo(name, edits, TYPO_PREFIX, typed))
    return Or(tuple(alternatives))


def _phrase(field: str, words: list[str], marks: list[str], typed: list[str] | None = None
            ) -> Node:
    typed = typed if typed and any(typed) else []
    if len(words) > 1:
        return Phrase(field, tuple(words), tuple(marks), typed=tuple(typed))
    return Term(field, words[0], typed[0] if typed else "")


def phrase_node(tokens: list[tuple[str, str]], names: list[str],
                typed: list[str] | None = None) -> Node:
    stems = [s for s, _ in tokens]
    typed = typed if typed is not None and len(typed) == len(stems) else None
    alternatives: list[Node] = [_phrase(f, stems, stems, typed) for f in WORD_FIELDS]
    # Names keep their small words ("Saint-Louis du Sénégal"), so their phrase does too.
    alternatives.append(_phrase(NAME_FIELD, names, [n for _, n in tokens]))
    return Or(tuple(alternatives))


def item_node(item: Item, fuzzy: bool = False) -> Node | None:
    tokens, names = item_tokens(item.text)
    if not tokens:
        return None
    typed = typed_accents(item.text)
    if len(typed) != len(tokens):  # never expected: the same chain gives both
        typed = [""] * len(tokens)
    if len(tokens) == 1 and len(names) == 1:
        return word_node(*tokens[0], fuzzy, typed[0])
    phrase = phrase_node(tokens, names, typed)
    if len(tokens) == 2 == len(names) and not item.phrase and all(n.isalpha() for n in names):
        # « start-up », « Da-Nang »: also the word written joined.
        if joinable(*names):
            joined = item_tokens("".join(names))[0]
            if len(joined) == 1:
                return Or((phrase, word_node(*joined[0])))
    return phrase


def text_node(uq: UserQuery, fuzzy: bool = False) -> Node | None:
    """The tree for `uq` (groups AND-ed, OR inside a group, synonyms' alternatives, minus
    the excluded items), or None when it has no content word (match all)."""
    positives: list[Node | None] = []
    for group in uq.groups:
        alternatives = [q for q in (item_node(item, fuzzy) for item in group) if q is not None]
        positives.append(any_of(alternatives) if alternatives else None)
    for alt in sorted(uq.alternatives, key=lambda a: -a.start):
        inner = [q for q in positives[alt.start:alt.end] if q is not None]
        options = [q for q in (item_node(item) for item in alt.items) if q is not None]
        if inner:
            options.insert(0, all_of(inner))
        positives[alt.start:alt.end] = [any_of(options) if options else None]
    found = [q for q in positives if q is not None]
    negatives = [q for q in (item_node(item) for item in uq.excluded) if q is not None]
    if not found and not negatives:
        return None
    positive = all_of(found) if found else Every()
    if not negatives:
        return positive
    return AndNot(positive, any_of(negatives))


def family_node(stems: list[str]) -> Node:
    """Any of a word's derivational family stems, in every analysed field."""
    return Or(tuple(Term(f, s) for s in stems for f in WORD_FIELDS))

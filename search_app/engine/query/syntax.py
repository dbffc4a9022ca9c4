"""The public query syntax and its translation into a whoosh query. Pure: no index, no I/O.

Syntax: words are AND-ed (an uppercase `AND` between them says so and changes nothing);
`"exact phrase"`; `a OR b` (uppercase OR between two items, chainable); `-word`,
`-"phrase"`, `NOT word` and `NOT "phrase"` exclude. Punctuation between words separates them
as a space does (« eau,santé » is « eau santé »), except inside a number (« 1,5 »), a
hyphenated word or an elision. Anything else (stray quotes, brackets, ...) is plain text:
it is analyzed like any other text and never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh.query import And, AndNot, Every, FuzzyTerm, Or, Phrase, Query, Term

from indexer.analysis import SPACED_WORD, glued_elision_candidate, text_keys
from indexer.schema import NAMES_FIELD, SPELL_FIELD, TEXT_FIELDS, THEMES_FIELD

# Bounds the work a pasted essay can cause; dropping extra AND-ed items only widens results.
MAX_ITEMS = 32

_STEMMED_FIELDS = (*TEXT_FIELDS, THEMES_FIELD)
# Punctuation that separates two words typed without a space; a comma between digits is part
# of a number (« 1,5 »). Full stops (« O.N.U. », « www.x.fr ») and colons (field terms) are
# left to the analyzer.
_SEPARATOR = re.compile(r"[;!?()\[\]{}«»/|]|(?<!\d),(?=\w)|(?<=\w),(?!\d)")


@dataclass(frozen=True)
class Item:
    """One word (possibly hyphenated or glued to punctuation) or one quoted phrase."""

    text: str
    phrase: bool = False


@dataclass(frozen=True)
class Alternative:
    """Items also searched in place of the AND of groups[start:end] (synonyms add these)."""

    start: int
    end: int
    items: tuple[Item, ...]


@dataclass(frozen=True)
class UserQuery:
    """AND of OR-groups of items, minus the excluded items."""

    groups: tuple[tuple[Item, ...], ...] = ()
    excluded: tuple[Item, ...] = ()
    raw: str = field(default="", compare=False)
    alternatives: tuple[Alternative, ...] = ()


def parse_user_query(q: str) -> UserQuery:
    """Splits the public query syntax into items; never raises."""
    q = q if isinstance(q, str) else ""
    atoms = _atoms(q)
    groups: list[list[Item]] = []
    excluded: list[Item] = []
    or_pending = False
    previous_positive = False
    for atom in atoms:
        if atom is _OR:
            # OR only joins two positive items; anywhere else it is the stop word "or".
            or_pending = previous_positive
            previous_positive = False
            continue
        item, negated = atom
        if negated:
            excluded.append(item)
            or_pending = previous_positive = False
            continue
        if or_pending and groups:
            groups[-1].append(item)
        else:
            groups.append([item])
        or_pending = False
        previous_positive = True
    return UserQuery(
        groups=tuple(tuple(g) for g in groups[:MAX_ITEMS]),
        excluded=tuple(excluded[:MAX_ITEMS]),
        raw=q,
    )


_OR = object()


def _atoms(q: str) -> list:
    """[(Item, negated) | _OR] in query order."""
    atoms: list = []
    q = _split_glued(q)
    i, n = 0, len(q)
    not_pending = False
    while i < n:
        if q[i].isspace():
            i += 1
            continue
        negated = q[i] == "-" and i + 1 < n and not q[i + 1].isspace()
        j = i + 1 if negated else i
        negated = negated or not_pending
        not_pending = False
        if q[j] == '"':
            close = q.find('"', j + 1)
            if close != -1:
                atoms.append((Item(q[j + 1:close], phrase=True), negated))
                i = close + 1
                continue
            i = j + 1  # unbalanced quote: plain text, the quote itself means nothing
            continue
        spaced = SPACED_WORD.match(q, j)  # « 5 000 », « Grand Est »: one word
        k = spaced.end() if spaced is not None else j
        while k < n and not q[k].isspace() and q[k] != '"':
            k += 1
        word = q[j:k]
        if word == "OR" and not negated:
            atoms.append(_OR)
        elif word == "NOT" and not negated:
            not_pending = True  # the next item is excluded, as with `-`
        elif word == "AND" and not negated:
            pass  # words are AND-ed anyway
        else:
            atoms.append((Item(word), negated))
        i = k
    return atoms


def _split_glued(q: str) -> str:
    """Punctuation between two words becomes a space, outside quoted phrases (where the
    analyzer separates words anyway)."""
    parts = q.split('"')
    parts[::2] = [_SEPARATOR.sub(" ", part) for part in parts[::2]]
    return '"'.join(parts)


def _tokens(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """((stem, folded name) of each content token, every folded name token incl. stop words)."""
    keys = text_keys(text)
    return [(stem, folded) for folded, stem in keys if stem is not None], [f for f, _ in keys]


def _fuzzy_distance(word: str) -> int:
    """Edits tolerated for a word: none under 5 letters, 1 from 5, 2 from 9."""
    if not word.isalpha() or len(word) < 5:
        return 0
    return 2 if len(word) >= 9 else 1


def _token_query(stem: str, name: str, fuzzy: bool) -> Query:
    alternatives: list[Query] = [Term(f, stem) for f in _STEMMED_FIELDS]
    alternatives.append(Term(NAMES_FIELD, name))
    distance = _fuzzy_distance(name) if fuzzy else 0
    if distance or (fuzzy and glued_elision_candidate(name)):
        # Typos (and « lassainissement » for « l'assainissement ») are matched against real
        # (folded, unstemmed) words of the lexicon, not stems.
        alternatives.append(FuzzyTerm(SPELL_FIELD, name, maxdist=distance, prefixlength=1))
    return Or(alternatives)


def _phrase(fieldname: str, words: list[str]) -> Query:
    return Phrase(fieldname, words) if len(words) > 1 else Term(fieldname, words[0])


def _phrase_query(stems: list[str], names: list[str]) -> Query:
    alternatives: list[Query] = [_phrase(f, stems) for f in _STEMMED_FIELDS]
    # Names keep their small words ("Saint-Louis du Sénégal"), so their phrase does too.
    alternatives.append(_phrase(NAMES_FIELD, names))
    return Or(alternatives)


def _item_query(item: Item, fuzzy: bool) -> Query | None:
    tokens, names = _tokens(item.text)
    if not tokens:
        return None
    if len(tokens) == 1 and len(names) == 1:
        return _token_query(*tokens[0], fuzzy)
    # A hyphenated or glued word is a phrase too, with or without typo tolerance:
    # "Saint-Louis" is never "Louis Saint-…".
    return _phrase_query([s for s, _ in tokens], names)


def _any_of(queries: list[Query]) -> Query | None:
    return (queries[0] if len(queries) == 1 else Or(queries)) if queries else None


def build_text_query(uq: UserQuery, fuzzy: bool = False) -> Query | None:
    """The whoosh query for `uq`, or None when it has no content word (match all)."""
    positives: list[Query | None] = []
    for group in uq.groups:
        alternatives = [q for q in (_item_query(item, fuzzy) for item in group) if q is not None]
        positives.append(_any_of(alternatives))
    for alt in sorted(uq.alternatives, key=lambda a: -a.start):
        inner = [q for q in positives[alt.start:alt.end] if q is not None]
        options = [q for q in (_item_query(item, False) for item in alt.items) if q is not None]
        if inner:
            options.insert(0, inner[0] if len(inner) == 1 else And(inner))
        positives[alt.start:alt.end] = [_any_of(options)]
    found = [q for q in positives if q is not None]
    negatives = [q for q in (_item_query(item, False) for item in uq.excluded) if q is not None]
    if not found and not negatives:
        return None
    if not found:
        positive: Query = Every()
    else:
        positive = found[0] if len(found) == 1 else And(found)
    if not negatives:
        return positive
    return AndNot(positive, negatives[0] if len(negatives) == 1 else Or(negatives))


def query_terms(uq: UserQuery) -> set[str]:
    """Stems and folded name forms of the positive items, for highlighting."""
    terms: set[str] = set()
    for group in (*uq.groups, *(alt.items for alt in uq.alternatives)):
        for item in group:
            for stem, name in _tokens(item.text)[0]:
                terms.add(stem)
                terms.add(name)
    return terms

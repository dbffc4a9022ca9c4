"""Did-you-mean: replace query words the index has never seen by the closest real word.

Candidates come from the version's spelling lexicon (folded, unstemmed words of the
records), so a suggestion is always a word someone wrote, never a stem. Edits allowed follow
the fuzzy rule: 1 from 5 letters, 2 from 9, swapping two adjacent letters counting as one;
shorter words are left alone. An elision typed without its apostrophe (« lassainissement »)
is suggested with it (« l'assainissement ») when the index has the word and not the joined
form. Foreign words (`indexer.foreign_lexicon`: glossary forms, place and country names in
other languages) are no typos, and a typo of one is corrected to it when it is nearer than
any indexed word (« Timbuctoo » -> « Timbuktu », which the query stages read as Tombouctou).
"""

from __future__ import annotations

from difflib import SequenceMatcher

from indexer import foreign_lexicon
from indexer.analysis import (
    FRENCH_STOPWORDS,
    WORD_PATTERN,
    fold_token,
    glued_elision_candidate,
    word_keys,
)
from indexer.lexicon import edits
from indexer.schema import NAMES_FIELD, SPELL_FIELD, TEXT_FIELDS, THEMES_FIELD

_STEMMED_FIELDS = (*TEXT_FIELDS, THEMES_FIELD)
# French articles that open a place name (« Le Caire », « La Paz », « Les Abymes »).
NAME_ARTICLES = frozenset({"le", "la", "les", "l"})


def is_proper_name(previous: str, word: str) -> bool:
    """True for a capitalised word right after an article: the pair is a name (« Le Caire »),
    met as written or not at all, never read as a typo of a common word (« le chaire »)."""
    before = previous.rstrip("'’").lower()
    return before in NAME_ARTICLES and word[:1].isupper()


def _max_edits(word: str) -> int:
    if len(word) < 5:
        return 0
    return 2 if len(word) >= 9 else 1


def _known(word: str, folded: str, reader) -> bool:
    """True when the index has the word itself, or a word of the same stem."""
    if (SPELL_FIELD, folded) in reader or (NAMES_FIELD, folded) in reader:
        return True
    stems = [stem for _, stem in word_keys(word) if stem is not None]
    return any((f, s) in reader for s in stems for f in _STEMMED_FIELDS)


def _closest(folded: str, reader) -> str | None:
    limit = _max_edits(folded)
    glued = glued_elision_candidate(folded)
    if glued is not None and glued[1] in reader.typo_words(folded, 0, prefix=1):
        return f"{glued[0]}'{glued[1]}"
    if not limit:
        return None
    best: tuple[int, int, str] | None = None
    for candidate in reader.typo_words(folded, limit, prefix=1):
        if candidate == folded or not candidate.isalpha():
            continue
        distance = edits(folded, candidate)
        if distance > limit:
            continue
        key = (distance, -reader.doc_frequency(SPELL_FIELD, candidate), candidate)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def _accented_like(original: str, word: str) -> str:
    """`word` with the accents the person typed where their letters and the word's agree
    (« Sénégl » -> « sénégal », not « senegal »): the lexicon holds folded words."""
    lowered = original.lower()
    folded = fold_token(lowered)
    if len(folded) != len(lowered) or not folded.isalpha():
        return word  # letters that fold to several (œ) or none: no position to follow
    out = list(word)
    for a, b, size in SequenceMatcher(None, folded, word, autojunk=False).get_matching_blocks():
        out[b:b + size] = lowered[a:a + size]
    return "".join(out)


def _cased_like(original: str, word: str) -> str:
    if original.isupper() and len(original) > 1:
        return word.upper()
    if original[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def warm() -> None:
    """The foreign words' lists, built at the server's start rather than by the first
    search with an unknown word."""
    foreign_lexicon.warm()


def did_you_mean(q: str, reader) -> str | None:
    """`q` with unknown words replaced by their closest indexed word, or None if none."""
    if not q or SPELL_FIELD not in reader.schema:
        return None
    pieces: list[str] = []
    pos = 0
    changed = False
    previous = ""
    for match in WORD_PATTERN.finditer(q):
        word, before, previous = match.group(), previous, match.group()
        if is_proper_name(before, word):
            continue
        if word in ("OR", "AND", "NOT") or not word.isalpha() or word.lower() in FRENCH_STOPWORDS:
            continue
        folded = fold_token(word)
        if (_max_edits(folded) == 0 and glued_elision_candidate(folded) is None) \
                or _known(word, folded, reader) or foreign_lexicon.known(folded):
            continue
        suggestion = _closest(folded, reader)
        foreign = foreign_lexicon.closest(folded, _max_edits(folded))
        if foreign is not None and (suggestion is None or foreign[0] < edits(
                folded, fold_token(suggestion))):
            replacement = _cased_like(word, foreign[1])
        elif suggestion is not None:
            replacement = _cased_like(word, _accented_like(word, suggestion))
        else:
            continue
        pieces += [q[pos:match.start()], replacement]
        pos = match.end()
        changed = True
    if not changed:
        return None
    pieces.append(q[pos:])
    return "".join(pieces)

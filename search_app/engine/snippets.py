"""Result snippets: an HTML-escaped excerpt where only `<mark>` tags are added.

Words are located with the same analyzers as the index (character offsets into the original
text), so "Villes" is marked for a query on "ville" and accents and case stay as written.
With the version's written forms (`indexer.forms`), a text without special forms is only
searched for the words that can match, not read word by word.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

import orjson

from indexer.accents import SEPARATOR, compatible, form
from indexer.analysis import (
    ELISIONS,
    WORD_PATTERN,
    WORD_RUNS,
    has_special_form,
    unit_keys,
    word_forms,
    word_keys,
)
from indexer.forms import WrittenForms
from indexer.summary import special_form

ELLIPSIS = "…"
# Dropped before an ellipsis: an excerpt never ends in « .… » or « ,… ».
_BEFORE_ELLIPSIS = " .,;:…"

_SPACES = re.compile(r"\s+")


def _escape(text: str) -> str:
    # Whitespace other than the ASCII space is unprintable: a printable text without a
    # double space (most pieces of a page's text) has no run to collapse.
    if "  " in text or not text.isprintable():
        text = _SPACES.sub(" ", text)
    return html.escape(text, quote=True)


_ELIDED = frozenset(ELISIONS)


def _kinds(terms: set[str]) -> tuple[bool, bool]:
    """Whether `terms` hold an elided article, and a unit's key or a number."""
    return (not _ELIDED.isdisjoint(terms),
            not unit_keys().isdisjoint(terms) or any(t.isdigit() for t in terms))


def _word_pattern(text: str, kinds: tuple[bool, bool], special: int | None = None
                  ) -> re.Pattern:
    """WORD_PATTERN, or runs of word characters where they give the same matching words
    at the same offsets: no special form in the text, and no elided article (« l »,
    « qu ») among the terms (runs keep the article of « l'eau » as a word of its own).
    `kinds`: `_kinds` of the terms; `special`: the text's flags as the build found them
    (`indexer.summary`), else the text is scanned."""
    elided, units = kinds
    if elided:
        return WORD_PATTERN
    found = has_special_form(text, units) if special is None else special_form(special, units)
    return WORD_PATTERN if found else WORD_RUNS


class _Terms:
    """A match's terms: keys met in any spelling, and keys met only in spellings agreeing
    with a word typed with diacritics (« stem\x1ftyped », `indexer.accents`)."""

    def __init__(self, terms: set[str]) -> None:
        self.plain = {t for t in terms if SEPARATOR not in t}
        self.typed: dict[str, list[str]] = {}
        for t in terms:
            if SEPARATOR in t:
                stem, typed = t.split(SEPARATOR, 1)
                if stem not in self.plain:
                    self.typed.setdefault(stem, []).append(typed)

    def stems(self) -> set[str]:
        return self.plain | set(self.typed)

    def key(self, word: str) -> str | None:
        """The first key of `word` among the terms (its stem, or its folded form for a stop
        word), a spelling-restricted stem only where the word's diacritics agree."""
        for folded, stem in word_keys(word):
            if stem in self.plain or folded in self.plain:
                return stem or folded
        if self.typed:
            for stem, part in word_forms(word):
                typed = self.typed.get(stem)
                if typed and any(compatible(t, stem, form(part)) for t in typed):
                    return stem
        return None


class _Known:
    """The words already sorted into matching (with their key) and not, for one set of
    terms: a query's hits share most of their words."""

    def __init__(self, terms: set[str]) -> None:
        self.terms = _Terms(terms)
        self.stems = self.terms.stems()
        self.kinds = _kinds(self.stems)
        self.matching: dict[str, str] = {}
        self.other: set[str] = set()
        self.forms: WrittenForms | None = None
        self.written: dict[str, str] = {}  # those of `forms`' words that match, with their key

    def written_matching(self, forms: WrittenForms) -> dict[str, str]:
        """The written words of `forms` whose keys meet the terms, each with the key it met."""
        if self.forms is not forms:
            self.forms, self.written = forms, _matching_words(
                (w for term in self.stems for w in forms.words(term)), self.terms)
        return self.written


_KNOWN: dict[frozenset[str], _Known] = {}
_KNOWN_MAX = 64  # sets of terms remembered (a few queries' worth); then it starts again


def _known(terms: set[str]) -> _Known:
    key = frozenset(terms)
    known = _KNOWN.get(key)
    if known is None:
        if len(_KNOWN) >= _KNOWN_MAX:
            _KNOWN.clear()
        known = _KNOWN[key] = _Known(terms)
    return known


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"  # what \w matches


def _runs_of(text: str, wanted: dict[str, str]) -> list[tuple[int, int, str]]:
    """Where the wanted words are whole runs of word characters, found with `str.find` (a
    few occurrences) instead of walking every word of the text."""
    spans = []
    for word, key in wanted.items():
        start = text.find(word)
        while start != -1:
            end = start + len(word)
            if (start == 0 or not _is_word_char(text[start - 1])) and \
                    (end == len(text) or not _is_word_char(text[end])):
                spans.append((start, end, key))
                start = text.find(word, end)
            else:
                start = text.find(word, start + 1)
    spans.sort()
    return spans


def _matching_words(words: Iterable[str], terms: _Terms) -> dict[str, str]:
    """Those of `words` having a key in `terms`, with that key."""
    return {w: key for w in set(words) if (key := terms.key(w)) is not None}


def _matches(text: str, terms: set[str], forms: WrittenForms | None = None,
             special: int | None = None, words: str | None = None
             ) -> list[tuple[int, int, str]]:
    """Sorted (start, end, key) of the words of `text` whose stem or folded form is in `terms`.

    The analyzers' own word pattern and keys (`word_keys`): the same tokens and character
    offsets as running both chains with chars=True, many times faster. Snippets are made
    per hit, so the words are listed in C, each spelling is analysed once per process and
    sorted into matching or not once per set of terms, and only a text holding a matching
    spelling is searched again to locate it. With `forms`, a text of plain words is only
    searched for the written words that match (the same spans: its words are among them).
    With `words`, the text's snippet index (`indexer.summary.text_words`: its WORD_PATTERN
    words and their starts), a text read with WORD_PATTERN is not cut again.
    """
    known = _known(terms)
    pattern = _word_pattern(text, known.kinds, special)
    if forms is not None and pattern is WORD_RUNS:
        wanted = known.written_matching(forms)
        return _runs_of(text, wanted) if wanted else []
    if words is not None and pattern is WORD_PATTERN:
        starts = orjson.loads(words)
        wanted = _sorted_out(known, starts.keys())
        return sorted((start, start + len(word), key) for word, key in wanted.items()
                      for start in starts[word])
    wanted = _sorted_out(known, pattern.findall(text))
    if not wanted:
        return []
    if pattern is WORD_RUNS:
        return _runs_of(text, wanted)
    return [(m.start(), m.end(), wanted[m.group()]) for m in pattern.finditer(text)
            if m.group() in wanted]


def _sorted_out(known: _Known, found: Iterable[str]) -> dict[str, str]:
    """Those of the words `found` that match `known`'s terms, with their key; each new
    spelling sorted into matching or not once."""
    words = set(found) - known.other
    for word in words.difference(known.matching):
        key = known.terms.key(word)
        if key is None:
            known.other.add(word)
        else:
            known.matching[word] = key
    return {w: known.matching[w] for w in words.intersection(known.matching)}


def _head(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return _escape(text)
    cut = text.rfind(" ", 0, max_chars)
    cut = cut if cut > max_chars // 2 else max_chars
    return _escape(text[:cut].rstrip(_BEFORE_ELLIPSIS)) + ELLIPSIS


def _best_window(text: str, spans: list[tuple[int, int, str]], max_chars: int
                 ) -> tuple[int, int]:
    """The [start, end) window of at most max_chars holding the most distinct matched words."""
    lead = max_chars // 5  # some context before the first mark
    best: tuple[int, int, int] | None = None
    best_first = 0
    for first, (s, _, _) in enumerate(spans):
        end = min(len(text), max(0, s - lead) + max_chars)
        inside = [sp for sp in spans[first:] if sp[1] <= end]
        score = (len({stem for _, _, stem in inside}), len(inside), -first)
        if best is None or score > best:
            best, best_first = score, first
    first_start = spans[best_first][0]
    # Near the end of the text, use the room before the marks rather than leave it empty.
    start = max(0, min(first_start - lead, len(text) - max_chars))
    end = min(len(text), start + max_chars)
    if start > 0:  # begin on a word
        space = text.find(" ", start, first_start)
        if space != -1:
            start = space + 1
    if end < len(text):  # end on a word, keeping every mark that fits
        space = text.rfind(" ", start, end)
        last_end = max((b for a, b, _ in spans if start <= a and b <= end), default=start)
        if space >= last_end:
            end = space
    return start, end


def snippet(text: str, terms: set[str], max_chars: int = 240,
            forms: WrittenForms | None = None) -> str:
    """Escaped excerpt of `text` around its best run of words matching `terms`, marked;
    the start of the text when no word matches."""
    if not text:
        return ""
    marked = marked_snippet(text, terms, max_chars, forms)
    return marked if marked is not None else _head(text, max_chars)


def marked_snippet(text: str, terms: set[str], max_chars: int = 240,
                   forms: WrittenForms | None = None, special: int | None = None,
                   words: str | None = None) -> str | None:
    """Escaped excerpt of `text` around its best run of matching words, or None when no
    word of `text` matches `terms` (so a caller can try the next field). `forms`: the
    version's written forms (`indexer.forms`), which must hold the words of `text`;
    `special`: the text's flags (`indexer.summary.text_flags`) and `words` its snippet
    index (`indexer.summary.text_words`), when the build stored them."""
    spans = _matches(text, terms, forms, special, words) if text and terms else []
    if not spans:
        return None
    start, end = _best_window(text, spans, max_chars)
    out: list[str] = [ELLIPSIS] if start > 0 else []
    pos = start
    for a, b, _ in spans:
        if a < start or b > end:
            continue
        out.append(_escape(text[pos:a]))
        out.append("<mark>" + _escape(text[a:b]) + "</mark>")
        pos = b
    tail = text[pos:end]
    if end < len(text):
        out.append(_escape(tail.rstrip(_BEFORE_ELLIPSIS)) + ELLIPSIS)
    else:
        out.append(_escape(tail))
    return "".join(out).strip()

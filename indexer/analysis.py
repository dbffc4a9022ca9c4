"""French text analysis: the one place index time and query time agree on what a word is.

Chains (whoosh analyzers, `tokenizer | filter | ...`):
- `french_analyzer()`: elision, lowercase, French stop words, accent/ligature folding,
  stemming (light plural/feminine normalisation + Snowball). For free text.
- `name_analyzer()`: elision, lowercase, folding; no stemming, no stop words. For names.
- `spell_analyzer()`: like names but without stop words; feeds the did-you-mean lexicon.

Hyphens and apostrophes split tokens, so "Clermont-Ferrand" is two adjacent tokens
(found by either part, by both, or as a phrase) and "l’eau" is "eau".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from unidecode import unidecode
from whoosh.analysis import Analyzer, Filter, LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.lang.snowball.french import FrenchStemmer

# Elided articles/pronouns/conjunctions before an apostrophe (straight, typographic, modifier).
ELISIONS = ("l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu")
APOSTROPHES = "'’ʼ‘"

# A word is a run of letters/digits; an elision prefix followed by an apostrophe and a letter
# is skipped (the \b keeps "jusqu" from re-matching as "usqu").
WORD_PATTERN = re.compile(
    r"\b(?!(?:" + "|".join(ELISIONS) + r")[" + APOSTROPHES + r"]\w)\w+",
    re.UNICODE | re.IGNORECASE,
)

# Function words only: no content word (pays, ville, eau, ...) may be here. Listed with their
# accents; the unaccented spelling users type is added below. `or` is the lowercase
# spelling of the OR operator and is ignored like any other stop word. "été" is kept: it is
# also the summer.
_STOPS = """
a à â ai aie aient aies ait as au aucun aucune aux avaient avais avait avant avec avez aviez
avions avons ayant ayez ayons c ça car ce ceci cela celle celles celui cependant ces cet cette
ceux chaque chez ci comme comment d dans de des dès donc dont du elle elles en entre es est et
étaient étais était étant êtes étiez étions eu eue eues eûmes eurent eus eusse eussent
eusses eussiez eussions eut eût eûtes eux furent fus fusse fussent fusses fussiez fussions fut
fût fûtes ici il ils j je jusqu jusque l la là le les leur leurs lorsqu lorsque lui m ma mais
me même mêmes mes moi mon n ne ni nos notre nous on ont or ou où par parce pas pendant peu
peut pour pourquoi puis puisqu puisque qu quand que quel quelle quelles quels qui quoi quoiqu
s sa sans se sera serai seraient serais serait seras serez seriez serions serons seront ses si
sien sienne soi soient sois soit sommes son sont sous soyez soyons suis sur t ta te tes toi ton
tous tout toute toutes très tu un une unes uns vers via vos votre vôtre vous y
""".split()


def _plain(word: str) -> str:
    return unidecode(word).lower()


FRENCH_STOPWORDS: frozenset[str] = frozenset(_STOPS) | frozenset(_plain(w) for w in _STOPS)

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=200_000)
def fold_token(text: str) -> str:
    """ASCII letters and digits only: accents dropped, œ→oe, æ→ae, other scripts transliterated."""
    if text.isascii():
        return _NON_ALNUM.sub("", text.lower())
    return _NON_ALNUM.sub("", unidecode(text).lower())


def fold(text: str) -> str:
    """Lowercase, accent- and ligature-free text with collapsed spaces (facet value matching)."""
    return " ".join(unidecode(text).lower().split())


# ---------------------------------------------------------------------------------------------
# Stemming.
#
# Snowball on folded text is accent-blind (so "économie" and "economie" meet) but it mistakes
# some inflections for verb endings once "é" became "e": "décentralisé" -> "decentralis" while
# "décentralisée" -> "decentralise". So a light inflectional step first brings a word to its
# masculine singular (plural -s, folded -ée, -aise/-oise, -trice), Snowball then strips
# derivational and verbal suffixes, and a few stem endings Snowball leaves in two shapes are
# unified (-eux/-eu, -if/-iv, -iqu/-ic, -ier/-i, -ger/-g). The same code runs on index and
# query tokens, so only agreement matters, and it never adds a prefix/fuzzy-style expansion.

_SNOWBALL = FrenchStemmer()

# Plurals no rule recovers: the folded plural maps to the folded singular.
_IRREGULAR = {
    "travaux": "travail",
    "baux": "bail",
    "coraux": "corail",
    "vitraux": "vitrail",
    "emaux": "email",
    "yeux": "oeil",
}
# Snowball reads the "-it" of these as a verb ending in the masculine only.
_FIXED_STEMS = {"petit": "petit"}


def _singular(word: str) -> str:
    # Snowball keeps an -s after a vowel ("prévus", "emplois"); plurals must meet singulars.
    if len(word) >= 4 and word[-1] == "s" and word[-2] != "s":
        return word[:-1]
    return word


def _masculine(word: str) -> str:
    if word.endswith("ee"):  # folded -ée: the feminine of -é
        word = word[:-1]
    if len(word) >= 7:
        if word.endswith(("aise", "oise")):  # française -> françai(s), like the masculine
            return word[:-2]
        if word.endswith("trice"):  # directrice -> directeur
            return word[:-5] + "teur"
    return word


@lru_cache(maxsize=200_000)
def french_stem(word: str) -> str:
    """The stem of a folded, lowercase token (digits pass through)."""
    if len(word) < 3 or not word.isalpha():
        return word
    word = _IRREGULAR.get(word, word)
    word = _masculine(_singular(word))
    if word in _FIXED_STEMS:
        return _FIXED_STEMS[word]
    # Action nouns meet their verb: construction/construire.
    if len(word) >= 9 and word.endswith("uction"):
        word = word[:-5] + "ire"
    stem = _SNOWBALL.stem(word)
    if len(word) >= 8 and word.endswith("ation") and (stem == word or stem.endswith("at")):
        # Snowball keeps -ation on short roots (formation, création): use the -er verb's stem.
        stem = _SNOWBALL.stem(word[:-5] + "er")
    if stem.endswith("eux"):  # nombreux/nombreuse, jeux/jeu
        return stem[:-1]
    if stem.endswith("ifi"):  # planifier/planifié/planification
        stem = stem[:-1]
    if stem.endswith("if"):  # actif/active, sportif/sportive
        return stem[:-1] + "v"
    if stem.endswith("iqu"):  # public/publique
        return stem[:-2] + "c"
    if len(stem) >= 6 and stem.endswith(("ier", "ger")):  # financière, étrangère
        return stem[:-2]
    return stem


class FoldFilter(Filter):
    """Folds each token to ASCII letters/digits; tokens left empty are dropped."""

    def __call__(self, tokens):
        for t in tokens:
            text = fold_token(t.text)
            if text:
                t.text = text
                yield t


class FrenchStemFilter(Filter):
    """Replaces each folded token by its French stem."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = french_stem(t.text)
            yield t


def word_tokenizer() -> RegexTokenizer:
    return RegexTokenizer(WORD_PATTERN)


def french_analyzer() -> Analyzer:
    """Stemmed chain for free text (same at index and query time)."""
    return (
        word_tokenizer()
        | LowercaseFilter()
        | StopFilter(stoplist=FRENCH_STOPWORDS, minsize=1)
        | FoldFilter()
        | FrenchStemFilter()
    )


def name_analyzer() -> Analyzer:
    """Folded, unstemmed chain for names of places, authorities and countries."""
    return word_tokenizer() | LowercaseFilter() | FoldFilter()


def spell_analyzer() -> Analyzer:
    """Folded, unstemmed words without stop words: the did-you-mean lexicon."""
    return (
        word_tokenizer()
        | LowercaseFilter()
        | StopFilter(stoplist=FRENCH_STOPWORDS, minsize=1)
        | FoldFilter()
    )


@lru_cache(maxsize=500_000)
def word_keys(word: str) -> tuple[str, str | None]:
    """(folded form, stem) of one word as the text spells it, the stem None for a stop word.

    What `name_analyzer` and `french_analyzer` make of it, computed once per spelling: the
    build, the phrase pairs and the snippets meet the same words over and over.
    """
    lowered = word.lower()  # first, as the chains do: unidecode folds some capitals apart
    folded = fold_token(lowered)
    if not folded:
        return "", None
    return folded, None if lowered in FRENCH_STOPWORDS else french_stem(folded)


def spell_words_of(words: Iterable[str]) -> list[str]:
    """The distinct tokens `spell_analyzer` gives for words found by WORD_PATTERN."""
    return sorted({folded for folded, stem in map(word_keys, set(words)) if stem is not None})


def spell_words(text: str) -> list[str]:
    """The distinct tokens `spell_analyzer` gives for `text`, without whoosh's token objects
    (a third of the indexing time otherwise goes to this field)."""
    return spell_words_of(WORD_PATTERN.findall(text))


def analyze(text: str, analyzer: Analyzer) -> list[str]:
    """Token texts of `text` through `analyzer`."""
    return [t.text for t in analyzer(text)]

"""French text analysis: the one place index time and query time agree on what a word is.

One definition, two shapes. `WORD_PATTERN` finds the words of a text as written; `word_keys`
turns one written word into its index keys, (folded form, stem or None for a stop word),
by one ordered list of steps (`STEPS`):

1. Unicode: invisible format characters (soft hyphen, zero-width space/joiners, BOM)
   dropped, every dash (category Pd, U+2011 among them) a hyphen and every look-alike of
   the apostrophe (U+00B4, U+02BC, U+2032, the backtick...) an apostrophe, NFKC (so
   decomposed « e + U+0301 » is « é », ligatures and wide forms plain).
2. Parts: a listed multi-word unit is one part (`data/expressions.txt`: « cours d'eau »,
   « Grande-Bretagne »: never met by « cours » or « Bretagne »); a Roman numeral after a
   counter word is its number (« phase II » = « phase 2 »); letters separated by dots are
   one word (« P.N.U.D. » = « PNUD »); an elided article is dropped before a vowel or mute
   h (« l'eau »); « N'Dali », « M'Bour » keep their letter (« ndali »); a number written
   with thousands separators is one number (« 5 000 » = « 5000 »); a listed prefix joins
   its word (« co-gestion » = « cogestion », « péri-urbain », « sous-préfecture »); letters
   and digits part (« G20 » = « G 20 » = « G-20 »).
3. Each part: lowercase, French stop words (the cardinal « Est » is not the verb « est »),
   folded to ASCII (`fold_token`), stemmed (`french_stem`).

The whoosh analyzers are `WORD_PATTERN` plus a filter projecting `word_keys` (stems for
free text, folded forms for names and the spelling lexicon), and the build, the phrase
pairs, the lexicon and the snippets call `word_keys` itself: they cannot disagree.

Hyphens split words, so "Clermont-Ferrand" is two adjacent tokens (found by either part,
by both, or as a phrase).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from unidecode import unidecode
from whoosh.analysis import Analyzer, Filter, RegexTokenizer
from whoosh.lang.snowball.french import FrenchStemmer

# Elided articles/pronouns/conjunctions before an apostrophe (straight, typographic, modifier).
ELISIONS = ("l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu")
# The apostrophe and what is typed for it: typographic quotes, accents and primes, modifier
# letters (Unicode's confusables of U+0027).
APOSTROPHES = ("'\u2019\u02bc\u2018\u201b\u00b4\u0060\u02b9\u02bb\u02bd\u02be\u02c8\u02ca"
               "\u02cb\u2032\u2035\uff07\u055a\u05f3\u1fbd\u1fbf\u1ffe\u1fef\u1ffd\ua78c")
# The apostrophes that are not word characters (\w): the others are inside a word's run.
_APOS_PUNCT = "".join(c for c in APOSTROPHES if not re.match(r"\w", c))
# Every dash and hyphen (Unicode category Pd, the non-breaking hyphen U+2011 among them) and
# the minus sign: a hyphen.
HYPHENS = ("-\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2e17\u2e1a"
           "\u2e3a\u2e3b\u2e40\u2e5d\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d"
           "\U00010ead\u2212")
_HY = "[" + re.escape(HYPHENS) + "]"
# Invisible format characters that may sit inside a word: dropped, never a word break.
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
# Thousands separators of a number: space, no-break space, thin and narrow no-break spaces.
THOUSANDS = " \u00a0\u2009\u202f"
# Prefixes written with or without a hyphen (« co-gestion », « cogestion »).
PREFIXES = ("co", "agro", "eco", "micro", "inter", "intra", "multi", "pluri", "post", "pre",
            "re", "socio", "bio", "peri", "mini", "sous", "wi")
_VOWEL_OR_H = "aeiouyhàâäéèêëîïôöùûüÿœæ"
_WORD_CHAR = r"[\w\u0300-\u036f" + INVISIBLE + "]"
_PREFIX = "|".join(p.replace("e", "[eé]") if p in ("eco", "pre", "re", "peri") else p
                   for p in PREFIXES)
_APOS = "[" + re.escape(APOSTROPHES) + "]"
_APOS_P = "[" + re.escape(_APOS_PUNCT) + "]"

# A number with thousands separators, as one word.
NUMBER = r"\d{1,3}(?:[" + THOUSANDS + r"]\d{3})+(?!\w)"
# « Est » after « l' », in « Nord-Est », « Sud-Est », « Grand Est »: the cardinal point.
CARDINAL = (_APOS.join(("l", r"est\b")) + r"|(?:nord|sud)" + _HY + r"est\b|grand[ \u00a0]+est\b")
# Letters separated by dots are one word: « P.N.U.D. » = « PNUD ».
ACRONYM = r"[^\W\d_]\.(?:[^\W\d_]\.)*[^\W\d_](?!\w)\.?"
# A Roman numeral I-XXX after a counter word is its number: « phase II » = « phase 2 ».
COUNTERS = ("phase", "tranche", "programme", "siecle", "siècle", "volet", "etape", "étape",
            "edition", "édition", "chapitre", "tome", "titre", "acte", "saison", "partie",
            "session", "niveau", "cycle", "mandat")
ROMAN = r"(?:X{1,3}(?:IX|IV|V?I{0,3})|IX|IV|V?I{1,3}|V)"
_COUNTER = "(?:" + "|".join(c + ("s" if c != "niveau" else "x") + "?" for c in COUNTERS) + ")"
COUNTED = r"\b" + _COUNTER + r"[ \u00a0]" + ROMAN + r"\b"


def _expressions() -> list[list[str]]:
    """The words of each multi-word unit of `data/expressions.txt`."""
    path = Path(__file__).parent / "data" / "expressions.txt"
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [re.split("[ " + re.escape(HYPHENS + APOSTROPHES) + "]+", line) for line in lines
            if line and not line.startswith("#")]


EXPRESSIONS = _expressions()
# Accented letters a unit's word may be written with (or without); case is ignored.
_LETTERS = {"a": "aàâä", "e": "eéèêë", "i": "iîï", "o": "oôö", "u": "uùûü", "c": "cç"}
_SEP_CHAR = "[ \u00a0" + re.escape(HYPHENS + APOSTROPHES) + "]"
_SEP = "(?:[ \u00a0]*[" + re.escape(HYPHENS + APOSTROPHES) + "][ \u00a0]*|[ \u00a0]+)"


def _unit_word(word: str, plural: bool = True) -> str:
    base = unidecode(word).lower()
    letters = "".join(f"[{_LETTERS[c]}]" if c in _LETTERS else re.escape(c) for c in base)
    return letters + ("[sx]?" if plural and len(base) >= 3 and base[-1] not in "sx" else "")


# A multi-word unit (« cours d'eau », « Grande-Bretagne »), one word, its parts never apart.
EXPRESSION = ("(?:" + "|".join(_SEP.join(_unit_word(w) for w in words) for words in
                               sorted(EXPRESSIONS, key=lambda e: -len("".join(e))))
              + r")(?!\w)")


def _unit_starts() -> list[str]:
    """Each unit seen from the separator after its first word: that word behind (one
    lookbehind per spelling, fixed width), the rest of the unit ahead."""
    out = []
    for first, *rest in EXPRESSIONS:
        ahead = "(?=(?i:[ \u00a0]*" + _SEP.join(_unit_word(w) for w in rest) + r")(?!\w))"
        behind = "|".join(f"(?<=\\b(?i:{_unit_word(first, False)}{s}){_SEP_CHAR})"
                          for s in ("", "[sx]") if s == "" or len(first) >= 3)
        out.append(f"(?:{behind}){ahead}")
    return out




def _trie(words: Iterable[str]) -> str:
    """One regex for folded `words`, factored by their first letters (an alternation of
    whole words is tried word by word: at every word start of a text, that is slow)."""
    tree: dict = {}
    for word in words:
        node = tree
        for letter in word:
            node = node.setdefault(letter, {})
        node[""] = {}
    def walk(node: dict) -> str:
        branches = [(f"[{_LETTERS[c]}]" if c in _LETTERS else re.escape(c)) + walk(child)
                    for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and "" not in node else \
            "(?:" + "|".join(branches) + ")"
        return body + "?" if "" in node and branches else body
    return walk(tree)


# The first words of units and the counter words, for the cheap test at a word's start.
_STARTS = _trie({unidecode(e[0]).lower() for e in EXPRESSIONS}
                | {unidecode(c) for c in COUNTERS})
_UNIT_FIRST = "(?:" + "|".join(sorted({_unit_word(e[0]) for e in EXPRESSIONS})) + ")"
_PATTERNS = (
    EXPRESSION,
    NUMBER,
    CARDINAL,
    COUNTED,
    ACRONYM,
    # « N'Dali », « M'Bour »: n' and m' elide only before a vowel or mute h.
    "[nm]" + _APOS + "(?![" + _VOWEL_OR_H + r"])(?=[^\W\d_])" + _WORD_CHAR + "+",
    "(?:(?:" + _PREFIX + ")" + _HY + r")+(?=\w)" + _WORD_CHAR + "+",
    # Any other word; an elision prefix followed by an apostrophe and a letter is skipped
    # (the \\b before the alternatives keeps "jusqu" from re-matching as "usqu").
    "(?!(?:" + "|".join(ELISIONS) + ")" + _APOS_P + r"\w)" + _WORD_CHAR + "+",
)
# The special forms are tried only where one can start (a digit group and a thousands
# separator, a short run of letters and a hyphen or apostrophe, « grand »), and only they
# and the elided articles ignore case: a case-blind plain word costs twice as much.
_SPECIAL_START = (r"(?=\d{1,3}[" + THOUSANDS + r"]\d|\w{1,5}[" + re.escape(HYPHENS + APOSTROPHES)
                  + r"]|(?i:grand)[ \u00a0]|[^\W\d_]\.[^\W\d_]|(?i:" + _STARTS + ")[sx]?"
                  + _SEP + ")")
_PLAIN = "(?!(?i:" + "|".join(ELISIONS) + ")" + _APOS_P + r"\w)" + _WORD_CHAR + "+"
WORD_PATTERN = re.compile(r"\b(?:" + _SPECIAL_START + "(?i:" + "|".join(_PATTERNS[:-1]) + ")|"
                          + _PLAIN + ")", re.UNICODE)
# WORD_PATTERN without units and counted numbers: the same words in a text holding neither
# (`content_words` checks), and a third cheaper (its start test runs at every word).
_NO_UNIT_PATTERN = re.compile(
    r"\b(?:" + _SPECIAL_START.replace("|(?i:" + _STARTS + ")[sx]?" + _SEP, "") + "(?i:"
    + "|".join(p for p in _PATTERNS[:-1] if p not in (EXPRESSION, COUNTED)) + ")|" + _PLAIN
    + ")", re.UNICODE)
_ACCENTED = ("eco", "pre", "re")  # also written « éco », « pré », « ré »
_PREFIX_SPELLINGS = sorted({s for p in PREFIXES
                            for s in (p, p.replace("e", "é", 1) if p in _ACCENTED else p)}
                           | {"péri"})
# Where WORD_PATTERN's special forms can be: N'/M' names, prefixed compounds, numbers with
# separators, the cardinal « Est », combining or invisible characters. Each alternative
# starts at the apostrophe, hyphen or space it needs and looks back from there, so the scan
# stops only at those characters.
_SPECIAL = re.compile(
    _APOS + "(?:(?<=[nNmM]" + _APOS + r")|(?=(?i:est)\b))"
    + "|" + _HY + "(?:" + "|".join(rf"(?<=\b(?i:{p}){_HY})" for p in _PREFIX_SPELLINGS)
    + r"|(?=(?i:est)\b)(?:(?<=(?i:nord)" + _HY + r")|(?<=(?i:sud)" + _HY + ")))"
    + "|[" + THOUSANDS + "](?:(?<=\\d[" + THOUSANDS + r"])(?=\d)"
    + r"|(?<=(?i:grand)[ \u00a0])[ \u00a0]*(?i:est)\b"
    + ")"
    + r"|\.(?<=\b[^\W\d_]\.)(?=[^\W\d_](?!\w))"
    + r"|[\u0300-\u036f" + INVISIBLE + "]")
# In a text without special forms, WORD_PATTERN's words are these runs of word characters,
# but for elided articles (« l » of « l'eau »), which the runs keep as words of their own:
# they are stop words, so the chains that drop stop words index the same terms.
WORD_RUNS = re.compile(r"\w+")




# The first words' trie tried at each word start before the units themselves (the same
# case-blind reading as WORD_PATTERN's, so both agree on every text).
_UNIT_SEARCH = re.compile(r"\b(?=(?i:" + _trie({unidecode(e[0]).lower() for e in EXPRESSIONS})
                          + "))(?i:" + EXPRESSION + ")")


def _has_unit(text: str) -> bool:
    return _UNIT_SEARCH.search(text) is not None


# A Roman numeral after a counter word, seen from the space between them.
_COUNTED_SCAN = re.compile(
    r"[ \u00a0](?=(?i:" + ROMAN + r")\b)(?:"
    + "|".join(rf"(?<=\b(?i:{c}){e}[ \u00a0])" for c in COUNTERS
               for e in ("", "s" if c != "niveau" else "x")) + ")")


def _has_unit_or_count(text: str) -> bool:
    return _COUNTED_SCAN.search(text) is not None or _has_unit(text)


def has_unit_or_count(text: str) -> bool:
    """Whether `text` may hold a multi-word unit or a counted number (« phase II »)."""
    return _has_unit_or_count(text)


def has_special_form(text: str, units: bool = True) -> bool:
    """Whether `text` may hold one of WORD_PATTERN's special forms (`units`: multi-word
    units and counted numbers included; a snippet whose terms hold no unit key and no
    number leaves them out, they would not change its marks but for a unit's own words)."""
    return _SPECIAL.search(text) is not None or (units and _has_unit_or_count(text))


def content_words(text: str) -> list[str]:
    """The words of `text` for the chains that drop stop words (stems, spelling): what
    WORD_PATTERN finds, plus elided articles; cut by plain word runs, three times cheaper,
    when the text holds no special form, and without the units' start test when it holds
    no unit nor counted number."""
    return content_words_special(text)[0]


# What `content_words_special` tells of a text's special forms.
NO_SPECIAL, NO_UNITS, UNITS = 0, 1, 2


def content_words_special(text: str) -> tuple[list[str], int]:
    """`content_words(text)`, and what its cut tells of the text's special forms:
    NO_SPECIAL (`has_special_form(text)` is false), NO_UNITS (some, but no multi-word
    unit nor counted number), UNITS (a unit or a counted number, maybe others)."""
    if _has_unit_or_count(text):
        return WORD_PATTERN.findall(text), UNITS
    if _SPECIAL.search(text):
        return _NO_UNIT_PATTERN.findall(text), NO_UNITS
    return WORD_RUNS.findall(text), NO_SPECIAL


# The words that may hold a space: a query splits on spaces except inside these.
SPACED_WORD = re.compile(r"\b(?:" + EXPRESSION + "|" + NUMBER + r"|grand[ \u00a0]+est\b|"
                         + COUNTED + ")", re.IGNORECASE)

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

# Over-stemming: words Snowball merges with unrelated ones, kept apart by the start of the
# word (its masculine singular); the first matching prefix gives the stem. Found with
# `python -m indexer.stem_report` over a generated corpus, then reviewed by hand.
_KEEP_APART = (
    ("communic", "communic"),  # communication, communiquer: not commune
    ("communis", "communis"),  # communiste, communisme: not commune
    ("format", "format"),  # formation, formateur, formatrice: not forme
    ("habitation", "habitat"),  # habitation: not habitant
    ("environnement", "environn"),  # environnement(al): not the adverb environ
    ("suivant", "suivant"),  # suivant(e)s: not suivi
    ("protection", "proteg"),  # protection meets protégé(e), as direction meets dirigé(e)
    ("direction", "dirig"),
)
# Whole words, before the feminine is dropped: formée is trained, forme is a shape.
_KEEP_APART_WORDS = {"former": "format", "formee": "format", "formees": "format",
                     "santa": "santa"}
# Stems that belong to one word only: the other words Snowball gives them get their own
# (port ≠ porte/porter/porté, bas ≠ base/basé, mal ≠ male, « enjeux communs » ≠ commune).
_OWNED_STEMS = {"port": "port", "bas": "bas", "mal": "mal", "commun": "commun"}
# Participles of -uire verbs meet the verb and its -uction noun: construite/construction.
_UIRE = re.compile(r"(?:constr|prod|cond|red|introd|instr|ded|ind|trad|sed|detr)uite?$")
# More participle/noun pairs: inscrite/inscription, acquise/acquisition, ouverte/ouverture.
_NOUN_TO_VERB = (
    (re.compile(r"scription$"), "scrire"),
    (re.compile(r"scrite?$"), "scrire"),
    (re.compile(r"^(acqui|expo|compo|dispo|propo|oppo|impo)sition$"), r"\1se"),
    (re.compile(r"([co]u)verture$"), r"\1vert"),
)


@lru_cache(maxsize=1)
def _protected() -> frozenset[str]:
    """Country names of one word, never stemmed: Mali is not mal, Colombie not colombe,
    Géorgie not Georges. France stays stemmed: « France » finds « français » as it did."""
    from .places import country_names  # lazily: places imports the record module

    return frozenset(n for n in country_names() if n.isalpha() and len(n) >= 4) - {"france"}


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
        if word.endswith(("trice", "adrice")):  # directrice -> directeur, ambassadrice
            return word[:-4] + "eur"
        if word.endswith("euse"):  # chercheuse -> chercheur (and nombreuse -> nombreur,
            return word[:-4] + "eur"  # which meets nombreux through the -eu stem below)
    return word


@lru_cache(maxsize=200_000)
def french_stem(word: str) -> str:
    """The stem of a folded, lowercase token (digits pass through)."""
    if len(word) < 3 or not word.isalpha():
        return word
    if word in _protected():
        return word
    if word in _KEEP_APART_WORDS:
        return _KEEP_APART_WORDS[word]
    word = _IRREGULAR.get(word, word)
    word = _masculine(_singular(word))
    if word in _FIXED_STEMS:
        return _FIXED_STEMS[word]
    if word in _protected() or word.endswith("ez"):  # a name (Agadez, Rodez), not a verb
        return word
    if word in _KEEP_APART_WORDS:
        return _KEEP_APART_WORDS[word]
    for prefix, stem in _KEEP_APART:
        if word.startswith(prefix):
            return stem
    # Action nouns and participles meet their verb: construction/construite/construire.
    if len(word) >= 9 and word.endswith("uction"):
        word = word[:-5] + "ire"
    elif _UIRE.search(word):
        word = word[:-1] + "re" if word.endswith("uit") else word[:-2] + "re"
    else:
        for pattern, verb in _NOUN_TO_VERB:
            if len(word) >= 8 and pattern.search(word):
                word = pattern.sub(verb, word)
                break
    stem = _SNOWBALL.stem(word)
    if len(word) >= 8 and word.endswith("ation") and (stem == word or stem.endswith("at")):
        # Snowball keeps -ation on short roots (formation, création): use the -er verb's stem.
        stem = _SNOWBALL.stem(word[:-5] + "er")
    if _OWNED_STEMS.get(stem, word) != word:
        return stem + "e"
    if stem.endswith(("eux", "eur")):  # nombreux/nombreuse, jeux/jeu, chercheur/chercheuse
        return stem[:-1]
    if len(stem) >= 6 and stem.endswith("gu"):  # irriguée/irrigation
        stem = stem[:-1]
    if stem.endswith("ifi"):  # planifier/planifié/planification
        stem = stem[:-1]
    if stem.endswith("if"):  # actif/active, sportif/sportive
        return stem[:-1] + "v"
    if stem.endswith("iqu"):  # public/publique
        return stem[:-2] + "c"
    if len(stem) >= 6 and stem.endswith(("ier", "ger")):  # financière, étrangère
        return stem[:-2]
    return stem


# ---------------------------------------------------------------------------------------------
# The steps from a written word to its keys (see the module docstring).

_DROP_INVISIBLE = str.maketrans("", "", INVISIBLE)
_COMBINING = re.compile("[\u0300-\u036f]")
_ELIDED = re.compile("(?:" + "|".join(ELISIONS) + ")" + _APOS + "(?=[" + _VOWEL_OR_H + "])",
                     re.IGNORECASE)
_APOSTROPHES = str.maketrans("", "", APOSTROPHES + ".")  # and the dots of « P.N.U.D. »
# Look-alikes to the apostrophe and the hyphen they stand for.
_LOOKALIKES = str.maketrans({**dict.fromkeys(APOSTROPHES, "'"), **dict.fromkeys(HYPHENS, "-")})
_SEPARATORS = re.compile("[-" + THOUSANDS + "]+")


def _unit_spellings() -> dict[str, str]:
    """Folded spelling of each unit, its words singular or plural -> the unit's key."""
    out: dict[str, str] = {}
    for words in EXPRESSIONS:
        folded = [fold_token(w) for w in words]
        spellings = [""]
        for w in folded:
            endings = ("", "s", "x") if len(w) >= 3 and w[-1] not in "sx" else ("",)
            spellings = [s + w + e for s in spellings for e in endings]
        out.update(dict.fromkeys(spellings, "".join(folded)))
    return out


_UNITS = _unit_spellings()
_NM_NAME = re.compile("[nm]'(?![" + _VOWEL_OR_H + r"])(?=[^\W\d_])", re.IGNORECASE)
_COUNTED = re.compile("(" + _COUNTER + ")[ \u00a0](" + ROMAN + ")$", re.IGNORECASE)
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}


def roman_value(numeral: str) -> int:
    """The value of a Roman numeral of I, V and X (as ROMAN matches them)."""
    values = [_ROMAN_VALUES[c] for c in numeral.lower()]
    return sum(-v if v < w else v for v, w in zip(values, values[1:] + [0], strict=True))
# Runs of letters and runs of digits: the parts of a written word.
_RUNS = re.compile(r"[^\W\d_]+|\d+")

# (text, the cardinal « est » is a content word here)
Part = tuple[str, bool]


def normalise_unicode(word: str) -> str:
    """Step 1: invisible format characters dropped, NFKC, stray combining marks dropped."""
    if word.isascii():
        return word
    word = unicodedata.normalize("NFKC", word.translate(_DROP_INVISIBLE).translate(_LOOKALIKES))
    return _COMBINING.sub("", word) if _COMBINING.search(word) else word


def split_parts(word: str) -> list[Part]:
    """Step 2: the parts of one word as WORD_PATTERN found it."""
    cardinal = word == "Est"
    if not word.isalnum():
        unit = _UNITS.get(fold_token(word))
        if unit is not None:  # « cours d'eau », « Grande-Bretagne »: one part
            return [(unit, False)]
        counted = _COUNTED.match(word)
        if counted is not None:  # « phase II »: the counter and the number
            return [(counted.group(1), False), (str(roman_value(counted.group(2))), False)]
        elided = _ELIDED.match(word)
        if elided is not None:  # only « l'est » keeps its article in WORD_PATTERN
            word, cardinal = word[elided.end():], True
        if "'" in word and _NM_NAME.match(word) is None:
            # An apostrophe look-alike that is a word character (U+02BC) left a word
            # WORD_PATTERN would have cut at an apostrophe: « aujourdʼhui ».
            return [p for piece in word.split("'") if piece for p in split_parts(piece)]
        word = word.translate(_APOSTROPHES)  # « N'Dali » -> « NDali »
        if _SEPARATORS.search(word):
            pieces = _SEPARATORS.split(word)
            if pieces[-1].lower() == "est":  # « Nord-Est », « Grand Est »
                return [(p, True) for r in pieces for p in _RUNS.findall(r)]
            word = "".join(pieces)  # « 5 000 », « co-gestion »
    if word.isalpha():
        return [(word, cardinal)]
    return [(run, cardinal) for run in _RUNS.findall(word)]


def part_key(part: Part) -> tuple[str, str | None]:
    """Step 3: (folded form, stem or None for a stop word) of one part."""
    text, cardinal = part
    lowered = text.lower()  # first: unidecode folds some capitals apart from their lowercase
    folded = fold_token(lowered)
    if not folded:
        return "", None
    if lowered in FRENCH_STOPWORDS and not (cardinal and folded == "est"):
        return folded, None
    return folded, french_stem(folded)


STEPS: tuple[Callable, ...] = (normalise_unicode, split_parts, part_key)


@lru_cache(maxsize=500_000)
def word_keys(word: str) -> tuple[tuple[str, str | None], ...]:
    """The keys of one word as WORD_PATTERN finds it: (folded form, stem) of each of its
    parts, the stem None for a stop word; parts that fold to nothing are dropped.

    The whole chain (`STEPS`), computed once per spelling: the build, the phrase pairs and
    the snippets meet the same words over and over, and the whoosh analyzers call it too.
    """
    keys = (part_key(part) for part in split_parts(normalise_unicode(word)))
    return tuple(key for key in keys if key[0])


@lru_cache(maxsize=500_000)
def word_forms(word: str) -> tuple[tuple[str, str], ...]:
    """(stem, the part as written) of each content part of one word: what the `accents`
    field keeps of it (`indexer.accents`), from the same chain as `word_keys`."""
    out = []
    for part in split_parts(normalise_unicode(word)):
        folded, stem = part_key(part)
        if folded and stem is not None:
            out.append((stem, part[0]))
    return tuple(out)


def text_keys(text: str) -> list[tuple[str, str | None]]:
    """The keys of every word of `text`, in order."""
    return [key for word in WORD_PATTERN.findall(text) for key in word_keys(word)]


# What each analyzer indexes of a key: the stem of content words (free text), every folded
# form (names), the folded form of content words (the spelling lexicon).
STEMS, NAMES, SPELLING = "stems", "names", "spelling"


_TOKENS: dict[str, dict[str, tuple[str, ...]]] = {STEMS: {}, NAMES: {}, SPELLING: {}}
_TOKENS_MAX = 500_000  # spellings kept per kind; then the memo starts again


def word_tokens(word: str, kind: str) -> tuple[str, ...]:
    """The token texts of one word as the `kind` analyzer indexes them (from `word_keys`),
    memoised per kind in a plain dict (`words_keys` reads it directly: a build asks for
    every word of every record)."""
    memo = _TOKENS[kind]
    tokens = memo.get(word)
    if tokens is None:
        if len(memo) >= _TOKENS_MAX:
            memo.clear()
        keys = word_keys(word)
        if kind == STEMS:
            tokens = tuple(stem for _, stem in keys if stem is not None)
        elif kind == NAMES:
            tokens = tuple(folded for folded, _ in keys)
        else:
            tokens = tuple(folded for folded, stem in keys if stem is not None)
        memo[word] = tokens
    return tokens


class KeysFilter(Filter):
    """Replaces each word by its keys (`word_keys`) as `kind` sees them; positions are
    renumbered as whoosh's StopFilter does, so phrases skip stop words."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KeysFilter) and other.kind == self.kind

    def __call__(self, tokens):
        kind = self.kind
        pos = None
        for t in tokens:
            for text in word_tokens(t.text, kind):
                if t.positions:
                    pos = t.pos if pos is None else pos + 1
                    t.pos = pos
                t.text = text
                yield t


def word_tokenizer() -> RegexTokenizer:
    return RegexTokenizer(WORD_PATTERN)


def french_analyzer() -> Analyzer:
    """Stemmed chain for free text (same at index and query time)."""
    return word_tokenizer() | KeysFilter(STEMS)


def name_analyzer() -> Analyzer:
    """Folded, unstemmed chain for names of places, authorities and countries."""
    return word_tokenizer() | KeysFilter(NAMES)


def spell_analyzer() -> Analyzer:
    """Folded, unstemmed words without stop words: the did-you-mean lexicon."""
    return word_tokenizer() | KeysFilter(SPELLING)


def words_keys(words: Iterable[str], kind: str) -> list[str]:
    """What the `kind` analyzer indexes for words found by WORD_PATTERN, in order
    (`word_tokens`' memo read first: a call per known word costs more than the lookup)."""
    get = _TOKENS[kind].get
    out: list[str] = []
    for word in words:
        tokens = get(word)
        out += tokens if tokens is not None else word_tokens(word, kind)
    return out


def spell_words_of(words: Iterable[str]) -> list[str]:
    """The distinct tokens `spell_analyzer` gives for words found by WORD_PATTERN."""
    return sorted(set(words_keys(set(words), SPELLING)))


def spell_words(text: str) -> list[str]:
    """The distinct tokens `spell_analyzer` gives for `text`, without whoosh's token objects
    (a third of the indexing time otherwise goes to this field)."""
    return spell_words_of(WORD_PATTERN.findall(text))


# Elided words typed without their apostrophe (« lassainissement »), longest first.
_GLUED = tuple(sorted(ELISIONS, key=len, reverse=True))


def glued_elision_candidate(folded: str) -> tuple[str, str] | None:
    """(elided article, word) when a folded word may be an elision typed without its
    apostrophe: « lassainissement » -> ("l", "assainissement"). Only a shape: the caller
    accepts it when the index has the word and not the joined form. The word must be a
    content word of 3+ letters starting with a vowel or h, so « dune » never becomes
    « d'une »."""
    for article in _GLUED:
        rest = folded[len(article):]
        if (folded.startswith(article) and len(rest) >= 3 and rest[0] in "aeiouyh"
                and rest.isalpha() and rest not in FRENCH_STOPWORDS):
            return article, rest
    return None


def analyze(text: str, analyzer: Analyzer) -> list[str]:
    """Token texts of `text` through `analyzer`."""
    return [t.text for t in analyzer(text)]


@lru_cache(maxsize=1)
def unit_keys() -> frozenset[str]:
    """Every key a multi-word unit is indexed under (folded form and stem)."""
    return frozenset(k for unit in set(_UNITS.values()) for pair in word_keys(unit)
                     for k in pair if k)

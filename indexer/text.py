"""Free-text cleaning: whitespace, sentences, and dropping the page's repeated paragraphs."""

from __future__ import annotations

import re

SPACES_RE = re.compile(r"[\s\u00a0\u2007\u202f]+")
# Zero-width space, joiners and BOM inside a word are not word breaks (the analysis drops them).
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
BULLET_RE = re.compile(r"^([-•*–]\s+)")
SENTENCE_END_RE = re.compile(r"[.!?…]+[»”\"')\]]*\s+")
# Words after which a full stop does not end a sentence.
ABBREVIATIONS = {
    "m", "mm", "mme", "mmes", "mlle", "dr", "pr", "st", "ste", "cf", "ex", "env", "av", "apr",
    "j.-c", "n°", "no", "p", "vol", "art", "al", "fig", "tél", "tel", "réf", "ref",
}


# French accents and ligatures folded by a translation table: cheaper than unidecode where
# it runs on every line or every hit.
_FOLD = str.maketrans({**{c: "a" for c in "àâä"}, **{c: "e" for c in "éèêë"},
                       **{c: "i" for c in "îï"}, **{c: "o" for c in "ôö"},
                       **{c: "u" for c in "ùûü"}, "ç": "c", "ÿ": "y", "œ": "oe", "æ": "ae",
                       "’": "'", "‘": "'", "\u00a0": " ", "\u202f": " "})
def quick_fold(text: str) -> str:
    """Lowercase with French accents, ligatures and typographic apostrophes folded."""
    return text.lower().translate(_FOLD)


def normalise_line(line: str) -> str:
    """Collapse whitespace (non-breaking spaces included) and drop control characters."""
    if not line.isprintable():  # control characters are never printable; most lines are
        line = CONTROL_RE.sub("", line)
    # str.split() and the regex \s agree on what whitespace is (Py_UNICODE_ISSPACE).
    return " ".join(line.split())


def split_sentences(line: str) -> list[str]:
    """Split one line into sentences, keeping each sentence's own punctuation."""
    out: list[str] = []
    start = 0
    for m in SENTENCE_END_RE.finditer(line):
        nxt = line[m.end():m.end() + 1]
        if not nxt or not (nxt.isupper() or nxt.isdigit() or nxt in "«\"“(-"):
            continue
        words = line[start:m.start()].rsplit(None, 1)  # the last word is all we need
        last = words[-1].lower().rstrip(".") if words else ""
        if last in ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            continue
        out.append(line[start:m.end()].strip())
        start = m.end()
    tail = line[start:].strip()
    if tail:
        out.append(tail)
    return out


def dedupe_paragraphs(lines: list[str]) -> str:
    """Join paragraphs with newlines, dropping any line or sentence already seen in the field.

    The pages repeat whole paragraphs, sometimes two joined into one line, so the
    unit of repetition is the sentence (or bullet); a line is kept with only its
    sentences that are new.
    """
    seen: set[str] = set()
    out: list[str] = []
    for raw in lines:
        line = normalise_line(raw)
        if not line:
            continue
        m = BULLET_RE.match(line)
        bullet = "- " if m else ""
        body = line[m.end():] if m else line
        kept = []
        for sentence in split_sentences(body):
            key = sentence.casefold()
            if key in seen:
                continue
            seen.add(key)
            kept.append(sentence)
        if kept:
            out.append(bullet + " ".join(kept))
    return "\n".join(out)

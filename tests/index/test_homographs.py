"""french_homographs.tsv stays complete: every foreign form a French word spells is listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer import exonyms, foreign_places, glossary
from indexer.analysis import fold_token
from indexer.termmatch import phrase_key
from indexer.wordlists import french_homographs

# Debian's wfrench word list, the file's source; the check runs where it is installed.
WORDS = Path("/usr/share/dict/french")


def _foreign_single_words() -> set[str]:
    forms = [" ".join(key) for key in foreign_places.foreign_names()]
    forms += [f.text for e in glossary.entries() for fs in e.forms.values() for f in fs]
    forms += [o for p in exonyms.places() for o in p.others]
    return {k[0] for k in map(phrase_key, forms) if len(k) == 1 and len(k[0]) > 1}


def test_listed_words_are_foreign_forms() -> None:
    listed = french_homographs()
    assert {"reunion", "trier", "seul", "ira"} <= {w for w, h in listed.items() if h.common}
    assert set(listed) <= _foreign_single_words()


@pytest.mark.skipif(not WORDS.exists(), reason="wfrench (the list's source) is not installed")
def test_every_homograph_in_the_french_word_list_is_listed() -> None:
    french = {fold_token(w) for w in WORDS.read_text(encoding="utf-8").split()
              if w[:1].islower()}
    missing = sorted((_foreign_single_words() & french) - set(french_homographs()))
    assert missing == []

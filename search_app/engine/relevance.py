"""Every ranking constant of the engine, in one place.

Change relevance here: the scorer, the plan, the match, typo tolerance, similar projects and
paging all read these names. Figures that justify them live in `bench/`, not here.
"""

from __future__ import annotations

from indexer.schema import NAMES_FIELD, STEMMED_FIELDS, TEXT_FIELDS, THEMES_FIELD

# ---- BM25F over the flat postings (whoosh's defaults)
K1 = 1.2
B = 0.75
# A field's weight in a term's score: a title word says what the record is about. Applied at
# query time on top of the stored weights (frequency x `indexer.schema`'s index-time boost).
FIELD_BOOSTS: dict[str, float] = {"title": 3.0, "themes": 1.5}

# The fields a query word is searched in: its stem in the analysed fields, its folded form
# among names (names keep their small words: « Saint-Louis du Sénégal »).
WORD_FIELDS = STEMMED_FIELDS
NAME_FIELD = NAMES_FIELD
SEARCHED_FIELDS = (*TEXT_FIELDS, THEMES_FIELD, NAMES_FIELD)

# ---- the plan and its relaxation
# Fewer records than a page meeting every word: relax.
RELAX_BELOW = 20
# A named facet value counts like a title word: it is what the record is about.
NAMED_BOOST = FIELD_BOOSTS["title"]
# An optional (question or generic) word adds this share of its score.
OPTIONAL_WEIGHT = 0.3

# ---- typos: edits tolerated by word length (none below the first)
TYPO_ONE_EDIT_FROM = 5
TYPO_TWO_EDITS_FROM = 9
TYPO_PREFIX = 1  # the first letter is taken as typed


def typo_edits(word: str) -> int:
    """Edits tolerated for a word: none under 5 letters, 1 from 5, 2 from 9."""
    if len(word) < TYPO_ONE_EDIT_FROM:
        return 0
    return 2 if len(word) >= TYPO_TWO_EDITS_FROM else 1


# ---- similar projects: what makes two projects alike, by facet (what they do and who
# does it first)
SIMILAR_WEIGHTS = {"theme": 4.0, "french_partner": 3.0, "sub_theme": 2.0, "country": 1.0,
                   "partnership_form": 0.5}

# ---- paging
PAGE_SIZE = 20

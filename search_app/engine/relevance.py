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
# Per facet, a share of NAMED_BOOST: what a record is about first (its main theme), then its
# sub-theme; secondary themes are met in the `themes` field's text (FIELD_BOOSTS).
NAMED_FACET_WEIGHTS: dict[str, float] = {"theme": 1.0, "sub_theme": 0.65}
# A value only implied by a named one (« énergies renouvelables » implies its theme).
WIDER_WEIGHT = 0.3
# A record holding a named value scores by the value; its text adds this share only (ties
# among the value's holders): « Afrique » in « Afrique du Sud » makes no record more African.
VALUED_TEXT_WEIGHT = 0.1
# Two query words side by side in a record's field (the phrase-pair index) add this share of
# their score there: « pompes solaires » together rank above the words in separate sentences.
PROXIMITY_WEIGHT = 0.5
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

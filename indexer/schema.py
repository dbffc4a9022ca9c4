"""The whoosh schema and the mapping of a record onto its fields.

whoosh holds only what is read: `id` (stored, not indexed: a change reads the ids of the
documents it added, and finds those it replaces by number, from the facet arrays), free
text (`title`, `body`, `themes`) stemmed and `names` folded, each with term frequencies but
no positions: phrases are answered from the version's word-pair index (`phrases.py`),
facets from the numpy facet arrays (`facetdata.py`), records from the record store. The
spelling words (`record_words`) go to the version's lexicon. Contact e-mails and person
names are never indexed.
"""

from __future__ import annotations

from typing import Any

from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import STORED, TEXT, Schema

from . import accents
from .analysis import (
    NAMES,
    NO_SPECIAL,
    STEMS,
    WORD_PATTERN,
    content_words,
    content_words_special,
    spell_words_of,
    words_keys,
)
from .record import Record

# The record's free-text sections, indexed together as `body`: a word query then walks 4
# fields instead of 8 (measured 1.3-3x faster per query at 12,000 records).
BODY_PARTS = ("context", "history", "objectives_local", "objectives_france", "description")
BODY_FIELD = "body"
# Fields searched by words and phrases with the French analyzer (plus THEMES_FIELD).
TEXT_FIELDS = ("title", BODY_FIELD)
THEMES_FIELD = "themes"
NAMES_FIELD = "names"
SPELL_FIELD = "spell"
# Each stemmed word's written form beside its stem (`accents.term`): what a query word typed
# with diacritics is checked against. Not scored, no phrase pairs.
ACCENTS_FIELD = "accents"
# The fields analysed by the French chain into stems: searched by stem, phrase pairs kept.
STEMMED_FIELDS = (*TEXT_FIELDS, THEMES_FIELD)
# Index-time weights: a posting's stored weight is its frequency times its field's boost (a
# fact of the version's files). The query-time boosts are `search_app.engine.relevance`'s.
TITLE_BOOST = 3.0
THEMES_BOOST = 1.5


def build_schema() -> Schema:
    # Text arrives analysed (`record_terms`: the French chain, once per spelling, shared
    # with the phrase pairs and the lexicon), as terms separated by spaces.
    terms = SpaceSeparatedTokenizer()
    return Schema(
        id=STORED(),
        title=TEXT(analyzer=terms, phrase=False, field_boost=TITLE_BOOST),
        body=TEXT(analyzer=terms, phrase=False),
        themes=TEXT(analyzer=terms, phrase=False, field_boost=THEMES_BOOST),
        names=TEXT(analyzer=terms, phrase=False),
        accents=TEXT(analyzer=terms, phrase=False),
    )


def _lines(values: Any) -> str:
    # One value per line; blanks and None dropped, order kept, duplicates removed.
    return "\n".join(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def theme_text(record: Record) -> str:
    themes = [record.theme, record.sub_theme, record.sub_sub_theme]
    for other in record.other_themes:
        themes += [other.theme, other.sub_theme, other.sub_sub_theme]
    return _lines(themes)


def names_text(record: Record) -> str:
    """Partner authorities, French partners, countries (as written and French names), funders."""
    names: list[str | None] = []
    for partner in record.foreign_partners:
        names += [partner.name, partner.country]
    names += [c.name for c in record.countries]
    names += record.french_partners
    names += [contact.authority for contact in record.foreign_contacts]  # never the e-mail
    names += [f.funder for f in record.funding]
    return _lines(names)


def record_texts(record: Record) -> dict[str, str]:
    """The non-empty text fields of a record: title, body, themes, names."""
    texts = {
        "title": record.title or "",
        BODY_FIELD: "\n".join(t for t in (getattr(record, name) for name in BODY_PARTS) if t),
        THEMES_FIELD: theme_text(record),
        NAMES_FIELD: names_text(record),
    }
    return {name: text for name, text in texts.items() if text}


def record_tokens(record: Record) -> dict[str, list[str]]:
    """The words of each text field as written, for the terms, the lexicon and the phrase
    pairs, so a build reads each text once: WORD_PATTERN's for names (which keep stop
    words), `content_words` for the stemmed fields (the same terms)."""
    return record_tokens_special(record)[0]


def record_tokens_special(record: Record) -> tuple[dict[str, list[str]], int]:
    """`record_tokens(record)`, and what the cut of its free text (`body`) tells of its
    special forms (`analysis.content_words_special`), for the prepared hit."""
    tokens, special = {}, NO_SPECIAL
    for name, text in record_texts(record).items():
        if name == NAMES_FIELD:
            tokens[name] = WORD_PATTERN.findall(text)
        elif name == BODY_FIELD:
            tokens[name], special = content_words_special(text)
        else:
            tokens[name] = content_words(text)
    return tokens, special


def record_words(record: Record, tokens: dict[str, list[str]] | None = None) -> list[str]:
    """The distinct folded words of a record: its share of the spelling lexicon."""
    tokens = record_tokens(record) if tokens is None else tokens
    return spell_words_of(w for words in tokens.values() for w in words)


def field_terms(field: str, words: list[str]) -> list[str]:
    """The terms a text field holds for words found by WORD_PATTERN, in order: what
    `french_analyzer` gives for free text (stems, stop words dropped) and `name_analyzer`
    for names (folded forms)."""
    return words_keys(words, NAMES if field == NAMES_FIELD else STEMS)


def record_terms(record: Record, tokens: dict[str, list[str]] | None = None
                 ) -> dict[str, list[str]]:
    """Each text field's terms (`tokens`: the record's words, when the caller has them)."""
    tokens = record_tokens(record) if tokens is None else tokens
    terms = {field: field_terms(field, words) for field, words in tokens.items()}
    forms = accents.terms(set().union(*(tokens.get(field) or () for field in STEMMED_FIELDS)))
    if forms:
        terms[ACCENTS_FIELD] = forms
    return terms


def record_to_doc(record: Record, terms: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The whoosh fields of one record (keyword arguments for `writer.add_document`)."""
    terms = record_terms(record) if terms is None else terms
    return {"id": record.id, **{field: " ".join(t) for field, t in terms.items() if t}}

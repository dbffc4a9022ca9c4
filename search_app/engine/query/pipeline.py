"""The query stages in their order, from what a person typed to a plan the matcher evaluates.

1. `syntax`: words, quoted phrases, OR, exclusions (never raises).
2. `fieldterms`: ``pays:senegal``, ``annee:2015..2020`` become filters, and `periods`:
   « depuis 2018 », « entre 2015 et 2020 », « récents » the start-year filter (both done when
   the request's parameters are validated, `engine.request`, so every caller sees the same
   filters; the periods are the answer's `applied`).
3. `translate`: English, Spanish, German, Portuguese and Italian words in French (water ->
   eau, Beijing -> Pékin, Germany -> Allemagne), the French reading of French words kept.
4. `synonyms`: other spellings as alternatives (« UE » / « Union européenne »); `spacing`:
   two short words typed apart also searched as one (« Da Nang » / « Danang »).
5. `naming`: runs of words naming a facet value (a country, a region, an authority, a theme,
   a status...): one unit, met by the value or the words side by side.
6. `plan`: clauses, required or optional, each met by text or by a named value, and the
   adjacent word pairs that earn a proximity bonus.
7. `build`: each clause's text as atlas's query tree (`tree`), with typo alternatives.
Then `engine.match` evaluates the plan (scorer, relaxation), `engine.ranking` orders,
`engine.hits` renders.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.synonyms import Synonyms
from search_app.engine.query.naming import NamingIndex
from search_app.engine.query.plan import Plan, plan_query
from search_app.engine.query.spacing import join_spaced
from search_app.engine.query.synonyms import expand
from search_app.engine.query.syntax import parse_user_query
from search_app.engine.query.translate import Translated, translate


@dataclass(frozen=True)
class Understood:
    plan: Plan
    expanded: list[str]  # spellings the synonyms added, for the answer's ``expanded``
    translated: list[Translated] = field(default_factory=list)  # the answer's ``translated``


def understand(text: str, synonyms: Synonyms | None, naming: NamingIndex | None) -> Understood:
    """The plan for a query's free text (its field terms already taken out)."""
    parsed, translated = translate(parse_user_query(text))
    parsed, expanded = expand(parsed, synonyms)
    return Understood(plan_query(join_spaced(parsed), naming), expanded, translated)


def warm() -> None:
    """Build the process's translation tables (the glossary's, the foreign country names'),
    which a first query would otherwise build: at the server's start, not for a request."""
    understand("water schools in Germany", None, None)

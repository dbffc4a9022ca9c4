"""The query stages in their order, from what a person typed to a plan the matcher evaluates.

1. `syntax`: words, quoted phrases, OR, exclusions (never raises).
2. `fieldterms`: ``pays:senegal``, ``annee:2015..2020`` become filters (done when the request's
   parameters are validated, `engine.request`, so every caller sees the same filters).
3. `synonyms`: other spellings as alternatives (« UE » / « Union européenne »); `spacing`:
   two short words typed apart also searched as one (« Da Nang » / « Danang »).
4. `naming`: runs of words naming a facet value (a country, a theme, a status...).
5. `plan`: clauses, required or optional, each met by text or by a named value.
6. `build`: each clause's text as atlas's query tree (`tree`), with typo alternatives.
Then `engine.match` evaluates the plan (scorer, relaxation), `engine.ranking` orders,
`engine.hits` renders.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.synonyms import Synonyms
from search_app.engine.query.naming import NamingIndex
from search_app.engine.query.plan import Plan, plan_query
from search_app.engine.query.spacing import join_spaced
from search_app.engine.query.synonyms import expand
from search_app.engine.query.syntax import parse_user_query


@dataclass(frozen=True)
class Understood:
    plan: Plan
    expanded: list[str]  # spellings the synonyms added, for the answer's ``expanded``


def understand(text: str, synonyms: Synonyms | None, naming: NamingIndex | None) -> Understood:
    """The plan for a query's free text (its field terms already taken out)."""
    parsed, expanded = expand(parse_user_query(text), synonyms)
    return Understood(plan_query(join_spaced(parsed), naming), expanded)

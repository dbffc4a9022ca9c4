"""The fixed benchmark query mix: realistic French queries, each with and without filters.

The same combos go through the HTTP API, the in-process engine and the SQLite FTS5 baseline.
Some queries drop their accents, some use plurals, a phrase, an OR or a -word, as people type
them. Every combo (query, filters) is distinct, so a first pass over the mix never meets the
service's answer cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field

QUERIES: tuple[str, ...] = (
    "eau potable",
    "coopération décentralisée",
    "jeunesse",
    "santé maternelle",
    "développement économique",
    "patrimoine culturel",
    "agriculture",
    "assainissement",
    "formation professionnelle",
    "gestion des déchets",
    "énergie solaire",
    "tourisme",
    "francophonie",
    "éducation",
    "urgence",
    # accents dropped, as often typed
    "cooperation decentralisee",
    "sante maternelle",
    "developpement economique",
    "energie solaire",
    "education",
    "securite alimentaire",
    # plurals and feminine forms
    "patrimoines culturels",
    "déchets ménagers",
    "écoles",
    "jeunes femmes",
    "forages",
    # phrases, OR, exclusions
    '"eau potable"',
    '"accès aux soins"',
    '"changement climatique"',
    "eau OR assainissement",
    "tourisme OR patrimoine",
    "agriculture -élevage",
    "santé -paludisme",
    # more topics, places and kinds of partnership
    "jumelage",
    "changement climatique",
    "sécurité alimentaire",
    "gouvernance locale",
    "maraîchage",
    "égalité femmes hommes",
    "coopération universitaire",
    "économie sociale et solidaire",
    "l'accès à l'eau",
    "Sénégal",
    "Dakar",
    "Ouagadougou",
    "volontaires",
    "reboisement",
    "pêche",
    "bibliothèque",
    "culture",
)

Filters = dict[str, list[str]]

# Country, theme and status filters as the UI sends them (ISO codes and values as written).
FILTER_SETS: tuple[Filters, ...] = (
    {"country": ["SN"]},
    {"country": ["MA"]},
    {"theme": ["Eau et assainissement"]},
    {"status": ["En cours"]},
    {"country": ["BF"]},
    {"country": ["SN"], "status": ["En cours"]},
    {"theme": ["Santé"], "country": ["BF"]},
    {"country": ["DE"]},
    {"status": ["Terminé"]},
    {"country": ["SN", "ML"]},
    {"theme": ["Culture et Patrimoine"]},
    {"country": ["MA"], "theme": ["Economie durable"]},
)

# Words for warming a server up: common in the corpus but never in the mix above.
WARMUP_QUERIES: tuple[str, ...] = (
    "partenariat", "habitants", "mission", "commune", "association", "programme",
    "échanges", "population", "collectivité", "actions",
)


@dataclass(frozen=True)
class Combo:
    """One benchmark request: free text plus filters (facet -> values)."""

    q: str
    filters: Filters = field(default_factory=dict)

    def params(self) -> list[tuple[str, str]]:
        """Query-string items for GET /api/search (repeatable keys repeated)."""
        items = [("q", self.q)]
        for name in sorted(self.filters):
            items += [(name, value) for value in self.filters[name]]
        return items

    def key(self) -> tuple:
        return (self.q, tuple(sorted((k, tuple(v)) for k, v in self.filters.items())))

    def label(self) -> str:
        if not self.filters:
            return self.q
        shown = " ".join(f"{k}={','.join(v)}" for k, v in sorted(self.filters.items()))
        return f"{self.q} [{shown}]"


def query_mix() -> list[Combo]:
    """Each query alone and under two different filter sets: 3 x len(QUERIES) distinct combos."""
    n = len(FILTER_SETS)
    combos: list[Combo] = []
    for i, q in enumerate(QUERIES):
        combos.append(Combo(q))
        combos.append(Combo(q, FILTER_SETS[i % n]))
        # (5i + 3) - i = 4i + 3 is odd, never a multiple of 12: a different filter set.
        combos.append(Combo(q, FILTER_SETS[(5 * i + 3) % n]))
    if len({c.key() for c in combos}) != len(combos):
        raise ValueError("the query mix must not repeat a combo")
    return combos

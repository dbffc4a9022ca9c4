"""Rules behind the Atlas's figures, each stated once: how a funder is matched to a French
authority, when a record's status contradicts its end date, and end dates as day numbers.

Pure: no index, no I/O; the build (`fields.facet_values`) and the engine both read them.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from unidecode import unidecode

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# A funder row often names the town's council rather than the town: « Ville d'Angers »,
# « Commune de Kingersheim », « Mairie de Lille ». These words are dropped before comparing;
# the other authority kinds (« Région Bretagne », « Département du Gers ») are written alike
# in both lists and compare as they are.
_TOWN_PREFIX = re.compile(r"^(?:la |le )?(?:ville|commune|mairie|municipalite)\s+(?:de la |"
                          r"de l'|d'|de |du |des )")

# Status values that an end date can contradict (as the Atlas writes them).
ONGOING = "En cours"
FINISHED = "Terminé"
CHECK_ENDED = "En cours, date de fin passée"
CHECK_FUTURE = "Terminé, date de fin à venir"


@lru_cache(maxsize=100_000)
def slugify(name: str) -> str:
    """An authority's slug, its name folded: ``Métropole Européenne de Lille`` ->
    ``metropole-europeenne-de-lille`` (lowercase ASCII, each other run ``-``)."""
    return _NON_ALNUM.sub("-", unidecode(name).lower()).strip("-")


@lru_cache(maxsize=100_000)
def authority_key(name: str) -> str:
    """The key two spellings of one authority share: its slug (`slugify`) without a
    town-council prefix, so « Ville d'Angers », « Angers » and « ANGERS » are ``angers``."""
    folded = " ".join(unidecode(name).lower().replace("’", "'").split())
    return slugify(_TOWN_PREFIX.sub("", folded))


def end_day(end_date: str | None) -> int:
    """An ISO end date as its day number (proleptic ordinal), 0 when unknown or invalid."""
    if not end_date:
        return 0
    try:
        return date.fromisoformat(end_date).toordinal()
    except ValueError:
        return 0


def status_check(status: str | None, end_date: str | None, today: date | None = None
                 ) -> str | None:
    """Why a record's status contradicts its end date, or None: « En cours » with an end
    date before today, « Terminé » with one after today."""
    day = end_day(end_date)
    if not day or not status:
        return None
    now = (today or date.today()).toordinal()
    if status == ONGOING and day < now:
        return CHECK_ENDED
    if status == FINISHED and day > now:
        return CHECK_FUTURE
    return None

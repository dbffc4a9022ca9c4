"""Hints for a search that asked something the server cannot use, instead of a silent answer.

An unknown parameter (`?countries=SN`, `?pays=SN`) used to be ignored, and an unknown value
(`country=XX`) to give 0 with no word. The search still runs (a link with a stray parameter
keeps working), and the answer says what was not understood: `warnings` in `/api/search`, a
notice on the search page. Each hint names the parameter the person probably meant.
"""

from __future__ import annotations

from difflib import get_close_matches
from typing import Any

from indexer.fields import FACETS, YEAR
from search_app.engine.request import SearchParams

# Parameters of the search besides SearchParams' own (none yet: the page and the API take
# the same).
KNOWN = tuple(SearchParams.model_fields)
# The French words of the query syntax (`pays:senegal`) and plain French names, as
# parameters: what a person writes by hand.
ALIASES: dict[str, str] = {
    **{f.alias: f.param for f in FACETS if f.alias and f.alias != f.param},
    **({YEAR.alias: YEAR.params[0]} if YEAR.alias else {}),
    "thematique": "theme", "statut": "status", "forme": "form", "recherche": "q",
    "annee_min": "year_min", "annee_max": "year_max", "tri": "sort", "taille": "size",
}


def _meant(name: str) -> str | None:
    lowered = name.strip().lower()
    if lowered in KNOWN:
        return lowered
    if lowered in ALIASES:
        return ALIASES[lowered]
    close = get_close_matches(lowered, KNOWN, n=1, cutoff=0.75)
    return close[0] if close else None


def unknown_parameters(names: list[str]) -> list[dict[str, Any]]:
    """The query's parameter names the search does not know, each with the one meant."""
    out = []
    for name in dict.fromkeys(names):
        if name not in KNOWN:
            out.append({"param": name, "meant": _meant(name)})
    return out


def warnings(names: list[str], unknown_values: list[tuple[str, str]]) -> list[str]:
    """English sentences for the API's `warnings` (the API speaks English)."""
    out = []
    for item in unknown_parameters(names):
        hint = f"; did you mean '{item['meant']}'?" if item["meant"] else ""
        out.append(f"unknown parameter '{item['param']}' ignored{hint} "
                   f"Known parameters: {', '.join(KNOWN)}")
    for param, value in unknown_values:
        out.append(f"{param}: no record has the value '{value}' (see /api/facets/{param} "
                   "for the values this index holds)")
    return out


def notices(names: list[str], unknown_values: list[tuple[str, str]]) -> list[str]:
    """French sentences for the search page."""
    labels = {f.param: f.label.lower() for f in FACETS}
    out = []
    for item in unknown_parameters(names):
        text = f"Paramètre inconnu «\u00a0{item['param'][:40]}\u00a0» ignoré"
        if item["meant"]:
            text += f"\u00a0: utilisez «\u00a0{item['meant']}\u00a0»"
        out.append(text + ".")
    for param, value in unknown_values:
        out.append(f"Aucun projet n’a la valeur «\u00a0{value[:60]}\u00a0» pour le filtre "
                   f"{labels.get(param, param)}\u00a0: vérifiez son orthographe ou retirez-le.")
    return out

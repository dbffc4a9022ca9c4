"""Display labels in the interface language: facet titles, facet values (the taxonomy's
English labels, CLDR's country names), filter chips and the query-syntax line.

Filter values in URLs stay the French ones: only what is shown changes.
"""

from __future__ import annotations

from typing import Any

from indexer.fields import LABELS, YEAR
from indexer.places import country_code
from search_app.engine.query.fieldterms import syntax_help
from search_app.web.i18n import (
    DEFAULT,
    N_,
    TAXONOMY_KINDS,
    country_label,
    gettext,
    taxonomy_label,
)
from search_app.web.urls import active_chips

# The facet registry's French labels (indexer/fields.py), named here for the catalog.
FACET_TITLES = (
    N_("Pays"), N_("Thématique"), N_("Sous-thématique"), N_("Statut"), N_("Forme"),
    N_("Collectivité française"), N_("Année de début"), N_("Région"),
)


def facet_title(facet: str, lang: str) -> str:
    """``theme`` -> ``Thématique`` / ``Theme``."""
    return gettext(lang)(LABELS.get(facet, facet))


def value_label(facet: str, value: str, lang: str, french: str | None = None) -> str:
    """How a facet value is shown; `french` is the index's French label when it has one
    (a country's name for its code)."""
    shown = french if french is not None else value
    if lang == DEFAULT or not value:
        return shown
    if facet == "country":  # a code, or a name typed in the URL (country=Mexique)
        return country_label(country_code(value) or value, shown, lang)
    if facet in TAXONOMY_KINDS:
        return taxonomy_label(facet, value, lang)
    return shown


def _year_text(value: str, lang: str) -> str:
    _ = gettext(lang)
    low, _sep, high = value.partition("-")
    if low and low == high:
        text = _("en %(year)s") % {"year": low}
    elif low and high:
        text = _("de %(start)s à %(end)s") % {"start": low, "end": high}
    elif low:
        text = _("depuis %(year)s") % {"year": low}
    else:
        text = _("jusqu’en %(year)s") % {"year": high}
    return _("Début %(years)s") % {"years": text}


def chips_in(params: Any, result: dict | None, lang: str) -> list[dict]:
    """The active-filter chips (`urls.active_chips`) with their labels in `lang`."""
    chips = active_chips(params, result)
    if lang == DEFAULT:
        return chips
    for chip in chips:
        facet = chip["facet"]
        if facet == YEAR.name:
            chip["name"] = facet_title(facet, lang)
            chip["label"] = _year_text(chip["value"], lang)
            continue
        french = chip["label"].split("\u00a0: ", 1)[-1]
        chip["name"] = facet_title(facet, lang)
        chip["label"] = f"{chip['name']}: {value_label(facet, chip['value'], lang, french)}"
    return chips


def syntax_help_in(lang: str) -> str:
    """The query-syntax line; its field names (``pays:``) are the syntax, kept as they are."""
    text = syntax_help()
    if lang == DEFAULT:
        return text
    _ = gettext(lang)
    return (text.replace("Filtrer en tapant\u00a0:", _("Filtrer en tapant\u00a0:"))
            .replace(" ou ", " " + _("ou") + " ")
            .replace("(ex. ", "(" + _("ex.") + " "))

"""Download names that say what was searched: `atlas-eau-senegal.csv`, not `atlas-recherche.csv`.

The name is made of the words searched and the filters' values (a country by its French
name), folded to a safe ASCII slug for `filename`, with the accented form in `filename*`
(RFC 6266 and RFC 8187) for the browsers that read it.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from unidecode import unidecode

from indexer.fields import FACETS, YEAR
from search_app.engine.request import SearchParams

PREFIX = "atlas"
FALLBACK = "recherche"
MAX_SLUG = 60  # characters after the prefix: names stay readable in a downloads folder


def _words(params: SearchParams) -> list[str]:
    words = [params.q] if params.q else []
    for facet in FACETS:
        for value in getattr(params, facet.param):
            words.append(facet.display(value) if facet.display else value)
    low, high = (getattr(params, name) for name in YEAR.params)
    if low is not None or high is not None:
        words.append(f"{low if low is not None else ''}-{high if high is not None else ''}")
    return words


def _slug(text: str, ascii_only: bool) -> str:
    if ascii_only:
        text = unidecode(text)
    text = re.sub(r"[^\w]+" if not ascii_only else r"[^A-Za-z0-9]+", "-", text.lower())
    text = text.replace("_", "-").strip("-")
    if len(text) > MAX_SLUG:
        text = text[:MAX_SLUG].rsplit("-", 1)[0] or text[:MAX_SLUG]
    return text.strip("-")


def export_filename(params: SearchParams, extension: str, ascii_only: bool = True) -> str:
    """`atlas-eau-senegal.csv` for `?q=eau&country=SN`; `atlas-recherche.csv` for nothing."""
    slug = _slug(" ".join(_words(params)), ascii_only) or FALLBACK
    return f"{PREFIX}-{slug}.{extension}"


def content_disposition(params: SearchParams, extension: str) -> str:
    """`attachment` with the ASCII name and its accented UTF-8 form (RFC 6266)."""
    plain = export_filename(params, extension)
    accented = export_filename(params, extension, ascii_only=False)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(accented, safe='')}"

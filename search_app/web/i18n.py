"""The interface language: which one a request gets, its message catalog, the taxonomy's
English labels and locale-aware numbers, amounts and dates.

French is the source language (the msgids are the French strings) and the default. The
catalogs are gettext files under `locale/`: the `.po` is kept in the repository and compiled
to `.mo` when the package is built (setup.py); an editable checkout without a `.mo` compiles
the `.po` in memory on first use.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated

from babel.core import Locale, negotiate_locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations
from fastapi import Query, Request

from indexer.regions import region_named
from indexer.taxonomy_en import english_label

LANGUAGES = ("fr", "en")
DEFAULT = "fr"
COOKIE = "lang"
PARAM = "lang"
DOMAIN = "messages"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# Babel locales used for formatting (French of France: the Atlas's own conventions).
LOCALES = {"fr": "fr_FR", "en": "en_GB"}
TAXONOMY_KINDS = ("theme", "sub_theme", "sub_sub_theme", "status", "partnership_form", "region")


def N_(message: str) -> str:
    """Marks a French string for extraction where it is defined; translated where shown."""
    return message


# ---------------------------------------------------------------- which language


def supported(value: str | None) -> str | None:
    """``en``, ``EN``, ``en-GB`` -> ``en``; anything else -> None."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The best supported language of an ``Accept-Language`` header (q-values honoured),
    None when it names none of ours (``de`` -> None, ``en-GB,en;q=0.9`` -> ``en``)."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag.strip() and quality > 0:
            ranked.append((-quality, position, tag.strip().replace("-", "_")))
    preferred = [tag for _, _, tag in sorted(ranked)]
    found = negotiate_locale(preferred, list(LANGUAGES), sep="_")
    return supported(found)


def explicit_language(request: Request) -> str | None:
    """A choice the visitor made: ``lang`` in the URL, else the cookie it left."""
    return supported(request.query_params.get(PARAM)) or supported(request.cookies.get(COOKIE))


def resolve_language(request: Request) -> str:
    """URL, then cookie, then ``Accept-Language``, then French."""
    return (explicit_language(request)
            or from_accept_language(request.headers.get("accept-language"))
            or DEFAULT)


async def get_language(
    request: Request,
    chosen: Annotated[str | None, Query(
        alias="lang",
        description="Interface language: `fr` (default) or `en`; without it, a `lang` cookie "
                    "or the `Accept-Language` header decides. Record texts stay French.",
        examples=["en"])] = None,
) -> str:
    """FastAPI dependency: the request's language, resolved once and kept on its state.
    (`chosen` declares `lang` for OpenAPI; `resolve_language` reads it, and ignores an
    unknown value rather than refusing it.)"""
    lang = getattr(request.state, "lang", None)
    if lang is None:
        lang = request.state.lang = resolve_language(request)
    return lang


def request_language(request: Request) -> str:
    """The language of a request that may not have gone through `get_language` (errors)."""
    return getattr(request.state, "lang", None) or resolve_language(request)


# ---------------------------------------------------------------- catalogs


def _compile_po(po_path: Path) -> Translations:
    """A catalog straight from its `.po` (editable installs, where nothing compiled it)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def _locale_dir() -> Path:
    try:
        found = Path(str(resources.files("search_app.web").joinpath("locale")))
        if found.is_dir():
            return found
    except (ModuleNotFoundError, TypeError, ValueError):
        pass
    return LOCALE_DIR


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> NullTranslations:
    """The gettext catalog of `lang`; French (the source) translates nothing."""
    if lang == DEFAULT or lang not in LANGUAGES:
        return NullTranslations()
    messages = _locale_dir() / lang / "LC_MESSAGES"
    mo, po = messages / f"{DOMAIN}.mo", messages / f"{DOMAIN}.po"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    if po.is_file():
        return _compile_po(po)
    return NullTranslations()


def gettext(lang: str):
    """`_` for Python code: ``_ = gettext(lang)`` then ``_("Statut")``."""
    return translations(lang).gettext


# ---------------------------------------------------------------- the taxonomy's English labels


def taxonomy_label(kind: str, value: str | None, lang: str) -> str:
    """A theme, sub-theme, status, form or region as the interface shows it: its reviewed
    English label in English, else the French value (also the value URLs carry)."""
    if not value:
        return value or ""
    if lang == DEFAULT:
        return value
    if kind == "region":  # regions are listed by slug (`indexer.regions`)
        slug = region_named(value)
        return (english_label(kind, slug, value) or value) if slug else value
    return english_label(kind, " ".join(value.split()), value) or value


def country_label(code: str, french: str, lang: str) -> str:
    """A partner country's name: CLDR's (Babel) in English, the index's French one in French."""
    if lang == DEFAULT or not code:
        return french
    return Locale.parse(LOCALES[lang]).territories.get(code.upper(), french)


# ---------------------------------------------------------------- numbers, amounts, dates


def number(value: int | float | None, lang: str = DEFAULT) -> str:
    """``1380394`` -> ``1 380 394`` (narrow no-break spaces) or ``1,380,394``."""
    if value is None:
        return ""
    return format_decimal(round(value), locale=LOCALES.get(lang, LOCALES[DEFAULT]))


_SHORT_UNITS = {"fr": ((1e9, "Md€"), (1e6, "M€"), (1e3, "k€")),
                "en": ((1e9, "bn"), (1e6, "m"), (1e3, "k"))}


def money_short(value: int | float | None, lang: str = DEFAULT) -> str:
    """A header's amount: ``3,2 M€`` / ``€3.2m``, ``48,5 k€`` / ``€48.5k``."""
    if value is None:
        return ""
    for size, unit in _SHORT_UNITS.get(lang, _SHORT_UNITS[DEFAULT]):
        if abs(value) >= size:
            text = f"{value / size:.1f}".rstrip("0").rstrip(".")
            if lang == DEFAULT:
                return f"{text.replace('.', ',')}\u00a0{unit}"
            return f"€{text}{unit}"
    return money(value, lang)


def money(value: int | float | None, lang: str = DEFAULT) -> str:
    """Whole euros: ``1 380 394 €`` or ``€1,380,394``; empty for a missing amount."""
    if value is None:
        return ""
    pattern = "#,##0\u00a0¤" if lang == DEFAULT else "¤#,##0"
    return format_currency(round(value), "EUR", format=pattern, currency_digits=False,
                           locale=LOCALES.get(lang, LOCALES[DEFAULT]))


def date(value: str | dt.date | None, lang: str = DEFAULT) -> str:
    """ISO date -> ``1er décembre 2021`` / ``1 December 2021``; unparseable text as given."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    shown = format_date(value, "long", locale=LOCALES.get(lang, LOCALES[DEFAULT]))
    if lang == DEFAULT and value.day == 1:  # French writes the first of the month « 1er »
        shown = "1er" + shown[1:]
    return shown


def projects(n: int | None, lang: str = DEFAULT) -> str:
    """``aucun projet``, ``1 projet``, ``12 projets`` in the interface language."""
    n = n or 0
    _ = gettext(lang)
    if n == 0:
        return _("aucun projet")
    return plural_in(lang, "%(num)s\u00a0projet", "%(num)s\u00a0projets", n)


def plural_in(lang: str, singular: str, plural: str, n: int) -> str:
    """A counted phrase (``et 3 autres``); ``%(num)s`` is the count, formatted for `lang`.
    Extracted with the keyword ``plural_in:2,3`` (see babel.cfg's header)."""
    return translations(lang).ngettext(singular, plural, n) % {"num": number(n, lang)}

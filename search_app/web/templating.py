"""Jinja2 environments for the HTML pages, one per interface language (gettext through
Jinja2's i18n extension), with number, amount and date filters for that language."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

import jinja2
from fastapi.templating import Jinja2Templates

from search_app.web import i18n
from search_app.web.assets import asset_url, favicon_uri
from search_app.web.urls import site_url


def _templates_dir() -> Path:
    """Installed package data first; the repository's ``templates/`` for editable installs."""
    try:
        # The installed package has no __init__.py: go through a file, which works for
        # namespace packages too.
        base = Path(str(resources.files("search_app.templates").joinpath("base.html")))
        if base.is_file():
            return base.parent
    except (ModuleNotFoundError, TypeError, ValueError):
        pass
    return Path(__file__).resolve().parents[2] / "templates"


TEMPLATES_DIR = _templates_dir()


# French formatting, kept under its French names for callers that format outside a page;
# pages get these as filters of their language's environment (see `_environment`).


def nombre(value: int | float | None) -> str:
    """``1380394`` -> ``1 380 394`` (narrow no-break spaces)."""
    return i18n.number(value, i18n.DEFAULT)


def euros(value: int | float | None) -> str:
    """``1380394`` -> ``1 380 394 €``; empty for a missing amount."""
    return i18n.money(value, i18n.DEFAULT)


def euros_court(value: int | float | None) -> str:
    """A header's amount: ``3 215 000`` -> ``3,2 M€``, ``48 500`` -> ``48,5 k€``."""
    return i18n.money_short(value, i18n.DEFAULT)


def date_fr(value: str | dt.date | None) -> str:
    """ISO date -> ``31 décembre 2021``; anything unparseable is shown as given."""
    return i18n.date(value, i18n.DEFAULT)


def projets(n: int | None) -> str:
    """``1 projet``, ``12 projets``, ``aucun projet``."""
    return i18n.projects(n, i18n.DEFAULT)


def oui_non(value: bool | None, lang: str = i18n.DEFAULT) -> str:
    _ = i18n.gettext(lang)
    return _("non renseigné") if value is None else (_("oui") if value else _("non"))


def _environment(lang: str) -> jinja2.Environment:
    # Autoescape everywhere: record text is untrusted. Only snippets (escaped HTML with <mark>)
    # and server-built SVG are marked safe, in Python.
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    # `{% trans %}` blocks spread over lines are one message, as pybabel extracts them.
    environment.policies["ext.i18n.trimmed"] = True
    environment.install_gettext_translations(i18n.translations(lang), newstyle=True)
    environment.filters.update(
        nombre=lambda v: i18n.number(v, lang),
        euros=lambda v: i18n.money(v, lang),
        date_fr=lambda v: i18n.date(v, lang),
        projets=lambda n: i18n.projects(n, lang),
        oui_non=lambda v: oui_non(v, lang),
    )
    # Templates reference static files only through this: content-hashed, cacheable URLs.
    environment.globals["asset_url"] = asset_url
    environment.globals["site_url"] = site_url  # every site-absolute link, under the root path
    environment.globals["favicon_uri"] = favicon_uri
    return environment


ENVIRONMENTS = {lang: _environment(lang) for lang in i18n.LANGUAGES}
env = ENVIRONMENTS[i18n.DEFAULT]
TEMPLATES = {lang: Jinja2Templates(env=e) for lang, e in ENVIRONMENTS.items()}
templates = TEMPLATES[i18n.DEFAULT]


def templates_for(lang: str) -> Jinja2Templates:
    return TEMPLATES.get(lang, templates)


def warm() -> None:
    """Compile every template in every language now: Jinja compiles one at its first
    render, which would be a visitor's first page (at the server's start, in the lifespan)."""
    for environment in ENVIRONMENTS.values():
        for name in environment.list_templates(extensions=["html"]):
            environment.get_template(name)

"""Jinja2 environment for the HTML pages, with French number and date filters."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

import jinja2
from fastapi.templating import Jinja2Templates

from search_app.web.assets import asset_url, favicon_uri
from search_app.web.urls import site_url

NBSP = "\u00a0"
# Narrow no-break space: the French thousands separator.
NNBSP = "\u202f"
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)


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


def nombre(value: int | float | None) -> str:
    """``1380394`` -> ``1 380 394`` (narrow no-break spaces)."""
    if value is None:
        return ""
    return f"{round(value):,}".replace(",", NNBSP)


def euros(value: int | float | None) -> str:
    """``1380394`` -> ``1 380 394 €``; empty for a missing amount."""
    if value is None:
        return ""
    return f"{nombre(value)}{NBSP}€"


def date_fr(value: str | dt.date | None) -> str:
    """ISO date -> ``31 décembre 2021``; anything unparseable is shown as given."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def projets(n: int | None) -> str:
    """``1 projet``, ``12 projets``, ``aucun projet``."""
    n = n or 0
    if n == 0:
        return "aucun projet"
    return f"{nombre(n)}{NBSP}projet" + ("s" if n > 1 else "")


def oui_non(value: bool | None) -> str:
    return "non renseigné" if value is None else ("oui" if value else "non")


# Autoescape everywhere: record text is untrusted. Only snippets (escaped HTML with <mark>)
# and server-built SVG are marked safe, in Python.
env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)
env.filters.update(nombre=nombre, euros=euros, date_fr=date_fr, projets=projets, oui_non=oui_non)
# Templates reference static files only through this: content-hashed, cacheable URLs.
env.globals["asset_url"] = asset_url
env.globals["site_url"] = site_url  # every site-absolute link, under the root path
env.globals["favicon_uri"] = favicon_uri
templates = Jinja2Templates(env=env)

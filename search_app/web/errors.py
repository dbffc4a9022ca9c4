"""HTTP errors: web exceptions carry their status, engine errors are mapped to one
(`status_of`); rendered as JSON for the API and HTML for pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from search_app.engine.errors import EngineError, IndexNotReady
from search_app.web.i18n import DEFAULT, N_, gettext


class AtlasError(Exception):
    status = 500

    def __init__(self, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if status is not None:
            self.status = status


class NotFound(AtlasError):
    status = 404


class Unauthorized(AtlasError):
    status = 401


# The engine knows nothing of HTTP: its errors get their status here.
ENGINE_STATUS: dict[type[EngineError], int] = {IndexNotReady: 503}


def status_of(exc: EngineError) -> int:
    return next((status for kind, status in ENGINE_STATUS.items() if isinstance(exc, kind)), 500)


class NotModified(Exception):
    """The client's copy is current: answered 304 with the ETag and no body."""

    def __init__(self, etag: str) -> None:
        super().__init__(etag)
        self.etag = etag


# ---------------------------------------------------------------- invalid parameters, in words

PARAM_LABELS = {
    "q": N_("recherche"), "country": N_("pays"), "theme": N_("thématique"),
    "sub_theme": N_("sous-thématique"), "status": N_("statut"),
    "form": N_("forme du partenariat"), "french_partner": N_("collectivité"),
    "year_min": N_("année de début (depuis)"), "year_max": N_("année de début (jusqu’à)"),
    "sort": N_("tri"), "page": N_("page"), "size": N_("résultats par page"),
}
SORT_LABELS = N_("pertinence, plus récents, plus anciens ou financement")


def issue(error: dict[str, Any], lang: str = DEFAULT) -> str:
    """One pydantic validation error as a sentence naming the parameter, in `lang`."""
    _ = gettext(lang)
    loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "path")]
    name = loc[0] if loc else ""
    label = _(PARAM_LABELS[name]) if name in PARAM_LABELS else name
    given = error.get("input")
    shown = (_("«\u00a0%(value)s\u00a0»") % {"value": str(given)[:40]}
             if isinstance(given, str | int) else _("la valeur"))
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind == "year":
        text = _("%(value)s n’est pas une année\u00a0: indiquez par exemple 2015, ou laissez vide")
    elif kind == "null_value":
        text = _("%(value)s n’est pas une valeur de filtre\u00a0: laissez le champ vide pour ne "
                 "pas filtrer")
    elif kind == "literal_error" and name == "sort":
        text = _("tri inconnu %(value)s\u00a0: choisissez %(sorts)s")
    elif kind in ("int_parsing", "int_type", "int_from_float"):
        text = _("%(value)s n’est pas un nombre entier")
    elif kind == "greater_than_equal":
        text = _("%(value)s est trop petit (au moins %(ge)s)")
    elif kind == "less_than_equal":
        text = _("%(value)s est trop grand (au plus %(le)s)")
    elif kind == "too_many_values":
        text = str(error.get("msg", "")).replace("%", "%%")
    elif kind == "string_too_long":
        text = _("texte trop long (au plus %(max_length)s caractères)")
    else:
        text = _("%(value)s n’est pas une valeur acceptée")
    text = text % {"value": shown, "sorts": _(SORT_LABELS), "ge": ctx.get("ge"),
                   "le": ctx.get("le"), "max_length": ctx.get("max_length")}
    return _("%(name)s\u00a0: %(text)s") % {"name": label, "text": text} if label else text


def french_issue(error: dict[str, Any]) -> str:
    """One pydantic validation error as a French sentence naming the parameter."""
    return issue(error, DEFAULT)


def kept_query(items: list[tuple[str, str]], errors: list[dict[str, Any]]) -> str:
    """The search URL with the request's parameters minus the invalid ones."""
    bad = {str(e["loc"][1]) for e in errors if len(e.get("loc", ())) > 1}
    kept = [(k, v) for k, v in items if k not in bad and k != "page"]
    return f"/?{urlencode(kept)}" if kept else "/"

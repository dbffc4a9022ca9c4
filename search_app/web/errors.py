"""HTTP errors: web exceptions carry their status, engine errors are mapped to one
(`status_of`); rendered as JSON for the API and HTML for pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from search_app.engine.errors import EngineError, IndexNotReady


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


# ---------------------------------------------------------------- invalid parameters, in French

PARAM_LABELS = {
    "q": "recherche", "country": "pays", "theme": "thématique", "sub_theme": "sous-thématique",
    "status": "statut", "form": "forme du partenariat", "french_partner": "collectivité",
    "year_min": "année de début (depuis)", "year_max": "année de début (jusqu’à)",
    "sort": "tri", "page": "page", "size": "résultats par page",
}
SORT_LABELS = "pertinence, plus récents, plus anciens ou financement"


def french_issue(error: dict[str, Any]) -> str:
    """One pydantic validation error as a French sentence naming the parameter."""
    loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "path")]
    name = loc[0] if loc else ""
    label = PARAM_LABELS.get(name, name)
    given = error.get("input")
    shown = f"« {str(given)[:40]} »" if isinstance(given, str | int) else "la valeur"
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind == "year":
        text = f"{shown} n’est pas une année : indiquez par exemple 2015, ou laissez vide"
    elif kind == "null_value":
        text = f"{shown} n’est pas une valeur de filtre : laissez le champ vide pour ne pas filtrer"
    elif kind == "literal_error" and name == "sort":
        text = f"tri inconnu {shown} : choisissez {SORT_LABELS}"
    elif kind in ("int_parsing", "int_type", "int_from_float"):
        text = f"{shown} n’est pas un nombre entier"
    elif kind == "greater_than_equal":
        text = f"{shown} est trop petit (au moins {ctx.get('ge')})"
    elif kind == "less_than_equal":
        text = f"{shown} est trop grand (au plus {ctx.get('le')})"
    elif kind == "too_many_values":
        text = error.get("msg", "")
    elif kind == "string_too_long":
        text = f"texte trop long (au plus {ctx.get('max_length')} caractères)"
    else:
        text = f"{shown} n’est pas une valeur acceptée"
    return f"{label} : {text}" if label else text


def kept_query(items: list[tuple[str, str]], errors: list[dict[str, Any]]) -> str:
    """The search URL with the request's parameters minus the invalid ones."""
    bad = {str(e["loc"][1]) for e in errors if len(e.get("loc", ())) > 1}
    kept = [(k, v) for k, v in items if k not in bad and k != "page"]
    return f"/?{urlencode(kept)}" if kept else "/"

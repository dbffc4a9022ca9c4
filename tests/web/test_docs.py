"""The repository's own contracts stay true: every route of the app is named in docs/API.md,
every record field in docs/RECORD.md, and the README sends no reader outside the repository."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from indexer.record import Record

ROOT = Path(__file__).resolve().parents[2]
# Served by FastAPI itself (the schema and its browser) or files under content-hashed URLs.
FRAMEWORK = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/static"}


def _paths(routes) -> set[str]:
    out: set[str] = set()
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            out |= _paths(inner.routes)
        elif getattr(route, "path", None) is not None:
            out.add(route.path)
    return out


def app_paths(app) -> set[str]:
    return _paths(app.routes) - FRAMEWORK


def test_every_route_is_in_the_api_document(app) -> None:
    text = (ROOT / "docs" / "API.md").read_text(encoding="utf-8")
    paths = app_paths(app)
    assert {"/api/search", "/api/projects/{project_id}", "/healthz"} <= paths
    missing = sorted(p for p in paths if f"`{p}`" not in text and f"`GET {p}`" not in text
                     and f"{p}`" not in text)
    assert missing == [], f"routes not named in docs/API.md: {missing}"


def test_the_route_check_sees_an_undocumented_route(app) -> None:
    from fastapi import APIRouter

    extra = APIRouter()
    extra.add_api_route("/api/not-documented", lambda: {})
    app.include_router(extra)
    assert "/api/not-documented" in app_paths(app)


def _record_fields() -> set[str]:
    return {f.name for f in fields(Record)}


def test_every_record_field_is_in_the_record_document() -> None:
    text = (ROOT / "docs" / "RECORD.md").read_text(encoding="utf-8")
    named = set(re.findall(r"\b[a-z_]+\b", text))
    missing = sorted(f for f in _record_fields() if f not in named)
    assert missing == [], f"record fields not in docs/RECORD.md: {missing}"


def test_the_readme_points_inside_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../shared" not in readme and "shared folder" not in readme.lower()
    for target in re.findall(r"\]\(([^)#]+)\)", readme):
        if not target.startswith(("http://", "https://")):
            assert (ROOT / target).exists(), target
    for name in ("docs/API.md", "docs/RECORD.md", "ARCHITECTURE.md"):
        assert name in readme and (ROOT / name).exists(), name

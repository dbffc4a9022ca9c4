"""Exceptions that carry their HTTP status, rendered as JSON for the API and HTML for pages."""

from __future__ import annotations


class AtlasError(Exception):
    status = 500

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(AtlasError):
    status = 404


class Unauthorized(AtlasError):
    status = 401


class IndexNotReady(AtlasError):
    status = 503

"""What the engine raises. It knows nothing of HTTP: `web.errors` maps these to statuses."""

from __future__ import annotations


class EngineError(Exception):
    """A request the engine cannot answer."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class IndexNotReady(EngineError):
    """No index version can be opened (none built yet, or the live one is damaged)."""

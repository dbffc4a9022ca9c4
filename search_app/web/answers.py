"""The engine's answers as the web gives them: the same data, with the links a client follows."""

from __future__ import annotations

from typing import Any

from search_app.engine.reader import Reader
from search_app.engine.request import SearchParams
from search_app.web.urls import add_toggle_urls


def search_answer(reader: Reader, params: SearchParams) -> dict[str, Any]:
    """`GET /api/search`'s answer (and `atlas search --json`'s): the reader's search with
    each facet value's toggle URL."""
    return add_toggle_urls(reader.search(params), params)

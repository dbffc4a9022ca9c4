"""Where an API search runs: on the event loop for a small version or a kept answer, in
the thread pool otherwise (`web.deps.run_search`, `Settings.inline_search_records`)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from search_app.web import api
from search_app.web.app import create_app


def _on_the_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # a pool thread runs no event loop
        return False
    return True


@pytest.fixture
def where(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each search answered ran on the event loop."""
    seen: list[bool] = []
    answer = api.search_answer

    def recording(reader, params):
        seen.append(_on_the_loop())
        return answer(reader, params)

    monkeypatch.setattr(api, "search_answer", recording)
    return seen


@pytest.mark.parametrize("limit,first,again", [
    (50_000, True, True),  # the fixture's version is small: on the loop
    (0, False, True),  # every version searches in the pool; a kept answer is read inline
])
def test_where_a_search_runs(settings, where: list[bool], limit: int, first: bool,
                             again: bool) -> None:
    app = create_app(replace(settings, inline_search_records=limit))
    with TestClient(app) as client:
        answers = [client.get("/api/search", params={"q": "eau potable"}) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200]
    assert [a.json()["cached"] for a in answers] == [False, True]
    assert where == [first, again]
    assert answers[0].json()["hits"] == answers[1].json()["hits"]

"""Shared fixtures: a small real index built in a temporary folder, the app, a live server."""

from __future__ import annotations

import json
import shutil
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests check behaviour, not speed: a shared 2-core machine makes timings noise.
settings.register_profile("atlas", deadline=None)
settings.load_profile("atlas")

DATA = Path(__file__).parent / "data"
SEED_ID = "000_671a6b7235ccf533"
SEED_PAGE = DATA / "seed" / f"{SEED_ID}.txt"
SEED_EXPECTED = DATA / "seed" / f"{SEED_ID}.expected.json"
HOSTILE_TITLE = "<script>alert(1)</script> Projet piège"
SYNTHETIC_COUNT = 200


ATLAS = Path(sys.executable).parent / "atlas"  # the command line of this environment


def search_all(client, **params) -> dict:
    """A page of up to 100 hits of `/api/search`, asserting the answer is a 200."""
    response = client.get("/api/search", params={"size": 100, **params})
    assert response.status_code == 200, response.text
    return response.json()


def hit_ids(answer: dict) -> set[str]:
    return {hit["id"] for hit in answer["hits"]}


def hostile_record() -> dict:
    return {
        "id": "hostile_xss",
        "title": HOSTILE_TITLE,
        "theme": "Culture et Patrimoine",
        "status": "En cours",
        "start_year": 2021,
        "context": 'Un contexte <img src=x onerror=alert(2)> avec "guillemets" & esperluette '
                   "pour la coopération culturelle.",
        "foreign_partners": [{"name": "<b>Ville</b>", "country": "Sénégal"}],
        "french_partners": ["Lyon <i>"],
        "funding": [{"funder": "<svg onload=alert(3)>", "amount_eur": 1000, "year": 2021}],
    }


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed page, synthetic pages and one hostile JSON Lines record."""
    from indexer.generate import generate

    root = tmp_path_factory.mktemp("corpus")
    shutil.copy(SEED_PAGE, root / SEED_PAGE.name)
    generate(SYNTHETIC_COUNT, seed=7, out_dir=root / "synthetic")
    (root / "extra.jsonl").write_text(
        json.dumps(hostile_record(), ensure_ascii=False) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def index_dir(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from indexer.build import build

    index = tmp_path_factory.mktemp("index")
    report = build([corpus_dir], index, progress=False, workers=1)
    assert not report.failures, report.failures
    return index


@pytest.fixture(scope="session")
def settings(index_dir: Path):
    from search_app.settings import Settings

    return Settings(index_dir=index_dir)


@pytest.fixture
def app(settings):
    from search_app.web.app import create_app

    return create_app(settings)


@pytest.fixture
def client(app) -> Iterator:
    from fastapi.testclient import TestClient

    with TestClient(app) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(base: str, proc, why: Callable[[], str] = lambda: "",
                       timeout: float = 60) -> None:
    """Wait for an `atlas serve` process to answer /healthz; fail with its output if it
    exits or does not answer in time."""
    import httpx

    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"atlas serve did not start: {why()}")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def live_server(index_dir: Path) -> Iterator[str]:
    """A real uvicorn server on loopback serving the fixture index."""
    import uvicorn

    from search_app.settings import Settings
    from search_app.web.app import create_app

    port = free_port()
    config = uvicorn.Config(create_app(Settings(index_dir=index_dir)), host="127.0.0.1",
                            port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)

"""A heavy search does not hold the server: `/healthz` answers meanwhile.

A real `atlas serve` process over an index whose spelling lexicon is large (some 150,000
invented words, all with one first letter), asked a query of 50 unknown 9-letter words: each
word is looked up within two typos among all those words, two to three seconds of CPU here,
the same every run (seeded words, fresh server, no cache). While it runs, `/healthz` must
answer within half a second.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time

import httpx
import pytest

from ..conftest import free_port, wait_until_serving

LETTERS = "aeioulnrst"  # few letters: every invented word has many neighbours within 2 typos


def _word(rng: random.Random, length: int) -> str:
    # One first letter: a typo is looked for among the words sharing it, so all of them.
    return "a" + "".join(rng.choice(LETTERS) for _ in range(length - 1))


def _atlas(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search_app.cli", *args], capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("glossary")
    rng = random.Random(5)
    source = root / "glossary.jsonl"
    source.write_text("".join(
        json.dumps({"id": f"glossaire_{i:03d}", "title": f"Glossaire {i}",
                    "context": " ".join(_word(rng, rng.randint(8, 14)) for _ in range(250))})
        + "\n" for i in range(600)), encoding="utf-8")
    index = root / "index"
    built = _atlas("build", str(source), "--index", str(index))
    assert built.returncode == 0, built.stderr
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "search_app.cli", "serve", "--index", str(index), "--port",
         str(port)], env={k: v for k, v in os.environ.items() if k != "ATLAS_API_TOKEN"},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    wait_until_serving(base, proc, lambda: proc.stderr.read().decode()[-500:])
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_healthz_answers_during_a_heavy_search(served: str) -> None:
    rng = random.Random(1)
    q = " ".join(_word(rng, 9) for _ in range(50))
    assert len(q) <= 500
    heavy: dict = {}

    def ask() -> None:
        started = time.monotonic()
        response = httpx.get(f"{served}/", params={"q": q}, timeout=120)
        heavy.update(status=response.status_code, started=started, ended=time.monotonic())

    thread = threading.Thread(target=ask)
    thread.start()
    time.sleep(0.3)  # the heavy search is under way
    checks = []
    while thread.is_alive() and len(checks) < 5:
        started = time.monotonic()
        response = httpx.get(f"{served}/healthz", timeout=30)
        ended = time.monotonic()
        assert response.status_code == 200
        checks.append((ended - started, ended))
        time.sleep(0.2)
    thread.join(timeout=120)
    assert heavy["status"] == 200
    # The search was really heavy, and the checks ran while it did.
    assert heavy["ended"] - heavy["started"] > 1.0, heavy
    during = [took for took, ended in checks if ended < heavy["ended"]]
    assert during, (checks, heavy)
    assert max(during) < 0.5, (checks, heavy)

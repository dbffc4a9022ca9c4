"""A served index (two workers) rebuilt under concurrent load: no error, no mixed answer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from ..conftest import free_port, wait_until_serving

OLD, NEW = 40, 55


def write_version(path: Path, prefix: str, count: int) -> Path:
    lines = [
        json.dumps({
            "id": f"{prefix}_{i:03d}", "title": f"Projet {prefix} numéro {i}",
            "theme": "Eau et assainissement", "status": "En cours", "start_year": 2000 + i % 20,
            "foreign_partners": [{"name": "Podor", "country": "Sénégal"}],
            "context": f"Accès à l'eau potable, version {prefix}.",
        }, ensure_ascii=False)
        for i in range(count)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def atlas(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search_app.cli", *args], capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def served(tmp_path: Path):
    index = tmp_path / "index"
    assert atlas("build", str(write_version(tmp_path / "old.jsonl", "old", OLD)),
                 "--index", str(index)).returncode == 0
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "ATLAS_API_TOKEN"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "search_app.cli", "serve", "--index", str(index), "--port",
         str(port), "--workers", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    wait_until_serving(base, proc, lambda: proc.stderr.read().decode()[-500:])
    yield base, index, tmp_path
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_rebuild_under_load(served) -> None:
    base, index, tmp_path = served
    stop = threading.Event()
    problems: list[str] = []
    seen: dict[str, int] = {"old": 0, "new": 0}
    lock = threading.Lock()

    def client(n: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as http:
            i = 0
            while not stop.is_set():
                i += 1
                params = {"q": "eau potable" if i % 2 else "", "size": 100,
                          "page": 1, "sort": "year_desc" if n % 2 else "relevance"}
                try:
                    response = http.get("/api/search", params=params)
                except httpx.HTTPError as exc:
                    problems.append(f"request failed: {exc!r}")
                    continue
                if response.status_code != 200:
                    problems.append(f"status {response.status_code}: {response.text[:200]}")
                    continue
                data = response.json()
                prefixes = {h["id"].split("_")[0] for h in data["hits"]}
                if len(prefixes) != 1:
                    problems.append(f"mixed answer: {prefixes}")
                    continue
                prefix = prefixes.pop()
                expected = OLD if prefix == "old" else NEW
                if data["total"] != expected or len(data["hits"]) != min(100, expected):
                    problems.append(f"partial answer: {prefix} total={data['total']}")
                with lock:
                    seen[prefix] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    run = atlas("build", str(write_version(tmp_path / "new.jsonl", "new", NEW)),
                "--index", str(index))
    assert run.returncode == 0, run.stderr
    deadline = time.monotonic() + 20
    while seen["new"] < 20 and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    for t in threads:
        t.join(timeout=30)

    assert problems == []
    assert seen["old"] > 0 and seen["new"] >= 20
    # both workers now serve the new version without a restart
    for _ in range(10):
        health = httpx.get(f"{base}/healthz", timeout=10).json()
        assert health["records"] == NEW
        assert httpx.get(f"{base}/api/projects/new_000", timeout=10).status_code == 200

"""What an operator relies on, through real `atlas serve` processes: the token setting, public
downloads, CORS, trusted proxy headers, metrics across workers, the JSON access log,
readiness on a damaged version, the 500 page, per-record ETags across a real update, /docs
offline."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import SEED_ID, free_port, hostile_record, wait_until_serving

TOKEN = "jeton-ops"
ORIGIN = "https://carto.example.org"


def _atlas(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search_app.cli", *args], capture_output=True,
                          text=True, timeout=300, env=env)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ATLAS_") and k != "PROMETHEUS_MULTIPROC_DIR"}
    return {**env, **extra}


@contextmanager
def serving(index: Path, log: Path, *args: str, **env: str) -> Iterator[str]:
    """A real `atlas serve` on a free loopback port; its stderr (the access log) in `log`."""
    port = free_port()
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "search_app.cli", "serve", "--index", str(index),
             "--port", str(port), *args],
            env=_env(**env), stdout=subprocess.DEVNULL, stderr=err)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(base, proc, lambda: log.read_text()[-800:])
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


# ---------------------------------------------------------------- settings


@pytest.mark.parametrize("name,value,says", [
    ("ATLAS_API_TOKEN", "", "empty"), ("ATLAS_API_TOKEN", "   ", "empty"),
    ("ATLAS_ROOT_PATH", "atlas", "/atlas"), ("ATLAS_CORS_ORIGINS", "*.example.org", "origin"),
    ("ATLAS_FORWARDED_ALLOW_IPS", "proxy", "IP"), ("ATLAS_LOG_FORMAT", "yaml", "json"),
])
def test_a_bad_setting_stops_serve_with_one_line(index_dir: Path, name: str, value: str,
                                                 says: str) -> None:
    run = _atlas("serve", "--index", str(index_dir), "--port", str(free_port()),
                 env=_env(**{name: value}))
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and says in lines[0], lines


def test_root_path_option_is_checked_too(index_dir: Path) -> None:
    run = _atlas("serve", "--index", str(index_dir), "--port", str(free_port()),
                 "--root-path", "atlas/", env=_env())
    assert run.returncode == 1 and "ATLAS_ROOT_PATH" in run.stderr


# ---------------------------------------------------------------- a server with a token


@pytest.fixture(scope="module")
def private(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A token on the API, CORS for one origin, and no proxy trusted."""
    log = tmp_path_factory.mktemp("private") / "stderr.log"
    with serving(index_dir, log, ATLAS_API_TOKEN=TOKEN, ATLAS_CORS_ORIGINS=ORIGIN,
                 ATLAS_FORWARDED_ALLOW_IPS="10.9.8.7") as base:
        yield base


def test_website_downloads_stay_public_with_a_token(private: str) -> None:
    with httpx.Client(base_url=private, timeout=30) as client:
        page = client.get("/", params={"q": "eau"}).text
        links = re.findall(r'href="([^"]+)" download', page)
        assert len(links) == 2 and all("/api/" not in link for link in links)
        for link in links:
            got = client.get(link.replace("&amp;", "&"))
            assert got.status_code == 200 and int(got.headers["x-total-count"]) > 0
        assert client.get("/api/search.xlsx", params={"q": "eau"}).status_code == 401
        # The data links of the authority and country pages, and a project's public twin.
        project = client.get(f"/telechargements/projets/{SEED_ID}.json")
        assert project.status_code == 200 and project.json()["id"] == SEED_ID
        for path in ("/collectivites/clermont-ferrand", "/pays/MX"):
            html = client.get(path).text
            data = re.findall(r'href="(/telechargements/[^"]+\.json)"', html)
            assert len(data) == 1, path
            answer = client.get(data[0])
            assert answer.status_code == 200 and answer.json(), data[0]
        assert client.get(f"/api/projects/{SEED_ID}").status_code == 401
        assert client.get(f"/api/projects/{SEED_ID}",
                          headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_cors_for_the_configured_origin_only(private: str) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    preflight = httpx.options(f"{private}/api/search", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization, if-none-match"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    answer = httpx.get(f"{private}/api/search.csv", params={"q": "eau"},
                       headers={**auth, "Origin": ORIGIN})
    assert answer.headers["access-control-allow-origin"] == ORIGIN
    exposed = answer.headers["access-control-expose-headers"].lower().replace(" ", "").split(",")
    assert {"etag", "x-total-count"} <= set(exposed)
    other = httpx.get(f"{private}/api/search",
                      headers={**auth, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_forwarded_prefix_from_an_untrusted_peer_is_ignored(private: str) -> None:
    page = httpx.get(f"{private}/", headers={"X-Forwarded-Prefix": "/ailleurs"}).text
    assert "/ailleurs" not in page


def test_docs_work_offline_with_a_strict_policy(private: str) -> None:
    docs = httpx.get(f"{private}/docs")
    assert docs.status_code == 200
    assert "http://" not in docs.text and "https://" not in docs.text  # no CDN
    assert "<script>" not in docs.text.replace(" ", "")  # no inline script
    policy = docs.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]+)", policy).group(1)
    assert script_src.strip() == "'self'"
    for url in re.findall(r'(?:href|src)="([^"]+)"', docs.text):
        assert httpx.get(private + url).status_code == 200, url
    icon = httpx.get(f"{private}/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    # The pages draw it from a data: URI (no request of their own), as the CSP allows.
    assert '<link rel="icon" href="data:image/svg+xml,' in httpx.get(f"{private}/").text


# ---------------------------------------------------------------- metrics and the access log


@pytest.fixture(scope="module")
def watched(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """Two workers (prometheus multiprocess mode), the access log as JSON lines."""
    log = tmp_path_factory.mktemp("watched") / "stderr.log"
    with serving(index_dir, log, "--workers", "2", ATLAS_LOG_FORMAT="json") as base:
        yield base, log


def _metric(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        head, _, value = line.rpartition(" ")
        if head.split("{")[0] != name:
            continue
        if all(f'{k}="{v}"' in head for k, v in labels.items()):
            total += float(value)
    return total


def test_metrics_add_up_every_worker(watched: tuple) -> None:
    base, _ = watched
    queries = {"eau": 3, "zzzzqqqx": 2, "educaton": 2, "eau xylophonez": 2}
    for q, times in queries.items():
        for _ in range(times):
            # A new connection each time: the kernel spreads them over the workers.
            assert httpx.get(f"{base}/api/search", params={"q": q}).status_code == 200
    assert httpx.get(f"{base}/api/search.csv", params={"q": "eau"}).status_code == 200
    assert httpx.get(f"{base}/api/projects/nope").status_code == 404
    scrape = httpx.get(f"{base}/metrics")
    assert scrape.status_code == 200 and scrape.headers["content-type"].startswith("text/plain")
    text = scrape.text
    assert _metric(text, "atlas_searches_total") == 9
    assert _metric(text, "atlas_zero_result_searches_total") == 2
    assert _metric(text, "atlas_typo_answers_total") >= 2
    assert _metric(text, "atlas_relaxed_answers_total") >= 2
    assert _metric(text, "atlas_exports_total", format="csv") == 1
    assert _metric(text, "atlas_http_requests_total", route="/api/search", status="200") == 9
    assert _metric(text, "atlas_http_requests_total", route="/api/projects/{project_id}",
                   status="404") == 1
    assert _metric(text, "atlas_http_request_duration_seconds_count", route="/api/search") == 9
    assert 'le="0.1"' in text
    health = httpx.get(f"{base}/healthz").json()
    assert _metric(text, "atlas_live_version_info", version=health["version"]) == 1
    assert _metric(text, "atlas_live_records") == health["records"]
    assert 0 <= _metric(text, "atlas_live_version_age_seconds") < 86_400


def test_access_log_is_json_with_the_request_id(watched: tuple) -> None:
    base, log = watched
    answer = httpx.get(f"{base}/api/search", params={"q": "eau"},
                       headers={"X-Request-ID": "essai-123", "User-Agent": "sonde/1.0"})
    assert answer.headers["x-request-id"] == "essai-123"
    made = httpx.get(f"{base}/healthz").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    bad = httpx.get(f"{base}/healthz", headers={"X-Request-ID": "a b\tc"})
    assert bad.headers["x-request-id"] != "a b\tc"
    for _ in range(50):  # the log is written by a thread of its own
        lines = [json.loads(line) for line in log.read_text().splitlines()
                 if line.startswith("{")]
        ours = [e for e in lines if e["request_id"] == "essai-123"]
        if ours and any(e["request_id"] == made for e in lines):
            break
        time.sleep(0.1)
    entry = ours[0]
    assert set(entry) >= {"time", "request_id", "client", "method", "path", "status", "bytes",
                          "duration_ms", "user_agent"}
    assert entry["path"] == "/api/search?q=eau" and entry["status"] == 200
    assert entry["method"] == "GET" and entry["client"] == "127.0.0.1"
    # Bytes as sent (compressed), not as decoded.
    assert entry["bytes"] == answer.num_bytes_downloaded and entry["user_agent"] == "sonde/1.0"


def test_trusted_proxy_prefix_is_honoured(watched: tuple) -> None:
    base, _ = watched  # 127.0.0.1 is a trusted proxy by default
    page = httpx.get(f"{base}/", headers={"X-Forwarded-Prefix": "/portail"}).text
    assert 'action="/portail/"' in page and "/portail/static/atlas." in page
    spec = httpx.get(f"{base}/openapi.json", headers={"X-Forwarded-Prefix": "/portail"}).json()
    assert spec["servers"] == [{"url": "/portail"}]
    assert "servers" not in httpx.get(f"{base}/openapi.json").json()


def test_cors_is_off_by_default(watched: tuple) -> None:
    base, _ = watched
    answer = httpx.get(f"{base}/api/search", headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in answer.headers


# ---------------------------------------------------------------- readiness and errors


def _damage_postings(index: Path) -> None:
    """Overwrites the body postings of the live version in place (same size: the server's
    memory map sees it at once): doc numbers far out of range."""
    live = (index / "CURRENT").read_text().strip()
    path = index / "versions" / live / "postings-body.docs.npy"
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.seek(128)  # past the .npy header
        f.write(b"\x7f" * (size - 128))


def test_readyz_fails_on_a_damaged_version_and_errors_carry_the_request_id(
        index_dir: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    shutil.copytree(index_dir, index)
    with serving(index, tmp_path / "stderr.log") as base:
        ready = httpx.get(f"{base}/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "ready"
        _damage_postings(index)
        ready = httpx.get(f"{base}/readyz")
        assert ready.status_code == 503
        assert ready.json()["status"] == "unavailable" and "failed" in ready.json()["reason"]
        assert httpx.get(f"{base}/healthz").status_code == 200  # alive all the same
        api = httpx.get(f"{base}/api/search", params={"q": "eau"},
                        headers={"X-Request-ID": "panne-1"})
        assert api.status_code == 500
        assert api.json() == {"detail": "internal server error", "request_id": "panne-1"}
        page = httpx.get(f"{base}/", params={"q": "eau"}, headers={"X-Request-ID": "panne-2"})
        assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
        assert "panne-2" in page.text and "/static/atlas." in page.text  # the styled page
        assert "content-security-policy" in page.headers
        assert page.headers["x-request-id"] == "panne-2"
    assert "Traceback" in (tmp_path / "stderr.log").read_text()  # logged for the operator


# ---------------------------------------------------------------- ETags across an update


def test_record_etags_survive_an_update_of_another_record(index_dir: Path,
                                                          tmp_path: Path) -> None:
    index = tmp_path / "index"
    shutil.copytree(index_dir, index)
    with serving(index, tmp_path / "stderr.log") as base, httpx.Client(base_url=base) as c:
        before = c.get("/healthz").json()["version"]
        other = c.get("/api/search", params={"sort": "year_desc", "size": 3}).json()["hits"]
        ids = [SEED_ID, *(h["id"] for h in other if h["id"] not in (SEED_ID, "hostile_xss"))]
        one = c.get(f"/api/projects/{SEED_ID}")
        batch = c.get("/api/projects", params={"id": ids})
        searched = c.get("/api/search", params={"q": "eau"})
        victim = c.get("/api/projects/hostile_xss")
        changed = {**hostile_record(), "title": "Projet piège, titre revu"}
        source = tmp_path / "update.jsonl"
        source.write_text(json.dumps(changed, ensure_ascii=False) + "\n", encoding="utf-8")
        run = _atlas("update", str(source), "--index", str(index), env=_env())
        assert run.returncode == 0, run.stderr
        assert c.get("/healthz").json()["version"] != before  # the server moved on
        again = c.get(f"/api/projects/{SEED_ID}", headers={"If-None-Match": one.headers["etag"]})
        assert again.status_code == 304
        again = c.get("/api/projects", params={"id": ids},
                      headers={"If-None-Match": batch.headers["etag"]})
        assert again.status_code == 304
        fresh = c.get("/api/projects/hostile_xss",
                      headers={"If-None-Match": victim.headers["etag"]})
        assert fresh.status_code == 200 and fresh.json()["title"] == changed["title"]
        moved = c.get("/api/search", params={"q": "eau"},
                      headers={"If-None-Match": searched.headers["etag"]})
        assert moved.status_code == 200 and moved.headers["etag"] != searched.headers["etag"]

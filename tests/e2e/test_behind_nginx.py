"""The site at a sub-path behind a real nginx (Debian's package), running deploy/nginx.conf.

nginx listens on a free loopback port and proxies `/atlas/` to a real `atlas serve
--root-path /atlas` process (with an API token, so that the website's downloads are seen to
stay public). Every link, asset, redirect, form, toggle, export, the OpenAPI `servers` and
/docs must work through the prefix; Chromium walks a search, a filter, a project and a
download through it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import SEED_ID, free_port, wait_until_serving

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE_CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"
CHROMIUM = Path("/usr/bin/chromium")
TOKEN = "jeton-de-test"
PREFIX = "/atlas"

MAIN_CONF = """\
{user}daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 128; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/atlas.conf;
}}
"""


def _site_conf(nginx_port: int, app_port: int) -> str:
    """deploy/nginx.conf with only its two ports changed."""
    text = SITE_CONF.read_text(encoding="utf-8")
    assert "listen 80;" in text and "server 127.0.0.1:8000;" in text
    return (text.replace("listen 80;", f"listen 127.0.0.1:{nginx_port};")
                .replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"))


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def proxied(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (.ci/run installs Debian's package)")
    app_port, nginx_port = free_port(), free_port()
    env = {**os.environ, "ATLAS_API_TOKEN": TOKEN}
    env.pop("ATLAS_ROOT_PATH", None)
    app = subprocess.Popen(
        [sys.executable, "-m", "search_app.cli", "serve", "--index", str(index_dir),
         "--port", str(app_port), "--root-path", PREFIX],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_until_serving(f"http://127.0.0.1:{app_port}", app,
                       lambda: app.stderr.read().decode()[-800:])
    conf_dir = tmp_path_factory.mktemp("nginx")
    (conf_dir / "atlas.conf").write_text(_site_conf(nginx_port, app_port), encoding="utf-8")
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the temp dir
    (conf_dir / "nginx.conf").write_text(MAIN_CONF.format(user=user, dir=conf_dir))
    nginx = subprocess.Popen(
        [NGINX, "-p", str(conf_dir), "-c", str(conf_dir / "nginx.conf"),
         "-e", str(conf_dir / "error.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{nginx_port}{PREFIX}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if nginx.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("nginx did not start: " + nginx.stderr.read().decode()
                                   + (conf_dir / "error.log").read_text())
            time.sleep(0.1)
        yield base
    finally:
        _stop(nginx)
        _stop(app)


def _links(html: str) -> list[str]:
    return re.findall(r'(?:href|src|action|data-suggest-url)="([^"#][^"]*)"', html)


def test_every_link_asset_and_form_is_under_the_prefix(proxied: str) -> None:
    origin = proxied.removesuffix(PREFIX)
    with httpx.Client(base_url=origin, timeout=30) as client:
        pages = [f"{PREFIX}/", f"{PREFIX}/?q=eau", f"{PREFIX}/?q=eau&country=SN",
                 f"{PREFIX}/projects/{SEED_ID}", f"{PREFIX}/collectivites",
                 f"{PREFIX}/collectivites/clermont-ferrand", f"{PREFIX}/pays/MX",
                 f"{PREFIX}/filtres/country", f"{PREFIX}/nulle-part"]
        assets: set[str] = set()
        for path in pages:
            response = client.get(path)
            assert response.status_code in (200, 404), path
            links = [link.replace("&amp;", "&") for link in _links(response.text)]
            assert links, path
            site = [link for link in links if not link.startswith(("http", "data:", "mailto:"))]
            outside = [link for link in site if not link.startswith(PREFIX + "/")]
            assert outside == [], (path, outside[:5])
            assets |= {link for link in site if "/static/" in link}
        assert len(assets) >= 3  # CSS, JS, map sprite
        for url in assets:
            assert client.get(url).status_code == 200, url
        # A sample of the search page's links, each answered through the proxy.
        html = client.get(f"{PREFIX}/?q=eau").text
        for link in sorted(set(_links(html)))[:40]:
            assert client.get(link.replace("&amp;", "&")).status_code == 200, link
        # A page past the end redirects to the last one, under the prefix.
        late = client.get(f"{PREFIX}/?q=eau&page=999")
        assert late.status_code == 303 and late.headers["location"].startswith(f"{PREFIX}/?")
        assert client.get(late.headers["location"]).status_code == 200


def test_api_openapi_and_docs_under_the_prefix(proxied: str) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=proxied, timeout=30) as client:
        answer = client.get("/api/search", params={"q": "eau"}, headers=auth).json()
        toggles = [i["toggle_url"] for items in answer["facets"].values() for i in items]
        assert toggles and all(t.startswith(f"{PREFIX}/?") for t in toggles)
        assert client.get(toggles[0]).status_code == 200
        authority = client.get("/api/authorities/clermont-ferrand", headers=auth).json()
        assert authority["search_url"].startswith(f"{PREFIX}/api/search?")
        spec = client.get("/openapi.json").json()
        assert spec["servers"] == [{"url": PREFIX}]
        docs = client.get("/docs").text
        assert f'data-openapi-url="{PREFIX}/openapi.json"' in docs
        for src in re.findall(r'(?:href|src)="([^"]+)"', docs):
            assert src.startswith(f"{PREFIX}/static/"), src
            assert client.get(src.removeprefix(PREFIX)).status_code == 200, src


def test_forwarded_headers_reach_the_log_and_answers(proxied: str) -> None:
    response = httpx.get(f"{proxied}/healthz", headers={"X-Request-ID": "suivi-42"})
    assert response.status_code == 200
    # nginx sets its own $request_id: the app echoes the id it was given.
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


@pytest.fixture
def page(proxied: str) -> Iterator:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(locale="fr-FR", accept_downloads=True,
                                      viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        failed: list[str] = []
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
        yield page
        context.close()
        browser.close()
    assert errors == [] and failed == []


@pytest.mark.browser
def test_browser_walks_search_filter_project_download(page, proxied: str) -> None:
    page.goto(proxied + "/")
    # Styled: the stylesheet came through the prefix.
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != "\"Times New Roman\""
    assert page.evaluate("document.styleSheets.length") >= 1
    box = page.get_by_label("Rechercher un projet")
    box.fill("eau")
    box.press("Enter")
    page.wait_for_url(re.compile(rf"{PREFIX}/\?q=eau"))
    link = page.locator("#facette-country-liste a.facet-link").first
    link.click()
    page.wait_for_url(re.compile(rf"{PREFIX}/\?.*country="))
    assert page.locator("ul.chips a.chip").count() == 1
    filtered = page.url
    page.locator("ol.hits .hit-title a").first.click()
    page.wait_for_url(re.compile(rf"{PREFIX}/projects/"))
    assert page.locator("h1").count() == 1
    page.goto(filtered)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger (Excel)").click()
    download = download_info.value
    assert download.url.startswith(f"{proxied}/telechargements/recherche.xlsx?")
    assert Path(download.path()).read_bytes()[:2] == b"PK"  # a workbook, not a 401
    page.goto(proxied + "/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Atlas API" in page.locator(".swagger-ui .info .title").inner_text()
    operation = page.locator(".opblock-summary-path", has_text="/api/search").first
    operation.click()  # unfolds: parameters, responses, the media types, "Try it out"
    page.get_by_role("button", name="Try it out").first.wait_for()
    page.locator(".btn.authorize").first.click()  # where the token is pasted
    page.locator(".modal-ux .auth-container").first.wait_for()

"""What travels on the wire: compressed answers and cacheable, content-hashed static assets."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest
import zstandard

from search_app.web.assets import IMMUTABLE, asset_url, content_hash

DECODE = {"gzip": gzip.decompress, "br": brotli.decompress,
          "zstd": lambda b: zstandard.ZstdDecompressor().decompressobj().decompress(b)}


def timeless(body: bytes) -> bytes:
    """Without the search time and cache flag, the parts that change between two calls."""
    return re.sub(rb'"took_ms":[0-9.]+|"cached":(true|false)|[0-9]+ ms', b"", body)


def raw(client, url: str, encoding: str, **headers: str) -> tuple[bytes, dict]:
    """The body exactly as sent (not decoded) and the headers."""
    with client.stream("GET", url, headers={"Accept-Encoding": encoding, **headers}) as r:
        assert r.status_code in (200, 304), (url, r.status_code)
        return b"".join(r.iter_raw()), dict(r.headers)


@pytest.mark.parametrize("encoding", ["gzip", "br", "zstd"])
@pytest.mark.parametrize("url", ["/", "/?q=eau&country=SN", "/api/search?q=eau",
                                 "/api/search.csv?q=eau"])
def test_answers_are_compressed_as_asked(client, url: str, encoding: str) -> None:
    body, headers = raw(client, url, encoding)
    plain, plain_headers = raw(client, url, "identity")
    assert headers["content-encoding"] == encoding
    assert "accept-encoding" in headers["vary"].lower()
    assert "content-encoding" not in plain_headers
    assert timeless(DECODE[encoding](body)) == timeless(plain)
    assert len(body) * 3 < len(plain)


def test_browser_preference_picks_the_best_encoding(client) -> None:
    _, headers = raw(client, "/", "gzip, deflate, br, zstd")
    assert headers["content-encoding"] in ("zstd", "br")
    _, headers = raw(client, "/", "gzip;q=1, br;q=0")
    assert headers["content-encoding"] == "gzip"


def test_small_answers_stay_plain(client) -> None:
    body, headers = raw(client, "/api/suggest?q=zzzzqq", "gzip")
    assert len(body) < 1024 and "content-encoding" not in headers


def test_csv_export_stays_streamed(client) -> None:
    """Compressed chunk by chunk: no Content-Length, so it was never held whole."""
    body, headers = raw(client, "/api/search.csv", "gzip")
    assert headers["content-encoding"] == "gzip" and "content-length" not in headers
    assert gzip.decompress(body).decode("utf-8-sig").startswith('"Identifiant";"Titre";')


def test_search_page_is_light_on_the_wire(client) -> None:
    body, _ = raw(client, "/", "gzip")
    assert len(body) <= 30_000
    assert "<path" not in gzip.decompress(body).decode()  # the map's shapes are elsewhere


def test_templates_reference_hashed_assets(client) -> None:
    html = client.get("/").text
    static = set(re.findall(r'(?:href|src)="(/static/[^"#]+)', html))
    assert static == {asset_url("atlas.css"), asset_url("atlas.js"), asset_url("worldmap.svg")}
    assert all(re.fullmatch(r"/static/\w+\.[0-9a-f]{12}\.\w+", url) for url in static)
    assert asset_url("atlas.css") == f"/static/atlas.{content_hash('atlas.css')}.css"


@pytest.mark.parametrize("name", ["atlas.css", "atlas.js", "worldmap.svg"])
def test_hashed_assets_are_immutable(client, name: str) -> None:
    url = asset_url(name)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["cache-control"] == IMMUTABLE == (
        "public, max-age=31536000, immutable")
    # Revalidation still works (a reload), and says the same.
    again = client.get(url, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["cache-control"] == IMMUTABLE
    # The plain name and a stale hash answer the current file, to be revalidated.
    stem, ext = name.rsplit(".", 1)
    for other in (f"/static/{name}", f"/static/{stem}.000000000000.{ext}"):
        plain = client.get(other)
        assert plain.status_code == 200 and plain.content == response.content
        assert plain.headers["cache-control"] == "no-cache"


def test_sprite_is_svg_and_compressed(client) -> None:
    body, headers = raw(client, asset_url("worldmap.svg"), "gzip")
    assert headers["content-type"].startswith("image/svg+xml")
    assert headers["content-encoding"] == "gzip"
    assert b'<g id="world">' in gzip.decompress(body)


def test_unknown_static_files_are_404(client) -> None:
    assert client.get("/static/nope.css").status_code == 404
    assert client.get("/static/nope.0123456789ab.css").status_code == 404
    assert client.get("/static/../app.py").status_code == 404


def test_pages_and_api_are_not_cached_blindly(client) -> None:
    for url in ("/", "/api/search?q=eau", f"/projects/{'000_671a6b7235ccf533'}"):
        cache = client.get(url).headers.get("cache-control", "")
        assert "immutable" not in cache and "max-age=31536000" not in cache


def test_page_weight_measure(live_server: str) -> None:
    """bench/page_weight.py against a real server: the issue's budgets on the fixture index."""
    from bench.page_weight import measure

    search, project = measure(live_server, ["/?q=eau", "/projects/{project}"])
    assert search["html_encoding"] in ("zstd", "br")
    assert search["html_browser_bytes"] <= search["html_gzip_bytes"] <= 30_000
    assert search["html_gzip_bytes"] * 4 < search["html_identity_bytes"]
    assert len(search["assets"]) == 3 and search["first_view_bytes"] <= 60_000
    assert search["repeat_view_refetched_assets"] == []
    assert project["path"].startswith("/projects/") and project["html_gzip_bytes"] > 0

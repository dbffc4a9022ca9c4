"""Page weight on the wire: what a first and a repeat view of the pages cost a slow link.

For each page (search, a filtered search, zero results, a project page) it fetches the HTML as
a browser would (``Accept-Encoding: gzip, deflate, br, zstd``, and gzip only), then every
stylesheet, script and SVG sprite the page references, and reports the bytes on the wire:
the HTML alone, the first view (HTML plus assets) and the repeat view (HTML plus the assets a
browser would fetch again: those without a fresh ``Cache-Control: max-age``).

    python -m bench.page_weight --index index            # serves the index on a free port
    python -m bench.page_weight --url http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

BROWSER_ENCODINGS = "gzip, deflate, br, zstd"
ASSET = re.compile(r"""(?:href|src)="(/static/[^"#]+)""")
MAX_AGE = re.compile(r"max-age=(\d+)")


def _wire(client: httpx.Client, url: str, encoding: str) -> tuple[int, httpx.Response]:
    """Bytes of the body as sent (compressed), and the response."""
    response = client.get(url, headers={"Accept-Encoding": encoding})
    return response.num_bytes_downloaded, response


def page_weight(client: httpx.Client, path: str) -> dict[str, Any]:
    html_br, page = _wire(client, path, BROWSER_ENCODINGS)
    html_gzip, _ = _wire(client, path, "gzip")
    html_raw, _ = _wire(client, path, "identity")
    assets: dict[str, dict[str, Any]] = {}
    for url in dict.fromkeys(ASSET.findall(page.text)):
        size, response = _wire(client, url, BROWSER_ENCODINGS)
        assets[url] = {"bytes": size, "status": response.status_code,
                       "cache_control": response.headers.get("cache-control", ""),
                       "encoding": response.headers.get("content-encoding", "identity")}
    first = html_br + sum(a["bytes"] for a in assets.values())
    refetched = [url for url, a in assets.items() if not _cached_headers(a["cache_control"])]
    return {
        "path": path,
        "html_identity_bytes": html_raw,
        "html_gzip_bytes": html_gzip,
        "html_browser_bytes": html_br,
        "html_encoding": page.headers.get("content-encoding", "identity"),
        "assets": assets,
        "first_view_bytes": first,
        "repeat_view_refetched_assets": refetched,
    }


def _cached_headers(cache_control: str) -> bool:
    found = MAX_AGE.search(cache_control)
    return bool(found and int(found.group(1)) > 0)


def measure(base_url: str, paths: list[str]) -> list[dict[str, Any]]:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        project = client.get("/api/search", params={"size": 1}).json()["hits"][0]["id"]
        return [page_weight(client, p.replace("{project}", project)) for p in paths]


@contextmanager
def serve(index: Path) -> Iterator[str]:
    import uvicorn

    from search_app.settings import Settings
    from search_app.web.app import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(Settings(index_dir=index)),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


PATHS = ["/", "/?q=eau", "/?q=eau&country=SN", "/?q=zzzqqqxx", "/projects/{project}"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="a running server")
    where.add_argument("--index", type=Path, help="serve this index on a free loopback port")
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON")
    args = parser.parse_args(argv)
    if args.url:
        results = measure(args.url, PATHS)
    else:
        with serve(args.index) as url:
            results = measure(url, PATHS)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'page':<24} {'HTML raw':>9} {'gzip':>8} {'browser':>8} {'1st view':>9}  refetched")
    for r in results:
        print(f"{r['path'][:24]:<24} {r['html_identity_bytes']:>9,} {r['html_gzip_bytes']:>8,} "
              f"{r['html_browser_bytes']:>8,} {r['first_view_bytes']:>9,}  "
              f"{len(r['repeat_view_refetched_assets'])} of {len(r['assets'])} assets")


if __name__ == "__main__":
    main()

"""Static assets under content-hashed URLs, cached by browsers for a year.

Templates write ``asset_url("atlas.css")``, which gives ``/static/atlas.<hash>.css``: the hash
is taken from the file's bytes, so a changed file gets a new URL and a browser never has to
revalidate the old one (``Cache-Control: public, max-age=31536000, immutable``). A URL without
the hash, or with a stale one, still answers with the current file, with ``no-cache`` so it is
revalidated by its ETag.

Besides the files of ``search_app/web/static``, a few assets are generated once per process from
Python (the world map's country shapes, see ``worldmap.sprite_svg``) and served the same way.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

from search_app.web.urls import site_url

STATIC_DIR = Path(__file__).resolve().parent / "static"
URL_PREFIX = "/static/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
HASH_LENGTH = 12
_HASHED = re.compile(rf"^(?P<stem>[\w-]+)\.(?P<hash>[0-9a-f]{{{HASH_LENGTH}}})(?P<ext>\.\w+)$")
MEDIA_TYPES = {".svg": "image/svg+xml", ".css": "text/css", ".js": "text/javascript"}


# Assets made by code, registered by the module that makes them (`worldmap` registers its
# sprite when imported): name -> function giving the bytes.
GENERATORS: dict[str, Callable[[], bytes]] = {}


def register_generated(name: str, make: Callable[[], bytes]) -> None:
    GENERATORS[name] = make


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:HASH_LENGTH]


@lru_cache(maxsize=64)
def _file_digest(path: str, mtime_ns: int, size: int) -> str:
    return _digest(Path(path).read_bytes())


def generated(name: str) -> tuple[bytes, str] | None:
    """The bytes of a generated asset and their hash; None for a name that is not one."""
    return _generated(name) if name in GENERATORS else None


@lru_cache(maxsize=16)
def _generated(name: str) -> tuple[bytes, str]:
    data = GENERATORS[name]()
    return data, _digest(data)


def content_hash(name: str) -> str | None:
    """Hash of a static file (re-read when it changes on disk) or generated asset."""
    made = generated(name)
    if made is not None:
        return made[1]
    path = STATIC_DIR / name
    try:
        info = path.stat()
    except OSError:
        return None
    return _file_digest(str(path), info.st_mtime_ns, info.st_size)


def asset_url(name: str) -> str:
    """``atlas.css`` -> ``/static/atlas.0123456789ab.css`` (under the request's root path);
    the plain URL for unknown names."""
    digest = content_hash(name)
    if digest is None:
        return site_url(URL_PREFIX + name)
    stem, dot, ext = name.rpartition(".")
    hashed = f"{stem}.{digest}.{ext}" if dot else f"{name}.{digest}"
    return site_url(URL_PREFIX + hashed)


@lru_cache(maxsize=1)
def favicon_uri() -> str:
    """The site icon as a `data:` URI: drawn with the page, no request of its own (a
    browser's favicon fetch is not served from its HTTP cache on a repeat view)."""
    svg = (STATIC_DIR / "favicon.svg").read_text(encoding="utf-8").strip()
    return "data:image/svg+xml," + quote(svg, safe=" :/=\"'<>#")


def split_hashed(path: str) -> tuple[str, str | None]:
    """``atlas.0123456789ab.css`` -> (``atlas.css``, ``0123456789ab``); unhashed names as is."""
    found = _HASHED.match(path)
    if not found:
        return path, None
    return found["stem"] + found["ext"], found["hash"]


class AssetFiles(StaticFiles):
    """Starlette's StaticFiles (ETag, Last-Modified, 304, HEAD) plus hashed names, the
    Cache-Control that goes with them, and the generated assets."""

    def __init__(self, directory: str | os.PathLike[str] = STATIC_DIR) -> None:
        super().__init__(directory=directory)

    async def get_response(self, path: str, scope: Scope) -> Response:
        name, wanted = split_hashed(path)
        made = generated(name) if scope["method"] in ("GET", "HEAD") else None
        if made is None and ("/" in name or Path(name).suffix not in MEDIA_TYPES):
            # Only assets: the folder is a Python package too (`__init__.py`, caches).
            raise HTTPException(status_code=404)
        if made is not None:
            response = self._generated_response(name, *made, scope)
            current = made[1]
        else:
            response = await super().get_response(name, scope)
            current = content_hash(name)
        response.headers["Cache-Control"] = (
            IMMUTABLE if wanted is not None and wanted == current else REVALIDATE)
        return response

    def _generated_response(self, name: str, data: bytes, digest: str, scope: Scope
                            ) -> Response:
        media_type = MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream")
        response = Response(data, media_type=media_type, headers={"ETag": f'"{digest}"'})
        if self.is_not_modified(response.headers, Headers(scope=scope)):
            return NotModifiedResponse(response.headers)
        return response

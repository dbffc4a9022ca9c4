"""All configuration in one place, read when the app is created (never at import).

| variable | meaning |
|---|---|
| `ATLAS_INDEX` | index directory (default `./index`) |
| `ATLAS_API_TOKEN` | when set, `/api/*` needs `Authorization: Bearer <token>` (printable ASCII) |
| `ATLAS_SYNONYMS` | a synonyms file (Solr format) replacing the bundled list |
| `ATLAS_ROOT_PATH` | the sub-path behind a proxy (`/atlas`); also `atlas serve --root-path` |
| `ATLAS_FORWARDED_ALLOW_IPS` | proxies (IPs, networks, `*`; comma-separated) whose |
| | `X-Forwarded-Prefix`/`-For`/`-Proto` are believed (default `127.0.0.1`) |
| `ATLAS_CORS_ORIGINS` | origins (comma-separated) whose pages may call the API; none by default |
| `ATLAS_LOG_FORMAT` | `text` (default) or `json`: the access log, one JSON object per line |
| `ATLAS_MAX_EXPORTS` | exports streamed at once per worker (default 4); beyond, `503` |
| `ATLAS_INLINE_SEARCH_RECORDS` | API searches of a version of at most this many records (default |
| | 200,000; 0: none) and answers already kept run on the event loop, others in the thread pool |

A bad value raises `SettingsError` (or `SynonymsError`) with one line naming it; `atlas serve`
prints it and exits before starting.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from indexer.synonyms import Synonyms, load_synonyms

# RFC 6750 token68 and then some: printable ASCII without spaces, as an HTTP header carries it.
TOKEN_PATTERN = re.compile(r"[\x21-\x7e]+")
ROOT_PATTERN = re.compile(r"(/[A-Za-z0-9._~-]+)+")
ORIGIN_PATTERN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]+)?")


class SettingsError(ValueError):
    """A setting with a value the server cannot use."""


@dataclass(frozen=True)
class Settings:
    index_dir: Path = field(default_factory=lambda: Path("index"))
    api_token: str | None = None
    cache_size: int = 256  # answers with facets are ~100 KB each: bounded per worker
    synonyms_file: Path | None = None  # None: the bundled list (indexer/data/synonyms.txt)
    root_path: str = ""  # "" or "/atlas": the prefix every URL the site writes carries
    forwarded_allow_ips: tuple[str, ...] = ("127.0.0.1",)
    cors_origins: tuple[str, ...] = ()
    log_format: str = "text"
    max_exports: int = 4  # per worker: each holds a store connection and a pool thread
    # An API search of a version this small runs on the event loop, not in the thread pool
    # (`web.deps.run_search`; README, « Running it for others », for the measured trade).
    inline_search_records: int = 200_000

    def __post_init__(self) -> None:
        root = self.root_path.strip().rstrip("/")
        if root and (not root.startswith("/") or not ROOT_PATTERN.fullmatch(root)):
            raise SettingsError(
                f"ATLAS_ROOT_PATH must be a path like /atlas, not {self.root_path!r}")
        object.__setattr__(self, "root_path", root)
        for entry in self.forwarded_allow_ips:
            if entry != "*":
                try:
                    ipaddress.ip_network(entry, strict=False)
                except ValueError:
                    raise SettingsError(
                        f"ATLAS_FORWARDED_ALLOW_IPS: {entry!r} is not an IP address or network"
                    ) from None
        for origin in self.cors_origins:
            if origin != "*" and not ORIGIN_PATTERN.fullmatch(origin):
                raise SettingsError(
                    f"ATLAS_CORS_ORIGINS: {origin!r} is not an origin like https://example.org")
        if self.log_format not in ("text", "json"):
            raise SettingsError(f"ATLAS_LOG_FORMAT must be text or json, not {self.log_format!r}")
        if self.api_token is not None and not TOKEN_PATTERN.fullmatch(self.api_token):
            raise SettingsError(
                "ATLAS_API_TOKEN must be printable ASCII without spaces (an HTTP header "
                "cannot carry it otherwise)")
        if self.max_exports < 1:
            raise SettingsError("ATLAS_MAX_EXPORTS must be 1 or more")
        if self.cache_size < 0:
            raise SettingsError("cache_size must be 0 or more")
        if self.inline_search_records < 0:
            raise SettingsError("ATLAS_INLINE_SEARCH_RECORDS must be 0 or more")

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Environment (the `ATLAS_*` variables above), then overrides."""
        token = os.environ.get("ATLAS_API_TOKEN")
        if token is not None and not token.strip():
            # Set but empty: a typo in a unit file must not quietly open the API.
            raise SettingsError("ATLAS_API_TOKEN is set but empty: give a token or unset it")
        values: dict[str, object] = {
            "index_dir": Path(os.environ.get("ATLAS_INDEX") or "index"),
            "api_token": token,
            "synonyms_file": os.environ.get("ATLAS_SYNONYMS") or None,
            "root_path": os.environ.get("ATLAS_ROOT_PATH") or "",
            "forwarded_allow_ips": _split(os.environ.get("ATLAS_FORWARDED_ALLOW_IPS"),
                                          ("127.0.0.1",)),
            "cors_origins": _split(os.environ.get("ATLAS_CORS_ORIGINS"), ()),
            "log_format": (os.environ.get("ATLAS_LOG_FORMAT") or "text").strip().lower(),
            "max_exports": os.environ.get("ATLAS_MAX_EXPORTS") or None,
            "inline_search_records": os.environ.get("ATLAS_INLINE_SEARCH_RECORDS") or None,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        values["index_dir"] = Path(values["index_dir"])  # type: ignore[arg-type]
        for name in ("max_exports", "inline_search_records"):
            if values.get(name) is None:
                values.pop(name, None)
                continue
            try:
                values[name] = int(values[name])  # type: ignore[call-overload]
            except ValueError:
                raise SettingsError(f"ATLAS_{name.upper()} must be a whole number") from None
        if values["synonyms_file"] is not None:
            values["synonyms_file"] = Path(values["synonyms_file"])  # type: ignore[arg-type]
        return cls(**values)  # type: ignore[arg-type]

    def synonyms(self) -> Synonyms:
        """The query-time synonyms; a malformed line raises SynonymsError naming it."""
        return load_synonyms(self.synonyms_file)


def _split(value: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    """A comma-separated list; unset gives `default`."""
    if value is None:
        return default
    return tuple(part.strip().rstrip("/") for part in value.split(",") if part.strip())

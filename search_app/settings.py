"""All configuration in one place, read when the app is created (never at import).

| variable | meaning |
|---|---|
| `ATLAS_INDEX` | index directory (default `./index`) |
| `ATLAS_API_TOKEN` | when set, `/api/*` needs `Authorization: Bearer <token>` (printable ASCII) |
| `ATLAS_SYNONYMS` | a synonyms file (Solr format) replacing the bundled list |
| `ATLAS_MAX_EXPORTS` | exports streamed at once per worker (default 4); beyond, `503` |

A bad value raises `SettingsError` (or `SynonymsError`) with one line naming it; `atlas serve`
prints it and exits before starting.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from indexer.synonyms import Synonyms, load_synonyms

# RFC 6750 token68 and then some: printable ASCII without spaces, as an HTTP header carries it.
TOKEN_PATTERN = re.compile(r"[\x21-\x7e]+")


class SettingsError(ValueError):
    """A setting with a value the server cannot use."""


@dataclass(frozen=True)
class Settings:
    index_dir: Path = field(default_factory=lambda: Path("index"))
    api_token: str | None = None
    cache_size: int = 256  # answers with facets are ~100 KB each: bounded per worker
    synonyms_file: Path | None = None  # None: the bundled list (indexer/data/synonyms.txt)
    max_exports: int = 4  # per worker: each holds a store connection and a pool thread

    def __post_init__(self) -> None:
        if self.api_token is not None and not TOKEN_PATTERN.fullmatch(self.api_token):
            raise SettingsError(
                "ATLAS_API_TOKEN must be printable ASCII without spaces (an HTTP header "
                "cannot carry it otherwise)")
        if self.max_exports < 1:
            raise SettingsError("ATLAS_MAX_EXPORTS must be 1 or more")
        if self.cache_size < 0:
            raise SettingsError("cache_size must be 0 or more")

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Environment (`ATLAS_INDEX`, `ATLAS_API_TOKEN`, `ATLAS_SYNONYMS`), then overrides."""
        values: dict[str, object] = {
            "index_dir": Path(os.environ.get("ATLAS_INDEX") or "index"),
            "api_token": os.environ.get("ATLAS_API_TOKEN") or None,
            "synonyms_file": os.environ.get("ATLAS_SYNONYMS") or None,
            "max_exports": os.environ.get("ATLAS_MAX_EXPORTS") or None,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        values["index_dir"] = Path(values["index_dir"])  # type: ignore[arg-type]
        if values.get("max_exports") is None:
            values.pop("max_exports", None)
        else:
            try:
                values["max_exports"] = int(values["max_exports"])  # type: ignore[arg-type]
            except ValueError:
                raise SettingsError("ATLAS_MAX_EXPORTS must be a whole number") from None
        if values["synonyms_file"] is not None:
            values["synonyms_file"] = Path(values["synonyms_file"])  # type: ignore[arg-type]
        return cls(**values)  # type: ignore[arg-type]

    def synonyms(self) -> Synonyms:
        """The query-time synonyms; a malformed line raises SynonymsError naming it."""
        return load_synonyms(self.synonyms_file)

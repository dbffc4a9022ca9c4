"""All configuration in one place, read when the app is created (never at import)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from indexer.synonyms import Synonyms, load_synonyms


@dataclass(frozen=True)
class Settings:
    index_dir: Path = field(default_factory=lambda: Path("index"))
    page_size: int = 20
    api_token: str | None = None
    cache_size: int = 256  # answers with facets are ~100 KB each: bounded per worker
    synonyms_file: Path | None = None  # None: the bundled list (indexer/data/synonyms.txt)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Environment (`ATLAS_INDEX`, `ATLAS_API_TOKEN`, `ATLAS_PAGE_SIZE`,
        `ATLAS_SYNONYMS`), then overrides."""
        values: dict[str, object] = {
            "index_dir": Path(os.environ.get("ATLAS_INDEX") or "index"),
            "api_token": os.environ.get("ATLAS_API_TOKEN") or None,
            "page_size": int(os.environ.get("ATLAS_PAGE_SIZE") or 20),
            "synonyms_file": os.environ.get("ATLAS_SYNONYMS") or None,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        values["index_dir"] = Path(values["index_dir"])  # type: ignore[arg-type]
        if values["synonyms_file"] is not None:
            values["synonyms_file"] = Path(values["synonyms_file"])  # type: ignore[arg-type]
        return cls(**values)  # type: ignore[arg-type]

    def synonyms(self) -> Synonyms:
        """The query-time synonyms; a malformed line raises SynonymsError naming it."""
        return load_synonyms(self.synonyms_file)

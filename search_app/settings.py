"""All configuration in one place, read when the app is created (never at import)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    index_dir: Path = field(default_factory=lambda: Path("index"))
    page_size: int = 20
    api_token: str | None = None
    cache_size: int = 256  # answers with facets are ~100 KB each: bounded per worker

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Environment (`ATLAS_INDEX`, `ATLAS_API_TOKEN`, `ATLAS_PAGE_SIZE`), then overrides."""
        values: dict[str, object] = {
            "index_dir": Path(os.environ.get("ATLAS_INDEX") or "index"),
            "api_token": os.environ.get("ATLAS_API_TOKEN") or None,
            "page_size": int(os.environ.get("ATLAS_PAGE_SIZE") or 20),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        values["index_dir"] = Path(values["index_dir"])  # type: ignore[arg-type]
        return cls(**values)  # type: ignore[arg-type]

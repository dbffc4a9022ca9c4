"""The serving limits of `atlas serve` (see `serving.py`), without importing the server."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

ENV_PREFIX = "ATLAS_SERVE_"


@dataclass(frozen=True)
class Limits:
    max_head_bytes: int = 64 * 1024  # request line + headers; 100 ids of 200 chars fit
    max_headers: int = 100
    header_timeout: float = 10.0
    keep_alive: int = 5
    write_timeout: float = 30.0
    max_connections: int = 800

    @classmethod
    def from_env(cls) -> Limits:
        """The limits `atlas serve` put in the environment (`ATLAS_SERVE_<NAME>`)."""
        values = {}
        for f in fields(cls):
            raw = os.environ.get(ENV_PREFIX + f.name.upper())
            if raw:
                values[f.name] = float(raw) if isinstance(f.default, float) else int(raw)
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        return {ENV_PREFIX + f.name.upper(): str(getattr(self, f.name)) for f in fields(self)}

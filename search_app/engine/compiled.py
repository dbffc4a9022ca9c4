"""The engine's compiled loops (`facetpass`, `bm25`): numba's setup and their dispatchers,
in one place.

numba is imported at a loop's first use (a second or so), not by every command line; each
loop is compiled once, or loaded from numba's cache, and stays the plain Python function
when numba is missing.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from collections.abc import Callable
from itertools import product
from pathlib import Path
from typing import Any

# numba writes its compiled machine code beside the source by default, which an installed
# package may not allow: a folder the process can write, unless the environment names one.
os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(tempfile.gettempdir()) / "atlas-numba"))

AVAILABLE = importlib.util.find_spec("numba") is not None

_DISPATCHERS: dict[Callable[..., Any], Any] = {}


def kernel(function: Callable[..., Any],
           signatures: Callable[[], list[Any]] | None = None) -> Any:
    """`function` compiled (nogil, cached on disk), made on first call and kept; the function
    itself without numba. `signatures` (numba types, made once numba is imported) declares
    every type it takes: all compiled at once, none later by a request."""
    found = _DISPATCHERS.get(function)
    if found is None:
        if AVAILABLE:
            import numba

            jit = numba.njit(signatures(), cache=True, nogil=True) if signatures else \
                numba.njit(cache=True, nogil=True)
            found = jit(function)
        else:
            found = function
        _DISPATCHERS[function] = found
    return found


def signatures(result: str, *args: str) -> Callable[[], list[Any]]:
    """Every typing of a loop, for `kernel`: `result` and `args` name numba types (`f32`,
    `f64`, `i32`, `i64`, `bool`, `void`); with `[]` a C array the loop only reads, declared
    both writable and read-only (postings read from disk and a kept match's arrays are
    read-only, others not), with `[]w` one always writable (the loop writes it, or the
    caller's own). So every variant is compiled before any request."""
    def make() -> list[Any]:
        from numba import types

        scalars = {"f32": types.float32, "f64": types.float64, "i32": types.int32,
                   "i64": types.int64, "bool": types.boolean, "void": types.void}
        choices = []
        for arg in args:
            kind, array, use = arg.partition("[]")
            if array:
                flags = (False,) if use == "w" else (False, True)
                choices.append([types.Array(scalars[kind], 1, "C", readonly=ro) for ro in flags])
            else:
                choices.append([scalars[kind]])
        return [scalars[result](*combo) for combo in product(*choices)]
    return make

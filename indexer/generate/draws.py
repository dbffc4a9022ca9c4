"""Cheap draws from a `random.Random`.

random.choice/randint cost about 1 µs each through _randbelow; one float draw is three
times cheaper and these run about 100 times per page. Changing how a draw is made changes
every page of a seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any


def choice(rng: random.Random, seq: Sequence[Any]) -> Any:
    return seq[int(rng.random() * len(seq))]


def randint(rng: random.Random, a: int, b: int) -> int:
    return a + int(rng.random() * (b - a + 1))


def pick_cum(rng: random.Random, items: Sequence[Any], cum: Sequence[float]) -> Any:
    return rng.choices(items, cum_weights=cum, k=1)[0]

"""French authorities and the grammar their names take in a sentence."""

from __future__ import annotations

import random

from .draws import choice
from .vocabulary import COMMUNES, DEPARTEMENTS, INTERCO, REGIONS, TOWN_HEADS, TOWN_TAILS

_VOWELS = set("AEIOUYÉÈÊÎÔÂaeiouyéèêîôâ")


def authority(rng: random.Random) -> tuple[str, str, str]:
    """(table name, subject form, "de" form) of one French authority."""
    r = rng.random()
    if r < 0.55:
        if rng.random() < 0.5:
            name = choice(rng, COMMUNES)
        else:
            name = choice(rng, TOWN_HEADS) + choice(rng, TOWN_TAILS)
        return name, f"la Ville {de(name)}", f"de la Ville {de(name)}"
    if r < 0.72:
        dep = choice(rng, DEPARTEMENTS)
        return f"Département {dep}", f"le Département {dep}", f"du Département {dep}"
    if r < 0.9:
        reg = choice(rng, REGIONS)
        return f"Région {reg}", f"la Région {reg}", f"de la Région {reg}"
    name = choice(rng, INTERCO)
    if name.startswith(("Métropole", "Eurométropole", "Communauté")):
        art = "l’" if name[0] in "EÉ" else "la "
        return name, f"{art}{name}", f"de {art}{name}"
    return name, name, f"de {name}"


def de(name: str) -> str:
    """'de Lyon' / 'd’Angers' / 'du Caire' (elision and contraction, as French writes them)."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    return f"d’{name}" if name[:1] in _VOWELS else f"de {name}"


def at(name: str) -> str:
    """'à Lyon' / 'au Mans': "à Le Mans" is not French, the leading article contracts."""
    if name.startswith("Le "):
        return "au " + name[3:]
    if name.startswith("Les "):
        return "aux " + name[4:]
    return f"à {name}"

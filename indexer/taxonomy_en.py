"""English labels of the Atlas taxonomy (`indexer/data/taxonomy_en.tsv`, reviewed): facet
names, themes, sub-themes, sub-sub-themes, statuses, partnership forms and world regions.

Values are looked up folded, so « Energies renouvelables » and « énergies renouvelables »
share their label. The records' own texts stay French.
"""

from __future__ import annotations

from functools import lru_cache

from .analysis import fold
from .wordlists import DATA

FILE = "taxonomy_en.tsv"
KINDS: tuple[str, ...] = ("facet", "theme", "sub_theme", "sub_sub_theme", "status",
                          "partnership_form", "region")


@lru_cache(maxsize=1)
def english_labels() -> dict[str, dict[str, str]]:
    """kind -> folded French value (or region slug) -> English label."""
    out: dict[str, dict[str, str]] = {kind: {} for kind in KINDS}
    text = (DATA / FILE).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) != 3 or not all(cells):
            raise ValueError(f"{FILE}:{number}: kind, value and label expected")
        kind, value, label = cells
        if kind not in out:
            raise ValueError(f"{FILE}:{number}: unknown kind {kind!r}")
        if fold(value) in out[kind]:
            raise ValueError(f"{FILE}:{number}: {kind} {value!r} twice")
        out[kind][fold(value)] = label
    return out


def english_label(kind: str, value: str, default: str | None = None) -> str | None:
    """The English label of a taxonomy value (``("status", "Terminé")`` -> ``Completed``);
    `default` when there is none."""
    return english_labels().get(kind, {}).get(fold(value), default)


def label(kind: str, value: str, language: str) -> str:
    """A value as the interface shows it: French as written, or its English label (the
    French value when no label is listed)."""
    if language == "en":
        return english_label(kind, value) or value
    return value

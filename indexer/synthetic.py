"""Which records are synthetic: generated pages carry this id prefix, and every view says so."""

SYNTHETIC_PREFIX = "syn_"


def is_synthetic(record_id: str) -> bool:
    """True for ids (or file stems) made by `atlas generate`."""
    return record_id.startswith(SYNTHETIC_PREFIX)

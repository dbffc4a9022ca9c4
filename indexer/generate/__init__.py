"""Deterministic synthetic Atlas project pages, for demo data, tests at scale and benchmarks.

Each page is written in the text format of a real Atlas page (see RECORD.md) with the same
scraping noise, and comes with `expected`: what a correct parse must give. File names start
with `syn_` (`indexer.synthetic`) so synthetic records can never be mistaken for real ones.

    vocabulary.py   the word lists, names, taxonomy and sentence templates, read from data/
    french.py       French authorities and the grammar of their names ("de", "à")
    draws.py        the cheap random draws every page makes
    page.py         one page and its expected record
    write.py        a run of pages written to a folder (`atlas generate`)

Randomness comes only from `random.Random` instances seeded with ints or strings (string
seeds go through SHA-512, not `hash()`), and nothing iterates over a set, so output does not
depend on PYTHONHASHSEED.
"""

from .page import NBSP, GeneratedPage, generate_page
from .vocabulary import THEMES, PartnerCountry, partner_countries
from .write import generate, page_rng

__all__ = [
    "NBSP", "THEMES", "GeneratedPage", "PartnerCountry", "generate", "generate_page",
    "page_rng", "partner_countries",
]

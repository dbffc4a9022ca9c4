"""Stems that merge the most distinct words in a corpus, to review over-stemming.

    python -m indexer.stem_report CORPUS [CORPUS...] [--top 2000] [--min-words 2]

Reads pages and JSON Lines as `atlas build` does, analyses the free-text fields (title,
body, themes) with the index's own chain, keeps the `--top` most frequent stems and prints,
for each stem merging at least `--min-words` distinct written words, the stem, its number
of occurrences and its words with their counts, the stems merging the most words first.
A surprising line (« commun: commune communication communiste ») goes to `_KEEP_APART`
in `indexer/analysis.py`.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from .analysis import word_keys
from .record import Record
from .schema import NAMES_FIELD, record_tokens
from .sources import expand, read_sources


def merges(records: Iterable[Record], top: int = 2000
           ) -> list[tuple[str, int, Counter]]:
    """(stem, occurrences, words under it with their counts) for the `top` most frequent
    stems, the stems with the most distinct words first."""
    words: defaultdict[str, Counter] = defaultdict(Counter)
    for record in records:
        for field, written in record_tokens(record).items():
            if field == NAMES_FIELD:
                continue
            for word in written:
                for folded, stem in word_keys(word):
                    if stem is not None:
                        words[stem][folded] += 1
    totals = Counter({stem: sum(found.values()) for stem, found in words.items()})
    frequent = [stem for stem, _ in totals.most_common(top)]
    frequent.sort(key=lambda stem: (-len(words[stem]), -totals[stem], stem))
    return [(stem, totals[stem], words[stem]) for stem in frequent]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m indexer.stem_report",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", nargs="+", type=Path, help="pages, folders, .jsonl files")
    parser.add_argument("--top", type=int, default=2000, help="most frequent stems kept")
    parser.add_argument("--min-words", type=int, default=2,
                        help="print stems merging at least this many distinct words")
    args = parser.parse_args(argv)
    records = (r for r in read_sources(expand(args.sources)) if isinstance(r, Record))
    for stem, total, found in merges(records, args.top):
        if len(found) < args.min_words:
            continue
        listed = " ".join(f"{word}:{n}" for word, n in found.most_common())
        print(f"{stem}\t{total}\t{len(found)}\t{listed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

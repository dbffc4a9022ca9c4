"""Action nouns whose verb forms a corpus also writes, to review into `data/families.txt`.

    python -m indexer.family_report CORPUS [CORPUS...] [--min-count 2] [--all]

Reads pages and JSON Lines as `atlas build` does and lists the folded words of the free text
(title, body, themes) ending in -age, -ement or -tion (and their plurals) for which a verb
form of the same root also occurs (« recyclage »: « recycler », « recyclés »; « formation »:
« forment »). A line says whether the chain already makes them meet (same stem, or one
family of `data/families.txt`); only the pairs that do not meet are printed, unless
`--all`. A line worth keeping goes to the families file, reviewed: a root shared by
unrelated words (« former »/« formation » next to « format ») stays out.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .analysis import french_stem, word_keys
from .record import Record
from .schema import NAMES_FIELD, record_tokens
from .sources import expand, read_sources
from .wordlists import family_of

# noun ending -> how much of it the root drops (« reboisement » -> « rebois »)
SUFFIXES = (("ements", 6), ("ement", 5), ("ages", 4), ("age", 3), ("ations", 6),
            ("ation", 5), ("tions", 5), ("tion", 4))
# The verb endings a root takes in texts: infinitive, present, participles, imperfect.
VERB_ENDINGS = ("er", "e", "es", "ent", "ons", "ez", "e", "ee", "es", "ees", "ait", "aient",
                "ant", "a", "ir", "it", "is", "ie", "ies", "issent")


@dataclass(frozen=True)
class Pair:
    noun: str
    noun_count: int
    verbs: tuple[tuple[str, int], ...]  # verb forms found, with their counts
    meet: bool  # the chain already brings them together


def folded_words(records: Iterable[Record]) -> Counter:
    """The folded content words of the records' free text, with their counts."""
    counts: Counter = Counter()
    for record in records:
        for field, written in record_tokens(record).items():
            if field == NAMES_FIELD:
                continue
            for word in written:
                for folded, stem in word_keys(word):
                    if stem is not None and folded.isalpha():
                        counts[folded] += 1
    return counts


def _root(noun: str) -> str | None:
    for suffix, drop in SUFFIXES:
        if noun.endswith(suffix) and len(noun) - drop >= 3:
            return noun[:-drop]
    return None


def _meet(a: str, b: str) -> bool:
    sa, sb = french_stem(a), french_stem(b)
    return sa == sb or sb in family_of(sa) or sa in family_of(sb)


def pairs(counts: Counter, min_count: int = 2) -> list[Pair]:
    """Each action noun seen `min_count` times or more with the verb forms of its root
    that occur, most frequent nouns first."""
    out = []
    for noun, n in counts.most_common():
        if n < min_count:
            break
        root = _root(noun)
        if root is None:
            continue
        verbs = sorted({root + e for e in VERB_ENDINGS} & counts.keys() - {noun})
        if not verbs:
            continue
        found = tuple((v, counts[v]) for v in verbs)
        out.append(Pair(noun, n, found, all(_meet(noun, v) for v in verbs)))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m indexer.family_report", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("corpus", nargs="+", type=Path)
    p.add_argument("--min-count", type=int, default=2)
    p.add_argument("--all", action="store_true", help="also the pairs that already meet")
    args = p.parse_args(argv)
    records = (r for r in read_sources(expand(args.corpus), unique=True)
               if isinstance(r, Record))
    found = pairs(folded_words(records), args.min_count)
    for pair in found:
        if pair.meet and not args.all:
            continue
        verbs = " ".join(f"{v}:{c}" for v, c in pair.verbs)
        flag = "meets" if pair.meet else "APART"
        print(f"{flag}\t{pair.noun}:{pair.noun_count}\t{verbs}")
    apart = sum(not pr.meet for pr in found)
    print(f"# {len(found)} action nouns with verb forms in the corpus, {apart} apart",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

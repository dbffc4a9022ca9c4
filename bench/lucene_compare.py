"""Our French matching beside Lucene's FrenchAnalyzer, on the French query tables.

Each row of tests/data/french_queries*.tsv says whether `query` must find `document`.

- atlas: the product path of tests/engine/test_french_queries.py (indexes built by
  `indexer.build.build`, `SearchService.search(match="all")`, typo tolerance and its fallbacks
  included): a match row is looked up in one index holding every match row's document (found
  there means found alone; a row not found there is searched again alone), a nomatch row in
  an index of its own document and the test's distractors, where every fallback runs.
- Lucene: `FrenchAnalyzer()` (default stop set, default settings) gives the terms of the
  query and of the document; the document matches when the query has at least one term and
  every one is a document term (AND over the query's words, as the tables state).

Writes bench/results/lucene-<UTC stamp>.md and lucene-latest.md, and prints the report.

    python -m bench.lucene_compare                       # Lucene 9.12.3 through Maven
    python -m bench.lucene_compare --lucene debian,pypi  # Lucene 8.8.1 and 10.5.1
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import lucene_terms
from .lucene_terms import Lucene, LuceneUnavailable

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
TABLES = ("french_queries.tsv", "french_queries_extra.tsv", "french_queries_round2.tsv",
          "french_queries_round3.tsv")
RESULTS = ROOT / "bench" / "results"


@dataclass(frozen=True)
class Case:
    """One row of a table: must `query` find `document`?"""

    table: str
    case: str
    category: str
    query: str
    document: str
    expect: bool  # True for "match"


# ---------------------------------------------------------------- the tables


def parse_cases(table: str, lines: Iterable[str]) -> list[Case]:
    """The rows of a table's text: `#` lines and blank lines skipped, then
    case, category, query, document, expect (match | nomatch), tab-separated."""
    kept = [line for line in lines if line.strip() and not line.startswith("#")]
    cases = []
    for row in csv.reader(kept, delimiter="\t", quoting=csv.QUOTE_NONE):
        if len(row) != 5 or row[4] not in ("match", "nomatch"):
            raise ValueError(f"{table}: bad row {row!r}")
        case, category, query, document, expect = row
        cases.append(Case(table, case, category, query, document, expect == "match"))
    return cases


def read_cases(path: Path) -> list[Case]:
    """The rows of the table at `path`, read as tests/engine/test_french_queries.py reads them."""
    with open(path, encoding="utf-8", newline="") as f:
        return parse_cases(path.name, f)


# ---------------------------------------------------------------- verdicts


def lucene_verdict(query_terms: Sequence[str], document_terms: Iterable[str]) -> bool:
    """Whether a document with these terms is found by a query with these terms: at least one
    query term, and all of them in the document."""
    terms = set(document_terms)
    return bool(query_terms) and all(term in terms for term in query_terms)


def lucene_found(lucene: Lucene, cases: Sequence[Case]) -> tuple[dict[Case, bool],
                                                                  dict[str, list[str]]]:
    """Lucene's verdict per case, and the terms of every query and document."""
    texts = sorted({c.query for c in cases} | {c.document for c in cases})
    terms = dict(zip(texts, lucene_terms.analyze(lucene, texts), strict=True))
    return {c: lucene_verdict(terms[c.query], terms[c.document]) for c in cases}, terms


def atlas_found(cases: Sequence[Case], work: Path) -> dict[Case, bool]:
    """Whether our product path finds each case's document with its query (match="all")."""
    # The test module's own index and search helpers and distractors, so that these verdicts
    # are the ones `pytest tests/engine/test_french_queries.py` asserts.
    from indexer.record import Record
    from search_app.engine.service import SearchService
    from tests.engine.test_french_queries import DISTRACTORS, build_index, search_index

    alone: dict[str, Path] = {}

    def found_alone(case: Case) -> bool:
        if case.document not in alone:
            target = Record(id="target", title="Projet", context=case.document)
            alone[case.document] = build_index(work / f"alone-{len(alone)}",
                                               [target, *DISTRACTORS])
        return "target" in search_index(alone[case.document], case.query)

    documents = sorted({c.document for c in cases if c.expect})
    ids = {d: f"doc{i}" for i, d in enumerate(documents)}
    shared = build_index(work / "shared", [*(Record(id=ids[d], title="Projet", context=d)
                                              for d in documents), *DISTRACTORS])
    service = SearchService(shared)
    try:
        found = {}
        for case in cases:
            hit = case.expect and ids[case.document] in search_index(shared, case.query,
                                                                     service)
            found[case] = hit or found_alone(case)
        return found
    finally:
        service.close()


# ---------------------------------------------------------------- the report


def _score(cases: Sequence[Case], found: dict[Case, bool]) -> str:
    right = sum(found[c] == c.expect for c in cases)
    return f"{right}/{len(cases)} ({100 * right / len(cases):.1f}%)" if cases else "-"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _terms(terms: Sequence[str]) -> str:
    return " ".join(terms) if terms else "∅"


@dataclass
class Side:
    """One Lucene run: its label, verdicts and terms."""

    label: str
    source: str
    jars: Sequence[Path]
    java: str
    found: dict[Case, bool]
    terms: dict[str, list[str]]


def render(cases: Sequence[Case], atlas: dict[Case, bool], sides: Sequence[Side],
           header: Sequence[str]) -> str:
    """The Markdown report: accuracy per table, per category, per expectation, and the cases
    one side gets right and the other wrong."""
    names = ["atlas", *(s.label for s in sides)]
    verdicts = [atlas, *(s.found for s in sides)]

    def table(title: str, groups: list[tuple[str, list[Case]]]) -> list[str]:
        lines = [f"| {title} | cases | " + " | ".join(names) + " |",
                 "|---|---:|" + "---:|" * len(names)]
        for label, group in groups:
            lines.append(f"| {label} | {len(group)} | "
                         + " | ".join(_score(group, v) for v in verdicts) + " |")
        return lines

    tables = [t for t in TABLES if any(c.table == t for c in cases)]
    categories = sorted({c.category for c in cases})
    out = [*header, "", "## Totals", ""]
    out += table("rows", [("all", list(cases)),
                          ("expect match", [c for c in cases if c.expect]),
                          ("expect nomatch", [c for c in cases if not c.expect])])
    out += ["", "## Per table", ""]
    out += table("table", [(f"`{t}`", [c for c in cases if c.table == t]) for t in tables])
    out += ["", "## Per category (the three tables together)", ""]
    out += table("category", [(k, [c for c in cases if c.category == k]) for k in categories])

    def wrong(found: dict[Case, bool], c: Case) -> bool:
        return found[c] != c.expect

    for side in sides:
        lost = [c for c in cases if wrong(side.found, c) and not wrong(atlas, c)]
        won = [c for c in cases if not wrong(side.found, c) and wrong(atlas, c)]
        out += ["", f"## {side.label} wrong, atlas right ({len(lost)})", ""]
        if lost:
            out += ["| case | table | category | query | document | expect "
                    "| query terms | missing from the document |",
                    "|---|---|---|---|---|---|---|---|"]
            for c in lost:
                q, d = side.terms[c.query], set(side.terms[c.document])
                missing = [t for t in q if t not in d]
                out.append(f"| {c.case} | {c.table.removesuffix('.tsv')} | {c.category} "
                           f"| {_cell(c.query)} | {_cell(c.document)} "
                           f"| {'match' if c.expect else 'nomatch'} | {_cell(_terms(q))} "
                           f"| {_cell(_terms(missing)) if c.expect else '(all present)'} |")
        else:
            out.append("None.")
        out += ["", f"## atlas wrong, {side.label} right ({len(won)})", ""]
        out += [f"- {c.case} ({c.table}) {c.query!r} vs {c.document!r}" for c in won] or ["None."]
    if len(sides) > 1:
        split = [c for c in cases if len({s.found[c] for s in sides}) > 1]
        out += ["", f"## Lucene versions that disagree ({len(split)} cases)", ""]
        out += [f"- {c.case} [{c.category}] {c.query!r} vs {c.document!r}, expect "
                f"{'match' if c.expect else 'nomatch'}: "
                + "; ".join(f"{s.label} {'found' if s.found[c] else 'missed'} (query terms "
                            f"{_terms(s.terms[c.query])}, document terms "
                            f"{_terms(s.terms[c.document])})" for s in sides)
                for c in split] or ["None."]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- the command


def _commit() -> str:
    done = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h %s"],
                          capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def _sources(spec: str) -> list[str]:
    return [s.strip() for s in spec.split(",") if s.strip()]


def _resolve_all(spec: str, cache: Path, note: Callable[[str], None]) -> list[Lucene]:
    """The Lucene runs asked for. `auto` is Maven's 9.12.3 if it can be fetched, else whichever
    of Debian's 8.8.1 and PyPI's 10.5.1 can be had."""
    if spec != "auto":
        return [lucene_terms.resolve(s, cache) for s in _sources(spec)]
    try:
        return [lucene_terms.resolve("maven", cache)]
    except LuceneUnavailable as why:
        note(f"Lucene {lucene_terms.MAVEN_VERSION} unavailable ({why}); "
             "trying Debian's and PyPI's Lucene instead")
    found, reasons = [], []
    for source in ("debian", "pypi"):
        try:
            found.append(lucene_terms.resolve(source, cache))
        except LuceneUnavailable as why:
            reasons.append(str(why))
    if not found:
        raise LuceneUnavailable("; ".join(reasons))
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the report goes")
    parser.add_argument("--lucene", default="auto",
                        help="auto, or a comma-separated list of maven (9.12.3), debian "
                             "(8.8.1), pypi (10.5.1) or directories of Lucene jars")
    parser.add_argument("--cache", type=Path, default=lucene_terms.DEFAULT_CACHE,
                        help="where fetched jars are kept")
    args = parser.parse_args(argv)

    def note(message: str) -> None:
        print(f"[lucene] {message}", file=sys.stderr, flush=True)

    try:
        runs = _resolve_all(args.lucene, args.cache, note)
    except LuceneUnavailable as why:
        print(f"error: {why}", file=sys.stderr)
        return 2

    cases = [c for t in TABLES for c in read_cases(DATA / t)]
    sides = []
    for lucene in runs:
        started = time.perf_counter()
        label = f"Lucene {lucene_terms.version(lucene)}"
        found, terms = lucene_found(lucene, cases)
        note(f"{label}: {time.perf_counter() - started:.1f} s")
        sides.append(Side(label, lucene.source, lucene.jars, lucene.jdk.version, found, terms))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lucene-compare-") as work:
        atlas = atlas_found(cases, Path(work))
    note(f"atlas: {time.perf_counter() - started:.1f} s")

    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    header = [
        "# French matching: atlas beside Lucene's FrenchAnalyzer",
        "",
        f"Run {stamp} on `{_commit()}`: {len(cases)} cases from "
        + ", ".join(f"`tests/data/{t}`" for t in TABLES) + " (`python -m bench.lucene_compare`).",
        "",
        "- atlas: `SearchService.search(match=\"all\")` over indexes built by `indexer.build`, "
        "as `tests/engine/test_french_queries.py` does (typo tolerance and fallbacks included).",
        "- Lucene: `new FrenchAnalyzer()` (default stop set, default settings) on the query "
        "and on the document; found when the query has a term and every query term is a "
        "document term (no phrases: a hyphenated query is its terms).",
        "- The Lucene side is its analyzer alone: no fuzzy query, so the `transposition` "
        "(typo tolerance) and `glued-elision` rows test query-time steps only atlas has here.",
        "",
        "| Lucene | jars | sha256 | Java |",
        "|---|---|---|---|",
        *(f"| {s.label} | {s.source}: {', '.join(j.name for j in s.jars)} "
          f"| {', '.join(lucene_terms.sha256(j)[:16] for j in s.jars)} | {s.java} |"
          for s in sides),
    ]
    if not any(s.label == f"Lucene {lucene_terms.MAVEN_VERSION}" for s in sides):
        header += ["", f"Lucene {lucene_terms.MAVEN_VERSION} could not be fetched here (no "
                   "Maven repository reachable). FrenchAnalyzer's chain is the same in 8.8.1 "
                   "and 10.5.1 (StandardTokenizer, ElisionFilter, LowerCaseFilter, StopFilter, "
                   "FrenchLightStemFilter); the French stop list lost Snowball's homonyms "
                   "(est, été, son, sommes...) for 9.0 (LUCENE-9354), so 9.x has 10.5.1's list."]
    report = render(cases, atlas, sides, header)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"lucene-{stamp}.md").write_text(report, encoding="utf-8")
    (args.out / "lucene-latest.md").write_text(report, encoding="utf-8")
    print(report)
    print(f"report: {args.out / f'lucene-{stamp}.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

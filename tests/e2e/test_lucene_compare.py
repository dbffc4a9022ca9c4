"""The parts of bench.lucene_compare that need no Java: reading the tables, Lucene's verdict on
given terms, the report, and picking Lucene jars from a directory."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from bench import lucene_terms
from bench.lucene_compare import (
    DATA,
    TABLES,
    Case,
    Side,
    lucene_verdict,
    parse_cases,
    read_cases,
    render,
)

TABLE = """# comment\tlines\tare\tskipped
# columns: case\tcategory\tquery\tdocument\texpect

a1\taccents\tcooperation\tLa coopération.\tmatch
a2\tprecision\tport\tLe Portugal, "dit-on".\tnomatch
"""


def test_parse_cases_skips_comments_and_blank_lines() -> None:
    cases = parse_cases("t.tsv", TABLE.splitlines(keepends=True))
    assert cases == [
        Case("t.tsv", "a1", "accents", "cooperation", "La coopération.", True),
        # Quotes are text: the tables are read with QUOTE_NONE, as the test suite reads them.
        Case("t.tsv", "a2", "precision", "port", 'Le Portugal, "dit-on".', False),
    ]


@pytest.mark.parametrize("row", ["a1\taccents\tq\td", "a1\taccents\tq\td\tyes",
                                 "a1\taccents\tq\td\tmatch\textra"])
def test_parse_cases_rejects_bad_rows(row: str) -> None:
    with pytest.raises(ValueError, match="bad row"):
        parse_cases("t.tsv", [row + "\n"])


def test_the_tables_read() -> None:
    counts = {t: len(read_cases(DATA / t)) for t in TABLES}
    assert counts["french_queries.tsv"] >= 22
    assert counts["french_queries_extra.tsv"] >= 40
    assert counts["french_queries_round2.tsv"] >= 200
    assert counts["french_queries_round3.tsv"] >= 60


@pytest.mark.parametrize(("query", "document", "found"), [
    (["econom"], ["soutien", "econom", "local"], True),
    (["econom", "local"], ["econom"], False),  # AND: every query term
    (["ville", "ville"], ["ville"], True),
    ([], ["projet"], False),  # a query of stop words only finds nothing
    ([], [], False),
    (["eau"], [], False),
])
def test_lucene_verdict(query: list[str], document: list[str], found: bool) -> None:
    assert lucene_verdict(query, document) is found


def test_render_counts_and_lists() -> None:
    right = Case("t.tsv", "c1", "plural", "villes", "La ville.", True)
    lost = Case("t.tsv", "c2", "ligature", "oeuvre", "Mise en œuvre | fin.", True)
    false_hit = Case("t.tsv", "c3", "overstem", "port", "Un projet porté.", False)
    cases = [right, lost, false_hit]
    atlas = {right: True, lost: True, false_hit: False}
    terms = {"villes": ["vil"], "La ville.": ["vil"], "oeuvre": ["oeuvr"],
             "Mise en œuvre | fin.": ["mise", "œuvr", "fin"], "port": ["port"],
             "Un projet porté.": ["projet", "port"]}
    side = Side("Lucene 9.12.3", "test", [], "17", {right: True, lost: False, false_hit: True},
                terms)
    report = render(cases, atlas, [side], ["# title"])
    assert "| all | 3 | 3/3 (100.0%) | 1/3 (33.3%) |" in report
    assert "| expect nomatch | 1 | 1/1 (100.0%) | 0/1 (0.0%) |" in report
    assert "## Lucene 9.12.3 wrong, atlas right (2)" in report
    assert ("| c2 | t | ligature | oeuvre | Mise en œuvre \\| fin. | match | oeuvr | oeuvr |"
            in report)
    assert ("| c3 | t | overstem | port | Un projet porté. | nomatch | port | (all present) |"
            in report)
    assert "## atlas wrong, Lucene 9.12.3 right (0)\n\nNone." in report


def _jar(path: Path, version: str) -> Path:
    with zipfile.ZipFile(path, "w") as jar:
        jar.writestr("META-INF/MANIFEST.MF", f"Manifest-Version: 1.0\n"
                                             f"Specification-Version: {version}\n")
    return path


def test_jars_from_a_directory(tmp_path: Path) -> None:
    # Debian names its Lucene 8.8.1 jars 8.7.0: the version comes from the manifest.
    core = _jar(tmp_path / "lucene-core-8.7.0.jar", "8.8.1")
    common = _jar(tmp_path / "lucene-analyzers-common-8.7.0.jar", "8.8.1")
    assert lucene_terms._directory(tmp_path) == (core, common)
    assert lucene_terms._lucene_major([core]) == 8
    with pytest.raises(lucene_terms.LuceneUnavailable):
        lucene_terms._directory(tmp_path / "nothing-here")


def test_unknown_source_is_one_line() -> None:
    with pytest.raises(lucene_terms.LuceneUnavailable) as raised:
        lucene_terms.resolve("no-such-source")
    assert "\n" not in str(raised.value)

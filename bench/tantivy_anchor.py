"""tantivy as an anchor: a compiled engine over the same records, answering the same mix.

tantivy (Rust, through its Python binding) indexes the index version's records in this
process: the engine's four scored texts (title, free text, themes, names), the first three
analysed with tantivy's French chain (lowercase, French stop words, accents folded,
Snowball stem), names folded only; BM25 with the engine's field boosts; the facet values
as raw fast fields. Each query gives what the engine's
in-process search gives: the total under the filters, the top 20 (stored id and title)
with a snippet each, and disjunctive facet counts with funding sums, computed like the
engine's: each facet (and the year histogram) over the documents matching the text and
every other facet's filter, so a facet with a filter of its own gets an aggregation of its
own. `bench.run` interleaves it with the engine, query by query, so both meet the same
machine.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import tantivy

from indexer.fields import FACETS
from indexer.record import Record
from indexer.schema import NAMES_FIELD, THEMES_BOOST, THEMES_FIELD, TITLE_BOOST, record_texts
from indexer.store import RecordStore
from search_app.engine.query.syntax import parse_user_query

from .fts5 import TOP, _item
from .queries import Combo

ANALYZER = "fr_stem"
NAMES_ANALYZER = "fr_names"  # names: folded, not stemmed (like the engine's names field)
TEXT_FIELDS = ("title", "body", THEMES_FIELD, NAMES_FIELD)  # the engine's scored fields
BOOSTS = {"title": TITLE_BOOST, THEMES_FIELD: THEMES_BOOST}
OTHER_LIMIT = 200  # terms listed for a facet the engine lists whole
BY_PARAM = {facet.param: facet for facet in FACETS}


def _analyzer() -> tantivy.TextAnalyzer:
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.stopword("french"))
            .filter(tantivy.Filter.ascii_fold())
            .filter(tantivy.Filter.stemmer("french"))
            .build())


def _names_analyzer() -> tantivy.TextAnalyzer:
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .build())


def register(index: tantivy.Index) -> tantivy.Index:
    index.register_tokenizer(ANALYZER, _analyzer())
    index.register_tokenizer(NAMES_ANALYZER, _names_analyzer())
    return index


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name=ANALYZER)
    builder.add_text_field("body", stored=True, tokenizer_name=ANALYZER)
    builder.add_text_field(THEMES_FIELD, stored=False, tokenizer_name=ANALYZER)
    builder.add_text_field(NAMES_FIELD, stored=False, tokenizer_name=NAMES_ANALYZER)
    for facet in FACETS:
        builder.add_text_field(facet.name, stored=False, tokenizer_name="raw", fast=True)
    builder.add_integer_field("start_year", stored=False, indexed=True, fast=True)
    builder.add_integer_field("funding", stored=False, indexed=False, fast=True)
    return builder.build()


class TantivyAnchor:
    """A tantivy index of an index version's records, searched like the engine."""

    def __init__(self, index: tantivy.Index) -> None:
        self.index = index
        self.schema = index.schema
        index.reload()
        self.searcher = index.searcher()

    @classmethod
    def build(cls, records: RecordStore, path: Path, heap_mb: int = 128
              ) -> tuple[TantivyAnchor, dict[str, Any]]:
        """A fresh index at `path` from the records (their JSON and facet values); returns
        it and its build figures."""
        started = time.perf_counter()
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        index = register(tantivy.Index(_schema(), path=str(path)))
        writer = index.writer(heap_size=heap_mb * 1_000_000, num_threads=1)
        rows = 0
        unpack = records.codec.unpack
        for _, packed, facet_json in records.db.execute(
                "SELECT id, json, facets FROM records ORDER BY id"):
            record, values = Record.from_dict(json.loads(unpack(packed))), \
                json.loads(facet_json)
            doc = tantivy.Document()
            doc.add_text("id", record.id)
            for name, text in record_texts(record).items():
                doc.add_text(name, text)
            for facet in FACETS:
                for value in dict.fromkeys(values.get(facet.name) or []):
                    doc.add_text(facet.name, value)
            doc.add_integer("start_year", int(values.get("start_year") or 0))
            doc.add_integer("funding", int(values.get("funding") or 0))
            writer.add_document(doc)
            rows += 1
        writer.commit()
        writer.wait_merging_threads()
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        return cls(index), {"rows": rows, "seconds": round(seconds, 3),
                            "records_per_s": round(rows / seconds, 1) if seconds else None,
                            "index_bytes": size}

    # ---- one query

    def _text_query(self, q: str) -> tantivy.Query | None:
        """The query's words ANDed, `a OR b` groups, `-word` exclusions, phrases; each item
        over title and body, the title weighted (None: no content word, a browse)."""
        parsed = parse_user_query(q)
        groups = []
        for group in parsed.groups:
            items = [self._item(it.text, it.phrase) for it in group]
            items = [i for i in items if i is not None]
            if items:
                groups.append(items[0] if len(items) == 1 else tantivy.Query.boolean_query(
                    [(tantivy.Occur.Should, i) for i in items]))
        excluded = [x for x in (self._item(it.text, it.phrase) for it in parsed.excluded)
                    if x is not None]
        if not groups and not excluded:
            return None
        if not groups:  # only exclusions: every document but those
            groups = [tantivy.Query.all_query()]
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, g) for g in groups]
            + [(tantivy.Occur.MustNot, x) for x in excluded])

    def _item(self, text: str, phrase: bool) -> tantivy.Query | None:
        quoted = _item(text, phrase)
        if quoted is None:
            return None
        return self.index.parse_query(quoted, list(TEXT_FIELDS), field_boosts=BOOSTS)

    def _filter(self, param: str, values: list[str]) -> tantivy.Query:
        name = BY_PARAM[param].name
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, name, v))
             for v in values])

    def search(self, combo: Combo) -> dict[str, Any]:
        """Total, top 20 (id, title, score, snippet) and disjunctive facets with sums."""
        text = self._text_query(combo.q)
        filters = {p: self._filter(p, v) for p, v in combo.filters.items() if v}

        def under(skip: str | None) -> tantivy.Query:
            parts = [q for p, q in filters.items() if p != skip]
            if text is not None:
                parts.append(text)
            if not parts:
                return tantivy.Query.all_query()
            return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in parts])

        query = under(None)
        searcher = self.searcher
        if text is None:
            found = searcher.search(query, TOP, count=True, order_by_field="start_year")
        else:
            found = searcher.search(query, TOP, count=True)
        hits = []
        snippets = tantivy.SnippetGenerator.create(searcher, query, self.schema, "body") \
            if text is not None else None
        for score, address in found.hits:
            doc = searcher.doc(address)
            hits.append({"id": doc.get_first("id"), "title": doc.get_first("title"),
                         "score": score,
                         "snippet": snippets.snippet_from_doc(doc).to_html() if snippets
                         else None})
        # The facets without a filter of their own share one aggregation; each facet with
        # one is counted without it.
        own = [p for p in filters if p in BY_PARAM]
        shared = {f.name: _terms(f.name, f.limit) for f in FACETS if f.param not in own}
        shared["start_year"] = {"histogram": {"field": "start_year", "interval": 1},
                                "aggs": {"funding": {"sum": {"field": "funding"}}}}
        facets = dict(searcher.aggregate(query, shared))
        for param in own:
            facet = BY_PARAM[param]
            facets.update(searcher.aggregate(under(param),
                                             {facet.name: _terms(facet.name, facet.limit)}))
        return {"total": found.count, "hits": hits, "facets": facets}


def _terms(field: str, limit: int | None) -> dict[str, Any]:
    return {"terms": {"field": field, "size": limit or OTHER_LIMIT},
            "aggs": {"funding": {"sum": {"field": "funding"}}}}

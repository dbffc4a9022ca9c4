"""A tantivy (Rust, BM25) baseline with a French analyzer (lowercase, ASCII folding, French
Snowball stemmer) over the same record text as the FTS5 baseline: title weighted 3, the
query's words OR-ed. Used beside atlas for the graded relevance tables; optional (the
`tantivy` package)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from .fts5 import BODY_PARTS, STOPWORDS, TITLE_WEIGHT

K = 10
_WORD = re.compile(r"\w+")
_ELIDED = re.compile(r"^(?:[ldjmntsc]|qu|jusqu)['’]", re.IGNORECASE)


def available() -> bool:
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return False
    return True


def _analyzer():
    import tantivy

    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .filter(tantivy.Filter.stemmer("french"))
            .build())


def tantivy_search(records: Iterable[dict[str, Any]]) -> Callable[[str], list[str]]:
    """An in-memory tantivy index of `records`; returns its top-10 search (ids)."""
    import tantivy

    schema = (tantivy.SchemaBuilder()
              .add_text_field("id", stored=True, tokenizer_name="raw")
              .add_text_field("title", tokenizer_name="fr")
              .add_text_field("body", tokenizer_name="fr")
              .build())
    index = tantivy.Index(schema)
    index.register_tokenizer("fr", _analyzer())
    writer = index.writer(heap_size=64_000_000, num_threads=1)
    for rec in records:
        writer.add_document(tantivy.Document(
            id=rec["id"], title=rec.get("title") or "",
            body="\n".join(rec.get(p) or "" for p in BODY_PARTS)))
    writer.commit()
    index.reload()
    searcher = index.searcher()

    def search(q: str) -> list[str]:
        words = [_ELIDED.sub("", w) for w in q.split()]
        words = [t for w in words for t in _WORD.findall(w) if t.lower() not in STOPWORDS]
        if not words:
            return []
        query = index.parse_query(" ".join(words), ["title", "body"],
                                  field_boosts={"title": TITLE_WEIGHT})
        found = searcher.search(query, K).hits
        return [searcher.doc(address)["id"][0] for _, address in found]

    return search

"""Stage 10, hits: what a result list shows of a record, with its highlighted snippet."""

from __future__ import annotations

from typing import Any

import numpy as np

from indexer.accents import SEPARATOR
from indexer.forms import WrittenForms
from indexer.schema import BODY_FIELD
from indexer.summary import SNIPPET_FIELDS, countries_fr
from indexer.synthetic import is_synthetic
from search_app.engine.handle import IndexHandle
from search_app.engine.snippets import marked_snippet, snippet


def hits(h: IndexHandle, page: list[tuple[int, float | None]], terms: set[str]
         ) -> list[dict[str, Any]]:
    """The summaries of ranked (docnum, score) pairs, marking `terms` (the match's keys)."""
    ids = [h.data.ids[d] for d, _ in page]
    found = h.records.hits_of(ids)
    in_body = _in_body(h, [d for d, _ in page], terms)
    checks = _status_checks(h, [d for d, _ in page])
    return [{**hit_summary(found[rid][0], terms if body else set(), score, h.forms,
                           found[rid][1]),
             "status_check": check}
            for rid, (_, score), body, check in zip(ids, page, in_body, checks, strict=True)
            if rid in found]


def _status_checks(h: IndexHandle, docs: list[int]) -> list[str | None]:
    """Each document's `status_check` facet value (the status contradicts the end date)."""
    codes = h.data.single.get("status_check")
    if codes is None:
        return [None] * len(docs)
    values = h.data.values["status_check"]
    return [values[c] if c >= 0 else None for c in codes[docs].tolist()]


def _in_body(h: IndexHandle, docs: list[int], terms: set[str]) -> list[bool]:
    """Whether each document's free text (`body`: the snippet fields, indexed together)
    holds one of `terms`. A snippet can mark a word only where the body's postings hold
    its stem, so the others skip the search for marks (a third of the hits)."""
    if not terms or not docs:
        return [bool(terms)] * len(docs)
    wanted = np.asarray(docs, dtype=np.int32)
    found = np.zeros(len(docs), dtype=bool)
    for term in {t.split(SEPARATOR, 1)[0] for t in terms}:
        postings, _ = h.scorer.postings(BODY_FIELD, term)
        if postings.size:
            # A term's postings list its documents in ascending order (postings.py):
            # a binary search per hit, not a sort of the whole list as np.isin does.
            at = np.minimum(np.searchsorted(postings, wanted), postings.size - 1)
            found |= postings[at] == wanted
    return found.tolist()


def hit_summary(record: dict[str, Any], terms: set[str], score: float | None,
                forms: WrittenForms | None = None, prepared: dict[str, Any] | None = None
                ) -> dict[str, Any]:
    """What a result list shows of a record, with a highlighted snippet (`forms`: its
    version's written forms, `indexer.forms`; `prepared`: the parts the build worked out,
    `indexer.summary`, else worked out here)."""
    return {
        "id": record["id"],
        "title": record.get("title") or "",
        "theme": record.get("theme"),
        "sub_theme": record.get("sub_theme"),
        "status": record.get("status"),
        "partnership_form": record.get("partnership_form"),
        "start_year": record.get("start_year"),
        "end_date": record.get("end_date"),
        "countries": prepared["countries"] if prepared is not None
        else countries_fr(record.get("countries") or []),
        "french_partners": record.get("french_partners") or [],
        "funding_total_eur": record.get("funding_total_eur") or 0,
        "snippet": best_snippet(record, terms, forms,
                                prepared["special"] if prepared is not None else None,
                                prepared.get("words") if prepared is not None else None),
        "score": score,
        "synthetic": is_synthetic(record["id"]),
    }


def best_snippet(record: dict[str, Any], terms: set[str],
                 forms: WrittenForms | None = None, special: list[int] | None = None,
                 words: list[str | None] | None = None) -> str:
    """The first text field with a highlighted match, else the start of the first non-empty
    (`special`: each snippet field's flags, `indexer.summary.text_flags`, and `words` their
    snippet indexes, `indexer.summary.text_words`, when prepared; a version built before
    the indexes has flags only)."""
    texts = [(t, special[i] if special is not None else None,
              words[i] if words is not None else None)
             for i, t in enumerate(record.get(name) for name in SNIPPET_FIELDS) if t]
    if not texts:
        return ""
    for text, flags, index in texts if terms else ():
        html = marked_snippet(text, terms, forms=forms, special=flags, words=index)
        if html is not None:
            return html
    return snippet(texts[0][0], set())

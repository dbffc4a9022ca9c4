"""The engine's plan evaluation gives the answers of the code before its whole-index passes
were cut (`match_reference`), bit for bit: answer, scores, tiers, relaxed words, highlights,
over random queries on the fixture index, with random records deleted."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search_app.engine.filters import facet_mask
from search_app.engine.match import match_plan
from search_app.engine.query.pipeline import understand
from search_app.engine.service import SearchService
from tests.engine.match_reference import reference_match_plan

# Words of the fixture corpus (frequent, rare, places, themes, authorities, stop words,
# accents both ways, typos, foreign words) and the query syntax around them.
WORDS = ["eau", "potable", "assainissement", "culture", "culturel", "jeunes", "femmes",
         "santé", "sante", "développement", "developpement", "économique", "coopération",
         "décentralisée", "formation", "agriculture", "Sénégal", "Mali", "Maroc", "Afrique",
         "Burkina", "Liban", "Québec", "Haïti", "ville", "villes", "michelin",
         "clermont-ferrand", "saint-louis", "région", "patrimoine", "côte", "élevé", "marché",
         "déchets", "environnement", "jumelage", "éducation", "de", "la", "et", "2017",
         "devloppement", "asainissement", "water", "youth", "zzzqx"]


@st.composite
def queries(draw) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        word = draw(st.sampled_from(WORDS))
        kind = draw(st.sampled_from(["plain"] * 6 + ["not", "or", "phrase", "prefix"]))
        if kind == "not" and parts:
            parts.append("-" + word)
        elif kind == "or" and parts:
            parts.append("OR " + word)
        elif kind == "phrase":
            parts.append(f'"{word} {draw(st.sampled_from(WORDS))}"')
        elif kind == "prefix" and len(word) > 4:
            parts.append(word[:4] + "*")
        else:
            parts.append(word)
    return " ".join(parts)


@pytest.fixture(scope="module")
def engine(index_dir):
    service = SearchService(index_dir)
    reader = service.reader()
    yield reader.handle, reader.synonyms
    service.close()


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(q=queries(), strict=st.booleans(),
       deleted=st.lists(st.integers(0, 10_000), max_size=8))
def test_plans_match_as_before(engine, q: str, strict: bool, deleted: list[int]) -> None:
    handle, synonyms = engine
    alive = handle.data.alive.copy()
    alive[[d % alive.size for d in deleted]] = False

    def evaluate(node, met=None):
        mask, scores = handle.scorer.evaluate(node, met)
        return mask & alive, scores

    def value_mask(named):
        return facet_mask(handle.data, named[0], [named[1]]) & alive

    plan = understand(q, synonyms, handle.naming()).plan
    if plan.empty:
        return
    old = reference_match_plan(plan, evaluate, value_mask, alive, strict)
    def docs_of(node):
        docs = handle.scorer.docs_of(node)
        return docs[alive[docs]]

    new = match_plan(plan, evaluate, value_mask, alive, strict, docs_of=docs_of)
    assert np.array_equal(match_plan(plan, evaluate, value_mask, alive, strict).scores,
                          new.scores)  # the pairs' documents read, or taken from a mask
    assert np.array_equal(new.mask, old.mask), q
    assert new.scores.tobytes() == old.scores.tobytes(), q
    assert np.array_equal(new.tier[new.mask], old.tier[old.mask]), q
    assert np.array_equal(new.all_words, old.all_words), q
    assert new.relaxed == old.relaxed and new.fuzzy == old.fuzzy, q
    assert all(np.array_equal(a, b) for a, b in zip(new.lacking, old.lacking, strict=True)), q
    assert new.terms == old.terms and new.named == old.named, q

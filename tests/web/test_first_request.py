"""A server's first search pays for nothing the start could have done: the query's translation
tables, the version's words naming facet values, the foreign words did-you-mean knows, the
pages' templates and the map's shapes are made before any request."""

from __future__ import annotations

from fastapi.testclient import TestClient

from indexer import foreign_lexicon, glossary
from search_app.engine.request import SearchParams
from search_app.web import templating, worldmap
from search_app.web.app import create_app


def test_the_start_builds_what_a_first_query_would(settings) -> None:
    glossary._table.cache_clear()  # as in a fresh process
    glossary._table_for.cache_clear()
    worldmap.load_shapes.cache_clear()
    foreign_lexicon._words.cache_clear()
    foreign_lexicon._by_initial.cache_clear()
    for environment in templating.ENVIRONMENTS.values():
        environment.cache.clear()
    app = create_app(settings)
    with TestClient(app):  # the lifespan ran: the server is started, no request made
        assert glossary._table_for.cache_info().currsize >= 1
        handle = app.state.service.handle()
        assert "naming" in handle._memo
        assert worldmap.load_shapes.cache_info().currsize == 1
        assert foreign_lexicon._by_initial.cache_info().currsize == 1
        for environment in templating.ENVIRONMENTS.values():  # compiled, every language
            assert len(environment.cache) == len(environment.list_templates(extensions=["html"]))
        built = glossary._table_for.cache_info().misses
        reader = app.state.service.reader()
        reader.search(SearchParams(q="water schools in Germany"))
        assert glossary._table_for.cache_info().misses == built  # nothing built by the query
        words = foreign_lexicon._words.cache_info().misses
        reader.search(SearchParams(q="reboisemant Timbuctoo"))  # unknown words: did-you-mean
        assert foreign_lexicon._words.cache_info().misses == words

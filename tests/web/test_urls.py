"""Links between search states (search_app.web.urls): pure functions over SearchParams."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from indexer.fields import fold_value
from search_app.engine.request import NULL_WORDS, SearchParams
from search_app.web.urls import (
    active_chips,
    add_toggle_urls,
    is_selected,
    page_url,
    query_url,
    remove_url,
    sort_url,
    toggle_url,
)


def items_of(url: str) -> list[tuple[str, str]]:
    parts = urlsplit(url)
    assert parts.path == "/"
    return parse_qsl(parts.query)


def test_toggle_adds_then_removes_a_country() -> None:
    p = SearchParams(q="eau", page=3)
    on = toggle_url(p, "country", "IT")
    assert items_of(on) == [("q", "eau"), ("country", "IT")]  # page reset
    p_on = SearchParams(q="eau", country=["IT"])
    assert items_of(toggle_url(p_on, "country", "IT")) == [("q", "eau")]


def test_toggle_recognises_a_country_written_in_french() -> None:
    p = SearchParams(country=["italie", "MX"])
    assert items_of(toggle_url(p, "country", "IT")) == [("country", "MX")]


def test_toggle_maps_facet_keys_to_url_parameters() -> None:
    p = SearchParams()
    assert items_of(toggle_url(p, "partnership_form", "Jumelage")) == [("form", "Jumelage")]
    assert items_of(toggle_url(p, "start_year", 2019)) == [("year_min", "2019"),
                                                            ("year_max", "2019")]
    p_year = SearchParams(year_min=2019, year_max=2019, sort="year_asc")
    assert items_of(toggle_url(p_year, "start_year", 2019)) == [("sort", "year_asc")]
    # Inside a wider range, a year narrows to itself.
    p_range = SearchParams(year_min=2010, year_max=2020)
    assert items_of(toggle_url(p_range, "start_year", 2015)) == [("year_min", "2015"),
                                                                 ("year_max", "2015")]


def test_toggle_keeps_other_filters_and_canonical_order() -> None:
    p = SearchParams(q="culture", theme=["Culture et Patrimoine"], sort="year_desc", size=50)
    url = toggle_url(p, "country", "SN")
    assert items_of(url) == [("q", "culture"), ("country", "SN"),
                             ("theme", "Culture et Patrimoine"), ("sort", "year_desc"),
                             ("size", "50")]


def test_remove_url_one_value_or_all() -> None:
    p = SearchParams(country=["IT", "MX"], year_min=2000, year_max=2010)
    assert items_of(remove_url(p, "country", "MX")) == [("country", "IT"), ("year_min", "2000"),
                                                        ("year_max", "2010")]
    assert items_of(remove_url(p, "country")) == [("year_min", "2000"), ("year_max", "2010")]
    assert items_of(remove_url(p, "start_year")) == [("country", "IT"), ("country", "MX")]


def test_page_and_sort_urls() -> None:
    p = SearchParams(q="eau", page=2)
    assert page_url(p, 1) == "/?q=eau"
    assert items_of(page_url(p, 5)) == [("q", "eau"), ("page", "5")]
    assert items_of(sort_url(p, "funding_desc")) == [("q", "eau"), ("sort", "funding_desc")]
    assert sort_url(SearchParams(sort="year_asc"), "relevance") == "/"
    assert page_url(SearchParams(), 1) == "/"


def test_query_url_keeps_filters() -> None:
    p = SearchParams(q="eua", country=["SN"], page=4)
    assert items_of(query_url(p, "eau")) == [("q", "eau"), ("country", "SN")]
    assert items_of(query_url(p, "")) == [("country", "SN")]


def test_urls_escape_values() -> None:
    url = toggle_url(SearchParams(), "french_partner", "Saint-Denis & <Réunion>")
    assert "<" not in url and "&" not in url  # one parameter: no separator, value encoded
    assert items_of(url) == [("french_partner", "Saint-Denis & <Réunion>")]


def test_add_toggle_urls_copies_and_annotates() -> None:
    result = {"total": 3, "facets": {
        "country": [{"value": "IT", "label": "Italie", "count": 2, "selected": True},
                    {"value": "MX", "label": "Mexique", "count": 1, "selected": False}],
        "start_year": [{"value": 2020, "label": "2020", "count": 3, "selected": False}],
    }}
    p = SearchParams(country=["IT"])
    out = add_toggle_urls(result, p)
    assert "toggle_url" not in result["facets"]["country"][0]  # input untouched
    country = out["facets"]["country"]
    assert country[0]["toggle_url"] == "/"
    assert items_of(country[1]["toggle_url"]) == [("country", "IT"), ("country", "MX")]
    assert items_of(out["facets"]["start_year"][0]["toggle_url"]) == [
        ("country", "IT"), ("year_min", "2020"), ("year_max", "2020")]
    assert out["total"] == 3
    api = add_toggle_urls(result, p, base="/api/search")
    assert api["facets"]["country"][1]["toggle_url"].startswith("/api/search?")


def test_active_chips_use_facet_labels() -> None:
    p = SearchParams(q="eau", country=["IT"], form=["Jumelage"], year_min=2015)
    result = {"facets": {"country": [{"value": "IT", "label": "Italie", "count": 1}]}}
    chips = active_chips(p, result)
    assert [c["label"] for c in chips] == ["Pays\u00a0: Italie", "Forme\u00a0: Jumelage",
                                           "Début depuis 2015"]
    assert items_of(chips[0]["remove_url"]) == [("q", "eau"), ("form", "Jumelage"),
                                                ("year_min", "2015")]
    assert items_of(chips[2]["remove_url"]) == [("q", "eau"), ("country", "IT"),
                                                ("form", "Jumelage")]
    assert active_chips(SearchParams(q="x")) == []
    assert active_chips(SearchParams(year_min=2001, year_max=2001))[0]["label"] == "Début en 2001"


values = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                 min_size=1, max_size=12).filter(
    lambda s: s.strip() == s and s.strip() and s.lower() not in NULL_WORDS)  # those are a 422


@given(values=st.lists(values, max_size=4, unique=True), value=values)
def test_toggle_twice_is_identity(values: list[str], value: str) -> None:
    # Values equal once folded (case, accents) are one filter value, as in the service.
    p = SearchParams(theme=values)
    once = SearchParams(**_as_data(items_of(toggle_url(p, "theme", value))))
    twice = SearchParams(**_as_data(items_of(toggle_url(once, "theme", value))))
    assert {fold_value(v) for v in twice.theme} == {fold_value(v) for v in p.theme}
    assert {fold_value(v) for v in once.theme} == {fold_value(v) for v in p.theme} ^ {
        fold_value(value)}


def _as_data(items: list[tuple[str, str]]) -> dict:
    data: dict = {}
    for k, v in items:
        data.setdefault(k, []).append(v)
    return data


@given(q=st.sampled_from(["", "eau potable", "a&b=c"]),
       countries=st.lists(st.sampled_from(["SN", "IT", "MX"]), max_size=2, unique=True),
       themes=st.lists(values, max_size=2, unique=True),
       years=st.tuples(st.sampled_from([None, 2015, 2020]), st.sampled_from([None, 2020])),
       page=st.integers(1, 3), sort=st.sampled_from(["relevance", "year_desc"]),
       facet=st.sampled_from(["country", "theme", "partnership_form", "start_year"]),
       picks=st.lists(st.one_of(values, st.sampled_from(["SN", "IT", "2015", "2020"])),
                      min_size=1, max_size=4, unique=True),
       base=st.sampled_from(["/", "/api/search"]))
def test_every_toggle_url_of_an_answer_is_toggle_url_s(q, countries, themes, years, page, sort,
                                                       facet, picks, base) -> None:
    # An answer's toggle URLs are encoded once per facet: each the URL toggle_url gives.
    p = SearchParams(q=q, country=countries, theme=themes, year_min=years[0],
                     year_max=years[1], page=page, sort=sort)
    items = [{"value": v, "label": v, "count": 1} for v in picks]
    for item in items:
        item["selected"] = is_selected(p, facet, item["value"])
    out = add_toggle_urls({"facets": {facet: items}}, p, base=base)["facets"][facet]
    assert [i["toggle_url"] for i in out] == [
        toggle_url(p, facet, i["value"], base=base) for i in items]

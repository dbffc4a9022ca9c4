"""World regions: the reviewed M49 table, the groupings and the names a query may use."""

from __future__ import annotations

import re

import pycountry
import pytest

from indexer import regions as r


def test_every_pycountry_country_has_one_continent_and_one_sub_region() -> None:
    codes = {c.alpha_2 for c in pycountry.countries}
    assert codes <= set(r.country_codes())
    for code in codes:
        levels = [r.region(s).level for s in r.regions_of(code)]
        assert levels.count("continent") == 1, code
        # Antarctica is its own continent and sub-region (M49 gives it none).
        assert levels.count("subregion") == 1 or code == "AQ", code
        assert r.region_of(code) is not None


def test_sub_regions_sit_in_their_continent() -> None:
    for code in r.country_codes():
        slugs = [s for s in r.regions_of(code) if r.region(s).level != "grouping"]
        continent, sub = slugs[0], (slugs + [slugs[0]])[1]
        assert r.region(continent).level == "continent"
        assert r.region(sub).parent in (continent, None), code
        for slug in slugs[2:]:
            assert r.region(slug).level == "finer" and r.region(slug).parent == sub, code


def test_grouping_members_are_valid_iso_codes() -> None:
    codes = {c.alpha_2 for c in pycountry.countries} | {"XK"}
    for region in r.regions().values():
        if region.level == "grouping":
            assert region.members, region.slug
            assert set(region.members) <= codes, region.slug
            assert len(set(region.members)) == len(region.members), region.slug
            assert region.source.strip() not in ("", "-"), region.slug
        else:
            assert not region.members, region.slug


def test_groupings_have_their_published_sizes() -> None:
    assert r.members("maghreb") == ("DZ", "LY", "MA", "MR", "TN")
    assert len(r.members("union-europeenne")) == 27
    assert "GB" not in r.members("union-europeenne")
    assert len(r.members("sahel")) == 10


def test_sub_saharan_africa_is_the_four_m49_sub_regions() -> None:
    union = {c for s in ("afrique-de-l-ouest", "afrique-centrale", "afrique-de-l-est",
                         "afrique-australe") for c in r.members(s)}
    assert set(r.members("afrique-subsaharienne")) == union
    assert not set(r.members("afrique-du-nord")) & union


def test_senegal_and_south_africa() -> None:
    sn = r.regions_of("SN")
    assert r.region_of("SN") == "afrique-de-l-ouest"
    assert {"afrique", "sahel", "pays-francophones", "afrique-subsaharienne"} <= set(sn)
    assert "maghreb" not in sn
    assert r.region_of("ZA") == "afrique-australe"
    assert set(r.regions_of("ZA")) == {"afrique", "afrique-australe", "afrique-subsaharienne"}
    assert "ZA" not in r.members("afrique-de-l-ouest")


def test_more_countries() -> None:
    assert "maghreb" in r.regions_of("MA") and r.region_of("MA") == "afrique-du-nord"
    assert r.region_of("CD") == "afrique-centrale"
    assert r.region_of("MG") == "afrique-de-l-est"
    assert r.region_of("LB") == "moyen-orient"
    assert r.region_of("VN") == "asie-du-sud-est"
    assert r.regions_of("HT")[:3] == ("ameriques", "amerique-latine-caraibes", "caraibes")
    assert r.region_of("CA") == "amerique-du-nord" and "pays-francophones" in r.regions_of("CA")
    assert r.region_of("DE") == "europe-de-l-ouest" and "union-europeenne" in r.regions_of("DE")
    assert r.region_of("PL") == "europe-de-l-est"
    assert r.region_of("xk") == "europe-du-sud"
    assert r.region_of("ZZ") is None and r.regions_of("ZZ") == ()


def test_slugs_are_stable_shaped_and_names_french() -> None:
    assert r.region_name("afrique-centrale") == "Afrique centrale"
    assert r.region_name("moyen-orient").startswith("Moyen-Orient")
    for region in r.regions().values():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", region.slug), region.slug
        assert region.parent is None or region.parent in r.regions()


@pytest.mark.parametrize(("text", "slug"), [
    ("Afrique de l'Ouest", "afrique-de-l-ouest"),
    ("afrique de l ouest", "afrique-de-l-ouest"),
    ("Afrique occidentale", "afrique-de-l-ouest"),
    ("Ouest africain", "afrique-de-l-ouest"),
    ("Moyen-Orient", "moyen-orient"),
    ("Proche-Orient", "moyen-orient"),
    ("UE", "union-europeenne"),
    ("Union européenne", "union-europeenne"),
    ("Europe", "europe"),
    ("Afrique", "afrique"),
    ("Maghreb", "maghreb"),
    ("OIF", "pays-francophones"),
    ("Amérique latine", "amerique-latine-caraibes"),
])
def test_names_and_aliases(text: str, slug: str) -> None:
    assert r.region_named(text) == slug


def test_a_query_names_the_longest_region_and_never_a_country_part() -> None:
    found = r.find_regions("eau Afrique de l'Ouest".split())
    assert [(m.source, m.value) for m in found] == [("Afrique de l'Ouest", "afrique-de-l-ouest")]
    assert r.find_regions("projets en Afrique du Sud".split()) == []
    assert [m.value for m in r.find_regions("formation en Afrique".split())] == ["afrique"]
    assert r.find_regions(["rue"]) == []  # « UE » is a whole word


def test_collisions_are_reported_and_left_out() -> None:
    clashes = r.collisions()
    assert clashes["Micronésie"] == ("micronesie", "country FM")
    assert r.region_named("Micronésie") is None
    assert all(not r.region_named(spelling) for spelling in clashes)


def test_record_regions_is_the_union_in_order() -> None:
    assert r.record_regions(["MA", "SN"]) == [
        "afrique", "afrique-du-nord", "maghreb", "pays-francophones",
        "afrique-de-l-ouest", "sahel", "afrique-subsaharienne"]
    assert r.record_regions([]) == []

"""Deployment settings read when the app is created, and the proxy headers they govern."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from search_app.settings import Settings, SettingsError
from search_app.web.app import create_app


def _links(html: str) -> list[str]:
    return re.findall(r'(?:href|src|action)="(/[^"]*)"', html)


@pytest.mark.parametrize("value", ["", " ", "\t"])
def test_a_blank_token_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("ATLAS_API_TOKEN", value)
    with pytest.raises(SettingsError, match="ATLAS_API_TOKEN is set but empty"):
        Settings.from_env()


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ATLAS_API_TOKEN", raising=False)
    monkeypatch.setenv("ATLAS_ROOT_PATH", "/atlas/")
    monkeypatch.setenv("ATLAS_FORWARDED_ALLOW_IPS", "10.0.0.0/8, 192.168.1.4")
    monkeypatch.setenv("ATLAS_CORS_ORIGINS", "https://a.example, http://localhost:3000/")
    monkeypatch.setenv("ATLAS_LOG_FORMAT", "JSON")
    monkeypatch.setenv("ATLAS_INLINE_SEARCH_RECORDS", "1000")
    found = Settings.from_env()
    assert found.inline_search_records == 1000
    assert found.root_path == "/atlas" and found.api_token is None
    assert found.forwarded_allow_ips == ("10.0.0.0/8", "192.168.1.4")
    assert found.cors_origins == ("https://a.example", "http://localhost:3000")
    assert found.log_format == "json"


@pytest.mark.parametrize("field,value,named", [
    ("root_path", "atlas", "ATLAS_ROOT_PATH"), ("root_path", "/a b", "ATLAS_ROOT_PATH"),
    ("forwarded_allow_ips", ("proxy.local",), "ATLAS_FORWARDED_ALLOW_IPS"),
    ("cors_origins", ("example.org",), "ATLAS_CORS_ORIGINS"),
    ("log_format", "xml", "ATLAS_LOG_FORMAT"),
    ("inline_search_records", -1, "ATLAS_INLINE_SEARCH_RECORDS"),
])
def test_bad_values_name_their_setting(settings, field: str, value, named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        replace(settings, **{field: value})


def test_root_path_setting_prefixes_every_link(settings) -> None:
    with TestClient(create_app(replace(settings, root_path="/atlas"))) as client:
        # As nginx's `proxy_pass .../;` sends it: the prefix stripped.
        page = client.get("/", params={"q": "eau"})
        assert page.status_code == 200
        links = _links(page.text)
        assert links and all(link.startswith("/atlas/") for link in links), links[:5]
        # Without stripping, the same page.
        assert client.get("/atlas/", params={"q": "eau"}).text.count("/atlas/") > 10
        css = next(link for link in links if link.endswith(".css"))
        assert client.get(css).status_code == 200
        assert client.get("/openapi.json").json()["servers"] == [{"url": "/atlas"}]


def test_forwarded_prefix_only_from_trusted_proxies(settings) -> None:
    header = {"X-Forwarded-Prefix": "/portail"}
    # TestClient's peer is "testclient": trusted only under "*".
    with TestClient(create_app(replace(settings, forwarded_allow_ips=("*",)))) as client:
        assert all(link.startswith("/portail/") for link in _links(client.get(
            "/", headers=header).text))
        assert "/portail" not in client.get("/").text  # no header, no prefix
        bad = client.get("/", headers={"X-Forwarded-Prefix": "javascript:alert(1)"}).text
        assert "javascript:" not in bad
    with TestClient(create_app(settings)) as client:  # default: only 127.0.0.1
        assert "/portail" not in client.get("/", headers=header).text


def test_a_setting_that_is_not_a_number_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ATLAS_API_TOKEN", raising=False)
    monkeypatch.setenv("ATLAS_INLINE_SEARCH_RECORDS", "many")
    with pytest.raises(SettingsError, match="ATLAS_INLINE_SEARCH_RECORDS must be a whole"):
        Settings.from_env()

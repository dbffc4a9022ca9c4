"""Rendering a page in the request's language: the template of that language's environment,
the language switch and `hreflang` alternates, links that keep a non-default language, and
the cookie that remembers an explicit choice."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from search_app.web import i18n
from search_app.web.templating import templates_for

COOKIE_MAX_AGE = 365 * 24 * 3600
MAX_KEPT_QUERY = 2000  # longer queries are not repeated in the language links
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
# Same-site link and form targets; one literal-prefixed pattern each is several times faster
# than one alternation over a 150 KB page.
_LINKS = {attr: re.compile(attr + r'="(/[^"]*)"') for attr in ("href", "action")}
_FORM = re.compile(r"(<form\b[^>]*>)")


def language_url(request: Request, lang: str | None, absolute: bool = False) -> str:
    """This page's address in `lang`: the same query with `lang` set (None: without it)."""
    items = [(k, v) for k, v in request.query_params.multi_items() if k != i18n.PARAM]
    if len(request.url.query) > MAX_KEPT_QUERY:  # a crafted address: not copied 5 times
        items = []
    query = urlencode([*items, *([(i18n.PARAM, lang)] if lang else [])])
    if absolute:
        return str(request.url.replace(query=query, fragment=""))
    return f"{request.url.path}?{query}" if query else request.url.path


def language_context(request: Request, lang: str) -> dict[str, Any]:
    """What base.html needs for `<html lang>`, the switch and the alternates."""
    return {
        "lang": lang,
        "languages": [
            {"code": code, "label": code.upper(), "name": LANGUAGE_NAMES[code],
             "url": language_url(request, code), "current": code == lang}
            for code in i18n.LANGUAGES
        ],
        "alternates": [
            *({"hreflang": code, "href": language_url(request, code, absolute=True)}
              for code in i18n.LANGUAGES),
            # Without `lang` the page follows the visitor's choice or browser.
            {"hreflang": "x-default", "href": language_url(request, None, absolute=True)},
        ],
    }


def with_language(url: str, lang: str) -> str:
    """A same-site address that keeps a language other than the default (redirects)."""
    if lang == i18n.DEFAULT or _has_language(url):
        return url
    path, hash_, fragment = url.partition("#")
    return f"{path}{'&' if '?' in path else '?'}{i18n.PARAM}={lang}{hash_}{fragment}"


def _has_language(url: str) -> bool:
    return "?lang=" in url or "&lang=" in url or "&amp;lang=" in url


def keep_language(html: str, lang: str) -> str:
    """Every same-site link and form of the page carries `lang`, so the choice survives
    without the cookie (a shared link, a browser that refuses cookies)."""
    def link(attr: str) -> Callable[[re.Match], str]:
        def with_lang(match: re.Match) -> str:
            url = match.group(1)
            if url.startswith(("//", "/static/")) or _has_language(url):
                return match.group(0)
            path, hash_, fragment = url.partition("#")
            separator = "&amp;" if "?" in path else "?"
            return f'{attr}="{path}{separator}{i18n.PARAM}={lang}{hash_}{fragment}"'
        return with_lang

    for attr, pattern in _LINKS.items():
        html = pattern.sub(link(attr), html)
    # A GET form drops its action's query: the language goes in a hidden field.
    return _FORM.sub(
        lambda m: f'{m.group(1)}<input type="hidden" name="{i18n.PARAM}" value="{lang}">', html)


def render(request: Request, name: str, context: dict[str, Any], lang: str,
           status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """The page `name` in `lang`."""
    template = templates_for(lang).get_template(name)
    html = template.render({"request": request, **context, **language_context(request, lang)})
    if lang != i18n.DEFAULT:
        html = keep_language(html, lang)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    response.headers["Vary"] = "Accept-Language, Cookie"
    response.headers["Content-Language"] = lang
    chosen = i18n.supported(request.query_params.get(i18n.PARAM))
    if chosen and chosen != request.cookies.get(i18n.COOKIE):
        response.set_cookie(i18n.COOKIE, chosen, max_age=COOKIE_MAX_AGE, samesite="lax",
                            httponly=True)
    return response

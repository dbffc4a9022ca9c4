"""The English catalog is complete: every message the templates and the web code mark is
translated, with the same placeholders; the taxonomy has English labels for its values."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages import frontend
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from indexer.fields import LABELS
from search_app.web import i18n

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "search_app" / "web" / "locale" / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "plural_in": (2, 3)}  # as in `make messages`
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|<[^>]+>")


def extracted() -> dict[str, tuple[str, ...]]:
    """msgid -> where it was found, extracted as `make messages` does (babel.cfg)."""
    with (ROOT / "babel.cfg").open() as handle:
        parse = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
        method_map, options_map = parse(handle)
    found: dict[str, tuple[str, ...]] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        key = message[0] if isinstance(message, tuple) else message
        if key:
            found[key] = (*found.get(key, ()), filename)
    return found


@pytest.fixture(scope="module")
def catalog():
    with PO.open("rb") as handle:
        return read_po(handle)


def test_extraction_finds_template_and_code_messages() -> None:
    found = extracted()
    assert len(found) > 200
    assert any(f.endswith(".html") for files in found.values() for f in files)
    assert "Rechercher un projet" in found  # base.html
    assert "Affiner la recherche" in found  # views.py
    assert "Carte des résultats par pays partenaire\u00a0: %(num)s pays" in found  # worldmap


def test_every_extracted_message_has_an_english_translation(catalog) -> None:
    missing = []
    for msgid, files in extracted().items():
        message = catalog.get(msgid)
        if message is None or message.fuzzy:
            missing.append((msgid, files))
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(s.strip() for s in strings):
            missing.append((msgid, files))
    assert missing == [], "run `make messages` and translate: " + repr(missing[:10])


def test_translations_keep_placeholders_and_markup(catalog) -> None:
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            # Markup may gain attributes (<cite lang="fr">), never lose a tag.
            assert sorted(p.split(" ")[0].rstrip(">") for p in PLACEHOLDER.findall(text)) == \
                sorted(p.split(" ")[0].rstrip(">") for p in wanted), (message.id, text)


def test_facet_titles_are_in_the_catalog(catalog) -> None:
    for label in LABELS.values():
        assert catalog.get(label) is not None and catalog.get(label).string, label


def test_generator_taxonomy_has_english_labels() -> None:
    taxonomy = json.loads((ROOT / "indexer" / "generate" / "data" / "taxonomy.json").read_text())
    wanted = [("status", s["name"]) for s in taxonomy["statuses"]]
    wanted += [("partnership_form", f["name"]) for f in taxonomy["forms"]]
    for theme in taxonomy["themes"]:
        wanted.append(("theme", theme["name"]))
        for sub, subsubs in theme["sub_themes"].items():
            wanted.append(("sub_theme", sub))
            wanted += [("sub_sub_theme", s) for s in subsubs]
    untranslated = [(k, v) for k, v in wanted if i18n.taxonomy_label(k, v, "en") == v
                    and v not in ("Microfinance", "Reconstruction", "Francophonie")]
    assert untranslated == []
    assert i18n.taxonomy_label("theme", "Santé", "en") == "Health"
    assert i18n.taxonomy_label("theme", "Santé", "fr") == "Santé"
    assert i18n.taxonomy_label("theme", "Pas une thématique", "en") == "Pas une thématique"

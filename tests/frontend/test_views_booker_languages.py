"""The booking form's language picker: one option per language with its bokmål name, the names
people type for it, and a no-match message for the search field."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.booking.booking_helpers import qualified, world
from tolk.reference.languages import offered_languages

pytestmark = pytest.mark.django_db


def _options(html: str) -> dict[str, tuple[str, str]]:
    found = re.findall(
        r'<option value="([a-z]{3})"(?: data-terms="([^"]*)")?[^>]*>([^<]*)</option>', html
    )
    return {code: (label, terms) for code, terms, label in found}


def test_picker_lists_each_language_once_in_bokmal_with_its_common_names(client: Client) -> None:
    w = world()
    qualified(language="pes")
    client.force_login(w.booker)
    html = client.get("/book/").content.decode()
    options = _options(html)
    assert set(offered_languages()) <= set(options)
    assert "fas" not in options
    assert options["pes"][0] == "Persisk (iransk) – pes"
    assert options["prs"][0] == "Dari – prs"
    assert options["kmr"][0] == "Nordkurdisk (kurmanji) – kmr"
    assert options["ckb"][0] == "Sentralkurdisk (sorani) – ckb"
    assert options["cmn"][0] == "Mandarin (kinesisk) – cmn"
    assert options["tir"][0] == "Tigrinja – tir"
    for english in ("Iranian Persian", "Northern Kurdish", "Mandarin Chinese"):
        assert f">{english}" not in html
    for code, term in (("pes", "farsi"), ("prs", "dari"), ("ckb", "sorani"), ("kmr", "kurmanji"),
                       ("kmr", "badini"), ("tir", "tigrinja"), ("cmn", "kinesisk"),
                       ("cmn", "mandarin"), ("pes", "fas")):
        assert term in options[code][1].split("|"), (code, term)


def test_picker_has_a_no_match_message(client: Client) -> None:
    w = world()
    client.force_login(w.booker)
    html = client.get("/book/").content.decode()
    assert "data-language-no-match" in html
    assert "Ingen språk passer til «{query}»" in html
    client.cookies["django_language"] = "en"
    english = client.get("/book/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No language matches “{query}”" in english

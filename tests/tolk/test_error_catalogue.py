"""The error catalogue: every code reads in bokmål and in English, with the same parameters, and
the rule codes it names are the Interpreter Act's."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import translation

from booking.rules import RULES_BY_CODE
from tolk.error_catalogue import CATALOGUE, ErrorEntry, entry

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _text(message: object, language: str) -> str:
    with translation.override(language):
        return str(message)


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_code_has_a_bokmal_message(name: str) -> None:
    found = CATALOGUE[name]
    english, bokmal = _text(found.message, "en"), _text(found.message, "nb")
    assert english.strip() and bokmal.strip()
    if not found.same_in_bokmal:
        assert bokmal != english, f"{name}: no bokmål translation in tolk/locale (run msgfmt)"


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_bokmal_and_english_take_the_same_parameters(name: str) -> None:
    found = CATALOGUE[name]
    english, bokmal = _text(found.message, "en"), _text(found.message, "nb")
    assert sorted(PLACEHOLDER.findall(bokmal)) == sorted(PLACEHOLDER.findall(english))
    params = dict.fromkeys(PLACEHOLDER.findall(english), "X")
    if params:  # every % is a placeholder: both format with the parameters
        assert "%" not in english % params and "%" not in bokmal % params


def test_codes_of_the_law_are_rule_codes_with_their_sections() -> None:
    law_codes = {e.code for e in CATALOGUE.values() if e.code.startswith("TL")}
    assert law_codes, "the rules' messages are in the catalogue"
    assert law_codes <= set(RULES_BY_CODE)


def test_an_entry_without_its_own_code_is_sent_with_its_name() -> None:
    assert entry("booking_not_found").code == "booking_not_found"
    assert entry("assignment_too_long").code == "duration_too_long"
    assert entry("booking_not_found").status == 404


def test_an_unknown_name_is_a_bug_not_a_silent_default() -> None:
    with pytest.raises(KeyError, match="no_such_error"):
        entry("no_such_error")


def test_entries_are_data() -> None:
    assert all(isinstance(e, ErrorEntry) and e.code for e in CATALOGUE.values())


def test_dates_read_as_each_language_writes_them() -> None:
    from tolk.errors import ValidationFailed

    error = ValidationFailed.of("language_not_qualified", language="ara",
                                date=dt.date(2027, 3, 1))
    assert "01.03.2027" in error.message_nb
    assert "2027-03-01" in error.message_en


def test_messages_django_and_drf_also_translate_read_as_they_always_did() -> None:
    """tolk/locale comes first (LOCALE_PATHS): where Django REST framework or Django already
    say a catalogue message in bokmål, the catalogue must say it the same way."""
    import gettext
    import io
    from pathlib import Path

    import django
    import rest_framework

    translations = [
        gettext.GNUTranslations(io.BytesIO(
            (Path(package.__file__).parent / "locale/nb/LC_MESSAGES/django.mo").read_bytes()
        ))
        for package in (rest_framework, django.conf)
    ]
    checked = 0
    for name, found in CATALOGUE.items():
        english = _text(found.message, "en")
        for other in translations:
            theirs = other.gettext(english)
            if theirs != english:
                checked += 1
                assert _text(found.message, "nb") == theirs, name
    assert checked, "not_found and permission_denied are DRF's messages too"


CATALOGUE_CALL = re.compile(
    r"""(?:\.of|\brefuse|\b_refuse|\b_failed|\bMessageRejected|\b_api_error|\bcatalogue_error)"""
    r"""\(\s*["'](\w+)["']"""
)


def test_every_name_the_code_raises_is_in_the_catalogue() -> None:
    """A name missing from the catalogue would be a KeyError (a 500) on a path no test takes."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    used: dict[str, str] = {}
    for app in ("booking", "stats", "frontend", "tolk"):
        for source in (root / app).rglob("*.py"):
            if source.name == "error_catalogue.py":  # its docstring names a placeholder
                continue
            for name in CATALOGUE_CALL.findall(source.read_text(encoding="utf-8")):
                used.setdefault(name, str(source.relative_to(root)))
    assert len(used) > 50
    missing = {name: where for name, where in used.items() if name not in CATALOGUE}
    assert not missing

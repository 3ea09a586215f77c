"""The request's language, decided in one place: English when English is active, else bokmål."""

from __future__ import annotations

import pytest
from django.utils import translation

from tolk.i18n import is_english, request_language


@pytest.mark.parametrize(
    ("active", "expected"),
    [("en", "en"), ("en-gb", "en"), ("EN-us", "en"), ("nb", "nb"), ("nn", "nb"), ("de", "nb")],
)
def test_request_language_follows_the_active_language(active: str, expected: str) -> None:
    with translation.override(active):
        assert request_language() == expected
        assert is_english() is (expected == "en")


def test_bokmal_when_no_language_is_active() -> None:
    with translation.override(None):  # translation switched off: bokmål, the default
        assert request_language() == "nb"
        assert not is_english()


def test_bokmal_outside_a_request() -> None:
    assert request_language() == "nb"


def test_pages_follow_the_helper() -> None:
    """Numbers on the pages are written the way the request's language writes them."""
    from frontend.templatetags.tolk import number, percent

    with translation.override("en"):
        assert number(1234.5, 1) == "1,234.5" and percent(0.125, 1) == "12.5\u00a0%"
    with translation.override("nb"):
        assert percent(0.125, 1) == "12,5\u00a0%"

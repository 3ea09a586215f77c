"""The request's language, decided in one place.

Tolk speaks bokmål (`nb`, the default) and English (`en`). Django's LocaleMiddleware (REST and web
pages) and the websocket consumers (`translation.override`) activate the language; everything that
has to choose between the two asks here instead of looking at `get_language()` itself.
"""

from __future__ import annotations

from typing import Literal

from django.utils.translation import get_language

Language = Literal["nb", "en"]
BOKMAL: Language = "nb"
ENGLISH: Language = "en"


def request_language() -> Language:
    """`"en"` when English is active (`en`, `en-gb`, ...), otherwise `"nb"`: bokmål is the default,
    also outside a request and when translation is switched off."""
    return ENGLISH if (get_language() or BOKMAL).lower().startswith(ENGLISH) else BOKMAL


def is_english() -> bool:
    """Whether the request's language is English."""
    return request_language() == ENGLISH

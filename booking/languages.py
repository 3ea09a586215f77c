"""Languages by ISO 639-3 code, with names from maintained libraries (CLDR via langcodes, ISO 639-3
via pycountry), never a hand-typed table."""

from __future__ import annotations

import gettext
import re
from functools import lru_cache

import langcodes
import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_CODE_RE = re.compile(r"^[a-z]{3}$")


@lru_cache(maxsize=1)
def _pycountry_nb() -> gettext.NullTranslations:
    return gettext.translation(
        "iso639-3", pycountry.LOCALES_DIR, languages=["nb_NO", "nb"], fallback=True
    )


def is_language_code(code: str) -> bool:
    return bool(_CODE_RE.match(code or "")) and pycountry.languages.get(alpha_3=code) is not None


def validate_language_code(code: str) -> None:
    if not is_language_code(code):
        raise ValidationError(
            _("'%(code)s' is not an ISO 639-3 language code."),
            code="unknown_language",
            params={"code": code},
        )


@lru_cache(maxsize=4096)
def language_name(code: str, lang: str = "nb") -> str:
    """The language's name in bokmål (`nb`) or English (`en`)."""
    entry = pycountry.languages.get(alpha_3=code)
    if entry is None:
        return code
    english = entry.name
    tag = langcodes.Language.get(code, normalize=False)
    cldr = tag.display_name("en" if lang == "en" else "nb")
    if lang == "en":
        return cldr if cldr and not cldr.startswith("Unknown") else english
    if cldr and not cldr.startswith("Unknown") and cldr != english:
        return cldr
    translated = _pycountry_nb().gettext(english)
    return translated if translated != english else (cldr or english)


def language_names(code: str) -> dict[str, str]:
    return {"nb": language_name(code, "nb"), "en": language_name(code, "en")}


@lru_cache(maxsize=1)
def all_language_codes() -> tuple[str, ...]:
    """Every living individual language and macrolanguage in ISO 639-3."""
    return tuple(
        sorted(
            lang.alpha_3
            for lang in pycountry.languages
            if getattr(lang, "type", "") in {"L", "C"} or getattr(lang, "scope", "") == "M"
        )
    )

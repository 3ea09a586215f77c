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


def _cldr_tag(code: str) -> langcodes.Language:
    """The CLDR tag for an ISO 639-3 code: CLDR names many languages by their two-letter code
    (`ara` is `ar`), but normalising must not turn one language into another's regional variant
    (`prs`, Dari, would become `fa-AF`)."""
    normalized = langcodes.Language.get(code)
    if normalized.territory is None and normalized.script is None and normalized.has_name_data():
        return normalized
    return langcodes.Language.get(code, normalize=False)


@lru_cache(maxsize=4096)
def language_name(code: str, lang: str = "nb") -> str:
    """The language's name in bokmål (`nb`) or English (`en`): CLDR first, then the ISO 639-3
    name (translated to bokmål where the iso-codes project has a translation)."""
    entry = pycountry.languages.get(alpha_3=code)
    if entry is None:
        return code
    english = entry.name
    tag = _cldr_tag(code)
    cldr_en = tag.display_name("en") if tag.has_name_data() else ""
    if lang == "en":
        return cldr_en or english
    cldr_nb = tag.display_name("nb") if tag.has_name_data() else ""
    if cldr_nb and cldr_nb != cldr_en:
        return cldr_nb
    translated = _pycountry_nb().gettext(english)
    return translated if translated != english else (cldr_nb or english)


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

"""The one language table of Tolk: the register, bookings, matching and the statistics all store a
language as the table's code, so that an interpreter in the register, a booking and a counted
assignment in the same language always carry the same code.

The table's codes are ISO 639-3: individual languages, and a macrolanguage where the register tests
it as one language (Arabic `ara`, Albanian `sqi`, ...). Codes from outside (register files,
provider files, the API) are resolved to the table's code by `language_resolve`: ISO 639-1 (`fa`),
ISO 639-2/B (`per`), retired ISO 639-3 codes with a replacement, members of a macrolanguage that is
one language here (`arb` → `ara`) and macrolanguages whose members are separate here (`fas` →
`pes`; `kur` is ambiguous and is refused). The choices that are ours are data in
`tolk.reference.language_table`; the ISO 639-3 tables come from `python-iso639`, names from CLDR
(`langcodes`) and the iso-codes translations (`pycountry`).
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import iso639
import langcodes
import pycountry
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as translate
from django.utils.translation import gettext_lazy as _

from tolk.reference.language_table import NB_NAMES, OFFERED, SEARCH_TERMS, SPLIT_MACROLANGUAGES

_CODE_RE = re.compile(r"^[a-z]{2,3}$")
# ISO 639-3 language types a person can need an interpreter for: living and constructed.
_USABLE_TYPES = {"L", "C"}

UNKNOWN_LANGUAGE = "unknown_language"
AMBIGUOUS_LANGUAGE = "ambiguous_language"


@dataclass(frozen=True)
class LanguageMatch:
    """What a code from outside means in the table: `code`, or an error code with the table codes
    it could mean (`candidates`, for an ambiguous macrolanguage)."""

    given: str
    code: str | None
    error: str = ""
    candidates: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.code is not None

    def reason(self) -> str:
        """A sentence for row reports, in the active language."""
        if self.ok:
            return ""
        if self.error == AMBIGUOUS_LANGUAGE:
            return translate(
                "'%(given)s' is a macrolanguage whose languages are registered separately; "
                "use one of: %(candidates)s."
            ) % {"given": self.given, "candidates": ", ".join(self.candidates)}
        return translate("'%(given)s' is not an ISO 639-3 (or ISO 639-1/639-2) language code.") % {
            "given": self.given
        }


@dataclass(frozen=True)
class _Iso:
    by_part3: dict[str, iso639.Language]
    by_part2b: dict[str, iso639.Language]
    by_part1: dict[str, iso639.Language]
    members: dict[str, tuple[str, ...]]


@lru_cache(maxsize=1)
def _iso() -> _Iso:
    by_part3: dict[str, iso639.Language] = {}
    by_part2b: dict[str, iso639.Language] = {}
    by_part1: dict[str, iso639.Language] = {}
    members: dict[str, list[str]] = {}
    for entry in iso639.ALL_LANGUAGES:
        by_part3[entry.part3] = entry
        if entry.part2b:
            by_part2b[entry.part2b] = entry
        if entry.part1:
            by_part1[entry.part1] = entry
        if entry.macrolanguage and entry.status == "A":
            members.setdefault(entry.macrolanguage, []).append(entry.part3)
    return _Iso(by_part3, by_part2b, by_part1,
                {k: tuple(sorted(v)) for k, v in members.items()})


def macrolanguage_members(code: str) -> tuple[str, ...]:
    """The individual languages ISO 639-3 puts in macrolanguage `code` (empty for others)."""
    return _iso().members.get(code, ())


def _unknown(given: str) -> LanguageMatch:
    return LanguageMatch(given=given, code=None, error=UNKNOWN_LANGUAGE)


@lru_cache(maxsize=8192)
def language_resolve(given: str) -> LanguageMatch:
    """The table's code for a language code from a file or a request."""
    value = (given or "").strip().lower()
    if not _CODE_RE.match(value):
        return _unknown(given)
    iso = _iso()
    entry = (
        iso.by_part1.get(value) if len(value) == 2
        else iso.by_part3.get(value) or iso.by_part2b.get(value)
    )
    seen: set[str] = set()
    while entry is not None and entry.status != "A":
        # A retired code with one successor means that successor; one split into several
        # or dropped without a successor cannot be mapped.
        successor = entry.retire_change_to
        if not successor or successor in seen:
            return _unknown(given)
        seen.add(successor)
        entry = iso.by_part3.get(successor)
    if entry is None or entry.type not in _USABLE_TYPES:
        return _unknown(given)
    code = entry.part3
    if entry.scope == "M":
        if code not in SPLIT_MACROLANGUAGES:
            return LanguageMatch(given=given, code=code)
        meant = SPLIT_MACROLANGUAGES[code]
        if meant is None:
            offered = [m for m in macrolanguage_members(code) if m in _offered_set()]
            return LanguageMatch(given=given, code=None, error=AMBIGUOUS_LANGUAGE,
                                 candidates=tuple(offered or macrolanguage_members(code)))
        return LanguageMatch(given=given, code=meant)
    macro = entry.macrolanguage
    if macro and macro not in SPLIT_MACROLANGUAGES:
        macro_entry = iso.by_part3.get(macro)
        if macro_entry is not None and macro_entry.type in _USABLE_TYPES:
            return LanguageMatch(given=given, code=macro)
    return LanguageMatch(given=given, code=code)


def is_language_code(code: str) -> bool:
    """Whether `code` is one of the table's codes, as stored (not an alias of one)."""
    return bool(code) and language_resolve(code).code == code


def validate_language_code(code: str) -> None:
    if is_language_code(code):
        return
    match = language_resolve(code)
    if match.ok:
        raise ValidationError(
            _("'%(code)s' is written '%(table_code)s' in Tolk's language table."),
            code="language_alias", params={"code": code, "table_code": match.code},
        )
    raise ValidationError(
        _("'%(code)s' is not an ISO 639-3 language code."),
        code="unknown_language",
        params={"code": code},
    )


@lru_cache(maxsize=1)
def _offered_set() -> frozenset[str]:
    return frozenset(OFFERED)


def offered_languages() -> tuple[str, ...]:
    """The languages offered for booking and search even without anyone in the register."""
    return OFFERED


@lru_cache(maxsize=1)
def _pycountry_nb() -> gettext.NullTranslations:
    return gettext.translation(
        "iso639-3", pycountry.LOCALES_DIR, languages=["nb_NO", "nb"], fallback=True
    )


def _cldr_tag(code: str) -> langcodes.Language:
    """The CLDR tag for an ISO 639-3 code: CLDR names many languages by their two-letter code
    (`ara` is `ar`), but normalising must not turn one language into another's regional variant
    (`prs`, Dari, would become `fa-AF`) nor an individual language into its macrolanguage (`pes`
    would become `fa`)."""
    normalized = langcodes.Language.get(code)
    entry = _iso().by_part3.get(code)
    same = entry is not None and normalized.language in {code, entry.part1}
    if (same and normalized.territory is None and normalized.script is None
            and normalized.has_name_data()):
        return normalized
    return langcodes.Language.get(code, normalize=False)


def _iso_english(code: str) -> str:
    entry = pycountry.languages.get(alpha_3=code)
    if entry is not None:
        return str(entry.name)
    iso_entry = _iso().by_part3.get(code)
    return iso_entry.name if iso_entry is not None else code


@lru_cache(maxsize=8192)
def bokmal_name(code: str) -> str | None:
    """The language's bokmål name, or None when neither this table, CLDR nor the iso-codes
    translations have one (the English name is then shown)."""
    if code in NB_NAMES:
        return NB_NAMES[code]
    tag = _cldr_tag(code)
    if tag.has_name_data():
        cldr_nb = tag.display_name("nb")
        if cldr_nb and cldr_nb != tag.display_name("en"):
            return cldr_nb
    english = _iso_english(code)
    translated = _pycountry_nb().gettext(english)
    return translated if translated != english else None


@lru_cache(maxsize=8192)
def language_name(code: str, lang: str = "nb") -> str:
    """The language's name in bokmål (`nb`) or English (`en`): this table, CLDR, then the ISO
    639-3 name (translated to bokmål where the iso-codes project has a translation)."""
    if _iso().by_part3.get(code) is None:
        return code
    tag = _cldr_tag(code)
    cldr_en = tag.display_name("en") if tag.has_name_data() else ""
    english = cldr_en or _iso_english(code)
    if lang == "en":
        return english
    return bokmal_name(code) or english


@lru_cache(maxsize=1)
def all_language_codes() -> tuple[str, ...]:
    """Every code of the table: the living (and constructed) individual languages and the
    macrolanguages that are one language here, each once."""
    codes = set()
    for entry in iso639.ALL_LANGUAGES:
        if entry.status == "A" and entry.type in _USABLE_TYPES:
            match = language_resolve(entry.part3)
            if match.code == entry.part3:
                codes.add(entry.part3)
    return tuple(sorted(codes))


# --- search ------------------------------------------------------------------------------------

def normalize_search(text: str) -> str:
    """Lower case without accents, so that 'Kurmancî' and 'kurmanci' match."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


@lru_cache(maxsize=8192)
def search_terms(code: str) -> tuple[str, ...]:
    """Everything a person might type for the language: its code and ISO 639-1/639-2 codes, its
    names in bokmål and English, and the common names and spellings of the table."""
    entry = _iso().by_part3.get(code)
    terms = [code, language_name(code, "nb"), language_name(code, "en"),
             *SEARCH_TERMS.get(code, ())]
    if entry is not None:
        terms += [entry.part1 or "", entry.part2b or "", entry.name]
        macro = _iso().by_part3.get(entry.macrolanguage or "")
        if macro is not None and SPLIT_MACROLANGUAGES.get(macro.part3) == code:
            # `fas`, `per` and `fa` are Persisk (pes): found by them too.
            terms += [macro.part3, macro.part1 or "", macro.part2b or ""]
    seen: dict[str, None] = {}
    for term in terms:
        normalized = normalize_search(term)
        if normalized:
            seen.setdefault(normalized, None)
    return tuple(seen)


def _rank(query: str, terms: tuple[str, ...]) -> int | None:
    """0 a term is the query, 1 a term or one of its words starts with it, 2 contains it."""
    best: int | None = None
    for term in terms:
        if term == query:
            return 0
        words = re.split(r"[\s()\-'/,]+", term)
        if term.startswith(query) or any(w.startswith(query) for w in words):
            best = 1
        elif query in term and best is None:
            best = 2
    return best


def language_search(
    query: str, codes: Iterable[str], *, weight: Mapping[str, int] | None = None
) -> list[str]:
    """`codes` that match `query` (code, name, common name or spelling), best match first: a term
    that is the query, then one starting with it, then one containing it; within each, the
    largest `weight` (e.g. interpreters in the register) and then the bokmål name."""
    wanted = normalize_search(query)
    codes = list(codes)
    if not wanted:
        return codes
    weight = weight or {}
    ranked = []
    for code in codes:
        rank = _rank(wanted, search_terms(code))
        if rank is not None:
            ranked.append((rank, -weight.get(code, 0),
                           normalize_search(language_name(code, "nb")), code))
    return [row[-1] for row in sorted(ranked)]


def language_clean(value: str) -> str:
    """The table's code for `value`, or a ValidationError (`unknown_language`,
    `ambiguous_language`) for forms and filters."""
    match = language_resolve(value)
    if match.code is not None:
        return match.code
    if match.error == AMBIGUOUS_LANGUAGE:
        raise ValidationError(
            _("'%(code)s' covers several languages of the register; choose one of: "
              "%(options)s."),
            code=AMBIGUOUS_LANGUAGE,
            params={"code": value, "options": ", ".join(match.candidates)},
        )
    raise ValidationError(
        _("'%(code)s' is not an ISO 639-3 language code."),
        code=UNKNOWN_LANGUAGE, params={"code": value},
    )


class LanguageCodeField(forms.CharField):
    """A language code from outside (ISO 639-3, 639-1 or 639-2), cleaned to the table's code."""

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return language_clean(value) if value else value

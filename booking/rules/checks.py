"""The Interpreter Act's checks as pure functions over plain values: no database, no clock. Each
raises `ValidationFailed` with the rule's code and section, and a message in bokmål and English;
services gather the facts and call these, so every rule is enforced in exactly one place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from booking.rules.catalogue import (
    TL4_CHILD,
    TL6_DUTY_BASIS,
    TL7_EXCEPTION,
    TL7_QUALIFIED,
    TL8_REMOTE,
    TL9_GUIDELINES,
    TL10_POLICE_CERT,
    TL14_LANGUAGE,
    TL16_IMPARTIALITY,
    section_of,
)
from tolk.errors import ValidationFailed

DUTY_BASES = ("statute", "necessary", "discretionary")
REMOTE_MODALITIES = ("video", "phone")
CATEGORIES = ("A", "B", "C", "D", "E")
EXCEPTION_GROUNDS = ("cannot_wait", "emergency", "strong_reasons")
CHILD_EXCEPTION_GROUNDS = ("emergency", "justifiable")
ADULT_AGE = 18

BASIS_QUALIFIED = "qualified"
BASIS_DISPENSATION = "dispensation"
BASIS_EXCEPTION = "exception"
BASIS_NOT_REQUIRED = "not_required"


def refuse(
    code: str, *, message_nb: str, message_en: str, fields: Mapping[str, Any] | None = None
) -> ValidationFailed:
    """The error for a rule violation (raise the result)."""
    return ValidationFailed(
        code=code,
        section=section_of(code),
        message_nb=message_nb,
        message_en=message_en,
        fields=dict(fields or {}),
    )


# --- § 6 duty basis ---------------------------------------------------------------------------


def check_duty_basis(*, duty_basis: str, assessment_note: str) -> None:
    if duty_basis not in DUTY_BASES:
        raise refuse(
            TL6_DUTY_BASIS,
            message_nb="Oppgi grunnlaget for bruk av tolk: statute, necessary eller discretionary.",
            message_en="State the basis for using an interpreter: statute, necessary or "
            "discretionary.",
            fields={"duty_basis": [f"Must be one of {', '.join(DUTY_BASES)}."]},
        )
    if duty_basis == "necessary" and not assessment_note.strip():
        raise refuse(
            TL6_DUTY_BASIS,
            message_nb="Når tolk er nødvendig, må vurderingen av behovet beskrives.",
            message_en="When an interpreter is necessary, describe the assessment of the need.",
            fields={"assessment_note": ["Required when the duty basis is 'necessary'."]},
        )


def qualified_required(*, duty_basis: str) -> bool:
    """§ 7 first paragraph: a qualified interpreter is required when the use is necessary for
    legal safeguards or proper service, or required by another statute."""
    return duty_basis in ("statute", "necessary")


# --- § 8 modality -----------------------------------------------------------------------------


def check_modality(
    *, modality: str, platform: str, approved_platforms: Iterable[str], municipality: str,
    address: str,
) -> None:
    if modality in REMOTE_MODALITIES:
        approved = list(approved_platforms)
        if not platform:
            raise refuse(
                TL8_REMOTE,
                message_nb="Fjerntolking krever en plattform fra virksomhetens godkjente liste.",
                message_en="Remote interpreting needs a platform from the organisation's "
                "approved list.",
                fields={"platform": ["Required for video and phone."], "approved": approved},
            )
        if platform not in approved:
            raise refuse(
                TL8_REMOTE,
                message_nb=f"Plattformen «{platform}» er ikke godkjent av virksomheten.",
                message_en=f"The platform '{platform}' is not approved by the organisation.",
                fields={"platform": ["Not on the approved list."], "approved": approved},
            )
        return
    missing = {}
    if not municipality:
        missing["municipality"] = ["Required for on-site interpreting."]
    if not address.strip():
        missing["address"] = ["Required for on-site interpreting."]
    if missing:
        raise ValidationFailed(
            code="onsite_place_missing",
            section=None,
            message_nb="Oppmøtetolking krever kommune og adresse.",
            message_en="On-site interpreting needs a municipality and an address.",
            fields=missing,
        )


# --- § 9 guidelines ---------------------------------------------------------------------------


def check_guideline_present(*, guideline_version: int | None) -> None:
    if guideline_version is None:
        raise refuse(
            TL9_GUIDELINES,
            message_nb="Virksomheten har ingen gjeldende retningslinjer for bestilling av tolk.",
            message_en="The organisation has no guidelines in force for ordering interpreters.",
        )


def check_category_value(*, field: str, value: str) -> None:
    if value not in ("", *CATEGORIES):
        raise ValidationFailed(
            code="invalid",
            message_nb="Kategori må være A, B, C, D eller E.",
            message_en="Category must be A, B, C, D or E.",
            fields={field: ["Must be one of A, B, C, D, E."]},
        )


def stricter_category(first: str, second: str) -> str:
    """The stricter of two minimum categories ('' = no minimum). A is the strictest."""
    given = [c for c in (first, second) if c]
    return min(given) if given else ""


def meets_category(*, category: str, min_category: str) -> bool:
    return bool(category) and (not min_category or category <= min_category)


def check_category(*, category: str, min_category: str) -> None:
    if not meets_category(category=category, min_category=min_category):
        raise refuse(
            TL9_GUIDELINES,
            message_nb=f"Bestillingen krever minst kategori {min_category}.",
            message_en=f"The booking requires at least category {min_category}.",
            fields={"category": category, "min_category": min_category},
        )


# --- § 10 police certificate ------------------------------------------------------------------


def has_police_certificate(*, valid_until: dt.date | None, on: dt.date) -> bool:
    return valid_until is not None and valid_until >= on


def check_police_certificate(*, required: bool, valid_until: dt.date | None, on: dt.date) -> None:
    if required and not has_police_certificate(valid_until=valid_until, on=on):
        raise refuse(
            TL10_POLICE_CERT,
            message_nb="Oppdraget krever gyldig politiattest på oppdragsdatoen.",
            message_en="The assignment requires a police certificate valid on its date.",
            fields={"police_certificate_valid_until": str(valid_until or "")},
        )


# --- § 14 language ----------------------------------------------------------------------------


def check_language(*, category: str | None, language: str, on: dt.date) -> None:
    """At accept: the interpreter must be qualified for the language on the assignment date."""
    if not category:
        raise refuse(
            TL14_LANGUAGE,
            message_nb=f"Du er ikke kvalifisert for språket {language} på {on:%d.%m.%Y}.",
            message_en=f"You are not qualified for the language {language} on {on:%Y-%m-%d}.",
            fields={"language": language, "date": on.isoformat()},
        )


# --- § 16 impartiality ------------------------------------------------------------------------


def check_not_blocked(*, blocked: bool) -> None:
    if blocked:
        raise refuse(
            TL16_IMPARTIALITY,
            message_nb="Tolken er sperret for denne saken av virksomheten.",
            message_en="The interpreter is blocked for this case by the organisation.",
        )


# --- § 7 qualification, exception and dispensation -------------------------------------------


@dataclass(frozen=True)
class ExceptionRecord:
    """§ 7 second paragraph: why a non-qualified interpreter is used, and who decided."""

    ground: str
    justification: str
    decided_by: str

    @classmethod
    def from_data(cls, data: Any) -> ExceptionRecord | None:
        if data in (None, {}):
            return None
        if not isinstance(data, dict):
            raise refuse(
                TL7_EXCEPTION,
                message_nb="Unntaket må sendes som et objekt med ground, justification og "
                "decided_by.",
                message_en="The exception must be an object with ground, justification and "
                "decided_by.",
            )
        record = cls(
            ground=str(data.get("ground") or ""),
            justification=str(data.get("justification") or "").strip(),
            decided_by=str(data.get("decided_by") or "").strip(),
        )
        record.validate()
        return record

    def validate(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.ground not in EXCEPTION_GROUNDS:
            errors["ground"] = [f"Must be one of {', '.join(EXCEPTION_GROUNDS)}."]
        if len(self.justification) < 10:
            errors["justification"] = ["A written justification (at least 10 characters)."]
        if not self.decided_by:
            errors["decided_by"] = ["Who decided the exception."]
        if len(self.justification) > 5000 or len(self.decided_by) > 200:
            errors["justification"] = ["Too long."]
        for name in ("justification", "decided_by"):
            if "\x00" in getattr(self, name):
                errors[name] = ["Must not contain a NUL character."]
        if errors:
            raise refuse(
                TL7_EXCEPTION,
                message_nb="Unntak fra kvalifikasjonskravet må ha grunnlag, skriftlig begrunnelse "
                "og hvem som besluttet.",
                message_en="An exception from the qualification duty needs a ground, a written "
                "justification and who decided.",
                fields={"exception": errors},
            )


def qualification_basis(
    *,
    on: dt.date,
    dispensation_last_day: dt.date,
    required: bool,
    category: str | None,
    exception: ExceptionRecord | None,
) -> str:
    """On what footing an interpreter with `category` (None: not qualified for the language on
    `on`) may do an assignment on `on`. Raises TL7_QUALIFIED when they may not."""
    if category:
        return BASIS_QUALIFIED
    if exception is not None:
        exception.validate()
        return BASIS_EXCEPTION
    if not required:
        return BASIS_NOT_REQUIRED
    if on <= dispensation_last_day:
        return BASIS_DISPENSATION
    raise refuse(
        TL7_QUALIFIED,
        message_nb=f"Fra {dispensation_last_day + dt.timedelta(days=1):%d.%m.%Y} kreves "
        "kvalifisert tolk, eller et dokumentert unntak (grunnlag, begrunnelse, hvem besluttet).",
        message_en=f"From {dispensation_last_day + dt.timedelta(days=1):%Y-%m-%d} a qualified "
        "interpreter is required, or a documented exception (ground, justification, who "
        "decided).",
        fields={"exception": ["Required for a non-qualified interpreter."]},
    )


# --- § 4 children -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildException:
    ground: str
    reason: str

    @classmethod
    def from_data(cls, data: Any) -> ChildException | None:
        if data in (None, {}):
            return None
        if not isinstance(data, dict):
            raise refuse(
                TL4_CHILD,
                message_nb="Unntaket må sendes som et objekt med ground og reason.",
                message_en="The exception must be an object with ground and reason.",
            )
        return cls(
            ground=str(data.get("ground") or ""), reason=str(data.get("reason") or "").strip()
        )


def check_child(*, age: int | None, child_exception: ChildException | None) -> None:
    """Ad hoc interpreters outside the register must give an age; a child (under 18) only with a
    recorded § 4 exception."""
    if age is None:
        raise refuse(
            TL4_CHILD,
            message_nb="Oppgi alderen til tolken utenfor registeret.",
            message_en="Give the age of the interpreter outside the register.",
            fields={"age": ["Required for interpreters outside the register."]},
        )
    if age < 0 or age > 120:
        raise ValidationFailed(
            code="invalid",
            message_nb="Alderen er ikke gyldig.",
            message_en="The age is not valid.",
            fields={"age": ["Must be between 0 and 120."]},
        )
    if age >= ADULT_AGE:
        return
    if child_exception is None:
        raise refuse(
            TL4_CHILD,
            message_nb="Barn under 18 år skal ikke brukes som tolk.",
            message_en="A child under 18 must not be used as an interpreter.",
            fields={"age": [f"Under {ADULT_AGE}."]},
        )
    errors: dict[str, list[str]] = {}
    if child_exception.ground not in CHILD_EXCEPTION_GROUNDS:
        errors["ground"] = [f"Must be one of {', '.join(CHILD_EXCEPTION_GROUNDS)}."]
    if len(child_exception.reason) < 10:
        errors["reason"] = ["A written reason (at least 10 characters)."]
    elif "\x00" in child_exception.reason or len(child_exception.reason) > 5000:
        errors["reason"] = ["At most 5000 characters, no NUL character."]
    if errors:
        raise refuse(
            TL4_CHILD,
            message_nb="Unntak for barn krever grunnlag (nødssituasjon eller klart forsvarlig) "
            "og begrunnelse.",
            message_en="An exception for a child needs a ground (emergency or clearly "
            "justifiable) and a reason.",
            fields={"child_exception": errors},
        )

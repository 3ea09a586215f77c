"""The Interpreter Act's checks as pure functions over plain values: no database, no clock. Each
raises `ValidationFailed` with the rule's code and section, and a message from the error catalogue
(`tolk.error_catalogue`); services gather the facts and call these, so every rule is enforced in
exactly one place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from booking.rules.catalogue import section_of
from tolk.error_catalogue import entry as catalogue_entry
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
    name: str, /, *, fields: Mapping[str, Any] | None = None, **params: object
) -> ValidationFailed:
    """The error for a rule violation (raise the result): the catalogue entry `name` with its
    parameters, with the section of the entry's rule code."""
    code = catalogue_entry(name).code
    return ValidationFailed(code=name, section=section_of(code), fields=dict(fields or {}),
                            params=params)


# --- § 6 duty basis ---------------------------------------------------------------------------


def check_duty_basis(*, duty_basis: str, assessment_note: str) -> None:
    if duty_basis not in DUTY_BASES:
        raise refuse(
            "duty_basis_invalid",
            fields={"duty_basis": [f"Must be one of {', '.join(DUTY_BASES)}."]},
        )
    if duty_basis == "necessary" and not assessment_note.strip():
        raise refuse(
            "duty_basis_assessment_missing",
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
                "remote_platform_missing",
                fields={"platform": ["Required for video and phone."], "approved": approved},
            )
        if platform not in approved:
            raise refuse(
                "remote_platform_not_approved",
                platform=platform,
                fields={"platform": ["Not on the approved list."], "approved": approved},
            )
        return
    missing = {}
    if not municipality:
        missing["municipality"] = ["Required for on-site interpreting."]
    if not address.strip():
        missing["address"] = ["Required for on-site interpreting."]
    if missing:
        raise ValidationFailed.of("onsite_place_missing", fields=missing)


# --- § 9 guidelines ---------------------------------------------------------------------------


def check_guideline_present(*, guideline_version: int | None) -> None:
    if guideline_version is None:
        raise refuse("guidelines_missing")


def check_category_value(*, field: str, value: str) -> None:
    if value not in ("", *CATEGORIES):
        raise ValidationFailed.of(
            "category_invalid",
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
            "category_too_low",
            min_category=min_category,
            fields={"category": category, "min_category": min_category},
        )


# --- § 10 police certificate ------------------------------------------------------------------


def has_police_certificate(*, valid_until: dt.date | None, on: dt.date) -> bool:
    return valid_until is not None and valid_until >= on


def check_police_certificate(*, required: bool, valid_until: dt.date | None, on: dt.date) -> None:
    if required and not has_police_certificate(valid_until=valid_until, on=on):
        raise refuse(
            "police_certificate_missing",
            fields={"police_certificate_valid_until": str(valid_until or "")},
        )


# --- § 14 language ----------------------------------------------------------------------------


def check_language(*, category: str | None, language: str, on: dt.date) -> None:
    """At accept: the interpreter must be qualified for the language on the assignment date."""
    if not category:
        raise refuse(
            "language_not_qualified",
            language=language,
            date=on,
            fields={"language": language, "date": on.isoformat()},
        )


# --- § 16 impartiality ------------------------------------------------------------------------


def check_not_blocked(*, blocked: bool) -> None:
    if blocked:
        raise refuse("interpreter_blocked")


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
            raise refuse("exception_not_object")
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
                "exception_incomplete",
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
        "qualified_interpreter_required",
        date=dispensation_last_day + dt.timedelta(days=1),
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
            raise refuse("child_exception_not_object")
        return cls(
            ground=str(data.get("ground") or ""), reason=str(data.get("reason") or "").strip()
        )


def check_child(*, age: int | None, child_exception: ChildException | None) -> None:
    """Ad hoc interpreters outside the register must give an age; a child (under 18) only with a
    recorded § 4 exception."""
    if age is None:
        raise refuse(
            "age_missing",
            fields={"age": ["Required for interpreters outside the register."]},
        )
    if age < 0 or age > 120:
        raise ValidationFailed.of(
            "age_invalid",
            fields={"age": ["Must be between 0 and 120."]},
        )
    if age >= ADULT_AGE:
        return
    if child_exception is None:
        raise refuse(
            "child_interpreter",
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
            "child_exception_incomplete",
            fields={"child_exception": errors},
        )

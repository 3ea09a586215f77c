"""The interpreter's declarations (tolkeloven §§ 15 and 16): given when accepting an offer, or in
writing by an interpreter outside the register and recorded by the provider. Never by a
coordinator on the interpreter's behalf."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from booking.rules.catalogue import TL15_CONFIDENTIALITY, TL16_IMPARTIALITY, section_of
from tolk.errors import ValidationFailed


@dataclass(frozen=True)
class Declarations:
    impartial: bool
    confidentiality: bool

    @classmethod
    def from_data(cls, data: Any) -> Declarations:
        """Parse `{"impartial": true, "confidentiality": true}`; both must be JSON booleans."""
        if not isinstance(data, dict):
            raise ValidationFailed.of("declarations_not_object")
        errors: dict[str, list[str]] = {}
        for name in ("impartial", "confidentiality"):
            if name not in data:
                errors[name] = ["This field is required."]
            elif not isinstance(data[name], bool):
                errors[name] = ["Must be true or false."]
        if errors:
            raise ValidationFailed.of("declarations_incomplete", fields=errors)
        return cls(impartial=data["impartial"], confidentiality=data["confidentiality"])

    def require_complete(self) -> None:
        """Refuse an accept without both declarations (§ 16 first: it is the stronger bar)."""
        if not self.impartial:
            raise ValidationFailed.of(
                "impartiality_not_declared", section=section_of(TL16_IMPARTIALITY),
                fields={"impartial": ["Must be true."]},
            )
        if not self.confidentiality:
            raise ValidationFailed.of(
                "confidentiality_not_acknowledged", section=section_of(TL15_CONFIDENTIALITY),
                fields={"confidentiality": ["Must be true."]},
            )


# The clock of the client that sends a written declaration may run a little ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=2)

INTERPRETER_MUST_DECLARE = "interpreter_must_declare"
WRITTEN_DECLARATION_REQUIRED = "written_declaration_required"
WRITTEN_DECLARATION_INVALID = "written_declaration_invalid"


def interpreter_must_declare(field: str) -> ValidationFailed:
    """A coordinator (or anyone but the interpreter) tried to give the declarations."""
    return ValidationFailed.of(
        INTERPRETER_MUST_DECLARE, fields={field: ["Only the interpreter can declare."]}
    )


def _normalised(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class WrittenDeclaration:
    """§§ 15–16 given in writing by an interpreter outside the register (no login): who declared
    and when. The coordinator records it; it is never a declaration by the coordinator."""

    declared_by: str
    declared_at: dt.datetime
    impartial: bool
    confidentiality: bool

    def validate(
        self, *, interpreter_name: str, now: dt.datetime, assignment_end: dt.datetime
    ) -> None:
        """The declaration is the interpreter's own (their name), was given (not in the future,
        not after the assignment ended), and covers both duties."""
        errors: dict[str, list[str]] = {}
        name = " ".join(self.declared_by.split())
        if not name:
            errors["declared_by"] = ["The name of the interpreter who declared."]
        elif len(name) > 200:
            errors["declared_by"] = ["At most 200 characters."]
        elif _normalised(name) != _normalised(interpreter_name):
            errors["declared_by"] = ["Must be the interpreter's own name (adhoc_name)."]
        if timezone_naive(self.declared_at):
            errors["declared_at"] = ["Must include a time zone offset."]
        elif self.declared_at > now + CLOCK_SKEW:
            errors["declared_at"] = ["Cannot be in the future."]
        elif self.declared_at > assignment_end:
            errors["declared_at"] = ["Must be before the assignment ended."]
        if errors:
            raise ValidationFailed.of(
                WRITTEN_DECLARATION_INVALID, fields={"written_declaration": errors}
            )
        if not self.impartial:
            raise ValidationFailed.of(
                "written_impartiality_missing", section=section_of(TL16_IMPARTIALITY),
                fields={"written_declaration": {"impartial": ["Must be true."]}},
            )
        if not self.confidentiality:
            raise ValidationFailed.of(
                "written_confidentiality_missing", section=section_of(TL15_CONFIDENTIALITY),
                fields={"written_declaration": {"confidentiality": ["Must be true."]}},
            )


def written_declaration_required() -> ValidationFailed:
    return ValidationFailed.of(
        WRITTEN_DECLARATION_REQUIRED,
        fields={"written_declaration": ["Required for an interpreter outside the register."]},
    )


def timezone_naive(value: dt.datetime) -> bool:
    return value.tzinfo is None or value.tzinfo.utcoffset(value) is None

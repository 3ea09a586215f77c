"""The interpreter's declarations when accepting an assignment (tolkeloven §§ 15 and 16)."""

from __future__ import annotations

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
            raise ValidationFailed(
                code="invalid",
                message_nb="Erklæringene må sendes som et JSON-objekt.",
                message_en="The declarations must be a JSON object.",
            )
        errors: dict[str, list[str]] = {}
        for name in ("impartial", "confidentiality"):
            if name not in data:
                errors[name] = ["This field is required."]
            elif not isinstance(data[name], bool):
                errors[name] = ["Must be true or false."]
        if errors:
            raise ValidationFailed(
                code="invalid",
                message_nb="Erklæringene er ufullstendige.",
                message_en="The declarations are incomplete.",
                fields=errors,
            )
        return cls(impartial=data["impartial"], confidentiality=data["confidentiality"])

    def require_complete(self) -> None:
        """Refuse an accept without both declarations (§ 16 first: it is the stronger bar)."""
        if not self.impartial:
            raise ValidationFailed(
                code=TL16_IMPARTIALITY,
                section=section_of(TL16_IMPARTIALITY),
                message_nb="Du kan ikke ta oppdraget uten å erklære at du ikke er inhabil.",
                message_en="You cannot take the assignment without declaring that you are not "
                "disqualified.",
                fields={"impartial": ["Must be true."]},
            )
        if not self.confidentiality:
            raise ValidationFailed(
                code=TL15_CONFIDENTIALITY,
                section=section_of(TL15_CONFIDENTIALITY),
                message_nb="Du må bekrefte taushetsplikten for å ta oppdraget.",
                message_en="You must acknowledge the duty of confidentiality to take the "
                "assignment.",
                fields={"confidentiality": ["Must be true."]},
            )

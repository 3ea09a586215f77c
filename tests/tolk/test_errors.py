"""Domain errors from the catalogue: code, section, status and fields as given, the message in the
language of whoever receives it; there is no other way to give an error its message."""

from __future__ import annotations

import pytest
from django.utils import translation

from booking.rules import TL6_DUTY_BASIS, section_of
from booking.rules.checks import check_duty_basis, refuse
from tolk.errors import (
    ConflictError,
    DomainError,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
    catalogue_error,
)


def test_a_catalogue_error_renders_in_the_active_language() -> None:
    error = NotFoundError.of("booking_not_found")
    assert (error.code, error.status_code, error.section, error.fields) == (
        "booking_not_found", 404, None, {})
    with translation.override("en"):
        assert error.as_dict() == {"code": "booking_not_found", "detail": "Booking not found.",
                                   "section": None, "fields": {}}
    with translation.override("nb"):
        assert error.detail == "Fant ikke bestillingen."
    assert (error.message_nb, error.message_en) == ("Fant ikke bestillingen.",
                                                    "Booking not found.")


def test_the_language_is_chosen_when_rendered_not_when_raised() -> None:
    with translation.override("nb"):
        error = ValidationFailed.of("json_too_deep", limit=32)
    with translation.override("en"):
        assert error.detail == "The JSON document is nested too deeply (at most 32 levels)."
    assert error.message_nb == "JSON-dokumentet er nøstet for dypt (høyst 32 nivåer)."


def test_constructor_with_code_and_params() -> None:
    error = DomainError(code="file_too_large", params={"megabytes": 50},
                        fields={"file": ["file_too_large"]})
    assert error.code == "file_too_large" and error.status_code == 400
    assert error.message_en == "The file is too large (at most 50 MB)."
    assert error.fields == {"file": ["file_too_large"]}
    assert str(error) == "file_too_large: The file is too large (at most 50 MB)."


def test_an_entry_can_share_a_code_with_another() -> None:
    error = ValidationFailed.of("assignment_too_long")
    assert error.code == "duration_too_long"
    assert error.message_en == "An assignment can last at most 24 hours."


def test_status_and_section_given_when_raising_win_over_the_entry() -> None:
    error = ValidationFailed.of("booking_not_found", status=410, section="§ 1")
    assert (error.status_code, error.section) == (410, "§ 1")
    assert ValidationFailed.of("booking_not_found").status_code == 404
    assert ValidationFailed.of("invalid_filter").status_code == 400


def test_the_class_follows_the_entrys_status() -> None:
    assert type(catalogue_error("booking_not_found")) is NotFoundError
    assert type(catalogue_error("interpreter_busy")) is ConflictError
    assert type(catalogue_error("not_an_interpreter")) is PermissionDeniedError
    assert type(catalogue_error("invalid_filter")) is ValidationFailed
    unavailable = catalogue_error("service_unavailable")
    assert unavailable.status_code == 503 and unavailable.code == "service_unavailable"


def test_an_unknown_code_without_messages_is_a_bug() -> None:
    with pytest.raises(KeyError):
        ValidationFailed.of("no_such_error")
    with pytest.raises(TypeError):
        ValidationFailed()


def test_an_inline_bokmal_and_english_pair_is_refused() -> None:
    """A message written at the raise would be a second translation system beside the catalogue,
    also when it is passed along as a parameter."""
    with pytest.raises(TypeError):
        ConflictError(code="offer_expired", message_nb="Tilbudet er borte.",
                      message_en="The offer is gone.")
    with pytest.raises(TypeError):
        ValidationFailed(message_nb="Feil.", message_en="Wrong.")
    with pytest.raises(TypeError):
        ConflictError.of("offer_expired", message_nb="Tilbudet er borte.",
                         message_en="The offer is gone.")
    with pytest.raises(TypeError):
        catalogue_error("invalid_request", message_nb="Feil.", message_en="Wrong.")
    with pytest.raises(TypeError):
        refuse("duty_basis_invalid", message_nb="Nei.", message_en="No.")


def test_an_error_takes_exactly_its_messages_parameters() -> None:
    assert ValidationFailed.of("json_too_deep", limit=32).params == {"limit": 32}
    with pytest.raises(TypeError, match="limit"):
        ValidationFailed.of("json_too_deep")
    with pytest.raises(TypeError, match="depth"):
        ValidationFailed.of("json_too_deep", limit=32, depth=33)


def test_a_section_given_when_raising_wins_over_the_entrys() -> None:
    error = ConflictError.of("offer_expired", section="§ 7")
    assert (error.code, error.status_code, error.section) == ("offer_expired", 409, "§ 7")
    with translation.override("en"):
        assert error.detail == "The offer has expired."
    with translation.override("nb"):
        assert error.detail == "Tilbudet har gått ut."
    assert str(error) == "offer_expired: The offer has expired."


def test_a_rule_error_carries_its_rule_code_and_section() -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_duty_basis(duty_basis="necessary", assessment_note=" ")
    error = refused.value
    assert (error.code, error.section) == (TL6_DUTY_BASIS, section_of(TL6_DUTY_BASIS))
    assert error.fields == {"assessment_note": ["Required when the duty basis is 'necessary'."]}
    assert error.message_nb == "Når tolk er nødvendig, må vurderingen av behovet beskrives."

"""Each rule of the Interpreter Act: allowed, refused, and the exception recorded, on both sides
of the dispensation cut-off (2026-12-31 / 2027-01-01). Pure functions: no database."""

from __future__ import annotations

import datetime as dt

import pytest

from booking.rules import (
    TL4_CHILD,
    TL6_DUTY_BASIS,
    TL7_DISPENSATION,
    TL7_EXCEPTION,
    TL7_QUALIFIED,
    TL8_REMOTE,
    TL9_GUIDELINES,
    TL10_POLICE_CERT,
    TL14_LANGUAGE,
    TL15_CONFIDENTIALITY,
    TL16_IMPARTIALITY,
    ChildException,
    Declarations,
    ExceptionRecord,
    rule_set_for,
    rules_in_force,
)
from booking.rules import checks as rules
from tolk.errors import ValidationFailed

CUTOFF = dt.date(2026, 12, 31)
LAST_DAY = dt.date(2026, 12, 31)
FIRST_DAY_AFTER = dt.date(2027, 1, 1)
SIDES = [LAST_DAY, FIRST_DAY_AFTER]
GOOD_EXCEPTION = ExceptionRecord(
    ground="emergency", justification="Akutt innleggelse, ingen kvalifisert tolk nåbar.",
    decided_by="Overlege K. Hansen",
)


def _code(exc: pytest.ExceptionInfo[ValidationFailed]) -> str:
    return exc.value.code


def test_rule_catalogue_by_date() -> None:
    before = {r.code for r in rules_in_force(on=LAST_DAY, dispensation_last_day=CUTOFF)}
    after = {r.code for r in rules_in_force(on=FIRST_DAY_AFTER, dispensation_last_day=CUTOFF)}
    assert before - after == {TL7_DISPENSATION}
    assert len(before) == 11
    assert rule_set_for(on=LAST_DAY, dispensation_last_day=CUTOFF) == "dispensation"
    assert rule_set_for(on=FIRST_DAY_AFTER, dispensation_last_day=CUTOFF) == "exception-only"
    # The cut-off is configuration: moving it moves the boundary.
    later = dt.date(2027, 6, 30)
    assert rule_set_for(on=FIRST_DAY_AFTER, dispensation_last_day=later) == "dispensation"


@pytest.mark.parametrize("on", SIDES)
def test_tl7_qualified_interpreter_allowed_on_both_sides(on: dt.date) -> None:
    basis = rules.qualification_basis(on=on, dispensation_last_day=CUTOFF, required=True,
                                      category="C", exception=None)
    assert basis == "qualified"


def test_tl7_dispensation_applies_up_to_and_including_the_last_day() -> None:
    basis = rules.qualification_basis(on=LAST_DAY, dispensation_last_day=CUTOFF, required=True,
                                      category=None, exception=None)
    assert basis == "dispensation"


def test_tl7_non_qualified_refused_after_cutoff_without_exception() -> None:
    with pytest.raises(ValidationFailed) as exc:
        rules.qualification_basis(on=FIRST_DAY_AFTER, dispensation_last_day=CUTOFF,
                                  required=True, category=None, exception=None)
    assert _code(exc) == TL7_QUALIFIED
    assert exc.value.section == "§ 7"


@pytest.mark.parametrize("on", SIDES)
def test_tl7_exception_recorded_on_both_sides(on: dt.date) -> None:
    basis = rules.qualification_basis(on=on, dispensation_last_day=CUTOFF, required=True,
                                      category=None, exception=GOOD_EXCEPTION)
    assert basis == "exception"


@pytest.mark.parametrize("on", SIDES)
def test_tl7_exception_needs_ground_justification_and_decider(on: dt.date) -> None:
    for bad in (
        {"ground": "convenience", "justification": "Det passet best slik.", "decided_by": "X"},
        {"ground": "emergency", "justification": "kort", "decided_by": "X"},
        {"ground": "emergency", "justification": "Akutt situasjon på legevakt.",
         "decided_by": ""},
    ):
        with pytest.raises(ValidationFailed) as exc:
            record = ExceptionRecord.from_data(bad)
            rules.qualification_basis(on=on, dispensation_last_day=CUTOFF, required=True,
                                      category=None, exception=record)
        assert _code(exc) == TL7_EXCEPTION


@pytest.mark.parametrize("on", SIDES)
def test_tl7_discretionary_use_does_not_require_qualified(on: dt.date) -> None:
    basis = rules.qualification_basis(on=on, dispensation_last_day=CUTOFF, required=False,
                                      category=None, exception=None)
    assert basis == "not_required"


def test_tl6_duty_basis() -> None:
    assert rules.qualified_required(duty_basis="statute")
    assert rules.qualified_required(duty_basis="necessary")
    assert not rules.qualified_required(duty_basis="discretionary")
    rules.check_duty_basis(duty_basis="discretionary", assessment_note="")
    with pytest.raises(ValidationFailed) as exc:
        rules.check_duty_basis(duty_basis="because", assessment_note="")
    assert _code(exc) == TL6_DUTY_BASIS
    with pytest.raises(ValidationFailed) as exc:
        rules.check_duty_basis(duty_basis="necessary", assessment_note="  ")
    assert _code(exc) == TL6_DUTY_BASIS
    assert "assessment_note" in exc.value.fields


def test_tl8_remote_platform_from_approved_list() -> None:
    approved = ["Teams (helsenett)"]
    rules.check_modality(modality="video", platform="Teams (helsenett)",
                         approved_platforms=approved, municipality="0301", address="")
    for platform in ("", "Skype"):
        with pytest.raises(ValidationFailed) as exc:
            rules.check_modality(modality="phone", platform=platform,
                                 approved_platforms=approved, municipality="0301", address="")
        assert _code(exc) == TL8_REMOTE
    rules.check_modality(modality="onsite", platform="", approved_platforms=[],
                         municipality="0301", address="Storgata 1")
    with pytest.raises(ValidationFailed):
        rules.check_modality(modality="onsite", platform="", approved_platforms=[],
                             municipality="0301", address="")


def test_tl9_guidelines_are_stricter_only() -> None:
    with pytest.raises(ValidationFailed) as exc:
        rules.check_guideline_present(guideline_version=None)
    assert _code(exc) == TL9_GUIDELINES
    assert rules.stricter_category("C", "") == "C"
    assert rules.stricter_category("D", "B") == "B"
    assert rules.stricter_category("", "") == ""
    rules.check_category(category="B", min_category="C")
    with pytest.raises(ValidationFailed) as exc:
        rules.check_category(category="D", min_category="C")
    assert _code(exc) == TL9_GUIDELINES


@pytest.mark.parametrize("on", SIDES)
def test_tl10_police_certificate(on: dt.date) -> None:
    rules.check_police_certificate(required=False, valid_until=None, on=on)
    rules.check_police_certificate(required=True, valid_until=on, on=on)
    with pytest.raises(ValidationFailed) as exc:
        rules.check_police_certificate(required=True, valid_until=on - dt.timedelta(days=1),
                                       on=on)
    assert _code(exc) == TL10_POLICE_CERT


@pytest.mark.parametrize("on", SIDES)
def test_tl14_language(on: dt.date) -> None:
    rules.check_language(category="E", language="tir", on=on)
    with pytest.raises(ValidationFailed) as exc:
        rules.check_language(category=None, language="tir", on=on)
    assert _code(exc) == TL14_LANGUAGE


def test_tl15_tl16_declarations() -> None:
    Declarations(impartial=True, confidentiality=True).require_complete()
    with pytest.raises(ValidationFailed) as exc:
        Declarations(impartial=True, confidentiality=False).require_complete()
    assert _code(exc) == TL15_CONFIDENTIALITY
    with pytest.raises(ValidationFailed) as exc:
        Declarations(impartial=False, confidentiality=True).require_complete()
    assert _code(exc) == TL16_IMPARTIALITY
    with pytest.raises(ValidationFailed) as exc:
        rules.check_not_blocked(blocked=True)
    assert _code(exc) == TL16_IMPARTIALITY
    for bad in ({"impartial": "yes", "confidentiality": True}, {"impartial": True}, [], None):
        with pytest.raises(ValidationFailed) as exc:
            Declarations.from_data(bad)
        assert _code(exc) == "invalid"


def test_tl4_child() -> None:
    rules.check_child(age=18, child_exception=None)
    with pytest.raises(ValidationFailed) as exc:
        rules.check_child(age=None, child_exception=None)
    assert _code(exc) == TL4_CHILD
    with pytest.raises(ValidationFailed) as exc:
        rules.check_child(age=17, child_exception=None)
    assert _code(exc) == TL4_CHILD
    with pytest.raises(ValidationFailed) as exc:
        rules.check_child(age=15, child_exception=ChildException(ground="emergency", reason=""))
    assert _code(exc) == TL4_CHILD
    rules.check_child(
        age=16,
        child_exception=ChildException(ground="emergency",
                                       reason="Brann i boligen; ingen annen kunne formidle."),
    )

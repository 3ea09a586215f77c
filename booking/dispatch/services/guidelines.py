"""Organisations' own guidelines (tolkeloven § 9, regulation § 2) as versioned rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max

from booking.dispatch.selectors import guideline_in_force, guidelines_in_force
from booking.dispatch.services.recheck import RecheckResult, recheck_organisation
from booking.models import Guideline, Organisation, User
from booking.rules.checks import check_category_value
from tolk.errors import ValidationFailed

# The reads live with the selectors; re-exported here for the callers that use them from here.
__all__ = ["guideline_in_force", "guidelines_in_force", "guideline_publish",
           "guideline_publish_rechecked"]


def _clean_platforms(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise ValidationFailed.of(
            "remote_platforms_invalid", fields={"remote_platforms": ["A list of strings."]}
        )
    cleaned = list(dict.fromkeys(p.strip() for p in value if p.strip()))
    if any(len(p) > 100 for p in cleaned):
        raise ValidationFailed.of(
            "platform_name_too_long",
            fields={"remote_platforms": ["At most 100 characters each."]},
        )
    return cleaned


@dataclass(frozen=True)
class GuidelinePublication:
    guideline: Guideline
    # What the new version took away from the organisation's coming bookings.
    recheck: RecheckResult


def guideline_publish(
    *,
    organisation: Organisation,
    valid_from: dt.date,
    min_category: str = "",
    remote_platforms: list[str] | None = None,
    police_certificate_required: bool = False,
    late_cancellation_hours: int = 24,
    ordering_routine: str = "",
    mandatory_use: str = "",
    remote_guidance: str = "",
    created_by: User | None = None,
    now: dt.datetime | None = None,
) -> Guideline:
    """Publish a new version (see `guideline_publish_rechecked`, which also says what the
    re-check took away)."""
    return guideline_publish_rechecked(
        organisation=organisation, valid_from=valid_from, min_category=min_category,
        remote_platforms=remote_platforms,
        police_certificate_required=police_certificate_required,
        late_cancellation_hours=late_cancellation_hours, ordering_routine=ordering_routine,
        mandatory_use=mandatory_use, remote_guidance=remote_guidance, created_by=created_by,
        now=now,
    ).guideline


@transaction.atomic
def guideline_publish_rechecked(
    *,
    organisation: Organisation,
    valid_from: dt.date,
    min_category: str = "",
    remote_platforms: list[str] | None = None,
    police_certificate_required: bool = False,
    late_cancellation_hours: int = 24,
    ordering_routine: str = "",
    mandatory_use: str = "",
    remote_guidance: str = "",
    created_by: User | None = None,
    now: dt.datetime | None = None,
) -> GuidelinePublication:
    """Publish a new version. Earlier versions stay unchanged and bookings keep the version they
    were made under, but what the new version requires from the day it is valid (a minimum
    category, a police certificate) applies to the organisation's coming bookings on those days:
    in the same transaction they are re-checked, offers that no longer qualify are withdrawn and
    assignments that no longer qualify are reopened and offered again."""
    check_category_value(field="min_category", value=min_category)
    if not 0 <= late_cancellation_hours <= 24 * 14:
        raise ValidationFailed.of(
            "late_cancellation_hours_invalid",
            fields={"late_cancellation_hours": ["Between 0 and 336."]},
        )
    # Lock the organisation row so two publishers cannot take the same version number. NO KEY:
    # rows that refer to the organisation (events, bookings) take KEY SHARE locks at commit, and
    # this transaction goes on to lock the organisation's bookings.
    Organisation.objects.select_for_update(no_key=True).filter(pk=organisation.pk).first()
    latest = Guideline.objects.filter(organisation=organisation).aggregate(v=Max("version"))["v"]
    guideline = Guideline.objects.create(
        organisation=organisation,
        version=(latest or 0) + 1,
        valid_from=valid_from,
        min_category=min_category,
        remote_platforms=_clean_platforms(remote_platforms or []),
        police_certificate_required=police_certificate_required,
        late_cancellation_hours=late_cancellation_hours,
        ordering_routine=ordering_routine,
        mandatory_use=mandatory_use,
        remote_guidance=remote_guidance,
        created_by=created_by,
    )
    recheck = recheck_organisation(
        organisation_id=organisation.pk, actor=created_by,
        cause=f"guideline version {guideline.version}", now=now,
    )
    return GuidelinePublication(guideline=guideline, recheck=recheck)

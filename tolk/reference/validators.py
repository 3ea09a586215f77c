"""Validators for Norwegian identifiers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tolk.reference.geo import COUNTIES

_ORG_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def is_valid_org_number(value: str) -> bool:
    """A Norwegian organisation number: nine digits, the last a MOD11 check digit."""
    if len(value) != 9 or not value.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:8], _ORG_WEIGHTS, strict=True))
    remainder = total % 11
    check = 0 if remainder == 0 else 11 - remainder
    if check == 10:
        return False
    return check == int(value[8])


def validate_org_number(value: str) -> None:
    if not is_valid_org_number(value):
        raise ValidationError(
            _("'%(value)s' is not a valid organisation number (nine digits, MOD11 check digit)."),
            code="invalid_org_number",
            params={"value": value},
        )


def is_valid_municipality(value: str) -> bool:
    return len(value) == 4 and value.isdigit() and value[:2] in COUNTIES


def validate_municipality(value: str) -> None:
    if not is_valid_municipality(value):
        raise ValidationError(
            _("'%(value)s' is not a municipality number (four digits, a county that exists)."),
            code="invalid_municipality",
            params={"value": value},
        )

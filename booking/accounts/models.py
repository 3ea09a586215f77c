"""Organisations with their units, users with their role, and the secret of an interpreter's
calendar subscription."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from booking.choices import OrganisationKind, ProviderType, Role, Sector
from tolk.reference.validators import validate_municipality, validate_org_number

PROVIDER_KINDS = (OrganisationKind.PRIVATE_PROVIDER, OrganisationKind.MUNICIPAL_SERVICE)


class Organisation(models.Model):
    org_number = models.CharField(
        _("organisation number"), max_length=9, unique=True, validators=[validate_org_number]
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    provider_type = models.CharField(
        _("provider type"),
        max_length=16,
        choices=ProviderType.choices,
        blank=True,
        default="",
        help_text=_("Set when the organisation dispatches interpreters."),
    )
    municipality = models.CharField(
        _("home municipality"), max_length=4, validators=[validate_municipality]
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=PROVIDER_KINDS) | ~Q(provider_type=""),
                name="provider_kinds_have_provider_type",
            ),
            models.CheckConstraint(
                condition=Q(provider_type__in=[*ProviderType.values, ""]),
                name="organisation_provider_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values),
                name="organisation_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_provider(self) -> bool:
        return bool(self.provider_type)


class Unit(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="units", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=16, choices=Sector.choices)
    municipality = models.CharField(
        _("municipality"), max_length=4, validators=[validate_municipality]
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unit_name_unique"),
            models.CheckConstraint(condition=Q(sector__in=Sector.values), name="unit_sector_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name} – {self.name}"


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.BOOKER)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organisation"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("unit"),
    )
    interpreter = models.OneToOneField(
        "booking.Interpreter",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=_("register entry"),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
            models.CheckConstraint(
                condition=~Q(role=Role.BOOKER)
                | (Q(unit__isnull=False) & Q(organisation__isnull=False)),
                name="booker_has_unit",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.COORDINATOR) | Q(organisation__isnull=False),
                name="coordinator_has_organisation",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.INTERPRETER) | Q(interpreter__isnull=False),
                name="interpreter_user_has_entry",
            ),
        ]

    # What a session, token or open socket was granted on: when any of these changes, every way
    # in that was opened before ends (see booking.accounts.services).
    ACCESS_FIELDS = ("password", "is_active", "role", "organisation", "unit", "interpreter")
    ACCESS_ATTNAMES = ("password", "is_active", "role", "organisation_id", "unit_id",
                       "interpreter_id")

    def access_fingerprint(self) -> str:
        """Changes whenever the password, the active flag, the role or what the user is linked to
        (organisation, unit, register entry) changes."""
        return "|".join(str(getattr(self, name)) for name in self.ACCESS_ATTNAMES)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django compares this with the hash stored in the session on every request (and the
        # websocket auth middleware on connect): a session opened before a deactivation, a role
        # change or a password change is flushed at its next use.
        key_salt = "booking.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, self.access_fingerprint(), secret=secret, algorithm="sha256"
        ).hexdigest()

    def has_role(self, *roles: str) -> bool:
        return self.is_authenticated and self.is_active and self.role in roles


class CalendarToken(models.Model):
    """The secret in an interpreter's calendar subscription URL. Revoking deletes the row."""

    key = models.CharField(max_length=64, unique=True)
    user = models.OneToOneField(
        "booking.User", on_delete=models.CASCADE, related_name="calendar_token"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"calendar token for {self.user_id}"

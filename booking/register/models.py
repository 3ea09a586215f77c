from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from booking.choices import (
    Availability,
    Category,
    EntryStatus,
    Gender,
    Modality,
    StatusEventKind,
)
from tolk.reference.languages import validate_language_code
from tolk.reference.validators import validate_municipality


class Interpreter(models.Model):
    """An entry in the National Register of Interpreters (Nasjonalt tolkeregister)."""

    register_number = models.CharField(_("register number"), max_length=16, unique=True)
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    municipality = models.CharField(
        _("home municipality"), max_length=4, validators=[validate_municipality]
    )
    county = models.CharField(_("county"), max_length=2, db_index=True, editable=False)
    availability = models.CharField(
        _("availability"), max_length=16, choices=Availability.choices
    )
    offers_onsite = models.BooleanField(_("offers on-site"), default=True)
    offers_video = models.BooleanField(_("offers video"), default=True)
    offers_phone = models.BooleanField(_("offers phone"), default=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    police_certificate_valid_until = models.DateField(
        _("police certificate valid until"), null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("interpreter")
        verbose_name_plural = _("interpreters")
        ordering = ["family_name", "given_name"]
        indexes = [models.Index(fields=["municipality"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(gender__in=Gender.values), name="interpreter_gender_valid"
            ),
            models.CheckConstraint(
                condition=Q(availability__in=Availability.values),
                name="interpreter_availability_valid",
            ),
            models.CheckConstraint(
                condition=Q(county=models.functions.Substr("municipality", 1, 2)),
                name="interpreter_county_matches_municipality",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.register_number})"

    def save(self, *args: object, **kwargs: object) -> None:
        # The county is a pure function of the municipality number; kept as a column for filtering.
        self.county = (self.municipality or "")[:2]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def modalities(self) -> list[str]:
        offered = (
            (Modality.ONSITE, self.offers_onsite),
            (Modality.VIDEO, self.offers_video),
            (Modality.PHONE, self.offers_phone),
        )
        return [str(m) for m, on in offered if on]


class Qualification(models.Model):
    """One register entry per interpreter and language: category A–E, valid in a period."""

    interpreter = models.ForeignKey(
        Interpreter, on_delete=models.CASCADE, related_name="qualifications"
    )
    language = models.CharField(
        _("language"), max_length=3, validators=[validate_language_code], db_index=True
    )
    category = models.CharField(_("category"), max_length=1, choices=Category.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=EntryStatus.choices, default=EntryStatus.ACTIVE
    )

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["language", "category"]
        indexes = [models.Index(fields=["language", "category"])]
        constraints = [
            models.UniqueConstraint(
                fields=["interpreter", "language"], name="qualification_unique_language"
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="qualification_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=EntryStatus.values), name="qualification_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="qualification_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.interpreter.register_number} {self.language} {self.category}"


class RegisterStatusEvent(models.Model):
    """Warning, suspension, exclusion or revocation of a register entry (tolkeloven §§ 20–21).

    `language` empty means the event concerns the interpreter in every language. `valid_to` empty
    means open-ended (a permanent exclusion, a revocation, a suspension not yet lifted).
    """

    interpreter = models.ForeignKey(
        Interpreter, on_delete=models.CASCADE, related_name="status_events"
    )
    language = models.CharField(
        _("language"), max_length=3, blank=True, default="", validators=[validate_language_code]
    )
    kind = models.CharField(_("kind"), max_length=16, choices=StatusEventKind.choices)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("to"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("register status event")
        verbose_name_plural = _("register status events")
        ordering = ["-valid_from", "-id"]
        indexes = [models.Index(fields=["interpreter", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=StatusEventKind.values), name="status_event_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="status_event_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.interpreter.register_number} {self.kind} {self.valid_from}"


class RegisterImport(models.Model):
    """A record of each register import, for the audit of who changed the register when."""

    file_name = models.CharField(max_length=255)
    imported_by = models.ForeignKey(
        "booking.User", on_delete=models.SET_NULL, null=True, blank=True
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField()
    added = models.PositiveIntegerField()
    changed = models.PositiveIntegerField()
    unchanged = models.PositiveIntegerField()
    newly_blocked = models.JSONField(default=list)
    # What the re-check of the changed interpreters took away (booking.dispatch.services.recheck).
    reopened_assignments = models.PositiveIntegerField(default=0)
    withdrawn_offers = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name} {self.imported_at:%Y-%m-%d %H:%M}"

"""Bookings, offers, assignments, guidelines, the audit trail (tolkeloven §§ 4–16) and the daily
job runs.

Invariants live in the database: a booking has at most one live assignment (unique constraint), an
interpreter never holds two assignments whose blocked ranges (slot plus travel buffer) overlap
(PostgreSQL exclusion constraint, added in migration 0002 because it needs btree_gist), and the
audit trail is append-only (a PostgreSQL trigger rejects UPDATE and DELETE).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from booking.choices import Category, Gender, Modality, Sector
from tolk.reference.languages import validate_language_code
from tolk.reference.validators import validate_municipality
from tolk.times import minutes_between

# The window when a booking has no guideline (older bookings); a guideline's own default too.
DEFAULT_LATE_CANCELLATION_HOURS = 24


class DutyBasis(models.TextChoices):
    """Why an interpreter is used (tolkeloven § 6)."""

    STATUTE = "statute", _("Required by another statute")
    NECESSARY = "necessary", _("Necessary for legal safeguards or proper help and service")
    DISCRETIONARY = "discretionary", _("Discretionary")


class BookingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    OFFERED = "offered", _("Offered")
    ASSIGNED = "assigned", _("Assigned")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    UNFILLED = "unfilled", _("Unfilled")


FINAL_BOOKING_STATUSES = (
    BookingStatus.COMPLETED,
    BookingStatus.CANCELLED,
    BookingStatus.UNFILLED,
)


class OfferStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    REOPENED = "reopened", _("Taken off (register change)")


# Assignments that occupy the interpreter's time and count as "the" assignment of a booking.
LIVE_ASSIGNMENT_STATUSES = (AssignmentStatus.ACTIVE, AssignmentStatus.COMPLETED)


class QualificationBasis(models.TextChoices):
    """On what footing the interpreter was used (tolkeloven § 7)."""

    QUALIFIED = "qualified", _("Qualified (register category A–E)")
    DISPENSATION = "dispensation", _("Transitional dispensation (up to the cut-off date)")
    EXCEPTION = "exception", _("Documented exception (§ 7 second paragraph)")
    NOT_REQUIRED = "not_required", _("Qualified interpreter not required (discretionary use)")


class ExceptionGround(models.TextChoices):
    """§ 7 second paragraph: when a non-qualified interpreter may be used."""

    CANNOT_WAIT = "cannot_wait", _("Not justifiable to wait for a qualified interpreter")
    EMERGENCY = "emergency", _("Emergency")
    STRONG_REASONS = "strong_reasons", _("Other strong reasons")


class ChildExceptionGround(models.TextChoices):
    """§ 4: the only cases where a child may interpret."""

    EMERGENCY = "emergency", _("Emergency")
    JUSTIFIABLE = "justifiable", _("Clearly justifiable for the child and the circumstances")


class DeclarationSource(models.TextChoices):
    """How the interpreter's §§ 15–16 declarations came to be on the assignment. A coordinator
    never declares for an interpreter: a registered interpreter declares when accepting an offer,
    an ad hoc interpreter without a login declares in writing and the coordinator records who
    declared and when."""

    INTERPRETER = "interpreter", _("Given by the interpreter when accepting the offer")
    WRITTEN = "written", _("Given in writing; recorded by the provider")
    LEGACY = "legacy", _("Not given by the interpreter (an older assignment)")


class CancelledBy(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    PROVIDER = "provider", _("Provider")
    INTERPRETER = "interpreter", _("Interpreter")
    REGISTER = "register", _("Register change")


class ProviderAgreement(models.Model):
    """Which provider dispatches a customer's bookings. One default per customer."""

    customer = models.ForeignKey(
        "booking.Organisation", on_delete=models.CASCADE, related_name="provider_agreements",
        verbose_name=_("customer"),
    )
    provider = models.ForeignKey(
        "booking.Organisation", on_delete=models.CASCADE, related_name="customer_agreements",
        verbose_name=_("provider"),
    )
    is_default = models.BooleanField(_("default provider"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("provider agreement")
        verbose_name_plural = _("provider agreements")
        ordering = ["customer_id", "-is_default", "provider_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "provider"], name="provider_agreement_unique"
            ),
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_default=True),
                name="provider_agreement_one_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.provider_id}"


class Guideline(models.Model):
    """An organisation's own guidelines for ordering and using interpreters (§ 9), one row per
    version. Rows are never changed: a change is a new version. The law is the floor, so a guideline
    can only add requirements (a minimum category, a police certificate, a platform list)."""

    organisation = models.ForeignKey(
        "booking.Organisation", on_delete=models.CASCADE, related_name="guidelines",
        verbose_name=_("organisation"),
    )
    version = models.PositiveIntegerField(_("version"))
    valid_from = models.DateField(_("valid from"))
    min_category = models.CharField(
        _("minimum category"), max_length=1, choices=Category.choices, blank=True, default="",
        help_text=_("Empty: any register category A–E."),
    )
    remote_platforms = models.JSONField(
        _("approved remote platforms"), default=list,
        help_text=_("Platforms approved for video and phone interpreting."),
    )
    police_certificate_required = models.BooleanField(
        _("police certificate required"), default=False
    )
    late_cancellation_hours = models.PositiveIntegerField(
        _("late cancellation window (hours)"), default=DEFAULT_LATE_CANCELLATION_HOURS
    )
    ordering_routine = models.TextField(_("ordering routine"), blank=True)
    mandatory_use = models.TextField(_("when an interpreter is mandatory"), blank=True)
    remote_guidance = models.TextField(_("guidance on remote interpreting"), blank=True)
    created_by = models.ForeignKey(
        "booking.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("guideline")
        verbose_name_plural = _("guidelines")
        ordering = ["organisation_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "version"], name="guideline_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(min_category__in=[*Category.values, ""]),
                name="guideline_min_category_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} v{self.version}"


class InterpreterBlock(models.Model):
    """An organisation blocks an interpreter (§ 16), for one case or (empty case reference) for
    all its bookings."""

    organisation = models.ForeignKey(
        "booking.Organisation", on_delete=models.CASCADE, related_name="interpreter_blocks"
    )
    interpreter = models.ForeignKey(
        "booking.Interpreter", on_delete=models.CASCADE, related_name="blocks"
    )
    case_reference = models.CharField(_("case reference"), max_length=64, blank=True, default="")
    reason = models.CharField(_("reason"), max_length=500)
    created_by = models.ForeignKey(
        "booking.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("interpreter block")
        verbose_name_plural = _("interpreter blocks")
        indexes = [models.Index(fields=["organisation", "interpreter"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "interpreter", "case_reference"],
                name="interpreter_block_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} blocks {self.interpreter_id}"


class Booking(models.Model):
    """A request for an interpreter. Holds no names or ID numbers of the people receiving
    interpretation: the need is about the language, not the person (§ 5)."""

    customer = models.ForeignKey(
        "booking.Organisation", on_delete=models.PROTECT, related_name="bookings",
        verbose_name=_("customer"),
    )
    unit = models.ForeignKey(
        "booking.Unit", on_delete=models.PROTECT, related_name="bookings", verbose_name=_("unit")
    )
    provider = models.ForeignKey(
        "booking.Organisation", on_delete=models.PROTECT, related_name="dispatched_bookings",
        verbose_name=_("provider"),
    )
    created_by = models.ForeignKey(
        "booking.User", on_delete=models.PROTECT, related_name="bookings_created"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    language = models.CharField(_("language"), max_length=3, validators=[validate_language_code])
    dialect = models.CharField(_("dialect"), max_length=100, blank=True, default="")
    modality = models.CharField(_("modality"), max_length=8, choices=Modality.choices)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    municipality = models.CharField(
        _("municipality"), max_length=4, validators=[validate_municipality],
        help_text=_("Where on-site work takes place; for remote work the unit's municipality."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True, default="")
    platform = models.CharField(_("remote platform"), max_length=100, blank=True, default="")
    sector = models.CharField(_("sector"), max_length=16, choices=Sector.choices)
    duty_basis = models.CharField(_("duty basis"), max_length=16, choices=DutyBasis.choices)
    assessment_note = models.TextField(_("assessment of the need"), blank=True, default="")
    assessed_by = models.ForeignKey(
        "booking.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    topic_notes = models.TextField(_("topic notes"), blank=True, default="")
    terminology_notes = models.TextField(_("terminology notes"), blank=True, default="")
    case_reference = models.CharField(_("case reference"), max_length=64, blank=True, default="")
    preferred_gender = models.CharField(
        _("preferred gender"), max_length=8, choices=Gender.choices, blank=True, default=""
    )
    min_category = models.CharField(
        _("minimum category"), max_length=1, choices=Category.choices, blank=True, default="",
        help_text=_("The stricter of the request and the guideline."),
    )
    qualified_required = models.BooleanField(_("qualified interpreter required"), default=True)
    police_certificate_required = models.BooleanField(default=False)
    guideline = models.ForeignKey(
        Guideline, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    rule_set = models.CharField(
        _("rule set"), max_length=32,
        help_text=_("'dispensation' up to the cut-off date, 'exception-only' after it."),
    )

    status = models.CharField(
        _("status"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.OPEN
    )
    wave = models.PositiveIntegerField(_("offer waves sent"), default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(
        max_length=16, choices=CancelledBy.choices, blank=True, default=""
    )
    cancelled_by_user = models.ForeignKey(
        "booking.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(max_length=500, blank=True, default="")
    late_cancellation = models.BooleanField(default=False)
    # Started within TOLK_ACUTE_HOURS of being made: decided then and kept, so it does not change
    # as the start comes closer.
    acute = models.BooleanField(_("acute"), default=False, db_default=False)
    # When the interpreter who holds it accepted, and how long that was after the booking was made
    # (real time, whole seconds). Set by the lifecycle each time the booking becomes assigned.
    filled_at = models.DateTimeField(_("filled at"), null=True, blank=True)
    time_to_fill_seconds = models.PositiveIntegerField(_("time to fill (seconds)"), null=True,
                                                       blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-start", "-id"]
        indexes = [
            models.Index(fields=["customer", "start"]),
            models.Index(fields=["provider", "start"]),
            models.Index(fields=["status", "start"]),
            models.Index(fields=["provider", "filled_at"], name="booking_provider_filled"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_end_after_start"),
            models.CheckConstraint(
                condition=Q(status__in=BookingStatus.values), name="booking_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(modality__in=Modality.values), name="booking_modality_valid"
            ),
            models.CheckConstraint(
                condition=Q(duty_basis__in=DutyBasis.values), name="booking_duty_basis_valid"
            ),
            models.CheckConstraint(
                condition=~Q(modality=Modality.ONSITE) | ~Q(address=""),
                name="booking_onsite_has_address",
            ),
            models.CheckConstraint(
                condition=Q(modality=Modality.ONSITE) | ~Q(platform=""),
                name="booking_remote_has_platform",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.language} {self.start:%Y-%m-%d %H:%M}"

    @property
    def duration_minutes(self) -> int:
        return minutes_between(self.start, self.end)

    @property
    def late_cancellation_hours(self) -> int:
        """The late-cancellation window of the guideline the booking was made under."""
        if self.guideline is None:
            return DEFAULT_LATE_CANCELLATION_HOURS
        return self.guideline.late_cancellation_hours


class Offer(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="offers")
    interpreter = models.ForeignKey(
        "booking.Interpreter", on_delete=models.PROTECT, related_name="offers"
    )
    wave = models.PositiveIntegerField()
    rank = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=OfferStatus.choices, default=OfferStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=500, blank=True, default="")
    # A personal offer: the coordinator chose this interpreter on the documented exception path
    # (outside the ranked waves). The § 7 exception and any § 16 block override are kept here and
    # applied when the interpreter accepts with their own declarations.
    personal = models.BooleanField(_("personal offer"), default=False, db_default=False)
    exception_ground = models.CharField(
        max_length=16, choices=ExceptionGround.choices, blank=True, default="", db_default=""
    )
    exception_justification = models.TextField(blank=True, default="", db_default="")
    exception_decided_by = models.CharField(max_length=200, blank=True, default="", db_default="")
    block_override_reason = models.TextField(blank=True, default="", db_default="")
    sent_by = models.ForeignKey(
        "booking.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["booking_id", "wave", "rank"]
        indexes = [
            models.Index(fields=["interpreter", "status"]),
            models.Index(
                fields=["expires_at"], name="offer_pending_expiry",
                condition=Q(status="pending"),
            ),
        ]
        constraints = [
            # An interpreter is offered a booking once: one who declined, let it expire or cancelled
            # is not asked again for the same booking.
            models.UniqueConstraint(
                fields=["booking", "interpreter"], name="offer_once_per_booking"
            ),
            models.CheckConstraint(
                condition=Q(status__in=OfferStatus.values), name="offer_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(personal=True)
                | (Q(exception_ground="") & Q(exception_justification="")
                   & Q(exception_decided_by="") & Q(block_override_reason="")),
                name="offer_exception_only_personal",
            ),
            models.CheckConstraint(
                condition=Q(exception_ground="")
                | (Q(exception_ground__in=ExceptionGround.values)
                   & ~Q(exception_justification="") & ~Q(exception_decided_by="")),
                name="offer_exception_documented",
            ),
        ]

    def __str__(self) -> str:
        return f"offer {self.pk} booking {self.booking_id} → {self.interpreter_id}"


class Assignment(models.Model):
    """Who does the booking, and the evidence an auditor needs: category snapshot and when it was
    checked, the qualification basis (qualified, dispensation, exception), the declarations."""

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="assignments")
    interpreter = models.ForeignKey(
        "booking.Interpreter", on_delete=models.PROTECT, null=True, blank=True,
        related_name="assignments",
    )
    offer = models.OneToOneField(
        Offer, on_delete=models.PROTECT, null=True, blank=True, related_name="assignment"
    )
    # Ad hoc interpreters outside the register (only through a documented exception).
    adhoc_name = models.CharField(max_length=200, blank=True, default="")
    adhoc_age = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.ACTIVE
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    # The interpreter's time taken by the assignment: the slot plus travel before and after.
    blocked_start = models.DateTimeField()
    blocked_end = models.DateTimeField()
    travel_minutes = models.PositiveIntegerField(default=0)

    category = models.CharField(
        _("category snapshot"), max_length=1, choices=Category.choices, blank=True, default=""
    )
    category_checked_at = models.DateTimeField()
    basis = models.CharField(max_length=16, choices=QualificationBasis.choices)
    exception_ground = models.CharField(
        max_length=16, choices=ExceptionGround.choices, blank=True, default=""
    )
    exception_justification = models.TextField(blank=True, default="")
    exception_decided_by = models.CharField(max_length=200, blank=True, default="")
    child_exception_ground = models.CharField(
        max_length=16, choices=ChildExceptionGround.choices, blank=True, default=""
    )
    child_exception_reason = models.TextField(blank=True, default="")
    declared_impartial = models.BooleanField(default=False)
    declared_confidentiality = models.BooleanField(default=False)
    declared_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the interpreter gave the declarations.")
    )
    declaration_source = models.CharField(max_length=16, choices=DeclarationSource.choices)
    # A written declaration (ad hoc interpreter without a login): the name the interpreter
    # declared under, and who recorded it in Tolk when.
    declared_by_name = models.CharField(max_length=200, blank=True, default="")
    declaration_recorded_by = models.ForeignKey(
        "booking.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    declaration_recorded_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "booking.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=500, blank=True, default="")
    actual_start = models.DateTimeField(null=True, blank=True)
    actual_end = models.DateTimeField(null=True, blank=True)
    cost_nok = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-start", "-id"]
        indexes = [
            # Fairness counts (live assignments per interpreter in a period) read only this
            # partial index.
            models.Index(
                fields=["interpreter", "start"], name="assignment_live_by_start",
                condition=Q(status__in=["active", "completed"]),
            ),
            models.Index(fields=["interpreter", "blocked_start"]),
            # "Who is busy around this slot" reads the few assignments that end after it starts.
            models.Index(fields=["blocked_end"], name="assignment_blocked_end"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["booking"], condition=Q(status__in=["active", "completed"]),
                name="assignment_one_per_booking",
            ),
            models.CheckConstraint(
                condition=Q(blocked_start__lte=F("start")) & Q(blocked_end__gte=F("end"))
                & Q(end__gt=F("start")),
                name="assignment_blocked_covers_slot",
            ),
            models.CheckConstraint(
                condition=Q(interpreter__isnull=False) | ~Q(adhoc_name=""),
                name="assignment_has_interpreter",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AssignmentStatus.values), name="assignment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(basis__in=QualificationBasis.values), name="assignment_basis_valid"
            ),
            models.CheckConstraint(
                condition=~Q(basis="exception")
                | (~Q(exception_ground="") & ~Q(exception_justification="")
                   & ~Q(exception_decided_by="")),
                name="assignment_exception_documented",
            ),
            models.CheckConstraint(
                condition=Q(adhoc_age__isnull=True) | Q(adhoc_age__gte=18)
                | ~Q(child_exception_ground=""),
                name="assignment_child_needs_exception",
            ),
            # §§ 15–16: both declarations, given by the interpreter (accepting an offer) or in
            # writing by an ad hoc interpreter with who and when recorded. Only assignments made
            # before this rule carry `legacy`.
            models.CheckConstraint(
                condition=Q(declaration_source=DeclarationSource.LEGACY)
                | (
                    Q(declared_impartial=True) & Q(declared_confidentiality=True)
                    & Q(declared_at__isnull=False)
                    & (
                        (Q(declaration_source=DeclarationSource.INTERPRETER)
                         & Q(interpreter__isnull=False) & Q(declared_by_name=""))
                        | (Q(declaration_source=DeclarationSource.WRITTEN)
                           & Q(interpreter__isnull=True) & ~Q(declared_by_name="")
                           & Q(declaration_recorded_by__isnull=False)
                           & Q(declaration_recorded_at__isnull=False))
                    )
                ),
                name="assignment_declarations_given",
            ),
        ]

    def __str__(self) -> str:
        return f"assignment {self.pk} booking {self.booking_id}"

    @property
    def accepted_at(self) -> dt.datetime | None:
        """When the interpreter took the assignment: accepting the offer, or (outside the
        register) when the provider recorded the written declaration."""
        return self.declaration_recorded_at or self.declared_at or self.created_at

    @property
    def interpreter_label(self) -> str:
        if self.interpreter is not None:
            return self.interpreter.register_number
        return self.adhoc_name


class AuditEntry(models.Model):
    """Append-only: who changed a booking when, from which status to which, and why."""

    id = models.BigAutoField(primary_key=True)
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="audit_entries")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        "booking.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_role = models.CharField(max_length=16, blank=True, default="")
    action = models.CharField(max_length=48)
    from_status = models.CharField(max_length=16, blank=True, default="")
    to_status = models.CharField(max_length=16, blank=True, default="")
    reason = models.CharField(max_length=500, blank=True, default="")
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["booking_id", "id"]
        indexes = [models.Index(fields=["booking", "id"])]

    def __str__(self) -> str:
        return f"{self.booking_id} {self.action} {self.from_status}→{self.to_status}"


class IdempotencyRecord(models.Model):
    """An Idempotency-Key a user sent with POST /bookings/: a retry returns the same booking."""

    user = models.ForeignKey("booking.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"


# Jobs that must run once per day per installation, however many processes run them (the
# daily re-check).
class DailyJobRun(models.Model):
    """One row per job and day (Europe/Oslo): the first process to insert it does the day's
    work; the unique constraint turns every other process away. A run that never finished (its
    process died) can be taken over once it is stale."""

    job = models.CharField(max_length=64)
    day = models.DateField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    reopened_assignments = models.PositiveIntegerField(default=0)
    withdrawn_offers = models.PositiveIntegerField(default=0)
    tightened_bookings = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "job"]
        constraints = [
            models.UniqueConstraint(fields=["job", "day"], name="daily_job_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.day}"

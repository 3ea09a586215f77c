"""Assignment facts: one row per request for an interpreter, the raw material of the need report.

Facts come from two sources: the platform's own bookings once they reach a final state, and CSV
files delivered by providers that do not book through Tolk. `(provider_org_number, reference)`
identifies a fact; a platform booking's reference is `tolk-<booking id>`, a namespace imported files
cannot take over.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from booking.models import Category, Modality, ProviderType, Sector

PLATFORM_REFERENCE_PREFIX = "tolk-"


class RandomRecordKey(models.Func):
    """A random whole number in [0, 2**31) (stats.ptable.KEY_RANGE), drawn by the database."""

    template = "(random() & 2147483647)"  # SQLite: random() is a 64-bit integer
    output_field = models.IntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return super().as_sql(compiler, connection,
                              template="(floor(random() * 2147483648))::integer",
                              **extra_context)


class Source(models.TextChoices):
    PLATFORM = "platform", _("Booked through Tolk")
    IMPORT = "import", _("Imported from a provider file")


class Outcome(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    UNFILLED = "unfilled", _("Unfilled")


class StatsImport(models.Model):
    """One provider file that was imported (only files without problems are recorded)."""

    file_name = models.CharField(_("file name"), max_length=255)
    imported_by = models.ForeignKey(
        "booking.User", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="stats_imports", verbose_name=_("imported by"),
    )
    organisation = models.ForeignKey(
        "booking.Organisation", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="stats_imports", verbose_name=_("organisation of the importer"),
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("rows"))
    added = models.PositiveIntegerField(_("added"))
    changed = models.PositiveIntegerField(_("changed"))
    unchanged = models.PositiveIntegerField(_("unchanged"))
    on_platform = models.PositiveIntegerField(
        _("already counted from the platform"), default=0,
        help_text=_("Rows whose reference is a Tolk booking: the platform's record is kept."),
    )
    seconds = models.FloatField(_("seconds"), default=0.0)

    class Meta:
        verbose_name = _("statistics import")
        verbose_name_plural = _("statistics imports")
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} {self.imported_at:%Y-%m-%d %H:%M}"


class AssignmentFact(models.Model):
    """One request for an interpreter and how it ended."""

    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    provider_org_number = models.CharField(_("provider organisation number"), max_length=9)
    provider_type = models.CharField(
        _("provider type"), max_length=16, choices=ProviderType.choices
    )
    reference = models.CharField(_("reference"), max_length=64)
    date = models.DateField(_("date"))
    language = models.CharField(_("language"), max_length=3)
    modality = models.CharField(_("modality"), max_length=8, choices=Modality.choices)
    sector = models.CharField(_("sector"), max_length=16, choices=Sector.choices)
    municipality = models.CharField(_("municipality"), max_length=4, blank=True, default="")
    county = models.CharField(_("county"), max_length=2, blank=True, default="")
    interpreter_category = models.CharField(
        _("interpreter category"), max_length=1, blank=True, default="",
        help_text=_("A–E when the interpreter was qualified for the language on that date."),
    )
    qualified = models.BooleanField(_("qualified interpreter"), default=False)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    cost_nok = models.DecimalField(
        _("cost (NOK)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    booking_id = models.BigIntegerField(_("booking"), null=True, blank=True)
    # No index and no database constraint: imports add hundreds of thousands of rows, each
    # naming the import record created in the same transaction (PostgreSQL would check every
    # one at commit), and import records are not deleted.
    stats_import = models.ForeignKey(
        StatsImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="facts",
        db_index=False, db_constraint=False,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The cell key method (stats/ptable.py): a random key given by the database to every new
    # fact, whichever way it arrives (ORM, COPY, the import's merge), and kept when the fact is
    # replaced, so a cell shows the same published value in every report.
    record_key = models.IntegerField(
        _("record key"), db_default=RandomRecordKey(), editable=False,
        help_text=_("Random key of the statistics' cell key method; never published."),
    )

    class Meta:
        verbose_name = _("assignment fact")
        verbose_name_plural = _("assignment facts")
        permissions = [
            ("view_unsuppressed", _("Can see the need report without small-number suppression")),
        ]
        # No index on the date: on PostgreSQL the need report reads the summary per combination
        # of dimensions (migration 0003), and every imported row would pay for one.
        constraints = [
            models.UniqueConstraint(
                fields=["provider_org_number", "reference"], name="fact_provider_reference_unique"
            ),
            # Only platform facts have a booking; a partial index stays small.
            models.UniqueConstraint(
                fields=["booking_id"], condition=Q(booking_id__isnull=False),
                name="fact_booking_unique",
            ),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="fact_source_valid"),
            models.CheckConstraint(
                condition=Q(provider_type__in=ProviderType.values), name="fact_provider_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(modality__in=Modality.values), name="fact_modality_valid"
            ),
            models.CheckConstraint(condition=Q(sector__in=Sector.values), name="fact_sector_valid"),
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="fact_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(interpreter_category__in=[*Category.values, ""]),
                name="fact_category_valid",
            ),
            # `qualified` is a stored copy of "has a category", kept for fast grouping.
            models.CheckConstraint(
                condition=(Q(qualified=True) & ~Q(interpreter_category=""))
                | (Q(qualified=False) & Q(interpreter_category="")),
                name="fact_qualified_matches_category",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=Outcome.COMPLETED) | Q(duration_minutes__isnull=False),
                name="fact_completed_has_duration",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=Outcome.UNFILLED) | Q(interpreter_category=""),
                name="fact_unfilled_has_no_interpreter",
            ),
            models.CheckConstraint(
                condition=Q(cost_nok__isnull=True) | Q(cost_nok__gte=0), name="fact_cost_positive"
            ),
            models.CheckConstraint(
                condition=Q(county=Substr("municipality", 1, 2)),
                name="fact_county_matches_municipality",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_org_number}/{self.reference} {self.date} {self.language}"


from stats.models_exchange import ExportClient, FactExport, PullSource, SourcePull  # noqa: E402

__all__ = [
    "AssignmentFact", "ExportClient", "FactExport", "Outcome", "PullSource", "Source",
    "SourcePull", "StatsImport",
]

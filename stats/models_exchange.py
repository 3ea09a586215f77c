"""How installations exchange their facts: export clients (machines allowed to download the facts),
the manifest of every export (row count and SHA-256 of the body that was sent), and the sources
this installation pulls from with the record of each pull. Nothing here names a person."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExportClient(models.Model):
    """A machine (e.g. IMDi's national collector) that may download this installation's facts and
    nothing else. Only a SHA-256 hash of its token is stored; `token_id` is the token's public
    first part, used to find the row before the hash is compared in constant time."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    token_id = models.CharField(_("token id"), max_length=16, unique=True, editable=False)
    token_hash = models.CharField(_("token hash"), max_length=64, editable=False)
    created_by = models.ForeignKey(
        "booking.User", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="export_clients", verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("statistics export client")
        verbose_name_plural = _("statistics export clients")
        ordering = ["name"]
        permissions = [
            ("export_facts", _("Can export the statistics facts of a year")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class FactExport(models.Model):
    """One export of a year's facts: its manifest once the body has been sent in full."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    client = models.ForeignKey(
        ExportClient, on_delete=models.SET_NULL, null=True, blank=True, related_name="exports",
        verbose_name=_("export client"),
    )
    user = models.ForeignKey(
        "booking.User", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="fact_exports", verbose_name=_("user"),
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    bytes = models.PositiveBigIntegerField(_("bytes"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("fact export")
        verbose_name_plural = _("fact exports")
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True)
                | (Q(rows__isnull=False) & Q(bytes__isnull=False) & ~Q(sha256="")),
                name="fact_export_finished_has_manifest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.started_at:%Y-%m-%d %H:%M}"


class PullSource(models.Model):
    """Another Tolk installation whose facts this one pulls (`pull_assignments --source NAME`).
    The token is the other installation's export client token: it is needed in clear to pull,
    and is never shown, printed or logged."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    url = models.URLField(_("URL"), max_length=500,
                          help_text=_("The other installation's address, e.g. "
                                      "https://tolk.example.no"))
    token = models.CharField(_("token"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("statistics source")
        verbose_name_plural = _("statistics sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SourcePull(models.Model):
    """One pull of a year from a source, successful or not."""

    class Status(models.TextChoices):
        OK = "ok", _("Imported")
        FAILED = "failed", _("Failed, nothing changed")

    source = models.ForeignKey(PullSource, on_delete=models.CASCADE, related_name="pulls",
                               verbose_name=_("source"))
    year = models.PositiveSmallIntegerField(_("year"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    code = models.CharField(_("code"), max_length=40, blank=True, default="")
    message = models.TextField(_("message"), blank=True, default="")
    rows = models.PositiveIntegerField(_("rows"), default=0)
    added = models.PositiveIntegerField(_("added"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    removed = models.PositiveIntegerField(
        _("removed"), default=0,
        help_text=_("Facts an earlier pull brought that the source no longer has."),
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, default="")
    seconds = models.FloatField(_("seconds"), default=0.0)
    stats_import = models.OneToOneField(
        "stats.StatsImport", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="pull", verbose_name=_("import"),
    )

    class Meta:
        verbose_name = _("statistics pull")
        verbose_name_plural = _("statistics pulls")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["source", "-started_at"], name="pull_source_started")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["ok", "failed"]),
                                   name="pull_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.year} {self.status}"

"""Background jobs that must run once per day per installation, however many processes run them."""

from __future__ import annotations

from django.db import models


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

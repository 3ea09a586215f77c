"""The outbox and the websocket tickets. Every event meant for websocket clients is a row, written
in the same transaction as the change it describes and sent after commit. Each row has one audience
(one interpreter, or one organisation's bookers and coordinators), so a reconnecting client asks for
`id > since` in its own stream."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Event(models.Model):
    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    interpreter = models.ForeignKey(
        "booking.Interpreter", on_delete=models.CASCADE, null=True, blank=True,
        related_name="events",
    )
    organisation = models.ForeignKey(
        "booking.Organisation", on_delete=models.CASCADE, null=True, blank=True,
        related_name="events",
    )
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["interpreter", "id"]),
            models.Index(fields=["organisation", "id"]),
            models.Index(
                fields=["id"], name="event_undispatched", condition=Q(dispatched_at__isnull=True)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(interpreter__isnull=False) & Q(organisation__isnull=True))
                | (Q(interpreter__isnull=True) & Q(organisation__isnull=False)),
                name="event_has_one_audience",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.kind}"


class WebsocketTicket(models.Model):
    """A one-time ticket (30 s) that lets a non-browser client open a websocket without putting its
    API token in a URL."""

    key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey("booking.User", on_delete=models.CASCADE, related_name="ws_tickets")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # The API token the ticket was asked for with (knox's public part), empty for a session: the
    # socket closes when that token is revoked.
    token_key = models.CharField(max_length=25, blank=True, default="", db_index=True)

    def __str__(self) -> str:
        return f"ticket for {self.user_id}"

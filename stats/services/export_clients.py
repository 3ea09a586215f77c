"""Export clients: machines that may download the facts (`stats.export_facts`) and nothing else.

A token is `tolkx_<id>_<secret>`. Only the SHA-256 of the whole token is stored: the token has
256 random bits, so a fast hash is as good as a slow one here, and a stolen database gives no
usable token. The public `<id>` finds the row; the hashes are compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from django.db import transaction
from django.utils import timezone

from booking.models import User
from stats.models import ExportClient
from tolk.errors import ConflictError, ValidationFailed

TOKEN_PREFIX = "tolkx"  # noqa: S105 - the public start of every token
_TOKEN_RE = re.compile(r"^tolkx_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})$")
# Writing `last_used_at` on every request would serialise concurrent downloads on one row.
LAST_USED_RESOLUTION_SECONDS = 60


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def export_client_create(*, name: str, created_by: User | None) -> tuple[ExportClient, str]:
    """A new export client and its token, which is shown this once and never stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationFailed.of("export_client_name_invalid", fields={"name": ["invalid"]})
    with transaction.atomic():
        if ExportClient.objects.filter(name=name).exists():
            raise ConflictError.of("export_client_exists", name=name, fields={"name": ["exists"]})
        token_id = secrets.token_hex(6)
        token = f"{TOKEN_PREFIX}_{token_id}_{secrets.token_urlsafe(32)}"
        client = ExportClient.objects.create(
            name=name, token_id=token_id, token_hash=_digest(token), created_by=created_by,
        )
    return client, token


def export_client_revoke(*, client: ExportClient) -> ExportClient:
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
    return client


def export_client_for_token(*, token: str) -> ExportClient | None:
    """The active client whose token this is, its last use noted; None for anything else."""
    match = _TOKEN_RE.match(token)
    client = None
    if match:
        client = ExportClient.objects.filter(token_id=match.group(1)).first()
    # Compare even when nothing was found, so the answer takes the same time.
    stored = client.token_hash if client is not None else "0" * 64
    if not hmac.compare_digest(stored, _digest(token)) or client is None:
        return None
    if client.revoked_at is not None:
        return None
    now = timezone.now()
    if (client.last_used_at is None
            or (now - client.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS):
        ExportClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    return client

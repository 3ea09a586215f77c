"""Access: API tokens (django-rest-knox), and ending every way in when access ends.

A revoked token, a changed password, a deactivated account, a changed role or a changed link to
an organisation, unit or register entry ends at once:
- API tokens: the token (or all the user's tokens) is deleted;
- sessions: the session hash (`User._get_session_auth_hash`) covers these fields, so Django flushes
  every older session at its next request;
- unused websocket tickets of that user (or made with that token) are deleted;
- open websockets: after commit a message to the user's (or the token's) channel-layer group
  closes each of them with 4401, in every server process. If the layer loses the message, the
  next catch-up round (`booking.realtime.consumers.CatchUp`) finds the change and closes them
  anyway.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import knox_settings

from booking.models import User, WebsocketTicket
from booking.realtime.relay import token_access_group, user_access_group

logger = logging.getLogger(__name__)

CLOSE_MESSAGE = {"type": "access.revoked"}
SEND_TIMEOUT_SECONDS = 5.0


def token_create(*, user: User) -> tuple[AuthToken, str]:
    """A new API token for one device or client; returns the stored row and the secret, which is
    shown once and kept only as a digest. Beyond `TOKEN_LIMIT_PER_USER` the oldest go."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        now = timezone.now()
        AuthToken.objects.filter(user=user, expiry__lt=now).delete()
        limit = knox_settings.TOKEN_LIMIT_PER_USER
        if limit:
            keep = AuthToken.objects.filter(user=user).order_by("-created")[: limit - 1]
            AuthToken.objects.filter(user=user).exclude(
                digest__in=list(keep.values_list("digest", flat=True))
            ).delete()
        return AuthToken.objects.create(user=user)


def token_revoke(*, token: AuthToken) -> None:
    """Delete one token; its tickets and open sockets end (see `_token_deleted`)."""
    token.delete()


def tokens_revoke_all(*, user: User) -> int:
    deleted, _per_model = AuthToken.objects.filter(user=user).delete()
    return deleted


def _close_sockets(group: str) -> None:
    layer = get_channel_layer()
    if layer is None:
        return

    async def send() -> None:
        await asyncio.wait_for(layer.group_send(group, dict(CLOSE_MESSAGE)),
                               timeout=SEND_TIMEOUT_SECONDS)

    try:
        async_to_sync(send)()
    except Exception:  # the periodic re-check in the consumers closes them instead
        logger.warning("could not tell open sockets to close; the re-check will", exc_info=True)


def user_access_end(*, user_id: int) -> None:
    """End everything a user had opened: tokens, unused tickets and (after commit) open sockets.
    Sessions end through the session hash."""
    AuthToken.objects.filter(user_id=user_id).delete()
    WebsocketTicket.objects.filter(user_id=user_id, used_at__isnull=True).delete()
    transaction.on_commit(lambda: _close_sockets(user_access_group(user_id)))


# -- receivers (connected by BookingConfig.ready) -----------------------------------------------

@receiver(pre_save, sender=User, dispatch_uid="access-user-before")
def _user_before_save(sender: type[User], instance: User, raw: bool = False,
                      update_fields: Any = None, **kwargs: Any) -> None:
    if raw or instance.pk is None:
        return
    if update_fields is not None and not (
        set(User.ACCESS_ATTNAMES) | set(User.ACCESS_FIELDS)
    ) & set(update_fields):
        return  # e.g. last_login on every login
    before = User.objects.filter(pk=instance.pk).first()
    instance._access_before = before.access_fingerprint() if before else None  # type: ignore[attr-defined]


@receiver(post_save, sender=User, dispatch_uid="access-user-after")
def _user_after_save(sender: type[User], instance: User, created: bool = False,
                     raw: bool = False, **kwargs: Any) -> None:
    before = instance.__dict__.pop("_access_before", None)
    if raw or created or before is None:
        return
    if before != instance.access_fingerprint():
        user_access_end(user_id=instance.pk)


@receiver(post_delete, sender=User, dispatch_uid="access-user-deleted")
def _user_deleted(sender: type[User], instance: User, **kwargs: Any) -> None:
    user_id = instance.pk
    transaction.on_commit(lambda: _close_sockets(user_access_group(user_id)))


@receiver(post_delete, sender=AuthToken, dispatch_uid="access-token-deleted")
def _token_deleted(sender: type[AuthToken], instance: AuthToken, **kwargs: Any) -> None:
    token_key = instance.token_key
    WebsocketTicket.objects.filter(token_key=token_key, used_at__isnull=True).delete()
    transaction.on_commit(lambda: _close_sockets(token_access_group(token_key)))

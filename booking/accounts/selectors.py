"""Reads of organisations and users: which organisations a user sees, and for access checks on open
websockets, whether what a socket was opened with is still valid."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple, TypeVar

from channels.db import database_sync_to_async
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from knox.models import AuthToken

from booking.models import Organisation, Role, User

CHUNK = 500
T = TypeVar("T", int, str)


def organisations_visible_to(*, user: User) -> QuerySet[Organisation]:
    """Admins see every organisation; everyone else only their own."""
    queryset = Organisation.objects.prefetch_related("units")
    if user.role == Role.ADMIN:
        return queryset.all()
    return queryset.filter(pk=user.organisation_id) if user.organisation_id else queryset.none()


class SocketAccess(NamedTuple):
    """What one open socket was granted on: the user as they were (`User.access_fingerprint`), and
    the API token (via its ticket) or the session it was opened with."""

    user_id: int
    fingerprint: str
    token_key: str
    session_key: str | None


def _chunks(values: Iterable[T]) -> Iterable[list[T]]:
    items = sorted(set(values), key=str)
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def access_token_alive(token_key: str) -> bool:
    """True while an unexpired API token with this public key exists."""
    return AuthToken.objects.filter(
        Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()), token_key=token_key
    ).exists()


def _access_ended(accesses: list[SocketAccess]) -> set[SocketAccess]:
    if not accesses:
        return set()
    now = timezone.now()
    fingerprints: dict[int, str] = {}
    for chunk in _chunks(a.user_id for a in accesses):
        for user in User.objects.filter(pk__in=chunk).only("pk", *User.ACCESS_ATTNAMES):
            fingerprints[user.pk] = user.access_fingerprint()
    live_tokens: set[str] = set()
    for keys in _chunks(a.token_key for a in accesses if a.token_key):
        live_tokens.update(
            AuthToken.objects.filter(Q(expiry__isnull=True) | Q(expiry__gt=now),
                                     token_key__in=keys)
            .values_list("token_key", flat=True)
        )
    sessions_checked = settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    live_sessions: set[str] = set()
    if sessions_checked:
        from django.contrib.sessions.models import Session

        for session_keys in _chunks(a.session_key for a in accesses if a.session_key):
            live_sessions.update(
                Session.objects.filter(session_key__in=session_keys, expire_date__gt=now)
                .values_list("session_key", flat=True)
            )
    return {
        a for a in accesses
        if fingerprints.get(a.user_id) != a.fingerprint
        or (a.token_key and a.token_key not in live_tokens)
        or (sessions_checked and a.session_key and a.session_key not in live_sessions)
    }


@database_sync_to_async
def access_ended(accesses: list[SocketAccess]) -> set[SocketAccess]:
    """Those of `accesses` that no longer hold: the user was deactivated, deleted or changed (role,
    password, links), the token is revoked or expired, or the session is gone (logged out,
    expired; checked with database sessions)."""
    return _access_ended(accesses)

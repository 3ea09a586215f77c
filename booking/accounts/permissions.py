"""Role-based permission classes for the API, and the caller as a user. Tenant isolation is done by
the selectors, which only return the caller's own organisation's objects, so other organisations'
objects are 404, not 403."""

from __future__ import annotations

from typing import Any, cast

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from booking.models import Role, User


class _HasRole(BasePermission):
    roles: tuple[str, ...] = ()

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and user.is_active and getattr(user, "role", None)
            in self.roles
        )


def role_permission(*roles: str) -> type[BasePermission]:
    """A permission class that admits users with any of `roles`."""
    return type(f"HasRole_{'_'.join(roles)}", (_HasRole,), {"roles": tuple(roles)})


IsBooker = role_permission(Role.BOOKER)
IsCoordinator = role_permission(Role.COORDINATOR)
IsInterpreter = role_permission(Role.INTERPRETER)
IsAnalyst = role_permission(Role.ANALYST)
IsAdmin = role_permission(Role.ADMIN)
IsBookerOrCoordinator = role_permission(Role.BOOKER, Role.COORDINATOR)
CanSearchRegister = role_permission(Role.BOOKER, Role.COORDINATOR, Role.ADMIN)


def request_user(request: Request) -> User:
    """The caller of a view that requires authentication (so never anonymous there)."""
    return cast(User, request.user)

"""Template helpers shared by every page: the role's navigation, language names, small formats."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from booking.models import BookingStatus, Role
from tolk.i18n import request_language
from tolk.reference.geo import municipality_name
from tolk.reference.languages import language_name

register = template.Library()

# (url name, label, roles allowed to see it)
NAVIGATION: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("frontend:booking-new", _("Book an interpreter"), (Role.BOOKER,)),
    ("frontend:booking-list", _("My bookings"), (Role.BOOKER,)),
    ("frontend:blocks", _("Blocked interpreters"), (Role.BOOKER,)),
    ("frontend:offers", _("Offers"), (Role.INTERPRETER,)),
    ("frontend:assignments", _("My assignments"), (Role.INTERPRETER,)),
    ("frontend:my-card", _("Interpreter card"), (Role.INTERPRETER,)),
    ("frontend:dispatch", _("Dispatch board"), (Role.COORDINATOR,)),
    ("frontend:need-report", _("Need report"), (Role.ANALYST, Role.ADMIN)),
    ("frontend:provider-import", _("Provider file"), (Role.ANALYST, Role.COORDINATOR, Role.ADMIN)),
    ("frontend:card-check", _("Check interpreter card"), ()),
)


@register.simple_tag(takes_context=True)
def navigation(context: template.Context) -> list[dict[str, Any]]:
    request = context.get("request")
    user = getattr(request, "user", None)
    role = getattr(user, "role", None) if user is not None and user.is_authenticated else None
    path = request.path if request is not None else ""
    items = []
    for name, label, roles in NAVIGATION:
        if roles and role not in roles:
            continue
        url = reverse(name)
        items.append({"url": url, "label": label, "current": path == url})
    return items


@register.filter
def language_label(code: str) -> str:
    """'ara' → 'arabisk' (or 'Arabic' in English)."""
    if not code:
        return ""
    name = language_name(code, request_language())
    return name[:1].upper() + name[1:]


@register.filter
def percent(value: Any, digits: int = 0) -> str:
    """A fraction (0.38) as a percentage ('38 %'); empty when unknown."""
    if value is None or value == "":
        return ""
    try:
        number = float(value) * 100
    except (TypeError, ValueError):
        return ""
    text = f"{number:.{int(digits)}f}"
    if request_language() == "nb":
        text = text.replace(".", ",")
    return f"{text}\u00a0%"


@register.filter
def signed_percent(value: Any, digits: int = 1) -> str:
    """A change as a signed percentage ('+4,2 %'); empty when there is none."""
    if value is None or value == "":
        return ""
    try:
        number = float(value) * 100
    except (TypeError, ValueError):
        return ""
    sign = "+" if number > 0 else ("−" if number < 0 else "±")
    text = f"{abs(number):.{int(digits)}f}"
    if request_language() == "nb":
        text = text.replace(".", ",")
    return f"{sign}{text}\u00a0%"


@register.filter
def number(value: Any, digits: int = 0) -> str:
    """Thousands separated by a thin space, decimal comma in bokmål."""
    if value is None or value == "":
        return ""
    try:
        num = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    text = f"{num:,.{int(digits)}f}"
    if request_language() == "nb":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def municipality_label(number: str) -> str:
    return municipality_name(number) if number else ""


@register.filter
def status_label(value: str) -> str:
    """A booking status code ('assigned') as its translated label."""
    if not value:
        return ""
    return str(dict(BookingStatus.choices).get(value, value))


AUDIT_ACTIONS = {
    "created": _("Booked"),
    "offers_sent": _("Offers sent"),
    "offer_declined": _("Offer declined"),
    "accepted": _("Accepted by the interpreter"),
    "assigned_by_exception": _("Assigned by documented exception"),
    "assigned_directly": _("Assigned directly (interpreter outside the register)"),
    "personal_offer_sent": _("Personal offer sent (exception path)"),
    "cancelled": _("Booking cancelled"),
    "completed": _("Completed"),
    "interpreter_cancelled": _("Cancelled by the interpreter"),
    "register_reopened": _("Reopened after a register change"),
    "guideline_reopened": _("Reopened after a guideline change"),
    "offer_withdrawn": _("Offer withdrawn: the rules are no longer met"),
    "requirements_tightened": _("Requirements raised by the guideline in force on the day"),
    "unfilled": _("No interpreter found"),
}


@register.filter
def audit_action_label(action: str) -> str:
    """An audit trail action code as a sentence a person reads; unknown codes as they are."""
    return str(AUDIT_ACTIONS.get(action, action))


@register.filter
def role_label(role: str) -> str:
    if not role:
        return ""
    if role == "system":
        return str(_("the system"))
    return str(dict(Role.choices).get(role, role))

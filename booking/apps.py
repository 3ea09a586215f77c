from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "booking"
    verbose_name = _("Booking and register")

    def ready(self) -> None:
        # Ending access when a token is revoked or a user changes (signal receivers).
        from booking.conflicts import CONFLICTS
        from booking.services import access  # noqa: F401
        from tolk.db import register_conflicts

        register_conflicts(CONFLICTS)

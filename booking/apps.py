from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "booking"
    verbose_name = _("Booking and register")

    def ready(self) -> None:
        from booking.conflicts import CONFLICTS
        from tolk.db import register_conflicts

        register_conflicts(CONFLICTS)

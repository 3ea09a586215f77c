from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "booking"
    verbose_name = _("Booking and register")

    def ready(self) -> None:
        # Ending access when a token is revoked or a user changes (signal receivers).
        from booking.accounts import services  # noqa: F401
        from booking.conflicts import CONFLICTS
        from tolk.db import register_conflicts

        register_conflicts(CONFLICTS)

        # The relay's periodic jobs: realtime sits below the services and never imports them.
        from booking.dispatch.services.offers import offers_expire_due
        from booking.dispatch.services.recheck import recheck_daily_due
        from booking.realtime import relay

        relay.relay_jobs_register(expire_offers=offers_expire_due,
                                  daily_recheck=recheck_daily_due)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from booking.signals import booking_finished, booking_reopened
        from stats.services.facts import booking_finished_receiver, booking_reopened_receiver

        booking_finished.connect(booking_finished_receiver, dispatch_uid="stats.booking_finished")
        booking_reopened.connect(booking_reopened_receiver, dispatch_uid="stats.booking_reopened")

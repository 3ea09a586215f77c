"""The booking app's API (under /api/v1/): each domain's routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("booking.accounts.urls")),
    path("", include("booking.register.urls")),
    path("", include("booking.dispatch.urls")),
    path("", include("booking.realtime.urls")),
]

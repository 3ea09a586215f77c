from django.urls import include, path

urlpatterns = [
    path("", include("booking.urls_register")),
    path("", include("booking.urls_bookings")),
    path("", include("booking.urls_realtime")),
]

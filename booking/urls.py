from django.urls import include, path

urlpatterns = [
    path("", include("booking.register.urls")),
    path("", include("booking.dispatch.urls")),
    path("", include("booking.realtime.urls")),
]

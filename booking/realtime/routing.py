"""Websocket URL patterns of the booking app."""

from django.urls import path

from booking.realtime.consumers import BookingsConsumer, InterpreterConsumer

websocket_urlpatterns = [
    path("ws/interpreter/", InterpreterConsumer.as_asgi()),
    path("ws/bookings/", BookingsConsumer.as_asgi()),
]

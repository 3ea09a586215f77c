from django.urls import path

from booking.realtime.apis import WebsocketTicketApi

urlpatterns = [
    path("auth/ws-ticket/", WebsocketTicketApi.as_view(), name="ws-ticket"),
]

"""Websocket routes. Authentication happens in the consumers (session cookie or one-time ticket);
`tolk.websocket` refuses foreign origins first, and cookie sockets without an origin."""

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter

from booking.realtime.routing import websocket_urlpatterns
from tolk.websocket import websocket_origin_validator

websocket_application = websocket_origin_validator(
    AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
)

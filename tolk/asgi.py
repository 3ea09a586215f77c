"""ASGI entry point (`tolk.asgi:application`): HTTP through Django, websockets through Channels, and
the lifespan protocol, which starts each server process's outbox relay (`booking.realtime.relay`).
Run uvicorn with lifespan on (its default `auto` works too); a server without lifespan needs a
separate `manage.py run_jobs` process instead."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tolk.settings.local")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from booking.realtime.relay import relay_lifespan  # noqa: E402
from tolk.routing import websocket_application  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": websocket_application,
        "lifespan": relay_lifespan,
    }
)

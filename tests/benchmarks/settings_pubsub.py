"""Settings for comparing channel layers in the websocket benchmark: the local settings with
channels-redis' pub/sub layer instead of the list-based core layer."""

import os

from tolk.settings.local import *  # noqa: F403

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [{"address": os.environ["REDIS_URL"], "socket_timeout": 30}]},
    }
}

"""Reading configuration from the environment, in one place."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def database_config(default_url: str = DEFAULT_SQLITE_URL) -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL") or default_url
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Writers queue instead of failing with "database is locked"; IMMEDIATE makes every
        # transaction take the write lock up front, which serialises conflicting bookings.
        config["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


def channel_prefix(redis_url: str) -> str:
    """Pub/sub channels are shared by every database of a Redis server, so the group names carry
    the database number: two installations on databases 0 and 1 never see each other's events.
    `TOLK_CHANNEL_PREFIX` sets a prefix of one's own."""
    chosen = os.environ.get("TOLK_CHANNEL_PREFIX", "").strip()
    if chosen:
        return chosen
    database = urlparse(redis_url).path.strip("/") or "0"
    return f"tolk{database}"


def channel_layers() -> dict[str, Any]:
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        # Redis pub/sub: a group message reaches each server process once, pushed on one
        # subscription connection, and is handed out to that process's sockets in memory. The
        # list-based core layer pops each message with four Redis round trips and, under load,
        # expired or dropped messages once a process fell behind. Pub/sub keeps nothing for a
        # process that is not subscribed at that moment; the consumers' catch-up from the outbox
        # (`booking.realtime.consumers`) sends whatever a socket missed.
        return {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {
                    "hosts": [{"address": redis_url, "socket_timeout": 30}],
                    "prefix": channel_prefix(redis_url),
                },
            }
        }
    return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def cache_config() -> dict[str, Any]:
    """With `REDIS_URL` the cache (throttle counters, the login lockout counts) lives in Redis and
    is shared by every worker, with atomic increments; if Redis is down the cache answers "nothing
    stored" quickly instead of failing the request (`tolk.cache`). Without Redis it is the
    process's memory: fine for the single process of `make run`, not for several workers."""
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        return {
            "default": {
                "BACKEND": "tolk.cache.ResilientRedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": "tolk",
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

"""Reading configuration from the environment, in one place."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

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


def channel_layers() -> dict[str, Any]:
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        return {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {
                    # channels-redis blocks 5 s in BZPOPMIN; redis-py 8 also times reads out after
                    # 5 s by default, which kills the consumer holding the receive lock. Its pool
                    # also stops at 100 connections, fewer than a burst of websocket connects
                    # needs for group_add.
                    "hosts": [{"address": redis_url, "socket_timeout": 30,
                               "max_connections": 2000}],
                    "capacity": 1500,
                    "expiry": 30,
                },
            }
        }
    return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

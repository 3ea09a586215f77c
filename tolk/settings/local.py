"""Settings for `make run` and development on one machine (SQLite and in-memory channels)."""

from tolk.settings.base import *  # noqa: F403

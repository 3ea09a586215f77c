"""Settings for `make run` and development on one machine (SQLite and in-memory channels)."""

from tolk.settings.base import *  # noqa: F403

# Serve static files straight from the apps, so `make run` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
TOLK_DEMO_DATA_ALLOWED = True

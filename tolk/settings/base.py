"""Settings shared by every environment. Everything that varies comes from the environment."""

from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _

from tolk.env import (
    BASE_DIR,
    cache_config,
    channel_layers,
    database_config,
    env_bool,
    env_int,
    env_list,
    env_str,
)

DEFAULT_SECRET_KEY = "tolk-insecure-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env_str("DJANGO_SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "booking",
    "stats",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tolk.middleware.ContentSecurityPolicyMiddleware",
    "tolk.middleware.ApiErrorShapeMiddleware",
    "tolk.inputs.NulCharacterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tolk.middleware.DatabaseUnavailableMiddleware",
    # Last: turns a locked-out login (web, admin, API) into a 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tolk.urls"
ASGI_APPLICATION = "tolk.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "booking.User"

CHANNEL_LAYERS = channel_layers()
REDIS_URL = env_str("REDIS_URL")
CACHES = cache_config()

# The login lockout (django-axes) asks first; the model backend checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS: list[dict[str, Any]] = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("en", _("English"))]
# tolk/locale: the error catalogue's messages (tolk.error_catalogue).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "tolk" / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tolk.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON with a limit on nesting (a 400 `json_too_deep`, never a RecursionError).
    "DEFAULT_PARSER_CLASSES": [
        "tolk.jsonparse.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "tolk.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "tolk.schema.AutoSchema",
    "EXCEPTION_HANDLER": "tolk.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login": env_str("TOLK_LOGIN_THROTTLE_RATE", "10/min"),
        "ws_ticket": "60/min",
        "card": env_str("TOLK_CARD_THROTTLE_RATE", "120/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Tolk API",
    "DESCRIPTION": (
        "Booking of qualified interpreters for the Norwegian public sector under the "
        "Interpreter Act, and the national statistics on interpreting need."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One enum per status set, named after it, wherever a `status` field uses it.
    "ENUM_NAME_OVERRIDES": {
        "BookingStatusEnum": "booking.dispatch.models.BookingStatus",
        "OfferStatusEnum": "booking.dispatch.models.OfferStatus",
        "AssignmentStatusEnum": "booking.dispatch.models.AssignmentStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tolk.schema.add_error_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every handler gets the filter that keeps interpreters' personal data and secrets out.
    "filters": {"personal_data": {"()": "tolk.logging.PersonalDataFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["personal_data"]},
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {
        # Drops Django's default handlers for its own loggers, which have no such filter; their
        # records go to the root handler instead.
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        # The ASGI server's own loggers (access log with query strings) go through the filter too.
        "uvicorn.access": {"handlers": ["console"], "propagate": False},
        "uvicorn.error": {"handlers": ["console"], "propagate": False},
    },
}

# The Interpreter Act: assignments up to and including this date may rely on the transitional
# dispensation from the qualified-interpreter duty (tolkeloven § 7 fifth paragraph).
TOLK_DISPENSATION_LAST_DAY = date.fromisoformat(env_str("TOLK_DISPENSATION_LAST_DAY", "2026-12-31"))
# Offers: how many candidates one wave goes to, and how long an offer stays open (minutes).
TOLK_OFFER_WAVE_SIZE = env_int("TOLK_OFFER_WAVE_SIZE", 5)
TOLK_OFFER_MINUTES = env_int("TOLK_OFFER_MINUTES", 60)
# Acute: a booking that starts within this many hours of being made (decided and stored then).
# Its first wave goes to more candidates and its offers stay open a shorter time (minutes).
TOLK_ACUTE_HOURS = env_int("TOLK_ACUTE_HOURS", 24)
TOLK_ACUTE_FIRST_WAVE = env_int("TOLK_ACUTE_FIRST_WAVE", 15)
TOLK_ACUTE_OFFER_MINUTES = env_int("TOLK_ACUTE_OFFER_MINUTES", 15)
# Send the first wave of offers as soon as a booking is made (otherwise the coordinator does).
TOLK_AUTO_DISPATCH = env_bool("TOLK_AUTO_DISPATCH", False)
# Once a day the job loop re-checks the assignments and offers of this many coming days against
# the register and the guidelines on their dates (a qualification or police certificate that
# ends between booking and job); 0 switches the daily pass off.
TOLK_RECHECK_DAYS = env_int("TOLK_RECHECK_DAYS", 28)
# The largest CSV file each import takes as an upload (API and pages; tolk.csvimport), in bytes.
# A register file holds at most 200,000 rows (a few MB in practice); a provider file a national
# year or a few (about 70 MB each).
TOLK_IMPORT_MAX_BYTES = {
    "register": env_int("TOLK_REGISTER_IMPORT_MAX_MB", 50) * 1024 * 1024,
    "assignments": env_int("TOLK_ASSIGNMENT_IMPORT_MAX_MB", 500) * 1024 * 1024,
}
# Statistics: cells based on fewer assignments than this are suppressed.
TOLK_SUPPRESSION_THRESHOLD = env_int("TOLK_SUPPRESSION_THRESHOLD", 5)
# Who sends the outbox events: "web" (every server process, after each commit and every few
# seconds) or "jobs" (only `manage.py run_jobs` processes, woken by PostgreSQL NOTIFY; needs
# PostgreSQL and Redis). "jobs" keeps delivery apart from the web workers' interpreter lock.
TOLK_OUTBOX_RELAY = env_str("TOLK_OUTBOX_RELAY", "web")
if TOLK_OUTBOX_RELAY not in ("web", "jobs"):
    raise ValueError("TOLK_OUTBOX_RELAY must be 'web' or 'jobs'")
TOLK_REQUIRE_SERVICES = env_bool("TOLK_REQUIRE_SERVICES", False)
# Demo data and its well-known passwords: allowed in local and test settings only.
TOLK_DEMO_DATA_ALLOWED = False

# The client address: X-Forwarded-For is read only when the connection comes from one of these
# proxies (addresses or CIDR ranges, comma-separated; empty: never). See tolk.client.
TOLK_TRUSTED_PROXIES = env_list("TOLK_TRUSTED_PROXIES", [])

# API tokens (django-rest-knox): stored as SHA-512 digests, one per login (device or client),
# sliding expiry: each use moves the end TOLK_TOKEN_TTL_HOURS ahead, never beyond
# TOLK_TOKEN_MAX_DAYS after the login.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env_int("TOLK_TOKEN_TTL_HOURS", 10)),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(days=env_int("TOLK_TOKEN_MAX_DAYS", 30)),
    "MIN_REFRESH_INTERVAL": 60,
    "TOKEN_LIMIT_PER_USER": env_int("TOLK_TOKEN_LIMIT_PER_USER", 20),
    "AUTH_HEADER_PREFIX": "Token",
}

# Failed logins (django-axes), on the token endpoint, the web login and the admin login: counted
# per username (whatever the address) and per client address; at the limit that username or
# address is locked out for the cool-off. Shared by every process: in the database, or in Redis
# (the cache, atomic increments) when REDIS_URL is set.
AXES_FAILURE_LIMIT = env_int("TOLK_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("TOLK_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "tolk.client.client_address"
AXES_LOCKOUT_CALLABLE = "tolk.lockout.lockout_response"
AXES_HANDLER = (
    "tolk.lockout.SharedCacheHandler" if REDIS_URL
    else "axes.handlers.database.AxesDatabaseHandler"
)
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_VERBOSE = False
# Failed attempts are kept (that is the lockout); successful logins' addresses are not.
AXES_DISABLE_ACCESS_LOG = True

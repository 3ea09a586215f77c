"""Settings shared by every environment. Everything that varies comes from the environment."""

from datetime import date

from django.utils.translation import gettext_lazy as _

from tolk.env import (
    BASE_DIR,
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
    "rest_framework.authtoken",
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
    "tolk.middleware.LoginThrottleMiddleware",
    "tolk.middleware.ApiErrorShapeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tolk.middleware.DatabaseUnavailableMiddleware",
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

AUTH_PASSWORD_VALIDATORS = [
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
LOCALE_PATHS = [BASE_DIR / "locale"]
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
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "tolk.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "tolk.schema.AutoSchema",
    "EXCEPTION_HANDLER": "tolk.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": "10/min", "ws_ticket": "60/min", "card": "120/min"},
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
# Send the first wave of offers as soon as a booking is made (otherwise the coordinator does).
TOLK_AUTO_DISPATCH = env_bool("TOLK_AUTO_DISPATCH", False)
# Once a day the job loop re-checks the assignments and offers of this many coming days against
# the register and the guidelines on their dates (a qualification or police certificate that
# ends between booking and job); 0 switches the daily pass off.
TOLK_RECHECK_DAYS = env_int("TOLK_RECHECK_DAYS", 28)
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

"""Production settings: PostgreSQL, Redis, several ASGI workers behind a TLS-terminating proxy.

`DJANGO_SETTINGS_MODULE=tolk.settings.production python manage.py check --deploy` is clean with a
proper `DJANGO_SECRET_KEY` and `DJANGO_ALLOWED_HOSTS`. The proxy must set `X-Forwarded-Proto`.
"""

from django.core.exceptions import ImproperlyConfigured

from tolk.env import env_bool, env_int
from tolk.settings.base import *  # noqa: F403
from tolk.settings.base import DEBUG, DEFAULT_SECRET_KEY, REST_FRAMEWORK, SECRET_KEY

if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a long random value in production "
        "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )
if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")

# TLS is terminated by the proxy in front of the ASGI workers.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Cookies: only over HTTPS, never to other sites, sessions end with the working day.
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", 10 * 60 * 60)
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_SAMESITE = "Lax"
# Page scripts may read the CSRF token from the cookie to send it as X-CSRFToken, so it stays
# readable by script (Django's documented trade-off); the session cookie is HttpOnly.
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# The content security policy is set by tolk.middleware on every response (see base MIDDLEWARE);
# TOLK_CSP_REPORT_ONLY=1 sends it as report-only while a new page is rolled out.
TOLK_CSP_REPORT_ONLY = env_bool("TOLK_CSP_REPORT_ONLY", False)

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    # The browsable API is a development aid; production answers JSON only.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

# PostgreSQL connections come from a pool in each worker (Django's psycopg pool): no new connection
# per request, and a bounded number per worker, so several workers stay under max_connections.
# A request that cannot get a connection within the timeout is a clear 503.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["OPTIONS"] = {  # noqa: F405
        **DATABASES["default"].get("OPTIONS", {}),  # noqa: F405
        "pool": {
            "min_size": env_int("TOLK_DB_POOL_MIN", 2),
            "max_size": env_int("TOLK_DB_POOL_MAX", 10),
            "timeout": env_int("TOLK_DB_POOL_TIMEOUT", 10),
        },
    }

# Passwords: at least 12 characters in production, besides the common-password checks in base.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

TOLK_DEMO_DATA_ALLOWED = False

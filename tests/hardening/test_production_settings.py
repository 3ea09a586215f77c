"""Production settings: the deploy check is clean, and the security settings do what a browser and
an attacker would notice (HTTPS only, secure cookies, HSTS, CSRF, CSP, login throttling, password
rules, revocable tokens)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests import factories

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "tolk.settings.production",
    "DJANGO_ALLOWED_HOSTS": "tolk.example.no",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
}
# The settings that decide how responses and cookies look; copied from the production module.
SECURITY_SETTINGS = [
    "SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY", "SECURE_CROSS_ORIGIN_OPENER_POLICY", "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_AGE", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_SAMESITE", "LANGUAGE_COOKIE_SECURE",
    "AUTH_PASSWORD_VALIDATORS", "REST_FRAMEWORK", "DEBUG", "MIDDLEWARE", "LOGGING",
    "TOLK_DEMO_DATA_ALLOWED",
]


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("DATABASE_URL", None)  # the deploy check needs no database
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=120,
    )


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _run(
        "import sys; from django.core.management import execute_from_command_line; "
        f"execute_from_command_line(['manage.py', *{list(args)!r}])",
        env,
    )


@pytest.fixture(scope="module")
def production() -> dict[str, Any]:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"names = {SECURITY_SETTINGS!r}; "
        "print(json.dumps({k: getattr(settings, k) for k in names}, default=str))"
    )
    result = _run(code, PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def production_settings(production: dict[str, Any]) -> Any:
    values = {k: v for k, v in production.items() if k not in {"DEBUG", "LOGGING"}}
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    values["ALLOWED_HOSTS"] = ["tolk.example.no", "testserver"]
    cache.clear()
    with override_settings(**values):
        yield values
    cache.clear()


HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}


def test_deploy_check_is_clean_with_production_settings() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


@pytest.mark.parametrize(
    "env",
    [
        {"DJANGO_SECRET_KEY": ""},
        {"DJANGO_SECRET_KEY": "short-key"},
        {"DJANGO_SECRET_KEY": "a" * 80},
        {"DJANGO_SECRET_KEY": "tolk-insecure-development-key-do-not-use-in-production"},
        {"DJANGO_DEBUG": "1"},
    ],
    ids=["missing", "short", "one-character", "default", "debug"],
)
def test_production_refuses_to_start_insecurely(env: dict[str, str]) -> None:
    result = _manage("check", env={**PRODUCTION_ENV, **env})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert ("DJANGO_SECRET_KEY" in result.stderr) or ("DJANGO_DEBUG" in result.stderr)


def test_production_values(production: dict[str, Any]) -> None:
    assert production["DEBUG"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31536000
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_AGE"] <= 12 * 60 * 60
    assert production["TOLK_DEMO_DATA_ALLOWED"] is False
    assert "tolk.middleware.ContentSecurityPolicyMiddleware" in production["MIDDLEWARE"]
    assert production["MIDDLEWARE"][-1] == "axes.middleware.AxesMiddleware"
    assert production["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"]["login"]
    handlers = production["LOGGING"]["handlers"]
    assert handlers and all("personal_data" in h.get("filters", []) for h in handlers.values())


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(production_settings: Any) -> None:
    response = Client().get("/api/v1/languages/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.django_db
def test_https_responses_carry_the_security_headers(production_settings: Any) -> None:
    client = Client()
    first = client.get("/api/schema/", **HTTPS)
    second = client.get("/api/schema/", **HTTPS)
    assert first.status_code == 200
    hsts = first["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
    assert first["X-Content-Type-Options"] == "nosniff"
    assert first["X-Frame-Options"] == "DENY"
    assert first["Referrer-Policy"] == "same-origin"
    assert first["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = first["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}
    assert directives["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert "wss://testserver" in directives["connect-src"]
    # A fresh nonce per response, so a leaked one is useless for the next page.
    assert policy != second["Content-Security-Policy"]


@pytest.mark.django_db
def test_api_docs_page_runs_without_inline_script(production_settings: Any) -> None:
    response = Client().get("/api/docs/", **HTTPS)
    assert response.status_code == 200
    html = response.content.decode()
    # Swagger UI's start-up script is served from a URL, which the policy's 'self' allows.
    assert "<script>" not in html.replace(" ", "")
    script = Client().get("/api/docs/?script=", **HTTPS)
    assert script.status_code == 200


@pytest.mark.django_db
def test_login_cookies_are_secure_httponly_and_same_site(production_settings: Any) -> None:
    factories.AdminFactory(username="ops", password="a-long-admin-passphrase-42")
    client = Client()
    client.get("/admin/login/", **HTTPS)
    csrf = client.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    response = client.post(
        "/admin/login/",
        {"username": "ops", "password": "a-long-admin-passphrase-42", "next": "/admin/",
         "csrfmiddlewaretoken": csrf.value},
        **HTTPS,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


@pytest.mark.django_db
def test_forms_and_session_authenticated_api_require_csrf(production_settings: Any) -> None:
    user = factories.AdminFactory(username="ops", password="a-long-admin-passphrase-42")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/admin/login/", {"username": "ops", "password": "a-long-admin-passphrase-42"}, **HTTPS
    )
    assert response.status_code == 403
    client.force_login(user)
    api = client.post("/api/v1/auth/ws-ticket/", **HTTPS)
    assert api.status_code == 403
    assert api.json()["code"] == "permission_denied"
    # With an API token there is no cookie to forge, so no CSRF token is needed.
    token = factories.api_token(user)
    token_client = APIClient(enforce_csrf_checks=True)
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert token_client.post("/api/v1/auth/ws-ticket/", **HTTPS).status_code == 201


@pytest.mark.django_db
def test_token_endpoint_throttles_login_attempts(production_settings: Any) -> None:
    factories.BookerFactory(username="kari", password="a-long-booker-passphrase-42")
    api = APIClient()
    rate = int(production_settings["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"]["login"]
               .split("/")[0])
    statuses = [
        api.post("/api/v1/auth/token/", {"username": "kari", "password": f"guess{i}"},
                 format="json", **HTTPS).status_code
        for i in range(rate + 1)
    ]
    # The failure that reaches the lockout limit (as many as the rate) is already answered 429.
    assert statuses[:rate - 1] == [400] * (rate - 1)
    assert statuses[rate - 1:] == [429, 429]
    blocked = api.post("/api/v1/auth/token/",
                       {"username": "kari", "password": "a-long-booker-passphrase-42"},
                       format="json", **HTTPS)
    assert blocked.status_code == 429
    assert blocked.json()["code"] in {"throttled", "login_locked"}
    assert int(blocked["Retry-After"]) > 0


@pytest.mark.django_db
def test_web_login_pages_throttle_failed_attempts(production_settings: Any) -> None:
    rate = int(production_settings["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"]["login"]
               .split("/")[0])
    for n, path in enumerate(("/admin/login/", "/login/")):
        factories.AdminFactory(username=f"ops{n}", password="a-long-admin-passphrase-42")
        client = Client(REMOTE_ADDR=f"192.0.2.{n + 1}")
        for i in range(rate - 1):
            response = client.post(path, {"username": f"ops{n}", "password": f"guess{i}"},
                                   **HTTPS)
            assert response.status_code == 200, (path, i)  # the form again, with an error
        locking = client.post(path, {"username": f"ops{n}", "password": "last-guess"}, **HTTPS)
        assert locking.status_code == 429, path
        blocked = client.post(
            path, {"username": f"ops{n}", "password": "a-long-admin-passphrase-42"}, **HTTPS
        )
        assert blocked.status_code == 429, path
        assert int(blocked["Retry-After"]) > 0
    # Another address and user is not affected, and successful logins never count.
    factories.AdminFactory(username="ops-ok", password="a-long-admin-passphrase-42")
    client = Client(REMOTE_ADDR="192.0.2.99")
    for _ in range(rate + 2):
        ok = client.post("/admin/login/",
                         {"username": "ops-ok", "password": "a-long-admin-passphrase-42"},
                         **HTTPS)
        assert ok.status_code == 302
        client.logout()


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("demo", False),
        ("password123", False),
        ("12345678901234", False),
        ("short-Pw1", False),
        ("kari.nordmann-tolk", False),
        ("correct horse battery staple", True),
    ],
)
@pytest.mark.django_db
def test_production_password_rules(production_settings: Any, password: str, ok: bool) -> None:
    user = factories.BookerFactory.build(username="kari.nordmann", email="kari@example.no")
    user.first_name, user.last_name = "Kari", "Nordmann"
    if ok:
        validate_password(password, user=user)
    else:
        with pytest.raises(ValidationError):
            validate_password(password, user=user)


@pytest.mark.django_db
def test_api_token_can_be_revoked(production_settings: Any) -> None:
    factories.BookerFactory(username="kari", password="a-long-booker-passphrase-42")
    api = APIClient()
    token = api.post("/api/v1/auth/token/",
                     {"username": "kari", "password": "a-long-booker-passphrase-42"},
                     format="json", **HTTPS).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/", **HTTPS).status_code == 200
    assert api.delete("/api/v1/auth/token/", **HTTPS).status_code == 204
    after = api.get("/api/v1/me/", **HTTPS)
    assert after.status_code == 401
    assert after.json()["code"] in {"authentication_failed", "not_authenticated"}
    assert not AuthToken.objects.filter(token_key=token[:15]).exists()


def test_production_pools_postgresql_connections() -> None:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    )
    result = _run(code, {**PRODUCTION_ENV,
                         "DATABASE_URL": "postgres://tolk@db.example.no:5432/tolk"})
    assert result.returncode == 0, result.stderr
    pool = json.loads(result.stdout)["pool"]
    assert 1 <= pool["min_size"] <= pool["max_size"] and pool["timeout"] > 0

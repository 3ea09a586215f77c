"""Browser tests: Debian's Chromium driven by Playwright against a real ASGI server.

The server is a separate uvicorn process serving `tolk.asgi:application` with its own database
(a temporary SQLite file, or `<name>_browser` next to DATABASE_URL's PostgreSQL database), migrated
and loaded with `seed_demo`: the pages are tested against exactly the demo data `make run` serves.
The tests talk to it only through the browser, as a person would. With REDIS_URL set the server's
websockets go through the Redis channel layer, in a database of its own (number + 8), so its
groups (`interpreter.1`, ...) never meet those of the Redis tests running in the same session.

Without /usr/bin/chromium the tests are skipped, except with TOLK_REQUIRE_BROWSER=1 (CI), where they
fail. Every page visited gets a screenshot in tests/browser/screenshots/ and an axe-core check: no
serious or critical violations.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest

CHROMIUM = os.environ.get("TOLK_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("TOLK_REQUIRE_BROWSER") == "1"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
PASSWORD = "demo"
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(here):
            item.add_marker(pytest.mark.browser)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("browser") and not os.access(CHROMIUM, os.X_OK):
        if REQUIRE_BROWSER:
            pytest.fail(f"browser tests need Chromium at {CHROMIUM} (TOLK_REQUIRE_BROWSER=1)")
        pytest.skip(f"needs Chromium at {CHROMIUM}")


# What the booking form needs beyond the register demo data, added only when seed_demo has not
# made it: Oslo kommune's guidelines with approved remote platforms (§ 9) and its agreement with
# the municipal interpreting service.
BOOKING_SETUP = """
import datetime as dt
from booking.models import Guideline, Organisation, ProviderAgreement
from booking.dispatch.services.guidelines import guideline_publish
oslo = Organisation.objects.get(name="Oslo kommune")
provider = Organisation.objects.get(name="Tolketjenesten Oslo kommune")
if not ProviderAgreement.objects.filter(customer=oslo).exists():
    ProviderAgreement.objects.create(customer=oslo, provider=provider, is_default=True)
if not Guideline.objects.filter(organisation=oslo).exists():
    guideline_publish(organisation=oslo, valid_from=dt.date(2024, 1, 1),
                      remote_platforms=["Whereby (NHN)"], late_cancellation_hours=24)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_database_url(tmp: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / 'browser.sqlite3'}"
    import psycopg

    parsed = urlparse(url)
    name = f"{parsed.path.lstrip('/') or 'tolk'}_browser"
    admin_url = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path=f"/{name}"))


def _server_redis_url() -> str | None:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return None
    parsed = urlparse(url)
    db = int(parsed.path.lstrip("/") or 0)
    return urlunparse(parsed._replace(path=f"/{(db + 8) % 16}"))


def _manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local server
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not start within 60 s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip("no Chromium")
    tmp = tmp_path_factory.mktemp("browser-server")
    env = dict(os.environ)
    env.update(
        DATABASE_URL=_server_database_url(tmp),
        DJANGO_SETTINGS_MODULE="tolk.settings.test",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
    )
    redis_url = _server_redis_url()
    if redis_url:
        env["REDIS_URL"] = redis_url
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "seed_demo")
    _manage(env, "shell", "-c", BOOKING_SETUP)
    port = _free_port()
    log = tmp / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [sys.executable, "-m", "uvicorn", "tolk.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--lifespan", "on", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/login/", process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        if os.environ.get("TOLK_BROWSER_SERVER_LOG") == "1":
            sys.stderr.write(log.read_text())


@pytest.fixture(scope="session")
def browser(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield instance
        instance.close()


class Pages:
    """Opens browser contexts as a person would: one per user, logged in through the form."""

    def __init__(self, browser: Any, base: str) -> None:
        self.browser = browser
        self.base = base
        self.contexts: list[Any] = []

    def new_page(self, *, phone: bool = False, locale: str = "nb-NO") -> Any:
        options: dict[str, Any] = {"locale": locale, "accept_downloads": True}
        if phone:
            options.update(viewport={"width": 390, "height": 844}, is_mobile=True,
                           has_touch=True, device_scale_factor=2)
        else:
            options.update(viewport={"width": 1280, "height": 900})
        context = self.browser.new_context(**options)
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        return context.new_page()

    def login(self, username: str, **options: Any) -> Any:
        page = self.new_page(**options)
        page.goto(f"{self.base}/login/")
        page.get_by_label("Brukernavn").fill(username)
        page.get_by_label("Passord").fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser: Any, server: str) -> Iterator[Pages]:
    helper = Pages(browser, server)
    yield helper
    helper.close()


def check_page(page: Any, name: str) -> None:
    """Screenshot the page for a person to look at, and fail on serious or critical axe findings."""
    from axe_playwright_python.sync_playwright import Axe

    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    results = Axe().run(page)
    blocking = [
        v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS
    ]
    details = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node.get("target")) for node in v.get("nodes", [])[:5])
        for v in blocking
    )
    assert not blocking, f"axe found serious/critical problems on {name} ({page.url}):\n{details}"

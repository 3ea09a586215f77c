"""Every web page works under the content security policy: no inline script, no inline event
handler, no script from another origin. Pages are found from the URL resolver, so new pages are
checked as they are added."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.hardening.world import ROLES, World, build_world

# Data blocks (`json_script`, type application/json) are not run and need no nonce.
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=[\"']?application/(?:ld\+)?json)[^>]*>\s*\S",
    re.IGNORECASE,
)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
FOREIGN_SCRIPT = re.compile(r"<script[^>]+src=[\"']?(?:https?:)?//", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"href=[\"']\s*javascript:", re.IGNORECASE)


def _page_paths() -> list[str]:
    """Paths of the web pages (not the API, admin or i18n) that take no URL parameters."""
    paths: list[str] = []

    def walk(patterns: list, prefix: str) -> None:
        for p in patterns:
            text = str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + text)
            elif isinstance(p, URLPattern) and "<" not in text and "(?P" not in text:
                path = "/" + prefix + text.lstrip("^").rstrip("$")
                if not path.startswith(("/api/", "/admin/", "/i18n/")):
                    paths.append(path)

    walk(get_resolver().url_patterns, "")
    return sorted(set(paths))


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def test_pages_are_found() -> None:
    assert "/" in _page_paths()


def test_every_page_works_under_the_content_security_policy(world: World) -> None:
    problems = []
    checked = 0
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(world.users[role])
        for path in _page_paths():
            if path.rstrip("/").endswith("logout"):
                continue
            response = client.get(path)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            checked += 1
            assert "Content-Security-Policy" in response, path
            html = response.content.decode()
            for name, pattern in (("inline script", INLINE_SCRIPT),
                                  ("inline event handler", EVENT_HANDLER),
                                  ("script from another origin", FOREIGN_SCRIPT),
                                  ("javascript: URL", JAVASCRIPT_URL)):
                match = pattern.search(html)
                if match:
                    problems.append(f"{path} as {role}: {name}: {match.group(0)[:80]!r}")
    assert checked, "no page was checked"
    assert not problems, "\n".join(problems)

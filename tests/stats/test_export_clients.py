"""Export clients: created by an admin (admin page or command), token shown once, listed with their
last use, revoked."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from stats.models import ExportClient, PullSource, SourcePull
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/stats/facts/"


def test_admin_creates_a_client_and_sees_the_token_once(client: Client) -> None:
    admin = factories.AdminFactory()
    client.force_login(admin)
    response = client.post("/admin/stats/exportclient/add/", {"name": "IMDi"})
    assert response.status_code == 200
    body = response.content.decode()
    made = ExportClient.objects.get(name="IMDi")
    assert made.created_by == admin
    token = body.split('id="export-token" type="text" readonly size="80" value="')[1].split('"')[0]
    assert token.startswith(f"tolkx_{made.token_id}_")
    assert made.token_hash != token and token not in made.token_hash

    # The token works, and the list shows its last use; the token itself is never shown again.
    assert Client().get(URL, {"year": 2024},
                        HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    listing = client.get("/admin/stats/exportclient/").content.decode()
    assert "IMDi" in listing and token not in listing
    made.refresh_from_db()
    assert made.last_used_at is not None
    change = client.get(f"/admin/stats/exportclient/{made.pk}/change/").content.decode()
    assert token not in change

    # Revoked from the list: the token stops working.
    client.post("/admin/stats/exportclient/", {"action": "revoke_clients",
                                               "_selected_action": [made.pk]})
    assert Client().get(URL, {"year": 2024},
                        HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_admin_source_page_never_shows_the_stored_token(client: Client) -> None:
    client.force_login(factories.AdminFactory())
    response = client.post("/admin/stats/pullsource/add/", {
        "name": "Vest", "url": "https://vest.example.no", "token": "tolkx_secret_value",
        "pulls-TOTAL_FORMS": "0", "pulls-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    source = PullSource.objects.get(name="Vest")
    assert source.token == "tolkx_secret_value"
    assert "tolkx_secret_value" not in client.get(
        f"/admin/stats/pullsource/{source.pk}/change/").content.decode()
    assert "tolkx_secret_value" not in client.get("/admin/stats/pullsource/").content.decode()
    # Saving without a token keeps the stored one.
    client.post(f"/admin/stats/pullsource/{source.pk}/change/", {
        "name": "Vest", "url": "https://vest.example.no", "token": "",
        "pulls-TOTAL_FORMS": "0", "pulls-INITIAL_FORMS": "0",
    })
    source.refresh_from_db()
    assert source.token == "tolkx_secret_value"

    # The list shows each source's last pull and how it went.
    moment = dt.datetime(2025, 6, 2, 8, 30, tzinfo=dt.UTC)
    SourcePull.objects.create(source=source, year=2024, started_at=moment, finished_at=moment,
                              status="ok", rows=38, added=38)
    SourcePull.objects.create(source=source, year=2024, started_at=moment + dt.timedelta(days=1),
                              finished_at=moment + dt.timedelta(days=1), status="failed",
                              code="source_timeout", message="The source did not answer.")
    listing = client.get("/admin/stats/pullsource/").content.decode()
    assert "2025-06-03 10:30 (2024)" in listing  # Oslo time
    assert "source_timeout" in listing and "2025-06-02 10:30" in listing


def test_command_creates_lists_and_revokes() -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_clients", "create", "IMDi", stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert token.startswith("tolkx_")
    listing = io.StringIO()
    call_command("export_clients", "list", stdout=listing)
    assert "IMDi" in listing.getvalue() and "last used never" in listing.getvalue()
    assert token not in listing.getvalue()
    with pytest.raises(CommandError, match="export_client_exists"):
        call_command("export_clients", "create", "IMDi", stdout=io.StringIO())
    call_command("export_clients", "revoke", "IMDi", stderr=io.StringIO())
    assert ExportClient.objects.get().revoked_at is not None
    with pytest.raises(CommandError):
        call_command("export_clients", "revoke", "Ukjent")


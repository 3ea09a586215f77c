"""The Django admin works for the register, organisations and users, in bokmål."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/booking/interpreter/",
        "/admin/booking/organisation/",
        "/admin/booking/user/",
        "/admin/booking/registerstatusevent/",
        "/admin/booking/registerimport/",
        "/admin/booking/booking/",
        "/admin/booking/guideline/",
        "/admin/booking/provideragreement/",
        "/admin/booking/interpreterblock/",
    ],
)
def test_admin_pages_render_in_bokmal(path: str) -> None:
    admin = factories.AdminFactory()
    factories.QualificationFactory()
    factories.UnitFactory()
    client = Client()
    client.force_login(admin)
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="nb"' in page
    assert "Tolk – administrasjon" in page


def test_admin_names_the_register_in_bokmal() -> None:
    admin = factories.AdminFactory()
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/").content.decode()
    assert "Tolker" in page and "Virksomheter" in page


def test_interpreter_change_page_shows_entries() -> None:
    admin = factories.AdminFactory()
    entry = factories.QualificationFactory(language="tir")
    client = Client()
    client.force_login(admin)
    response = client.get(f"/admin/booking/interpreter/{entry.interpreter_id}/change/")
    assert response.status_code == 200
    assert entry.interpreter.register_number in response.content.decode()


def test_register_imports_are_read_only() -> None:
    admin = factories.AdminFactory()
    client = Client()
    client.force_login(admin)
    assert client.get("/admin/booking/registerimport/add/").status_code == 403

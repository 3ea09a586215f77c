"""The data migration that moves the register, its status events and the bookings to the language
table's codes (`booking/migrations/*_language_table_codes.py`), run through Django's migration
executor on rows written in the old codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _schema_back_to_the_latest() -> Iterator[None]:
    """The test stops the schema at a migration; later tests need every migration applied."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

MIGRATION_SUFFIX = "language_table_codes"
OSLO = ZoneInfo("Europe/Oslo")


def _node(executor: MigrationExecutor, app: str) -> tuple[str, str]:
    # Found by name, not number: migrations may be renumbered when branches are merged.
    return next(key for key in executor.loader.graph.leaf_nodes() + list(
        executor.loader.graph.nodes) if key[0] == app and key[1].endswith(MIGRATION_SUFFIX))


def _before(executor: MigrationExecutor, app: str) -> tuple[str, str]:
    node = _node(executor, app)
    return next(p for p in executor.loader.graph.node_map[node].parents if p.key[0] == app).key


def _migrated_apps(executor: MigrationExecutor, targets: list[tuple[str, str]]) -> Any:
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _world(apps: Any) -> dict[str, Any]:
    Organisation = apps.get_model("booking", "Organisation")
    Unit = apps.get_model("booking", "Unit")
    User = apps.get_model("booking", "User")
    org = Organisation.objects.create(org_number="974760673", name="Oslo kommune",
                                      kind="municipality", municipality="0301")
    unit = Unit.objects.create(organisation=org, name="NAV", sector="welfare",
                               municipality="0301")
    provider = Organisation.objects.create(org_number="974760746", name="Tolketjenesten",
                                           kind="municipal_service", provider_type="municipal",
                                           municipality="0301")
    booker = User.objects.create(username="b", role="booker", organisation=org, unit=unit)
    return {"org": org, "unit": unit, "booker": booker, "provider": provider}


def _booking(apps: Any, world: dict[str, Any], language: str, hour: int) -> Any:
    Booking = apps.get_model("booking", "Booking")
    start = dt.datetime(2026, 3, 2, hour, tzinfo=OSLO)
    return Booking.objects.create(
        customer=world["org"], unit=world["unit"], created_by=world["booker"],
        provider=world["provider"],
        language=language, modality="phone", start=start, end=start + dt.timedelta(hours=1),
        municipality="0301", platform="Teams", sector="welfare", duty_basis="necessary",
        assessment_note="Behov vurdert", rule_set="2022",
    )


def test_moves_fas_rows_to_pes_and_leaves_an_ambiguous_code() -> None:
    executor = MigrationExecutor(connection)
    before = _before(executor, "booking")
    latest = _node(executor, "booking")
    apps = _migrated_apps(executor, [before])
    Interpreter = apps.get_model("booking", "Interpreter")
    Qualification = apps.get_model("booking", "Qualification")
    RegisterStatusEvent = apps.get_model("booking", "RegisterStatusEvent")

    def person(number: str) -> Any:
        return Interpreter.objects.create(
            register_number=number, given_name="Shirin", family_name="Karimi", gender="female",
            municipality="0301", county="03", availability="full_time",
        )

    only_fas, both, kurdish = person("T-1"), person("T-2"), person("T-3")
    entry = {"valid_from": dt.date(2020, 1, 1), "status": "active"}
    Qualification.objects.create(interpreter=only_fas, language="fas", category="B", **entry)
    Qualification.objects.create(interpreter=only_fas, language="per", category="C",
                                 **{**entry, "valid_from": dt.date(2019, 1, 1)})
    Qualification.objects.create(interpreter=both, language="fas", category="A", **entry)
    Qualification.objects.create(interpreter=both, language="pes", category="D", **entry)
    Qualification.objects.create(interpreter=kurdish, language="kur", category="C", **entry)
    Qualification.objects.create(interpreter=kurdish, language="arb", category="C", **entry)
    RegisterStatusEvent.objects.create(interpreter=only_fas, language="fas", kind="warning",
                                       valid_from=dt.date(2025, 1, 1), reason="test")
    world = _world(apps)
    persian = _booking(apps, world, "fas", 9)
    arabic = _booking(apps, world, "ara", 11)

    apps = _migrated_apps(executor, [latest])
    Qualification = apps.get_model("booking", "Qualification")
    RegisterStatusEvent = apps.get_model("booking", "RegisterStatusEvent")
    Booking = apps.get_model("booking", "Booking")
    entries = sorted(Qualification.objects.values_list(
        "interpreter__register_number", "language", "category"))
    # `fas` and `per` are one language for T-1: the better entry (B) is kept, as Persisk (pes).
    # T-2's A entry in `fas` and D entry in `pes` become one A entry. `kur` stays: which of
    # Kurmanji, Sorani or Southern Kurdish was tested is not known. `arb` is Arabic (`ara`).
    assert entries == [
        ("T-1", "pes", "B"), ("T-2", "pes", "A"), ("T-3", "ara", "C"), ("T-3", "kur", "C"),
    ]
    assert list(RegisterStatusEvent.objects.values_list("language", flat=True)) == ["pes"]
    assert Booking.objects.get(pk=persian.pk).language == "pes"
    assert Booking.objects.get(pk=arabic.pk).language == "ara"

"""The data migration that moves the assignment facts to the language table's codes
(`stats/migrations/*_language_table_codes.py`): run through Django's migration executor on facts
written in the old codes; on PostgreSQL the fact summary still equals the facts afterwards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.stats.test_fact_summary import grouped_facts, summary

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _schema_back_to_the_latest() -> Iterator[None]:
    """The test stops the schema at a migration; later tests need every migration applied."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _node(executor: MigrationExecutor) -> tuple[str, str]:
    # Found by name, not number: migrations may be renumbered when branches are merged.
    return next(key for key in executor.loader.graph.nodes
                if key[0] == "stats" and key[1].endswith("language_table_codes"))


def _migrated_apps(executor: MigrationExecutor, target: tuple[str, str]) -> Any:
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


def test_moves_fas_facts_to_pes_and_keeps_the_summary_right() -> None:
    executor = MigrationExecutor(connection)
    latest = _node(executor)
    before = next(p.key for p in executor.loader.graph.node_map[latest].parents
                  if p.key[0] == "stats")
    apps = _migrated_apps(executor, before)
    AssignmentFact = apps.get_model("stats", "AssignmentFact")
    common = {"source": "import", "provider_org_number": "974760673", "provider_type": "private",
              "modality": "phone", "sector": "health", "municipality": "0301", "county": "03",
              "outcome": "completed", "duration_minutes": 30}
    languages = ["fas", "fas", "per", "pes", "prs", "kur", "ara", "arb"]
    AssignmentFact.objects.bulk_create([
        AssignmentFact(reference=f"r{i}", date=dt.date(2025, 3, 1 + i), language=language,
                       interpreter_category="B", qualified=True, **common)
        for i, language in enumerate(languages)
    ])

    apps = _migrated_apps(executor, latest)
    AssignmentFact = apps.get_model("stats", "AssignmentFact")
    moved = dict(AssignmentFact.objects.values_list("reference", "language"))
    # Persian as `fas` or `per` is Persisk (`pes`), counted with the register's `pes`; Dari stays
    # Dari; `kur` is left for the provider to say which Kurdish; `arb` is Arabic (`ara`).
    assert moved == {"r0": "pes", "r1": "pes", "r2": "pes", "r3": "pes", "r4": "prs",
                     "r5": "kur", "r6": "ara", "r7": "ara"}
    if connection.vendor == "postgresql":
        # The schema of this migration: the record keys (and their sums) came later.
        rows = summary(key_sum=False)
        assert sorted(rows) == sorted(grouped_facts(key_sum=False))
        persian = [row for row in rows if row[1] == "pes"]
        assert sum(row[9] for row in persian) == 4
        assert not [row for row in rows if row[1] in ("fas", "per", "arb")]

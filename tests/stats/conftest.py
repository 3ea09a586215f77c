"""The hand-computed data set of the need report tests (see the comments for every figure)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest

from stats.models import AssignmentFact
from stats.services.imports import assignments_import
from tests import factories
from tests.stats.helpers import MUNICIPAL_ORG, PRIVATE_ORG, STATE_ORG, csv_bytes, fact_row

IN_HOUSE_ORG = "983974899"


def rows(n: int, prefix: str, **values: Any) -> list[dict[str, str]]:
    return [fact_row(reference=f"{prefix}{i}", **values) for i in range(n)]


PRIVATE = {"provider_org_number": PRIVATE_ORG, "provider_type": "private"}
MUNICIPAL = {"provider_org_number": MUNICIPAL_ORG, "provider_type": "municipal"}
STATE = {"provider_org_number": STATE_ORG, "provider_type": "state"}
IN_HOUSE = {"provider_org_number": IN_HOUSE_ORG, "provider_type": "in_house"}
NOT_DONE = {"interpreter_category": "", "duration_minutes": ""}

# 2024, by hand:
#   ara: 10 completed, qualified (A), private, phone, health, Oslo, 60 min, 1000 NOK
#         4 completed, not qualified, private, on-site, welfare, Bergen, 90 min, 1500 NOK
#         2 unfilled, municipal, video, health, Oslo, no cost
#         1 cancelled, municipal, on-site, child welfare, Oslo, 500 NOK (late cancellation)
#   tir:  6 completed, qualified (B), state, video, justice, Trondheim, 30 min, 800 NOK
#         3 completed, not qualified, private, phone, health, no municipality, 40 min, 700 NOK
#   som:  2 completed, qualified (A), in-house, on-site, health, Oslo, 60 min, 1000 NOK
YEAR_2024 = [
    *rows(10, "ara-q-", date="2024-02-01", language="ara", **PRIVATE, modality="phone",
          sector="health", municipality="0301", interpreter_category="A",
          duration_minutes=60, cost_nok="1000"),
    *rows(4, "ara-u-", date="2024-03-01", language="ara", **PRIVATE, modality="onsite",
          sector="welfare", municipality="4601", interpreter_category="",
          duration_minutes=90, cost_nok="1500.00"),
    *rows(2, "ara-f-", date="2024-04-01", language="ara", **MUNICIPAL, modality="video",
          sector="health", municipality="0301", outcome="unfilled", cost_nok="", **NOT_DONE),
    *rows(1, "ara-c-", date="2024-12-31", language="ara", **MUNICIPAL, modality="onsite",
          sector="child_welfare", municipality="0301", outcome="cancelled", cost_nok="500",
          **NOT_DONE),
    *rows(6, "tir-q-", date="2024-05-01", language="tir", **STATE, modality="video",
          sector="justice", municipality="5001", interpreter_category="B",
          duration_minutes=30, cost_nok="800"),
    *rows(3, "tir-u-", date="2024-06-01", language="tir", **PRIVATE, modality="phone",
          sector="health", municipality="", interpreter_category="", duration_minutes=40,
          cost_nok="700"),
    *rows(2, "som-q-", date="2024-01-01", language="som", **IN_HOUSE, modality="onsite",
          sector="health", municipality="0301", interpreter_category="A",
          duration_minutes=60, cost_nok="1000"),
]
# 2023: ara 5 completed qualified, tir 5 completed not qualified; 60 min and 1000 NOK each.
YEAR_2023 = [
    *rows(5, "p-ara-", date="2023-06-01", language="ara", **PRIVATE),
    *rows(5, "p-tir-", date="2023-12-31", language="tir", **PRIVATE, interpreter_category=""),
]
# 2025 (must not leak into 2024): one request.
YEAR_2025 = [fact_row(reference="next", date="2025-01-01", **PRIVATE)]


@pytest.fixture
def facts(db: None, settings: Any) -> None:
    settings.TOLK_COVERAGE_CAPACITY = {"low": 2, "medium": 5, "high": 10}
    result = assignments_import(
        stream=csv_bytes([*YEAR_2024, *YEAR_2023, *YEAR_2025]), file_name="year.csv",
        today=dt.date(2025, 6, 1),
    )
    assert result.ok, result.errors[:5]
    # Register: ara counts I1, I2 and I5 (3); tir I1 (1); som nobody.
    i1 = factories.QualificationFactory(language="ara", valid_from=dt.date(2020, 1, 1)).interpreter
    factories.QualificationFactory(interpreter=i1, language="tir", category="B",
                                   valid_from=dt.date(2019, 1, 1))
    factories.QualificationFactory(language="ara", valid_from=dt.date(2024, 6, 1))  # I2
    factories.QualificationFactory(language="ara", valid_from=dt.date(2010, 1, 1),
                                   valid_to=dt.date(2023, 12, 31))  # I3: ended before 2024
    i4 = factories.QualificationFactory(language="ara").interpreter  # I4: suspended all 2024
    factories.StatusEventFactory(interpreter=i4, valid_from=dt.date(2023, 1, 1), valid_to=None)
    i5 = factories.QualificationFactory(language="ara").interpreter  # I5: suspended in March
    factories.StatusEventFactory(interpreter=i5, valid_from=dt.date(2024, 3, 1),
                                 valid_to=dt.date(2024, 4, 1))


def _facts(language: str, cq: int, cu: int, uf: int, cx: int) -> list[AssignmentFact]:
    made = []
    for outcome, category, n in (("completed", "A", cq), ("completed", "", cu),
                                 ("unfilled", "", uf), ("cancelled", "", cx)):
        made += [
            AssignmentFact(
                source="import", provider_org_number=PRIVATE_ORG, provider_type="private",
                reference=f"{language}-{outcome}-{category}-{i}", date=dt.date(2024, 5, 1),
                language=language, modality="phone", sector="health", municipality="0301",
                county="03", interpreter_category=category, qualified=bool(category),
                outcome=outcome, duration_minutes=60 if outcome == "completed" else None,
                cost_nok=Decimal("100"),
                # Fixed record keys: the protected figures are the same in every run.
                record_key=random.Random(f"{language}-{outcome}-{category}-{i}").randrange(2**31),
            )
            for i in range(n)
        ]
    return made


@pytest.fixture
def tail(db: None) -> None:
    """2024 by language (completed qualified, completed not qualified, unfilled, cancelled):
    ara 40/10/6/5, tir 20/8/5/7, som 12/6/5/5, pol 3/0/0/0; phone, health, Oslo, private."""
    AssignmentFact.objects.bulk_create([
        *_facts("ara", 40, 10, 6, 5), *_facts("tir", 20, 8, 5, 7), *_facts("som", 12, 6, 5, 5),
        *_facts("pol", 3, 0, 0, 0),
    ])

"""Building provider CSV files for the statistics tests."""

from __future__ import annotations

import io
from typing import Any

from stats.services.imports import FACT_COLUMNS

# Valid organisation numbers (MOD11) used as providers in the tests.
PRIVATE_ORG = "974760673"
MUNICIPAL_ORG = "938801363"
STATE_ORG = "971526920"


def fact_row(**overrides: Any) -> dict[str, str]:
    row = {
        "provider_org_number": PRIVATE_ORG,
        "provider_type": "private",
        "reference": "R1",
        "date": "2024-03-01",
        "language": "ara",
        "modality": "phone",
        "sector": "health",
        "municipality": "0301",
        "interpreter_category": "A",
        "outcome": "completed",
        "duration_minutes": "60",
        "cost_nok": "1000.00",
    }
    row.update({key: str(value) for key, value in overrides.items()})
    return row


def csv_bytes(rows: list[dict[str, str]], columns: tuple[str, ...] = FACT_COLUMNS) -> io.BytesIO:
    out = io.StringIO()
    out.write(",".join(columns) + "\n")
    for row in rows:
        out.write(",".join(row.get(column, "") for column in columns) + "\n")
    return io.BytesIO(out.getvalue().encode())

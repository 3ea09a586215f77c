"""Assignment facts shaped like the published national figures, for the demo and the benchmark.

The shape follows IMDi's mappings: one in three assignments in Arabic, the ten largest languages
80 % of all and the rest spread over more than a hundred languages; three quarters delivered by
private providers; qualified shares of about 98 % for state agencies, higher for municipal services
than for private providers, rising year by year; phone about 69 %, on-site 30 %, video 1 %; about
NOK 1,100 per assignment. Generation is vectorised (numpy) and deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from django.db import transaction

from stats.models import AssignmentFact, Source, StatsImport
from stats.services.imports import FACT_COLUMNS
from tolk.reference.languages import is_language_code, offered_languages
from tolk.reference.validators import is_valid_org_number

TOP_LANGUAGES = {
    "ara": 0.33, "tir": 0.10, "som": 0.08, "pol": 0.06, "prs": 0.05,
    "pes": 0.05, "ckb": 0.04, "kmr": 0.03, "pus": 0.03, "urd": 0.03,
}
OTHER_LANGUAGES = (
    "ukr", "rus", "pan", "eng", "spa", "fra", "por", "tha", "vie", "tur", "amh", "orm", "swa",
    "lin", "kin", "ben", "hin", "tam", "sin", "nep", "mya", "khm", "yue", "cmn", "jpn", "kor",
    "ind", "tgl", "ron", "bul", "hrv", "srp", "bos", "sqi", "lit", "lav", "est", "hun", "ces",
    "slk", "slv", "mkd", "ell", "heb", "aze", "kaz", "uzb", "tgk", "kir", "hye", "kat", "che",
    "din", "mfz", "rhg", "nus", "aii", "bal", "lug", "run", "ibo", "yor", "hau", "wol", "ful",
    "mlg", "zul", "xho", "sna", "nya", "bem", "tsn", "sot", "ewe", "twi", "fat", "ach", "luo",
    "kam", "kik", "mas",
)
PROVIDER_TYPES = {"private": 0.75, "municipal": 0.15, "state": 0.06, "in_house": 0.04}
PROVIDERS_PER_TYPE = {"private": 20, "municipal": 15, "state": 8, "in_house": 10}
QUALIFIED_SHARE = {"private": 0.62, "municipal": 0.72, "state": 0.98, "in_house": 0.60}
MODALITIES = {"phone": 0.69, "onsite": 0.30, "video": 0.01}
SECTORS = {"health": 0.40, "welfare": 0.20, "child_welfare": 0.12, "education": 0.10,
           "justice": 0.06, "immigration": 0.07, "other": 0.05}
OUTCOMES = {"completed": 0.92, "cancelled": 0.05, "unfilled": 0.03}
CATEGORIES = {"A": 0.15, "B": 0.20, "C": 0.25, "D": 0.10, "E": 0.30}
MUNICIPALITIES = {
    "0301": 0.26, "4601": 0.08, "5001": 0.06, "1103": 0.05, "3201": 0.04, "3205": 0.04,
    "3301": 0.04, "4204": 0.03, "3107": 0.03, "3105": 0.02, "1108": 0.02, "3203": 0.03,
    "5501": 0.02, "1804": 0.02, "3403": 0.02, "3905": 0.02, "4003": 0.02, "1508": 0.02,
    "3103": 0.02, "4203": 0.02, "1106": 0.02, "3907": 0.02, "5601": 0.01, "": 0.05,
    "3303": 0.01, "3405": 0.01,
}
MEAN_MINUTES = {"phone": 35, "onsite": 75, "video": 50}
NOK_PER_MINUTE = {"phone": 20.0, "onsite": 17.0, "video": 18.0}
TRAVEL_NOK = {"phone": 0.0, "onsite": 450.0, "video": 0.0}
# Each year a little more is done by qualified interpreters.
QUALIFIED_TREND_PER_YEAR = 0.02
DEMO_YEARS = (2022, 2023, 2024, 2025)
DEMO_ROWS_PER_YEAR = {2022: 6100, 2023: 6700, 2024: 8900, 2025: 9300}


def _normalised(weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    keys = np.array(list(weights))
    p = np.array(list(weights.values()), dtype=float)
    return keys, p / p.sum()


def languages() -> dict[str, float]:
    """The ten largest languages with their shares and the rest falling off like Zipf's law, all
    in the language table's codes (the tail filled up from the languages it offers)."""
    others = [code for code in OTHER_LANGUAGES if is_language_code(code)]
    extra = [c for c in offered_languages() if c not in others and c not in TOP_LANGUAGES]
    others += extra[: max(0, 112 - len(others))]
    tail = 1.0 / np.arange(4, len(others) + 4) ** 1.1
    tail = tail / tail.sum() * (1.0 - sum(TOP_LANGUAGES.values()))
    return {**TOP_LANGUAGES, **dict(zip(others, tail.tolist(), strict=True))}


def org_numbers(n: int, *, start: int) -> list[str]:
    """`n` valid organisation numbers (MOD11) from a deterministic sequence."""
    found: list[str] = []
    candidate = start
    while len(found) < n:
        if is_valid_org_number(str(candidate)):
            found.append(str(candidate))
        candidate += 7
    return found


def providers() -> dict[str, list[str]]:
    return {
        kind: org_numbers(count, start=800_000_000 + 10_000_000 * i)
        for i, (kind, count) in enumerate(PROVIDERS_PER_TYPE.items())
    }


def national_chunk(
    rng: np.random.Generator, *, year: int, first: int, rows: int,
    provider_numbers: dict[str, list[str]], language_weights: dict[str, float],
) -> pd.DataFrame:
    """`rows` facts of `year` as the provider file's string columns (FACT_COLUMNS)."""
    def pick(weights: dict[str, float]) -> np.ndarray:
        keys, p = _normalised(weights)
        return rng.choice(keys, size=rows, p=p)

    kind = pick(PROVIDER_TYPES)
    org = np.empty(rows, dtype=object)
    for name, numbers in provider_numbers.items():
        mask = kind == name
        org[mask] = rng.choice(np.array(numbers), size=int(mask.sum()))
    modality = pick(MODALITIES)
    outcome = pick(OUTCOMES)
    trend = QUALIFIED_TREND_PER_YEAR * (year - 2022)
    share = np.vectorize(QUALIFIED_SHARE.get)(kind) + trend
    qualified = (rng.random(rows) < np.minimum(share, 0.995)) & (outcome == "completed")
    categories, p_categories = _normalised(CATEGORIES)
    category = np.where(qualified, rng.choice(categories, size=rows, p=p_categories), "")
    mean = np.vectorize(MEAN_MINUTES.get)(modality).astype(float)
    minutes = np.maximum(15, np.round(rng.gamma(4.0, mean / 4.0) / 5) * 5).astype(int)
    completed = outcome == "completed"
    cost = minutes * np.vectorize(NOK_PER_MINUTE.get)(modality) + np.vectorize(
        TRAVEL_NOK.get)(modality)
    late_fee = (outcome == "cancelled") & (rng.random(rows) < 0.4)
    cost = np.where(completed, cost, np.where(late_fee, cost * 0.5, np.nan))
    days = 366 if year % 4 == 0 else 365
    start = np.datetime64(f"{year}-01-01")
    dates = (start + rng.integers(0, days, size=rows).astype("timedelta64[D]")).astype(str)
    frame = pd.DataFrame({
        "provider_org_number": org,
        "provider_type": kind,
        "reference": [f"{year}-{i:07d}" for i in range(first, first + rows)],
        "date": dates,
        "language": pick(language_weights),
        "modality": modality,
        "sector": pick(SECTORS),
        "municipality": pick(MUNICIPALITIES),
        "interpreter_category": category,
        "outcome": outcome,
        "duration_minutes": np.where(completed, minutes.astype(str), ""),
        "cost_nok": [f"{c:.2f}" if c == c else "" for c in cost.tolist()],
    })
    return frame[list(FACT_COLUMNS)]


def national_chunks(
    *, year: int, rows: int, seed: int = 2017, chunk_rows: int = 50_000
) -> Iterator[pd.DataFrame]:
    rng = np.random.default_rng(seed + year)
    numbers, weights = providers(), languages()
    for first in range(0, rows, chunk_rows):
        yield national_chunk(rng, year=year, first=first, rows=min(chunk_rows, rows - first),
                             provider_numbers=numbers, language_weights=weights)


def write_national_csv(path: Path, *, year: int, rows: int, seed: int = 2017) -> None:
    """A provider file of `rows` requests in `year`, written chunk by chunk."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(FACT_COLUMNS) + "\n")
        for chunk in national_chunks(year=year, rows=rows, seed=seed):
            chunk.to_csv(out, header=False, index=False, lineterminator="\n")


def _facts(chunk: pd.DataFrame, stats_import: StatsImport) -> list[AssignmentFact]:
    records = chunk.to_dict("records")
    return [
        AssignmentFact(
            source=Source.IMPORT, provider_org_number=r["provider_org_number"],
            provider_type=r["provider_type"], reference=r["reference"],
            date=dt.date.fromisoformat(r["date"]), language=r["language"],
            modality=r["modality"], sector=r["sector"], municipality=r["municipality"],
            county=r["municipality"][:2], interpreter_category=r["interpreter_category"],
            qualified=bool(r["interpreter_category"]), outcome=r["outcome"],
            duration_minutes=int(r["duration_minutes"]) if r["duration_minutes"] else None,
            cost_nok=r["cost_nok"] or None, stats_import=stats_import,
        )
        for r in records
    ]


def seed(
    *, today: dt.date, progress: Callable[[str], None] = lambda _msg: None
) -> dict[str, int]:
    """Facts for the demo years (a national picture scaled down about 150 times), one provider
    file per year, and the unsuppressed-report permission for the demo analyst."""
    from django.contrib.auth.models import Permission

    from booking.models import User

    made = 0
    with transaction.atomic():
        for year in DEMO_YEARS:
            if year > today.year:
                continue
            progress(f"statistics {year}")
            rows = DEMO_ROWS_PER_YEAR[year]
            record = StatsImport.objects.create(
                file_name=f"demo-national-{year}.csv", rows=rows, added=rows, changed=0,
                unchanged=0,
            )
            for chunk in national_chunks(year=year, rows=rows, chunk_rows=5000):
                if year == today.year:
                    chunk = chunk.loc[pd.to_datetime(chunk["date"]).dt.date <= today]
                AssignmentFact.objects.bulk_create(_facts(chunk, record), batch_size=2000)
                made += len(chunk)
        analyst = User.objects.filter(username="analyst").first()
        if analyst is not None:
            analyst.user_permissions.add(
                Permission.objects.get(codename="view_unsuppressed",
                                       content_type__app_label="stats")
            )
    return {"assignment_facts": made}

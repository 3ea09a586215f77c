"""Deterministic demo data: a register of about 2,200 interpreters in about 70 languages, a few
organisations with units, and one login per role. Used by `manage.py seed_demo` (and so by
`make run`).

The register is generated as a register CSV file and loaded through the real import, so the demo
register is exactly what an import of such a file would give.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from booking.models import (
    Interpreter,
    Organisation,
    OrganisationKind,
    ProviderType,
    RegisterStatusEvent,
    Role,
    Sector,
    StatusEventKind,
    Unit,
    User,
)
from booking.register.services import REGISTER_COLUMNS, register_import
from tolk.reference.validators import is_valid_org_number

DEMO_PASSWORD = "demo"  # noqa: S105 - the documented demo logins
SEED = 20261123
INTERPRETER_COUNT = 2200

# Relative demand per language, shaped like IMDi's published figures: the twelve most requested
# languages carry most of the register, then a long tail. Codes are the language table's
# (`tolk.reference.languages`): Persian is `pes`, as in the bookings and the statistics.
LANGUAGE_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("ara", 190), ("tir", 150), ("som", 130), ("pol", 110), ("prs", 100), ("pes", 90),
    ("ckb", 70), ("kmr", 60), ("pus", 55), ("urd", 55), ("ukr", 120), ("rus", 80),
    ("lit", 35), ("ron", 30), ("tha", 30), ("vie", 30), ("tur", 30), ("spa", 30),
    ("fra", 30), ("por", 20), ("eng", 30), ("amh", 30), ("orm", 20), ("swa", 20),
    ("mya", 15), ("cmn", 20), ("yue", 8), ("tam", 15), ("bos", 15), ("srp", 12),
    ("hrv", 10), ("sqi", 20), ("hun", 10), ("lav", 10), ("est", 6), ("bul", 10),
    ("ces", 8), ("slk", 8), ("deu", 15), ("ita", 10), ("ell", 6), ("hin", 10),
    ("pan", 10), ("ben", 8), ("nep", 8), ("tgl", 15), ("ind", 6), ("zsm", 4),
    ("jpn", 5), ("kor", 5), ("mon", 6), ("uzb", 5), ("tgk", 4), ("kat", 6),
    ("hye", 5), ("aze", 6), ("che", 10), ("kin", 8), ("run", 5), ("lin", 6),
    ("lug", 4), ("wol", 4), ("hau", 4), ("yor", 5), ("sin", 6), ("khm", 5),
    ("ksw", 8), ("cnh", 6), ("rhg", 6), ("heb", 4), ("fin", 6), ("sme", 8),
    ("din", 5), ("tig", 5), ("lao", 4), ("slv", 4), ("ful", 4), ("twi", 4), ("fat", 4),
    ("nus", 5), ("mlg", 4), ("sdh", 4), ("haz", 4),
)
# Category mix of the register (A state-authorised with education ... E passed ToSPoT).
CATEGORY_WEIGHTS = (("A", 9), ("B", 11), ("C", 10), ("D", 27), ("E", 43))
MUNICIPALITY_WEIGHTS = (
    ("0301", 42), ("4601", 9), ("5001", 7), ("1103", 6), ("3301", 4), ("4204", 3),
    ("3201", 4), ("3203", 2), ("3205", 3), ("3107", 2), ("3105", 1), ("5501", 2),
    ("1108", 2), ("3905", 1), ("4003", 1), ("3403", 1), ("1804", 1), ("1508", 1),
    ("3907", 1), ("4203", 1),
)
AVAILABILITY_WEIGHTS = (("full_time", 15), ("part_time", 40), ("sporadic", 45))

# Name pools by region, so that names look plausible for the language.
_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # region: (female given names, male given names, family names)
    "arab": (
        ("Amal", "Fatima", "Layla", "Nour", "Rania", "Samira", "Huda", "Yasmin", "Mariam"),
        ("Ahmed", "Omar", "Khalid", "Youssef", "Hassan", "Karim", "Samir", "Tariq", "Bilal"),
        ("Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Aziz", "Hamdan", "Rahman", "Jaber"),
    ),
    "horn": (
        ("Selam", "Hiwet", "Amina", "Ifrah", "Saba", "Helen", "Ruth", "Hodan", "Meron"),
        ("Yonas", "Dawit", "Abdi", "Mohamed", "Tesfay", "Mahad", "Samuel", "Bereket", "Ali"),
        ("Tesfamariam", "Ghebre", "Warsame", "Hassan", "Kidane", "Abdullahi", "Haile", "Osman"),
    ),
    "persian": (
        ("Shirin", "Parisa", "Zahra", "Nilufar", "Maryam", "Roya", "Soraya", "Leila", "Mahnaz"),
        ("Reza", "Farid", "Ali", "Mehdi", "Hamid", "Javad", "Ahmad", "Sohrab", "Nader"),
        ("Karimi", "Hosseini", "Ahmadi", "Rahimi", "Mohammadi", "Rezaei", "Sadeghi", "Azizi"),
    ),
    "kurdish": (
        ("Avin", "Dilan", "Rojin", "Shilan", "Berfin", "Hêvî", "Jiyan", "Narin"),
        ("Aram", "Baran", "Dara", "Kawa", "Rebwar", "Soran", "Zana", "Hiwa"),
        ("Mustafa", "Barzani", "Ahmed", "Rashid", "Kurdi", "Salih", "Tahir", "Amin"),
    ),
    "slavic": (
        ("Anna", "Olena", "Katarzyna", "Natalia", "Iryna", "Agnieszka", "Marija", "Svetlana"),
        ("Piotr", "Oleksandr", "Tomasz", "Dmitrij", "Andrij", "Marek", "Ivan", "Serhij"),
        ("Kowalska", "Shevchenko", "Nowak", "Ivanova", "Kovalenko", "Wiśniewski", "Petrov"),
    ),
    "south_asia": (
        ("Ayesha", "Priya", "Sana", "Nasrin", "Anjali", "Farzana", "Kiran", "Meena"),
        ("Imran", "Rahul", "Faisal", "Arjun", "Tariq", "Sanjay", "Kamal", "Zubair"),
        ("Khan", "Sharma", "Hussain", "Singh", "Chaudhry", "Rahman", "Patel", "Iqbal"),
    ),
    "east_asia": (
        ("Mai", "Linh", "Suda", "Wei", "Hana", "Min-ji", "Thida", "Aye"),
        ("Minh", "Somchai", "Jun", "Hiroshi", "Tuan", "Kyaw", "Bao", "Sokha"),
        ("Nguyen", "Tran", "Chen", "Wang", "Srisai", "Kim", "Tanaka", "Win"),
    ),
    "africa": (
        ("Grace", "Aminata", "Esther", "Chantal", "Fatou", "Blessing", "Aline", "Mercy"),
        ("Jean", "Emmanuel", "Moussa", "Patrick", "Kwame", "Ibrahim", "David", "Eric"),
        ("Mugisha", "Diallo", "Okafor", "Mensah", "Habimana", "Ndiaye", "Adeyemi", "Deng"),
    ),
    "europe": (
        ("Maria", "Ana", "Sofia", "Elena", "Laura", "Ingrid", "Camille", "Eva"),
        ("José", "Luca", "Pierre", "Andrei", "Mehmet", "Thomas", "Jonas", "Nikos"),
        ("García", "Rossi", "Martin", "Popescu", "Yılmaz", "Müller", "Kazlauskas", "Nagy"),
    ),
    "nordic": (
        ("Kari", "Ingrid", "Sara", "Ellen", "Aino", "Máret", "Liv", "Siri"),
        ("Ola", "Nils", "Mikkel", "Juhani", "Aslak", "Per", "Lars", "Ante"),
        ("Hansen", "Somby", "Eira", "Virtanen", "Olsen", "Guttorm", "Berg", "Turi"),
    ),
}
_REGION = {
    **dict.fromkeys(("ara", "heb"), "arab"),
    **dict.fromkeys(("tir", "som", "amh", "orm", "tig", "din"), "horn"),
    **dict.fromkeys(("prs", "pes", "haz", "pus", "tgk", "uzb", "aze"), "persian"),
    **dict.fromkeys(("ckb", "kmr", "sdh"), "kurdish"),
    **dict.fromkeys(
        ("pol", "ukr", "rus", "lit", "lav", "est", "bos", "srp", "hrv", "bul", "ces", "slk",
         "che", "kat", "hye", "mon"),
        "slavic",
    ),
    **dict.fromkeys(("urd", "hin", "pan", "ben", "nep", "tam", "sin", "rhg"), "south_asia"),
    **dict.fromkeys(
        ("tha", "vie", "mya", "cmn", "yue", "jpn", "kor", "khm", "lao", "ksw", "cnh", "tgl",
         "ind", "zsm"),
        "east_asia",
    ),
    **dict.fromkeys(
        ("swa", "kin", "run", "lin", "lug", "wol", "hau", "yor", "ful", "twi", "fat", "mlg"),
        "africa",
    ),
    **dict.fromkeys(("nus",), "horn"),
    **dict.fromkeys(("fin", "sme"), "nordic"),
}


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    name: str
    kind: str
    municipality: str
    provider_type: str = ""
    units: tuple[tuple[str, str, str], ...] = ()  # (name, sector, municipality)


DEMO_ORGANISATIONS: tuple[DemoOrganisation, ...] = (
    DemoOrganisation(
        "oslo", "Oslo kommune", OrganisationKind.MUNICIPALITY, "0301",
        units=(
            ("NAV Grünerløkka", Sector.WELFARE, "0301"),
            ("Barneverntjenesten i bydel Gamle Oslo", Sector.CHILD_WELFARE, "0301"),
            ("Helsestasjonen Tøyen", Sector.HEALTH, "0301"),
            ("Tøyen skole", Sector.EDUCATION, "0301"),
            ("Legevakten Oslo", Sector.HEALTH, "0301"),
        ),
    ),
    DemoOrganisation(
        "bergen", "Bergen kommune", OrganisationKind.MUNICIPALITY, "4601",
        units=(
            ("NAV Årstad", Sector.WELFARE, "4601"),
            ("Barnevernet Bergenhus", Sector.CHILD_WELFARE, "4601"),
            ("Bergen legevakt", Sector.HEALTH, "4601"),
        ),
    ),
    DemoOrganisation(
        "trondheim", "Trondheim kommune", OrganisationKind.MUNICIPALITY, "5001",
        units=(
            ("NAV Falkenborg", Sector.WELFARE, "5001"),
            ("Trondheim voksenopplæring", Sector.EDUCATION, "5001"),
        ),
    ),
    DemoOrganisation(
        "tolketjenesten", "Tolketjenesten Oslo kommune", OrganisationKind.MUNICIPAL_SERVICE,
        "0301", provider_type=ProviderType.MUNICIPAL,
    ),
    DemoOrganisation(
        "nordisk", "Nordisk Tolkeformidling AS", OrganisationKind.PRIVATE_PROVIDER, "4601",
        provider_type=ProviderType.PRIVATE,
    ),
    DemoOrganisation(
        "udi", "Utlendingsdirektoratet", OrganisationKind.STATE_AGENCY, "0301",
        provider_type=ProviderType.STATE,
        units=(("Asylavdelingen", Sector.IMMIGRATION, "0301"),),
    ),
    DemoOrganisation(
        "imdi", "Integrerings- og mangfoldsdirektoratet", OrganisationKind.STATE_AGENCY, "0301",
    ),
)

DEMO_INTERPRETER_NUMBER = "T-10001"


def org_number_for(index: int) -> str:
    """A deterministic, MOD11-valid nine-digit organisation number for demo organisation `index`."""
    base = 920_000_000 + index * 7919
    while not is_valid_org_number(str(base)):
        base += 1
    return str(base)


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def register_csv(*, count: int = INTERPRETER_COUNT, seed: int = SEED, today: dt.date) -> str:
    """The demo register as a register CSV file (one row per interpreter and language)."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REGISTER_COLUMNS)
    for n in range(count):
        number = f"T-{10001 + n}"
        if n == 0:
            languages, gender, municipality = ["ara", "tir"], "female", "0301"
            categories = {"ara": "A", "tir": "B"}
            availability, modalities = "full_time", "onsite|video|phone"
        else:
            first = _pick(rng, LANGUAGE_WEIGHTS)
            languages = [first]
            if rng.random() < 0.16:
                second = _pick(rng, LANGUAGE_WEIGHTS)
                if second != first:
                    languages.append(second)
            gender = rng.choices(("female", "male", "other"), weights=(55, 44, 1))[0]
            municipality = _pick(rng, MUNICIPALITY_WEIGHTS)
            categories = {lang: _pick(rng, CATEGORY_WEIGHTS) for lang in languages}
            availability = _pick(rng, AVAILABILITY_WEIGHTS)
            modalities = rng.choices(
                ("onsite|video|phone", "onsite|video", "video|phone", "onsite", "phone"),
                weights=(60, 15, 15, 6, 4),
            )[0]
        females, males, families = _NAMES[_REGION.get(languages[0], "europe")]
        given = rng.choice(males if gender == "male" else females)
        family = rng.choice(families)
        email = f"{number.lower()}@tolk.example.no"
        phone = f"+47 9{rng.randrange(1000000, 9999999)}"
        police = (
            (today + dt.timedelta(days=rng.randrange(-200, 1500))).isoformat()
            if rng.random() < 0.7 else ""
        )
        for lang in languages:
            category = categories[lang]
            # Categories A–C are lasting; D and E entries are time-limited in the register.
            valid_from = today - dt.timedelta(days=rng.randrange(60, 3650))
            valid_to = (
                "" if category in "ABC" else
                (today + dt.timedelta(days=rng.randrange(-120, 1800))).isoformat()
            )
            writer.writerow([
                number, given, family, gender, municipality, availability, modalities, email,
                phone, lang, category, valid_from.isoformat(), valid_to, "active", police,
            ])
    return out.getvalue()


def _status_events(*, rng: random.Random, today: dt.date) -> int:
    """A few warnings, suspensions and exclusions, as the supervisory board decides each year."""
    numbers = list(
        Interpreter.objects.exclude(register_number=DEMO_INTERPRETER_NUMBER)
        .order_by("register_number").values_list("id", flat=True)
    )
    chosen = rng.sample(numbers, k=min(len(numbers), 40))
    events = []
    for i, interpreter_id in enumerate(chosen):
        if i < 20:
            kind, frm, to = StatusEventKind.WARNING, today - dt.timedelta(days=90 + i), None
        elif i < 32:
            frm = today - dt.timedelta(days=20 + i)
            kind, to = StatusEventKind.SUSPENSION, frm + dt.timedelta(days=180)
        elif i < 38:
            kind, frm, to = StatusEventKind.EXCLUSION, today - dt.timedelta(days=300 + i), None
        else:
            kind, frm, to = StatusEventKind.REVOCATION, today - dt.timedelta(days=400 + i), None
        events.append(RegisterStatusEvent(
            interpreter_id=interpreter_id, kind=kind, valid_from=frm, valid_to=to,
            reason="Vedtak i Tilsynsrådet for tolker (demo).",
        ))
    RegisterStatusEvent.objects.bulk_create(events)
    return len(events)


def _organisations() -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    for index, spec in enumerate(DEMO_ORGANISATIONS, start=1):
        org = Organisation.objects.create(
            org_number=org_number_for(index), name=spec.name, kind=spec.kind,
            provider_type=spec.provider_type, municipality=spec.municipality,
        )
        for name, sector, municipality in spec.units:
            Unit.objects.create(
                organisation=org, name=name, sector=sector, municipality=municipality
            )
        orgs[spec.key] = org
    return orgs


def _users(orgs: dict[str, Organisation]) -> list[User]:
    nav = Unit.objects.get(organisation=orgs["oslo"], name="NAV Grünerløkka")
    interpreter = Interpreter.objects.get(register_number=DEMO_INTERPRETER_NUMBER)
    specs: list[dict[str, object]] = [
        {"username": "booker", "role": Role.BOOKER, "organisation": orgs["oslo"], "unit": nav,
         "first_name": "Berit", "last_name": "Bestiller"},
        {"username": "coordinator", "role": Role.COORDINATOR,
         "organisation": orgs["tolketjenesten"], "first_name": "Kåre",
         "last_name": "Koordinator"},
        {"username": "interpreter", "role": Role.INTERPRETER, "interpreter": interpreter,
         "first_name": interpreter.given_name, "last_name": interpreter.family_name},
        {"username": "analyst", "role": Role.ANALYST, "organisation": orgs["imdi"],
         "first_name": "Anne", "last_name": "Analytiker"},
        {"username": "admin", "role": Role.ADMIN, "is_staff": True, "is_superuser": True,
         "first_name": "Ada", "last_name": "Administrator"},
    ]
    users = []
    for spec in specs:
        user = User(email=f"{spec['username']}@tolk.example.no", **spec)
        user.set_password(DEMO_PASSWORD)
        user.save()
        users.append(user)
    return users


def database_is_empty() -> bool:
    return not (User.objects.exists() or Interpreter.objects.exists())


@transaction.atomic
def seed_demo(
    *, today: dt.date, progress: Callable[[str], None] = lambda _msg: None,
    count: int = INTERPRETER_COUNT,
) -> dict[str, int]:
    """Load the demo data into an empty database. Returns what was created."""
    progress("register")
    result = register_import(
        stream=io.StringIO(register_csv(count=count, today=today)),
        file_name="demo-register.csv", today=today,
    )
    if not result.ok:  # the generator and the import disagree: a programming error
        raise RuntimeError(f"demo register did not import: {result.errors[:3]}")
    rng = random.Random(SEED + 1)  # noqa: S311 - demo data, not security
    status_events = _status_events(rng=rng, today=today)
    progress("organisations")
    orgs = _organisations()
    progress("users")
    users = _users(orgs)
    return {
        "interpreters": Interpreter.objects.count(),
        "register_entries": result.added,
        "status_events": status_events,
        "organisations": len(orgs),
        "users": len(users),
    }

"""Writes to the National Register of Interpreters: the CSV import.

The import is all-or-nothing: every row is validated first and every problem is reported with its
line and column; only a file without problems is applied, inside one transaction. It is idempotent,
keyed by (register number, language): importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.models import (
    Availability,
    Category,
    EntryStatus,
    Gender,
    Interpreter,
    Modality,
    Qualification,
    RegisterImport,
    RegisterStatusEvent,
    StatusEventKind,
    User,
)
from tolk.csvimport import (
    RowError,
    csv_error,
    encoding_error,
    no_rows_error,
    nul_errors,
    read_header,
    text_stream,
)
from tolk.reference.geo import county_of
from tolk.reference.languages import language_resolve
from tolk.reference.validators import is_valid_municipality

REGISTER_COLUMNS = (
    "register_number",
    "given_name",
    "family_name",
    "gender",
    "municipality",
    "availability",
    "modalities",
    "email",
    "phone",
    "language",
    "category",
    "valid_from",
    "valid_to",
    "status",
    "police_certificate_valid_until",
)
# Columns that describe the interpreter (the same on every row of one register number) as opposed
# to the register entry for one language.
PERSON_COLUMNS = (
    "given_name",
    "family_name",
    "gender",
    "municipality",
    "availability",
    "modalities",
    "email",
    "phone",
    "police_certificate_valid_until",
)
STATUS_EVENT_FOR = {
    EntryStatus.SUSPENDED: StatusEventKind.SUSPENSION,
    EntryStatus.EXCLUDED: StatusEventKind.EXCLUSION,
    EntryStatus.REVOKED: StatusEventKind.REVOCATION,
}
MAX_ROWS = 200_000


@dataclass
class ParsedRow:
    line: int
    register_number: str
    person: dict[str, Any]
    language: str
    category: str
    valid_from: dt.date
    valid_to: dt.date | None
    status: str


@dataclass
class RegisterImportResult:
    file_name: str
    rows: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    newly_suspended: list[dict[str, str]] = field(default_factory=list)
    newly_excluded: list[dict[str, str]] = field(default_factory=list)
    newly_revoked: list[dict[str, str]] = field(default_factory=list)
    reinstated: list[dict[str, str]] = field(default_factory=list)
    # The changed interpreters' pending offers and future assignments that no longer pass the
    # rules on their date (booking.dispatch.services.recheck).
    reopened_assignments: int = 0
    withdrawn_offers: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data

    def summary(self) -> str:
        if not self.ok:
            return (
                f"{self.file_name}: {len(self.errors)} problem(s) in {self.rows} rows; "
                "nothing was imported"
            )
        return (
            f"{self.file_name}: {self.rows} rows, {self.added} added, {self.changed} changed, "
            f"{self.unchanged} unchanged, {len(self.newly_suspended)} newly suspended, "
            f"{len(self.newly_excluded)} newly excluded, {len(self.newly_revoked)} newly revoked, "
            f"{self.reopened_assignments} assignments reopened, {self.withdrawn_offers} offers "
            "withdrawn"
        )


class _RowParser:
    """Validates one CSV row at a time and collects every problem."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors

    def _err(self, line: int, column: str, code: str, reason: str) -> None:
        self.errors.append(RowError(line=line, column=column, code=code, reason=reason))

    def _date(self, line: int, column: str, value: str, *, required: bool) -> dt.date | None:
        if not value:
            if required:
                self._err(line, column, "required", _("A date (YYYY-MM-DD) is required."))
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self._err(line, column, "invalid_date",
                      _("'%(value)s' is not a date (YYYY-MM-DD).") % {"value": value})
            return None

    def _choice(self, line: int, column: str, value: str, allowed: Iterable[str]) -> str:
        allowed = list(allowed)
        if value not in allowed:
            self._err(
                line, column, "invalid_choice",
                _("'%(value)s' is not one of: %(allowed)s.")
                % {"value": value, "allowed": ", ".join(allowed)},
            )
        return value

    def parse(self, line: int, raw: dict[str, str]) -> ParsedRow | None:
        before = len(self.errors)
        row = {key: (raw.get(key) or "").strip() for key in REGISTER_COLUMNS}
        # No database text can hold a NUL character (PostgreSQL refuses it).
        for error in nul_errors(line, row.items()):
            self.errors.append(error)
            row[error.column] = row[error.column].replace("\x00", "")
        for column in ("register_number", "given_name", "family_name", "language"):
            if not row[column]:
                self._err(line, column, "required", _("This column must have a value."))
        number = row["register_number"]
        if number and (len(number) > 16 or not number.replace("-", "").isalnum()):
            self._err(line, "register_number", "invalid_register_number",
                      _("A register number has at most 16 letters, digits or hyphens."))
        for column in ("given_name", "family_name"):
            if len(row[column]) > 100:
                self._err(line, column, "too_long", _("At most %(n)s characters.") % {"n": 100})
        self._choice(line, "gender", row["gender"], Gender.values)
        if not is_valid_municipality(row["municipality"]):
            self._err(line, "municipality", "invalid_municipality",
                      _("'%(value)s' is not a four-digit municipality number.")
                      % {"value": row["municipality"]})
        self._choice(line, "availability", row["availability"], Availability.values)
        modalities = [m for m in row["modalities"].split("|") if m]
        if not modalities:
            self._err(line, "modalities", "required",
                      _("At least one of onsite|video|phone is required."))
        for modality in modalities:
            self._choice(line, "modalities", modality, Modality.values)
        if row["email"]:
            try:
                validate_email(row["email"])
            except ValidationError:
                self._err(line, "email", "invalid_email",
                          _("'%(value)s' is not an e-mail address.") % {"value": row["email"]})
        if len(row["phone"]) > 32:
            self._err(line, "phone", "too_long", _("At most %(n)s characters.") % {"n": 32})
        if row["language"]:
            # Stored as the language table's code: `fas` or `per` is Persisk (`pes`).
            match = language_resolve(row["language"])
            if match.code is None:
                self._err(line, "language", match.error, match.reason())
            else:
                row["language"] = match.code
        self._choice(line, "category", row["category"], Category.values)
        valid_from = self._date(line, "valid_from", row["valid_from"], required=True)
        valid_to = self._date(line, "valid_to", row["valid_to"], required=False)
        if valid_from and valid_to and valid_to < valid_from:
            self._err(line, "valid_to", "period_reversed", _("valid_to is before valid_from."))
        self._choice(line, "status", row["status"], EntryStatus.values)
        police = self._date(
            line, "police_certificate_valid_until", row["police_certificate_valid_until"],
            required=False,
        )
        if len(self.errors) > before or valid_from is None:
            return None
        person = {
            "given_name": row["given_name"],
            "family_name": row["family_name"],
            "gender": row["gender"],
            "municipality": row["municipality"],
            "availability": row["availability"],
            "offers_onsite": Modality.ONSITE in modalities,
            "offers_video": Modality.VIDEO in modalities,
            "offers_phone": Modality.PHONE in modalities,
            "email": row["email"],
            "phone": row["phone"],
            "police_certificate_valid_until": police,
        }
        return ParsedRow(
            line=line,
            register_number=number,
            person=person,
            language=row["language"],
            category=row["category"],
            valid_from=valid_from,
            valid_to=valid_to,
            status=row["status"],
        )


def register_file_parse(
    *, stream: IO[bytes] | IO[str], result: RegisterImportResult
) -> list[ParsedRow]:
    """Validate a register CSV. Fills `result.errors` and returns the parsed rows."""
    errors = result.errors
    with text_stream(stream) as text:
        try:
            header = read_header(text, columns=REGISTER_COLUMNS)
        except UnicodeDecodeError as exc:
            errors.append(encoding_error(1, exc))
            return []
        if isinstance(header, RowError):
            errors.append(header)
            return []
        return _rows_parse(csv.DictReader(text, fieldnames=header), result)


def _rows_parse(reader: csv.DictReader[str], result: RegisterImportResult) -> list[ParsedRow]:
    """Every data row of `reader` (the header already read: a row's file line is the reader's
    line count plus one)."""
    errors = result.errors
    parser = _RowParser(errors)
    rows: list[ParsedRow] = []
    seen_entries: dict[tuple[str, str], int] = {}
    person_of: dict[str, ParsedRow] = {}
    try:
        for raw in reader:
            line = reader.line_num + 1
            result.rows += 1
            if result.rows > MAX_ROWS:
                errors.append(RowError(line, "", "too_many_rows",
                                       _("A file may hold at most %(n)s rows.") % {"n": MAX_ROWS}))
                break
            if None in raw:
                errors.append(RowError(line, "", "too_many_fields",
                                       _("The row has more fields than the header.")))
                continue
            parsed = parser.parse(line, raw)
            if parsed is None:
                continue
            key = (parsed.register_number, parsed.language)
            if key in seen_entries:
                errors.append(RowError(
                    line, "language", "duplicate_entry",
                    _("Register number %(number)s and language %(language)s already appear on "
                      "line %(line)s.")
                    % {"number": key[0], "language": key[1], "line": seen_entries[key]},
                ))
                continue
            seen_entries[key] = line
            first = person_of.setdefault(parsed.register_number, parsed)
            for column, value in parsed.person.items():
                if first.person[column] != value:
                    label = column if column in PERSON_COLUMNS else "modalities"
                    errors.append(RowError(
                        line, label, "inconsistent_person",
                        _("Differs from line %(line)s for register number %(number)s; a "
                          "person's details must be the same on every row.")
                        % {"line": first.line, "number": parsed.register_number},
                    ))
                    break
            rows.append(parsed)
    except UnicodeDecodeError as exc:
        errors.append(encoding_error(reader.line_num + 2, exc))
    except csv.Error as exc:
        # The reader counts a line once it is read whole: the bad one is the next.
        errors.append(csv_error(reader.line_num + 2, exc))
    if result.rows == 0 and not errors:
        errors.append(no_rows_error())
    return rows


def _status_change(
    *,
    interpreter: Interpreter,
    language: str,
    old: str,
    new: str,
    today: dt.date,
    result: RegisterImportResult,
    events: list[RegisterStatusEvent],
) -> None:
    """Record the register's status change for one entry as history (status events)."""
    if old == new:
        return
    # Close whatever blocking event is open for this entry.
    yesterday = today - dt.timedelta(days=1)
    for event in RegisterStatusEvent.objects.filter(
        interpreter=interpreter, language=language, valid_to__isnull=True,
        kind__in=list(STATUS_EVENT_FOR.values()),
    ):
        event.valid_to = max(event.valid_from, yesterday)
        event.save(update_fields=["valid_to"])
    entry = {"register_number": interpreter.register_number, "language": language}
    if new == EntryStatus.ACTIVE:
        result.reinstated.append(entry)
        return
    events.append(RegisterStatusEvent(
        interpreter=interpreter, language=language, kind=STATUS_EVENT_FOR[EntryStatus(new)],
        valid_from=today, reason="register import",
    ))
    {
        EntryStatus.SUSPENDED: result.newly_suspended,
        EntryStatus.EXCLUDED: result.newly_excluded,
        EntryStatus.REVOKED: result.newly_revoked,
    }[EntryStatus(new)].append(entry)


def _person_wanted(row: ParsedRow) -> dict[str, Any]:
    return {**row.person, "county": county_of(row.person["municipality"])}


def _entry_wanted(row: ParsedRow) -> dict[str, Any]:
    return {"category": row.category, "valid_from": row.valid_from, "valid_to": row.valid_to,
            "status": row.status}


def _differs(obj: object, wanted: dict[str, Any]) -> bool:
    return any(getattr(obj, key) != value for key, value in wanted.items())


def _planned_changes(rows: list[ParsedRow]) -> set[int]:
    """The ids of existing interpreters the file changes, read without locks (so their bookings
    can be locked before the interpreters, in the lock order)."""
    numbers = {row.register_number for row in rows}
    people = {
        i.register_number: i for i in Interpreter.objects.filter(register_number__in=numbers)
    }
    entries = {
        (q.interpreter.register_number, q.language): q
        for q in Qualification.objects.select_related("interpreter").filter(
            interpreter__register_number__in=numbers
        )
    }
    changed: set[int] = set()
    for row in rows:
        person = people.get(row.register_number)
        if person is None:
            continue  # new in the register: no work handed out yet
        entry = entries.get((row.register_number, row.language))
        if (_differs(person, _person_wanted(row)) or entry is None
                or _differs(entry, _entry_wanted(row))):
            changed.add(person.pk)
    return changed


def _apply(*, rows: list[ParsedRow], result: RegisterImportResult, today: dt.date) -> set[int]:
    """Write validated rows. Call inside transaction.atomic. Returns the ids of the existing
    interpreters that changed (their details or any register entry)."""
    numbers = sorted({row.register_number for row in rows})
    # NO KEY: offers, assignments and events that refer to an interpreter take KEY SHARE locks at
    # commit; a full lock would make every such commit wait for the import.
    existing = {
        i.register_number: i
        for i in Interpreter.objects.select_for_update(no_key=True).filter(
            register_number__in=numbers
        )
    }
    touched: set[str] = set()
    changed_people: set[str] = set()
    new_people: list[Interpreter] = []
    updated_people: list[Interpreter] = []
    person_fields = [
        "given_name", "family_name", "gender", "municipality", "county", "availability",
        "offers_onsite", "offers_video", "offers_phone", "email", "phone",
        "police_certificate_valid_until",
    ]
    first_rows: dict[str, ParsedRow] = {}
    for row in rows:
        first_rows.setdefault(row.register_number, row)
    for number, row in first_rows.items():
        wanted = _person_wanted(row)
        person = existing.get(number)
        if person is None:
            person = Interpreter(register_number=number, **wanted)
            new_people.append(person)
            existing[number] = person
        elif any(getattr(person, key) != value for key, value in wanted.items()):
            for key, value in wanted.items():
                setattr(person, key, value)
            changed_people.add(number)
            touched.add(number)
            updated_people.append(person)
    if new_people:
        Interpreter.objects.bulk_create(new_people, batch_size=1000)
        # bulk_create does not return primary keys on every backend; fetch them.
        ids = dict(
            Interpreter.objects.filter(
                register_number__in=[p.register_number for p in new_people]
            ).values_list("register_number", "id")
        )
        for person in new_people:
            person.pk = ids[person.register_number]
    if updated_people:
        now = timezone.now()
        for person in updated_people:
            person.updated_at = now
        Interpreter.objects.bulk_update(updated_people, [*person_fields, "updated_at"],
                                        batch_size=1000)

    current = {
        (q.interpreter.register_number, q.language): q
        for q in Qualification.objects.select_related("interpreter").filter(
            interpreter__register_number__in=numbers
        )
    }
    to_create: list[Qualification] = []
    to_update: list[Qualification] = []
    events: list[RegisterStatusEvent] = []
    new_numbers = {p.register_number for p in new_people}
    for row in rows:
        person = existing[row.register_number]
        entry = current.get((row.register_number, row.language))
        if entry is None:
            if row.register_number not in new_numbers:
                touched.add(row.register_number)
            to_create.append(Qualification(
                interpreter=person, language=row.language, category=row.category,
                valid_from=row.valid_from, valid_to=row.valid_to, status=row.status,
            ))
            result.added += 1
            if row.status != EntryStatus.ACTIVE:
                _status_change(interpreter=person, language=row.language,
                               old=EntryStatus.ACTIVE, new=row.status, today=today,
                               result=result, events=events)
            continue
        wanted = _entry_wanted(row)
        entry_changed = _differs(entry, wanted)
        if entry_changed:
            touched.add(row.register_number)
            _status_change(interpreter=person, language=row.language, old=entry.status,
                           new=row.status, today=today, result=result, events=events)
            for key, value in wanted.items():
                setattr(entry, key, value)
            to_update.append(entry)
        if entry_changed or row.register_number in changed_people:
            result.changed += 1
        else:
            result.unchanged += 1
    Qualification.objects.bulk_create(to_create, batch_size=1000)
    Qualification.objects.bulk_update(
        to_update, ["category", "valid_from", "valid_to", "status"], batch_size=1000
    )
    RegisterStatusEvent.objects.bulk_create(events, batch_size=1000)
    return {existing[number].pk for number in touched}


def register_import(
    *,
    stream: IO[bytes] | IO[str],
    file_name: str,
    imported_by: User | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> RegisterImportResult:
    """Validate and, if every row is valid, apply a register CSV in one transaction. In the same
    transaction the changed interpreters' pending offers and future assignments are re-checked
    against the rules on their dates: what no longer passes is withdrawn or reopened and offered
    again (`reopened_assignments`, `withdrawn_offers`)."""
    from booking.dispatch.services.recheck import (
        recheck_interpreters,
        recheck_lock_bookings,
        recheck_work_exists,
    )

    result = RegisterImportResult(file_name=file_name)
    rows = register_file_parse(stream=stream, result=result)
    if result.errors:
        return result
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    with transaction.atomic():
        # Lock order Booking → Interpreter: the bookings of the interpreters the file changes
        # first, then (in _apply) the interpreters.
        # (Nothing to lock, or to re-check, when none of them has work handed out.)
        work = recheck_work_exists(register_numbers={r.register_number for r in rows}, now=now)
        locked = (
            recheck_lock_bookings(interpreter_ids=_planned_changes(rows), now=now)
            if work else set()
        )
        changed = _apply(rows=rows, result=result, today=today)
        # Also without `work`: an accept may have committed between that read and the locks
        # (then its booking is taken NOWAIT).
        if changed:
            recheck = recheck_interpreters(
                interpreter_ids=changed, now=now, actor=imported_by, actor_role="register",
                cause=f"register import {file_name[:100]}", locked_booking_ids=locked,
            )
            result.reopened_assignments = recheck.reopened_assignments
            result.withdrawn_offers = recheck.withdrawn_offers
        blocked = result.newly_suspended + result.newly_excluded + result.newly_revoked
        RegisterImport.objects.create(
            file_name=file_name[:255],
            imported_by=imported_by,
            rows=result.rows,
            added=result.added,
            changed=result.changed,
            unchanged=result.unchanged,
            newly_blocked=blocked,
            reopened_assignments=result.reopened_assignments,
            withdrawn_offers=result.withdrawn_offers,
        )
    return result

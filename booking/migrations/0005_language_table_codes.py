"""Register entries, status events and bookings in the language table's codes.

Before the language table the register stored codes as the file gave them (`fas` for Persisk)
while bookings and the statistics used the individual language (`pes`), so a Persisk booking found
no qualified interpreter and the need report counted none. Every code is now resolved as the
imports resolve it (`tolk.reference.languages.language_resolve`): `fas` → `pes`, `per`/`fa` → `pes`,
`zho` → `cmn`, `arb` → `ara`, ... A code that cannot be resolved to one language (`kur`: Kurmanji,
Sorani or Southern Kurdish?) is left as it is: the next register import with the right code
replaces it, and nothing here guesses which language was tested.

When an interpreter already has an entry under the table's code, the two are one language: the
entry with the better category (A before E; on a tie the later `valid_from`) is kept, the other
removed.
"""

from django.db import migrations


def _mapping(codes):
    from tolk.reference.languages import language_resolve

    mapping = {}
    for code in sorted(codes):
        if not code:
            continue
        table_code = language_resolve(code).code
        if table_code is not None and table_code != code:
            mapping[code] = table_code
    return mapping


def _better(left, right):
    return (left.category, -left.valid_from.toordinal()) <= (
        right.category, -right.valid_from.toordinal()
    )


def forward(apps, schema_editor):
    Qualification = apps.get_model("booking", "Qualification")
    RegisterStatusEvent = apps.get_model("booking", "RegisterStatusEvent")
    Booking = apps.get_model("booking", "Booking")

    codes = set(Qualification.objects.values_list("language", flat=True).distinct())
    for old, new in _mapping(codes).items():
        for entry in Qualification.objects.filter(language=old).order_by("pk"):
            twin = Qualification.objects.filter(
                interpreter_id=entry.interpreter_id, language=new
            ).first()
            if twin is None:
                entry.language = new
                entry.save(update_fields=["language"])
            elif _better(entry, twin):
                twin.delete()
                entry.language = new
                entry.save(update_fields=["language"])
            else:
                entry.delete()

    codes = set(RegisterStatusEvent.objects.values_list("language", flat=True).distinct())
    for old, new in _mapping(codes).items():
        RegisterStatusEvent.objects.filter(language=old).update(language=new)

    codes = set(Booking.objects.values_list("language", flat=True).distinct())
    for old, new in _mapping(codes).items():
        Booking.objects.filter(language=old).update(language=new)


class Migration(migrations.Migration):

    dependencies = [
        ("booking", "0004_interpreter_block_unique"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]

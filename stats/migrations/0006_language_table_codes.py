"""Assignment facts in the language table's codes.

Facts keep their language as the provider file or the booking gave it; before the language table a
file could deliver `fas` or `per` for Persisk while the register and the bookings had `pes`. Each
code is resolved as the provider-file import now resolves it (`tolk.reference.languages.language_resolve`)
and the facts are updated in one statement per code. On PostgreSQL the fact summary's update
trigger moves the counts from the old code's combinations to the new one's, so the summary stays
equal to the facts. A code that cannot be resolved to one language (`kur`) is left as it is.
"""

from django.db import migrations


def forward(apps, schema_editor):
    from tolk.reference.languages import language_resolve

    AssignmentFact = apps.get_model("stats", "AssignmentFact")
    codes = set(AssignmentFact.objects.values_list("language", flat=True).distinct())
    for code in sorted(codes):
        table_code = language_resolve(code).code
        if table_code is not None and table_code != code:
            AssignmentFact.objects.filter(language=code).update(language=table_code)


class Migration(migrations.Migration):

    dependencies = [
        ("stats", "0005_import_reference_unchecked"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]

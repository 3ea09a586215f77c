"""PostgreSQL only: the summary of the facts (migration "fact_summary") also sums the facts'
record keys per combination, so the need report's cell keys (stats/ptable.py) come from the
summary as its counts do.

`key_sum` is the plain sum of the record keys (a bigint: 2**31 times a few million facts fits);
the report takes it modulo the key range. The trigger functions are replaced with ones that add
and subtract `key_sum` with the other measures; a combination goes when its count reaches 0, as
before (its key sum is then 0 too).
"""

from django.db import migrations

KEY = (
    "year", "language", "provider_type", "modality", "sector", "county",
    "interpreter_category", "outcome", "qualified",
)
KEY_LIST = ", ".join(KEY)
MEASURES = "n, minutes, minutes_n, cost, cost_n, key_sum"
FACT_KEY = ", ".join([
    "date_part('year', date)::integer AS year",
    *(f'{c} COLLATE "C" AS {c}' for c in KEY[1:-1]),
    "qualified",
])
FACT_DELTA = (
    "{sign} AS n, {sign} * duration_minutes::bigint AS minutes, "
    "{sign} * (duration_minutes IS NOT NULL)::integer AS minutes_n, "
    "{sign} * cost_nok AS cost, {sign} * (cost_nok IS NOT NULL)::integer AS cost_n, "
    "{sign} * record_key::bigint AS key_sum"
)
SUMMED = (
    "SUM(n), COALESCE(SUM(minutes), 0), SUM(minutes_n), COALESCE(SUM(cost), 0), SUM(cost_n), "
    "SUM(key_sum)"
)
UPSERT = f"""
    INSERT INTO stats_factsummary AS s ({KEY_LIST}, {MEASURES})
    SELECT {KEY_LIST}, {SUMMED}
    FROM ({{rows}}) d
    GROUP BY {KEY_LIST}
    HAVING SUM(n) <> 0 OR SUM(minutes_n) <> 0 OR SUM(cost_n) <> 0
        OR COALESCE(SUM(minutes), 0) <> 0 OR COALESCE(SUM(cost), 0) <> 0 OR SUM(key_sum) <> 0
    ORDER BY {KEY_LIST}
    ON CONFLICT ({KEY_LIST}) DO UPDATE SET
        n = s.n + EXCLUDED.n,
        minutes = s.minutes + EXCLUDED.minutes,
        minutes_n = s.minutes_n + EXCLUDED.minutes_n,
        cost = s.cost + EXCLUDED.cost,
        cost_n = s.cost_n + EXCLUDED.cost_n,
        key_sum = s.key_sum + EXCLUDED.key_sum;
"""
ADDED = f"SELECT {FACT_KEY}, {FACT_DELTA.format(sign=1)} FROM new_facts"
REMOVED = f"SELECT {FACT_KEY}, {FACT_DELTA.format(sign=-1)} FROM old_facts"
EMPTIED = f"""
    DELETE FROM stats_factsummary s
    USING (SELECT DISTINCT {FACT_KEY} FROM old_facts) k
    WHERE s.n = 0 AND {" AND ".join(f"s.{c} = k.{c}" for c in KEY)};
"""

FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION stats_factsummary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {UPSERT.format(rows=ADDED)}
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION stats_factsummary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {UPSERT.format(rows=ADDED + " UNION ALL " + REMOVED)}
    {EMPTIED}
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION stats_factsummary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {UPSERT.format(rows=REMOVED)}
    {EMPTIED}
    RETURN NULL;
END
$$;
"""

# The facts are locked while the column is filled, so no write slips between the fill and the
# new functions.
FORWARD = f"""
LOCK TABLE stats_assignmentfact IN SHARE ROW EXCLUSIVE MODE;
ALTER TABLE stats_factsummary ADD COLUMN key_sum bigint NOT NULL DEFAULT 0;
UPDATE stats_factsummary s SET key_sum = k.key_sum
FROM (
    SELECT {KEY_LIST}, SUM(key_sum) AS key_sum
    FROM ({ADDED.replace("new_facts", "stats_assignmentfact")}) d
    GROUP BY {KEY_LIST}
) k
WHERE {" AND ".join(f"s.{c} = k.{c}" for c in KEY)};
ALTER TABLE stats_factsummary ALTER COLUMN key_sum DROP DEFAULT;
{FUNCTIONS}
"""

# The functions of migration "fact_summary", without the key sum.
OLD_MEASURES = "n, minutes, minutes_n, cost, cost_n"
OLD_DELTA = FACT_DELTA.rsplit(", ", 1)[0]
OLD_SUMMED = SUMMED.rsplit(", ", 1)[0]
OLD_UPSERT = f"""
    INSERT INTO stats_factsummary AS s ({KEY_LIST}, {OLD_MEASURES})
    SELECT {KEY_LIST}, {OLD_SUMMED}
    FROM ({{rows}}) d
    GROUP BY {KEY_LIST}
    HAVING SUM(n) <> 0 OR SUM(minutes_n) <> 0 OR SUM(cost_n) <> 0
        OR COALESCE(SUM(minutes), 0) <> 0 OR COALESCE(SUM(cost), 0) <> 0
    ORDER BY {KEY_LIST}
    ON CONFLICT ({KEY_LIST}) DO UPDATE SET
        n = s.n + EXCLUDED.n,
        minutes = s.minutes + EXCLUDED.minutes,
        minutes_n = s.minutes_n + EXCLUDED.minutes_n,
        cost = s.cost + EXCLUDED.cost,
        cost_n = s.cost_n + EXCLUDED.cost_n;
"""
OLD_ADDED = f"SELECT {FACT_KEY}, {OLD_DELTA.format(sign=1)} FROM new_facts"
OLD_REMOVED = f"SELECT {FACT_KEY}, {OLD_DELTA.format(sign=-1)} FROM old_facts"
BACKWARD = f"""
CREATE OR REPLACE FUNCTION stats_factsummary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {OLD_UPSERT.format(rows=OLD_ADDED)}
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION stats_factsummary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {OLD_UPSERT.format(rows=OLD_ADDED + " UNION ALL " + OLD_REMOVED)}
    {EMPTIED}
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION stats_factsummary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {OLD_UPSERT.format(rows=OLD_REMOVED)}
    {EMPTIED}
    RETURN NULL;
END
$$;
ALTER TABLE stats_factsummary DROP COLUMN key_sum;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):

    dependencies = [
        ("stats", "0008_fact_record_key"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]

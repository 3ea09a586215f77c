"""PostgreSQL only: the facts summed per combination of the need report's dimensions, kept right
by the database itself.

`stats_factsummary` holds, per year and combination of language, provider type, modality, sector,
county, interpreter category, outcome and qualified, the number of facts, the sum and count of
their durations and the sum and count of their costs (exact numeric). Statement-level triggers on
the facts add the rows a statement inserted (COPY included) and subtract the rows it deleted or
replaced, reading the statement's transition tables; a combination whose count reaches 0 goes.
Upserts run in key order so that concurrent writers lock the summary's rows in the same order.
The key's text columns compare bytes (COLLATE "C"): sorting and indexing a year's combinations is
much cheaper, and the report only groups by them. (Subtracting is an upsert too, so `n` cannot have
a CHECK: PostgreSQL checks the row it would insert before it finds the conflict.)
The need report reads the summary instead of grouping a million facts (`stats.selectors`).

SQLite has no summary: the report groups the facts there.
"""

from django.db import migrations

KEY = (
    "year", "language", "provider_type", "modality", "sector", "county",
    "interpreter_category", "outcome", "qualified",
)
KEY_LIST = ", ".join(KEY)
MEASURES = "n, minutes, minutes_n, cost, cost_n"
# Every key column of a fact, `year` computed from its date.
FACT_KEY = ", ".join([
    "date_part('year', date)::integer AS year",
    *(f'{c} COLLATE "C" AS {c}' for c in KEY[1:-1]),
    "qualified",
])
# The summary's measures of one fact, with `sign` 1 for a fact added and -1 for one taken away.
FACT_DELTA = (
    "{sign} AS n, {sign} * duration_minutes::bigint AS minutes, "
    "{sign} * (duration_minutes IS NOT NULL)::integer AS minutes_n, "
    "{sign} * cost_nok AS cost, {sign} * (cost_nok IS NOT NULL)::integer AS cost_n"
)
SUMMED = (
    "SUM(n), COALESCE(SUM(minutes), 0), SUM(minutes_n), COALESCE(SUM(cost), 0), SUM(cost_n)"
)
UPSERT = f"""
    INSERT INTO stats_factsummary AS s ({KEY_LIST}, {MEASURES})
    SELECT {KEY_LIST}, {SUMMED}
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
ADDED = f"SELECT {FACT_KEY}, {FACT_DELTA.format(sign=1)} FROM new_facts"
REMOVED = f"SELECT {FACT_KEY}, {FACT_DELTA.format(sign=-1)} FROM old_facts"
# Only combinations a statement took facts away from can have reached 0, and this statement
# already holds their row locks.
EMPTIED = f"""
    DELETE FROM stats_factsummary s
    USING (SELECT DISTINCT {FACT_KEY} FROM old_facts) k
    WHERE s.n = 0 AND {" AND ".join(f"s.{c} = k.{c}" for c in KEY)};
"""

FORWARD = f"""
CREATE TABLE stats_factsummary (
    year integer NOT NULL,
    language varchar(3) COLLATE "C" NOT NULL,
    provider_type varchar(16) COLLATE "C" NOT NULL,
    modality varchar(8) COLLATE "C" NOT NULL,
    sector varchar(16) COLLATE "C" NOT NULL,
    county varchar(2) COLLATE "C" NOT NULL,
    interpreter_category varchar(1) COLLATE "C" NOT NULL,
    outcome varchar(10) COLLATE "C" NOT NULL,
    qualified boolean NOT NULL,
    n bigint NOT NULL,
    minutes bigint NOT NULL,
    minutes_n bigint NOT NULL,
    cost numeric NOT NULL,
    cost_n bigint NOT NULL,
    PRIMARY KEY ({KEY_LIST})
) WITH (fillfactor = 80);

CREATE FUNCTION stats_factsummary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {UPSERT.format(rows=ADDED)}
    RETURN NULL;
END
$$;

CREATE FUNCTION stats_factsummary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {UPSERT.format(rows=ADDED + " UNION ALL " + REMOVED)}
    {EMPTIED}
    RETURN NULL;
END
$$;

CREATE FUNCTION stats_factsummary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {UPSERT.format(rows=REMOVED)}
    {EMPTIED}
    RETURN NULL;
END
$$;

CREATE FUNCTION stats_factsummary_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE stats_factsummary;
    RETURN NULL;
END
$$;

CREATE TRIGGER stats_factsummary_insert AFTER INSERT ON stats_assignmentfact
    REFERENCING NEW TABLE AS new_facts
    FOR EACH STATEMENT EXECUTE FUNCTION stats_factsummary_insert();
CREATE TRIGGER stats_factsummary_update AFTER UPDATE ON stats_assignmentfact
    REFERENCING OLD TABLE AS old_facts NEW TABLE AS new_facts
    FOR EACH STATEMENT EXECUTE FUNCTION stats_factsummary_update();
CREATE TRIGGER stats_factsummary_delete AFTER DELETE ON stats_assignmentfact
    REFERENCING OLD TABLE AS old_facts
    FOR EACH STATEMENT EXECUTE FUNCTION stats_factsummary_delete();
CREATE TRIGGER stats_factsummary_truncate AFTER TRUNCATE ON stats_assignmentfact
    FOR EACH STATEMENT EXECUTE FUNCTION stats_factsummary_truncate();

-- The triggers' lock keeps writers out until this migration commits: the facts cannot change
-- between the triggers and the first fill.
INSERT INTO stats_factsummary ({KEY_LIST}, {MEASURES})
SELECT {KEY_LIST}, {SUMMED} FROM ({ADDED.replace("new_facts", "stats_assignmentfact")}) d
GROUP BY {KEY_LIST};
"""

BACKWARD = """
DROP TRIGGER IF EXISTS stats_factsummary_insert ON stats_assignmentfact;
DROP TRIGGER IF EXISTS stats_factsummary_update ON stats_assignmentfact;
DROP TRIGGER IF EXISTS stats_factsummary_delete ON stats_assignmentfact;
DROP TRIGGER IF EXISTS stats_factsummary_truncate ON stats_assignmentfact;
DROP FUNCTION IF EXISTS stats_factsummary_insert();
DROP FUNCTION IF EXISTS stats_factsummary_update();
DROP FUNCTION IF EXISTS stats_factsummary_delete();
DROP FUNCTION IF EXISTS stats_factsummary_truncate();
DROP TABLE IF EXISTS stats_factsummary;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):

    dependencies = [
        ("stats", "0002_lean_indexes"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]

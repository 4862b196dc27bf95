"""On PostgreSQL, the summary becomes a table partitioned by its period (docs/decisions/0041).

A rebuild then builds each partition on a connection of its own, at once, and attaches them
(reporting.services.rebuild). A partitioned table's keys must hold its partition key, so the
primary key becomes (id, period_start); ids stay unique, handed out by one sequence, and Django
still reads a row by its id. SQLite keeps the plain table.
"""

from django.db import migrations

_TABLE = "reporting_summarycount"
_KEY = (
    "UNIQUE (province_id, commune_id, course_id, grain, period_start, audience_group) "
    "INCLUDE (learner_joined, enrolled, unenrolled, course_completed, certificate_issued, "
    "certificate_revoked, attended_in_person, completed_in_person, attendance_withdrawn, "
    "completed_in_person_withdrawn)"
)
_KEYS = ((f"{_TABLE}_pkey", "PRIMARY KEY (id, period_start)"), ("one_summary_count_per_key", _KEY))
_COLUMNS = (
    "id, grain, period_start, province_id, commune_id, course_id, audience_group, learner_joined, enrolled, "
    "unenrolled, course_completed, certificate_issued, certificate_revoked, attended_in_person, "
    "completed_in_person, attendance_withdrawn, completed_in_person_withdrawn"
)


def summary_partition(apps, schema_editor):
    """Copy the summary into a table partitioned by period: two partitions, split at this month."""
    if schema_editor.connection.vendor != "postgresql":
        return
    parted = f"{_TABLE}_parted"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT array_to_string(reloptions, ', ') FROM pg_class WHERE oid = %s::regclass", [_TABLE])
        (options,) = cursor.fetchone()
    storage = f" WITH ({options})" if options else ""
    for statement in (
        f"CREATE TABLE {parted} (LIKE {_TABLE} INCLUDING CONSTRAINTS) PARTITION BY RANGE (period_start)",
        f"CREATE TABLE {_TABLE}_p0 PARTITION OF {parted} FOR VALUES FROM (MINVALUE) "
        f"TO (date_trunc('month', now())::date){storage}",
        f"CREATE TABLE {_TABLE}_p1 PARTITION OF {parted} FOR VALUES FROM (date_trunc('month', now())::date) "
        f"TO (MAXVALUE){storage}",
        f"INSERT INTO {parted} ({_COLUMNS}) SELECT {_COLUMNS} FROM {_TABLE}",
        f"CREATE OR REPLACE VIEW reporting_summarytotal AS SELECT {_COLUMNS} FROM {parted} "
        f"UNION ALL SELECT {_COLUMNS} FROM reporting_recentcount",
        f"DROP TABLE {_TABLE}",
        f"ALTER TABLE {parted} RENAME TO {_TABLE}",
        # The view follows the table by its identity: after the rename it reads (and shows) the new name.
        f"CREATE SEQUENCE {_TABLE}_id_seq OWNED BY {_TABLE}.id",
        f"SELECT setval('{_TABLE}_id_seq', COALESCE(MAX(id), 0) + 1, false) FROM {_TABLE}",
        f"ALTER TABLE {_TABLE} ALTER id SET DEFAULT nextval('{_TABLE}_id_seq')",
        # Each partition's keys first, under the names a rebuild gives them; the table's keys then
        # take them over instead of building their own.
        *(
            f"ALTER TABLE {_TABLE}_{part} ADD CONSTRAINT {name}_{part} {definition}"
            for part in ("p0", "p1")
            for name, definition in _KEYS
        ),
        *(f"ALTER TABLE {_TABLE} ADD CONSTRAINT {name} {definition}" for name, definition in _KEYS),
    ):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0008_recent_counts_and_summary_total"),
    ]

    # Back to 0008 the partitioned table serves as it is: same columns, same unique key.
    operations = [migrations.RunPython(summary_partition, migrations.RunPython.noop)]

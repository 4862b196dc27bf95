"""The summary's key (place, course, grain, period, group) becomes its primary key (docs/decisions/0041).

The id column goes, and with it the second index: a rebuild no longer numbers 18 million rows and
builds an index of them that no page reads. On PostgreSQL the primary key carries the counts
(INCLUDE), as the unique key it replaces did; each partition's key is made first, under the name a
rebuild gives it, and the table's key takes them over. SQLite cannot change a primary key, so
there the table is made again and its rows copied. The view `SummaryTotal` loses its id too.
"""

from django.db import migrations, models

_TABLE = "reporting_summarycount"
_VIEW = "reporting_summarytotal"
_PRIMARY_KEY = (
    "PRIMARY KEY (province_id, commune_id, course_id, grain, period_start, audience_group) "
    "INCLUDE (learner_joined, enrolled, unenrolled, course_completed, certificate_issued, "
    "certificate_revoked, attended_in_person, completed_in_person, attendance_withdrawn, "
    "completed_in_person_withdrawn)"
)
_COLUMNS = (
    "grain, period_start, province_id, commune_id, course_id, audience_group, learner_joined, enrolled, "
    "unenrolled, course_completed, certificate_issued, certificate_revoked, attended_in_person, "
    "completed_in_person, attendance_withdrawn, completed_in_person_withdrawn"
)
_VIEW_CREATE = (
    f"CREATE VIEW {_VIEW} AS SELECT {_COLUMNS} FROM {_TABLE} UNION ALL SELECT {_COLUMNS} FROM reporting_recentcount"
)


def summary_key_primary(apps, schema_editor):
    """Make the key the summary's primary key and drop its id, on the table as migration 0009 left it."""
    schema_editor.execute(f"DROP VIEW {_VIEW}")  # it reads the id column
    if schema_editor.connection.vendor == "postgresql":
        _postgresql_key_primary(schema_editor)
    else:
        _table_made_again(apps, schema_editor)
    schema_editor.execute(_VIEW_CREATE)


def _postgresql_key_primary(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [_TABLE],
        )
        partitions = [name for (name,) in cursor.fetchall()]
    for statement in (
        f"ALTER TABLE {_TABLE} DROP CONSTRAINT {_TABLE}_pkey",
        f"ALTER TABLE {_TABLE} DROP CONSTRAINT one_summary_count_per_key",
        f"ALTER TABLE {_TABLE} DROP COLUMN id",  # and the sequence it owns
        # A partition `reporting_summarycount_p0` gets `reporting_summarycount_pkey_p0`, as a rebuild names it.
        *(
            f"ALTER TABLE {partition} ADD CONSTRAINT {_TABLE}_pkey_{partition.removeprefix(_TABLE + '_')} "
            f"{_PRIMARY_KEY}"
            for partition in partitions
        ),
        f"ALTER TABLE {_TABLE} ADD CONSTRAINT {_TABLE}_pkey {_PRIMARY_KEY}",
    ):
        schema_editor.execute(statement)


def _table_made_again(apps, schema_editor):
    """On SQLite: the table as the model now is, holding the old table's rows."""
    schema_editor.execute(f"ALTER TABLE {_TABLE} RENAME TO {_TABLE}_old")
    schema_editor.create_model(apps.get_model("reporting", "SummaryCount"))
    schema_editor.execute(f"INSERT INTO {_TABLE} ({_COLUMNS}) SELECT {_COLUMNS} FROM {_TABLE}_old")  # noqa: S608
    schema_editor.execute(f"DROP TABLE {_TABLE}_old")


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0009_summary_partitioned_by_period"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(model_name="summarycount", name="one_summary_count_per_key"),
                migrations.RemoveField(model_name="summarycount", name="id"),
                migrations.AddField(
                    model_name="summarycount",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "province_id",
                        "commune_id",
                        "course_id",
                        "grain",
                        "period_start",
                        "audience_group",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
            ],
        ),
        # After the state above, so that on SQLite `apps` makes the table with the new key. Not
        # reversible: the ids it drops are gone.
        migrations.RunPython(summary_key_primary),
    ]

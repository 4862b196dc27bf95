# The run counts' index (docs/decisions/0043). On PostgreSQL it is built CONCURRENTLY: the event
# log is the largest table, and a plain CREATE INDEX would hold every new event back while it reads
# it (about 15 s per 40 million events on a 2-core machine). CONCURRENTLY cannot run inside a
# transaction, hence atomic = False; the state is Django's AddIndex as makemigrations wrote it.

from django.db import migrations, models

RUN_COUNTS_INDEX = models.Index(
    condition=models.Q(
        ("course_run__isnull", False),
        (
            "kind__in",
            (
                "enrolled",
                "unenrolled",
                "course_completed",
                "attended_in_person",
                "attendance_withdrawn",
                "completed_in_person",
                "completed_in_person_withdrawn",
            ),
        ),
    ),
    fields=["course_run", "province", "audience_group", "kind", "xact_id"],
    name="learningevent_run_counts",
)


def index_add(apps, schema_editor):
    model = apps.get_model("learners", "LearningEvent")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(model, RUN_COUNTS_INDEX, concurrently=True)
    else:
        schema_editor.add_index(model, RUN_COUNTS_INDEX)


def index_remove(apps, schema_editor):
    model = apps.get_model("learners", "LearningEvent")
    schema_editor.remove_index(model, RUN_COUNTS_INDEX)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("learners", "0009_in_person_withdrawals"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(index_add, index_remove)],
            state_operations=[migrations.AddIndex(model_name="learningevent", index=RUN_COUNTS_INDEX)],
        ),
    ]

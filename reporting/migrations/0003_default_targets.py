"""The national targets of the programme for the current year, editable in the back office."""

import datetime

from django.db import migrations


def targets_add(apps, schema_editor):
    Target = apps.get_model("reporting", "Target")
    FillState = apps.get_model("reporting", "FillState")
    # The daily counts were replaced by the summary counts, which the next fold recounts from zero.
    FillState.objects.filter(statistic="learning_events_daily").delete()
    year = datetime.date.today().year
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    Target.objects.get_or_create(
        name=f"Cán bộ, công chức hoàn thành khóa học năm {year}",
        defaults={
            "measure": "course_completed",
            "audience_group": "civil_servant",
            "starts_on": start,
            "ends_on": end,
            "goal": 10_000,
        },
    )
    Target.objects.get_or_create(
        name=f"Người dân hoàn thành khóa học năm {year}",
        defaults={
            "measure": "course_completed",
            "audience_group": "public",
            "starts_on": start,
            "ends_on": end,
            "goal": 10_000_000,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0002_summary_counts_targets_exports")]

    operations = [migrations.RunPython(targets_add, migrations.RunPython.noop)]

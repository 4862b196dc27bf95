from django.db import migrations

AUDIENCE_CODES = ["commune_leader", "digital_team", "civil_servant", "public"]


def audience_groups_create(apps, schema_editor):
    Audience = apps.get_model("courses", "Audience")
    for code in AUDIENCE_CODES:
        Audience.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("courses", "0001_initial")]

    operations = [migrations.RunPython(audience_groups_create, migrations.RunPython.noop)]

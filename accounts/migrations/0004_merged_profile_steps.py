"""The protection step was merged into "identity" and the availability step into "interests":
a person who stopped after one of them resumes after the step that now asks it."""

from django.db import migrations

# The last step saved, before -> the step of the merged profile that leaves the same answers
# behind (protection came after "about": everything but the consents was saved).
MERGED = {"availability": "interests", "status": "about"}


def forwards(apps, schema_editor):
    Person = apps.get_model("accounts", "Person")
    for old, new in MERGED.items():
        Person.objects.filter(profile_step=old).update(profile_step=new)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_user_language_choices")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

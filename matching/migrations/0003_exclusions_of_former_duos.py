"""Every former duo gets its Exclusion row, now the one source of who may be paired again.

Until now `matching.services.excluded_pairs` also read every Duo, whatever its state; it reads
the Exclusion rows only, so the pairs that row never covered (a completed duo; a declined or
ended one recorded before their rows were written) get theirs here. An expired proposal gets
none: both people may be proposed again.
"""

from django.db import migrations

REASONS = {"declined": "declined", "ended": "former_duo", "completed": "former_duo"}


def exclude_former_duos(apps, schema_editor):
    Duo = apps.get_model("duos", "Duo")
    Exclusion = apps.get_model("matching", "Exclusion")
    rows = (
        Duo.objects.filter(state__in=REASONS)
        .order_by("pk")
        .values_list("sponsor_id", "refugee_id", "state")
        .iterator(chunk_size=2000)
    )
    batch = []
    for sponsor_id, refugee_id, state in rows:
        batch.append(Exclusion(sponsor_id=sponsor_id, refugee_id=refugee_id, reason=REASONS[state]))
        if len(batch) == 2000:
            Exclusion.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    Exclusion.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0002_run_attempt"),
        ("duos", "0005_lifecycle"),
    ]

    operations = [migrations.RunPython(exclude_former_duos, migrations.RunPython.noop)]

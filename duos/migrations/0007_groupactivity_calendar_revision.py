import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("duos", "0006_report_alert"),
    ]

    operations = [
        migrations.AddField(
            model_name="groupactivity",
            name="sequence",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="version"),
        ),
        migrations.AddField(
            model_name="groupactivity",
            name="changed_at",
            field=models.DateTimeField(
                auto_now=True, default=django.utils.timezone.now, verbose_name="changed at"
            ),
            preserve_default=False,
        ),
    ]

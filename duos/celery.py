"""The Celery app: settings come from duos/settings.py (the CELERY_ names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duos.settings")

app = Celery("duos")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The duos app's tasks live in its domains, one tasks module each.
app.autodiscover_tasks(
    ["duos.ops", "duos.lifecycle", "duos.followup", "duos.reports", "duos.activities"]
)

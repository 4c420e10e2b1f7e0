from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

TASK_MODULES = ("ops", "lifecycle", "followup", "reports", "activities")


class DuosConfig(AppConfig):
    name = "duos"
    verbose_name = _("Duos")

    def ready(self) -> None:
        from anymail.signals import tracking

        from duos.ops.bounces import record_bounce

        tracking.connect(record_bounce, dispatch_uid="duos.ops.bounces.record_bounce")
        # Register every task in this process too (a worker's autodiscovery does it there), so
        # that a task sent by its name, as duos.models.duo_propose does, runs as configured.
        for domain in TASK_MODULES:
            import_module(f"duos.{domain}.tasks")

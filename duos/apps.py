from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuosConfig(AppConfig):
    name = "duos"
    verbose_name = _("Duos")

    def ready(self) -> None:
        from anymail.signals import tracking

        from duos.ops.bounces import record_bounce

        tracking.connect(record_bounce, dispatch_uid="duos.ops.bounces.record_bounce")

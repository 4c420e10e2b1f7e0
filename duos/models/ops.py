"""Operations records: the workers' heartbeats."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last time a background process proved it was alive, shown by /healthz.

    `beat` is written by a task that beat schedules and a worker runs; `web` by a task that the
    web process sends and a worker runs. Both prove the whole chain, not one process alone.
    """

    source = models.CharField(_("source"), max_length=20, unique=True)
    sent_at = models.DateTimeField(_("sent at"))
    executed_at = models.DateTimeField(_("executed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return self.source

"""Operations tasks: the heartbeat that tells /healthz a worker and beat are alive.

Task names stay "duos.tasks.<name>": the beat schedule and queued messages name them so.
"""

from celery import shared_task
from django.utils import timezone


@shared_task(name="duos.tasks.heartbeat", ignore_result=True, soft_time_limit=20, time_limit=30)
def heartbeat(source: str) -> None:
    """Record that a worker ran a task sent by `source` (idempotent: a plain overwrite).

    The web process stamps `sent_at` itself when it sends; beat cannot, so its task does.
    """
    from duos.models import Heartbeat

    now = timezone.now()
    defaults = {"executed_at": now} if source == "web" else {"executed_at": now, "sent_at": now}
    Heartbeat.objects.update_or_create(
        source=source, defaults=defaults, create_defaults={"sent_at": now, "executed_at": now}
    )

"""Hard bounces reported by the email provider (anymail's tracking webhooks): the person is
unreachable by email, and staff see it on their pages.

Connected to `anymail.signals.tracking` in `DuosConfig.ready()`; the webhook URLs are
`/anymail/<provider>/tracking/` (duos/urls.py), mounted for the configured provider only. Only
"bounced" (a hard bounce) and "rejected" (the provider refuses to send to that address) mark
the user; a deferred or soft delivery problem does not.
"""

from email.utils import parseaddr

from anymail.signals import AnymailTrackingEvent, EventType
from django.conf import settings
from django.db.models.functions import Lower
from django.urls import URLPattern
from django.utils import timezone

from accounts.models import User

UNREACHABLE_EVENTS = {EventType.BOUNCED, EventType.REJECTED}


def record_bounce(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs) -> None:
    """Mark the user whose address bounced (one update; an unknown address changes nothing)."""
    if event.event_type not in UNREACHABLE_EVENTS or not event.recipient:
        return
    address = parseaddr(event.recipient)[1].lower()
    if not address:
        return
    reason = event.description or event.mta_response or event.reject_reason or event.event_type
    # Lower(email) is what the unique constraint indexes: the match uses it.
    User.objects.alias(email_lower=Lower("email")).filter(email_lower=address).update(
        email_bounced_at=event.timestamp or timezone.now(),
        email_bounce_reason=f"{esp_name}: {reason}"[:300],
    )


def configured_provider() -> str:
    """ "mailgun" for EMAIL_PROVIDER=anymail.backends.mailgun.EmailBackend; "" without one."""
    parts = settings.EMAIL_PROVIDER.split(".")
    return parts[2] if len(parts) == 4 and parts[:2] == ["anymail", "backends"] else ""


def webhook_urls() -> list[URLPattern]:
    """The configured provider's tracking webhook, alone; none without a provider.

    Anymail's URL module mounts every provider's webhooks: another provider's view needs
    its own keys, and nobody would watch what it accepts. Read once, when the URLconf loads
    (EMAIL_PROVIDER comes from the environment, fixed for the process)."""
    from anymail import urls

    provider = configured_provider()
    if not provider:
        return []
    return [
        pattern for pattern in urls.urlpatterns if pattern.name == f"{provider}_tracking_webhook"
    ]

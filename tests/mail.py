"""The test mail servers, chosen through the `settings` fixture like the real one.

`settings.EMAIL_BACKEND = FAILING_BACKEND` makes every send fail as an unreachable server does;
`settings.EMAIL_BACKEND = MEMORY_BACKEND` brings it back (mail.outbox), as every test starts.
"""

from django.core.mail.backends.base import BaseEmailBackend

MEMORY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
FAILING_BACKEND = "tests.mail.FailingBackend"


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses connections: what `smtplib` raises when it is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")

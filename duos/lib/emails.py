"""Every email of the app: rendered from templates in the recipient's language, text and HTML."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def send_templated_email(*, to, template: str, context: dict, headers: dict | None = None) -> None:
    """Send `templates/emails/<template>/{subject.txt,body.txt,body.html}` to a user.

    `to` is a User: their `language` chooses the translation.
    """
    context = {**context, "recipient": to, "PROGRAMME_EMAIL": settings.PROGRAMME_EMAIL}
    with translation.override(to.language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{template}/subject.txt", context)
        text = render_to_string(f"emails/{template}/body.txt", context)
        html = render_to_string(f"emails/{template}/body.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=text, to=[to.email], headers=headers
    )
    message.attach_alternative(html, "text/html")
    message.send()


# Retried with a short backoff while the mail server is unreachable, like the decision emails.
_EMAIL_RETRIES = {
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": 300,
    "max_retries": 8,
}

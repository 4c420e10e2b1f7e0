"""Every email of the app: rendered from templates in the recipient's language, text and HTML."""

import functools

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


_PLACEHOLDER = "--token--"  # matches every path converter of our links


def token_url(name: str, token: str) -> str:
    """The absolute URL of the view `name` for a link's one `token` argument.

    A sweep builds thousands of such links, and a reverse() costs about as much as rendering a
    line of the email: reverse once per view (and script prefix, URLconf), then substitute.
    """
    return absolute_url(
        _token_path(name, get_script_prefix(), get_urlconf()).replace(_PLACEHOLDER, token)
    )


@functools.lru_cache(maxsize=64)
def _token_path(name: str, prefix: str, urlconf) -> str:
    return reverse(name, args=[_PLACEHOLDER], urlconf=urlconf)


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

"""Hard bounces from the email provider mark the person unreachable; staff see it.

Anymail turns each provider's tracking webhook into one `tracking` signal: the signal is tested
directly, and through real webhook POSTs (Postmark's and Brevo's bounce payloads, from their
docs). Only the configured provider's webhook is mounted (tests/urlconf.py loads the URLs
under another provider)."""

import base64
import json
from datetime import UTC, datetime
from http import HTTPStatus

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.conf import settings
from django.urls import Resolver404, URLResolver, get_resolver, resolve, reverse

from accounts.models import CandidateState, User
from tests.factories import ReferredRefugeeFactory, SocialWorkerFactory, UserFactory
from tests.urlconf import mount_site_urls

pytestmark = pytest.mark.django_db

SECRET = "hooks:a-long-webhook-password"
WEBHOOK = "/anymail/postmark/tracking/"
POSTMARK = "anymail.backends.postmark.EmailBackend"
BREVO = "anymail.backends.brevo.EmailBackend"

# Postmark's bounce webhook (postmarkapp.com/developer/webhooks/bounce-webhook).
POSTMARK_BOUNCE = {
    "RecordType": "Bounce",
    "MessageStream": "outbound",
    "ID": 4323372036854775807,
    "Type": "HardBounce",
    "TypeCode": 1,
    "Name": "Hard bounce",
    "Tag": "Test",
    "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
    "Metadata": {},
    "ServerID": 23,
    "Description": "The server was unable to deliver your message (ex: unknown user, mailbox "
    "not found).",
    "Details": "Test bounce details",
    "Email": "john@example.com",
    "From": "sender@example.com",
    "BouncedAt": "2019-11-05T16:33:54.9070259Z",
    "DumpAvailable": True,
    "Inactive": True,
    "CanActivate": True,
    "Subject": "Test subject",
    "Content": "Return-Path: <>",
}

# Brevo's hard bounce (developers.brevo.com/docs/transactional-webhooks).
BREVO_BOUNCE = {
    "event": "hard_bounce",
    "email": "john@example.com",
    "id": 1234567,
    "date": "2026-03-02 11:00:00",
    "ts": 1772445600,
    "message-id": "<202603021100.12345678@smtp-relay.mailin.fr>",
    "ts_event": 1772445600,
    "subject": "Votre duo",
    "sending_ip": "185.41.28.109",
    "ts_epoch": 1772445600000,
    "reason": "550 5.1.1 unknown user",
}


def send_event(**fields) -> None:
    tracking.send(sender=object, event=AnymailTrackingEvent(**fields), esp_name="TestESP")


def basic_auth(secret: str) -> str:
    return "Basic " + base64.b64encode(secret.encode()).decode()


def anymail_routes() -> list[str]:
    """The paths under /anymail/ that the URLconf in force mounts."""
    return [
        f"/anymail/{pattern.pattern}"
        for entry in get_resolver().url_patterns
        if isinstance(entry, URLResolver) and str(entry.pattern) == "anymail/"
        for pattern in entry.url_patterns
    ]


@pytest.fixture
def webhook_secret(settings, monkeypatch):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}
    mount_site_urls(settings, monkeypatch, POSTMARK)


def test_bounces_hard_bounce_marks_the_user_whatever_the_case_of_the_address():
    user = UserFactory(email="Alice.Martin@example.org")
    other = UserFactory()
    at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

    send_event(
        event_type="bounced",
        recipient="ALICE.MARTIN@EXAMPLE.ORG",
        timestamp=at,
        description="Mailbox does not exist",
    )

    user.refresh_from_db()
    other.refresh_from_db()
    assert user.email_bounced_at == at
    assert user.email_bounce_reason == "TestESP: Mailbox does not exist"
    assert other.email_bounced_at is None


def test_bounces_rejected_by_the_provider_marks_the_user():
    user = UserFactory()

    send_event(event_type="rejected", recipient=f"Alice <{user.email}>", reject_reason="invalid")

    user.refresh_from_db()
    assert user.email_bounced_at is not None
    assert user.email_bounce_reason == "TestESP: invalid"


@pytest.mark.parametrize("event_type", ["deferred", "delivered", "opened", "complained"])
def test_bounces_other_events_change_nothing(event_type):
    user = UserFactory()

    send_event(event_type=event_type, recipient=user.email, description="Try again later")

    user.refresh_from_db()
    assert user.email_bounced_at is None and user.email_bounce_reason == ""


def test_bounces_unknown_address_changes_nothing(django_assert_max_num_queries):
    user = UserFactory()

    with django_assert_max_num_queries(1):
        send_event(event_type="bounced", recipient="nobody@example.org")

    user.refresh_from_db()
    assert user.email_bounced_at is None


def test_bounces_postmark_webhook_with_the_secret_marks_the_user(client, webhook_secret):
    user = UserFactory(email="john@example.com")

    response = client.post(
        WEBHOOK,
        data=json.dumps(POSTMARK_BOUNCE),
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_auth(SECRET),
    )

    assert response.status_code == HTTPStatus.OK
    user.refresh_from_db()
    assert user.email_bounced_at == datetime(2019, 11, 5, 16, 33, 54, 907025, tzinfo=UTC)
    assert user.email_bounce_reason.startswith("Postmark: The server was unable to deliver")


@pytest.mark.parametrize("auth", [basic_auth("hooks:wrong"), None])
def test_bounces_webhook_with_a_wrong_or_no_secret_is_refused(client, webhook_secret, auth):
    user = UserFactory(email="john@example.com")
    headers = {"HTTP_AUTHORIZATION": auth} if auth else {}

    response = client.post(
        WEBHOOK, data=json.dumps(POSTMARK_BOUNCE), content_type="application/json", **headers
    )

    assert HTTPStatus.BAD_REQUEST <= response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR
    user.refresh_from_db()
    assert user.email_bounced_at is None


def test_bounces_webhook_is_shut_when_no_secret_is_configured(client, settings, monkeypatch):
    """Anymail accepts any POST without WEBHOOK_SECRET: the settings put an unknown one."""
    mount_site_urls(settings, monkeypatch, POSTMARK)
    assert settings.ANYMAIL["WEBHOOK_SECRET"].startswith("unset:")
    user = UserFactory(email="john@example.com")

    response = client.post(
        WEBHOOK,
        data=json.dumps(POSTMARK_BOUNCE),
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_auth("unset:"),
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    user.refresh_from_db()
    assert user.email_bounced_at is None


def test_bounces_webhook_url_is_wired(webhook_secret):
    assert reverse("anymail:postmark_tracking_webhook") == WEBHOOK


@pytest.mark.parametrize("provider", ["", "anymail.backends.mailgun.EmailBackend"])
def test_bounces_webhook_of_another_provider_is_not_found(client, settings, monkeypatch, provider):
    """Only the configured provider's webhook answers (another one would need its keys)."""
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}
    mount_site_urls(settings, monkeypatch, provider)
    for url in (WEBHOOK, "/anymail/amazon_ses/tracking/", "/anymail/mandrill/tracking/"):
        response = client.post(
            url, data="{}", content_type="application/json", HTTP_AUTHORIZATION=basic_auth(SECRET)
        )

        assert response.status_code == HTTPStatus.NOT_FOUND, url


def test_bounces_no_provider_mounts_no_anymail_route(settings, monkeypatch):
    mount_site_urls(settings, monkeypatch, "")

    assert anymail_routes() == []


def test_bounces_only_the_configured_providers_tracking_webhook_is_mounted(
    client, settings, monkeypatch
):
    """Anymail's URLs hold 14 tracking webhooks (and inbound ones): Brevo's alone is mounted."""
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}
    mount_site_urls(settings, monkeypatch, BREVO)

    assert anymail_routes() == ["/anymail/brevo/tracking/"]
    with pytest.raises(Resolver404):
        resolve("/anymail/mailgun/tracking/")
    response = client.post(
        "/anymail/mailgun/tracking/",
        data="{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_auth(SECRET),
    )
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_bounces_brevo_webhook_with_the_secret_marks_the_user(client, settings, monkeypatch):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}
    mount_site_urls(settings, monkeypatch, BREVO)
    user = UserFactory(email="john@example.com")

    response = client.post(
        "/anymail/brevo/tracking/",
        data=json.dumps(BREVO_BOUNCE),
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_auth(SECRET),
    )

    assert response.status_code == HTTPStatus.OK
    user.refresh_from_db()
    assert user.email_bounced_at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert user.email_bounce_reason == "Brevo: 550 5.1.1 unknown user"


@pytest.mark.parametrize("auth", [basic_auth("hooks:wrong"), None])
def test_bounces_brevo_webhook_without_the_secret_is_refused(client, settings, monkeypatch, auth):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}
    mount_site_urls(settings, monkeypatch, BREVO)
    user = UserFactory(email="john@example.com")
    headers = {"HTTP_AUTHORIZATION": auth} if auth else {}

    response = client.post(
        "/anymail/brevo/tracking/",
        data=json.dumps(BREVO_BOUNCE),
        content_type="application/json",
        **headers,
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    user.refresh_from_db()
    assert user.email_bounced_at is None


def test_bounces_staff_see_who_is_unreachable(client, staff):
    social_worker = SocialWorkerFactory()
    # The queue lists those awaiting validation first (its default filter).
    referred = ReferredRefugeeFactory(
        referrer=social_worker.user, state=CandidateState.AWAITING_VALIDATION
    )
    User.objects.filter(pk=social_worker.user.pk).update(
        email_bounced_at=datetime(2026, 3, 2, tzinfo=UTC), email_bounce_reason="Mailbox full"
    )
    staff.language = "en"
    staff.save(update_fields=["language"])
    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    queue = client.get(reverse("accounts:staff_queue"))
    page = client.get(reverse("accounts:staff_person", args=[referred.pk]))

    assert queue.status_code == page.status_code == HTTPStatus.OK
    for response in (queue, page):
        assert "Unreachable by email" in response.content.decode()
        assert "Mailbox full" in response.content.decode()

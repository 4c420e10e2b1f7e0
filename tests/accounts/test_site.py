"""The Sites framework's row carries the programme's name and SITE_URL's host, so allauth never
names the site after the request's host ("Bonjour, c'est 127.0.0.1:18431 !")."""

import re

import pytest
from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.sites.models import Site
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from accounts.site import sync_site
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

URL = re.compile(r"https?://\S+")


def test_site_is_named_after_the_programme_with_site_urls_host(settings):
    settings.SITE_URL = "http://127.0.0.1:18431"

    sync_site()

    site = Site.objects.get_current()
    assert (site.pk, site.name, site.domain) == (1, "Duos de demain", "127.0.0.1:18431")


def test_site_sync_is_idempotent_and_follows_a_new_port(settings):
    settings.SITE_URL = "http://127.0.0.1:18431"
    sync_site()
    settings.SITE_URL = "http://127.0.0.1:9000/"
    sync_site()
    sync_site()

    assert list(Site.objects.values_list("pk", "name", "domain")) == [
        (1, "Duos de demain", "127.0.0.1:9000")
    ]
    assert Site.objects.get_current().domain == "127.0.0.1:9000"


def test_confirmation_email_names_the_programme_never_the_host(settings, monkeypatch):
    settings.SITE_URL = "http://127.0.0.1:18431"
    sync_site()
    contexts = []
    render = DefaultAccountAdapter.render_mail

    def spy(self, template_prefix, email, context, headers=None):
        contexts.append(context)
        return render(self, template_prefix, email, context, headers)

    monkeypatch.setattr(DefaultAccountAdapter, "render_mail", spy)
    client = Client(HTTP_HOST="127.0.0.1:18431")
    client.post(
        reverse("account_signup"),
        {
            "email": "n@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "role": Role.SPONSOR,
        },
    )

    (message,) = mail.outbox
    assert contexts[0]["current_site"].name == "Duos de demain"
    assert "Duos de demain" in message.subject and "Duos de demain" in message.body
    # The host appears only inside the confirmation link, never as the site's name.
    for text in (
        message.subject,
        URL.sub("", message.body),
        URL.sub("", message.alternatives[0][0]),
    ):
        assert "127.0.0.1" not in text

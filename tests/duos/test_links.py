"""Signed links (duos/lib/links.py): each kind's URL, what it reads back, and the one page that
says why a link does not work."""

from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse, set_script_prefix
from django.utils import timezone, translation
from django.utils.html import escape

from duos.lib import links
from duos.lib.emails import absolute_url

KINDS = [
    links.ANSWER_ACCEPT,
    links.ANSWER_DECLINE,
    links.CHECKIN,
    links.SURVEY,
    links.REPORT,
    links.ACTIVITY_REGISTER,
    links.HANDOVER,
]
EXPIRING = [kind for kind in KINDS if kind.max_age is not None]


def _in_french(message) -> str:
    """As the page shows it: in French, the default language, and escaped."""
    with translation.override("fr"):
        return escape(str(message))


def _values(kind: links.LinkKind) -> tuple:
    return tuple(12345 if i == 0 else "sponsor" for i in range(len(kind.keys)))


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.salt)
def test_links_url_is_the_reversed_url_of_the_token(kind):
    token = kind.token(*_values(kind))

    assert kind.url(*_values(kind)) == absolute_url(reverse(kind.url_name, args=[token]))
    assert kind.read(token) == dict(zip(kind.keys, _values(kind), strict=True))


def test_links_url_follows_the_script_prefix():
    try:
        set_script_prefix("/duos/")

        assert links.CHECKIN.path(1, "met") == reverse(
            "duos:checkin", args=[links.CHECKIN.token(1, "met")]
        )
        assert links.CHECKIN.path(1, "met").startswith("/duos/duo/suivi/")
    finally:
        set_script_prefix("/")


def test_links_salts_keep_each_kind_to_its_own_page():
    assert len({kind.salt for kind in KINDS}) == len(KINDS)
    token = links.REPORT.token(1, "sponsor")

    for other in KINDS:
        if other is not links.REPORT:
            with pytest.raises(links.LinkInvalid) as error:
                other.read(token)
            assert not isinstance(error.value, links.LinkExpired)


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.salt)
def test_links_tampered_or_malformed_token_is_invalid_not_expired(kind):
    token = kind.token(*_values(kind))
    wrong_keys = signing.dumps({"x": 1}, salt=kind.salt)

    for bad in (token[:-2] + "xx", token[:20], "", wrong_keys):
        with pytest.raises(links.LinkInvalid) as error:
            kind.read(bad)
        assert not isinstance(error.value, links.LinkExpired), bad


@pytest.mark.parametrize("kind", EXPIRING, ids=lambda kind: kind.salt)
def test_links_expire_past_their_kinds_age(kind):
    token = kind.token(*_values(kind))

    with time_machine.travel(timezone.now() + kind.max_age - timedelta(minutes=1)):
        assert kind.read(token)
    with (
        time_machine.travel(timezone.now() + kind.max_age + timedelta(minutes=1)),
        pytest.raises(links.LinkExpired),
    ):
        kind.read(token)


def test_links_answer_kinds_share_one_page_and_the_salt_tells_the_answer():
    accept = links.ANSWER_ACCEPT.token(1, "sponsor")
    decline = links.ANSWER_DECLINE.token(1, "sponsor")
    kinds = (links.ANSWER_ACCEPT, links.ANSWER_DECLINE)

    assert links.read_any(kinds, accept)[0] is links.ANSWER_ACCEPT
    assert links.read_any(kinds, decline)[0] is links.ANSWER_DECLINE
    with pytest.raises(links.LinkInvalid):
        links.read_any(kinds, links.SURVEY.token(1, "sponsor"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "name"),
    [
        (links.ANSWER_ACCEPT, "duos:answer"),
        (links.CHECKIN, "duos:checkin"),
        (links.SURVEY, "duos:survey"),
        (links.REPORT, "duos:report_link"),
        (links.ACTIVITY_REGISTER, "duos:activity_register_link"),
        (links.HANDOVER, "accounts:handover"),
    ],
    ids=lambda value: getattr(value, "salt", value),
)
def test_links_pages_answer_400_with_the_one_invalid_page(kind, name):
    response = Client().get(reverse(name, args=["not-a-signed-token"]))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert [t.name for t in response.templates][0] == "link_invalid.html"
    assert _in_french(kind.tampered_message) in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [links.ANSWER_ACCEPT, links.REPORT, links.HANDOVER])
def test_links_pages_answer_410_past_the_age_with_the_kinds_words(kind):
    token = kind.token(*_values(kind))

    with time_machine.travel(timezone.now() + kind.max_age + timedelta(days=1)):
        response = Client().get(reverse(kind.url_name, args=[token]))

    assert response.status_code == HTTPStatus.GONE
    assert _in_french(kind.expired_message) in response.content.decode()

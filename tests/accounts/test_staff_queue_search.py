"""The candidates queue searched by name or email: the person the team just spoke to."""

from http import HTTPStatus
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import CandidateState
from tests.factories import ReferredRefugeeFactory, RefugeeFactory, SponsorFactory, UserFactory

pytestmark = pytest.mark.django_db

AWAITING = CandidateState.AWAITING_VALIDATION


def search(client, **params):
    return client.get(reverse("accounts:staff_queue") + "?" + urlencode(params))


def listed(response) -> list:
    assert response.status_code == HTTPStatus.OK
    return list(response.context["page_obj"])


@pytest.fixture
def helene(db):
    return SponsorFactory(
        state=AWAITING, first_name="Hélène", last_name="Martin", user__email="hmartin@example.org"
    )


@pytest.fixture
def others(db):
    return [
        SponsorFactory(state=AWAITING, first_name="Paul", last_name="Durand"),
        RefugeeFactory(state=AWAITING, first_name="Amina", last_name="Hassan"),
    ]


def test_queue_search_finds_a_candidate_by_first_or_last_name(staff_client, helene, others):
    assert listed(search(staff_client, q="hélène")) == [helene]
    assert listed(search(staff_client, q="MARTIN")) == [helene]
    assert listed(search(staff_client, q="Hélène Martin")) == [helene]
    assert listed(search(staff_client, q="Hélène Durand")) == []


def test_queue_search_finds_a_candidate_by_email(staff_client, helene, others):
    assert listed(search(staff_client, q="hmartin@example.org")) == [helene]
    assert listed(search(staff_client, q="hmartin@")) == [helene]


def test_queue_search_finds_a_referred_refugee_by_their_social_workers_email(staff_client, others):
    worker = UserFactory(email="assistante@asso.example")
    referred = ReferredRefugeeFactory(state=AWAITING, referrer=worker, first_name="Omid")

    assert listed(search(staff_client, q="assistante@asso")) == [referred]


def test_queue_search_on_its_own_looks_in_every_state(staff_client, helene):
    paused = RefugeeFactory(state=CandidateState.PAUSED, first_name="Hélène", last_name="Petit")

    assert set(listed(search(staff_client, q="Hélène"))) == {helene, paused}
    # Within the filters when they are given.
    assert listed(search(staff_client, q="Hélène", state=AWAITING)) == [helene]
    assert listed(search(staff_client, q="Hélène", role="refugee")) == [paused]


def test_queue_search_keeps_the_search_in_the_filters_form(staff_client, helene):
    body = search(staff_client, q="Martin").content.decode()

    assert 'role="search"' in body
    assert '<input type="hidden" name="q" value="Martin">' in body
    assert 'type="search"' in body and 'value="Martin"' in body


def test_queue_search_that_matches_nothing_says_so(staff_client, helene):
    response = search(staff_client, q="Zoé", state=AWAITING)

    assert listed(response) == []
    body = response.content.decode()
    assert "Nobody matches “Zoé” with these filters." in body
    assert "Search without the filters" in body
    assert "No candidate matches these filters." not in body


def test_queue_search_too_long_is_refused_with_a_message(staff_client, helene):
    response = search(staff_client, q="x" * 101)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["form"].has_error("q", "max_length")
    assert "Some filters are not valid" in response.content.decode()


def test_queue_search_queries_do_not_grow_with_the_words(staff_client, helene):
    with CaptureQueriesContext(connection) as one_word:
        search(staff_client, q="Hélène")
    with CaptureQueriesContext(connection) as many_words:
        search(staff_client, q="Hélène Martin hmartin example org and more words")

    assert len(many_words) == len(one_word)

"""The candidates' filters are folded unless the staff member set one, so a phone shows results."""

import re

import pytest
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def filters_details(html: str) -> str:
    match = re.search(r'<details class="filters"[^>]*>', html)
    assert match, "the filters are in a <details>"
    return match.group(0)


def test_the_filters_are_folded_by_default(staff):
    response = client_for(staff).get(reverse("accounts:staff_queue"))
    assert response.status_code == 200
    assert " open" not in filters_details(response.content.decode())


def test_a_search_alone_keeps_them_folded(staff):
    response = client_for(staff).get(reverse("accounts:staff_queue"), {"q": "amina"})
    assert " open" not in filters_details(response.content.decode())


@pytest.mark.parametrize(
    "query", [{"role": "sponsor"}, {"departement": "75"}, {"waiting_days": "7"}]
)
def test_a_filter_set_shows_them_open(staff, query):
    response = client_for(staff).get(reverse("accounts:staff_queue"), query)
    assert response.status_code == 200
    assert " open" in filters_details(response.content.decode())


def test_a_filter_to_correct_shows_them_open(staff):
    response = client_for(staff).get(reverse("accounts:staff_queue"), {"departement": "abc"})
    assert response.status_code == 400
    assert " open" in filters_details(response.content.decode())

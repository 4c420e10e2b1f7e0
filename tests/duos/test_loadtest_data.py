"""`manage.py loadtest_data`, the programme of `make loadtest`: its sessions open the pages the
load test asks for (the staff's with two-factor done), and it refuses a database in use."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import CandidateState, Person
from duos.models import Duo, DuoState
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _load(tmp_path) -> dict:
    out = tmp_path / "data.json"
    call_command(
        "loadtest_data", people=60, duos=20, staff=2, participants=6, out=str(out), verbosity=0
    )
    return json.loads(out.read_text(encoding="utf-8"))


def _client(data: dict, session: str) -> Client:
    client = Client()
    client.cookies[data["cookie"]] = session
    return client


def test_the_programme_has_its_people_duos_and_queues(tmp_path):
    data = _load(tmp_path)
    assert Person.objects.count() == 60
    assert Duo.objects.count() == len(data["duos"]) == 20
    assert Duo.objects.filter(state=DuoState.ACTIVE).exists()
    assert Person.objects.filter(state=CandidateState.AWAITING_VALIDATION).exists()
    assert len(data["staff"]) == 2
    assert len(data["participants"]) == 6


def test_its_sessions_open_the_pages_of_the_load_test(tmp_path):
    data = _load(tmp_path)
    staff = _client(data, data["staff"][0]["session"])
    for path in (
        "/equipe/candidats/",
        "/equipe/duos/suivi/",
        f"/equipe/duos/{data['duos'][0]}/",
        "/equipe/tableau-de-bord/",
    ):
        assert staff.get(path).status_code == 200, path
    for participant in data["participants"]:
        client = _client(data, participant["session"])
        for path in ("/mon-espace/", "/mon-duo/", participant["checkin"]):
            assert client.get(path).status_code == 200, path


def test_it_loads_into_an_empty_database_only(tmp_path):
    PersonFactory()
    with pytest.raises(CommandError, match="empty database"):
        _load(tmp_path)

"""A run end to end through a real worker: the page's progress endpoint moves, then the
proposals are there. No eager task, no faked progress: the engine's own reports."""

import random
import time
from http import HTTPStatus

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import OperationalError
from django.urls import reverse

from accounts.models import CandidateState, Person, Role
from duos.celery import app
from matching import engine, services
from matching.engine.vocabulary import INTEREST_CODES, SLOT_CODES
from matching.models import MatchRun, Proposal, RunState

POOL_SIZE = 5000  # per side: a run of a few seconds
CITIES = [(48.8566, 2.3522, "75"), (45.764, 4.8357, "69")]  # Paris, Lyon
POLL_SECONDS = 0.05


@pytest.fixture
def broker_url(tmp_path) -> str:
    """The configured broker; on a laptop a SQLite broker of the test's own."""
    url = settings.CELERY_BROKER_URL
    if url.startswith("sqla+sqlite"):
        url = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    return url


@pytest.fixture
def real_worker(broker_url, monkeypatch):
    monkeypatch.setattr(app.conf, "broker_url", broker_url)
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    # Earlier eager tasks opened the app's producer pool on the default broker: start afresh.
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield
    app.pool.force_close_all()


def big_pool(rng: random.Random) -> None:
    """Sponsors and refugees clustered around two cities, validated, in one insert per side."""
    people = []
    for role in (Role.SPONSOR, Role.REFUGEE):
        for i in range(POOL_SIZE):
            lat, lon, departement = CITIES[i % len(CITIES)]
            second = "ar" if role == Role.REFUGEE else rng.choice(["en", "es", "ar"])
            people.append(
                Person(
                    role=role,
                    state=CandidateState.VALIDATED,
                    first_name=f"{role[0].upper()}{i}",
                    departement=departement,
                    latitude=lat + rng.uniform(-0.15, 0.15),
                    longitude=lon + rng.uniform(-0.2, 0.2),
                    max_distance_km=rng.choice([10, 15, 20, 30]),
                    languages=[
                        {"code": "fr", "level": rng.choice(["conversational", "fluent", "native"])},
                        {"code": second, "level": "native"},
                    ],
                    interests=rng.sample(INTEREST_CODES, 3),
                    availability=rng.sample(SLOT_CODES, 2),
                    gender=rng.choice(["woman", "man"]),
                    birth_year=rng.randint(1950, 2004),
                )
            )
    Person.objects.bulk_create(people, batch_size=500)


def poll(client, url: str) -> dict:
    """The progress endpoint; the in-memory test database may be locked for an instant by
    the worker's write (SQLite's shared cache does not wait): ask again."""
    while True:
        try:
            response = client.get(url)
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            time.sleep(0.01)
            continue
        assert response.status_code == HTTPStatus.OK
        return response.json()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_run_progress_moves_through_a_real_worker_then_proposals_are_stored(
    client, staff, real_worker, monkeypatch
):
    # Every report of the engine is written (the worker runs in this process): the run is
    # short, and the default step would leave few values to see.
    monkeypatch.setattr(services, "PROGRESS_STEP", 0.0)
    big_pool(random.Random(7))
    client.force_login(staff)
    weights = {f"weight_{name}": value for name, value in vars(engine.Weights()).items()}

    response = client.post(reverse("matching:runs"), weights)

    assert response.status_code == HTTPStatus.FOUND
    run = MatchRun.objects.get()
    url = reverse("matching:run_progress", kwargs={"pk": run.pk})
    seen, states = [], set()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        data = poll(client, url)
        states.add(data["state"])
        if data["finished"]:
            break
        seen.append(data["progress"])
        time.sleep(POLL_SECONDS)
    intermediate = sorted({p for p in seen if 0 < p < 1})

    assert data["state"] == RunState.DONE, data
    assert len(intermediate) >= 3, f"progress seen: {seen}"
    assert seen == sorted(seen), "progress never goes back"
    assert RunState.RUNNING in states
    run.refresh_from_db()
    assert run.progress == 1.0 and run.pairs > POOL_SIZE // 2
    assert (run.pool_sponsors, run.pool_refugees) == (POOL_SIZE, POOL_SIZE)
    assert Proposal.objects.filter(run=run).count() == run.pairs == data["pairs"]

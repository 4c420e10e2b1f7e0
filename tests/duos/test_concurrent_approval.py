"""Two staff members approve the same refugee with two sponsors at the same moment.

Only PostgreSQL shows it: each thread has its own connection and transaction, and the partial
unique constraint (one open duo per person) lets exactly one of them through.
"""

import threading

import pytest
from django.db import connection
from kombu import pools

from accounts.models import CandidateState
from duos.celery import app
from duos.models import Duo, DuoConflict, duo_propose
from tests.factories import RefugeeFactory, SponsorFactory, StaffFactory


@pytest.mark.django_db(transaction=True)
def test_concurrent_approval_pairs_the_refugee_once(postgres_only, monkeypatch):
    # The introductions go through eager tasks, which still take a producer from the app's
    # pool: a real-worker test may have closed it (tests/duos/test_celery.py), so start afresh.
    pools.reset()
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    refugee = RefugeeFactory()
    sponsors = [SponsorFactory(), SponsorFactory()]
    staff = [StaffFactory(), StaffFactory()]
    barrier = threading.Barrier(2, timeout=10)
    outcomes: dict[int, object] = {}

    def approve(i: int) -> None:
        try:
            barrier.wait()
            outcomes[i] = duo_propose(sponsor=sponsors[i], refugee=refugee, by=staff[i])
        except Exception as error:  # noqa: BLE001 - the assertion below reads it
            outcomes[i] = error
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(type(outcome).__name__ for outcome in outcomes.values()) == [
        "Duo",
        "DuoConflict",
    ]
    conflict = next(o for o in outcomes.values() if isinstance(o, DuoConflict))
    assert refugee.first_name in conflict.message
    duo = Duo.objects.get()
    assert duo.refugee == refugee
    winner = duo.sponsor
    loser = next(s for s in sponsors if s != winner)
    winner.refresh_from_db()
    loser.refresh_from_db()
    refugee.refresh_from_db()
    assert (winner.state, refugee.state) == (CandidateState.IN_DUO, CandidateState.IN_DUO)
    assert loser.state == CandidateState.VALIDATED

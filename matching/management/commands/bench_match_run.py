"""Benchmark: a match run on N validated candidates per side, from start to stored proposals.

Runs in a throwaway test database (never the real one) and prints, per size, the wall time and
the number of SQL queries, which must not grow with the pool.
"""

import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.utils import timezone

from accounts.models import CandidateState, Person, Role, User
from matching import engine
from matching.engine.synthetic import synthetic_people
from matching.models import MatchRun
from matching.services import run_execute, run_start


class Command(BaseCommand):
    help = "Time a match run and count its SQL queries on synthetic pools."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="200,2000", help="people per side, comma-separated")

    def handle(self, *args, sizes: str, **options) -> None:
        setup_test_environment()
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            staff = User.objects.create_user("bench@example.org")
            self.stdout.write(f"{'per side':>9} {'seconds':>8} {'queries':>8} {'pairs':>6}")
            for size in (int(s) for s in sizes.split(",")):
                self._bench(size, staff)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    def _bench(self, size: int, staff: User) -> None:
        Person.objects.all().delete()
        MatchRun.objects.all().delete()
        _create_pool(size)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            run = run_start(by=staff, weights=engine.Weights())
            run_execute(run.pk)
        seconds = time.perf_counter() - started
        run.refresh_from_db()
        self.stdout.write(f"{size:>9} {seconds:>8.2f} {len(queries):>8} {run.pairs:>6}")


def _create_pool(size: int) -> None:
    now = timezone.now()
    rows = []
    for role, side in ((Role.SPONSOR, "sponsor"), (Role.REFUGEE, "refugee")):
        for person in synthetic_people(size, side, seed=size):
            rows.append(
                Person(
                    role=role,
                    state=CandidateState.VALIDATED,
                    validated_at=now,
                    waiting_since=now,
                    first_name=f"{side}{person.id}",
                    latitude=person.lat,
                    longitude=person.lon,
                    max_distance_km=person.max_distance_km,
                    languages=[{"code": c, "level": lv} for c, lv in person.languages.items()],
                    interests=sorted(person.interests),
                    availability=sorted(person.availability),
                    gender=person.gender,
                    partner_gender=person.partner_gender,
                    birth_year=person.birth_year,
                )
            )
    Person.objects.bulk_create(rows, batch_size=1000)

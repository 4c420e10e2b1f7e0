"""Benchmark: one reminder sweep over N active duos whose month's reminder is due.

Runs in a throwaway test database (never the real one); each email is built as the in-memory
backend does, then counted and dropped (an SMTP backend also serialises it: about 1 ms more).
Prints, per size, the wall time, the number of SQL queries, the time spent in them and the
process's CPU time. The number of queries must grow with the number of batches only (a
constant number per batch of `BATCH_SIZE` rows), never one per duo.
"""

import math
import time
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from accounts.models import CandidateState, Person, Role, User
from duos.followup.reminders import BATCH_SIZE, duos_send_reminders
from duos.models import Answer, Duo, DuoState, Reminder

# Day 25 of month 1: its reminder is due (day 21) and the month is still open.
DUE_AGE = timedelta(days=25)
HEADER = "  duos  emails batches  seconds  queries  in SQL  CPU (s)"


class Command(BaseCommand):
    help = "Time one reminder sweep over N active duos and count its SQL queries."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="2000,10000", help="duos, comma-separated")

    def handle(self, *args, sizes: str, **options) -> None:
        # Not setup_test_environment(): its template instrumentation would slow the rendering.
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            self.stdout.write(HEADER)
            with override_settings(EMAIL_BACKEND=f"{__name__}.CountingBackend"):
                for size in (int(s) for s in sizes.split(",")):
                    self._bench(size)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    def _bench(self, size: int) -> None:
        Reminder.objects.all().delete()
        Duo.objects.all().delete()
        Person.objects.all().delete()
        User.objects.all().delete()
        create_active_duos(size, started_at=timezone.now() - DUE_AGE)
        CountingBackend.sent = 0
        started, cpu_started = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            sent = duos_send_reminders()
        seconds = time.perf_counter() - started
        # This process's CPU time: the wall time on a busy machine overstates the sweep's cost.
        cpu = time.process_time() - cpu_started
        assert sent == CountingBackend.sent == 2 * size, (sent, CountingBackend.sent)
        batches = math.ceil(sent / BATCH_SIZE)
        # The rest of the time is rendering the emails (three templates each).
        in_sql = sum(float(query["time"]) for query in queries.captured_queries)
        self.stdout.write(
            f"{size:>6} {sent:>7} {batches:>7} {seconds:>8.2f} {len(queries):>8} {in_sql:>7.2f}"
            f" {cpu:>8.2f}"
        )


class CountingBackend(BaseEmailBackend):
    """Builds each message as locmem does, then drops it: nothing leaves the machine, and
    20,000 messages kept in memory (locmem's outbox) would slow the garbage collector."""

    sent = 0

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            message.message()
        CountingBackend.sent += len(email_messages)
        return len(email_messages)


def create_active_duos(count: int, *, started_at: datetime, language: str = "en") -> list[Duo]:
    """`count` active duos started at `started_at`, each person with their own account, in a
    few bulk inserts (the delivery tests use it too)."""
    stamp = int(time.time() * 1000)
    unusable = make_password(None)  # nobody logs in as these
    users = User.objects.bulk_create(
        [
            User(email=f"{side}{i}-{stamp}@bench.example.org", password=unusable, language=language)
            for i in range(count)
            for side in ("s", "r")
        ],
        batch_size=1000,
    )
    people = Person.objects.bulk_create(
        [
            Person(
                user=user,
                role=Role.SPONSOR if n % 2 == 0 else Role.REFUGEE,
                state=CandidateState.IN_DUO,
                first_name=f"{'Sponsor' if n % 2 == 0 else 'Refugee'}{n // 2}",
            )
            for n, user in enumerate(users)
        ],
        batch_size=1000,
    )
    return Duo.objects.bulk_create(
        [
            Duo(
                sponsor=people[2 * i],
                refugee=people[2 * i + 1],
                state=DuoState.ACTIVE,
                expires_at=started_at,
                sponsor_answer=Answer.ACCEPTED,
                refugee_answer=Answer.ACCEPTED,
                started_at=started_at,
            )
            for i in range(count)
        ],
        batch_size=1000,
    )

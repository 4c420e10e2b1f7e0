"""Benchmark: what each page of the load test costs, one request at a time.

Builds the load test's programme (`manage.py loadtest_data`: 2,000 people, 500 duos, staff
with two-factor and logged-in sessions) in a throwaway test database (never the real one),
then requests each page of tools/loadtest/locustfile.py `--repeat` times with Django's test
client as the user the load test sends there (participants and duos in turn). Prints per page
the SQL queries of one request, the median and p95 wall time and the median CPU time of this
process (time.process_time: what the page's Python costs, which other work on a busy machine
changes little, unlike the wall time).

The cache is this process's memory (locmem), empty at the start: the first request of a page
fills what it caches, the timed ones after it read it, as a server's do within a minute.
`--sql PAGE` prints the queries of one request of that page, to see what they are;
`--profile PAGE` the functions its timed requests spent the most time in (cProfile).
"""

import cProfile
import io
import json
import pstats
import statistics
import tempfile
import time
from itertools import cycle
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

HEADER = f"  {'page':32} {'queries':>7} {'median':>7} {'p95':>7} {'CPU':>7}   (ms)"
BENCH_SETTINGS = {
    "ALLOWED_HOSTS": ["testserver"],
    "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
}


class Command(BaseCommand):
    help = "Time each load test page with the test client and count its SQL queries."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=30, help="timed requests per page")
        parser.add_argument("--sql", default="", help="print the queries of this page's request")
        parser.add_argument("--profile", default="", help="profile this page's timed requests")

    def handle(self, *args, repeat: int, sql: str, profile: str, **options) -> None:
        for page in (sql, profile):
            if page and page not in PAGE_NAMES:
                raise CommandError(f"--sql and --profile take one of: {', '.join(PAGE_NAMES)}")
        # Not setup_test_environment(): its template instrumentation would slow the rendering.
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            with override_settings(**BENCH_SETTINGS):
                data = _load_programme()
                self.stdout.write(HEADER)
                for name, user_kind, paths in _pages(data):
                    clients = _clients(data, user_kind)
                    self._bench(name, clients, paths, repeat, sql == name, profile == name)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    def _bench(self, name, clients, paths, repeat: int, show_sql: bool, profile: bool) -> None:
        walls, cpus, profiler = [], [], cProfile.Profile()
        for n in range(repeat + 1):  # the first fills the caches and is not counted
            client, path = next(clients), next(paths)
            if profile and n:
                profiler.enable()
            started, cpu_started = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path, headers={"accept-language": "fr"})
            profiler.disable()
            walls.append(1000 * (time.perf_counter() - started))
            cpus.append(1000 * (time.process_time() - cpu_started))
            if response.status_code != 200:
                raise CommandError(f"{name}: {path} answered {response.status_code}")
        walls, cpus = walls[1:], cpus[1:]
        p95 = statistics.quantiles(walls, n=20)[-1] if len(walls) > 1 else walls[0]
        self.stdout.write(
            f"  {name:32} {len(queries):>7} {statistics.median(walls):>7.1f} {p95:>7.1f}"
            f" {statistics.median(cpus):>7.1f}"
        )
        if show_sql:
            for query in queries.captured_queries:
                self.stdout.write(f"    {query['time']}s {query['sql']}")
        if profile:
            report = io.StringIO()  # one write: self.stdout ends every write with a newline
            stats = pstats.Stats(profiler, stream=report)
            stats.sort_stats("cumulative").print_stats(50)
            stats.sort_stats("tottime").print_stats(30)
            self.stdout.write(report.getvalue())


def _load_programme() -> dict:
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "data.json"
        call_command("loadtest_data", out=str(out))
        return json.loads(out.read_text(encoding="utf-8"))


# The locustfile's pages: (name, who asks, the paths in turn).
def _pages(data: dict) -> list[tuple[str, str, object]]:
    checkins = [person["checkin"] for person in data["participants"]]
    return [
        ("home", "visitor", cycle(["/"])),
        ("sign-up page", "visitor", cycle(["/accounts/signup/"])),
        ("participant: my space", "participants", cycle(["/mon-espace/"])),
        ("participant: my duo", "participants", cycle(["/mon-duo/"])),
        # Each participant's own link, as their client goes in turn with the paths.
        ("participant: check-in link", "participants", cycle(checkins)),
        ("staff: validation queue", "staff", cycle(["/equipe/candidats/"])),
        ("staff: follow-up queue", "staff", cycle(["/equipe/duos/suivi/"])),
        ("staff: a duo's page", "staff", cycle(f"/equipe/duos/{pk}/" for pk in data["duos"])),
        ("staff: dashboard", "staff", cycle(["/equipe/tableau-de-bord/"])),
    ]


PAGE_NAMES = [name for name, _, _ in _pages({"participants": [], "duos": []})]


def _clients(data: dict, user_kind: str):
    """Clients of that kind in turn, each logged in by its session from loadtest_data."""
    if user_kind == "visitor":
        return cycle([Client()])
    clients = []
    for user in data[user_kind]:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = user["session"]
        clients.append(client)
    return cycle(clients)

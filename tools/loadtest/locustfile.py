"""The load test's people, for locust (`make loadtest` runs it through tools/loadtest/run.py).

Three kinds of users, each clicking a page every 1 to 3 seconds (a brisk person; real ones
read longer):
- visitors (4 in 10): the home page and the sign-up page;
- participants in an active duo (5 in 10): their space, their duo's page, their check-in link;
- staff (1 in 10): the validation queue, the follow-up queue, a duo's page, the dashboard.

Participants and staff come in logged in: the sessions were made server-side by
`manage.py loadtest_data` (the staff's with two-factor done) and are read from the JSON file
named by LOADTEST_DATA. Every request carries X-Forwarded-Proto as the production proxy adds
it, and must answer 200: a redirect (to a login page, say) counts as an error.

Two phases, by `Phases`: 50 users for 60 s, then a spike to 200 users for 30 s, then it stops.
The 50 arrive ten a second (over the phase's first five seconds), as people do; the spike's 150
arrive within a second, as a spike does. Fifty at once in one second was a burst of fifty page
loads, each user's first, queued behind each other on two cores: every page's p99 then read
700-850 ms while the rest of the phase stayed under 160 ms.
The statistics of each phase (requests per second, p50, p95, p99 per page, errors, 5xx, and the
CPU time gunicorn's workers spent, LOADTEST_SERVER_PID naming its master) are written to the
JSON file named by LOADTEST_RESULTS for the driver to print.
"""

import itertools
import json
import os
import random
import time
from pathlib import Path

import psutil
from locust import FastHttpUser, LoadTestShape, between, events, task

DATA = json.loads(Path(os.environ["LOADTEST_DATA"]).read_text(encoding="utf-8"))
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
# (name, users, seconds, users arriving per second)
PHASES = [("50 users", 50, 60, 10), ("200 users", 200, 30, 200)]
PERCENTILES = (0.5, 0.95, 0.99)

_participants = itertools.cycle(DATA["participants"])
_staff = itertools.cycle(DATA["staff"])
_server_errors: dict[str, int] = {}


class Page(FastHttpUser):
    abstract = True
    wait_time = between(1, 3)
    headers = PROXY_HEADERS

    def page(self, path: str, name: str) -> None:
        with self.client.get(
            path, name=name, headers=self.headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")


def _logged_in(session: str) -> dict:
    return {**PROXY_HEADERS, "Cookie": f"{DATA['cookie']}={session}"}


class Visitor(Page):
    weight = 4

    @task(3)
    def home(self):
        self.page("/", "home")

    @task(1)
    def signup(self):
        self.page("/accounts/signup/", "sign-up page")


class Participant(Page):
    weight = 5

    def on_start(self):
        self.me = next(_participants)
        self.headers = _logged_in(self.me["session"])

    @task(2)
    def space(self):
        self.page("/mon-espace/", "participant: my space")

    @task(2)
    def duo(self):
        self.page("/mon-duo/", "participant: my duo")

    @task(1)
    def checkin(self):
        self.page(self.me["checkin"], "participant: check-in link")


class Staff(Page):
    weight = 1

    def on_start(self):
        self.headers = _logged_in(next(_staff)["session"])

    @task
    def validation_queue(self):
        self.page("/equipe/candidats/", "staff: validation queue")

    @task
    def followup_queue(self):
        self.page("/equipe/duos/suivi/", "staff: follow-up queue")

    @task
    def duo_page(self):
        self.page(f"/equipe/duos/{random.choice(DATA['duos'])}/", "staff: a duo's page")

    @task
    def dashboard(self):
        self.page("/equipe/tableau-de-bord/", "staff: dashboard")


@events.request.add_listener
def _count_server_errors(name, response, exception, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    if status >= 500 or (exception is not None and status == 0):
        _server_errors[name] = _server_errors.get(name, 0) + 1


class Phases(LoadTestShape):
    """PHASES one after the other; each phase's statistics are its own."""

    def __init__(self):
        super().__init__()
        self.results: list[dict] = []
        self.phase = 0
        self.phase_started = None
        self.cpu_started = 0.0

    def tick(self):
        now = time.monotonic()
        if self.phase_started is None:
            self.phase_started, self.cpu_started = now, _server_cpu()
        name, users, seconds, rate = PHASES[self.phase]
        if now - self.phase_started < seconds:
            return users, rate
        self._close_phase(name, now - self.phase_started)
        self.phase += 1
        if self.phase == len(PHASES):
            return None
        self.phase_started, self.cpu_started = now, _server_cpu()
        name, users, seconds, rate = PHASES[self.phase]
        return users, rate

    def _close_phase(self, name: str, seconds: float) -> None:
        stats = self.runner.stats
        pages = []
        for entry in sorted(stats.entries.values(), key=lambda e: e.name):
            pages.append(_entry(entry, seconds, _server_errors.get(entry.name, 0)))
        cpu, requests = _server_cpu() - self.cpu_started, stats.total.num_requests
        errors = {f"{e.name}: {e.error}": e.occurrences for e in stats.errors.values()}
        self.results.append(
            {
                "phase": name,
                "seconds": round(seconds, 1),
                "pages": pages,
                "total": _entry(stats.total, seconds, sum(_server_errors.values())),
                "errors": errors,
                # gunicorn's workers (PostgreSQL's and locust's own CPU are not in it).
                "server_cpu_seconds": round(cpu, 1),
                "server_cpu_ms_per_request": round(1000 * cpu / max(requests, 1), 1),
            }
        )
        with open(os.environ["LOADTEST_RESULTS"], "w", encoding="utf-8") as file:
            json.dump(self.results, file, indent=1)
        stats.reset_all()
        _server_errors.clear()


def _entry(entry, seconds: float, server_errors: int) -> dict:
    return {
        "name": entry.name,
        "requests": entry.num_requests,
        "rps": round(entry.num_requests / seconds, 1),
        **{
            f"p{round(p * 100)}": entry.get_response_time_percentile(p) if entry.num_requests else 0
            for p in PERCENTILES
        },
        "errors": entry.num_failures,
        "5xx": server_errors,
    }


def _server_cpu() -> float:
    """CPU seconds (user and system) of gunicorn's workers so far."""
    master = psutil.Process(int(os.environ["LOADTEST_SERVER_PID"]))
    total = 0.0
    for worker in master.children():
        try:
            times = worker.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total

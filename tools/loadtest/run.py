"""`make loadtest`: the site as in production under locust, on this machine only.

1. Creates its own PostgreSQL database (LOADTEST_DATABASE, default duos_loadtest, on
   127.0.0.1:5432 as user postgres; dropped at the end) and uses Redis db LOADTEST_REDIS_DB
   (default 11) for the cache and the next one for the broker (both emptied at the end).
2. Migrates, collects the static files (whitenoise serves them) and loads the programme:
   `manage.py loadtest_data` (2,000 people, 500 duos, staff and their sessions).
3. Starts gunicorn as the image does (gunicorn.conf.py; DEBUG off, a SECRET_KEY made for the
   run, ALLOWED_HOSTS=127.0.0.1) on 127.0.0.1:LOADTEST_PORT (default 8765).
4. Runs locust headless (tools/loadtest/locustfile.py): 50 users for 60 s, then 200 for 30 s;
   it stops by itself, and a hard deadline ends it otherwise.
5. Prints, per phase and page, requests per second, p50, p95, p99 (ms), errors and 5xx, and
   whether the targets hold on every page (50 users: p95 < 200 ms, no error; 200 users:
   p95 < 1.5 s, no 5xx); exits 1 if one does not.

Traffic goes to 127.0.0.1 only. The machine's load (uptime) is printed before and after: other
work on the same cores shows in the figures.
"""

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DATABASE = os.environ.get("LOADTEST_DATABASE", "duos_loadtest")
REDIS_DB = int(os.environ.get("LOADTEST_REDIS_DB", "11"))
PORT = int(os.environ.get("LOADTEST_PORT", "8765"))
HOST = f"http://127.0.0.1:{PORT}"
LOCUST_DEADLINE = 150  # seconds: the phases take 90
HEADER = f"  {'page':32} {'req/s':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>6} {'5xx':>5}"
TARGETS = {"50 users": (200, "errors"), "200 users": (1500, "5xx")}


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="loadtest-"))
    env = _environment()
    print(f"Load test: machine load before: {_uptime()}", flush=True)
    _psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)', f'CREATE DATABASE "{DATABASE}"')
    _flush_redis()
    server = None
    try:
        _manage(env, "migrate", "--noinput", "--verbosity", "0")
        _manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        _manage(env, "loadtest_data", "--out", str(work / "data.json"))
        server = _start_gunicorn(env, work / "gunicorn.log")
        _locust({**env, "LOADTEST_SERVER_PID": str(server.pid)}, work)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        _psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        _flush_redis()
    print(f"Load test: machine load after: {_uptime()}")
    results = json.loads((work / "results.json").read_text(encoding="utf-8"))
    return _report(results, work / "gunicorn.log")


def _environment() -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "CACHE_", "CELERY_", "EMAIL_", "ANYMAIL_"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        CACHE_URL=f"rediscache://127.0.0.1:6379/{REDIS_DB}",
        CELERY_BROKER_URL=f"redis://127.0.0.1:6379/{REDIS_DB + 1}",
        EMAIL_URL="dummymail://",
        # As the image sets it (Dockerfile): a worker keeps its database connection.
        CONN_MAX_AGE=os.environ.get("CONN_MAX_AGE", "60"),
        GUNICORN_ACCESS_LOG="",  # hundreds of lines a second would cost the server too
        PYTHONPATH=str(ROOT),
    )
    return env


def _psql(*statements: str) -> None:
    for statement in statements:
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", statement],
            check=True,
        )


def _flush_redis() -> None:
    import redis

    for db in (REDIS_DB, REDIS_DB + 1):
        redis.Redis(host="127.0.0.1", port=6379, db=db, socket_timeout=5).flushdb()


def _manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _start_gunicorn(env: dict, log: Path) -> subprocess.Popen:
    command = [str(BIN / "gunicorn"), "duos.wsgi", "-c", "gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{PORT}", "--error-logfile", str(log)]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(f"{HOST}/", headers={"X-Forwarded-Proto": "https"})
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("gunicorn did not answer within 60 s")


def _locust(env: dict, work: Path) -> None:
    env = {**env, "LOADTEST_DATA": str(work / "data.json")}
    env["LOADTEST_RESULTS"] = str(work / "results.json")
    command = [str(BIN / "locust"), "-f", str(ROOT / "tools/loadtest/locustfile.py")]
    command += ["--headless", "--host", HOST, "--only-summary", "--loglevel", "WARNING"]
    command += ["--stop-timeout", "5", "--exit-code-on-error", "0"]
    print(f"Load test: locust on {HOST}: 50 users for 60 s, then 200 users for 30 s", flush=True)
    # locust's own summary covers the last phase only (each phase resets the statistics): its
    # output goes to a file, shown if it fails.
    log = work / "locust.log"
    with open(log, "w", encoding="utf-8") as output:
        done = subprocess.run(
            command, cwd=ROOT, env=env, timeout=LOCUST_DEADLINE, stdout=output, stderr=output
        )
    if done.returncode:
        print(log.read_text(encoding="utf-8")[-3000:])
        raise SystemExit(f"locust failed ({done.returncode}); its output: {log}")


def _report(results: list[dict], log: Path) -> int:
    missed = []
    for phase in results:
        print(f"\n{phase['phase']} ({phase['seconds']} s)")
        print(
            f"  {'page':32} {'req/s':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>6} {'5xx':>5}"
        )
        for row in [*phase["pages"], {**phase["total"], "name": "all pages"}]:
            print(
                f"  {row['name']:32} {row['rps']:>6} {row['p50']:>6} {row['p95']:>6}"
                f" {row['p99']:>6} {row['errors']:>6} {row['5xx']:>5}"
            )
        print(
            f"  gunicorn's workers used {phase['server_cpu_seconds']} s of CPU: "
            f"{phase['server_cpu_ms_per_request']} ms a request"
        )
        for error, count in phase["errors"].items():
            print(f"  error: {error} ({count})")
        p95_max, counted = TARGETS[phase["phase"]]
        missed += [
            f"{phase['phase']}, {row['name']}: p95 {row['p95']} ms (< {p95_max}), "
            f"{row[counted]} {counted} (none)"
            for row in phase["pages"]
            if row["p95"] >= p95_max or row[counted]
        ]
    print("\nTimes in milliseconds, measured by locust on this machine.")
    print(f"gunicorn's log: {log}")
    for target in missed:
        print(f"Target missed: {target}")
    if not missed:
        print("Targets met: 50 users p95 < 200 ms and no error; 200 users p95 < 1.5 s, no 5xx.")
    return 1 if missed else 0


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


if __name__ == "__main__":
    sys.exit(main())

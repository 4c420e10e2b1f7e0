"""gunicorn's settings, read by the image (Dockerfile), docker-compose.yml and the load test
(`make loadtest`): one place, so that what is measured is what runs in production.

The environment may change them: WEB_CONCURRENCY (workers), GUNICORN_WORKER_CLASS,
GUNICORN_THREADS (README.md, "Load test", says what was measured).

Why two gthread workers of eight threads on two cores: a request spends much of its time
waiting for PostgreSQL (ten queries or so), and a sync worker waits with it, so three sync
workers left the cores idle while requests queued (29 requests a second at 200 users, p95
6.4 s). Threads fill those waits; one process per core, since one process runs Python on one
core at a time (the GIL). Each thread keeps its database connection (CONN_MAX_AGE, set by the
image): 16 connections. gevent would need psycopg and every library to be cooperative; it was
not needed.

Each worker warms up before it serves (`post_worker_init`, duos/ops/warmup.py), then freezes
what it loaded out of the garbage collector's walks. Without the warm-up, the first request of a
fresh worker paid about half a second (the views' imports, the catalogs, the templates), and a
restart under traffic, or the load test's first second, queued behind it.
"""

import gc
import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: none


def post_worker_init(worker) -> None:
    """Called in each worker once the application is loaded, before its first request."""
    from duos.ops.warmup import warm_up

    try:
        warm_up()
    except Exception:  # noqa: BLE001 - a worker that could not warm up still serves, colder
        worker.log.exception("Warm-up failed; the worker serves without it.")
    # What is loaded by now lives as long as the worker: out of the collector's sight, a full
    # collection no longer walks it (some 200,000 objects, about 100 ms with the GIL held: every
    # thread of the worker waited, the load test's slowest requests).
    gc.freeze()

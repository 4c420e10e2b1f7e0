"""gunicorn's settings, read by the image (Dockerfile), docker-compose.yml and the load test
(`make loadtest`): one place, so that what is measured is what runs in production.

The environment may change them: WEB_CONCURRENCY (workers), GUNICORN_WORKER_CLASS,
GUNICORN_THREADS (README.md, "Load test", says what was measured and why these defaults).
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: none

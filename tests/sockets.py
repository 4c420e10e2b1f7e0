"""Stand-ins for a service that is down, served by the test itself on 127.0.0.1."""

import socket
import threading
from contextlib import contextmanager


def free_port() -> int:
    """A port nothing listens on: connecting to it is refused at once (a service that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class black_hole:  # noqa: N801 - used as `with black_hole() as port:`
    """A server that accepts connections and never answers, like a stuck Redis or PostgreSQL."""

    def __enter__(self) -> int:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.accepted = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()
        return self.server.getsockname()[1]

    def _accept(self) -> None:
        # Polls for the stop flag instead of blocking in accept() for ever.
        self.server.settimeout(0.1)
        while not self.stop.is_set():
            try:
                self.accepted.append(self.server.accept()[0])
            except OSError:
                continue

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        for conn in self.accepted:
            conn.close()
        self.server.close()


@contextmanager
def database_at(port: int, options: dict | None = None):
    """For the block, the default database is a PostgreSQL server on 127.0.0.1:<port>.

    Every connection the request opens, and the fresh one /healthz opens, go there; the test's
    own connection (and its transaction) comes back untouched afterwards.
    """
    from django.db import connections
    from django.db.backends.postgresql.base import DatabaseWrapper

    real, real_settings = connections["default"], connections.settings["default"]
    moved = {
        **real_settings,
        "ENGINE": "django.db.backends.postgresql",
        "HOST": "127.0.0.1",
        "PORT": port,
        "NAME": "duos",
        "USER": "duos",
        "PASSWORD": "duos",
        "OPTIONS": dict(options or {}),
    }
    elsewhere = DatabaseWrapper(moved, "default")
    connections["default"] = elsewhere
    connections.settings["default"] = moved
    try:
        yield
    finally:
        elsewhere.close()
        connections["default"] = real
        connections.settings["default"] = real_settings


def redis_cache(port: int) -> dict:
    """CACHES["default"] as settings.py builds it from CACHE_URL, for a Redis on <port>."""
    import environ
    from django.conf import settings

    from duos.ops.cache import resilient

    url = f"rediscache://127.0.0.1:{port}/1"
    return resilient(environ.Env.cache_url_config(url), settings.REDIS_TIMEOUT)

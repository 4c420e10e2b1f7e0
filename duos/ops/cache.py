"""The Redis cache, kept usable through a Redis outage (README: "Through an outage").

allauth's rate limits count in the cache, so a cache that raises takes login and sign-up down with
it. While Redis does not answer, each process keeps the cache in its own memory: the rate limits
still hold (per process, so with N workers at most N times the configured limit), and nobody is
locked out. A failed call opens the circuit for RETRY_AFTER seconds, during which no request waits
for Redis again; the outage is logged at most once a minute per process.
"""

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER = 30.0  # seconds spent on the local memory before Redis is asked again
LOG_EVERY = 60.0  # seconds between two errors in the log about the same Redis
LOCAL_MAX_ENTRIES = 10_000

_lock = threading.Lock()
_down_until: dict[str, float] = {}  # per Redis location, for every thread of the process
_logged_at: dict[str, float] = {}


def resilient(config: dict, timeout: float) -> dict:
    """CACHES["default"] from CACHE_URL: a Redis cache becomes ResilientRedisCache, which never
    waits longer than `timeout` seconds to connect or for an answer. Others stay as they are."""
    if config["BACKEND"] != "django.core.cache.backends.redis.RedisCache":
        return config
    options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
    return {
        **config,
        "BACKEND": f"{__name__}.ResilientRedisCache",
        # Options written in CACHE_URL (?socket_timeout=...) win.
        "OPTIONS": {**options, **config.get("OPTIONS", {})},
    }


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ResilientClient


class ResilientClient(RedisCacheClient):
    """Django's Redis client; each call goes to this process's memory while Redis is down."""

    def __init__(self, servers, **options) -> None:
        super().__init__(servers, **options)
        self._location = ",".join(servers)
        self._local = LocMemCache(
            f"redis-fallback:{self._location}",
            {"TIMEOUT": None, "OPTIONS": {"MAX_ENTRIES": LOCAL_MAX_ENTRIES}},
        )

    def ping(self) -> None:
        """Ask Redis itself (for /healthz): raises while it does not answer."""
        self.get_client(write=True).ping()

    def _call(self, name: str, *args):
        if time.monotonic() >= _down_until.get(self._location, 0.0):
            try:
                return getattr(super(), name)(*args)
            except RedisError as error:
                self._redis_failed(error)
        # The arguments are already the backend's: full keys, timeouts in seconds or None.
        return getattr(self._local, name)(*args)

    def _redis_failed(self, error: RedisError) -> None:
        now = time.monotonic()
        with _lock:
            _down_until[self._location] = now + RETRY_AFTER
            if now - _logged_at.get(self._location, -LOG_EVERY) < LOG_EVERY:
                return
            _logged_at[self._location] = now
        logger.error(
            "Redis cache %s does not answer (%s: %s); this process keeps the cache and the "
            "rate limits in its own memory and asks Redis again every %d s.",
            self._location,
            type(error).__name__,
            error,
            RETRY_AFTER,
        )

    def add(self, key, value, timeout):
        return self._call("add", key, value, timeout)

    def get(self, key, default):
        return self._call("get", key, default)

    def set(self, key, value, timeout):
        return self._call("set", key, value, timeout)

    def touch(self, key, timeout):
        return self._call("touch", key, timeout)

    def delete(self, key):
        return self._call("delete", key)

    def get_many(self, keys):
        return self._call("get_many", list(keys))

    def has_key(self, key):
        return self._call("has_key", key)

    def incr(self, key, delta):
        return self._call("incr", key, delta)

    def set_many(self, data, timeout):
        return self._call("set_many", data, timeout)

    def delete_many(self, keys):
        return self._call("delete_many", keys)

    def clear(self):
        return self._call("clear")

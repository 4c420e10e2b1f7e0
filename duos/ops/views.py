"""The home page, /healthz, and the page that answers while the database is down."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from duos.ops import health

# Seconds a browser or a proxy is asked to wait before trying a 503 page again.
RETRY_AFTER = 30


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, broker and cache status as JSON, each part by name.

    503 when the database or the broker is down. Without the cache the site works on (README:
    "Through an outage"): 200 and "degraded". While the database and the broker are up it also
    sends a heartbeat task (at most once a minute), so the report shows that a worker executes
    what the web process sends and what beat schedules.
    """
    checks = {
        "database": health.check_database(),
        "broker": health.check_broker(),
        "cache": health.check_cache(),
    }
    serving = checks["database"]["ok"] and checks["broker"]["ok"]
    if serving:
        health.ping_worker_from_web()
    status = "unavailable" if not serving else "ok" if checks["cache"]["ok"] else "degraded"
    report = {"status": status, **checks}
    if checks["database"]["ok"]:
        report["workers"] = health.heartbeats()
    return JsonResponse(report, status=200 if serving else 503)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database that is down or too slow answers a plain 503, anything else 500.

    The page needs no database (no session, no user, no context processor) and is written in the
    visitor's language, taken from the request alone (cookie, then Accept-Language).
    """
    if not isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return defaults.server_error(request)
    with translation.override(translation.get_language_from_request(request)):
        content = render_to_string("503.html")
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response

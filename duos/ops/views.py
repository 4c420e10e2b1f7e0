"""TODO docstring"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from duos.ops import health


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker status as JSON; 503 when either is down.

    While both are up it also sends a heartbeat task (at most once a minute), so the report
    shows that a worker executes what the web process sends and what beat schedules.
    """
    checks = {"database": health.check_database(), "broker": health.check_broker()}
    healthy = all(check["ok"] for check in checks.values())
    if healthy:
        health.ping_worker_from_web()
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks, "workers": health.heartbeats()}
        if checks["database"]["ok"]
        else {"status": "unavailable", **checks},
        status=200 if healthy else 503,
    )

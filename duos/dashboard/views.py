"""The programme dashboard's pages and CSV downloads, for the team."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from duos.dashboard.exports import CHECKIN_COLUMNS, DUO_COLUMNS, checkin_rows, duo_rows
from duos.dashboard.selectors import cached_dashboard_context
from duos.lib.access import DASHBOARD_PERMISSIONS as PERMISSIONS
from duos.lib.access import require_staff
from duos.lib.csv import _csv_response


@never_cache
@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    require_staff(request.user, *PERMISSIONS)
    context = cached_dashboard_context(timezone.localdate())
    return render(request, "duos/dashboard.html", context)


@never_cache
@login_required
@require_GET
def duos_csv(request: HttpRequest) -> StreamingHttpResponse:
    require_staff(request.user, *PERMISSIONS)
    return _csv_response("duos.csv", [name for name, _f in DUO_COLUMNS], duo_rows())


@never_cache
@login_required
@require_GET
def checkins_csv(request: HttpRequest) -> StreamingHttpResponse:
    require_staff(request.user, *PERMISSIONS)
    return _csv_response("checkins.csv", [name for name, _f in CHECKIN_COLUMNS], checkin_rows())

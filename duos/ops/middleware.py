"""Request-wide rules: hostile input refused, security and cache headers on every page."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _


def _has_nul(values: dict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in vals) for key, vals in values.lists())


class RejectNulBytesMiddleware:
    """Answer 400 to a NUL byte anywhere in the query string or the form.

    PostgreSQL cannot store NUL in text, so such a value would otherwise reach the database
    (a filter, a search) and fail there with a 500.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            return HttpResponseBadRequest(_("The request contains a forbidden character."))
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Every response denies the browser features the site never uses (PERMISSIONS_POLICY)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class PrivateCacheMiddleware:
    """A page answered to a signed-in person holds personal data: no cache may keep it.

    Views that say how they may be cached (never_cache, a download's own header) keep their say.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Cache-Control" not in response.headers and request.user.is_authenticated:
            response.headers["Cache-Control"] = "no-store, private"
        return response

"""What every page's template reads: the programme's address and the team's menu."""

from django.conf import settings
from django.http import HttpRequest

from duos.lib.staff_areas import staff_areas


def programme(request: HttpRequest) -> dict:
    return {"PROGRAMME_EMAIL": settings.PROGRAMME_EMAIL}


def staff_menu(request: HttpRequest) -> dict:
    """`staff_menu`: (url, label, is the current page) of each area the user may open."""
    areas = staff_areas(getattr(request, "user", None))
    return {"staff_menu": [(area.url, area.label, request.path == area.url) for area in areas]}

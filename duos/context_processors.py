from django.conf import settings
from django.http import HttpRequest


def programme(request: HttpRequest) -> dict:
    return {"PROGRAMME_EMAIL": settings.PROGRAMME_EMAIL}

"""The Sites framework's one row, named after the programme and pointing at SITE_URL.

allauth reads it (`get_current_site`) for the name and domain its emails and pages may show;
without it, they would show the request's host ("127.0.0.1:18431"). Kept in step with the
settings after every `migrate`, so `make run` on another PORT (a new SITE_URL) updates it.
"""

from urllib.parse import urlsplit

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.sites.management import create_default_site
from django.db import DEFAULT_DB_ALIAS, router


def site_domain() -> str:
    """SITE_URL's host and port, as the Sites framework stores a domain."""
    return urlsplit(settings.SITE_URL).netloc


def sync_site(*, using: str = DEFAULT_DB_ALIAS, apps=global_apps, **kwargs) -> None:
    """post_migrate: set Site(SITE_ID)'s name and domain from the settings; idempotent."""
    try:
        site_model = apps.get_model("sites", "Site")
    except LookupError:
        return  # a partial migrate that has not reached the sites app yet
    if not router.allow_migrate_model(using, site_model):
        return
    # Django's own creation first: it also resets the id sequence after the explicit pk.
    create_default_site(global_apps.get_app_config("sites"), verbosity=0, using=using, apps=apps)
    wanted = {"name": settings.SITE_NAME, "domain": site_domain()}
    site_model.objects.using(using).update_or_create(pk=settings.SITE_ID, defaults=wanted)
    # get_current_site caches the row by SITE_ID for the life of the process.
    global_apps.get_model("sites", "Site").objects.clear_cache()

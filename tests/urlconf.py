"""The site's URLconf as it loads under another EMAIL_PROVIDER.

duos/urls.py mounts the provider's tracking webhook when it loads, once per process (the
provider comes from the environment). A test that changes the provider loads a fresh copy
of duos/urls.py under it and points ROOT_URLCONF at that copy; both are undone after."""

import importlib.util
import sys

from django.contrib import admin


def mount_site_urls(settings, monkeypatch, provider: str) -> None:
    """Serve the site's URLs as duos/urls.py mounts them with EMAIL_PROVIDER=provider."""
    settings.EMAIL_PROVIDER = provider
    # Each load of duos/urls.py wraps the admin's login once more: the original comes back.
    monkeypatch.setattr(admin.site, "login", admin.site.login)
    spec = importlib.util.find_spec("duos.urls")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    name = "tests.site_urls_with_" + (provider.replace(".", "_") or "no_provider")
    monkeypatch.setitem(sys.modules, name, module)
    # Changing ROOT_URLCONF clears Django's URL caches (and again when it is restored).
    settings.ROOT_URLCONF = name

"""Every page the app knows loads nothing from another host (no CDN, font or script)."""

from html.parser import HTMLParser
from http import HTTPStatus
from urllib.parse import urlparse

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

# (tag, attribute) pairs through which a browser loads or sends something by itself.
LOADING_ATTRIBUTES = {
    ("script", "src"),
    ("link", "href"),
    ("img", "src"),
    ("img", "srcset"),
    ("iframe", "src"),
    ("source", "src"),
    ("source", "srcset"),
    ("video", "src"),
    ("audio", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("form", "action"),
    ("input", "src"),
}


class LoadedUrls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_styles: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if (tag, name) in LOADING_ATTRIBUTES and value:
                self.urls.extend(part.split()[0] for part in value.split(",") if part.strip())
            if name == "style" and value and "url(" in value:
                self.inline_styles.append(value)


def named_urls_without_arguments(patterns=None, namespace="") -> list[str]:
    names = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names += named_urls_without_arguments(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            try:
                reverse(f"{namespace}{entry.name}")
            except NoReverseMatch:
                continue
            names.append(f"{namespace}{entry.name}")
    return sorted(set(names))


def foreign(url: str) -> bool:
    parsed = urlparse(url)
    return bool(parsed.netloc) or parsed.scheme not in {"", "data"}


@pytest.mark.parametrize("as_staff", [False, True], ids=["anonymous", "staff"])
def test_no_page_loads_anything_from_another_host(client, admin_client, as_staff):
    # The staff case browses as a superuser (every page opens to them).
    if as_staff:
        client = admin_client
    checked = 0
    for name in named_urls_without_arguments():
        response = client.get(reverse(name), follow=True)
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, name
        parser = LoadedUrls()
        parser.feed(response.content.decode())
        assert not [u for u in parser.urls if foreign(u)], f"{name} loads {parser.urls}"
        assert not parser.inline_styles, name
        checked += 1
    assert checked >= 10

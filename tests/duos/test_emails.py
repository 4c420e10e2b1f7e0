"""Links in emails: `token_url` gives what reverse() gives, without a reverse per email."""

import pytest
from django.core import signing
from django.urls import reverse, set_script_prefix

from duos.lib.emails import absolute_url, token_url


@pytest.mark.parametrize("name", ["duos:checkin", "duos:answer", "duos:report_link"])
def test_token_url_is_the_reversed_url_of_the_token(name):
    token = signing.dumps({"r": 12345, "a": "not_yet"}, salt="any")

    assert token_url(name, token) == absolute_url(reverse(name, args=[token]))


def test_token_url_follows_the_script_prefix():
    token = signing.dumps({"r": 1}, salt="any")
    try:
        set_script_prefix("/duos/")

        assert token_url("duos:checkin", token) == absolute_url(
            reverse("duos:checkin", args=[token])
        )
        assert "/duos/duo/suivi/" in token_url("duos:checkin", token)
    finally:
        set_script_prefix("/")

"""Every email has one HTML layout (templates/emails/base.html) and one text footer."""

import html
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import translation

EMAILS = Path(__file__).resolve().parents[2] / "templates" / "emails"
NAMES = sorted(path.parent.name for path in EMAILS.glob("*/body.html"))
SIGNATURE = "The Duos de demain team, France terre d'asile"


@pytest.mark.parametrize("name", NAMES)
def test_email_layout_every_html_body_extends_the_base(name):
    source = (EMAILS / name / "body.html").read_text()

    assert source.startswith('{% extends "emails/base.html" %}')
    assert "<html" not in source and "<body" not in source and "doctype" not in source.lower()


@pytest.mark.parametrize("name", [n for n in NAMES if n != "complete_profile"])
def test_email_layout_every_text_body_ends_with_the_shared_footer(name):
    source = (EMAILS / name / "body.txt").read_text()

    assert source.rstrip().endswith('{% include "emails/_footer.txt" %}\n{% endautoescape %}')
    assert SIGNATURE not in source


@pytest.mark.parametrize("language", ["fr", "en"])
def test_email_layout_gives_the_language_and_signs_once(language):
    context = {"person": {"first_name": "Amina"}, "link": "https://example.org/l"}
    with translation.override(language):
        body = render_to_string("emails/validated/body.html", context)
        text = render_to_string("emails/validated/body.txt", context)
        signature = translation.gettext(SIGNATURE)

    assert body.startswith("<!doctype html>")
    assert f'<html lang="{language}">' in body
    assert html.unescape(body).count(signature) == 1
    # The text footer is not HTML-escaped (the apostrophe of "d'asile" stays one).
    assert text.rstrip().endswith(signature)

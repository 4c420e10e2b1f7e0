"""What every form of the app shares."""

import re

from django.http import QueryDict

LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _replace_surrogates(value):
    return LONE_SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value


def clean_text_data(data):
    """Form data as HTTP would deliver it: a lone surrogate (unencodable) becomes U+FFFD.

    Django decodes request bodies this way already; forms fed from elsewhere (tests, imports)
    get the same, so no password hasher or database driver meets an unencodable string.
    """
    if data is None:
        return None
    if isinstance(data, QueryDict):
        cleaned = QueryDict(mutable=True)
        for key, values in data.lists():
            cleaned.setlist(_replace_surrogates(key), [_replace_surrogates(v) for v in values])
        return cleaned
    return {_replace_surrogates(k): _replace_surrogates(v) for k, v in data.items()}


# Typed left to right whatever the page's direction: emails, phones, URLs, postal codes, years.
LEFT_TO_RIGHT_INPUTS = {"email", "tel", "url"}
LEFT_TO_RIGHT_MODES = {"email", "tel", "numeric", "decimal", "url"}


def isolate_left_to_right(form) -> None:
    """dir="ltr" on the inputs whose value reads left to right, also in a right-to-left page."""
    for field in form.fields.values():
        widget = field.widget
        if (
            getattr(widget, "input_type", None) in LEFT_TO_RIGHT_INPUTS
            or widget.attrs.get("type") in LEFT_TO_RIGHT_INPUTS
            or widget.attrs.get("inputmode") in LEFT_TO_RIGHT_MODES
        ):
            widget.attrs.setdefault("dir", "ltr")


class CleanTextMixin:
    """Put first in a form's bases: see clean_text_data (and isolate_left_to_right)."""

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(clean_text_data(data), *args, **kwargs)
        isolate_left_to_right(self)

"""`{% load locale_formats %}`: dates, times and numbers in the active language (duos/lib/formats).

{{ day|ldate }}  {{ day|ldate:"short" }}  {{ day|ldate:"full" }}
{{ moment|ldatetime }}  {{ moment|ldatetime:"long" }}  {{ moment|ltime }}
{{ count|lnumber }}  {{ value|lnumber:1 }}
{{ person.phone|bdi }}: a left-to-right value isolated in a right-to-left page (HTML only)
"""

from django import template
from django.utils.html import format_html

from duos.lib import formats

register = template.Library()


@register.filter
def ldate(value, style="long"):
    return formats.format_day(value, style if style in formats.DATE_STYLES else "long")


@register.filter
def ldatetime(value, style="short"):
    return formats.format_moment(value, style if style in formats.DATE_STYLES else "short")


@register.filter
def ltime(value):
    return formats.format_clock(value)


@register.filter
def lnumber(value, decimals=None):
    return formats.format_number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def bdi(value):
    """<bdi dir="ltr">value</bdi>: an email, a phone, a postal code kept in its own order."""
    if value in (None, ""):
        return ""
    return format_html('<bdi dir="ltr">{}</bdi>', value)

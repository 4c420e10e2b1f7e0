"""`{% load followup_tags %}`: a duo's timeline, its months as steps (duos/followup/timeline.py).

{% timeline row.months %}

Drawn here rather than by a template: the follow-up page shows fifty timelines, some 300 months,
and rendering a month's few lines through the template engine cost more than all the rest of
the page's rendering (about 20 ms a request). The markup is the same; every text is escaped
before it is joined.
"""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from duos.followup.timeline import status_labels

register = template.Library()


@register.simple_tag
def timeline(months) -> SafeString:
    """An <ol> of the months (timeline.MonthCell): the month, its status and whether it is the
    current one or still takes answers."""
    if not months:
        items = format_html("<li>{}</li>", gettext("Not started"))
    else:
        items = mark_safe("\n".join(_items(months)))  # noqa: S308 - each part escaped in _items
    return format_html(
        '<ol class="timeline" aria-label="{}">\n{}\n</ol>', gettext("Months of the duo"), items
    )


def _items(months) -> list[str]:
    # Each text translated and escaped once per timeline, not once per month.
    colon = conditional_escape(pgettext("between a label and its value", ":"))
    labels = {status: conditional_escape(label) for status, label in status_labels().items()}
    current = format_html(' <span class="visually-hidden">({})</span>', gettext("current month"))
    still_open = format_html(" · {}", gettext("open"))
    names: dict[int, str] = {}
    items = []
    for cell in months:
        if cell.month not in names:
            names[cell.month] = conditional_escape(cell.name)
        items.append(
            f'<li class="{conditional_escape(cell.status)}{" current" if cell.current else ""}">'
            f"{names[cell.month]}{colon} <strong>{labels[cell.status]}</strong>"
            f"{current if cell.current else ''}{still_open if cell.open else ''}</li>"
        )
    return items

"""`{% load followup_tags %}`: a duo's timeline, its months as steps (duos/followup/timeline.py).

{% timeline row.months %}  {% flags row %}

Drawn here rather than by a template: the follow-up page shows fifty timelines, some 300 months,
and rendering a month's few lines through the template engine cost more than all the rest of
the page's rendering (about 20 ms a request). The markup is the same; every text is escaped
before it is joined.
"""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext, pgettext

from duos.followup.timeline import STATUS_LABELS, status_labels
from duos.lib.formats import format_day

register = template.Library()


@register.simple_tag(takes_context=True)
def timeline(context, months) -> SafeString:
    """An <ol> of the months (timeline.MonthCell): the month, its status and whether it is the
    current one or still takes answers."""
    texts = _texts(context)
    # Each part escaped in _items.
    items = mark_safe("\n".join(_items(months, texts))) if months else texts["not_started"]  # noqa: S308
    return format_html('<ol class="timeline" aria-label="{}">\n{}\n</ol>', texts["label"], items)


def _texts(context) -> dict:
    """The timeline's texts in the active language, translated and escaped once per page (kept
    in its render context): the follow-up page draws fifty timelines."""
    key = (__name__, get_language())
    texts = context.render_context.get(key)
    if texts is None:
        texts = context.render_context[key] = {
            "label": gettext("Months of the duo"),
            "not_started": format_html("<li>{}</li>", gettext("Not started")),
            "colon": conditional_escape(pgettext("between a label and its value", ":")),
            "labels": {
                status: conditional_escape(label) for status, label in status_labels().items()
            },
            "classes": {status: conditional_escape(status) for status in STATUS_LABELS},
            "current": format_html(
                ' <span class="visually-hidden">({})</span>', gettext("current month")
            ),
            "open": format_html(" · {}", gettext("open")),
            # Each month's name, "Month N", as the cells say it.
            "names": {},
        }
    return texts


def _items(months, texts: dict) -> list[str]:
    colon, labels, classes, names = (
        texts["colon"],
        texts["labels"],
        texts["classes"],
        texts["names"],
    )
    current, still_open = texts["current"], texts["open"]
    items = []
    for cell in months:
        if cell.month not in names:
            names[cell.month] = conditional_escape(cell.name)
        items.append(
            f'<li class="{classes[cell.status]}{" current" if cell.current else ""}">'
            f"{names[cell.month]}{colon} <strong>{labels[cell.status]}</strong>"
            f"{current if cell.current else ''}{still_open if cell.open else ''}</li>"
        )
    return items


@register.simple_tag
def flags(row) -> SafeString:
    """What to know of a row's duo (timeline.DuoFollowup) before calling: paused, suspended,
    extended, a side unreachable by email. A tag for the follow-up page's 70 rows, where an
    included template cost more than the rest of a row. Escaped as the template did: a
    {% blocktranslate %}'s translation is trusted and its values escaped, a {% translate %}
    escaped."""
    duo = row.duo
    paused = suspended = extended = ""
    if duo.paused_at:
        paused = _flag("flag", gettext("Paused since %(since)s"), since=_short(duo.paused_at))
    if duo.suspended_at:
        since = _short(duo.suspended_at)
        suspended = _flag("flag alert", gettext("Suspended since %(since)s"), since=since)
    if duo.extra_months:
        months = duo.extra_months
        text = ngettext("Extended by %(months)s month", "Extended by %(months)s months", months)
        extended = _flag("flag", text, months=months)
    unreachable = "".join(
        _flag(
            "flag alert",
            conditional_escape(
                gettext("Sponsor unreachable by email")
                if side == "sponsor"
                else gettext("Refugee unreachable by email")
            ),
        )
        for side in row.unreachable
    )
    return mark_safe(f"{paused}\n{suspended}\n{extended}\n{unreachable}\n")  # noqa: S308


def _short(moment) -> str:
    return format_day(moment, "short")


def _flag(css: str, text: str, **values) -> str:
    if values:
        text %= {name: conditional_escape(value) for name, value in values.items()}
    return f'<span class="{css}">{text}</span>'

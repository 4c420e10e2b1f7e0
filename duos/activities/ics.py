"""A group activity as an .ics file for people's calendars."""

from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from duos.lib.emails import absolute_url
from duos.lib.ics import _ics_time, ics_escape, ics_fold
from duos.models import (
    GroupActivity,
)


def activity_calendar(activity: GroupActivity, *, now: datetime | None = None) -> str:
    """An iCalendar file (RFC 5545) with the activity as one event, times in UTC."""
    host = urlsplit(settings.SITE_URL).hostname or "duos-de-demain"
    page = absolute_url(reverse("duos:activity", args=[activity.pk]))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//France terre d'asile//Duos de demain//FR",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:activity-{activity.pk}@{host}",
        f"DTSTAMP:{_ics_time(now or timezone.now())}",
        f"DTSTART:{_ics_time(activity.starts_at)}",
        f"DTEND:{_ics_time(activity.ends_at)}",
        f"SUMMARY:{ics_escape(activity.title)}",
        f"LOCATION:{ics_escape(activity.place)}",
        f"DESCRIPTION:{ics_escape(activity.description)}",
        f"URL:{page}",
        f"STATUS:{'CANCELLED' if activity.cancelled_at else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(ics_fold(line) + "\r\n" for line in lines)

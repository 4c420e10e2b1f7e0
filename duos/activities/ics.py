"""A group activity as an .ics file for people's calendars.

The event keeps its UID; its SEQUENCE and LAST-MODIFIED grow with each change people must see
(`GroupActivity.sequence`), so a calendar that imported it replaces it when it is moved.
"""

from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Event

from duos.lib.emails import absolute_url
from duos.lib.ics import calendar_file, utc
from duos.models import GroupActivity


def activity_event(activity: GroupActivity, *, now: datetime | None = None) -> Event:
    host = urlsplit(settings.SITE_URL).hostname or "duos-de-demain"
    event = Event()
    event.add("uid", f"activity-{activity.pk}@{host}")
    event.add("dtstamp", utc(now or timezone.now()))
    event.add("sequence", activity.sequence)
    event.add("last-modified", utc(activity.changed_at))
    event.add("dtstart", utc(activity.starts_at))
    event.add("dtend", utc(activity.ends_at))
    event.add("summary", activity.title)
    event.add("location", activity.place)
    event.add("description", activity.description)
    event.add("url", absolute_url(reverse("duos:activity", args=[activity.pk])))
    event.add("status", "CANCELLED" if activity.cancelled_at else "CONFIRMED")
    return event


def activity_calendar(activity: GroupActivity, *, now: datetime | None = None) -> bytes:
    """An iCalendar file (RFC 5545) with the activity as one event, times in UTC."""
    return calendar_file(activity_event(activity, now=now))

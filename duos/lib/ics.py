"""Calendar files (RFC 5545), written by the icalendar package: it escapes the text values, folds
the lines at 75 octets (never inside a character) and ends each with CRLF."""

from datetime import UTC, datetime

from icalendar import Calendar, Event

PRODID = "-//France terre d'asile//Duos de demain//FR"


def calendar_file(*events: Event) -> bytes:
    """A calendar to publish (METHOD:PUBLISH) holding `events`."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()


def utc(moment: datetime) -> datetime:
    """Times are written in UTC: every calendar reads them, with no time zone to describe."""
    return moment.astimezone(UTC)

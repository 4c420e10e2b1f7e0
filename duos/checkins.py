"""The page behind the "we met" and "not yet" links of a monthly reminder.

As for introductions (duos/answers.py): no login, the signed link is the proof, and a GET
changes nothing because mail scanners follow links. The first page has one button; once the
answer is recorded, optional buttons add what they did and, in month 3, how it is going.
"""

from datetime import timedelta
from http import HTTPStatus

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from duos import calendar, reminders
from duos.models import Activity, CheckIn

MOODS = [(n, str(n)) for n in range(1, 6)]


class CheckInForm(forms.Form):
    """What one press of a button adds: nothing (the answer alone), an activity or a mood."""

    activity = forms.ChoiceField(choices=Activity.choices, required=False)
    mood = forms.TypedChoiceField(choices=MOODS, coerce=int, required=False, empty_value=None)

    def __init__(self, *args, link: reminders.CheckInLink, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.link = link

    def clean_activity(self) -> str:
        activity = self.cleaned_data["activity"]
        if activity and not self.link.met:
            raise forms.ValidationError(
                _("An activity goes with a meeting."), code="activity_without_meeting"
            )
        return activity

    def clean_mood(self) -> int | None:
        mood = self.cleaned_data["mood"]
        if mood is not None and self.link.reminder.month != calendar.MIDWAY_MONTH:
            raise forms.ValidationError(
                _("This question is asked in the third month only."), code="mood_not_asked"
            )
        return mood


@never_cache
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = reminders.read_checkin_token(token)
    except reminders.InvalidCheckInLink as error:
        status = HTTPStatus.GONE if error.expired else HTTPStatus.BAD_REQUEST
        return render(
            request, "duos/checkin_invalid.html", {"expired": error.expired}, status=status
        )
    reminder = link.reminder
    recorded = False
    status = HTTPStatus.OK
    if request.method == "POST":
        form = CheckInForm(request.POST, link=link)
        if form.is_valid():
            reminders.checkin_record(
                reminder=reminder,
                met=link.met,
                activity=form.cleaned_data["activity"],
                mood=form.cleaned_data["mood"],
            )
            recorded = True
        else:
            status = HTTPStatus.BAD_REQUEST
    current = CheckIn.objects.filter(
        duo_id=reminder.duo_id, month=reminder.month, side=reminder.side
    ).first()
    side = reminder.side
    context = {
        "link": link,
        "duo": link.duo,
        "person": getattr(link.duo, side),
        "other": getattr(link.duo, "refugee" if side == "sponsor" else "sponsor"),
        "month": reminder.month,
        "last_day": link.window.closes_on - timedelta(days=1),
        "current": current,
        # This link's answer is the one on record: the optional questions may follow.
        "answered": current is not None and current.met == link.met,
        "recorded": recorded,
        "midway": reminder.month == calendar.MIDWAY_MONTH,
        "activities": Activity.choices,
        "moods": [n for n, _label in MOODS],
        "invalid": status == HTTPStatus.BAD_REQUEST,
    }
    return render(request, "duos/checkin.html", context, status=status)

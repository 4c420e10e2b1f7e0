"""The page behind the "we met" and "not yet" links of a monthly reminder.

As for introductions (duos/lifecycle/views.py): no login, the signed link is the proof, and a GET
changes nothing because mail scanners follow links. The first page has one button; once the
answer is recorded, optional buttons add what they did and, in month 3, how it is going.

The participant page (/mon-duo/, a social worker's /referent/duo/<pk>/) answers the same open
month while logged in, with a POST form: the login is the proof, and the record is the links'.
"""

from datetime import timedelta
from http import HTTPStatus

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import get_own_person, get_referred_person
from accounts.decorators import member_required
from duos.followup import checkins
from duos.followup.forms import MOODS, CheckInForm, MonthAnswerForm, SurveyForm
from duos.followup.participant import (
    CheckInRefused,
    checkin_from_page,
    participant_context,
)
from duos.followup.survey import SurveyLink, survey_expires_at, survey_link, survey_record
from duos.lib.links import CHECKIN, SURVEY, opens_link
from duos.lifecycle import schedule
from duos.models import (
    Activity,
    CheckIn,
    SurveyAnswer,
)


@never_cache
@require_http_methods(["GET", "POST"])
@opens_link(CHECKIN, resolve=checkins.checkin_link)
def checkin(request: HttpRequest, link: checkins.CheckInLink) -> HttpResponse:
    reminder = link.reminder
    recorded = False
    status = HTTPStatus.OK
    if request.method == "POST":
        form = CheckInForm(request.POST, link=link)
        if form.is_valid():
            checkins.checkin_record(
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
        "midway": reminder.month == schedule.MIDWAY_MONTH,
        "activities": Activity.choices,
        "moods": [n for n, _label in MOODS],
        "invalid": status == HTTPStatus.BAD_REQUEST,
    }
    return render(request, "duos/checkin.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@opens_link(SURVEY, resolve=survey_link)
def survey(request: HttpRequest, link: SurveyLink) -> HttpResponse:
    current = SurveyAnswer.objects.filter(duo=link.duo, side=link.side).first()
    recorded = False
    status = HTTPStatus.OK
    if request.method == "POST":
        form = SurveyForm(request.POST, link=link)
        if form.is_valid():
            current = survey_record(duo=link.duo, side=link.side, **form.cleaned_data)
            recorded = True
        else:
            status = HTTPStatus.BAD_REQUEST
    else:
        initial = {}
        if current is not None:
            initial = {
                "rating": current.rating,
                "keep_in_touch": current.keep_in_touch,
                "suggestion": current.suggestion,
            }
        form = SurveyForm(initial=initial, link=link)
    context = {
        "link": link,
        "duo": link.duo,
        "person": link.person,
        "other": link.other,
        "form": form,
        "current": current,
        "recorded": recorded,
        "last_day": timezone.localdate(survey_expires_at(link.duo)) - timedelta(days=1),
    }
    return render(request, "duos/survey.html", context, status=status)


@never_cache
@member_required
@require_GET
def my_duo(request: HttpRequest) -> HttpResponse:
    person = get_own_person(request.user)
    return render(request, "duos/participant.html", participant_context(person))


@never_cache
@member_required
@require_GET
def referred_duo(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_referred_person(request.user, pk)
    return render(request, "duos/participant.html", participant_context(person))


@never_cache
@member_required
@require_POST
def my_duo_checkin(request: HttpRequest) -> HttpResponse:
    return _answer_month(request, get_own_person(request.user), "duos:my_duo")


@never_cache
@member_required
@require_POST
def referred_duo_checkin(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_referred_person(request.user, pk)
    return _answer_month(request, person, "duos:referred_duo", pk=person.pk)


def _answer_month(request: HttpRequest, person, page: str, **kwargs) -> HttpResponse:
    """The open month answered from the participant page, logged in; the same record as the
    email's "we met" / "not yet" links. A refusal shows the page again with why."""
    form = MonthAnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise CheckInRefused("invalid")
        checkin_from_page(person=person, reminder_pk=form.cleaned_data["reminder"], met=form.met)
    except CheckInRefused as refusal:
        context = participant_context(person) | {"checkin_refusal": refusal.message}
        return render(request, "duos/participant.html", context, status=refusal.status)
    messages.success(request, _("Thank you! Your answer is recorded."))
    return redirect(page, **kwargs)

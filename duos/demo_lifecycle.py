"""Demo data of the duo lifecycle, for `make run`: duos at every month of their six with their
check-ins, a duo to call first with an open report, completed duos with their closing surveys,
and group activities (one to come, one past with its attendance).

Rows are written directly (the services would send emails for months long past). Reminders of
past months are recorded as sent, so the first sweep of `make run` sends only what is due now.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import CandidateState, Person, User
from duos import calendar
from duos.models import (
    Activity,
    Answer,
    CheckIn,
    Duo,
    DuoNote,
    DuoState,
    GroupActivity,
    KeepInTouch,
    Registration,
    RegistrationState,
    Reminder,
    ReminderKind,
    Report,
    ReportCategory,
    Side,
    SurveyAnswer,
)

# What each demo duo did, month by month: "met" with an activity, "not" (not yet), or None (no
# answer). One list per side would be more real; both sides answer alike here, except the mood.
ACTIVITIES = [Activity.COFFEE, Activity.WALK, Activity.CULTURE, Activity.OTHER]


@dataclass(frozen=True)
class DemoDuo:
    in_month: int  # the month the duo is in today; 7 = completed
    answers: tuple  # per past month: "met", "not" or None
    mood: int | None = None  # the month-3 answer, if asked already
    call_first: bool = False
    extra_months: int = 0
    paused_days: int = 0  # paused by the team that many days ago (e.g. for the summer)


DEMO_DUOS = [
    DemoDuo(in_month=1, answers=()),
    DemoDuo(in_month=2, answers=("met",)),
    DemoDuo(in_month=3, answers=("met", "met")),
    DemoDuo(in_month=4, answers=("met", "met", "met"), mood=5),
    # Nothing since month 2, a low mid-way answer and an open report: the team calls them first.
    DemoDuo(in_month=5, answers=("met", "not", "not", None), mood=2, call_first=True),
    DemoDuo(in_month=6, answers=("met", "met", "not", "met", "met"), mood=4, extra_months=1),
    DemoDuo(in_month=7, answers=("met",) * 6, mood=5),
    DemoDuo(in_month=7, answers=("met", "met", "not", "met", "met", "met"), mood=4),
    DemoDuo(in_month=3, answers=("met", "met"), paused_days=5),
]


def load_lifecycle(*, staff: User, pairs: list[tuple[Person, Person]], now: datetime) -> int:
    """Give each (sponsor, refugee) pair one of DEMO_DUOS; return how many duos were created."""
    created = 0
    for (sponsor, refugee), demo in zip(pairs, DEMO_DUOS, strict=False):
        if Duo.objects.filter(sponsor=sponsor, refugee=refugee).exists():
            continue
        _demo_duo(sponsor, refugee, demo, staff=staff, now=now)
        created += 1
    if created:
        _activities(staff, [person for pair in pairs for person in pair], now=now)
    return created


def _demo_duo(sponsor: Person, refugee: Person, demo: DemoDuo, *, staff: User, now) -> Duo:
    completed = demo.in_month > calendar.MONTHS
    # Ten days into its current month (into the month after the last, once completed).
    started = calendar.add_months(timezone.localdate(now), -(demo.in_month - 1)) - timedelta(
        days=10
    )
    started_at = timezone.make_aware(datetime.combine(started, datetime.min.time())) + timedelta(
        hours=18
    )
    duo = Duo.objects.create(
        sponsor=sponsor,
        refugee=refugee,
        state=DuoState.COMPLETED if completed else DuoState.ACTIVE,
        created_by=staff,
        expires_at=started_at,
        sponsor_answer=Answer.ACCEPTED,
        sponsor_answered_at=started_at - timedelta(days=2),
        refugee_answer=Answer.ACCEPTED,
        refugee_answered_at=started_at,
        started_at=started_at,
        ended_at=now - timedelta(days=10) if completed else None,
        extra_months=demo.extra_months,
        paused_at=now - timedelta(days=demo.paused_days) if demo.paused_days else None,
    )
    Duo.objects.filter(pk=duo.pk).update(created_at=started_at - timedelta(days=4))
    state = CandidateState.DUO_ENDED if completed else CandidateState.IN_DUO
    Person.objects.filter(pk__in=[sponsor.pk, refugee.pk]).update(state=state)
    _past_reminders(duo, now=now, completed=completed)
    _checkins(duo, demo, now=now)
    if completed:
        _surveys(duo, demo, now=now)
    if demo.call_first:
        _trouble(duo, staff=staff, now=now)
    return duo


def _past_reminders(duo: Duo, *, now, completed: bool) -> None:
    """The reminders already due, recorded as sent: the demo's sweep starts from today."""
    today = timezone.localdate(now)
    rows = []
    for month in range(1, calendar.duo_months(duo) + 1):
        window = calendar.month_window(duo, month)
        if window.reminder_on <= today:
            rows += [
                Reminder(duo=duo, month=month, side=side, sent_at=window.reminder_at())
                for side in Side.values
            ]
    if completed:
        rows += [
            Reminder(
                duo=duo,
                month=calendar.MONTHS + 1,
                side=side,
                kind=ReminderKind.CLOSING,
                sent_at=duo.ended_at,
            )
            for side in Side.values
        ]
    Reminder.objects.bulk_create(rows)


def _checkins(duo: Duo, demo: DemoDuo, *, now) -> None:
    rows = []
    for month, answer in enumerate(demo.answers, start=1):
        if answer is None:
            continue
        answered_at = min(calendar.month_window(duo, month).reminder_at() + timedelta(days=2), now)
        for side in Side.values:
            mood = None
            if month == calendar.MIDWAY_MONTH and demo.mood is not None:
                # The refugee of the duo to call first is less happy than the sponsor.
                mood = demo.mood if side == Side.REFUGEE else min(5, demo.mood + 1)
            rows.append(
                CheckIn(
                    duo=duo,
                    month=month,
                    side=side,
                    met=answer == "met",
                    activity=ACTIVITIES[(duo.pk + month) % len(ACTIVITIES)]
                    if answer == "met"
                    else "",
                    mood=mood,
                    answered_at=answered_at,
                )
            )
    CheckIn.objects.bulk_create(rows)


def _surveys(duo: Duo, demo: DemoDuo, *, now) -> None:
    suggestions = {
        Side.SPONSOR: "Plus d'activités de groupe le week-end.",
        Side.REFUGEE: "",
    }
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(
            duo=duo,
            side=side,
            person=getattr(duo, side),
            rating=demo.mood or 4,
            keep_in_touch=KeepInTouch.YES if demo.mood == 5 else KeepInTouch.MAYBE,
            suggestion=suggestions[side],
            answered_at=now - timedelta(days=8),
        )
        for side in Side.values
    )


def _trouble(duo: Duo, *, staff: User, now) -> None:
    Report.objects.create(
        duo=duo,
        side=Side.REFUGEE,
        reporter=duo.refugee,
        sent_by=duo.refugee.contact_user,
        category=ReportCategory.NO_NEWS,
        text="Je n'ai plus de nouvelles depuis deux mois, je ne sais pas si j'ai fait quelque "
        "chose de mal.",
    )
    DuoNote.objects.create(
        duo=duo,
        author=staff,
        text="Appeler le parrain cette semaine : pas de rencontre depuis le mois 2.",
    )
    # The sponsor's address no longer answers: the provider reported a hard bounce.
    User.objects.filter(pk=duo.sponsor.user_id).update(
        email_bounced_at=now - timedelta(days=20),
        email_bounce_reason="550 5.1.1 mailbox unavailable",
    )


def _activities(staff: User, people: list[Person], *, now) -> None:
    """A picnic to come, with registrations, and a past visit whose attendance counts."""
    upcoming = GroupActivity.objects.create(
        title="Pique-nique au parc de la Villette",
        starts_at=now + timedelta(days=12, hours=2),
        ends_at=now + timedelta(days=12, hours=5),
        place="Parc de la Villette, prairie du Cercle, 75019 Paris",
        capacity=12,
        description="Chacun apporte un plat de chez lui. Jeux et musique, en famille bienvenue.",
        created_by=staff,
    )
    past = GroupActivity.objects.create(
        title="Visite du Musée national de l'histoire de l'immigration",
        starts_at=now - timedelta(days=6, hours=3),
        ends_at=now - timedelta(days=6, hours=1),
        place="Palais de la Porte Dorée, 293 avenue Daumesnil, 75012 Paris",
        capacity=20,
        description="Visite guidée gratuite, suivie d'un goûter.",
        created_by=staff,
    )
    Registration.objects.bulk_create(
        [
            Registration(activity=upcoming, person=person, state=RegistrationState.REGISTERED)
            for person in people[:5]
        ]
        + [
            Registration(
                activity=past, person=person, state=RegistrationState.REGISTERED, attended=True
            )
            for person in people[:4]
        ]
    )
    # The first two duos came together: that counts as their meeting of the month.
    duos = Duo.objects.filter(sponsor__in=people[:4:2], refugee__in=people[1:4:2])
    CheckIn.objects.bulk_create(
        CheckIn(
            duo=duo,
            month=calendar.current_month(duo, timezone.localdate(past.starts_at)),
            side=side,
            met=True,
            activity=Activity.GROUP,
            recorded_by=staff,
            answered_at=past.ends_at,
        )
        for duo in duos
        for side in Side.values
    )

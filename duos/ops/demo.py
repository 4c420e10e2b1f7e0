"""Demo data of the duo lifecycle, for `make run`: duos at every month of their six with their
check-ins, a duo to call first with an open report, completed duos with their closing surveys,
and group activities (one to come, one past with its attendance).

Rows are written directly (the services would send emails for months long past). Reminders of
past months are recorded as sent, so the first sweep of `make run` sends only what is due now.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import CandidateState, Person, User
from duos.lib import dates
from duos.lifecycle import schedule
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
    ReportLogEntry,
    ReportStatus,
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
    ended_early: str = ""  # why the team ended it early, if it did


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
    DemoDuo(
        in_month=3,
        answers=("met", "not"),
        ended_early="Le parrain déménage à Bordeaux ; la filleule souhaite un nouveau duo.",
    ),
]


def load_lifecycle(*, staff: User, pairs: list[tuple[Person, Person]], now: datetime) -> int:
    """Give each (sponsor, refugee) pair one of DEMO_DUOS; return how many duos were created."""
    created = []
    for (sponsor, refugee), demo in zip(pairs, DEMO_DUOS, strict=False):
        if Duo.objects.filter(sponsor=sponsor, refugee=refugee).exists():
            continue
        # The open month's reminders are left to the first sweep: `make run` sends them.
        created.append(_demo_duo(sponsor, refugee, demo, staff=staff, now=now, open_sent=False))
    if len(created) == len(DEMO_DUOS):
        _reports(created, staff=staff, now=now)
        _activities(staff, [person for pair in pairs for person in pair], now=now)
    return len(created)


def load_programme_duos(*, staff: User, pairs: list[tuple[Person, Person]], now) -> list[Duo]:
    """DEMO_DUOS in turn for every pair, with the reports of `load_lifecycle` for each ten: a
    programme of any size (the load test's, tools/loadtest/)."""
    duos = [
        _demo_duo(sponsor, refugee, DEMO_DUOS[i % len(DEMO_DUOS)], staff=staff, now=now)
        for i, (sponsor, refugee) in enumerate(pairs)
    ]
    for start in range(0, len(duos) - len(DEMO_DUOS) + 1, len(DEMO_DUOS)):
        _reports(duos[start : start + len(DEMO_DUOS)], staff=staff, now=now)
    return duos


def _demo_duo(
    sponsor: Person, refugee: Person, demo: DemoDuo, *, staff: User, now, open_sent: bool = True
) -> Duo:
    completed = demo.in_month > schedule.MONTHS
    ended = completed or bool(demo.ended_early)
    # Ten days into its current month (into the month after the last, once completed).
    started = dates.add_months(timezone.localdate(now), -(demo.in_month - 1)) - timedelta(days=10)
    started_at = timezone.make_aware(datetime.combine(started, datetime.min.time())) + timedelta(
        hours=18
    )
    duo = Duo.objects.create(
        sponsor=sponsor,
        refugee=refugee,
        state=_state(demo),
        created_by=staff,
        expires_at=started_at,
        sponsor_answer=Answer.ACCEPTED,
        sponsor_answered_at=started_at - timedelta(days=2),
        refugee_answer=Answer.ACCEPTED,
        refugee_answered_at=started_at,
        started_at=started_at,
        ended_at=now - timedelta(days=10) if ended else None,
        ended_by=staff if demo.ended_early else None,
        end_reason=demo.ended_early,
        extra_months=demo.extra_months,
        paused_at=now - timedelta(days=demo.paused_days) if demo.paused_days else None,
    )
    Duo.objects.filter(pk=duo.pk).update(created_at=started_at - timedelta(days=4))
    if demo.ended_early:
        # The refugee asked to be paired again: back in the pool, the sponsor moves away.
        Person.objects.filter(pk=sponsor.pk).update(state=CandidateState.DUO_ENDED)
        Person.objects.filter(pk=refugee.pk).update(
            state=CandidateState.VALIDATED, waiting_since=now - timedelta(days=60)
        )
    else:
        state = CandidateState.DUO_ENDED if completed else CandidateState.IN_DUO
        Person.objects.filter(pk__in=[sponsor.pk, refugee.pk]).update(state=state)
    _past_reminders(duo, now=now, completed=completed, open_sent=open_sent or ended)
    _checkins(duo, demo, now=now)
    if completed:
        _surveys(duo, demo, now=now)
    if demo.call_first:
        _trouble(duo, staff=staff, now=now)
    return duo


def _state(demo: DemoDuo) -> str:
    if demo.ended_early:
        return DuoState.ENDED
    return DuoState.COMPLETED if demo.in_month > schedule.MONTHS else DuoState.ACTIVE


def _past_reminders(duo: Duo, *, now, completed: bool, open_sent: bool = True) -> None:
    """The reminders already due, recorded as sent: the demo's sweep starts from today.

    Without `open_sent`, those of a month still open are not recorded: the sweep sends them.
    """
    today = timezone.localdate(now)
    rows = []
    for month in range(1, schedule.duo_months(duo) + 1):
        window = schedule.month_window(duo, month)
        if window.reminder_on <= today and (open_sent or today >= window.closes_on):
            rows += [
                Reminder(duo=duo, month=month, side=side, sent_at=window.reminder_at())
                for side in Side.values
            ]
    if completed:
        rows += [
            Reminder(
                duo=duo,
                month=schedule.MONTHS + 1,
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
        answered_at = min(schedule.month_window(duo, month).reminder_at() + timedelta(days=2), now)
        for side in Side.values:
            mood = None
            if month == schedule.MIDWAY_MONTH and demo.mood is not None:
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


def _reports(duos: list[Duo], *, staff: User, now) -> None:
    """Reports at each stage: one in progress sent by a social worker, an urgent one whose duo
    is suspended while the team acts, and a closed one."""
    referred, urgent, closed = duos[2], duos[3], duos[6]
    in_progress = Report.objects.create(
        duo=referred,
        side=Side.REFUGEE,
        reporter=referred.refugee,
        sent_by=referred.refugee.contact_user,
        category=ReportCategory.PRACTICAL,
        text="Kidane a changé de foyer et n'a plus de forfait téléphonique pour le moment.",
        status=ReportStatus.IN_PROGRESS,
    )
    ReportLogEntry.objects.bulk_create(
        [
            ReportLogEntry(
                report=in_progress,
                author=staff,
                status=ReportStatus.IN_PROGRESS,
                text="Appelé la référente : nouveau numéro attendu la semaine prochaine.",
            ),
            ReportLogEntry(
                report=in_progress,
                author=staff,
                status=ReportStatus.IN_PROGRESS,
                text="Prévenu la marraine par e-mail, elle attend des nouvelles.",
            ),
        ]
    )
    alarming = Report.objects.create(
        duo=urgent,
        side=Side.REFUGEE,
        reporter=urgent.refugee,
        sent_by=urgent.refugee.contact_user,
        category=ReportCategory.BEHAVIOUR,
        text="Lors de notre dernière rencontre, des remarques m'ont mise mal à l'aise.",
        urgent=True,
    )
    Duo.objects.filter(pk=urgent.pk).update(suspended_at=now - timedelta(hours=20))
    ReportLogEntry.objects.create(
        report=alarming,
        author=staff,
        status=ReportStatus.OPEN,
        text="Duo suspendu le temps d'appeler les deux personnes.",
    )
    done = Report.objects.create(
        duo=closed,
        side=Side.SPONSOR,
        reporter=closed.sponsor,
        sent_by=closed.sponsor.contact_user,
        category=ReportCategory.OTHER,
        text="Nous ne trouvions pas de créneau commun pendant les vacances.",
        status=ReportStatus.CLOSED,
    )
    ReportLogEntry.objects.create(
        report=done,
        author=staff,
        status=ReportStatus.CLOSED,
        text="Réglé : ils se voient le samedi matin.",
    )


def _activities(staff: User, people: list[Person], *, now) -> None:
    """A picnic to come, with registrations, and a past visit whose attendance counts."""
    upcoming = GroupActivity.objects.create(
        title="Pique-nique au parc de la Villette",
        starts_at=_at(now, days=12, hour=12),
        ends_at=_at(now, days=12, hour=16),
        place="Parc de la Villette, prairie du Cercle, 75019 Paris",
        capacity=12,
        description="Chacun apporte un plat de chez lui. Jeux et musique, en famille bienvenue.",
        created_by=staff,
    )
    past = GroupActivity.objects.create(
        title="Visite du Musée national de l'histoire de l'immigration",
        starts_at=_at(now, days=-6, hour=14),
        ends_at=_at(now, days=-6, hour=16),
        place="Palais de la Porte Dorée, 293 avenue Daumesnil, 75012 Paris",
        capacity=20,
        description="Visite guidée gratuite, suivie d'un goûter.",
        created_by=staff,
    )
    tomorrow = GroupActivity.objects.create(
        title="Atelier cuisine du monde",
        starts_at=_at(now, days=1, hour=18),
        ends_at=_at(now, days=1, hour=21),
        place="Maison de quartier, 12 rue Curial, 75019 Paris",
        capacity=4,
        description="On cuisine ensemble un plat afghan et une tarte aux pommes.",
        created_by=staff,
    )
    GroupActivity.objects.create(
        title="Balade sur les quais de Saône",
        starts_at=_at(now, days=20, hour=10),
        ends_at=_at(now, days=20, hour=12),
        place="Place Bellecour, 69002 Lyon",
        capacity=15,
        description="Annulée : la météo annonce de fortes pluies.",
        created_by=staff,
        cancelled_at=now - timedelta(days=1),
    )
    _registrations(people, upcoming=upcoming, tomorrow=tomorrow, past=past)
    _group_checkins(people, past=past, staff=staff)


def _registrations(people: list[Person], *, upcoming, tomorrow, past) -> None:
    """Five for the picnic, a full workshop with its waiting list, four at the past visit."""
    Registration.objects.bulk_create(
        [
            Registration(activity=upcoming, person=person, state=RegistrationState.REGISTERED)
            for person in people[:5]
        ]
        # Full: four places taken, two people on the waiting list, in order.
        + [
            Registration(
                activity=tomorrow,
                person=person,
                state=RegistrationState.REGISTERED if index < 4 else RegistrationState.WAITING,
            )
            for index, person in enumerate(people[4:10])
        ]
        + [
            Registration(
                activity=past, person=person, state=RegistrationState.REGISTERED, attended=True
            )
            for person in people[:4]
        ]
    )


def _group_checkins(people: list[Person], *, past, staff: User) -> None:
    # The first two duos came together: that counts as their meeting of the month.
    duos = Duo.objects.filter(sponsor__in=people[:4:2], refugee__in=people[1:4:2])
    CheckIn.objects.bulk_create(
        CheckIn(
            duo=duo,
            month=schedule.current_month(duo, timezone.localdate(past.starts_at)),
            side=side,
            met=True,
            activity=Activity.GROUP,
            recorded_by=staff,
            answered_at=past.ends_at,
        )
        for duo in duos
        for side in Side.values
    )


def _at(now: datetime, *, days: int, hour: int) -> datetime:
    """A round local time `days` from today: activities start on the hour."""
    day = timezone.localdate(now) + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour)))

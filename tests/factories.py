"""Factories for every model, and the cast of every test: sponsor, refugee, social worker, staff,
outsider (their fixtures are in conftest.py)."""

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from accounts.models import (
    CandidateState,
    Consent,
    ConsentKind,
    Person,
    ProfileView,
    Role,
    SocialWorker,
    StaffNote,
    User,
)
from accounts.roles import ensure_programme_team_group
from duos.models import (
    ANSWER_DAYS,
    Answer,
    CheckIn,
    Duo,
    DuoNote,
    DuoState,
    GroupActivity,
    Heartbeat,
    KeepInTouch,
    Registration,
    RegistrationState,
    Reminder,
    Report,
    ReportAlert,
    ReportCategory,
    ReportLogEntry,
    ReportStatus,
    Side,
    SurveyAnswer,
)
from matching import engine
from matching.models import Exclusion, ExclusionReason, MatchRun, Proposal, RunState

PASSWORD = "a-test-password-9"  # noqa: S105


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        # Email verified unless the test says verified=False.
        if create:
            EmailAddress.objects.create(
                user=self, email=self.email, primary=True, verified=extracted is not False
            )
            self.save()


class StaffFactory(UserFactory):
    """A member of the programme team, with the two-factor app staff must have."""

    is_staff = True

    @factory.post_generation
    def team(self, create, extracted, **kwargs):
        if create:
            self.groups.add(ensure_programme_team_group())

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        if create and extracted is not False:
            TOTP.activate(self, generate_totp_secret())


class PersonFactory(factory.django.DjangoModelFactory):
    """A complete, validated profile in Paris 11e."""

    class Meta:
        model = Person

    user = factory.SubFactory(UserFactory)
    role = Role.SPONSOR
    state = CandidateState.VALIDATED
    validated_at = factory.LazyFunction(timezone.now)
    waiting_since = factory.LazyFunction(timezone.now)
    first_name = factory.LazyAttribute(lambda p: p.user.first_name if p.user else "Amina")
    last_name = factory.LazyAttribute(lambda p: p.user.last_name if p.user else "Hassan")
    birth_year = 1985
    gender = "woman"
    partner_gender = "any"
    postal_code = "75011"
    commune = "Paris 11e Arrondissement"
    departement = "75"
    latitude = 48.8574
    longitude = 2.3795
    max_distance_km = 10
    languages = factory.LazyFunction(lambda: [{"code": "fr", "level": "native"}])
    interests = factory.LazyFunction(lambda: ["cinema", "cooking"])
    availability = factory.LazyFunction(lambda: ["weekend_day"])
    profile_step = "consents"


class SponsorFactory(PersonFactory):
    role = Role.SPONSOR


class RefugeeFactory(PersonFactory):
    role = Role.REFUGEE
    protection_status = "refugee"
    arrival_year = 2022
    languages = factory.LazyFunction(
        lambda: [{"code": "ar", "level": "native"}, {"code": "fr", "level": "conversational"}]
    )


class SocialWorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocialWorker

    user = factory.SubFactory(UserFactory)
    organisation = "CADA de Montreuil"


class ReferredRefugeeFactory(RefugeeFactory):
    """A refugee with no login of their own, followed by a social worker."""

    user = None
    referrer = factory.LazyAttribute(lambda p: SocialWorkerFactory().user)


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    person = factory.SubFactory(PersonFactory)
    kind = ConsentKind.CHARTER
    version = "2025-01"


class StaffNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffNote

    person = factory.SubFactory(RefugeeFactory)
    author = factory.SubFactory(StaffFactory)
    text = "Called: all is well."


class ProfileViewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProfileView

    viewer = factory.SubFactory(StaffFactory)
    person = factory.SubFactory(RefugeeFactory)
    what = "profile"


# Duos and what follows them ------------------------------------------------------------------


class DuoFactory(factory.django.DjangoModelFactory):
    """A duo both people accepted, running since `started_at` (a month ago unless given).

    The people are in the duo (`IN_DUO`), their users' email language `language`; a duo
    waiting for its answers is `DuoFactory(waiting=True)`.
    """

    class Meta:
        model = Duo

    class Params:
        language = "fr"
        waiting = factory.Trait(
            state=DuoState.WAITING,
            started_at=None,
            sponsor_answer="",
            refugee_answer="",
        )

    sponsor = factory.SubFactory(
        SponsorFactory,
        state=CandidateState.IN_DUO,
        user__language=factory.SelfAttribute("...language"),
    )
    refugee = factory.SubFactory(
        RefugeeFactory,
        state=CandidateState.IN_DUO,
        user__language=factory.SelfAttribute("...language"),
    )
    state = DuoState.ACTIVE
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
    # The answers were due by the start (as when the second "yes" started the duo), or are due
    # in ANSWER_DAYS.
    expires_at = factory.LazyAttribute(
        lambda duo: duo.started_at or timezone.now() + timedelta(days=ANSWER_DAYS)
    )
    sponsor_answer = Answer.ACCEPTED
    refugee_answer = Answer.ACCEPTED


class ReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reminder

    duo = factory.SubFactory(DuoFactory)
    month = 1
    side = Side.SPONSOR


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    duo = factory.SubFactory(DuoFactory)
    month = 1
    side = Side.SPONSOR
    met = True
    answered_at = factory.LazyFunction(timezone.now)


class DuoNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DuoNote

    duo = factory.SubFactory(DuoFactory)
    author = factory.SubFactory(StaffFactory)
    text = "Called the sponsor: they meet on Saturdays."


class SurveyAnswerFactory(factory.django.DjangoModelFactory):
    """One side's answer to the closing survey; the person is the duo's of that side."""

    class Meta:
        model = SurveyAnswer

    duo = factory.SubFactory(DuoFactory, state=DuoState.COMPLETED)
    side = Side.SPONSOR
    person = factory.LazyAttribute(lambda answer: getattr(answer.duo, answer.side))
    rating = 4
    keep_in_touch = KeepInTouch.YES
    answered_at = factory.LazyFunction(timezone.now)


class ReportFactory(factory.django.DjangoModelFactory):
    """A report by one side of a running duo; the reporter is the duo's person of that side."""

    class Meta:
        model = Report

    duo = factory.SubFactory(DuoFactory)
    side = Side.REFUGEE
    reporter = factory.LazyAttribute(lambda report: getattr(report.duo, report.side))
    category = ReportCategory.OTHER
    text = "A report."


class ReportLogEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportLogEntry

    report = factory.SubFactory(ReportFactory)
    author = factory.SubFactory(StaffFactory)
    status = ReportStatus.IN_PROGRESS


class ReportAlertFactory(factory.django.DjangoModelFactory):
    """The team alerted of a duo's urgent report just now."""

    class Meta:
        model = ReportAlert

    duo = factory.SubFactory(DuoFactory)
    sent_at = factory.LazyFunction(timezone.now)


class GroupActivityFactory(factory.django.DjangoModelFactory):
    """A group activity of the team in a week, two hours long."""

    class Meta:
        model = GroupActivity

    title = "Picnic at the Buttes-Chaumont"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda activity: activity.starts_at + timedelta(hours=2))
    place = "Parc des Buttes-Chaumont, Paris 19e"
    capacity = 10


# The models call it GroupActivity (`Activity` is what a check-in says the duo did).
ActivityFactory = GroupActivityFactory


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    activity = factory.SubFactory(GroupActivityFactory)
    person = factory.SubFactory(SponsorFactory, state=CandidateState.IN_DUO)
    state = RegistrationState.REGISTERED


class HeartbeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Heartbeat
        django_get_or_create = ("source",)

    source = "beat"
    sent_at = factory.LazyFunction(timezone.now)


# Matching ------------------------------------------------------------------------------------


class MatchRunFactory(factory.django.DjangoModelFactory):
    """A finished run, no longer holding the pool."""

    class Meta:
        model = MatchRun

    created_by = factory.SubFactory(StaffFactory)
    state = RunState.DONE
    active = None
    progress = 1.0
    weights = factory.LazyFunction(lambda: vars(engine.Weights()))


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    run = factory.SubFactory(MatchRunFactory)
    sponsor = factory.SubFactory(SponsorFactory)
    refugee = factory.SubFactory(RefugeeFactory)
    score = 80
    distance_km = 2.4
    breakdown = factory.LazyFunction(lambda: {"distance": 30, "language": 10, "interests": 20})
    reasons = factory.LazyFunction(lambda: [["distance", {"km": 2.4}]])


class ExclusionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exclusion

    sponsor = factory.SubFactory(SponsorFactory)
    refugee = factory.SubFactory(RefugeeFactory)
    reason = ExclusionReason.DECLINED

"""Every route of the site, ours and third parties' (allauth, the admin, anymail, Django's),
against every kind of visitor: tests/access_table.py says what each one gets, for their own
object and for someone else's. A new route fails here until it has its rows."""

from collections.abc import Iterator
from datetime import timedelta
from http import HTTPStatus
from typing import NamedTuple

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from accounts.handover import invitation_token
from accounts.middleware import STAFF_PATH_PREFIXES
from accounts.models import CandidateState, Person, Role
from accounts.two_factor import account_state
from duos.activities.links import activity_register_token
from duos.followup.checkins import checkin_token
from duos.followup.survey import survey_token
from duos.followup.timeline import MET
from duos.lib.links import TWO_FACTOR_ENROLMENT
from duos.lifecycle.links import answer_token
from duos.models import (
    Answer,
    DuoState,
    GroupActivity,
    Reminder,
    Report,
    ReportCategory,
    Side,
)
from duos.reports.links import report_token
from matching import engine
from matching.models import Proposal
from matching.services import run_execute, run_start
from tests.access_table import (
    ADMIN_ACTIONS,
    ADMIN_OBJECT_ACTIONS,
    ADMIN_TEAM_PAGES,
    CHECKED_ELSEWHERE,
    EMAIL_PROVIDER,
    OBJECTS,
    POST_ONLY,
    ROLES,
    SHADOWED,
    TABLE,
    TWO_FACTOR_FIRST,
    UNNAMED_URLS,
    URL_KWARGS,
)
from tests.factories import (
    ConsentFactory,
    DuoFactory,
    ExclusionFactory,
    ProfileViewFactory,
    ReferredRefugeeFactory,
    RefugeeFactory,
    SocialWorkerFactory,
    SponsorFactory,
    StaffFactory,
    UserFactory,
)
from tests.urlconf import mount_site_urls

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_with_an_email_provider(settings, monkeypatch):
    """The site as it runs with an email provider: its tracking webhook is a route too."""
    mount_site_urls(settings, monkeypatch, EMAIL_PROVIDER)


class Route(NamedTuple):
    key: str  # the URL name with its namespaces; the path for a route without a name
    path: str
    pattern: URLPattern


def routes(patterns=None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    """Every route of the URLconf in force, in the order Django resolves them."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        path = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from routes(entry.url_patterns, path, inner)
        else:
            yield Route(f"{namespace}{entry.name}" if entry.name else path, path, entry)


def answering_routes() -> list[Route]:
    """The routes that can answer: a later one at the path of an earlier one never does."""
    found, paths = [], set()
    for route in routes():
        if route.path not in paths:
            found.append(route)
        paths.add(route.path)
    return found


def admin_model_routes() -> dict[str, tuple[str, str]]:
    """Route key -> (model label, action) for the admin's pages of every registered model."""
    found = {}
    for model in admin.site._registry:
        app, name = model._meta.app_label, model._meta.model_name
        for action in ADMIN_ACTIONS:
            found[f"admin:{app}_{name}_{action}"] = (model._meta.label, action)
        # The admin's unnamed <pk>/ route, which redirects to the change page.
        found[f"admin/{app}/{name}/<path:object_id>/"] = (model._meta.label, "redirect")
    return found


def granted_directly(*codenames: str):
    """No group, not is_staff, no authenticator: permissions given one by one (issue 14, #7)."""
    user = UserFactory()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


class Cast:
    """One of each kind of visitor, each with their own objects, and a stranger's objects."""

    def __init__(self) -> None:
        unverified = UserFactory(verified=False)
        self.people = {
            "unverified": Person.objects.create(user=unverified, role=Role.SPONSOR),
            "sponsor": SponsorFactory(),
            "refugee": RefugeeFactory(),
        }
        workers = {
            role: SocialWorkerFactory() for role in ("social_worker", "second_social_worker")
        }
        for role, worker in workers.items():
            self.people[role] = ReferredRefugeeFactory(referrer=worker.user)
        self.users = {
            "unverified": unverified,
            "sponsor": self.people["sponsor"].user,
            "refugee": self.people["refugee"].user,
            "social_worker": workers["social_worker"].user,
            "staff": StaffFactory(),
            "staff_without_2fa": StaffFactory(totp=False),
            "second_social_worker": workers["second_social_worker"].user,
            "granted_permissions": granted_directly("view_duo", "view_report"),
        }
        # Someone else's: a refugee referred by another social worker, awaiting validation.
        self.stranger = ReferredRefugeeFactory(state=CandidateState.AWAITING_VALIDATION)
        self.people["staff"] = self.stranger
        # Another member's account (the stranger above has none: their social worker acts).
        self.someone_else = UserFactory()
        # The team's objects: a finished match run with its proposals, and a duo of two
        # strangers waiting for their answers (its links carry a signed token).
        self.run = run_start(by=self.users["staff"], weights=engine.Weights())
        run_execute(self.run.pk)
        self.proposal = Proposal.objects.filter(run=self.run).first()
        self.duo = DuoFactory(waiting=True)
        # An active duo in its first month, whose reminder's links are open.
        month_1 = timezone.now() - timedelta(days=21)
        active = DuoFactory(started_at=month_1)
        self.reminder = Reminder.objects.create(duo=active, month=1, side=Side.SPONSOR)
        # A duo of strangers completed yesterday, whose closing survey link is open.
        self.completed = DuoFactory(
            sponsor__state=CandidateState.DUO_ENDED,
            refugee__state=CandidateState.DUO_ENDED,
            state=DuoState.COMPLETED,
            started_at=timezone.now() - timedelta(days=200),
            ended_at=timezone.now() - timedelta(days=1),
        )
        # Each person's own active duo (a social worker's: their referred refugee's); staff's
        # "own" duo is any duo, and "other" is the strangers' duo above.
        self.duos = {
            role: DuoFactory(**{self.people[role].role: self.people[role]}, started_at=month_1)
            for role in ("unverified", "sponsor", "refugee", "social_worker")
        }
        self.duos["second_social_worker"] = DuoFactory(
            refugee=self.people["second_social_worker"], started_at=month_1
        )
        # For the second social worker, "other" is the first one's referral and its duo:
        # two social workers never see each other's.
        self.others = {"second_social_worker": self.people["social_worker"]}
        self.other_duos = {"second_social_worker": self.duos["social_worker"]}
        # A confidential report on a duo of strangers (suspending it touches no other row).
        reported = DuoFactory(started_at=month_1)
        self.report = Report.objects.create(
            duo=reported,
            side=Side.REFUGEE,
            reporter=reported.refugee,
            category=ReportCategory.OTHER,
            text="A report.",
        )
        # A coming group activity of the team, and one that staff's empty POST cancels.
        self.activity, self.activity_to_cancel = (
            GroupActivity.objects.create(
                title=title,
                starts_at=timezone.now() + timedelta(days=7),
                ends_at=timezone.now() + timedelta(days=7, hours=2),
                place="Paris",
                capacity=10,
            )
            for title in ("Picnic", "Boat trip")
        )

    def client(self, role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(self.users[role])
        return client

    def url(self, route: Route, role: str, whose: str) -> str:
        if route.key in UNNAMED_URLS:
            return UNNAMED_URLS[route.key]
        fixed = URL_KWARGS.get(route.key, {})
        arguments = [key for key in route.pattern.pattern.regex.groupindex if key not in fixed]
        kind = OBJECTS.get(route.key, "person")
        kwargs = {**fixed, **self._object_kwargs(kind, role, whose, arguments)}
        return reverse(route.key, kwargs=kwargs)

    def _object_kwargs(self, kind: str, role: str, whose: str, arguments: list[str]) -> dict:
        if not arguments:
            return {}
        # allauth's links to the visitor's mailbox, or tampered.
        user = self._user(role)
        if kind == "email_key":
            key = EmailConfirmationHMAC(EmailAddress.objects.get_primary(user)).key
            return {"key": key if whose == "own" else key[:-3] + "xyz"}
        if kind == "reset_key":
            key = default_token_generator.make_token(user)
            return {"uidb36": user_pk_to_url_str(user), "key": key if whose == "own" else "x-y"}
        if kind == "content_object":  # the admin's "view on site" of a person
            content_type = ContentType.objects.get_for_model(Person)
            person = self._object_argument("person", role, whose)
            return {"content_type_id": content_type.pk, "object_id": person}
        (argument,) = arguments
        return {argument: self._object_argument(kind, role, whose)}

    def _user(self, role: str):
        """The visitor's user; for anonymous, the unverified person's (a link in their mail)."""
        return self.users.get(role, self.users["unverified"])

    def _object_argument(self, kind: str, role: str, whose: str):
        own = self.people.get(role, self.stranger)
        target = own if whose == "own" else self.others.get(role, self.stranger)
        if kind == "person":
            return target.pk
        if kind == "user":
            return (self._user(role) if whose == "own" else self.someone_else).pk
        if kind == "invitation":
            return invitation_token(target, f"{role}-{whose}@example.org")
        if kind == "answer":
            token = answer_token(self.duo, "refugee", Answer.ACCEPTED)
            return token if whose == "own" else token[:-3] + "xyz"  # a tampered link
        if kind == "checkin":
            token = checkin_token(self.reminder, MET)
            return token if whose == "own" else token[:-3] + "xyz"  # a tampered link
        if kind == "survey":
            token = survey_token(self.completed, Side.REFUGEE)
            return token if whose == "own" else token[:-3] + "xyz"  # a tampered link
        if kind == "duo":
            if whose == "own":
                return self.duos.get(role, self.duo).pk
            return self.other_duos.get(role, self.duo).pk
        if kind == "activity_link":
            token = activity_register_token(self.activity, self.people["sponsor"])
            return token if whose == "own" else token[:-3] + "xyz"  # a tampered link
        if kind == "report_link":
            duo = self.duos["sponsor"]
            token = report_token(duo, Side.SPONSOR)
            return token if whose == "own" else token[:-3] + "xyz"  # a tampered link
        if kind == "two_factor_link":
            user = self.users.get(role, self.users["staff"])
            token = TWO_FACTOR_ENROLMENT.token(user.pk, account_state(user))
            return token if whose == "own" else token[:-3] + "xyz"  # a tampered link
        return {
            "run": self.run,
            "proposal": self.proposal,
            "report": self.report,
            "activity": self.activity,
            "activity_to_cancel": self.activity_to_cancel,
        }[kind].pk

    def admin_rows(self) -> dict[str, int]:
        """Model label -> the pk of one row, for the admin's pages of each registered model
        (the rows the cast has not made are made here)."""
        ConsentFactory(person=self.stranger)
        ProfileViewFactory(viewer=self.users["staff"], person=self.stranger)
        ExclusionFactory(sponsor=self.people["sponsor"], refugee=self.people["refugee"])
        every_day = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS)
        CrontabSchedule.objects.create()
        SolarSchedule.objects.create(event="sunrise", latitude=48.85, longitude=2.35)
        ClockedSchedule.objects.create(clocked_time=timezone.now())
        PeriodicTask.objects.create(name="test", task="duos.tasks.test", interval=every_day)
        return {
            model._meta.label: model._default_manager.order_by("pk").values_list("pk", flat=True)[0]
            for model in admin.site._registry
        }


def test_access_table_covers_every_route():
    answering = [route.key for route in answering_routes()]
    checked = {name for name, _whose in TABLE} | set(CHECKED_ELSEWHERE) | set(admin_model_routes())

    assert len(answering) == len(set(answering)), "two routes answer under one name"
    missing = sorted(set(answering) - checked)
    stale = sorted(({name for name, _whose in TABLE} | set(CHECKED_ELSEWHERE)) - set(answering))
    assert not missing, f"add these routes to tests/access_table.py: {missing}"
    assert not stale, f"these rows of tests/access_table.py name no route: {stale}"


def test_access_table_names_the_routes_that_never_answer():
    answering = answering_routes()

    assert sorted(route.path for route in routes() if route not in answering) == sorted(SHADOWED)


def test_access_table_lists_every_model_of_the_admin():
    registered = {model._meta.label for model in admin.site._registry}

    assert set(ADMIN_TEAM_PAGES) == registered
    assert all(set(pages) <= set(ADMIN_ACTIONS) for pages in ADMIN_TEAM_PAGES.values())


def test_access_table_matches_what_each_visitor_gets():
    cast = Cast()
    answering = {route.key: route for route in answering_routes()}
    mismatches = []
    for (name, whose), expected in TABLE.items():
        for role, status in zip(ROLES, expected, strict=True):
            # Logged in first: allauth's password reset key reads the time of the last login.
            client = cast.client(role)
            url = cast.url(answering[name], role, whose)
            # Actions are tried with an empty POST: access is checked before the form.
            response = client.post(url) if name in POST_ONLY else client.get(url)
            if response.status_code != status:
                got = response.status_code
                mismatches.append(f"{name} ({whose}) as {role}: expected {status}, got {got}")
            elif not sent_to_enrol_if_they_must(role, url, response):
                mismatches.append(f"{name} ({whose}) as {role}: not sent to set up two-factor")
    assert not mismatches, "\n".join(mismatches)


def sent_to_enrol_if_they_must(role: str, url: str, response) -> bool:
    """Staff without two-factor (by the flag or a permission) open no staff page: each one
    sends them to set up two-factor authentication first."""
    if role not in TWO_FACTOR_FIRST or not url.startswith(STAFF_PATH_PREFIXES):
        return True
    return response.status_code == HTTPStatus.FOUND and response["Location"] == reverse(
        "mfa_activate_totp"
    )


def test_access_table_admin_model_pages_open_to_staff_with_two_factor_only():
    """Everyone else is sent away: to set up two-factor first when they are staff, to the
    admin's login otherwise. Staff get the pages their group's permissions open, 403 on
    the others; a page about one row is asked for an existing row."""
    cast = Cast()
    rows = cast.admin_rows()
    clients = {role: cast.client(role) for role in ROLES}
    mismatches = []
    for key, (label, action) in admin_model_routes().items():
        url = admin_model_url(key, action, rows[label])
        for role, client in clients.items():
            response = client.get(url)
            expected, location = admin_expectation(role, label, action)
            got = (response.status_code, response.get("Location", "").split("?")[0])
            if got != (expected, location or got[1]):
                mismatches.append(f"{url} as {role}: expected {expected} {location}, got {got}")
    assert not mismatches, "\n".join(mismatches)


def admin_model_url(key: str, action: str, pk: int) -> str:
    if action == "redirect":  # unnamed: its key is its path
        return "/" + key.replace("<path:object_id>", str(pk))
    return reverse(key, kwargs={"object_id": pk} if action in ADMIN_OBJECT_ACTIONS else {})


def admin_expectation(role: str, label: str, action: str) -> tuple[int, str | None]:
    """The status and, for a redirect away, where to."""
    if role in TWO_FACTOR_FIRST:
        return HTTPStatus.FOUND, reverse("mfa_activate_totp")
    if role != "staff":
        return HTTPStatus.FOUND, reverse("admin:login")
    if action == "redirect":
        return HTTPStatus.FOUND, None
    return (HTTPStatus.OK if action in ADMIN_TEAM_PAGES[label] else HTTPStatus.FORBIDDEN), None


def test_access_table_statuses_are_known_http_statuses():
    for expected in TABLE.values():
        assert len(expected) == len(ROLES)
        assert all(HTTPStatus(status) for status in expected)

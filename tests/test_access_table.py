"""Every named URL of the app against every kind of visitor: tests/access_table.py says what
each one gets, for their own object and for someone else's. A new URL fails here until it has
its rows."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.handover import invitation_token
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
from tests.access_table import OBJECTS, OUR_MODULES, POST_ONLY, ROLES, TABLE, URL_KWARGS
from tests.factories import (
    DuoFactory,
    ReferredRefugeeFactory,
    RefugeeFactory,
    SocialWorkerFactory,
    SponsorFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def our_url_patterns(patterns=None, namespace="") -> dict[str, URLPattern]:
    """Named URLs whose view is ours (not allauth's, the admin's or Django's)."""
    found = {}
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found |= our_url_patterns(entry.url_patterns, inner)
        elif entry.name and entry.callback.__module__.startswith(OUR_MODULES):
            found[f"{namespace}{entry.name}"] = entry
    return found


class Cast:
    """One of each kind of visitor, each with their own objects, and a stranger's objects."""

    def __init__(self) -> None:
        unverified = UserFactory(verified=False)
        self.people = {
            "unverified": Person.objects.create(user=unverified, role=Role.SPONSOR),
            "sponsor": SponsorFactory(),
            "refugee": RefugeeFactory(),
        }
        worker = SocialWorkerFactory()
        self.people["social_worker"] = ReferredRefugeeFactory(referrer=worker.user)
        self.users = {
            "unverified": unverified,
            "sponsor": self.people["sponsor"].user,
            "refugee": self.people["refugee"].user,
            "social_worker": worker.user,
            "staff": StaffFactory(),
        }
        # Someone else's: a refugee referred by another social worker, awaiting validation.
        self.stranger = ReferredRefugeeFactory(state=CandidateState.AWAITING_VALIDATION)
        self.people["staff"] = self.stranger
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
            "unverified": DuoFactory(sponsor=self.people["unverified"], started_at=month_1),
            "sponsor": DuoFactory(sponsor=self.people["sponsor"], started_at=month_1),
            "refugee": DuoFactory(refugee=self.people["refugee"], started_at=month_1),
            "social_worker": DuoFactory(refugee=self.people["social_worker"], started_at=month_1),
        }
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

    def url(self, name: str, pattern: URLPattern, role: str, whose: str) -> str:
        kwargs = {}
        for key in pattern.pattern.converters:
            if key in ("pk", "token"):
                kwargs[key] = self._object_argument(OBJECTS.get(name, "person"), role, whose)
            else:
                kwargs[key] = URL_KWARGS[name][key]
        return reverse(name, kwargs=kwargs)

    def _object_argument(self, kind: str, role: str, whose: str):
        own = self.people.get(role, self.stranger)
        target = own if whose == "own" else self.stranger
        if kind == "person":
            return target.pk
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
            return (self.duos.get(role, self.duo) if whose == "own" else self.duo).pk
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


def test_access_table_covers_every_named_url():
    patterns = our_url_patterns()
    rows = {name for name, _whose in TABLE}

    missing = sorted(set(patterns) - rows)
    stale = sorted(rows - set(patterns))
    assert not missing, f"add these URLs to tests/access_table.py: {missing}"
    assert not stale, f"these rows of tests/access_table.py name no URL: {stale}"


def test_access_table_matches_what_each_visitor_gets():
    cast = Cast()
    patterns = our_url_patterns()
    mismatches = []
    for (name, whose), expected in TABLE.items():
        for role, status in zip(ROLES, expected, strict=True):
            url = cast.url(name, patterns[name], role, whose)
            client = cast.client(role)
            # Actions are tried with an empty POST: access is checked before the form.
            got = (client.post(url) if name in POST_ONLY else client.get(url)).status_code
            if got != status:
                mismatches.append(f"{name} ({whose}) as {role}: expected {status}, got {got}")
    assert not mismatches, "\n".join(mismatches)


def test_access_table_statuses_are_known_http_statuses():
    for expected in TABLE.values():
        assert len(expected) == len(ROLES)
        assert all(HTTPStatus(status) for status in expected)

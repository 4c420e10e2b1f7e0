"""The load test's programme (`make loadtest`, tools/loadtest/): 2,000 people, 500 duos at every
month of their six (the demo's duos, duos/ops/demo.py, in turn), a team of staff with two-factor
set up, and logged-in sessions for the test's participants and staff.

The sessions are made here, server-side, as a login would leave them (the staff's with the
two-factor step recorded), and written with the check-in links and duo ids to a JSON file that
the locustfile reads: the test logs in nobody and changes no setting of the app. Only into an
empty database (the load test creates its own): no real programme should hold such sessions.
"""

import json
import random
import time
from datetime import timedelta
from importlib import import_module
from itertools import cycle

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts import geodata
from accounts.models import CandidateState, Consent, ConsentKind, Person, Role, User
from accounts.roles import ensure_programme_team_group
from accounts.texts import CONSENT_VERSIONS
from duos.followup.checkins import checkin_link
from duos.lib.links import CHECKIN, LinkInvalid
from duos.management.commands.demo_data import (
    LYON_CODES,
    PARIS_CODES,
    REFUGEE_NAMES,
    SPONSOR_NAMES,
)
from duos.models import Duo, DuoState, Reminder, ReminderKind
from duos.ops.demo import load_programme_duos
from matching.engine.synthetic import synthetic_people

# Everyone not in a duo, by their index modulo 20: a quarter waits for validation (the staff's
# queue), a few stopped half-way, paused or withdrew, the rest wait for a duo.
OTHER_STATES = (
    [CandidateState.AWAITING_VALIDATION] * 5
    + [CandidateState.TO_COMPLETE, CandidateState.PAUSED, CandidateState.WITHDRAWN]
    + [CandidateState.VALIDATED] * 12
)
# allauth keeps whose records they are beside them (a private key of its login flow).
AUTHENTICATION_METHODS_USER_SESSION_KEY = "account_authentication_methods_user"
LOGIN_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


class Command(BaseCommand):
    help = "Load the load test's programme into an empty database and write its sessions."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=2000)
        parser.add_argument("--duos", type=int, default=500)
        parser.add_argument("--staff", type=int, default=10)
        parser.add_argument("--participants", type=int, default=300, help="logged-in sessions")
        parser.add_argument("--out", required=True, help="the JSON file for the locustfile")

    def handle(self, *args, people, duos, staff, participants, out, **options) -> None:
        if Person.objects.exists() or User.objects.exists():
            raise CommandError("loadtest_data loads into an empty database only.")
        if people < 2 * duos:
            raise CommandError("--people must be at least twice --duos.")
        started = time.perf_counter()
        now = timezone.now()
        with transaction.atomic():
            team = [_staff_user(n) for n in range(staff)]
            sponsors, refugees = _people(people, duos, now)
            load_programme_duos(
                staff=team[0], pairs=list(zip(sponsors, refugees, strict=True)), now=now
            )
        data = {
            "cookie": settings.SESSION_COOKIE_NAME,
            "staff": [_session(user, two_factor=True) for user in team],
            "participants": _participants(participants),
            "duos": list(Duo.objects.order_by("pk").values_list("pk", flat=True)),
        }
        with open(out, "w", encoding="utf-8") as file:
            json.dump(data, file)
        self.stdout.write(
            f"Load test programme: {Person.objects.count()} people, {len(data['duos'])} duos, "
            f"{len(team)} staff, {len(data['participants'])} participant sessions "
            f"({time.perf_counter() - started:.1f} s)."
        )


def _staff_user(n: int) -> User:
    user = User.objects.create(
        email=f"equipe{n + 1:02d}@loadtest.example",
        first_name="Équipe",
        last_name=f"{n + 1:02d}",
        is_staff=True,
        password=make_password(None),
    )
    user.groups.add(ensure_programme_team_group())
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    TOTP.activate(user, generate_totp_secret())
    return user


def _people(count: int, in_duos: int, now) -> tuple[list[Person], list[Person]]:
    """`count` people, half of each role; the first `in_duos` of each role are for the duos."""
    rng = random.Random(2015)
    places = [geodata.communes_for(code)[0] for code in PARIS_CODES + LYON_CODES]
    unusable = make_password(None)  # they log in by the sessions made below only
    rows = []
    for role, names in ((Role.SPONSOR, SPONSOR_NAMES), (Role.REFUGEE, REFUGEE_NAMES)):
        pool = synthetic_people(count // 2, role.value, seed=2015)
        for index, (synthetic, name, place) in enumerate(zip(pool, cycle(names), cycle(places))):
            state = (
                CandidateState.IN_DUO
                if index < in_duos
                else OTHER_STATES[index % len(OTHER_STATES)]
            )
            rows.append(_person(role, index, synthetic, name, place, state, now, rng))
    users = User.objects.bulk_create(
        [
            User(
                email=f"{person.role}{n:04d}@loadtest.example",
                first_name=person.first_name,
                last_name=person.last_name,
                language="fr" if n % 4 else "en",
                password=unusable,
            )
            for n, person in enumerate(rows)
        ],
        batch_size=500,
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
        batch_size=500,
    )
    for person, user in zip(rows, users, strict=True):
        person.user = user
    people = Person.objects.bulk_create(rows, batch_size=500)
    Consent.objects.bulk_create(
        [
            Consent(person=person, kind=kind, version=CONSENT_VERSIONS[kind])
            for person in people
            if person.state != CandidateState.TO_COMPLETE
            for kind in (ConsentKind.CHARTER, ConsentKind.PRIVACY)
        ],
        batch_size=1000,
    )
    half = count // 2
    return people[:in_duos], people[half : half + in_duos]


def _person(role, index, synthetic, name, place, state, now, rng) -> Person:
    waiting = now - timedelta(days=synthetic.waiting_days + 5)
    validated = state not in (CandidateState.AWAITING_VALIDATION, CandidateState.TO_COMPLETE)
    return Person(
        role=role,
        state=state,
        profile_step="identity" if state == CandidateState.TO_COMPLETE else "consents",
        first_name=name[0],
        last_name=f"{name[1]} {index + 1}",
        birth_year=synthetic.birth_year,
        gender=synthetic.gender,
        partner_gender=synthetic.partner_gender or "any",
        postal_code=place.postal_code,
        commune=place.name,
        departement=place.departement,
        latitude=place.lat,
        longitude=place.lon,
        max_distance_km=int(synthetic.max_distance_km),
        languages=[{"code": c, "level": lv} for c, lv in sorted(synthetic.languages.items())]
        + ([] if "fr" in synthetic.languages else [{"code": "fr", "level": "conversational"}]),
        interests=sorted(synthetic.interests),
        availability=sorted(synthetic.availability),
        about=rng.choice(["", "J'aime marcher et découvrir de nouveaux quartiers."]),
        waiting_since=waiting if validated else None,
        validated_at=waiting if validated else None,
        interview_at=waiting - timedelta(days=3) if validated else None,
        arrival_year=rng.randint(2018, 2025) if role == Role.REFUGEE else None,
    )


def _participants(count: int) -> list[dict]:
    """Sessions of people in an active duo, each with a check-in link that still opens."""
    reminders = (
        Reminder.objects.filter(
            kind=ReminderKind.MONTHLY, duo__state=DuoState.ACTIVE, duo__paused_at=None
        )
        .select_related("duo__sponsor__user", "duo__refugee__user")
        .order_by("duo_id", "-month")
    )
    chosen, seen = [], set()
    for reminder in reminders:
        person = getattr(reminder.duo, reminder.side)
        if person.pk in seen or person.user is None or len(chosen) >= count:
            continue
        try:
            checkin_link(CHECKIN, {"r": reminder.pk, "a": "met"})
        except LinkInvalid:  # its month has closed (LinkExpired is a LinkInvalid)
            continue
        seen.add(person.pk)
        chosen.append(
            {**_session(person.user, two_factor=False), "checkin": CHECKIN.path(reminder.pk, "met")}
        )
    return chosen


def _session(user: User, *, two_factor: bool) -> dict:
    """A session as allauth's login leaves it: the password step, and two-factor's if asked."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = LOGIN_BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    records = [{"method": "password", "at": time.time(), "email": user.email}]
    if two_factor:
        totp = user.authenticator_set.get(type="totp")
        records.append({"method": "mfa", "at": time.time(), "id": totp.pk, "type": "totp"})
    store[AUTHENTICATION_METHODS_SESSION_KEY] = records
    store[AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    store.create()
    return {"session": store.session_key, "email": user.email}

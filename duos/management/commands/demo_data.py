"""Demo data for `make run`: a staff login, a social worker, and sponsors and refugees around
Paris and Lyon. Idempotent: a second run adds nothing twice."""

import random
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts import geodata
from accounts.models import (
    CandidateState,
    Consent,
    ConsentKind,
    Person,
    Role,
    SocialWorker,
    User,
)
from accounts.roles import ensure_programme_team_group
from accounts.texts import CONSENT_VERSIONS
from duos.followup.reminders import duos_send_reminders
from duos.ops.demo import DEMO_DUOS, load_lifecycle
from matching import engine
from matching.models import MatchRun, Proposal
from matching.proposals import proposals_approve
from matching.services import run_execute, run_start

DEMO_PASSWORD = "demo-duos-2026"  # noqa: S105 - a published demo password, laptop only
STAFF_EMAIL = "equipe@duos.example"
SOCIAL_WORKER_EMAIL = "referente@cada.example"

PARIS_CODES = [
    "75011",
    "75018",
    "75019",
    "75020",
    "75013",
    "93100",
    "93200",
    "94200",
    "92110",
    "75010",
    "75012",
    "94300",
]
LYON_CODES = ["69003", "69007", "69008", "69100", "69120", "69009", "69200", "69500"]
SPONSOR_NAMES = [
    ("Claire", "Martin", "woman"),
    ("Julien", "Bernard", "man"),
    ("Sophie", "Dubois", "woman"),
    ("Thomas", "Robert", "man"),
    ("Nathalie", "Richard", "woman"),
    ("Pierre", "Petit", "man"),
    ("Isabelle", "Durand", "woman"),
    ("Marc", "Leroy", "man"),
    ("Camille", "Moreau", "woman"),
    ("Hélène", "Simon", "woman"),
    ("Antoine", "Laurent", "man"),
    ("Élodie", "Lefebvre", "woman"),
    ("François", "Michel", "man"),
    ("Anne", "Garcia", "woman"),
    ("Louis", "David", "man"),
    ("Manon", "Bertrand", "woman"),
    ("Karim", "Roux", "man"),
    ("Inès", "Vincent", "woman"),
    ("Bruno", "Fournier", "man"),
    ("Léa", "Morel", "woman"),
    ("Yves", "Girard", "man"),
    ("Mathilde", "André", "woman"),
    ("Paul", "Mercier", "man"),
    ("Chloé", "Blanc", "woman"),
]
REFUGEE_NAMES = [
    ("Ahmad", "Rahimi", "man", ["prs", "fa"]),
    ("Mariam", "Haidari", "woman", ["fa"]),
    ("Abdelrahman", "Osman", "man", ["ar"]),
    ("Selam", "Tesfaye", "woman", ["ti"]),
    ("Olena", "Kovalenko", "woman", ["uk", "ru"]),
    ("Yusuf", "Ali", "man", ["so"]),
    ("Hawa", "Diallo", "woman", ["ff"]),
    ("Bilal", "Safi", "man", ["ps"]),
    ("Nour", "Al-Khatib", "woman", ["ar"]),
    ("Dawit", "Bekele", "man", ["am"]),
    ("Iryna", "Shevchenko", "woman", ["uk"]),
    ("Omar", "Haroun", "man", ["ar"]),
    ("Zahra", "Ahmadi", "woman", ["prs"]),
    ("Mohamed", "Adam", "man", ["ar"]),
    ("Aster", "Gebre", "woman", ["ti", "am"]),
    ("Samir", "Nazari", "man", ["fa"]),
    ("Fatoumata", "Camara", "woman", ["bm"]),
    ("Hamid", "Karimi", "man", ["ps"]),
    ("Lina", "Haddad", "woman", ["ar"]),
    ("Ivan", "Melnyk", "man", ["uk", "ru"]),
    ("Amina", "Hassan", "woman", ["so"]),
    ("Tesfay", "Kidane", "man", ["ti"]),
    ("Rahima", "Sultani", "woman", ["fa"]),
    ("Mustafa", "Yilmaz", "man", ["tr", "ku"]),
]
INTERESTS = [
    "cinema",
    "museums",
    "music",
    "sport",
    "cooking",
    "walking",
    "reading",
    "theatre",
    "art",
    "games",
    "nature",
    "history",
    "dance",
    "technology",
    "career",
]
DUOS_WAITING = 3  # the run's best proposals, approved: their introductions are on their way
# People already in a duo, at every month of its six (duos/ops/demo.py): sponsor, refugee.
DUO_PEOPLE = [
    (("Agnès", "Fontaine", "woman"), ("Rahmatullah", "Wardak", "man", ["prs"])),
    (("Didier", "Chevalier", "man"), ("Samira", "Yousef", "woman", ["ar"])),
    (("Monique", "Gauthier", "woman"), ("Kidane", "Haile", "man", ["ti"])),
    (("Olivier", "Perrin", "man"), ("Oksana", "Bondarenko", "woman", ["uk", "ru"])),
    (("Sylvie", "Robin", "woman"), ("Abdullahi", "Warsame", "man", ["so"])),
    (("Gérard", "Masson", "man"), ("Aïcha", "Konaté", "woman", ["bm"])),
    (("Brigitte", "Lemaire", "woman"), ("Farhad", "Jalali", "man", ["fa"])),
    (("Vincent", "Roche", "man"), ("Meron", "Tsegaye", "woman", ["am"])),
    (("Danielle", "Caron", "woman"), ("Nasrin", "Rezaei", "woman", ["fa"])),
    (("Philippe", "Renard", "man"), ("Hanna", "Tkachenko", "woman", ["uk"])),
]
NEWCOMERS = [
    ("Rose", "Lambert", "identity"),
    ("Farid", "Noori", "home"),
    ("Agathe", "Renaud", "languages"),
    ("Jamila", "Sadiq", "interests"),
]
ABOUT_TEXTS = [
    "J'aime marcher dans Paris et découvrir de nouveaux quartiers.",
    "Je travaille dans une bibliothèque et j'aime partager mes lectures.",
    "Je cuisine beaucoup et j'adore faire découvrir des plats.",
    "I love football and I play every Sunday.",
    "Je suis arrivé il y a deux ans, j'apprends le français tous les jours.",
    "",
]
HOPES_TEXTS = [
    "Pratiquer le français et mieux connaître la ville.",
    "Rencontrer quelqu'un et partager de bons moments.",
    "Découvrir les musées et les activités culturelles.",
    "Être utile et apprendre d'une autre culture.",
    "",
]
SLOTS = ["weekday_day", "weekday_evening", "weekend_day", "weekend_evening"]
SECOND_LANGUAGES = [
    ("en", "fluent"),
    ("en", "conversational"),
    ("es", "conversational"),
    ("ar", "fluent"),
    ("de", "basic"),
]


@dataclass
class Seeded:
    created: int = 0
    existing: int = 0


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options) -> None:
        rng = random.Random(2015)  # the programme's first year: fixed, so every run is the same
        tally = Seeded()
        with transaction.atomic():
            staff = self._user(
                STAFF_EMAIL,
                tally,
                is_staff=True,
                is_superuser=True,
                first_name="Équipe",
                last_name="Duos",
            )
            staff.groups.add(ensure_programme_team_group())
            social_worker = self._user(
                SOCIAL_WORKER_EMAIL, tally, first_name="Sarah", last_name="Benali"
            )
            SocialWorker.objects.get_or_create(
                user=social_worker, defaults={"organisation": "CADA de Montreuil"}
            )
            for index, (first, last, gender) in enumerate(SPONSOR_NAMES):
                self._sponsor(index, first, last, gender, rng, tally)
            for index, (first, last, gender, languages) in enumerate(REFUGEE_NAMES):
                referrer = social_worker if index % 6 == 5 else None
                self._refugee(index, first, last, gender, languages, referrer, rng, tally)
            for index, (first, last, step) in enumerate(NEWCOMERS):
                self._newcomer(index, first, last, step, tally)
            pairs = [
                self._duo_pair(index, sponsor, refugee, social_worker, rng, tally)
                for index, (sponsor, refugee) in enumerate(DUO_PEOPLE)
            ]
            created_duos = load_lifecycle(staff=staff, pairs=pairs, now=timezone.now())
        if created_duos:
            duos_send_reminders()  # the open month's reminders, written to var/mail/
        self._match_run(staff)
        self.stdout.write(
            f"Demo users: {tally.created} created, {tally.existing} already there.\n"
            f"  staff:          {staff.email} / {DEMO_PASSWORD}\n"
            f"  social worker:  {social_worker.email} / {DEMO_PASSWORD}\n"
            f"  a sponsor:      {_email('sponsor', 0)} / {DEMO_PASSWORD}\n"
            f"  a refugee:      {_email('refugee', 0)} / {DEMO_PASSWORD}\n"
            f"  a half-done profile: nouveau01@duos.example / {DEMO_PASSWORD}\n"
            "  staff must set up two-factor authentication (any TOTP app) at first login\n"
            "  a match run to review and duos waiting for answers: /equipe/appariements/\n"
            f"  someone in a duo:  {_email('duo-parrainage', 0)} / {DEMO_PASSWORD}\n"
            f"  {len(DEMO_DUOS)} duos at every month, one to call first: /equipe/duos/suivi/\n"
            "  emails sent by the app are written to var/mail/"
        )

    def _match_run(self, staff: User) -> None:
        """A finished run to review, whose best pairs already wait for both answers."""
        if MatchRun.objects.exists():
            return
        run = run_start(by=staff, weights=engine.Weights())
        run_execute(run.pk)
        best = Proposal.objects.filter(run=run).order_by("-score")[:DUOS_WAITING]
        proposals_approve(proposal_ids=[p.pk for p in best], by=staff)

    def _user(self, email: str, tally: Seeded, **fields) -> User:
        user, created = User.objects.get_or_create(email=email, defaults=fields)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        tally.created += created
        tally.existing += not created
        return user

    def _sponsor(self, index: int, first: str, last: str, gender: str, rng, tally) -> None:
        user = self._user(_email("sponsor", index), tally, first_name=first, last_name=last)
        languages = [{"code": "fr", "level": "native"}]
        if rng.random() < 0.7:
            code, level = rng.choice(SECOND_LANGUAGES)
            languages.append({"code": code, "level": level})
        person, created = Person.objects.get_or_create(
            user=user,
            defaults=self._profile(index, Role.SPONSOR, first, last, gender, languages, rng),
        )
        if created:
            _record_consents(person)

    def _refugee(self, index, first, last, gender, mother_tongues, referrer, rng, tally) -> None:
        languages = [{"code": code, "level": "native"} for code in mother_tongues]
        languages.append({"code": "fr", "level": rng.choice(["basic", "conversational"])})
        if rng.random() < 0.5:
            languages.append({"code": "en", "level": rng.choice(["conversational", "fluent"])})
        profile = self._profile(index, Role.REFUGEE, first, last, gender, languages, rng)
        profile.update(
            protection_status=rng.choice(["refugee", "subsidiary", "refugee", "stateless"]),
            arrival_year=rng.randint(2018, 2025),
        )
        if referrer:
            # Referred by a social worker: no login of their own.
            person, created = Person.objects.get_or_create(
                referrer=referrer, first_name=first, last_name=last, defaults=profile
            )
        else:
            user = self._user(_email("refugee", index), tally, first_name=first, last_name=last)
            person, created = Person.objects.get_or_create(user=user, defaults=profile)
        if created:
            _record_consents(person)

    def _duo_pair(self, index, sponsor, refugee, social_worker, rng, tally) -> tuple:
        """A sponsor and a refugee already in a duo (the third refugee is referred)."""
        first, last, gender = sponsor
        user = self._user(_email("duo-parrainage", index), tally, first_name=first, last_name=last)
        languages = [{"code": "fr", "level": "native"}, {"code": "en", "level": "fluent"}]
        profile = self._profile(index, Role.SPONSOR, first, last, gender, languages, rng)
        person_s, _ = Person.objects.get_or_create(user=user, defaults=profile)
        first, last, gender, mother_tongues = refugee
        languages = [{"code": code, "level": "native"} for code in mother_tongues]
        languages += [{"code": "fr", "level": "conversational"}, {"code": "en", "level": "fluent"}]
        profile = self._profile(index, Role.REFUGEE, first, last, gender, languages, rng)
        if index == 2:
            person_r, _ = Person.objects.get_or_create(
                referrer=social_worker, first_name=first, last_name=last, defaults=profile
            )
        else:
            user = self._user(_email("duo-filleul", index), tally, first_name=first, last_name=last)
            person_r, _ = Person.objects.get_or_create(user=user, defaults=profile)
        return person_s, person_r

    def _newcomer(self, index: int, first: str, last: str, step: str, tally) -> None:
        """Someone who stopped half-way through the profile."""
        user = self._user(
            f"nouveau{index + 1:02d}@duos.example", tally, first_name=first, last_name=last
        )
        place = geodata.communes_for("75019")[0]
        fields = {
            "role": Role.SPONSOR if index % 2 else Role.REFUGEE,
            "profile_step": step,
            "first_name": first,
            "last_name": last,
            "birth_year": 1988,
            "gender": "woman",
        }
        if fields["role"] == Role.REFUGEE:  # "About you" asks a refugee's protection too
            fields.update(protection_status="refugee", arrival_year=2021)
        if step != "identity":
            fields.update(
                postal_code=place.postal_code,
                commune=place.name,
                departement=place.departement,
                latitude=place.lat,
                longitude=place.lon,
            )
        Person.objects.get_or_create(user=user, defaults=fields)

    def _profile(self, index, role, first, last, gender, languages, rng) -> dict:
        postal_code = (PARIS_CODES if index % 3 else LYON_CODES)[index % 8]
        place = geodata.communes_for(postal_code)[0]
        waiting = timezone.now() - timedelta(days=rng.randint(5, 200))
        validated = bool(index % 7)
        return {
            "role": role,
            "state": CandidateState.VALIDATED if validated else CandidateState.AWAITING_VALIDATION,
            "waiting_since": waiting if validated else None,
            "validated_at": waiting if validated else None,
            "interview_at": waiting - timedelta(days=3) if validated else None,
            "profile_step": "consents",
            "first_name": first,
            "last_name": last,
            "birth_year": rng.randint(1955, 2000)
            if role == Role.SPONSOR
            else rng.randint(1975, 2005),
            "gender": gender,
            "partner_gender": "any" if rng.random() < 0.8 else gender,
            "postal_code": place.postal_code,
            "commune": place.name,
            "departement": place.departement,
            "latitude": place.lat,
            "longitude": place.lon,
            "max_distance_km": rng.choice([5, 10, 15, 20, 30]),
            "languages": languages,
            "interests": sorted(rng.sample(INTERESTS, rng.randint(2, 5))),
            "availability": sorted(rng.sample(SLOTS, rng.randint(1, 3))),
            "about": rng.choice(ABOUT_TEXTS),
            "hopes": rng.choice(HOPES_TEXTS),
        }


def _record_consents(person: Person) -> None:
    kinds = [ConsentKind.CHARTER, ConsentKind.PRIVACY]
    if person.user_id is None:
        kinds.append(ConsentKind.REFERRAL)
    Consent.objects.bulk_create(
        [Consent(person=person, kind=kind, version=CONSENT_VERSIONS[kind]) for kind in kinds]
    )


def _email(role: str, index: int) -> str:
    prefix = {"sponsor": "parrainage", "refugee": "filleul"}.get(role, role)
    return f"{prefix}{index + 1:02d}@duos.example"

"""Factories for the cast of every test: sponsor, refugee, social worker, staff, outsider."""

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from accounts.models import CandidateState, Person, Role, SocialWorker, User
from accounts.roles import ensure_programme_team_group

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

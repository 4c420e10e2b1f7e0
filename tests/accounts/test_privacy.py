"""Personal-data rights: the field registry, export, erasure, inactivity sweep and views."""

import datetime
import io
import json
from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import resolve, reverse
from django.utils import timezone

from accounts import privacy, privacy_registry
from accounts.models import (
    CandidateState,
    Consent,
    ConsentKind,
    Person,
    ProfileView,
    SocialWorker,
    StaffNote,
    User,
)
from duos.lib.dates import add_months
from duos.models import (
    Duo,
    DuoState,
    GroupActivity,
    Registration,
    RegistrationState,
    Report,
    ReportCategory,
    Side,
    SurveyAnswer,
)
from tests.factories import (
    PASSWORD,
    ReferredRefugeeFactory,
    RefugeeFactory,
    SocialWorkerFactory,
    SponsorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Values found nowhere else, so that finding one in a dump means a leak, not a coincidence.
PLANTED = {
    "first_name": "Zanzibarella",
    "last_name": "Quetzalcoatlova",
    "phone": "0699123457",
    "postal_code": "23150",
    "commune": "Ahun-les-Zanzibar",
    "about": "Collectionne les cerfs-volants indigo",
    "hopes": "Apprendre le xylophone-zz avec quelqu'un",
    "refusal_reason": "Motif-refus-Zorglub",
    "interests": ["interest-zz-kitesurf"],
    "availability": ["slot-zz-midnight"],
    "languages": [{"code": "zz-lang", "level": "native"}],
    "latitude": 46.0812345,
    "longitude": 2.0412345,
}
PLANTED_EMAIL = "zanzibarella.quetzal@example.org"
STAFF_NOTE = "Zanzibarella hesite, a revoir avec Zorglub"
TOTP_SECRET = "ZZSECRETTOTPZANZIBAR"


def _dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


def _planted_strings() -> list[str]:
    strings = [PLANTED_EMAIL, STAFF_NOTE, TOTP_SECRET, "zz-confirmation-key"]
    strings += [v for k, v in PLANTED.items() if isinstance(v, str) and k != "postal_code"]
    strings += ["interest-zz-kitesurf", "slot-zz-midnight", "zz-lang"]
    strings += [str(PLANTED["latitude"]), str(PLANTED["longitude"])]
    # A bare "23150" could be part of a timestamp's microseconds: look for the JSON string.
    strings.append(f'"{PLANTED["postal_code"]}"')
    return strings


@pytest.fixture
def planted_refugee(staff):
    """A refugee with something in every table that can hold their data."""
    user = UserFactory(
        email=PLANTED_EMAIL, first_name=PLANTED["first_name"], last_name=PLANTED["last_name"]
    )
    person = RefugeeFactory(user=user, birth_year=1987, **PLANTED)
    Consent.objects.create(person=person, kind=ConsentKind.PRIVACY, version="2025-01")
    StaffNote.objects.create(person=person, author=staff, text=STAFF_NOTE)
    ProfileView.objects.create(viewer=staff, person=person, what="profile")
    address = EmailAddress.objects.get(user=user)
    EmailConfirmation.objects.create(email_address=address, key="zz-confirmation-key")
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET}
    )
    _plant_duo_rows(person)
    for model, pk, text in [
        (Person, person.pk, str(person)),
        (User, user.pk, user.email),
    ]:
        LogEntry.objects.create(
            user=staff,
            content_type=ContentType.objects.get_for_model(model),
            object_id=str(pk),
            object_repr=text,
            action_flag=CHANGE,
            change_message=f"Changed phone to {PLANTED['phone']}",
        )
    return person


def _plant_duo_rows(person):
    """A finished duo with the person's survey answer and report, and a group activity."""
    now = timezone.now()
    duo = Duo.objects.create(
        sponsor=SponsorFactory(),
        refugee=person,
        state=DuoState.COMPLETED,
        expires_at=now,
        started_at=now - datetime.timedelta(days=200),
        ended_at=now,
    )
    SurveyAnswer.objects.create(
        duo=duo,
        side=Side.REFUGEE,
        person=person,
        rating=5,
        keep_in_touch="yes",
        suggestion="Zz more outings",
        answered_at=now,
    )
    Report.objects.create(
        duo=duo,
        side=Side.REFUGEE,
        reporter=person,
        sent_by=person.user,
        category=ReportCategory.PRACTICAL,
        text="Zz a practical problem",
    )
    activity = GroupActivity.objects.create(
        title="Picnic",
        starts_at=now,
        ends_at=now + datetime.timedelta(hours=2),
        place="Parc",
        capacity=5,
    )
    Registration.objects.create(
        activity=activity, person=person, state=RegistrationState.REGISTERED, attended=True
    )


# --- Registry --------------------------------------------------------------------------------


def test_registry_classifies_every_field_of_every_model():
    missing = privacy.unclassified_fields()

    assert not missing, (
        f"{len(missing)} field(s) are not classified for personal-data rights: {missing}. "
        "Add each to REGISTRY in accounts/privacy.py as PERSONAL, KEPT, WITHHELD or NOT_PERSONAL, "
        "and list the model in PERSON_ROWS or ACCOUNT_ROWS if it holds someone's data."
    )


def test_registry_reports_a_field_nobody_classified(monkeypatch):
    monkeypatch.delitem(privacy.REGISTRY, "accounts.Person.hopes")

    assert privacy.unclassified_fields() == ["accounts.Person.hopes"]


def test_registry_every_model_holding_someones_data_is_walked():
    walked = {*privacy.PERSON_ROWS, *privacy.ACCOUNT_ROWS, *privacy_registry.ERASED_SEPARATELY}
    holding = {
        model._meta.label
        for model in apps.get_models()
        if any(
            privacy.REGISTRY.get(privacy.field_key(field)) not in {None, privacy.Kind.NOT_PERSONAL}
            for field in privacy.concrete_fields(model)
        )
    }

    assert holding <= walked, (
        f"{sorted(holding - walked)} hold personal data but neither the export nor the erasure "
        "walks them: add them to PERSON_ROWS or ACCOUNT_ROWS in accounts/privacy.py."
    )


# --- Export ----------------------------------------------------------------------------------


def test_export_person_holds_every_exported_field_of_every_row(planted_refugee):
    SocialWorker.objects.create(user=planted_refugee.user, organisation="Zz asso")

    records = privacy.export_person(planted_refugee)["records"]

    for label in [*privacy.PERSON_ROWS, *privacy.ACCOUNT_ROWS]:
        model = apps.get_model(label)
        exported = {field.name for field in privacy.fields_of_kind(model, privacy.EXPORTED)}
        if not exported:
            assert label not in records
            continue
        assert records[label], f"no {label} row exported"
        for row in records[label]:
            assert set(row) == exported, label
    assert records["accounts.Person"][0]["first_name"] == PLANTED["first_name"]
    assert records["accounts.Person"][0]["interests"] == PLANTED["interests"]
    assert records["accounts.User"][0]["email"] == PLANTED_EMAIL
    assert records["accounts.Consent"][0]["kind"] == ConsentKind.PRIVACY


def test_export_person_leaves_out_what_is_withheld(planted_refugee):
    text = json.dumps(privacy.export_person(planted_refugee))

    assert STAFF_NOTE not in text
    assert TOTP_SECRET not in text
    assert "zz-confirmation-key" not in text
    assert planted_refugee.user.password not in text
    assert "accounts.StaffNote" not in text


def test_export_person_of_a_referred_refugee_has_no_account(referred_refugee):
    export = privacy.export_person(referred_refugee)

    assert not set(export["records"]) & set(privacy.ACCOUNT_ROWS)
    assert {label for label, rows in export["records"].items() if rows} == {"accounts.Person"}
    assert export["records"]["accounts.Person"][0]["referrer"] == referred_refugee.referrer.email
    json.dumps(export)


def test_export_account_of_a_user_without_profile_holds_their_account(outsider):
    records = privacy.export_account(outsider)["records"]

    assert records["accounts.User"][0]["email"] == outsider.email
    assert "accounts.Person" not in records


# --- Erasure ---------------------------------------------------------------------------------


def test_erase_person_leaves_no_planted_value_in_a_full_dump(client, planted_refugee):
    user = planted_refugee.user
    client.force_login(user)
    before = _dump()
    assert all(value in before for value in _planted_strings())  # the check can fail
    assert Session.objects.count() == 1

    assert privacy.erase_person(planted_refugee) is True

    after = _dump()
    leaked = [value for value in _planted_strings() if value in after]
    assert not leaked, f"still in the database after erasure: {leaked}"


def test_erase_person_anonymises_the_row_and_keeps_anonymous_statistics(planted_refugee):
    user_pk = planted_refugee.user.pk

    privacy.erase_person(planted_refugee)

    person = Person.objects.get(pk=planted_refugee.pk)
    assert person.anonymised_at is not None
    assert person.state == CandidateState.WITHDRAWN
    assert (person.first_name, person.last_name, person.phone, person.about) == ("", "", "", "")
    assert person.user is None and person.referrer is None
    assert person.latitude is None and person.languages == [] and person.protection_status == ""
    assert (person.role, person.departement, person.gender) == ("refugee", "75", "woman")
    assert person.birth_year == 1980
    assert not User.objects.filter(pk=user_pk).exists()
    assert not EmailAddress.objects.filter(user_id=user_pk).exists()
    assert not Authenticator.objects.filter(user_id=user_pk).exists()
    assert not Consent.objects.filter(person=person).exists()
    assert not StaffNote.objects.filter(person=person).exists()
    assert not Session.objects.exists()
    assert ProfileView.objects.filter(person=person).count() == 1
    assert set(LogEntry.objects.values_list("object_repr", "change_message")) == {("", "")}


def test_erase_person_twice_does_nothing_the_second_time(sponsor):
    assert privacy.erase_person(sponsor) is True
    anonymised_at = Person.objects.get(pk=sponsor.pk).anonymised_at

    assert privacy.erase_person(sponsor) is False
    assert Person.objects.get(pk=sponsor.pk).anonymised_at == anonymised_at


def test_erase_person_of_a_referred_refugee_leaves_their_social_worker(referred_refugee):
    worker = referred_refugee.referrer

    privacy.erase_person(referred_refugee)

    assert Person.objects.get(pk=referred_refugee.pk).referrer is None
    assert User.objects.filter(pk=worker.pk, is_active=True).exists()
    assert SocialWorker.objects.filter(user=worker).exists()


def test_erase_person_keeps_other_people_and_their_sessions(client, sponsor, refugee):
    client.force_login(refugee.user)
    other = SponsorFactory()

    privacy.erase_person(sponsor)

    assert Person.objects.filter(anonymised_at=None).count() == 2
    assert User.objects.filter(pk=other.user.pk).exists()
    assert Session.objects.count() == 1
    assert EmailAddress.objects.filter(user=refugee.user).exists()


# --- Inactivity ------------------------------------------------------------------------------

NOW = datetime.datetime(2027, 3, 31, 12, 0, tzinfo=datetime.UTC)


def _inactive_since(person: Person, moment: datetime.datetime) -> Person:
    Person.objects.filter(pk=person.pk).update(last_activity_at=moment)
    if person.user_id:
        User.objects.filter(pk=person.user_id).update(last_login=moment)
    return person


def test_anonymise_inactive_people_erases_25_months_of_silence_only():
    gone = _inactive_since(SponsorFactory(), NOW - datetime.timedelta(days=25 * 31))
    recent = _inactive_since(SponsorFactory(), NOW - datetime.timedelta(days=23 * 30))
    in_duo = _inactive_since(
        RefugeeFactory(state=CandidateState.IN_DUO), NOW - datetime.timedelta(days=25 * 31)
    )
    referred = _inactive_since(ReferredRefugeeFactory(), NOW - datetime.timedelta(days=25 * 31))
    logged_in = _inactive_since(SponsorFactory(), NOW - datetime.timedelta(days=25 * 31))
    User.objects.filter(pk=logged_in.user_id).update(last_login=NOW - datetime.timedelta(days=3))

    assert privacy.anonymise_inactive_people(now=NOW) == 2

    erased = set(Person.objects.exclude(anonymised_at=None).values_list("pk", flat=True))
    assert erased == {gone.pk, referred.pk}
    assert not User.objects.filter(pk=gone.user_id).exists()
    assert {recent.pk, in_duo.pk, logged_in.pk}.isdisjoint(erased)


def test_anonymise_inactive_people_twice_erases_nobody_the_second_time():
    _inactive_since(SponsorFactory(), NOW - datetime.timedelta(days=800))

    assert privacy.anonymise_inactive_people(now=NOW) == 1
    assert privacy.anonymise_inactive_people(now=NOW) == 0


def test_anonymise_inactive_people_counts_24_months_by_the_calendar():
    # The rule counts with the shared month arithmetic, on datetimes (time and zone kept).
    # 31 March minus 24 months is 31 March two years before; 29 February has no such day later.
    assert add_months(NOW, -24) == NOW.replace(year=2025)
    leap = datetime.datetime(2028, 2, 29, tzinfo=datetime.UTC)
    assert add_months(leap, -24) == datetime.datetime(2026, 2, 28, tzinfo=datetime.UTC)
    assert add_months(NOW, -1) == datetime.datetime(2027, 2, 28, 12, 0, tzinfo=datetime.UTC)


def test_anonymise_inactive_people_defaults_to_now(sponsor):
    _inactive_since(sponsor, timezone.now() - datetime.timedelta(days=740))

    assert privacy.anonymise_inactive_people() == 1


# --- Views: the rights page ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("privacy", []),
        ("privacy_export", []),
        ("privacy_delete", []),
        ("privacy_export_referred", [1]),
        ("privacy_delete_referred", [1]),
    ],
)
def test_privacy_urls_reach_their_own_view(name, args):
    # Another area's catch-all route must not swallow ours (it would answer 404 to everyone).
    assert resolve(reverse(f"accounts:{name}", args=args)).url_name == name


def _assert_login_redirect(response):
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("account_login"))


def test_privacy_page_redirects_anonymous_to_login(client):
    _assert_login_redirect(client.get(reverse("accounts:privacy")))


def test_privacy_page_refuses_post(client, sponsor):
    client.force_login(sponsor.user)

    response = client.post(reverse("accounts:privacy"))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_privacy_page_offers_download_and_deletion(client, sponsor):
    client.force_login(sponsor.user)

    response = client.get(reverse("accounts:privacy"))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert reverse("accounts:privacy_export") in html
    assert reverse("accounts:privacy_delete") in html


def test_privacy_page_lists_a_social_workers_referred_refugees_only(
    client, social_worker, referred_refugee
):
    someone_elses = ReferredRefugeeFactory()
    client.force_login(social_worker.user)

    html = client.get(reverse("accounts:privacy")).content.decode()

    assert reverse("accounts:privacy_export_referred", args=[referred_refugee.pk]) in html
    assert reverse("accounts:privacy_delete_referred", args=[referred_refugee.pk]) in html
    assert reverse("accounts:privacy_export_referred", args=[someone_elses.pk]) not in html
    assert reverse("accounts:privacy_delete") not in html


# --- Views: export ---------------------------------------------------------------------------


def test_privacy_export_redirects_anonymous_to_login(client):
    _assert_login_redirect(client.get(reverse("accounts:privacy_export")))


def test_privacy_export_refuses_post(client, sponsor):
    client.force_login(sponsor.user)

    assert client.post(reverse("accounts:privacy_export")).status_code == 405


def test_privacy_export_downloads_the_users_own_data_uncached(client, sponsor, refugee):
    client.force_login(sponsor.user)

    response = client.get(reverse("accounts:privacy_export"))

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    records = json.loads(response.content)["records"]
    assert records["accounts.Person"][0]["last_name"] == sponsor.last_name
    assert refugee.user.email not in response.content.decode()


def test_privacy_export_gives_an_outsider_their_account(client, outsider):
    client.force_login(outsider)

    response = client.get(reverse("accounts:privacy_export"))

    assert json.loads(response.content)["records"]["accounts.User"][0]["email"] == outsider.email


def test_privacy_export_referred_redirects_anonymous_to_login(client, referred_refugee):
    url = reverse("accounts:privacy_export_referred", args=[referred_refugee.pk])

    _assert_login_redirect(client.get(url))


def test_privacy_export_referred_refuses_post(client, social_worker, referred_refugee):
    client.force_login(social_worker.user)
    url = reverse("accounts:privacy_export_referred", args=[referred_refugee.pk])

    assert client.post(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.parametrize("who", ["another_worker", "sponsor", "outsider"])
def test_privacy_export_referred_is_404_for_anyone_but_their_worker(
    client, referred_refugee, sponsor, outsider, who
):
    user = {
        "another_worker": lambda: SocialWorkerFactory().user,
        "sponsor": lambda: sponsor.user,
        "outsider": lambda: outsider,
    }[who]()
    client.force_login(user)
    url = reverse("accounts:privacy_export_referred", args=[referred_refugee.pk])

    assert client.get(url).status_code == HTTPStatus.NOT_FOUND


def test_privacy_export_referred_is_404_for_a_person_with_their_own_account(
    client, social_worker, refugee
):
    # A refugee who has a login exercises their rights themself.
    Person.objects.filter(pk=refugee.pk).update(referrer=social_worker.user)
    client.force_login(social_worker.user)
    url = reverse("accounts:privacy_export_referred", args=[refugee.pk])

    assert client.get(url).status_code == HTTPStatus.NOT_FOUND


def test_privacy_export_referred_downloads_their_data(client, social_worker, referred_refugee):
    client.force_login(social_worker.user)

    response = client.get(reverse("accounts:privacy_export_referred", args=[referred_refugee.pk]))

    assert response.status_code == HTTPStatus.OK
    assert response["Cache-Control"] == "no-store"
    records = json.loads(response.content)["records"]
    assert records["accounts.Person"][0]["first_name"] == referred_refugee.first_name


# --- Views: deletion -------------------------------------------------------------------------


def test_privacy_delete_redirects_anonymous_to_login(client):
    _assert_login_redirect(client.get(reverse("accounts:privacy_delete")))


def test_privacy_delete_refuses_put(client, sponsor):
    client.force_login(sponsor.user)

    response = client.put(reverse("accounts:privacy_delete"))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_privacy_delete_is_404_without_a_profile(client, outsider):
    client.force_login(outsider)

    response = client.post(
        reverse("accounts:privacy_delete"), {"confirm": "on", "password": PASSWORD}
    )

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert User.objects.filter(pk=outsider.pk).exists()


def test_privacy_delete_shows_what_is_erased_and_kept(client, sponsor):
    client.force_login(sponsor.user)

    response = client.get(reverse("accounts:privacy_delete"))

    assert response.status_code == HTTPStatus.OK
    assert 'name="confirm"' in response.content.decode()
    assert 'name="password"' in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [{}, {"password": PASSWORD}, {"confirm": "on"}, {"confirm": "on", "password": "wrong-one"}],
)
def test_privacy_delete_without_confirmation_and_password_erases_nothing(client, sponsor, data):
    client.force_login(sponsor.user)

    response = client.post(reverse("accounts:privacy_delete"), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["form"].errors
    sponsor.refresh_from_db()
    assert sponsor.anonymised_at is None and sponsor.user is not None


def test_privacy_delete_erases_logs_out_and_says_so(client, sponsor):
    user_pk = sponsor.user.pk
    client.force_login(sponsor.user)

    response = client.post(
        reverse("accounts:privacy_delete"), {"confirm": "on", "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain == [(reverse("home"), HTTPStatus.FOUND)]
    assert not response.context["user"].is_authenticated
    assert len(list(response.context["messages"])) == 1
    assert Person.objects.get(pk=sponsor.pk).anonymised_at is not None
    assert not User.objects.filter(pk=user_pk).exists()


def test_privacy_delete_referred_redirects_anonymous_to_login(client, referred_refugee):
    url = reverse("accounts:privacy_delete_referred", args=[referred_refugee.pk])

    _assert_login_redirect(client.post(url, {"confirm": "on", "password": PASSWORD}))
    assert Person.objects.get(pk=referred_refugee.pk).anonymised_at is None


def test_privacy_delete_referred_refuses_put(client, social_worker, referred_refugee):
    client.force_login(social_worker.user)
    url = reverse("accounts:privacy_delete_referred", args=[referred_refugee.pk])

    assert client.put(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.parametrize("who", ["another_worker", "sponsor"])
def test_privacy_delete_referred_is_404_for_anyone_but_their_worker(
    client, referred_refugee, sponsor, who
):
    user = SocialWorkerFactory().user if who == "another_worker" else sponsor.user
    client.force_login(user)
    url = reverse("accounts:privacy_delete_referred", args=[referred_refugee.pk])

    response = client.post(url, {"confirm": "on", "password": PASSWORD})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert Person.objects.get(pk=referred_refugee.pk).anonymised_at is None


def test_privacy_delete_referred_wants_the_workers_password(
    client, social_worker, referred_refugee
):
    client.force_login(social_worker.user)
    url = reverse("accounts:privacy_delete_referred", args=[referred_refugee.pk])

    response = client.post(url, {"confirm": "on", "password": "not-it"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert Person.objects.get(pk=referred_refugee.pk).anonymised_at is None


def test_privacy_delete_referred_erases_the_profile_only(client, social_worker, referred_refugee):
    client.force_login(social_worker.user)
    url = reverse("accounts:privacy_delete_referred", args=[referred_refugee.pk])

    response = client.post(url, {"confirm": "on", "password": PASSWORD})

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("accounts:privacy")
    person = Person.objects.get(pk=referred_refugee.pk)
    assert person.anonymised_at is not None and person.first_name == ""
    # The worker stays logged in and keeps their account.
    assert client.get(reverse("accounts:privacy")).status_code == HTTPStatus.OK

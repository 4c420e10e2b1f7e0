"""The Django admin of the accounts app: every page renders, the staff-view log is read-only."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.models import Consent, Person, ProfileView, SocialWorker, StaffNote, User
from tests.factories import RefugeeFactory, SocialWorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_of_each(staff):
    social_worker = SocialWorkerFactory()
    person = RefugeeFactory(referrer=social_worker.user)
    consent = Consent.objects.create(person=person, kind="charter", version="2026-01")
    StaffNote.objects.create(person=person, author=staff, text="Met at the office")
    view = ProfileView.objects.create(viewer=staff, person=person, what="staff detail")
    return {
        User: staff,
        Person: person,
        SocialWorker: social_worker,
        Consent: consent,
        ProfileView: view,
    }


MODELS = [User, Person, SocialWorker, Consent, ProfileView]


def admin_url(model, action: str, *args) -> str:
    return reverse(f"admin:accounts_{model._meta.model_name}_{action}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_changelist_renders_for_a_superuser(admin_client, one_of_each, model):
    response = admin_client.get(admin_url(model, "changelist"))

    assert response.status_code == HTTPStatus.OK
    assert response.context["cl"].result_count == model.objects.count() >= 1


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_change_page_renders_for_a_superuser(admin_client, one_of_each, model):
    response = admin_client.get(admin_url(model, "change", one_of_each[model].pk))

    assert response.status_code == HTTPStatus.OK


def test_admin_sends_anonymous_to_its_login(client, one_of_each):
    response = client.get(admin_url(Person, "changelist"))

    assert response.status_code == HTTPStatus.FOUND
    assert reverse("admin:login") in response["Location"]


def test_admin_person_change_page_shows_consents_and_notes_inline(admin_client, one_of_each):
    response = admin_client.get(admin_url(Person, "change", one_of_each[Person].pk))

    html = response.content.decode()
    assert "2026-01" in html
    assert "Met at the office" in html


def test_admin_person_changelist_searches_and_filters(admin_client, one_of_each):
    RefugeeFactory(postal_code="93100", commune="Montreuil", departement="93")
    person = one_of_each[Person]

    by_commune = admin_client.get(admin_url(Person, "changelist"), {"q": "Montreuil"})
    by_email = admin_client.get(admin_url(Person, "changelist"), {"q": person.user.email})
    by_status = admin_client.get(
        admin_url(Person, "changelist"), {"protection_status": "refugee", "departement": "75"}
    )

    assert [p.commune for p in by_commune.context["cl"].result_list] == ["Montreuil"]
    assert list(by_email.context["cl"].result_list) == [person]
    assert list(by_status.context["cl"].result_list) == [person]


def _person_form(person: Person, **changes) -> dict:
    data = {
        "role": person.role,
        "user": person.user_id or "",
        "referrer": person.referrer_id or "",
        "first_name": person.first_name,
        "last_name": person.last_name,
        "birth_year": person.birth_year,
        "gender": person.gender,
        "partner_gender": person.partner_gender,
        "phone": "",
        "about": "",
        "hopes": "",
        "protection_status": person.protection_status,
        "arrival_year": person.arrival_year,
        "postal_code": person.postal_code,
        "commune": person.commune,
        "departement": person.departement,
        "latitude": person.latitude,
        "longitude": person.longitude,
        "max_distance_km": person.max_distance_km,
        "languages": '[{"code": "fr", "level": "native"}]',
        "interests": '["cinema"]',
        "availability": '["weekend_day"]',
        "interview_at_0": "",
        "interview_at_1": "",
        "profile_step": person.profile_step,
        "completion_reminders_sent": 0,
        "consents-TOTAL_FORMS": 1,
        "consents-INITIAL_FORMS": 1,
        "consents-MIN_NUM_FORMS": 0,
        "consents-MAX_NUM_FORMS": 1000,
        "consents-0-id": person.consents.get().pk,
        "consents-0-person": person.pk,
        "staff_notes-TOTAL_FORMS": 2,
        "staff_notes-INITIAL_FORMS": 1,
        "staff_notes-MIN_NUM_FORMS": 0,
        "staff_notes-MAX_NUM_FORMS": 1000,
        "staff_notes-0-id": person.staff_notes.get().pk,
        "staff_notes-0-person": person.pk,
        "staff_notes-0-text": person.staff_notes.get().text,
        "staff_notes-1-person": person.pk,
        "staff_notes-1-text": "",
    }
    return {**data, **changes}


def test_admin_person_note_added_inline_is_signed_by_its_author(
    admin_client, superuser, one_of_each
):
    person = one_of_each[Person]

    response = admin_client.post(
        admin_url(Person, "change", person.pk),
        _person_form(person, **{"staff_notes-1-text": "Called back"}),
    )

    assert response.status_code == HTTPStatus.FOUND, response.context["errors"]
    note = person.staff_notes.get(text="Called back")
    assert note.author == superuser


def test_admin_person_state_cannot_be_changed_by_hand(admin_client, one_of_each):
    person = one_of_each[Person]
    Person.objects.filter(pk=person.pk).update(state="awaiting_validation")

    response = admin_client.post(
        admin_url(Person, "change", person.pk), _person_form(person, state="validated")
    )

    assert response.status_code == HTTPStatus.FOUND, response.context["errors"]
    person.refresh_from_db()
    assert person.state == "awaiting_validation"


def test_admin_profile_view_refuses_add(admin_client):
    assert admin_client.get(admin_url(ProfileView, "add")).status_code == HTTPStatus.FORBIDDEN


def test_admin_profile_view_refuses_change_and_delete(admin_client, one_of_each):
    view = one_of_each[ProfileView]

    changed = admin_client.post(admin_url(ProfileView, "change", view.pk), {"what": "nothing"})
    deleted = admin_client.post(admin_url(ProfileView, "delete", view.pk), {"post": "yes"})

    assert changed.status_code == HTTPStatus.FORBIDDEN
    assert deleted.status_code == HTTPStatus.FORBIDDEN
    view.refresh_from_db()
    assert view.what == "staff detail"


def test_admin_profile_view_filters_by_viewer_and_searches_by_person(
    admin_client, staff, one_of_each
):
    other = RefugeeFactory(first_name="Zeynep")
    ProfileView.objects.create(viewer=None, person=other, what="staff detail")

    by_viewer = admin_client.get(
        admin_url(ProfileView, "changelist"), {"viewer__id__exact": staff.pk}
    )
    by_person = admin_client.get(admin_url(ProfileView, "changelist"), {"q": "Zeynep"})

    assert list(by_viewer.context["cl"].result_list) == [one_of_each[ProfileView]]
    assert [v.person for v in by_person.context["cl"].result_list] == [other]


def test_admin_profile_view_log_is_hidden_from_the_programme_team(client, staff, one_of_each):
    client.force_login(staff)

    log = client.get(admin_url(ProfileView, "changelist"))
    people = client.get(admin_url(Person, "changelist"))

    assert log.status_code == HTTPStatus.FORBIDDEN
    assert people.status_code == HTTPStatus.OK


def test_admin_consent_refuses_add_and_change(admin_client, one_of_each):
    consent = one_of_each[Consent]

    added = admin_client.get(admin_url(Consent, "add"))
    changed = admin_client.post(admin_url(Consent, "change", consent.pk), {"version": "forged"})

    assert added.status_code == HTTPStatus.FORBIDDEN
    assert changed.status_code == HTTPStatus.FORBIDDEN
    consent.refresh_from_db()
    assert consent.version == "2026-01"


def test_admin_user_add_page_creates_a_user_by_email(admin_client):
    assert admin_client.get(admin_url(User, "add")).status_code == HTTPStatus.OK

    response = admin_client.post(
        admin_url(User, "add"),
        {
            "email": "New.Member@Example.org",
            "usable_password": "true",
            "password1": "a-long-new-password-42",
            "password2": "a-long-new-password-42",
        },
    )

    assert response.status_code == HTTPStatus.FOUND, response.context["errors"]
    user = User.objects.get(email="new.member@example.org")
    assert user.check_password("a-long-new-password-42")


def test_admin_user_add_refuses_an_email_taken_in_another_case(admin_client, staff):
    response = admin_client.post(
        admin_url(User, "add"),
        {
            "email": staff.email.upper(),
            "usable_password": "true",
            "password1": "a-long-new-password-42",
            "password2": "a-long-new-password-42",
        },
    )

    assert response.status_code == HTTPStatus.OK
    assert response.context["adminform"].form.errors["email"]
    assert User.objects.filter(email__iexact=staff.email).count() == 1


def test_admin_user_changelist_searches_by_email(admin_client, one_of_each):
    staff = one_of_each[User]

    response = admin_client.get(admin_url(User, "changelist"), {"q": staff.email})

    assert list(response.context["cl"].result_list) == [staff]


def test_admin_user_change_saves_the_email_language(admin_client, staff):
    group = staff.groups.get()

    response = admin_client.post(
        admin_url(User, "change", staff.pk),
        {
            "email": staff.email,
            "first_name": staff.first_name,
            "last_name": staff.last_name,
            "language": "en",
            "is_active": "on",
            "is_staff": "on",
            "groups": [group.pk],
        },
    )

    assert response.status_code == HTTPStatus.FOUND, response.context["errors"]
    staff.refresh_from_db()
    assert staff.language == "en"
    assert list(staff.groups.all()) == [group]

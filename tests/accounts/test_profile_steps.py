"""The profile in short steps: each saves, bad input never clears the form, and a person who
stops half-way finds their answers."""

import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts import steps
from accounts.models import CandidateState, Consent, Person, Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

VALID = {
    "identity": {
        "first_name": "Amina",
        "last_name": "Hassan",
        "birth_year": "1990",
        "gender": "woman",
        "partner_gender": "any",
        "protection_status": "refugee",
        "arrival_year": "2022",
        "phone": "06 12 34 56 78",
    },
    "home": {"postal_code": "75011", "max_distance_km": "10"},
    "languages": {
        "language_0": "ar",
        "level_0": "native",
        "language_1": "fr",
        "level_1": "conversational",
    },
    "interests": {"interests": ["cinema", "cooking"], "availability": ["weekend_day"]},
    "about": {"about": "J'aime marcher.", "hopes": "Découvrir Paris."},
    "consents": {"charter": "on", "privacy": "on"},
}


@pytest.fixture
def newcomer(client):
    """A refugee who just verified their email: an empty profile."""
    user = UserFactory()
    person = Person.objects.create(user=user, role=Role.REFUGEE)
    client.force_login(user)
    return person


def step_url(slug: str) -> str:
    return reverse("accounts:profile_step", args=[slug])


def test_profile_steps_lead_to_a_complete_application(client, newcomer):
    for slug, data in VALID.items():
        response = client.post(step_url(slug), data)
        assert response.status_code == HTTPStatus.FOUND, (slug, response.content[:2000])

    newcomer.refresh_from_db()
    assert newcomer.state == CandidateState.AWAITING_VALIDATION
    assert newcomer.first_name == "Amina" and newcomer.phone == "+33612345678"
    assert newcomer.commune == "Paris 11e Arrondissement" and newcomer.departement == "75"
    assert newcomer.latitude == pytest.approx(48.86, abs=0.05)
    assert newcomer.languages == [
        {"code": "ar", "level": "native"},
        {"code": "fr", "level": "conversational"},
    ]
    assert newcomer.interests == ["cinema", "cooking"]
    assert set(Consent.objects.filter(person=newcomer).values_list("kind", flat=True)) == {
        "charter",
        "privacy",
    }


def test_profile_resumes_where_the_person_stopped(client, newcomer):
    client.post(step_url("identity"), VALID["identity"])
    client.post(step_url("home"), VALID["home"])
    client.logout()

    client.login(email=newcomer.user.email, password=PASSWORD)
    page = client.get(reverse("accounts:dashboard"))

    assert step_url("languages") in page.content.decode()
    identity = client.get(step_url("identity")).content.decode()
    assert 'value="Amina"' in identity and 'value="1990"' in identity


@pytest.mark.parametrize(
    ("slug", "data", "field", "kept"),
    [
        ("identity", {**VALID["identity"], "birth_year": "2015"}, "birth_year", "Amina"),
        ("identity", {**VALID["identity"], "phone": "12"}, "phone", "Hassan"),
        ("home", {"postal_code": "97400", "max_distance_km": "10"}, "postal_code", "97400"),
        ("home", {"postal_code": "75001 CEDEX", "max_distance_km": "10"}, "postal_code", "CEDEX"),
        ("home", {"postal_code": "00000", "max_distance_km": "10"}, "postal_code", "00000"),
        ("home", {"postal_code": "abc", "max_distance_km": "10"}, "postal_code", "abc"),
        ("home", {"postal_code": "75011", "max_distance_km": "7"}, "max_distance_km", "75011"),
        ("languages", {"language_0": "ar"}, "level_0", 'value="ar" selected'),
        (
            "languages",
            {"language_0": "ar", "level_0": "native", "language_1": "ar", "level_1": "basic"},
            "language_1",
            'value="native" selected',
        ),
        (
            "interests",
            {"interests": ["no-such-interest"], "availability": ["weekend_day"]},
            "interests",
            'value="weekend_day" id="id_availability_2" checked',
        ),
        ("interests", {"interests": ["cinema"]}, "availability", 'value="cinema" id'),
        ("identity", {**VALID["identity"], "arrival_year": "1850"}, "arrival_year", "1850"),
        ("identity", {**VALID["identity"], "protection_status": ""}, "protection_status", "Amina"),
        ("consents", {"privacy": "on"}, "charter", ""),
    ],
)
def test_profile_step_bad_input_is_a_400_that_keeps_what_was_typed(
    client, newcomer, slug, data, field, kept
):
    response = client.post(step_url(slug), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert field in response.context["form"].errors
    assert kept in response.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.profile_step == ""


def test_home_step_with_several_communes_asks_to_choose(client, newcomer):
    response = client.post(step_url("home"), {"postal_code": "01000", "max_distance_km": "10"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "commune" in response.context["form"].errors
    assert "Saint-Denis-lès-Bourg" in response.content.decode()

    response = client.post(
        step_url("home"),
        {"postal_code": "01000", "commune": "Saint-Denis-lès-Bourg", "max_distance_km": "15"},
    )

    assert response.status_code == HTTPStatus.FOUND
    newcomer.refresh_from_db()
    assert newcomer.commune == "Saint-Denis-lès-Bourg" and newcomer.max_distance_km == 15


def test_consents_with_missing_answers_send_back_to_the_missing_step(client, newcomer):
    client.post(step_url("identity"), VALID["identity"])

    response = client.post(step_url("consents"), VALID["consents"])

    assert response.url == step_url("home")
    newcomer.refresh_from_db()
    assert newcomer.state == CandidateState.TO_COMPLETE
    assert not Consent.objects.exists()


def test_sponsor_is_not_asked_a_protection_status(client, sponsor):
    client.force_login(sponsor.user)
    sponsor.protection_status, sponsor.arrival_year = "", None
    sponsor.save()
    identity = {k: v for k, v in VALID["identity"].items() if k not in {"arrival_year"}}

    page = client.get(step_url("identity")).content.decode()
    response = client.post(step_url("identity"), identity)  # a protection_status sent is ignored

    assert 'name="protection_status"' not in page and 'name="arrival_year"' not in page
    assert response.status_code == HTTPStatus.FOUND
    sponsor.refresh_from_db()
    assert (sponsor.first_name, sponsor.protection_status) == ("Amina", "")


def test_the_profile_is_six_pages_for_every_role(client, newcomer, sponsor):
    """The refugee's protection is asked with "About you", the free time with the interests."""
    client.post(step_url("identity"), VALID["identity"])

    page = client.get(step_url("identity")).content.decode()

    assert [s.slug for s in steps.steps_for(newcomer)] == [
        "identity",
        "home",
        "languages",
        "interests",
        "about",
        "consents",
    ]
    assert steps.steps_for(sponsor) == steps.steps_for(newcomer)
    assert 'name="protection_status"' in page and 'value="2022"' in page
    for gone in ["status", "availability"]:
        assert client.get(step_url(gone)).status_code == HTTPStatus.NOT_FOUND


def test_a_postal_code_of_one_commune_asks_no_commune(client, newcomer):
    empty = client.get(step_url("home")).content.decode()
    client.post(step_url("home"), VALID["home"])
    saved = client.get(step_url("home")).content.decode()

    assert 'name="commune"' not in empty and 'name="commune"' not in saved
    assert 'name="postal_code"' in empty


def test_languages_beyond_three_wait_behind_more_languages(client, newcomer):
    closed = client.get(step_url("languages")).content.decode()
    client.post(
        step_url("languages"),
        {
            **{f"language_{i}": code for i, code in enumerate(["ar", "fr", "en", "ru"])},
            **{f"level_{i}": "basic" for i in range(4)},
        },
    )
    opened = client.get(step_url("languages")).content.decode()

    assert '<details class="more-languages">' in closed
    assert closed.index('name="language_2"') < closed.index("more-languages")
    assert closed.index("more-languages") < closed.index('name="language_3"')
    assert '<details class="more-languages" open>' in opened
    newcomer.refresh_from_db()
    assert [item["code"] for item in newcomer.languages] == ["ar", "fr", "en", "ru"]


def test_a_refused_step_says_so_at_the_top(client, newcomer):
    response = client.post(step_url("interests"), {"interests": ["cinema"]})
    body = response.content.decode()

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert body.index('class="error-summary"') < body.index('name="interests"')


def test_profile_step_needs_login(client):
    response = client.get(step_url("identity"))

    assert response.status_code == HTTPStatus.FOUND
    assert reverse("account_login") in response.url


def test_profile_step_refuses_put(client, newcomer):
    assert client.put(step_url("identity")).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_profile_step_of_a_user_without_profile_is_a_404(client, outsider):
    client.force_login(outsider)

    assert client.get(step_url("identity")).status_code == HTTPStatus.NOT_FOUND


def test_social_worker_fills_in_the_profile_of_a_referred_refugee(client, social_worker):
    client.force_login(social_worker.user)

    response = client.post(reverse("accounts:referral_new"))

    person = Person.objects.get(referrer=social_worker.user)
    assert person.user is None and person.role == Role.REFUGEE
    assert response.url == reverse("accounts:referral_step", args=[person.pk, "identity"])
    for slug, data in VALID.items():
        data = {**data, "referral": "on"} if slug == "consents" else data
        url = reverse("accounts:referral_step", args=[person.pk, slug])
        assert client.post(url, data).status_code == HTTPStatus.FOUND, slug
    person.refresh_from_db()
    assert person.state == CandidateState.AWAITING_VALIDATION
    assert Consent.objects.filter(person=person, kind="referral").exists()


def test_referred_refugee_consents_need_the_persons_agreement(client, referred_refugee):
    client.force_login(referred_refugee.referrer)
    url = reverse("accounts:referral_step", args=[referred_refugee.pk, "consents"])

    response = client.post(url, VALID["consents"])

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "referral" in response.context["form"].errors


def test_social_worker_cannot_reach_another_workers_refugee(client, referred_refugee):
    from tests.factories import SocialWorkerFactory

    other = SocialWorkerFactory()
    client.force_login(other.user)

    for url in [
        reverse("accounts:referral_detail", args=[referred_refugee.pk]),
        reverse("accounts:referral_step", args=[referred_refugee.pk, "identity"]),
    ]:
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND
    response = client.post(
        reverse("accounts:referral_state_action", args=[referred_refugee.pk, "withdraw"])
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
    referred_refugee.refresh_from_db()
    assert referred_refugee.state == CandidateState.VALIDATED


def test_candidate_pauses_resumes_and_withdraws(client, sponsor):
    client.force_login(sponsor.user)

    client.post(reverse("accounts:state_action", args=["pause"]), {"confirm": "yes"})
    sponsor.refresh_from_db()
    assert sponsor.state == CandidateState.PAUSED

    client.post(reverse("accounts:state_action", args=["resume"]))
    sponsor.refresh_from_db()
    assert sponsor.state == CandidateState.VALIDATED

    client.post(reverse("accounts:state_action", args=["withdraw"]), {"confirm": "yes"})
    sponsor.refresh_from_db()
    assert sponsor.state == CandidateState.WITHDRAWN
    assert sponsor.user.is_active


def test_candidate_cannot_resume_what_is_not_paused(client, sponsor):
    client.force_login(sponsor.user)

    response = client.post(reverse("accounts:state_action", args=["resume"]))

    assert response.status_code == HTTPStatus.FOUND
    sponsor.refresh_from_db()
    assert sponsor.state == CandidateState.VALIDATED


def test_state_action_refuses_get(client, sponsor):
    client.force_login(sponsor.user)

    response = client.get(reverse("accounts:state_action", args=["pause"]))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_unverified_session_is_sent_to_verify_the_email(client):
    user = UserFactory(verified=False)
    Person.objects.create(user=user, role=Role.SPONSOR)
    client.force_login(user)

    response = client.get(reverse("accounts:dashboard"))

    assert response.url == reverse("account_email_verification_sent")


def test_login_records_activity(client, sponsor):
    from datetime import timedelta

    from django.utils import timezone

    Person.objects.filter(pk=sponsor.pk).update(
        last_activity_at=timezone.now() - timedelta(days=400)
    )

    client.post(reverse("account_login"), {"login": sponsor.user.email, "password": PASSWORD})

    sponsor.refresh_from_db()
    assert timezone.now() - sponsor.last_activity_at < timedelta(minutes=1)


def test_about_past_1000_characters_is_refused_with_a_message_not_cut(client, newcomer):
    client.cookies["django_language"] = "en"
    page = client.get(step_url("about")).content.decode()
    textareas = re.findall(r"<textarea[^>]*>", page)
    assert len(textareas) == 2 and not any("maxlength" in tag for tag in textareas)
    assert "Up to 1,000 characters." in page

    response = client.post(step_url("about"), {"about": "a" * 1001, "hopes": ""})

    assert response.status_code in (HTTPStatus.OK, HTTPStatus.BAD_REQUEST)
    assert "Please keep it under 1,000 characters." in response.content.decode()
    assert "a" * 1001 in response.content.decode()  # what was typed is kept, to shorten
    newcomer.refresh_from_db()
    assert newcomer.about == ""

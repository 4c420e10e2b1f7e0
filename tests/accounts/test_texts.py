"""The charter and the privacy notice: public pages with their version, linked from the consent
step and the footer; the version each person accepted is stored, exported, and asked again
once a newer one is published, without losing anything."""

import json
from datetime import date, timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import texts
from accounts.models import CandidateState, Consent, ConsentKind
from accounts.privacy import INACTIVITY_MONTHS
from tests.conftest import client_for
from tests.factories import DuoFactory, RefugeeFactory, SponsorFactory

pytestmark = pytest.mark.django_db

CHARTER = reverse("accounts:charter")
NOTICE = reverse("accounts:privacy_notice")
CONSENTS = reverse("accounts:profile_step", args=["consents"])
DASHBOARD = reverse("accounts:dashboard")


def _accepted(person, version: str) -> None:
    for kind in (ConsentKind.CHARTER, ConsentKind.PRIVACY):
        Consent.objects.create(person=person, kind=kind, version=version)


def test_charter_is_public_with_its_version_and_every_role():
    page = client_for().get(CHARTER)

    assert page.status_code == HTTPStatus.OK
    current = texts.current(ConsentKind.CHARTER)
    assert f'Version <bdi dir="ltr">{current.version}</bdi>, published on' in page.text
    for words in (
        "As a sponsor (parrain or marraine)",
        "As a refugee (filleul or filleule)",
        "As a social worker (référent or référente)",
        "We meet at least once a month, for six months.",
        "We never ask for, give or lend money. We never ask for or offer housing.",
        "a religion or a political opinion",
        "You can report a problem in confidence",
    ):
        assert words in page.text


def test_privacy_notice_names_the_controller_and_dpo_from_the_settings(settings):
    settings.PRIVACY_CONTROLLER = "France terre d'asile"
    settings.PRIVACY_DPO_EMAIL = "dpo@example.org"
    settings.PRIVACY_DPO_ADDRESS = "1 rue Exemple, 75000 Paris"
    settings.PRIVACY_CONTROLLER_ADDRESS = ""

    page = client_for().get(NOTICE)

    assert page.status_code == HTTPStatus.OK
    text = page.text.replace("&#x27;", "'")
    assert "The controller of your data is France terre d'asile" in text
    assert 'href="mailto:dpo@example.org"' in text
    assert "1 rue Exemple, 75000 Paris" in text
    assert text.count("Postal address:") == 1  # the controller's is not set: not printed
    version = texts.current(ConsentKind.PRIVACY).version
    assert f'Version <bdi dir="ltr">{version}</bdi>, published on' in text


def test_privacy_notice_states_the_bases_recipients_retention_and_rights():
    text = client_for().get(NOTICE).text

    for words in (
        "art. 6(1)(a)",
        "art. 9(2)(a)",
        "art. 6(1)(f)",
        "only once you have both said yes",
        "the email provider",
        f"after {INACTIVITY_MONTHS} months without any activity",
        "A login stays open for 14 days at most.",
        "you can undo it for 14 days",
        "Access and portability",
        "Rectification",
        "Erasure",
        "Withdrawal of consent",
        "Objection",
        "CNIL",
    ):
        assert words in text, words
    assert f'href="{reverse("accounts:privacy")}"' in text


def test_footer_links_both_texts():
    home = client_for().get("/").text

    assert f'href="{CHARTER}"' in home and f'href="{NOTICE}"' in home


def test_consent_step_links_both_texts_after_the_boxes(sponsor):
    page = client_for(sponsor.user).get(CONSENTS).text

    charter_box, notice_box = page.index('name="charter"'), page.index('name="privacy"')
    assert charter_box < page.index(f'href="{CHARTER}"', charter_box) < notice_box
    assert notice_box < page.index(f'href="{NOTICE}"', notice_box)
    assert "opening a text loses nothing" in page


def test_accepting_stores_the_versions_in_force(sponsor):
    client_for(sponsor.user).post(CONSENTS, {"charter": "on", "privacy": "on"})

    stored = dict(sponsor.consents.values_list("kind", "version"))
    assert stored == {
        ConsentKind.CHARTER: texts.CONSENT_VERSIONS[ConsentKind.CHARTER],
        ConsentKind.PRIVACY: texts.CONSENT_VERSIONS[ConsentKind.PRIVACY],
    }
    assert all(c.given_at for c in sponsor.consents.all())


def test_export_lists_each_version_accepted_with_its_dates(sponsor):
    _accepted(sponsor, "2026-01")
    client_for(sponsor.user).post(CONSENTS, {"charter": "on", "privacy": "on"})

    response = client_for(sponsor.user).get(reverse("accounts:privacy_export"))
    accepted = json.loads(response.content)["texts_accepted"]

    current = texts.current(ConsentKind.CHARTER)
    charter = [row for row in accepted if row["text"] == "charter"]
    assert [row["version"] for row in charter] == ["2026-01", current.version]
    assert charter[1]["published_on"] == current.published_on.isoformat()
    assert charter[0]["published_on"] == texts.published_on("charter", "2026-01").isoformat()
    assert all(row["accepted_at"] for row in accepted)


def test_a_person_who_accepted_the_current_versions_is_not_asked_again(sponsor):
    _accepted(sponsor, texts.CONSENT_VERSIONS[ConsentKind.CHARTER])

    page = client_for(sponsor.user).get(DASHBOARD).text

    assert "New version to accept" not in page


def test_a_newer_version_is_asked_again_without_losing_anything():
    duo = DuoFactory(started_at=timezone.now() - timedelta(days=40))
    sponsor = duo.sponsor
    type(sponsor).objects.filter(pk=sponsor.pk).update(
        state=CandidateState.IN_DUO, profile_step="consents"
    )
    _accepted(sponsor, "2026-01")
    client = client_for(sponsor.user)

    page = client.get(DASHBOARD).text
    assert "New version to accept" in page
    assert f'href="{CONSENTS}"' in page and f'href="{CHARTER}"' in page
    assert "New version to accept" in client.get(CONSENTS).text
    response = client.post(CONSENTS, {"charter": "on", "privacy": "on"}, follow=True)

    assert "Thank you: the new version is accepted." in response.text
    assert "New version to accept" not in client.get(DASHBOARD).text
    sponsor.refresh_from_db()
    assert sponsor.state == CandidateState.IN_DUO
    versions = sorted(sponsor.consents.values_list("kind", "version"))
    assert versions == sorted(
        [(kind, version) for kind in ("charter", "privacy") for version in ("2026-01", "2026-12")]
    )


def test_a_social_worker_is_asked_for_the_person_they_refer(referred_refugee):
    _accepted(referred_refugee, "2026-01")
    Consent.objects.create(person=referred_refugee, kind=ConsentKind.REFERRAL, version="2026-01")
    worker = client_for(referred_refugee.referrer)

    page = worker.get(reverse("accounts:referral_detail", args=[referred_refugee.pk])).text

    assert "A text accepted for this person has changed." in page
    consents = reverse("accounts:referral_step", args=[referred_refugee.pk, "consents"])
    assert f'href="{consents}"' in page


def test_texts_to_accept_again_only_for_older_versions():
    never = RefugeeFactory()
    old = SponsorFactory()
    _accepted(old, "2026-01")

    assert texts.texts_to_accept_again(never) == []
    assert texts.texts_to_accept_again(old) == [ConsentKind.CHARTER, ConsentKind.PRIVACY]
    assert texts.published_on("charter", "1999-01") is None
    assert texts.current(ConsentKind.CHARTER).published_on <= date.today()

"""Journey 1: a sponsor from the home page to a complete profile, on the four screens.

At the sign-up and at every profile step the sponsor first gets one answer wrong (a password too
short, a minor's year of birth, a postal code that does not exist, a language without its level,
no moment when free, a text too long, the privacy agreement left out): the page must say so in
its own language (the catalog's words, compared under `translation.override`, never the French
fallback), keep what was typed, then take the corrected answer and go on. Every page reached is
audited (tests/browser/conftest.py); at 360 px the sign-up and the first step are also read with
text at 200% (WCAG 1.4.4).
"""

import pytest
from playwright.sync_api import expect

from accounts import forms as profile_forms
from accounts.models import CandidateState, Person, Role
from tests.browser.conftest import PHONE, Visitor, mail_links
from tests.browser.profile_journey import (
    PASSWORD,
    expect_error,
    field,
    fill_home,
    fill_identity,
    fill_languages,
    fill_sign_up,
    language_row,
    refused,
    say,
    say_plural,
    submit,
    tick,
)

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "helene.martin@example.org"
TOO_LONG = "Je marche beaucoup. " * 51  # 1,020 characters, over the limit of 1,000


def sign_up_as_a_sponsor(visitor: Visitor) -> None:
    page, lang = visitor.open("/", "home"), visitor.screen.language
    page.get_by_role("link", name=say(lang, "Become a sponsor (parrain or marraine)")).click()
    visitor.audit("sign-up")
    if visitor.screen.width == PHONE[0]:
        visitor.check_text_zoom("sign-up")
    sponsor = page.get_by_label(say(lang, "I want to become a sponsor (parrain or marraine)"))
    expect(sponsor).to_be_checked()

    fill_sign_up(visitor, EMAIL, "court")
    submit(visitor, "sign-up-password-too-short")  # allauth answers 200, not 400, there
    too_short = say_plural(  # Django's own message
        lang,
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        8,
    )
    expect(page.locator("main form")).to_contain_text(too_short)
    expect(page.get_by_label(say(lang, "Email"), exact=False)).to_have_value(EMAIL)
    expect(sponsor).to_be_checked()

    fill_sign_up(visitor, EMAIL, PASSWORD)
    submit(visitor, "verification-sent")


def confirm_the_email(visitor: Visitor) -> None:
    """The link opens a page with a button; pressed, the new sponsor starts the profile."""
    (link,) = mail_links(EMAIL, "/accounts/confirm-email/")
    page = visitor.open(link, "confirm-email")
    page.get_by_role("button", name=say(visitor.screen.language, "Confirm")).click()
    visitor.audit("identity")
    assert page.url.endswith("/profil/identity/")


def about_me(visitor: Visitor) -> None:
    if visitor.screen.width == PHONE[0]:
        visitor.check_text_zoom("identity")
    fill_identity(visitor, "Hélène")
    birth_year = field(visitor, profile_forms.IdentityForm, "birth_year")
    birth_year.fill("2015")
    refused(visitor, "identity-minor")
    expect_error(visitor, "birth_year", "The programme is for adults (18 or older).")
    expect(field(visitor, profile_forms.IdentityForm, "first_name")).to_have_value("Hélène")
    expect(birth_year).to_have_value("2015")
    birth_year.fill("1985")
    submit(visitor, "home")


def where_i_live(visitor: Visitor) -> None:
    distance = field(visitor, profile_forms.HomeForm, "max_distance_km")
    distance.select_option("20")
    fill_home(visitor, "00000")
    refused(visitor, "home-unknown-postal-code")
    expect_error(visitor, "postal_code", profile_forms.POSTAL_CODE_ERRORS["unknown"])
    expect(distance).to_have_value("20")
    fill_home(visitor, "75011")
    submit(visitor, "languages")


def my_languages(visitor: Visitor) -> None:
    first_row, second_row = language_row(visitor, 0), language_row(visitor, 1)
    first_row.get_by_role("combobox").first.select_option("fr")  # and no level
    fill_languages(visitor, [("fr", ""), ("en", "fluent")])
    refused(visitor, "languages-no-level")
    expect_error(visitor, "level_0", "Please choose your level in this language.")
    expect(first_row.get_by_role("combobox").first).to_have_value("fr")
    expect(second_row.get_by_role("combobox").last).to_have_value("fluent")
    fill_languages(visitor, [("fr", "native")])
    submit(visitor, "interests")


def what_i_enjoy_and_when(visitor: Visitor) -> None:
    tick(visitor, "cinema", "cooking")  # and no moment when free
    refused(visitor, "interests-no-availability")
    expect_error(visitor, "availability", "Please choose at least one moment when you are free.")
    expect(visitor.page.get_by_role("alert")).to_contain_text(
        say(visitor.screen.language, "Some answers need a change: see the messages below.")
    )
    expect(visitor.page.get_by_label(say(visitor.screen.language, "cinema"))).to_be_checked()
    tick(visitor, "weekends, daytime")
    submit(visitor, "about")


def a_few_words(visitor: Visitor) -> None:
    about = field(visitor, profile_forms.AboutForm, "about")
    hopes = field(visitor, profile_forms.AboutForm, "hopes")
    about.fill(TOO_LONG)
    hopes.fill("Faire découvrir Paris.")
    refused(visitor, "about-too-long")
    expect_error(visitor, "about", "Please keep it under 1,000 characters.")
    expect(about).to_have_value(TOO_LONG)
    expect(hopes).to_have_value("Faire découvrir Paris.")
    about.fill("Je marche beaucoup.")
    submit(visitor, "consents")


def charter_and_privacy(visitor: Visitor) -> None:
    page, lang = visitor.page, visitor.screen.language
    fields = profile_forms.ConsentsForm.base_fields
    charter = field(visitor, fields, "charter")
    charter.check()
    refused(visitor, "consents-privacy-missing")
    expect_error(visitor, "privacy", fields["privacy"].error_messages["required"])
    expect(charter).to_be_checked()
    field(visitor, fields, "privacy").check()
    submit(visitor, "my-space-complete")
    thanks = "Thank you! Your profile is complete. The team will contact you for a short interview."
    expect(page.get_by_role("status")).to_contain_text(say(lang, thanks))


def test_a_sponsor_corrects_one_mistake_per_step(visitors):
    visitor = visitors("sponsor")
    sign_up_as_a_sponsor(visitor)
    confirm_the_email(visitor)
    about_me(visitor)
    where_i_live(visitor)
    my_languages(visitor)
    what_i_enjoy_and_when(visitor)
    a_few_words(visitor)
    charter_and_privacy(visitor)

    person = Person.objects.get(user__email=EMAIL)
    assert (person.role, person.state) == (Role.SPONSOR, CandidateState.AWAITING_VALIDATION)
    assert person.commune == "Paris 11e Arrondissement" and person.max_distance_km == 20
    assert person.languages == [
        {"code": "fr", "level": "native"},
        {"code": "en", "level": "fluent"},
    ]
    assert person.user.language == visitor.screen.language

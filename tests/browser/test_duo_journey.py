"""Journey 4 (issue 10): a duo from its introduction emails to the closing survey.

The team has just proposed the duo (the models' own transition, which sends the introductions).
Both people accept from their email's link; the participant page (/mon-duo/) shows the
partner's contact details only once both said yes. Three weeks later the month's reminders go
out: the sponsor answers "we met" from the email's link, the refugee from the logged-in form of
/mon-duo/ (issue 13, item 6). After the sixth month the closing email's link opens the survey,
which the sponsor answers. Every page is audited on the four screens.

The clock moves on by moving the duo's start back (between browser steps, never during one),
then calling the function the Celery beat calls; the pages read the real time.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from duos.followup.reminders import duos_send_reminders
from duos.models import CheckIn, Duo, DuoState, KeepInTouch, Side, SurveyAnswer
from duos.models.proposing import duo_propose
from tests.browser.conftest import PHONE, log_in_browser, mail_links
from tests.factories import RefugeeFactory, SponsorFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)

ANSWER_LINKS = "/duo/reponse/"
CHECKIN_LINKS = "/duo/suivi/"
SURVEY_LINKS = "/duo/questionnaire/"


def a_duo_just_proposed(language: str) -> Duo:
    sponsor = SponsorFactory(first_name="Hélène", phone="06 11 22 33 44", user__language=language)
    refugee = RefugeeFactory(first_name="Amina", phone="07 55 66 77 88", user__language=language)
    return duo_propose(sponsor=sponsor, refugee=refugee, by=StaffFactory())


def accept_from_the_introduction(tab, person, *, label: str) -> None:
    # The email's first answer link is "Yes, I would like to meet".
    accept = mail_links(person.user.email, ANSWER_LINKS)[0]
    page = tab.open(accept, f"{label}-accept-link")
    page.get_by_role("button", name=tab.text("Yes, I would like to meet")).click()
    expect(page.get_by_role("status")).to_be_visible()
    tab.audit(f"{label}-accepted")


def my_duo_shows_contact_details(tab, other, *, label: str) -> bool:
    page = tab.open("/mon-duo/", label)
    contact = page.get_by_role("heading", name=tab.text("How to reach them"))
    shown = contact.count() == 1
    assert (page.get_by_text(other.user.email).count() == 1) is shown, label
    assert (page.get_by_text(other.phone).count() == 1) is shown, label
    return shown


def three_weeks_later_the_reminders_go_out(duo: Duo) -> None:
    Duo.objects.filter(pk=duo.pk).update(started_at=timezone.now() - timedelta(days=21))
    assert duos_send_reminders() == 2


def we_met_from_the_reminder(tab, duo: Duo) -> None:
    # The reminder's first check-in link is "we met".
    met = mail_links(duo.sponsor.user.email, CHECKIN_LINKS)[0]
    page = tab.open(met, "reminder-we-met-link")
    page.get_by_role("button", name=tab.text("Yes, we met")).click()
    expect(page.get_by_role("status")).to_have_text(tab.text("Thank you! Your answer is recorded."))
    tab.audit("reminder-we-met-recorded")
    assert CheckIn.objects.get(duo=duo, month=1, side=Side.SPONSOR).met is True


def we_met_from_my_duo(tab, duo: Duo) -> None:
    page = tab.open("/mon-duo/", "refugee-my-duo-month-open")
    question = tab.text("Month %(month)s is still open: did you meet?", month=1)
    expect(page.get_by_text(question)).to_be_visible()
    page.get_by_role("button", name=tab.text("We met"), exact=True).click()
    expect(page.get_by_role("button", name=tab.text("We met"), exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    tab.audit("refugee-my-duo-month-answered")
    assert CheckIn.objects.get(duo=duo, month=1, side=Side.REFUGEE).met is True


def six_months_later_the_closing_email_goes_out(duo: Duo) -> None:
    Duo.objects.filter(pk=duo.pk).update(started_at=timezone.now() - timedelta(days=200))
    duos_send_reminders()
    duo.refresh_from_db()
    assert duo.state == DuoState.COMPLETED


def answer_the_survey(tab, duo: Duo) -> None:
    survey = mail_links(duo.sponsor.user.email, SURVEY_LINKS)[0]
    page = tab.open(survey, "survey")
    rating = page.get_by_role(
        "group", name=tab.text("How did it go, from 1 (not well) to 5 (very well)?")
    )
    rating.get_by_label("5", exact=True).check()
    keep_in_touch = page.get_by_role("group", name=tab.text("Will you keep in touch?"))
    keep_in_touch.get_by_label(tab.text("Yes"), exact=True).check()
    page.get_by_label(tab.text("What should the programme change? (optional)")).fill(
        "Plus d'activités le dimanche."
    )
    page.get_by_role("button", name=tab.text("Send my answers")).click()
    expect(page.get_by_role("status")).to_have_text(tab.text("Thank you! Your answer is recorded."))
    tab.audit("survey-answered")
    answer = SurveyAnswer.objects.get(duo=duo, side=Side.SPONSOR)
    assert (answer.rating, answer.keep_in_touch) == (5, KeepInTouch.YES)
    assert answer.suggestion == "Plus d'activités le dimanche."


def test_a_duo_from_its_introduction_to_its_survey(visitors):
    sponsor_tab, refugee_tab = visitors("sponsor"), visitors("refugee")
    duo = a_duo_just_proposed(sponsor_tab.screen.language)
    log_in_browser(sponsor_tab, duo.sponsor.user)
    log_in_browser(refugee_tab, duo.refugee.user)

    accept_from_the_introduction(sponsor_tab, duo.sponsor, label="sponsor")
    assert not my_duo_shows_contact_details(
        sponsor_tab, duo.refugee, label="sponsor-my-duo-waiting"
    )
    accept_from_the_introduction(refugee_tab, duo.refugee, label="refugee")
    assert my_duo_shows_contact_details(sponsor_tab, duo.refugee, label="sponsor-my-duo-active")
    if sponsor_tab.screen.width == PHONE[0]:
        sponsor_tab.check_text_zoom("sponsor-my-duo-active")

    three_weeks_later_the_reminders_go_out(duo)
    we_met_from_the_reminder(sponsor_tab, duo)
    we_met_from_my_duo(refugee_tab, duo)

    six_months_later_the_closing_email_goes_out(duo)
    answer_the_survey(sponsor_tab, duo)

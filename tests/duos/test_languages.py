"""Seven languages: lang and dir of every page, no English left, errors and dates in the language.

`pytest -s tests/duos/test_languages.py` prints, for each language, the home and sign-up pages'
lang, dir and first heading.
"""

import html
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core import mail
from django.template import engines
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import CandidateState
from accounts.services import send_decision_email
from duos.lib import formats
from tests.factories import RefugeeFactory, UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["fr", "en", "ar", "fa", "ps", "uk", "ru"]
NOT_ENGLISH = [code for code in LANGUAGES if code != "en"]
RIGHT_TO_LEFT = {"ar", "fa", "ps"}


def page(language: str, path: str, data: dict | None = None, client: Client | None = None):
    client = client or Client(HTTP_ACCEPT_LANGUAGE=language)
    response = client.post(path, data) if data is not None else client.get(path)
    return response.content.decode()


def html_tag(body: str) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', body)
    return match[1], match[2]


def first_heading(body: str) -> str:
    return visible(re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S)[1])


def visible(body: str) -> str:
    """The text a person reads: no tags, scripts, attributes or the language switcher."""
    body = re.sub(r'(?s)<form class="language-switcher".*?</form>', " ", body)
    body = re.sub(r"(?s)<(script|style|head)[^>]*>.*?</\1>", " ", body)
    body = re.sub(r"(?s)<[^>]+>", " ", body)
    return " ".join(html.unescape(body).split())


def gettext_in(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def test_an_arabic_browser_gets_the_home_page_in_arabic_right_to_left():
    body = page("ar", "/")

    assert '<html lang="ar" dir="rtl">' in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_and_signup_speak_the_browsers_language_in_its_direction(language):
    direction = "rtl" if language in RIGHT_TO_LEFT else "ltr"
    for path in ["/", reverse("account_signup")]:
        body = page(language, path)
        print(f"{language} {path}: {html_tag(body)} «{first_heading(body)}»")

        assert html_tag(body) == (language, direction)
    signup = page(language, reverse("account_signup"))
    home = page(language, "/")
    assert first_heading(signup) == gettext_in(language, "Sign Up")
    lead = "How a duo works"
    assert gettext_in(language, lead) in visible(home)
    if language != "en":
        assert first_heading(signup) != "Sign Up"
        assert lead not in visible(home)


def test_pashto_is_right_to_left_and_named_in_its_own_script():
    with translation.override("ps"):
        assert translation.get_language_bidi()
    assert translation.get_language_info("ps")["name_local"] == "پښتو"
    assert {"ar", "fa", "ps"} <= set(settings.LANGUAGES_BIDI)
    switcher = re.search(r'<select id="language-select".*?</select>', page("fr", "/"), re.S)[0]
    for name in ["Français", "English", "العربيّة", "دری (فارسی)", "پښتو", "Українська", "Русский"]:
        assert f">{name}<" in switcher


def _english_sentences() -> set[str]:
    """Every English sentence our pages may show: ours, and Django's and allauth's we translate.

    Placeholders split a message into its fixed parts; short parts (a word or two, names such
    as "Duos de demain") are left out, as are those the language writes the same.
    """
    catalogs = [
        ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po",
        ROOT / "thirdparty" / "locale" / "ps" / "LC_MESSAGES" / "django.po",
    ]
    sentences = set()
    for path in catalogs:
        with path.open("rb") as file:
            for message in read_po(file):
                for text in message.id if isinstance(message.id, tuple) else [message.id]:
                    for part in re.split(r"%\(\w+\)[sd]|%[sd]|<[^>]+>|\{\{[^}]*\}\}", text or ""):
                        part = " ".join(part.split())
                        if len(part.split()) >= 4:
                            sentences.add(part)
    return sentences


@pytest.mark.parametrize("language", NOT_ENGLISH)
def test_no_english_sentence_on_the_home_signup_and_login_pages(language):
    sentences = _english_sentences()
    pages = {
        "home": page(language, "/"),
        "sign-up": page(language, reverse("account_signup")),
        "sign-up with errors": page(language, reverse("account_signup"), {}),
        "login": page(language, reverse("account_login")),
        "login refused": page(
            language, reverse("account_login"), {"login": "x@example.org", "password": "nope"}
        ),
    }

    for name, body in pages.items():
        text = visible(body)
        english = sorted(s for s in sentences if s in text and gettext_in(language, s) != s)
        assert not english, f"{language} {name}: {english}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_form_errors_are_in_the_pages_language(language):
    required = gettext_in(language, "This field is required.")
    refused = gettext_in(
        language, "The email address and/or password you specified are not correct."
    )
    whole_number = gettext_in(language, "Enter a whole number.")
    signup = visible(page(language, reverse("account_signup"), {}))
    login = visible(
        page(language, reverse("account_login"), {"login": "x@example.org", "password": "nope"})
    )
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(RefugeeFactory().user)
    step = visible(
        page(
            language,
            reverse("accounts:profile_step", args=["identity"]),
            {"first_name": "Amina", "birth_year": "nineteen"},
            client=client,
        )
    )

    assert required in signup
    assert refused in login
    assert whole_number in step and required in step
    if language != "en":
        assert "This field is required." not in signup + step
        assert "not correct" not in login
        assert "Enter a whole number." not in step
        # Pashto has no catalog of its own in Django or allauth: never French instead.
        if language == "ps":
            assert gettext_in("fr", "This field is required.") not in signup + step


def _third_party_messages() -> list[str | tuple[str, str]]:
    """The msgids of Django and allauth our pages show (those thirdparty/locale/ps translates)."""
    path = ROOT / "thirdparty" / "locale" / "ps" / "LC_MESSAGES" / "django.po"
    with path.open("rb") as file:
        return [message.id for message in read_po(file) if message.id]


@pytest.mark.parametrize("language", [code for code in NOT_ENGLISH if code != "fr"])
def test_django_and_allauth_messages_never_fall_back_to_french(language):
    """A msgid missing from Django's own catalog of a language falls back to LANGUAGE_CODE's:
    an Arabic page said "Ce mot de passe est trop court" (Django 5.2 rewrote that message, its
    ar and fa catalogs kept the old one; thirdparty/locale/ar and fa give it)."""

    def translated(message, into: str) -> str:
        with translation.override(into):
            if isinstance(message, tuple):
                return translation.ngettext(*message, 8)
            return translation.gettext(message)

    french = [m for m in _third_party_messages() if translated(m, language) == translated(m, "fr")]

    assert not french, f"{language} shows these in French: {french}"


def test_left_to_right_values_stay_left_to_right_in_a_right_to_left_page():
    signup = page("ar", reverse("account_signup"))
    client = Client(HTTP_ACCEPT_LANGUAGE="ar")
    client.force_login(RefugeeFactory().user)
    identity = page("ar", reverse("accounts:profile_step", args=["identity"]), client=client)
    home = page("ar", reverse("accounts:profile_step", args=["home"]), client=client)

    assert re.search(r'<input type="email"[^>]*dir="ltr"', signup)
    assert re.search(r'<input[^>]*name="phone"[^>]*dir="ltr"|dir="ltr"[^>]*name="phone"', identity)
    assert re.search(r'<input[^>]*dir="ltr"[^>]*name="postal_code"', home) or re.search(
        r'<input[^>]*name="postal_code"[^>]*dir="ltr"', home
    )


def test_the_stylesheet_has_no_physical_left_or_right():
    css = re.sub(r"(?s)/\*.*?\*/", "", (ROOT / "static" / "css" / "site.css").read_text())
    templates = [p.read_text() for p in (ROOT / "templates").rglob("*.html")]

    assert not re.findall(r"[\w-]*\b(?:left|right)\b[\w-]*", css)
    assert "inset-inline-start" in css and "border-inline-start" in css
    assert not [t for t in templates if re.search(r'style="[^"]*\b(left|right)\b', t)]


def test_a_right_to_left_email_says_so_on_its_html_body():
    person = RefugeeFactory(state=CandidateState.VALIDATED, user=UserFactory(language="ar"))

    assert send_decision_email(person_id=person.pk, decision="validated")

    body = mail.outbox[0].alternatives[0][0]
    assert '<html lang="ar">' in body
    assert '<body lang="ar" dir="rtl">' in body
    assert gettext_in("ar", "Your application to Duos de demain is validated") in (
        mail.outbox[0].subject
    )


DAY = date(2026, 3, 14)
MOMENT = datetime(2026, 3, 14, 18, 30, tzinfo=ZoneInfo("Europe/Paris"))
EXPECTED = {
    # language: (long date, short date, full date and time); \u202f is a narrow no-break space.
    "fr": ("14 mars 2026", "14/03/2026", "samedi 14 mars 2026, 18:30"),
    "en": ("14 March 2026", "14/03/2026", "Saturday, 14 March 2026, 18:30"),
    "ar": ("14 مارس 2026", "14\u200f/3\u200f/2026", "السبت، 14 مارس 2026، 6:30 م"),
    "fa": ("14 مارچ 2026", "2026/3/14", "شنبه 14 مارچ 2026، ساعت 18:30"),
    "ps": ("2026 مارچ 14", "2026/3/14", "اونۍ د 2026 د مارچ 14 18:30"),
    "uk": ("14 березня 2026\u202fр.", "14.03.26", "субота, 14 березня 2026\u202fр., 18:30"),
    "ru": ("14 марта 2026\u202fг.", "14.03.2026", "суббота, 14 марта 2026\u202fг., 18:30"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_dates_and_numbers_are_written_as_the_language_writes_them(language):
    template = engines["django"].from_string(
        "{% load locale_formats %}{{ day|ldate }}|{{ day|ldate:'short' }}|"
        "{{ moment|ldatetime:'full' }}|{{ moment|ltime }}|{{ rate|lnumber:1 }}"
    )
    with translation.override(language):
        written = template.render({"day": DAY, "moment": MOMENT, "rate": 4.25}).split("|")
        number = formats.format_number(1234.5)
    print(language, written, number)

    assert tuple(html.unescape(w) for w in written[:3]) == EXPECTED[language]
    assert "30" in written[3]
    assert written[4] in {"4.2", "4,2", "4.3", "4,3", "4٫2", "4٫3"}
    assert number in {"1 234,5", "1\u202f234,5", "1\xa0234,5", "1,234.5", "1.234,5"}
    assert not re.search("[\u0660-\u0669\u06f0-\u06f9]", number)  # Latin digits, as the catalogs


def test_the_english_detector_finds_the_english_of_the_english_pages():
    text = visible(page("en", "/")) + visible(page("en", reverse("account_signup"), {}))

    found = {s for s in _english_sentences() if s in text}

    assert len(found) >= 5
    assert {"How a duo works", "This field is required."} <= found


def test_emails_phones_and_postal_codes_are_isolated_in_the_pages(staff_client):
    person = RefugeeFactory(phone="+33 6 12 34 56 78")

    body = staff_client.get(reverse("accounts:staff_person", args=[person.pk])).content.decode()
    css = (ROOT / "static" / "css" / "site.css").read_text()

    assert f'<bdi dir="ltr">{person.user.email}</bdi>' in body
    assert f'<bdi dir="ltr">{person.postal_code}</bdi>' in body
    assert 'a[href^="mailto:"], a[href^="tel:"] { unicode-bidi: isolate; direction: ltr; }' in css

"""What the candidates' journeys share: the page's own words, the sign-up and the profile steps.

A journey reads the words a person sees from the catalogs (`say`), never from literals, so that
French and Arabic screens run the same code; it finds fields by their label as the page shows it
(the form's own label, translated) and fills them as a person would.
"""

import re

from django.utils import translation
from playwright.sync_api import expect

from accounts import forms as profile_forms
from accounts.models import Person
from tests.browser.conftest import Visitor

PASSWORD = "Un duo pour demain 2026"
# Fields a person can fill: what a form shows them, not the header's language switcher, nor
# the boxes that confirm a pause or a withdrawal in My space (no step of any journey).
VISIBLE_FIELDS_JS = """() => {
  const fields = [...document.querySelectorAll(
    'main form input:not([type=hidden]), main form select, main form textarea')]
    .filter(el => el.checkVisibility() && !el.closest('[aria-labelledby=actions-title]'));
  return [...new Set(fields.map(el => el.name))];
}"""


def say(language: str, message: str, **values) -> str:
    """`message` as the catalogs say it in `language`, never French in its place."""
    text = _in_own_words(language, lambda: translation.gettext(message))
    return text % values if values else text


def say_plural(language: str, singular: str, plural: str, count: int) -> str:
    return _in_own_words(language, lambda: translation.ngettext(singular, plural, count)) % count


def _in_own_words(language: str, translate) -> str:
    """A msgid missing from a language's catalog falls back to French (LANGUAGE_CODE): the page
    and an unguarded comparison would then agree on French words shown on an Arabic page."""
    with translation.override(language):
        text = translate()
    with translation.override("fr"):
        french = translate()
    with translation.override("en"):
        english = translate()
    assert language == "fr" or text != french or french == english, f"{text!r} is French"
    return text


def label_of(language: str, form_class, name: str) -> str:
    """The label a form gives field `name`, in `language` (as the page shows it)."""
    with translation.override(language):
        fields = form_class.base_fields if hasattr(form_class, "base_fields") else form_class
        return str(fields[name].label)


def field(visitor: Visitor, form_class, name: str):
    """Field `name` of `form_class`, found by its label as the page shows it."""
    return visitor.page.get_by_label(label_of(language(visitor), form_class, name), exact=True)


def submit(visitor: Visitor, label: str | None = None) -> int:
    """Press the form's main button and audit the page that comes back (named `label`, or by
    the profile step it shows); the status the form's POST was answered with."""
    page = visitor.page
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.locator("main form button.primary, main form button[type=submit]").last.click()
    page.wait_for_load_state("load")
    visitor.audit(label or current_step(visitor) or "my-space")
    return answer.value.status


def refused(visitor: Visitor, label: str) -> None:
    """Submit an answer the step must refuse: a 4xx, the same form again."""
    status = submit(visitor, label)
    assert 400 <= status < 500, f"{label}: answered {status}"


def field_error(visitor: Visitor, name: str):
    """The error list shown next to field `name`."""
    return visitor.page.locator(f".field:has([name='{name}']) .errorlist")


def expect_error(visitor: Visitor, name: str, message: str) -> None:
    """The step refused: a 4xx page, its message for `name` in the page's language."""
    expect(field_error(visitor, name)).to_contain_text(say(visitor.screen.language, message))


def fields_to_fill(visitor: Visitor) -> list[str]:
    """The names of the fields the page asks for (a radio group or a checklist counts once)."""
    return visitor.page.evaluate(VISIBLE_FIELDS_JS)


def language(visitor: Visitor) -> str:
    return visitor.screen.language


def fill_sign_up(visitor: Visitor, email: str, password: str) -> None:
    """The email and the password (typed once) of allauth's sign-up form."""
    lang = language(visitor)
    visitor.page.get_by_label(say(lang, "Email"), exact=False).fill(email)
    visitor.page.get_by_label(say(lang, "Password"), exact=False).fill(password)


# The steps, filled correctly. Each returns once the next page is shown and audited.


def fill_identity(visitor: Visitor, first_name: str, gender: str = "woman") -> None:
    """ "About you"; a refugee's also asks their protection and year of arrival."""
    form = profile_forms.IdentityForm
    field(visitor, form, "first_name").fill(first_name)
    field(visitor, form, "last_name").fill("Martin")
    field(visitor, form, "birth_year").fill("1985")
    field(visitor, form, "gender").select_option(gender)
    if visitor.page.locator("select[name=protection_status]").count():
        field(visitor, form, "protection_status").select_option("refugee")
        field(visitor, form, "arrival_year").fill("2022")


def fill_home(visitor: Visitor, postal_code: str = "75011") -> None:
    field(visitor, profile_forms.HomeForm, "postal_code").fill(postal_code)


def language_row(visitor: Visitor, index: int):
    """Row `index` of the languages step: a group named "Language <n>" (its legend)."""
    name = say(language(visitor), "Language %(n)d", n=index + 1)
    return visitor.page.get_by_role("group", name=name, exact=True)


def fill_languages(visitor: Visitor, spoken: list[tuple[str, str]]) -> None:
    level = say(language(visitor), "Level")
    for index, (code, level_code) in enumerate(spoken):
        row = language_row(visitor, index)
        row.get_by_role("combobox").first.select_option(code)
        row.get_by_label(level).select_option(level_code)


def tick(visitor: Visitor, *labels: str) -> None:
    """Tick the boxes of a checklist by their labels (engine vocabulary, English msgids)."""
    for label in labels:
        visitor.page.get_by_label(say(language(visitor), label), exact=True).check()


def fill_interests(visitor: Visitor) -> None:
    """What the person enjoys and when they are free (one page)."""
    tick(visitor, "cooking", "walking", "weekday evenings", "weekends, daytime")


def fill_about(visitor: Visitor) -> None:
    field(visitor, profile_forms.AboutForm, "hopes").fill("Parler français et visiter Paris.")


def fill_consents(visitor: Visitor) -> None:
    """The charter and the privacy notice; for a referred refugee, also the person's agreement
    that their social worker records."""
    form = profile_forms.ConsentsForm(instance=Person())  # no login: the referral box too
    for name in form.fields:
        if visitor.page.locator(f"input[name={name}]").count():
            field(visitor, form.fields, name).check()


def current_step(visitor: Visitor) -> str | None:
    """The slug of the profile step shown (/profil/<slug>/ or a referral's), else None."""
    match = re.search(r"/profil/([a-z_]+)/$", visitor.page.url)
    return match[1] if match else None


def complete_the_profile(visitor: Visitor, first_name: str, spoken, on_each_page=None) -> None:
    """Answer every step correctly, from the one shown to the last; each page is audited.

    The steps come as the site lists them (their slugs), so a journey follows the profile as it
    is; `on_each_page(visitor)` runs on every step page before it is filled (e.g. counting).
    """
    fillers = {
        "identity": lambda: fill_identity(visitor, first_name),
        "home": lambda: fill_home(visitor),
        "languages": lambda: fill_languages(visitor, spoken),
        "interests": lambda: fill_interests(visitor),
        "about": lambda: fill_about(visitor),
        "consents": lambda: fill_consents(visitor),
    }
    while (slug := current_step(visitor)) is not None:
        if on_each_page:
            on_each_page(visitor)
        fillers[slug]()
        submit(visitor)

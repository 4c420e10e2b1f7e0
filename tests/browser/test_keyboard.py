"""Journey 5: the sign-up and the first profile step with the keyboard only, on the four screens.

Tab moves, Space ticks, Enter presses, the rest is typed; no click. At every element the focus
reaches, the focus must be visible: an outline of 2 px or more, or a box-shadow (WCAG 2.4.7).
The pages themselves are audited by journeys 1 and 2 on the same screens; this journey only
walks them. Opening the confirmation email's link is the mailbox's doing, not the page's.
"""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Person, Role
from tests.browser.conftest import Visitor, mail_links
from tests.browser.profile_journey import PASSWORD, say

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "clavier@example.org"
# Past the header (skip link, brand, menu, language switcher), no page needs more to reach a field.
MOST_TABS = 25
FOCUSED_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(), name: el.name || "", type: el.type || "",
    id: el.id || "", text: (el.innerText || el.value || "").trim().slice(0, 40),
    outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
    shadow: style.boxShadow,
  };
}"""


def tab(visitor: Visitor, key: str = "Tab") -> dict:
    """Press `key` and return what has the focus now, which must show that it has."""
    visitor.page.keyboard.press(key)
    focused = visitor.page.evaluate(FOCUSED_JS)
    assert focused, f"{key} left the focus nowhere ({visitor.page.url}, {visitor.screen.label})"
    outlined = focused["outline"] != "none" and focused["outlineWidth"] >= 2
    assert outlined or focused["shadow"] != "none", (
        f"focus not visible on {focused} ({visitor.page.url}, {visitor.screen.label})"
    )
    return focused


def tab_to(visitor: Visitor, matches) -> dict:
    """Tab until the focused element `matches`, checking each one on the way."""
    for _ in range(MOST_TABS):
        focused = tab(visitor)
        if matches(focused):
            return focused
    raise AssertionError(f"{MOST_TABS} tabs did not reach it on {visitor.page.url}")


def named(name: str):
    return lambda focused: focused["name"] == name


def button(text: str):
    return lambda focused: focused["tag"] == "button" and focused["text"] == text


def sign_up_with_the_keyboard(visitor: Visitor) -> None:
    page, lang = visitor.page, visitor.screen.language
    page.goto(visitor.site + "/accounts/signup/")
    tab_to(visitor, named("role"))  # the first radio of the group: the sponsor
    page.keyboard.press("Space")
    expect(
        page.get_by_label(say(lang, "I want to become a sponsor (parrain or marraine)"))
    ).to_be_checked()
    tab_to(visitor, named("email"))
    page.keyboard.type(EMAIL)
    tab_to(visitor, named("password1"))
    page.keyboard.type(PASSWORD)
    tab_to(visitor, button(say(lang, "Sign Up")))
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/confirm-email/")


def confirm_with_the_keyboard(visitor: Visitor) -> None:
    (link,) = mail_links(EMAIL, "/accounts/confirm-email/")
    visitor.page.goto(link)
    tab_to(visitor, button(say(visitor.screen.language, "Confirm")))
    visitor.page.keyboard.press("Enter")
    visitor.page.wait_for_url("**/profil/identity/")


def about_me_with_the_keyboard(visitor: Visitor) -> None:
    """The first step: names and year typed, gender and preference left as offered, no phone."""
    page, lang = visitor.page, visitor.screen.language
    tab_to(visitor, lambda focused: focused["text"] == say(lang, "Skip to content"))
    page.keyboard.press("Enter")  # past the header: the next Tab is in the page's content
    for name, text in [("first_name", "Inès"), ("last_name", "Clavier"), ("birth_year", "1979")]:
        tab_to(visitor, named(name))
        page.keyboard.type(text)
    tab_to(visitor, button(say(lang, "Save and continue")))
    page.keyboard.press("Enter")
    # The redirect keeps the skip link's #main: the browser carries a fragment across it.
    page.wait_for_url(re.compile(r"/profil/home/(#main)?$"))


def test_the_sign_up_and_a_step_with_the_keyboard_only(visitors):
    visitor = visitors("keyboard")

    sign_up_with_the_keyboard(visitor)
    confirm_with_the_keyboard(visitor)
    about_me_with_the_keyboard(visitor)

    person = Person.objects.get(user__email=EMAIL)
    assert (person.role, person.first_name, person.birth_year) == (Role.SPONSOR, "Inès", 1979)
    assert person.profile_step == "identity"

"""The home page and the sign-up page in each of the seven languages, as the browser shows them."""

import pytest
from django.conf import settings

from tests.browser.conftest import PHONE, RIGHT_TO_LEFT

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_home_and_signup_speak_the_browsers_language(browser, site, language):
    context = browser.new_context(
        viewport={"width": PHONE[0], "height": PHONE[1]}, locale=language, base_url=site
    )
    page = context.new_page()
    for path in ("/", "/accounts/signup/"):
        page.goto(path)
        html = page.locator("html")
        heading = page.locator("h1").first.inner_text()
        print(
            f"{language} {path}: lang={html.get_attribute('lang')} "
            f"dir={html.get_attribute('dir')} h1={heading!r}"
        )
        assert html.get_attribute("lang") == language
        assert html.get_attribute("dir") == ("rtl" if language in RIGHT_TO_LEFT else "ltr")
        assert heading.strip()
    context.close()


def test_the_home_page_passes_every_check(visitors):
    visitor = visitors("home")
    visitor.open("/", "home")
    if visitor.screen.width == PHONE[0]:
        visitor.check_text_zoom("home")

"""The browser journeys: the real app (`live_server`) in Debian's chromium, driven by playwright.

Every journey runs on four screens (French and Arabic, 360 x 780 and 1280 x 800). After each page
it reaches, `Visitor.audit` checks what a person sees: the page's `lang` and `dir`, axe-core's
WCAG 2.2 A/AA rules (0 violations), no sideways scrolling, controls of at least 24 x 24 px, and it
keeps a screenshot under var/screenshots/ (CI's artefacts, not committed). The pages audited are
counted per language and width and printed at the end of the run.
"""

import functools
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from tests.conftest import require_service

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
# The flags of a closed network: no background connections, no first-run, no sandbox as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
RIGHT_TO_LEFT = {"ar", "fa", "ps"}
# Controls smaller than WCAG 2.5.8's minimum (links inside a sentence are exempt, as in WCAG).
SMALL_TARGETS_JS = """() => [...document.querySelectorAll(
    'button, input:not([type=hidden]), select, textarea, summary, nav a, a.button')]
  .filter(el => el.offsetParent !== null)
  .map(el => [el, el.getBoundingClientRect()])
  .filter(([el, box]) => box.width < 24 || box.height < 24)
  .map(([el, box]) =>
    `${el.outerHTML.slice(0, 80)} ${Math.round(box.width)}x${Math.round(box.height)}`)
"""

AUDITED: Counter = Counter()


@dataclass(frozen=True)
class Screen:
    language: str
    width: int
    height: int

    @property
    def direction(self) -> str:
        return "rtl" if self.language in RIGHT_TO_LEFT else "ltr"

    @property
    def label(self) -> str:
        return f"{self.language}-{self.width}"


PHONE = (360, 780)
DESKTOP = (1280, 800)
SCREENS = [Screen(lang, *size) for lang in ("fr", "ar") for size in (PHONE, DESKTOP)]


def pytest_collection_modifyitems(config, items):
    """Browser tests start chromium: they are `slow` (tests/conftest.py guards processes)."""
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.slow)


def pytest_terminal_summary(terminalreporter):
    if not AUDITED:
        return
    terminalreporter.section("pages checked in the browser (axe-core, width, targets)")
    for (language, width), count in sorted(AUDITED.items()):
        terminalreporter.write_line(f"{language} {width} px: {count} pages, 0 violations")
    terminalreporter.write_line(f"total: {sum(AUDITED.values())} pages")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """playwright's sync API runs an event loop in the test's thread; the tests' own ORM calls
    are still synchronous and run between browser steps, never during one. Set for these tests
    only (setup to teardown): another test's subprocess (`check --deploy`) must not inherit it."""
    if "tests/browser/" not in item.nodeid:
        return (yield)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        return (yield)
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


# pytest-playwright keeps playwright and the browser for the whole session; its sync API runs an
# event loop in the main thread as long as playwright is started, and every later test's ORM call
# would then raise SynchronousOnlyOperation. Kept for this package only: stopped after its end.
@pytest.fixture(scope="package")
def playwright(django_db_setup, _pw_api_request_contexts):
    """Started after the test database, so it stops before the database is dropped."""
    pw = sync_playwright().start()
    if _pw_api_request_contexts:
        _pw_api_request_contexts.instrument(pw)
    yield pw
    pw.stop()


@pytest.fixture(scope="package")
def browser_type(playwright, browser_name):
    return getattr(playwright, browser_name)


@pytest.fixture(scope="package")
def launch_browser(browser_type_launch_args, browser_type):
    return lambda **kwargs: browser_type.launch(**{**browser_type_launch_args, **kwargs})


@pytest.fixture(scope="package")
def browser(launch_browser):
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require_service(
        Path(CHROMIUM).exists(),
        "Debian's chromium is not installed (apt-get install chromium; .ci/run does it)",
    )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(params=SCREENS, ids=lambda screen: screen.label)
def screen(request) -> Screen:
    return request.param


@pytest.fixture
def site(live_server, settings) -> str:
    """The live server's address, which the emails' links point at too."""
    settings.SITE_URL = live_server.url
    return live_server.url


class Visitor:
    """One person's browser tab on one screen, auditing every page it reaches."""

    def __init__(self, page, screen: Screen, site: str, name: str):
        self.page = page
        self.screen = screen
        self.site = site
        self.name = name
        self.shots = 0

    def open(self, path: str, label: str | None = None):
        self.page.goto(path if path.startswith("http") else self.site + path)
        self.audit(label or path)
        return self.page

    def text(self, message: str, plural: str = "", count: int = 1, **values) -> str:
        """A msgid of the catalogs as this visitor's pages show it, with `values` put in: the
        locators find buttons and links by the words the person reads."""
        from django.utils import translation

        with translation.override(self.screen.language):
            if plural:
                text = translation.ngettext(message, plural, count)
            else:
                text = translation.gettext(message)
        return text % values if values else text

    def audit(self, label: str) -> None:
        """Check the page now shown; `label` names it in messages and screenshots."""
        self.page.wait_for_load_state("load")
        where = f"{label} ({self.page.url}, {self.screen.label})"
        self._check_language(where)
        self._check_translated(where)
        self._check_axe(where)
        self._check_width(where)
        self._check_targets(where)
        self.screenshot(label)
        AUDITED[(self.screen.language, self.screen.width)] += 1

    def screenshot(self, label: str) -> Path:
        self.shots += 1
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "page"
        path = SCREENSHOTS / f"{self.name}-{self.screen.label}-{self.shots:02d}-{slug}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def _check_language(self, where: str) -> None:
        html = self.page.locator("html")
        assert html.get_attribute("lang") == self.screen.language, where
        assert html.get_attribute("dir") == self.screen.direction, where

    def _check_translated(self, where: str) -> None:
        """No sentence of the catalogs shows in English on a page in another language."""
        if self.screen.language == "en":
            return
        text = " ".join(self.page.locator("body").inner_text().split())
        left = [
            fragment for fragment in english_fragments(self.screen.language) if fragment in text
        ]
        assert not left, f"{where} shows English: {left[:5]}"

    def _check_axe(self, where: str) -> None:
        results = _axe().run(
            self.page,
            options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
        )
        violations = results.response["violations"]
        assert not violations, f"axe on {where}:\n" + "\n".join(
            f"  {v['id']} ({v['impact']}): {v['help']}: "
            + "; ".join(node["target"][0] for node in v["nodes"][:5])
            for v in violations
        )

    def _check_width(self, where: str) -> None:
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= self.screen.width, f"{where} scrolls sideways: {width} px wide"

    def _check_targets(self, where: str) -> None:
        small = self.page.evaluate(SMALL_TARGETS_JS)
        assert not small, f"{where}: targets under 24 x 24 px: {small}"

    def check_text_zoom(self, label: str) -> None:
        """WCAG 1.4.4: text at 200% still fits the screen's width."""
        self.page.evaluate("document.documentElement.style.fontSize = '200%'")
        try:
            width = self.page.evaluate("document.documentElement.scrollWidth")
            self.screenshot(f"{label}-zoom-200")
            assert width <= self.screen.width, f"{label} at 200% text: {width} px wide"
        finally:
            self.page.evaluate("document.documentElement.style.fontSize = ''")


@functools.cache
def english_fragments(language: str) -> tuple[str, ...]:
    """The English words (three or more, between placeholders) of every entry whose translation
    in `language` differs: any of them on a page in that language is a sentence not translated."""
    from babel.messages.pofile import read_po

    fragments = set()
    base, catalog = Path(settings.BASE_DIR), f"locale/{language}/LC_MESSAGES/django.po"
    for catalog_path in [base / catalog, *base.glob(f"*/{catalog}")]:
        with catalog_path.open("rb") as file:
            catalog = read_po(file)
        for message in catalog:
            source = message.id if isinstance(message.id, str) else message.id[0]
            string = message.string if isinstance(message.string, str) else message.string[0]
            if not source or not string or string == source:
                continue
            for part in re.split(r"%\(\w+\)[sd]|%[sd]|\{[^}]*\}|<[^>]*>", source):
                part = " ".join(part.split()).strip(" .,:;!?()\"'")
                if len(part.split()) >= 3 and part not in string:
                    fragments.add(part)
    return tuple(sorted(fragments))


def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def visitors(browser, screen, site, request):
    """`visitors()` opens a new person's tab (its own cookies) on this test's screen."""
    contexts = []

    def open_visitor(name: str = "visitor", language: str | None = None) -> Visitor:
        person_screen = Screen(language or screen.language, screen.width, screen.height)
        context = browser.new_context(
            viewport={"width": person_screen.width, "height": person_screen.height},
            locale=person_screen.language,
            base_url=site,
        )
        context.set_default_timeout(30_000)
        contexts.append(context)
        test = re.sub(r"[^a-z0-9]+", "-", request.node.originalname.lower()).strip("-")
        return Visitor(context.new_page(), person_screen, site, f"{test}-{name}")

    yield open_visitor
    for context in contexts:
        context.close()


def log_in_browser(visitor: Visitor, user) -> None:
    """A session cookie for `user`, as after the login form (for what follows a login)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    visitor.page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": visitor.site}]
    )


def totp_code(user) -> str:
    """The code the staff member's authenticator app shows now."""
    import time

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def mail_links(address: str, contains: str = "") -> list[str]:
    """The links of the emails sent to `address` so far, newest email first."""
    from django.core import mail

    links = []
    for message in reversed(mail.outbox):
        if address in message.to:
            links += [
                link
                for link in re.findall(r"https?://[^\s\"'<>]+", message.body)
                if contains in link
            ]
    return links

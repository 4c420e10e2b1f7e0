"""A web worker's start: what its first requests would otherwise pay, paid before it serves.

The first request a fresh process answers imports every view through the URLconf and loads the
translation catalogs of its language; the first page of each kind compiles its templates; and
each language builds its own table of URL names (the resolver keeps one per language). That is
about half a second of CPU on the first request, then tens of ms on each first page, all while
the visitors of a restart (or a load test's first second) wait in the queue behind them.
gunicorn.conf.py calls `warm_up` in each worker once the application is loaded. No database
access: nothing here depends on the data, and a database that is down must not stop a start.
"""

import logging
import time
from importlib import import_module
from pathlib import Path

import django.forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.forms.renderers import get_default_renderer
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template
from django.urls import get_resolver, reverse
from django.utils import translation

logger = logging.getLogger(__name__)

TEMPLATE_SUFFIXES = (".html", ".txt")


def warm_up() -> float:
    """Import the views, load every language's catalogs and URL table, compile our templates;
    returns the seconds it took (logged)."""
    started = time.perf_counter()
    get_resolver().url_patterns  # noqa: B018 - imports every view module
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            reverse("home")  # the catalogs, then this language's URL names
    compiled = _compile_templates() + _compile_form_templates()
    # The common passwords' list (the sign-up page's help text reads the validators), and the
    # matching engine, which the participant page imports for the shared languages.
    password_validation.get_default_password_validators()
    import_module("matching.engine")
    seconds = time.perf_counter() - started
    logger.info("Worker warmed up in %.2f s (%d templates compiled).", seconds, compiled)
    return seconds


def _compile_templates() -> int:
    """Our templates into the cached loader (the one every environment uses)."""
    return sum(
        _compile(Path(directory), get_template) for directory in settings.TEMPLATES[0]["DIRS"]
    )


def _compile_form_templates() -> int:
    """Django's form and widget templates, which the forms' renderer keeps apart."""
    root = Path(django.forms.__file__).parent / "templates"
    return _compile(root, get_default_renderer().get_template)


def _compile(root: Path, load) -> int:
    compiled = 0
    for path in sorted(root.rglob("*")):
        if path.suffix not in TEMPLATE_SUFFIXES:
            continue
        try:
            load(path.relative_to(root).as_posix())
        except (TemplateDoesNotExist, TemplateSyntaxError):
            # A page with a broken template fails on its own request, as without warm-up.
            logger.exception("Template %s not compiled at warm-up.", path)
            continue
        compiled += 1
    return compiled

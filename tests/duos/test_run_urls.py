"""`make run` prints only URLs that exist: those of the Makefile's run target and of the demo
data it loads, each requested as the demo's staff member (the superuser) would."""

import io
import re
from http import HTTPStatus
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# A path printed alone ("/equipe/appariements/") or after the host ("http://127.0.0.1:8000/").
URL = re.compile(r"(?:https?://[^/\s]+)?(?<![\w.])(/[\w\-/]*)")


def run_target_lines() -> list[str]:
    """The `@echo` lines of the Makefile's run target, with $(PORT) at its default."""
    recipe = re.search(r"^run:.*?\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M)[1]
    return [line.replace("$(PORT)", "8000") for line in recipe.splitlines() if "@echo" in line]


def printed_paths() -> list[str]:
    out = io.StringIO()
    call_command("demo_data", stdout=out)
    lines = run_target_lines() + out.getvalue().splitlines()
    return [path for line in lines for path in URL.findall(line) if path.startswith("/")]


def test_make_run_prints_only_urls_that_answer(admin_client):
    paths = printed_paths()

    assert "/" in paths and "/equipe/appariements/" in paths
    answers = {path: admin_client.get(path).status_code for path in paths}
    assert all(code == HTTPStatus.OK for code in answers.values()), answers

"""The project as a whole: settings, migrations, deployment files, catalogs, demo data."""

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Person, User
from duos.lifecycle import schedule
from duos.models import (
    CheckIn,
    Duo,
    GroupActivity,
    Registration,
    Reminder,
    Report,
    SurveyAnswer,
)
from matching.models import MatchRun
from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-of-more-than-fifty-characters-x9",
    "ALLOWED_HOSTS": "example.org",
}


def run_manage(*args: str, env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_check_deploy_prints_no_warning():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.slow
def test_secret_key_is_required_when_debug_is_off():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


@pytest.mark.slow
def test_laptop_emails_are_written_under_var_mail_as_an_absolute_path():
    env = {"DEBUG": "true"}
    code = "from django.conf import settings; print(settings.EMAIL_FILE_PATH)"

    result = run_manage("shell", "-c", code, env=env)

    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip().splitlines()[-1]) == ROOT / "var" / "mail"


def test_no_system_check_is_silenced():
    assert not getattr(settings, "SILENCED_SYSTEM_CHECKS", [])


@pytest.mark.django_db
def test_migrations_match_the_models():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.slow
def test_docker_compose_accepts_the_compose_file():
    compose = shutil.which("docker-compose")
    require_service(compose is not None, "docker-compose is not installed (Debian package)")

    result = subprocess.run(
        [compose, "--env-file", ".env.example", "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr


def test_docker_compose_holds_no_literal_environment_value():
    # Environment entries are the upper-case keys of the file.
    entries = re.findall(
        r"^\s+([A-Z][A-Z_]+): (.*)$", (ROOT / "docker-compose.yml").read_text(), re.MULTILINE
    )

    assert len(entries) > 10
    assert all(re.fullmatch(r"\$\{[A-Z_]+(:-)?\}", value) for _, value in entries), entries


def test_docker_compose_passes_every_variable_the_env_example_documents():
    documented = set(
        re.findall(r"^#? ?([A-Z][A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    )
    compose = (ROOT / "docker-compose.yml").read_text()
    app_block = compose[: compose.index("\nservices:")]
    passed = set(re.findall(r"^\s+([A-Z][A-Z_]+):", app_block, re.MULTILINE))
    # The database container's own settings and the published port are compose's, not the app's.
    compose_only = {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD", "WEB_PORT"}

    assert {"EMAIL_PROVIDER", "ANYMAIL_WEBHOOK_SECRET"} <= documented
    assert documented - compose_only - passed == set()


def _pins(lines) -> dict[str, str]:
    pins = {}
    for line in lines:
        match = re.fullmatch(r"\s*\"?([A-Za-z0-9_.\-]+)(\[[a-z,]+\])?==([^\s\";]+)\"?,?\s*", line)
        if match:
            pins[match[1].lower().replace("_", "-")] = match[3]
    return pins


def test_lock_files_hold_the_pins_of_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    direct = _pins(project["dependencies"])
    laptop = _pins(project["optional-dependencies"]["laptop"])
    dev = _pins(project["optional-dependencies"]["dev"])
    production = _pins((ROOT / "requirements" / "production.txt").read_text().splitlines())
    development = _pins((ROOT / "requirements" / "dev.txt").read_text().splitlines())

    assert direct and laptop and dev
    assert {name: production.get(name) for name in direct} == direct
    assert not set(laptop) & set(production), "laptop-only packages in the production lock"
    wanted = direct | laptop | dev
    assert {name: development.get(name) for name in wanted} == wanted


def _catalogs() -> list[Path]:
    return sorted(
        p for p in ROOT.glob("**/locale/*/LC_MESSAGES/django.po") if ".venv" not in p.parts
    )


def _messages(po_path: Path) -> dict:
    with po_path.open("rb") as file:
        return {message.id: message for message in read_po(file) if message.id}


@pytest.mark.parametrize("po_path", _catalogs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_catalog_has_no_empty_or_fuzzy_entry(po_path):
    messages = _messages(po_path)

    empty = [
        m.id
        for m in messages.values()
        if not all(m.string if isinstance(m.string, tuple) else [m.string])
    ]
    fuzzy = [m.id for m in messages.values() if m.fuzzy]
    assert messages
    assert not empty, f"untranslated: {empty}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


@pytest.mark.slow
def test_catalogs_hold_every_string_of_the_code(tmp_path):
    require_service(shutil.which("xgettext") is not None, "gettext's xgettext is not installed")
    copy = tmp_path / "repo"
    shutil.copytree(
        ROOT, copy, ignore=shutil.ignore_patterns(".venv", "var", ".git", "staticfiles", "*.mo")
    )

    result = run_manage(
        "makemessages",
        "--all",
        "--no-location",
        "--ignore",
        "tests/*",
        "--ignore",
        "tools/*",
        env={"DEBUG": "true"},
        cwd=copy,
    )

    assert result.returncode == 0, result.stderr
    for po_path in _catalogs():
        fresh = _messages(copy / po_path.relative_to(ROOT))
        missing = set(fresh) - set(_messages(po_path))
        assert not missing, f"{po_path.relative_to(ROOT)} lacks {sorted(map(str, missing))[:10]}"


@pytest.mark.django_db
def test_demo_data_adds_nothing_twice():
    call_command("demo_data", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    counts = (User.objects.count(), Person.objects.count())

    call_command("demo_data", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115

    assert (User.objects.count(), Person.objects.count()) == counts
    assert counts[1] >= 40
    assert User.objects.filter(is_staff=True).exists()
    assert Person.objects.filter(user=None).exclude(referrer=None).exists()
    assert MatchRun.objects.get().proposals.filter(state="proposed").exists()
    assert Duo.objects.filter(state="waiting").count() == 3


@pytest.mark.django_db
def test_demo_data_holds_duos_at_every_month_and_what_the_team_follows():
    call_command("demo_data", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    counts = (Duo.objects.count(), CheckIn.objects.count(), Reminder.objects.count())

    call_command("demo_data", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115

    assert (Duo.objects.count(), CheckIn.objects.count(), Reminder.objects.count()) == counts
    today = timezone.localdate()
    months = set()
    for duo in Duo.objects.filter(state="active"):
        months |= {
            month
            for month in range(1, schedule.MONTHS + 1)
            if schedule.month_window(duo, month).starts_on
            <= today
            < schedule.month_window(duo, month).ends_on
        }
    assert months == set(range(1, schedule.MONTHS + 1))
    completed = Duo.objects.filter(state="completed")
    assert completed.count() == 2
    assert SurveyAnswer.objects.filter(duo__in=completed).count() == 4
    assert set(Report.objects.values_list("status", flat=True)) == {
        "open",
        "in_progress",
        "closed",
    }
    assert Duo.objects.filter(state="active", suspended_at__isnull=False).count() == 1
    assert Registration.objects.filter(state="waiting").count() == 2
    assert GroupActivity.objects.filter(cancelled_at__isnull=False).count() == 1
    assert CheckIn.objects.filter(mood__lte=2).exists()
    assert GroupActivity.objects.filter(starts_at__gt=timezone.now()).exists()
    assert CheckIn.objects.filter(activity="group", recorded_by__isnull=False).count() == 4
    assert Duo.objects.filter(state="active", paused_at__isnull=False).count() == 1
    assert Duo.objects.filter(state="active", extra_months=1).count() == 1
    assert User.objects.filter(email_bounced_at__isnull=False).count() == 1
    assert Duo.objects.filter(state="ended").exclude(end_reason="").count() == 1
    # The first sweep of `make run` sends only what is due today, never months long past.
    assert not Reminder.objects.filter(sent_at=None).exists()

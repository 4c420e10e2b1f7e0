"""Every model of the project has a factory in tests/factories.py, and each builds a valid row."""

import inspect

import factory
import pytest
from django.apps import apps

from duos.models import DuoState
from tests import factories

pytestmark = pytest.mark.django_db

OUR_APPS = ("accounts", "duos", "matching")


def _factories() -> dict:
    found = {}
    for _name, value in inspect.getmembers(factories, inspect.isclass):
        if issubclass(value, factory.django.DjangoModelFactory) and value._meta.model:
            found.setdefault(value._meta.model, value)
    return found


def test_factories_one_for_every_model():
    models = {model for app in OUR_APPS for model in apps.get_app_config(app).get_models()}

    assert models - set(_factories()) == set()


@pytest.mark.parametrize("model_factory", _factories().values(), ids=lambda f: f.__name__)
def test_factories_each_builds_a_row_the_database_accepts(model_factory):
    row = model_factory()
    row.validate_constraints()

    assert type(row).objects.filter(pk=row.pk).exists()


def test_factories_duo_is_running_and_its_people_in_it_with_the_language_asked():
    duo = factories.DuoFactory(language="en")
    waiting = factories.DuoFactory(waiting=True)

    assert duo.state == DuoState.ACTIVE and duo.started_at and duo.expires_at == duo.started_at
    assert (duo.sponsor.state, duo.refugee.state) == ("in_duo", "in_duo")
    assert duo.sponsor.user.language == duo.refugee.user.language == "en"
    assert waiting.state == DuoState.WAITING and waiting.started_at is None
    assert waiting.sponsor_answer == waiting.refugee_answer == ""

"""Every form, fed hostile text: it is valid or has form errors, never an exception."""

import pytest
from django import forms as django_forms
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import forms as account_forms
from accounts import signup_forms, staff_forms
from accounts.models import Person, Role
from accounts.views.privacy import DeleteProfileForm
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOSTILE = st.one_of(
    st.text(max_size=50),
    st.sampled_from(
        [
            "\x00",
            "a\x00b",
            "\ud800",
            "x\udfffy",
            "\u202eevil",
            "\u200b",
            "\ufeff",
            "مرحبا",
            "שלום",
            "０６ １２",
            "75011\u200b",
            "' OR 1=1 --",
            "<script>",
        ]
    ),
    st.sampled_from("aé\u202e\x00").map(lambda char: char * 10_000),
    st.integers().map(str),
    st.just(""),
)


def make_forms(person: Person, user) -> dict[str, callable]:
    """Each form of the app, built as its view builds it."""
    return {
        "signup": lambda data: signup_forms.SignupForm(data),
        "identity": lambda data: account_forms.IdentityForm(data, instance=person),
        "home": lambda data: account_forms.HomeForm(data, instance=person),
        "languages": lambda data: account_forms.LanguagesForm(data, instance=person),
        "interests": lambda data: account_forms.InterestsForm(data, instance=person),
        "about": lambda data: account_forms.AboutForm(data, instance=person),
        "consents": lambda data: account_forms.ConsentsForm(data, instance=person),
        "delete": lambda data: DeleteProfileForm(data, user=user),
        "invite": lambda data: account_forms.InviteForm(data),
        **{
            f"staff.{name}": cls
            for name, cls in vars(staff_forms).items()
            if isinstance(cls, type)
            and issubclass(cls, django_forms.BaseForm)
            and cls.__module__ == staff_forms.__name__
        },
    }


FORM_NAMES = sorted(make_forms(None, None))


@pytest.fixture
def person():
    user = UserFactory()
    return Person.objects.create(user=user, role=Role.REFUGEE)


@pytest.mark.parametrize("form_name", FORM_NAMES)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    values=st.dictionaries(st.sampled_from(range(20)), HOSTILE, max_size=20),
    multi=st.lists(HOSTILE, max_size=4),
)
def test_form_survives_hostile_input(person, form_name, values, multi):
    build = make_forms(person, person.user)[form_name]
    fields = build({}).fields
    field_names = list(fields) or ["x"]
    data = {field_names[i % len(field_names)]: v for i, v in values.items()}
    query = QueryDict(mutable=True)
    for name, value in data.items():
        query[name] = value
    if multi:  # the lists of boxes get several values each
        for name, field in fields.items():
            if isinstance(field, django_forms.MultipleChoiceField):
                query.setlist(name, multi)

    form = build(query)

    assert form.is_valid() in (True, False)
    if not form.is_valid():
        assert form.errors

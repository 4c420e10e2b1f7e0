"""Personal-data rights (GDPR): one registry of every field, read by the export and the erasure.

Every concrete field of every installed model, ours and third-party apps' alike, is classified
once in `REGISTRY` (accounts/privacy_registry.py). The export sends what is `PERSONAL` or `KEPT`;
the erasure clears what is `PERSONAL` or `WITHHELD`. A test fails as soon as a model gains a field
nobody classified, so a new model cannot leak into a dump after erasure, nor be forgotten by the
export, without someone deciding first.

"Personal" is always from the point of view of the row's subject: the person or the user account
the row belongs to (see `PERSON_ROWS` and `ACCOUNT_ROWS`). Who wrote or viewed it (a staff member)
is that staff member's data, not the subject's.
"""

import datetime
from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from accounts import texts
from accounts.models import CandidateState, Person, User
from accounts.privacy_registry import (
    _COARSENED,
    ACCOUNT_ROWS,
    ERASED,
    EXPORTED,
    PERSON_ROWS,
    REGISTRY,
    Kind,
)
from duos.lib.dates import add_months

INACTIVITY_MONTHS = 24


def field_key(field: models.Field) -> str:
    return f"{field.model._meta.label}.{field.name}"


def concrete_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields that hold data on a row of `model`, many-to-many included."""
    return [field for field in model._meta.get_fields() if field.concrete]


def unclassified_fields() -> list[str]:
    """Keys of installed models' fields that REGISTRY does not classify yet."""
    return sorted(
        key
        for model in apps.get_models()
        for key in map(field_key, concrete_fields(model))
        if key not in REGISTRY
    )


def fields_of_kind(model: type[models.Model], kinds: set[Kind]) -> list[models.Field]:
    # An unclassified field raises here: better a crash than a silent leak or omission.
    return [f for f in concrete_fields(model) if REGISTRY[field_key(f)] in kinds]


def _installed(rows: dict[str, str]) -> list[tuple[type[models.Model], str]]:
    # mfa and later apps may be switched off in some deployment: skip what is not installed.
    found = []
    for label, lookup in rows.items():
        try:
            found.append((apps.get_model(label), lookup))
        except LookupError:
            continue
    return found


# --- Export ----------------------------------------------------------------------------------


def _plain(field: models.Field, row: models.Model) -> Any:
    """The value of `field` on `row` as JSON: readable names for links, ISO strings for dates."""
    if field.many_to_many:
        return sorted(str(item) for item in getattr(row, field.name).all())
    value = getattr(row, field.name)
    if value is None or isinstance(value, (bool, int, float, str, list, dict)):
        return value
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)  # a related row by its name, a Decimal, a UUID...


def _export_rows(rows: dict[str, str], subject: models.Model) -> dict[str, list[dict]]:
    sections: dict[str, list[dict]] = {}
    for model, lookup in _installed(rows):
        fields = fields_of_kind(model, EXPORTED)
        if not fields:
            continue  # e.g. staff notes: nothing in them is the subject's to read
        sections[model._meta.label] = [
            {field.name: _plain(field, row) for field in fields}
            for row in model.objects.filter(**{lookup: subject.pk}).order_by("pk")
        ]
    return sections


def export_person(person: Person) -> dict[str, Any]:
    """Everything exportable about a person, and about their user account if they have one.

    The keys of "records" are model labels, each a list of rows keyed by field name: structured
    and machine-readable, as art. 20 asks.
    """
    records = _export_rows(PERSON_ROWS, person)
    if person.user_id:
        records.update(_export_rows(ACCOUNT_ROWS, person.user))
    return {
        "exported_at": timezone.now().isoformat(),
        "texts_accepted": _texts_accepted(person),
        "records": records,
    }


def _texts_accepted(person: Person) -> list[dict[str, Any]]:
    """Each version of the charter, the privacy notice... the person accepted: when it was
    published (accounts/texts.py) and when they accepted it."""
    rows = person.consents.order_by("given_at", "pk").values_list("kind", "version", "given_at")
    return [
        {
            "text": kind,
            "version": version,
            "published_on": _iso(texts.published_on(kind, version)),
            "accepted_at": given_at.isoformat(),
        }
        for kind, version, given_at in rows
    ]


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def export_account(user: User) -> dict[str, Any]:
    """What the logged-in user may download: their person if any, else their account alone."""
    person = Person.objects.filter(user=user, anonymised_at=None).first()
    if person is not None:
        return export_person(person)
    return {
        "exported_at": timezone.now().isoformat(),
        "records": _export_rows(ACCOUNT_ROWS, user),
    }


# --- Erasure ---------------------------------------------------------------------------------


def _neutral_value(field: models.Field) -> Any:
    """What a cleared field holds: its default, else NULL, else an empty string."""
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if isinstance(field, (models.CharField, models.TextField)):
        return ""
    raise ImproperlyConfigured(
        f"{field_key(field)} has no neutral value: give it a default or null=True, "
        "or delete its row on erasure instead (accounts/privacy.py)."
    )


def _delete_sessions_of(user_pk: int) -> None:
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        return  # cache or cookie sessions are not enumerable; they expire on their own
    # Session data is encoded, so the only way to find a user's sessions is to decode them all.
    doomed = [
        session.session_key
        for session in store_class.get_model_class().objects.iterator()
        if session.get_decoded().get("_auth_user_id") == str(user_pk)
    ]
    for key in doomed:
        store_class(key).delete()  # also clears the cache of cached_db sessions


def _scrub_admin_history(targets: dict[type[models.Model], list]) -> None:
    content_types = ContentType.objects.get_for_models(*targets)
    about_subject = Q(pk__in=[])
    for model, pks in targets.items():
        if pks:
            about_subject |= Q(
                content_type=content_types[model], object_id__in=[str(pk) for pk in pks]
            )
    LogEntry.objects.filter(about_subject).update(
        **{field.name: _neutral_value(field) for field in fields_of_kind(LogEntry, ERASED)}
    )


def erase_person(person: Person) -> bool:
    """Anonymise a person, and delete their user account: right to erasure (art. 17).

    The Person row stays, anonymised and withdrawn, so duos and statistics that point at it keep
    their counts; its KEPT fields stay. Consents, staff notes, the user with their emails, social
    worker profile and authenticators, their sessions, and the text of the admin's history about
    any of these are gone. Returns False if the person was already anonymised (a second run, or
    a concurrent one, does nothing).
    """
    return _erase(person.pk, still=Q())


def _erase(pk: int, *, still: Q) -> bool:
    # `still` is re-checked under the row lock: a person who came back between the selection of
    # a sweep and their turn is left alone.
    with transaction.atomic():
        person = Person.objects.select_for_update(of=("self",)).filter(still, pk=pk).first()
        if person is None or person.anonymised_at is not None:
            return False
        user = person.user
        rows = {
            model: model.objects.filter(**{lookup: person.pk})
            for model, lookup in _installed(PERSON_ROWS)
        }
        if user is not None:
            rows.update(
                {
                    model: model.objects.filter(**{lookup: user.pk})
                    for model, lookup in _installed(ACCOUNT_ROWS)
                }
            )
        # The ids go before the rows, for the admin's history that names them.
        targets = {
            model: list(queryset.values_list("pk", flat=True)) for model, queryset in rows.items()
        }

        erased = {}
        for field in fields_of_kind(Person, ERASED):
            coarsen = _COARSENED.get(field_key(field))
            value = getattr(person, field.attname)
            erased[field.attname] = coarsen(value) if coarsen else _neutral_value(field)
        person.anonymise(now=timezone.now(), erased=erased)

        for model, queryset in rows.items():
            if model is not Person:
                queryset.delete()  # in ACCOUNT_ROWS' order: the user last
        if user is not None:
            _delete_sessions_of(user.pk)
        _scrub_admin_history(targets)
    return True


def anonymise_inactive_people(now: datetime.datetime | None = None) -> int:
    """Erase people with no activity for INACTIVITY_MONTHS months; return how many.

    Not a person in a duo: their partner still needs them, and the duo's end makes them inactive
    from then on. Meant for a daily beat task; idempotent, as erase_person is.
    """
    # By the calendar: the 31st of a shorter month becomes its last day.
    cutoff = add_months(now or timezone.now(), -INACTIVITY_MONTHS)
    inactive = (
        Q(anonymised_at=None, last_activity_at__lt=cutoff)
        & ~Q(state=CandidateState.IN_DUO)
        & (Q(user=None) | Q(user__last_login=None) | Q(user__last_login__lt=cutoff))
    )
    pks = list(Person.objects.filter(inactive).values_list("pk", flat=True))
    return sum(_erase(pk, still=inactive) for pk in pks)

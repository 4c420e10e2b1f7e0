"""Personal-data rights (GDPR): one registry of every field, read by the export and the erasure.

Every concrete field of every installed model, ours and third-party apps' alike, is classified
once in `REGISTRY`. The export sends what is `PERSONAL` or `KEPT`; the erasure clears what is
`PERSONAL` or `WITHHELD`. A test fails as soon as a model gains a field nobody classified, so a new
model cannot leak into a dump after erasure, nor be forgotten by the export, without someone
deciding first.

"Personal" is always from the point of view of the row's subject: the person or the user account
the row belongs to (see `PERSON_ROWS` and `ACCOUNT_ROWS`). Who wrote or viewed it (a staff member)
is that staff member's data, not the subject's.
"""

import calendar
import datetime
import enum
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

from accounts.models import CandidateState, Person, User


class Kind(enum.Enum):
    PERSONAL = "personal"
    """About the subject: exported, and cleared (or its row deleted) on erasure."""

    KEPT = "kept"
    """About the subject, so exported; kept on erasure because once everything PERSONAL is gone
    it singles no one out, and the programme's anonymous statistics need it."""

    WITHHELD = "withheld"
    """Erased with the subject but never exported: what others wrote about them in confidence
    (GDPR art. 15(4)), and secrets (password hash, session data, keys) that would only help an
    attacker who got hold of the download."""

    NOT_PERSONAL = "not personal"
    """Surrogate keys, links between rows, configuration, and staff's own records."""


P, K, W, N = Kind.PERSONAL, Kind.KEPT, Kind.WITHHELD, Kind.NOT_PERSONAL

# "app_label.ModelName.field_name" -> Kind, for every concrete field (FKs and M2M included) of
# every model in apps.get_models(). A new model or field goes here, grouped with its model.
REGISTRY: dict[str, Kind] = {
    # --- accounts.User -------------------------------------------------------------------------
    "accounts.User.id": N,
    "accounts.User.password": W,  # a hash: useless to its owner, useful to an attacker
    "accounts.User.last_login": P,
    "accounts.User.is_superuser": P,
    "accounts.User.first_name": P,
    "accounts.User.last_name": P,
    "accounts.User.is_staff": P,
    "accounts.User.is_active": P,
    "accounts.User.date_joined": P,
    "accounts.User.email": P,
    "accounts.User.language": P,
    "accounts.User.email_bounced_at": P,
    "accounts.User.email_bounce_reason": P,
    "accounts.User.groups": P,
    "accounts.User.user_permissions": P,
    # --- accounts.SocialWorker -----------------------------------------------------------------
    "accounts.SocialWorker.id": N,
    "accounts.SocialWorker.user": N,  # the link to the subject
    "accounts.SocialWorker.organisation": P,
    "accounts.SocialWorker.job_title": P,
    "accounts.SocialWorker.phone": P,
    "accounts.SocialWorker.created_at": P,
    # --- accounts.Person -----------------------------------------------------------------------
    # KEPT fields are what the anonymous statistics of duos count: role, département, gender,
    # the dates of the application's journey. Together with a birth decade (see _COARSENED) they
    # describe a group of people, not one: names, contact, exact place, languages, legal status
    # and free text all go.
    "accounts.Person.id": N,  # duos and other rows keep pointing at the anonymised row
    "accounts.Person.user": P,
    "accounts.Person.referrer": P,  # which social worker follows a refugee says where they live
    "accounts.Person.role": K,
    "accounts.Person.state": K,
    "accounts.Person.state_changed_at": K,
    "accounts.Person.waiting_since": K,
    "accounts.Person.first_name": P,
    "accounts.Person.last_name": P,
    "accounts.Person.birth_year": P,  # coarsened to its decade, not cleared
    "accounts.Person.gender": K,
    "accounts.Person.partner_gender": P,
    "accounts.Person.phone": P,
    "accounts.Person.postal_code": P,
    "accounts.Person.commune": P,
    "accounts.Person.departement": K,
    "accounts.Person.latitude": P,
    "accounts.Person.longitude": P,
    "accounts.Person.max_distance_km": K,
    "accounts.Person.languages": P,  # rare languages point to an origin: sensitive
    "accounts.Person.interests": P,
    "accounts.Person.availability": P,
    "accounts.Person.about": P,
    "accounts.Person.hopes": P,
    "accounts.Person.protection_status": P,
    "accounts.Person.arrival_year": P,
    "accounts.Person.profile_step": K,
    "accounts.Person.completion_reminders_sent": K,
    "accounts.Person.interview_at": P,
    "accounts.Person.validated_at": K,
    "accounts.Person.refusal_reason": P,  # the reason is told to the candidate
    "accounts.Person.last_activity_at": K,
    "accounts.Person.anonymised_at": K,
    "accounts.Person.created_at": K,
    "accounts.Person.updated_at": K,
    # --- accounts.Consent ----------------------------------------------------------------------
    "accounts.Consent.id": N,
    "accounts.Consent.person": N,
    "accounts.Consent.kind": P,
    "accounts.Consent.version": P,
    "accounts.Consent.given_at": P,
    "accounts.Consent.recorded_by": P,  # the social worker who recorded a refugee's consent
    # --- accounts.StaffNote: the team's notes about a candidate, art. 15(4) ----------------------
    "accounts.StaffNote.id": N,
    "accounts.StaffNote.person": N,
    "accounts.StaffNote.author": W,
    "accounts.StaffNote.text": W,
    "accounts.StaffNote.created_at": W,
    # --- accounts.ProfileView: the audit log of staff reading a profile --------------------------
    # Kept for accountability: ids, a page name and a time; it points at the anonymised Person.
    "accounts.ProfileView.id": N,
    "accounts.ProfileView.viewer": N,
    "accounts.ProfileView.person": N,
    "accounts.ProfileView.what": N,
    "accounts.ProfileView.viewed_at": N,
    # --- duos.Heartbeat ------------------------------------------------------------------------
    "duos.Heartbeat.id": N,
    "duos.Heartbeat.source": N,
    "duos.Heartbeat.sent_at": N,
    "duos.Heartbeat.executed_at": N,
    # --- matching: runs, proposals, exclusions --------------------------------------------------
    # Staff's work records over the pool; they point at people by id, and once a person is
    # anonymised they single no one out. Free text the team writes about a pair is withheld.
    "matching.MatchRun.id": N,
    "matching.MatchRun.created_by": N,
    "matching.MatchRun.created_at": N,
    "matching.MatchRun.started_at": N,
    "matching.MatchRun.finished_at": N,
    "matching.MatchRun.heartbeat_at": N,
    "matching.MatchRun.state": N,
    "matching.MatchRun.active": N,
    "matching.MatchRun.progress": N,
    "matching.MatchRun.stage": N,
    "matching.MatchRun.error": N,
    "matching.MatchRun.departement": N,
    "matching.MatchRun.weights": N,
    "matching.MatchRun.pool_sponsors": N,
    "matching.MatchRun.pool_refugees": N,
    "matching.MatchRun.pairs": N,
    "matching.MatchRun.total_score": N,
    "matching.MatchRun.duration_ms": N,
    "matching.MatchRun.certificate": N,
    "matching.MatchRun.unmatched": N,
    "matching.MatchRun.alternatives": N,
    "matching.Proposal.id": N,
    "matching.Proposal.run": N,
    "matching.Proposal.sponsor": N,
    "matching.Proposal.refugee": N,
    "matching.Proposal.score": N,
    "matching.Proposal.distance_km": N,
    "matching.Proposal.breakdown": N,
    "matching.Proposal.reasons": N,
    "matching.Proposal.state": N,
    "matching.Proposal.manual": N,
    "matching.Proposal.reviewed_by": N,
    "matching.Proposal.reviewed_at": N,
    "matching.Proposal.rejection_reason": N,  # the team's reason, about a pair not a person
    "matching.Exclusion.id": N,
    "matching.Exclusion.sponsor": N,
    "matching.Exclusion.refugee": N,
    "matching.Exclusion.reason": N,
    "matching.Exclusion.created_by": N,
    "matching.Exclusion.created_at": N,
    "matching.Exclusion.note": N,  # the team's note on why a pair must not be proposed
    # --- duos.Duo: the anonymous statistics of duos (formed, answered, lasted) -------------------
    "duos.Duo.id": N,
    "duos.Duo.sponsor": N,
    "duos.Duo.refugee": N,
    "duos.Duo.proposal": N,
    "duos.Duo.state": N,
    "duos.Duo.created_by": N,
    "duos.Duo.created_at": N,
    "duos.Duo.expires_at": N,
    "duos.Duo.sponsor_answer": N,
    "duos.Duo.sponsor_answered_at": N,
    "duos.Duo.refugee_answer": N,
    "duos.Duo.refugee_answered_at": N,
    "duos.Duo.started_at": N,
    "duos.Duo.ended_at": N,
    "duos.Duo.shift_days": N,
    "duos.Duo.extra_months": N,
    "duos.Duo.paused_at": N,
    "duos.Duo.suspended_at": N,
    "duos.Duo.ended_by": N,
    # Staff's own record of why they ended a duo, like their notes on proposals.
    "duos.Duo.end_reason": N,
    # --- duos.DuoNote: staff's own follow-up record ---------------------------------------------
    "duos.DuoNote.id": N,
    "duos.DuoNote.duo": N,
    "duos.DuoNote.author": N,
    "duos.DuoNote.text": N,
    "duos.DuoNote.created_at": N,
    # --- duos.SurveyAnswer: what the person answered at the end of their duo --------------------
    "duos.SurveyAnswer.id": N,
    "duos.SurveyAnswer.duo": N,
    "duos.SurveyAnswer.side": N,
    "duos.SurveyAnswer.person": N,
    "duos.SurveyAnswer.rating": P,
    "duos.SurveyAnswer.keep_in_touch": P,
    "duos.SurveyAnswer.suggestion": P,
    "duos.SurveyAnswer.answered_at": P,
    # --- duos.Report, duos.ReportLogEntry: confidential reports and what staff did ------------
    "duos.Report.id": N,
    "duos.Report.duo": N,
    "duos.Report.side": N,
    "duos.Report.reporter": N,
    "duos.Report.sent_by": N,
    "duos.Report.category": P,
    "duos.Report.text": P,
    "duos.Report.urgent": P,
    "duos.Report.status": P,
    "duos.Report.created_at": P,
    "duos.ReportLogEntry.id": N,
    "duos.ReportLogEntry.report": N,
    "duos.ReportLogEntry.author": N,
    "duos.ReportLogEntry.status": N,
    "duos.ReportLogEntry.text": N,
    "duos.ReportLogEntry.created_at": N,
    # --- duos.GroupActivity, duos.Registration: the team's activities and who came ------------
    "duos.GroupActivity.id": N,
    "duos.GroupActivity.title": N,
    "duos.GroupActivity.starts_at": N,
    "duos.GroupActivity.ends_at": N,
    "duos.GroupActivity.place": N,
    "duos.GroupActivity.capacity": N,
    "duos.GroupActivity.description": N,
    "duos.GroupActivity.created_by": N,
    "duos.GroupActivity.created_at": N,
    "duos.GroupActivity.cancelled_at": N,
    "duos.Registration.id": N,
    "duos.Registration.activity": N,
    "duos.Registration.person": N,
    "duos.Registration.state": P,
    "duos.Registration.created_at": P,
    "duos.Registration.changed_at": P,
    "duos.Registration.attended": P,
    "duos.Registration.reminder_claimed_at": N,
    "duos.Registration.reminder_sent_at": N,
    # --- duos.Reminder, duos.CheckIn: the monthly reminders and answers of a duo ----------------
    # Keyed by duo and side, like the duo itself: once the person is anonymised, they are the
    # programme's anonymous statistics (meetings per month, activities, mid-way mood).
    "duos.Reminder.id": N,
    "duos.Reminder.duo": N,
    "duos.Reminder.month": N,
    "duos.Reminder.side": N,
    "duos.Reminder.kind": N,
    "duos.Reminder.created_at": N,
    "duos.Reminder.claimed_at": N,
    "duos.Reminder.claim_token": N,
    "duos.Reminder.attempts": N,
    "duos.Reminder.next_attempt_at": N,
    "duos.Reminder.last_error": N,
    "duos.Reminder.sent_at": N,
    "duos.Reminder.skipped_at": N,
    "duos.Reminder.skip_reason": N,
    "duos.CheckIn.id": N,
    "duos.CheckIn.duo": N,
    "duos.CheckIn.month": N,
    "duos.CheckIn.side": N,
    "duos.CheckIn.met": N,
    "duos.CheckIn.recorded_by": N,
    "duos.CheckIn.activity": N,
    "duos.CheckIn.mood": N,
    "duos.CheckIn.answered_at": N,
    "duos.CheckIn.changed_at": N,
    # --- admin.LogEntry: the admin's history -----------------------------------------------------
    # The text describing the object (its name, what changed) is scrubbed on erasure; who acted,
    # when and on which row id stays, as the team's own record.
    "admin.LogEntry.id": N,
    "admin.LogEntry.action_time": N,
    "admin.LogEntry.user": N,
    "admin.LogEntry.content_type": N,
    "admin.LogEntry.object_id": N,
    "admin.LogEntry.object_repr": W,
    "admin.LogEntry.action_flag": N,
    "admin.LogEntry.change_message": W,
    # --- auth, contenttypes: configuration -------------------------------------------------------
    "auth.Permission.id": N,
    "auth.Permission.name": N,
    "auth.Permission.content_type": N,
    "auth.Permission.codename": N,
    "auth.Group.id": N,
    "auth.Group.name": N,
    "auth.Group.permissions": N,
    "contenttypes.ContentType.id": N,
    "contenttypes.ContentType.app_label": N,
    "contenttypes.ContentType.model": N,
    # --- sessions.Session ----------------------------------------------------------------------
    # The data holds the user's id and a hash derived from their password: deleted on erasure.
    "sessions.Session.session_key": N,
    "sessions.Session.session_data": W,
    "sessions.Session.expire_date": N,
    # --- allauth account -----------------------------------------------------------------------
    "account.EmailAddress.id": N,
    "account.EmailAddress.user": N,
    "account.EmailAddress.email": P,
    "account.EmailAddress.verified": P,
    "account.EmailAddress.primary": P,
    "account.EmailConfirmation.id": N,
    "account.EmailConfirmation.email_address": N,
    "account.EmailConfirmation.created": P,
    "account.EmailConfirmation.sent": P,
    "account.EmailConfirmation.key": W,
    # --- allauth mfa ---------------------------------------------------------------------------
    "mfa.Authenticator.id": N,
    "mfa.Authenticator.user": N,
    "mfa.Authenticator.type": P,
    "mfa.Authenticator.data": W,  # the TOTP secret and recovery codes
    "mfa.Authenticator.created_at": P,
    "mfa.Authenticator.last_used_at": P,
    # --- django_celery_beat: schedules; tasks carry ids only (README) ----------------------------
    "django_celery_beat.SolarSchedule.id": N,
    "django_celery_beat.SolarSchedule.event": N,
    "django_celery_beat.SolarSchedule.latitude": N,
    "django_celery_beat.SolarSchedule.longitude": N,
    "django_celery_beat.IntervalSchedule.id": N,
    "django_celery_beat.IntervalSchedule.every": N,
    "django_celery_beat.IntervalSchedule.period": N,
    "django_celery_beat.ClockedSchedule.id": N,
    "django_celery_beat.ClockedSchedule.clocked_time": N,
    "django_celery_beat.CrontabSchedule.id": N,
    "django_celery_beat.CrontabSchedule.minute": N,
    "django_celery_beat.CrontabSchedule.hour": N,
    "django_celery_beat.CrontabSchedule.day_of_month": N,
    "django_celery_beat.CrontabSchedule.month_of_year": N,
    "django_celery_beat.CrontabSchedule.day_of_week": N,
    "django_celery_beat.CrontabSchedule.timezone": N,
    "django_celery_beat.PeriodicTasks.ident": N,
    "django_celery_beat.PeriodicTasks.last_update": N,
    "django_celery_beat.PeriodicTask.id": N,
    "django_celery_beat.PeriodicTask.name": N,
    "django_celery_beat.PeriodicTask.task": N,
    "django_celery_beat.PeriodicTask.interval": N,
    "django_celery_beat.PeriodicTask.crontab": N,
    "django_celery_beat.PeriodicTask.solar": N,
    "django_celery_beat.PeriodicTask.clocked": N,
    "django_celery_beat.PeriodicTask.args": N,
    "django_celery_beat.PeriodicTask.kwargs": N,
    "django_celery_beat.PeriodicTask.queue": N,
    "django_celery_beat.PeriodicTask.exchange": N,
    "django_celery_beat.PeriodicTask.routing_key": N,
    "django_celery_beat.PeriodicTask.headers": N,
    "django_celery_beat.PeriodicTask.priority": N,
    "django_celery_beat.PeriodicTask.expires": N,
    "django_celery_beat.PeriodicTask.expire_seconds": N,
    "django_celery_beat.PeriodicTask.one_off": N,
    "django_celery_beat.PeriodicTask.start_time": N,
    "django_celery_beat.PeriodicTask.enabled": N,
    "django_celery_beat.PeriodicTask.last_run_at": N,
    "django_celery_beat.PeriodicTask.total_run_count": N,
    "django_celery_beat.PeriodicTask.date_changed": N,
    "django_celery_beat.PeriodicTask.description": N,
}

EXPORTED = {Kind.PERSONAL, Kind.KEPT}
ERASED = {Kind.PERSONAL, Kind.WITHHELD}

# Which rows belong to a person, and to a user account: model label -> lookup from that model to
# the subject. The export and the erasure walk these; a model holding a field that is not
# NOT_PERSONAL must be listed here or in ERASED_SEPARATELY (a test checks it). On erasure the
# Person row is anonymised (others point at it) and every other listed row is deleted.
PERSON_ROWS: dict[str, str] = {
    "accounts.Person": "pk",
    "accounts.Consent": "person",
    "accounts.StaffNote": "person",
    "duos.SurveyAnswer": "person",
    "duos.Report": "reporter",
    "duos.Registration": "person",
}
# Deleted in this order, the User last.
ACCOUNT_ROWS: dict[str, str] = {
    "account.EmailConfirmation": "email_address__user",
    "account.EmailAddress": "user",
    "mfa.Authenticator": "user",
    "accounts.SocialWorker": "user",
    "accounts.User": "pk",
}
# Rows erased by their own rule, in erase_person: sessions are found by decoding them, the
# admin's history by the content type and id of every row above.
ERASED_SEPARATELY = {"sessions.Session", "admin.LogEntry"}

# Personal fields kept in a coarser form instead of cleared: the age band is what statistics use.
_COARSENED = {
    "accounts.Person.birth_year": lambda year: year - year % 10 if year else None,
}

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
    return {"exported_at": timezone.now().isoformat(), "records": records}


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

        now = timezone.now()
        erased = fields_of_kind(Person, ERASED)
        for field in erased:
            coarsen = _COARSENED.get(field_key(field))
            value = getattr(person, field.attname)
            setattr(person, field.attname, coarsen(value) if coarsen else _neutral_value(field))
        person.state = CandidateState.WITHDRAWN
        person.state_changed_at = now
        person.anonymised_at = now
        person.save(
            update_fields=[
                *(field.name for field in erased),
                "state",
                "state_changed_at",
                "anonymised_at",
                "updated_at",
            ]
        )

        for model, queryset in rows.items():
            if model is not Person:
                queryset.delete()  # in ACCOUNT_ROWS' order: the user last
        if user is not None:
            _delete_sessions_of(user.pk)
        _scrub_admin_history(targets)
    return True


def _months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    month += 1
    # The 31st of a shorter month becomes its last day.
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def anonymise_inactive_people(now: datetime.datetime | None = None) -> int:
    """Erase people with no activity for INACTIVITY_MONTHS months; return how many.

    Not a person in a duo: their partner still needs them, and the duo's end makes them inactive
    from then on. Meant for a daily beat task; idempotent, as erase_person is.
    """
    cutoff = _months_before(now or timezone.now(), INACTIVITY_MONTHS)
    inactive = (
        Q(anonymised_at=None, last_activity_at__lt=cutoff)
        & ~Q(state=CandidateState.IN_DUO)
        & (Q(user=None) | Q(user__last_login=None) | Q(user__last_login__lt=cutoff))
    )
    pks = list(Person.objects.filter(inactive).values_list("pk", flat=True))
    return sum(_erase(pk, still=inactive) for pk in pks)

"""The registry of personal data: every concrete field of every installed model, classified once.

Read by accounts/privacy.py (the export and the erasure); a test fails as soon as a model gains a
field nobody classified here.
"""

import enum


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
    "matching.MatchRun.attempt": N,
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
    "matching.MatchRun.swaps": N,  # as alternatives: ids and points of the staff's swap menu
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
    # When the team was last alerted of a duo's urgent reports: times, no person.
    "duos.ReportAlert.id": N,
    "duos.ReportAlert.duo": N,
    "duos.ReportAlert.sent_at": N,
    "duos.ReportAlert.pending": N,
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
    "duos.GroupActivity.sequence": N,
    "duos.GroupActivity.changed_at": N,
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
    # --- sites.Site: the programme's name and domain (accounts/site.py) ------------------------
    "sites.Site.id": N,
    "sites.Site.domain": N,
    "sites.Site.name": N,
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

"""What each visitor gets (status of a GET, or of an empty POST for actions) on every route of
the site: ours, allauth's, the admin's, anymail's, Django's.

Rows are (route name, whose object): "none" for a URL without an object, "own" for the
visitor's own object (their profile; a social worker's own referred refugee; for staff any
candidate), "other" for someone else's (a refugee referred by another social worker; for the
second social worker, the first one's referral and its duo); for a link that carries a signed
token (an invitation), the token names that object and whoever holds the link may open it.
Columns follow ROLES.
302 is a redirect (to log in, to verify the email, to set up two-factor, or to the next page),
404 hides that an object exists, 405 is an action that only takes POST.
"""

ROLES = (
    "anonymous",
    "unverified",
    "sponsor",
    "refugee",
    "social_worker",
    "staff",  # the programme team's group, is_staff, and an authenticator app
    "staff_without_2fa",  # the same without an authenticator app
    "second_social_worker",  # another social worker, with a referral of their own
    "granted_permissions",  # duos.view_duo and duos.view_report given one by one, no app
)
# Whoever holds a staff permission without an authenticator app: every staff page sends them
# to set up two-factor first (the test checks where each of their redirects goes).
TWO_FACTOR_FIRST = {"staff_without_2fa", "granted_permissions"}

# The site runs with this provider: its tracking webhook is the one anymail route mounted.
EMAIL_PROVIDER = "anymail.backends.brevo.EmailBackend"

# Routes at the path of an earlier one, which therefore never answer.
SHADOWED = {
    "accounts/signup/": "allauth's sign-up: ours (duos/urls.py) is mounted first at its path",
}

# Routes whose rows are not in TABLE, each with the test that checks it. The admin's pages of
# each registered model are in ADMIN_TEAM_PAGES instead.
CHECKED_ELSEWHERE: dict[str, str] = {}

# The admin's pages for each registered model (admin:<app>_<model>_<action>, and its unnamed
# <pk>/ route that redirects to the change page), by the test below TABLE's: everyone but
# staff is sent away (302: to set up two-factor first, or to the admin's login); staff get
# 200 on the pages listed here (what the team's group permits), 403 on the others. A newly
# registered model fails until it is listed.
ADMIN_ACTIONS = ("changelist", "add", "history", "delete", "change")
ADMIN_OBJECT_ACTIONS = ("history", "delete", "change")
_VIEW_ONLY = ("changelist", "history", "change")
ADMIN_TEAM_PAGES: dict[str, tuple[str, ...]] = {
    "auth.Group": (),
    "accounts.User": (),
    "accounts.Person": _VIEW_ONLY,  # view and change: no adding, no deleting
    "accounts.SocialWorker": _VIEW_ONLY,
    "accounts.Consent": (),
    "accounts.ProfileView": (),
    "matching.MatchRun": _VIEW_ONLY,
    "matching.Proposal": _VIEW_ONLY,
    "matching.Exclusion": (),
    "sites.Site": (),
    "account.EmailAddress": (),
    "mfa.Authenticator": (),
    "django_celery_beat.PeriodicTask": (),
    "django_celery_beat.ClockedSchedule": (),
    "django_celery_beat.CrontabSchedule": (),
    "django_celery_beat.SolarSchedule": (),
    "django_celery_beat.IntervalSchedule": (),
}

# Routes without a name (their key is their path) and the URL the table asks for.
UNNAMED_URLS = {"admin/(?P<url>.*)$": "/admin/nowhere/"}  # the admin's catch-all

# Values for the URL arguments other than pk (or what OBJECTS names).
URL_KWARGS = {
    "accounts:profile_step": {"step": "identity"},
    "accounts:referral_step": {"step": "identity"},
    "accounts:state_action": {"action": "pause"},
    "accounts:referral_state_action": {"action": "pause"},
    "admin:app_list": {"app_label": "accounts"},
}

# What the pk or token of a URL names, when it is not a person: the team's objects ("own" and
# "other" are then the same object), or a signed link ("other" is then a tampered link).
OBJECTS = {
    "accounts:handover": "invitation",
    "accounts:two_factor_link": "two_factor_link",
    "duos:answer": "answer",
    "duos:checkin": "checkin",
    "duos:survey": "survey",
    "duos:activity": "activity",
    "duos:activity_register": "activity",
    "duos:activity_cancel_registration": "activity",
    "duos:activity_ics": "activity",
    "duos:activity_register_link": "activity_link",
    "duos:staff_activity": "activity",
    "duos:staff_activity_edit": "activity",
    "duos:staff_activity_attendance": "activity",
    "duos:staff_activity_cancel": "activity_to_cancel",
    "duos:report_new": "duo",
    "duos:duo_detail": "duo",
    "duos:duo_note": "duo",
    "duos:duo_pause": "duo",
    "duos:duo_resume": "duo",
    "duos:duo_extend": "duo",
    "duos:duo_end": "duo",
    "duos:report_link": "report_link",
    "duos:report": "report",
    "duos:report_update": "report",
    "duos:report_suspend": "report",
    "duos:report_unsuspend": "report",
    "matching:run": "run",
    "matching:run_progress": "run",
    "matching:review": "run",
    "matching:approve_many": "run",
    "matching:manual_pair": "run",
    "matching:approve": "proposal",
    "matching:reject": "proposal",
    "matching:swap": "proposal",
    "account_confirm_email": "email_key",
    "account_reset_password_from_key": "reset_key",
    "admin:view_on_site": "content_object",
    "admin:auth_user_password_change": "user",
}

# Actions that only take POST: their rows are the status of an empty POST.
POST_ONLY = {
    "matching:approve",
    "matching:approve_many",
    "matching:reject",
    "matching:swap",
    "accounts:referral_invite",
    "accounts:choose_role",
    "accounts:state_action",
    "accounts:referral_state_action",
    "accounts:staff_interview",
    "accounts:staff_note",
    "accounts:staff_refuse",
    "accounts:staff_validate",
    "duos:report_update",
    "duos:my_duo_checkin",
    "duos:referred_duo_checkin",
    "duos:activity_register",
    "duos:activity_cancel_registration",
    "duos:staff_activity_cancel",
    "duos:duo_note",
    "duos:duo_pause",
    "duos:duo_resume",
    "duos:duo_extend",
    "duos:duo_end",
    "duos:report_suspend",
    "duos:report_unsuspend",
    "anymail:brevo_tracking_webhook",
    "set_language",
}

TABLE: dict[tuple[str, str], tuple[int, ...]] = {
    # ROLES: anonymous, unverified, sponsor, refugee, social_worker, staff, staff_without_2fa,
    # second_social_worker, granted_permissions
    ("account_signup", "none"): (200, 302, 302, 302, 302, 302, 302, 302, 302),
    # The charter and the privacy notice: public, linked from the consent step and the footer.
    ("accounts:charter", "none"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("accounts:privacy_notice", "none"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("accounts:choose_role", "none"): (302, 302, 302, 302, 302, 400, 400, 302, 400),
    ("accounts:dashboard", "none"): (302, 302, 200, 200, 302, 302, 302, 302, 302),
    # The language of the emails to the visitor: any member, staff too.
    ("accounts:email_language", "none"): (302, 302, 200, 200, 200, 200, 200, 200, 200),
    ("accounts:handover", "own"): (200, 400, 400, 400, 200, 200, 200, 200, 200),
    ("accounts:handover", "other"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    # Staff's mailbox proof before the two-factor setup: for anyone else, straight to allauth's
    # setup (staff with an authenticator too). "own": a link for the visitor's user.
    ("accounts:two_factor_start", "none"): (302, 302, 302, 302, 302, 302, 200, 302, 200),
    ("accounts:two_factor_link", "own"): (302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("accounts:two_factor_link", "other"): (302, 400, 400, 400, 400, 400, 400, 400, 400),
    ("accounts:privacy", "none"): (302, 302, 200, 200, 200, 200, 200, 200, 200),
    ("accounts:privacy_delete", "none"): (302, 302, 200, 200, 404, 404, 404, 404, 404),
    ("accounts:privacy_delete_referred", "own"): (302, 302, 404, 404, 200, 404, 404, 200, 404),
    ("accounts:privacy_delete_referred", "other"): (302, 302, 404, 404, 404, 404, 404, 404, 404),
    ("accounts:privacy_export", "none"): (302, 302, 200, 200, 200, 200, 200, 200, 200),
    ("accounts:privacy_export_referred", "own"): (302, 302, 404, 404, 200, 404, 404, 200, 404),
    ("accounts:privacy_export_referred", "other"): (302, 302, 404, 404, 404, 404, 404, 404, 404),
    ("accounts:profile_step", "none"): (302, 302, 200, 200, 404, 404, 404, 404, 404),
    ("accounts:referral_detail", "own"): (302, 302, 404, 404, 200, 404, 404, 200, 404),
    ("accounts:referral_detail", "other"): (302, 302, 404, 404, 404, 404, 404, 404, 404),
    ("accounts:referral_invite", "own"): (302, 302, 404, 404, 400, 404, 404, 400, 404),
    ("accounts:referral_invite", "other"): (302, 302, 404, 404, 404, 404, 404, 404, 404),
    ("accounts:referral_new", "none"): (302, 302, 404, 404, 200, 404, 404, 200, 404),
    ("accounts:referral_state_action", "own"): (302, 302, 404, 404, 302, 404, 404, 302, 404),
    ("accounts:referral_state_action", "other"): (302, 302, 404, 404, 404, 404, 404, 404, 404),
    ("accounts:referral_step", "own"): (302, 302, 404, 404, 200, 404, 404, 200, 404),
    ("accounts:referral_step", "other"): (302, 302, 404, 404, 404, 404, 404, 404, 404),
    ("accounts:referrals", "none"): (302, 302, 404, 404, 200, 404, 404, 200, 404),
    ("accounts:staff_interview", "own"): (302, 404, 404, 404, 404, 400, 302, 404, 302),
    ("accounts:staff_interview", "other"): (302, 404, 404, 404, 404, 400, 302, 404, 302),
    ("accounts:staff_note", "own"): (302, 404, 404, 404, 404, 400, 302, 404, 302),
    ("accounts:staff_note", "other"): (302, 404, 404, 404, 404, 400, 302, 404, 302),
    ("accounts:staff_person", "own"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("accounts:staff_person", "other"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("accounts:staff_queue", "none"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("accounts:staff_refuse", "own"): (302, 404, 404, 404, 404, 400, 302, 404, 302),
    ("accounts:staff_refuse", "other"): (302, 404, 404, 404, 404, 400, 302, 404, 302),
    ("accounts:staff_validate", "own"): (302, 404, 404, 404, 404, 302, 302, 404, 302),
    ("accounts:staff_validate", "other"): (302, 404, 404, 404, 404, 302, 302, 404, 302),
    ("accounts:state_action", "none"): (302, 302, 302, 302, 404, 404, 404, 404, 404),
    ("duos:answer", "own"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("duos:answer", "other"): (400, 400, 400, 400, 400, 400, 400, 400, 400),
    ("duos:checkin", "own"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("duos:checkin", "other"): (400, 400, 400, 400, 400, 400, 400, 400, 400),
    ("duos:survey", "own"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("duos:survey", "other"): (400, 400, 400, 400, 400, 400, 400, 400, 400),
    ("duos:activities", "none"): (302, 302, 200, 200, 200, 404, 404, 200, 404),
    ("duos:activity", "own"): (302, 302, 200, 200, 200, 404, 404, 200, 404),
    ("duos:activity_register", "own"): (302, 302, 400, 400, 400, 404, 404, 400, 404),
    ("duos:activity_cancel_registration", "own"): (302, 302, 400, 400, 400, 404, 404, 400, 404),
    ("duos:activity_ics", "own"): (302, 302, 200, 200, 200, 404, 404, 200, 404),
    ("duos:activity_register_link", "own"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("duos:activity_register_link", "other"): (400, 400, 400, 400, 400, 400, 400, 400, 400),
    ("duos:staff_activities", "none"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("duos:staff_activity_create", "none"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("duos:staff_activity", "own"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("duos:staff_activity_edit", "own"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("duos:staff_activity_cancel", "own"): (302, 404, 404, 404, 404, 302, 302, 404, 302),
    ("duos:staff_activity_attendance", "own"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("duos:dashboard", "none"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("duos:dashboard_checkins_csv", "none"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("duos:dashboard_duos_csv", "none"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("duos:duo_detail", "own"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("duos:duo_detail", "other"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("duos:duo_end", "own"): (302, 404, 404, 404, 404, 400, 302, 404, 302),
    ("duos:duo_end", "other"): (302, 404, 404, 404, 404, 400, 302, 404, 302),
    ("duos:duo_extend", "own"): (302, 404, 404, 404, 404, 400, 302, 404, 302),
    ("duos:duo_extend", "other"): (302, 404, 404, 404, 404, 400, 302, 404, 302),
    ("duos:duo_note", "own"): (302, 404, 404, 404, 404, 400, 302, 404, 302),
    ("duos:duo_note", "other"): (302, 404, 404, 404, 404, 400, 302, 404, 302),
    ("duos:duo_pause", "own"): (302, 404, 404, 404, 404, 409, 302, 404, 302),
    ("duos:duo_pause", "other"): (302, 404, 404, 404, 404, 409, 302, 404, 302),
    ("duos:duo_resume", "own"): (302, 404, 404, 404, 404, 409, 302, 404, 302),
    ("duos:duo_resume", "other"): (302, 404, 404, 404, 404, 409, 302, 404, 302),
    ("duos:followup", "none"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("duos:my_duo", "none"): (302, 302, 200, 200, 404, 404, 404, 404, 404),
    ("duos:my_duo_checkin", "none"): (302, 302, 400, 400, 404, 404, 404, 404, 404),
    ("duos:referred_duo", "own"): (302, 302, 404, 404, 200, 404, 404, 200, 404),
    ("duos:referred_duo", "other"): (302, 302, 404, 404, 404, 404, 404, 404, 404),
    ("duos:referred_duo_checkin", "own"): (302, 302, 404, 404, 400, 404, 404, 400, 404),
    ("duos:referred_duo_checkin", "other"): (302, 302, 404, 404, 404, 404, 404, 404, 404),
    ("duos:report", "own"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("duos:report", "other"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("duos:report_link", "own"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("duos:report_link", "other"): (400, 400, 400, 400, 400, 400, 400, 400, 400),
    ("duos:report_new", "own"): (302, 302, 200, 200, 200, 404, 404, 200, 404),
    ("duos:report_new", "other"): (302, 302, 404, 404, 404, 404, 404, 404, 404),
    ("duos:report_sent", "none"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("duos:report_suspend", "own"): (302, 404, 404, 404, 404, 302, 302, 404, 302),
    ("duos:report_suspend", "other"): (302, 404, 404, 404, 404, 302, 302, 404, 302),
    ("duos:report_unsuspend", "own"): (302, 404, 404, 404, 404, 302, 302, 404, 302),
    ("duos:report_unsuspend", "other"): (302, 404, 404, 404, 404, 302, 302, 404, 302),
    ("duos:report_update", "own"): (302, 404, 404, 404, 404, 400, 302, 404, 302),
    ("duos:report_update", "other"): (302, 404, 404, 404, 404, 400, 302, 404, 302),
    ("duos:reports", "none"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("duos:waiting", "none"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("healthz", "none"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("home", "none"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("matching:approve", "own"): (302, 404, 404, 404, 404, 409, 302, 404, 302),
    ("matching:approve_many", "own"): (302, 404, 404, 404, 404, 400, 302, 404, 302),
    ("matching:manual_pair", "own"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("matching:reject", "own"): (302, 404, 404, 404, 404, 400, 302, 404, 302),
    ("matching:review", "own"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("matching:run", "own"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("matching:run_progress", "own"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("matching:runs", "none"): (302, 404, 404, 404, 404, 200, 302, 404, 302),
    ("matching:swap", "own"): (302, 404, 404, 404, 404, 400, 302, 404, 302),
    # allauth's pages. A confirmation or reset link ("own": one for the visitor's address, the
    # unverified person's for anonymous; "other": tampered) opens allauth's page, which says
    # when a link is void (a verified address's confirmation link is); a valid reset link
    # moves its key into the session and redirects.
    ("account_login", "none"): (200, 302, 302, 302, 302, 302, 302, 302, 302),
    ("account_logout", "none"): (302, 200, 200, 200, 200, 200, 200, 200, 200),
    ("account_inactive", "none"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("account_reauthenticate", "none"): (302, 200, 200, 200, 200, 200, 200, 200, 200),
    ("account_email", "none"): (302, 200, 200, 200, 200, 200, 200, 200, 200),
    ("account_email_verification_sent", "none"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("account_change_password", "none"): (302, 200, 200, 200, 200, 200, 200, 200, 200),
    ("account_set_password", "none"): (302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("account_reset_password", "none"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("account_confirm_login_code", "none"): (302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("account_confirm_email", "own"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("account_confirm_email", "other"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("account_reset_password_from_key", "own"): (302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("account_reset_password_from_key", "other"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("account_reset_password_from_key_done", "none"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("account_reset_password_done", "none"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    # Two-factor (allauth MFA): any member may set up an app; the setup page asks staff for
    # the mailbox proof first, and everyone for their password again (302).
    ("mfa_index", "none"): (302, 200, 200, 200, 200, 200, 200, 200, 200),
    ("mfa_authenticate", "none"): (302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("mfa_reauthenticate", "none"): (302, 302, 302, 302, 302, 200, 302, 302, 302),
    ("mfa_activate_totp", "none"): (302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("mfa_deactivate_totp", "none"): (302, 404, 404, 404, 404, 302, 404, 404, 404),
    ("mfa_view_recovery_codes", "none"): (302, 404, 404, 404, 404, 404, 404, 404, 404),
    ("mfa_generate_recovery_codes", "none"): (302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("mfa_download_recovery_codes", "none"): (302, 404, 404, 404, 404, 404, 404, 404, 404),
    # Django's language switch (an empty POST: back home).
    ("set_language", "none"): (302, 302, 302, 302, 302, 302, 302, 302, 302),
    # The email provider's bounce webhook: an empty POST without its basic auth is refused.
    ("anymail:brevo_tracking_webhook", "none"): (400, 400, 400, 400, 400, 400, 400, 400, 400),
    # The admin: staff with an authenticator only (its model pages: ADMIN_TEAM_PAGES). Its
    # login is allauth's, which refuses a member who is not staff (403); logout takes POST.
    ("admin:index", "none"): (302, 302, 302, 302, 302, 200, 302, 302, 302),
    ("admin:login", "none"): (302, 403, 403, 403, 403, 302, 302, 403, 302),
    ("admin:logout", "none"): (302, 302, 302, 302, 302, 405, 302, 302, 302),
    ("admin:password_change", "none"): (302, 302, 302, 302, 302, 200, 302, 302, 302),
    ("admin:password_change_done", "none"): (302, 302, 302, 302, 302, 200, 302, 302, 302),
    ("admin:autocomplete", "none"): (302, 302, 302, 302, 302, 403, 302, 302, 302),
    ("admin:jsi18n", "none"): (302, 302, 302, 302, 302, 200, 302, 302, 302),
    ("admin:view_on_site", "own"): (302, 302, 302, 302, 302, 404, 302, 302, 302),
    ("admin:view_on_site", "other"): (302, 302, 302, 302, 302, 404, 302, 302, 302),
    ("admin:app_list", "none"): (302, 302, 302, 302, 302, 200, 302, 302, 302),
    ("admin:auth_user_password_change", "own"): (302, 302, 302, 302, 302, 403, 302, 302, 302),
    ("admin:auth_user_password_change", "other"): (302, 302, 302, 302, 302, 403, 302, 302, 302),
    ("admin/(?P<url>.*)$", "none"): (302, 302, 302, 302, 302, 404, 302, 302, 302),
}

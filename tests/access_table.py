"""What each visitor gets (status of a GET, or of an empty POST for actions) on every named URL
of the app.

Rows are (url name, whose object): "none" for a URL without an object, "own" for the visitor's
own object (their profile; a social worker's own referred refugee; for staff any candidate),
"other" for someone else's (a refugee referred by another social worker); for a link that
carries a signed token (an invitation), the token names that object and whoever holds the link
may open it. Columns follow ROLES.
302 is a redirect (to log in, to verify the email, or to the next page), 404 hides that an
object exists, 405 is an action that only takes POST.
"""

OUR_MODULES = ("duos.", "accounts.", "matching.")
ROLES = ("anonymous", "unverified", "sponsor", "refugee", "social_worker", "staff")
# Values for the URL arguments other than pk.
URL_KWARGS = {
    "accounts:profile_step": {"step": "identity"},
    "accounts:referral_step": {"step": "identity"},
    "accounts:state_action": {"action": "pause"},
    "accounts:referral_state_action": {"action": "pause"},
}

# What the pk or token of a URL names, when it is not a person: the team's objects ("own" and
# "other" are then the same object), or a signed link ("other" is then a tampered link).
OBJECTS = {
    "accounts:handover": "invitation",
    "duos:answer": "answer",
    "duos:checkin": "checkin",
    "duos:report_new": "duo",
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
    "duos:report_suspend",
    "duos:report_unsuspend",
}

TABLE: dict[tuple[str, str], tuple[int, ...]] = {
    # ROLES: anonymous, unverified, sponsor, refugee, social_worker, staff
    ("account_signup", "none"): (200, 302, 302, 302, 302, 302),
    ("accounts:choose_role", "none"): (302, 302, 302, 302, 302, 400),
    ("accounts:dashboard", "none"): (302, 302, 200, 200, 302, 302),
    ("accounts:handover", "own"): (200, 400, 400, 400, 200, 200),
    ("accounts:handover", "other"): (200, 200, 200, 200, 200, 200),
    ("accounts:privacy", "none"): (302, 302, 200, 200, 200, 200),
    ("accounts:privacy_delete", "none"): (302, 302, 200, 200, 404, 404),
    ("accounts:privacy_delete_referred", "own"): (302, 302, 404, 404, 200, 404),
    ("accounts:privacy_delete_referred", "other"): (302, 302, 404, 404, 404, 404),
    ("accounts:privacy_export", "none"): (302, 302, 200, 200, 200, 200),
    ("accounts:privacy_export_referred", "own"): (302, 302, 404, 404, 200, 404),
    ("accounts:privacy_export_referred", "other"): (302, 302, 404, 404, 404, 404),
    ("accounts:profile_step", "none"): (302, 302, 200, 200, 404, 404),
    ("accounts:referral_detail", "own"): (302, 302, 404, 404, 200, 404),
    ("accounts:referral_detail", "other"): (302, 302, 404, 404, 404, 404),
    ("accounts:referral_invite", "own"): (302, 302, 404, 404, 400, 404),
    ("accounts:referral_invite", "other"): (302, 302, 404, 404, 404, 404),
    ("accounts:referral_new", "none"): (302, 302, 404, 404, 200, 404),
    ("accounts:referral_state_action", "own"): (302, 302, 404, 404, 302, 404),
    ("accounts:referral_state_action", "other"): (302, 302, 404, 404, 404, 404),
    ("accounts:referral_step", "own"): (302, 302, 404, 404, 200, 404),
    ("accounts:referral_step", "other"): (302, 302, 404, 404, 404, 404),
    ("accounts:referrals", "none"): (302, 302, 404, 404, 200, 404),
    ("accounts:staff_interview", "own"): (302, 404, 404, 404, 404, 400),
    ("accounts:staff_interview", "other"): (302, 404, 404, 404, 404, 400),
    ("accounts:staff_note", "own"): (302, 404, 404, 404, 404, 400),
    ("accounts:staff_note", "other"): (302, 404, 404, 404, 404, 400),
    ("accounts:staff_person", "own"): (302, 404, 404, 404, 404, 200),
    ("accounts:staff_person", "other"): (302, 404, 404, 404, 404, 200),
    ("accounts:staff_queue", "none"): (302, 404, 404, 404, 404, 200),
    ("accounts:staff_refuse", "own"): (302, 404, 404, 404, 404, 400),
    ("accounts:staff_refuse", "other"): (302, 404, 404, 404, 404, 400),
    ("accounts:staff_validate", "own"): (302, 404, 404, 404, 404, 302),
    ("accounts:staff_validate", "other"): (302, 404, 404, 404, 404, 302),
    ("accounts:state_action", "none"): (302, 302, 302, 302, 404, 404),
    ("duos:answer", "own"): (200, 200, 200, 200, 200, 200),
    ("duos:answer", "other"): (400, 400, 400, 400, 400, 400),
    ("duos:checkin", "own"): (200, 200, 200, 200, 200, 200),
    ("duos:checkin", "other"): (400, 400, 400, 400, 400, 400),
    ("duos:dashboard", "none"): (302, 404, 404, 404, 404, 200),
    ("duos:dashboard_checkins_csv", "none"): (302, 404, 404, 404, 404, 200),
    ("duos:dashboard_duos_csv", "none"): (302, 404, 404, 404, 404, 200),
    ("duos:my_duo", "none"): (302, 302, 200, 200, 404, 404),
    ("duos:referred_duo", "own"): (302, 302, 404, 404, 200, 404),
    ("duos:referred_duo", "other"): (302, 302, 404, 404, 404, 404),
    ("duos:report", "own"): (302, 404, 404, 404, 404, 200),
    ("duos:report", "other"): (302, 404, 404, 404, 404, 200),
    ("duos:report_link", "own"): (200, 200, 200, 200, 200, 200),
    ("duos:report_link", "other"): (400, 400, 400, 400, 400, 400),
    ("duos:report_new", "own"): (302, 302, 200, 200, 200, 404),
    ("duos:report_new", "other"): (302, 302, 404, 404, 404, 404),
    ("duos:report_sent", "none"): (200, 200, 200, 200, 200, 200),
    ("duos:report_suspend", "own"): (302, 404, 404, 404, 404, 302),
    ("duos:report_suspend", "other"): (302, 404, 404, 404, 404, 302),
    ("duos:report_unsuspend", "own"): (302, 404, 404, 404, 404, 302),
    ("duos:report_unsuspend", "other"): (302, 404, 404, 404, 404, 302),
    ("duos:report_update", "own"): (302, 404, 404, 404, 404, 400),
    ("duos:report_update", "other"): (302, 404, 404, 404, 404, 400),
    ("duos:reports", "none"): (302, 404, 404, 404, 404, 200),
    ("duos:waiting", "none"): (302, 404, 404, 404, 404, 200),
    ("healthz", "none"): (200, 200, 200, 200, 200, 200),
    ("home", "none"): (200, 200, 200, 200, 200, 200),
    ("matching:approve", "own"): (302, 404, 404, 404, 404, 409),
    ("matching:approve_many", "own"): (302, 404, 404, 404, 404, 400),
    ("matching:manual_pair", "own"): (302, 404, 404, 404, 404, 200),
    ("matching:reject", "own"): (302, 404, 404, 404, 404, 400),
    ("matching:review", "own"): (302, 404, 404, 404, 404, 200),
    ("matching:run", "own"): (302, 404, 404, 404, 404, 200),
    ("matching:run_progress", "own"): (302, 404, 404, 404, 404, 200),
    ("matching:runs", "none"): (302, 404, 404, 404, 404, 200),
    ("matching:swap", "own"): (302, 404, 404, 404, 404, 400),
}

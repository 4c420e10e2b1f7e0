from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last time a background process proved it was alive, shown by /healthz.

    `beat` is written by a task that beat schedules and a worker runs; `web` by a task that the
    web process sends and a worker runs. Both prove the whole chain, not one process alone.
    """

    source = models.CharField(_("source"), max_length=20, unique=True)
    sent_at = models.DateTimeField(_("sent at"))
    executed_at = models.DateTimeField(_("executed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return self.source


class DuoState(models.TextChoices):
    WAITING = "waiting", _("Waiting for both answers")
    ACTIVE = "active", _("Active")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired without an answer")
    ENDED = "ended", _("Ended early")
    COMPLETED = "completed", _("Completed")


OPEN_DUO_STATES = [DuoState.WAITING, DuoState.ACTIVE]


class Answer(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Duo(models.Model):
    """A sponsor and a refugee: proposed to both, then active for six months.

    A person is in at most one duo that is waiting or active: two partial unique constraints
    enforce it, so two staff members approving at once cannot pair someone twice.
    """

    sponsor = models.ForeignKey(
        "accounts.Person", on_delete=models.PROTECT, related_name="duos_as_sponsor"
    )
    refugee = models.ForeignKey(
        "accounts.Person", on_delete=models.PROTECT, related_name="duos_as_refugee"
    )
    proposal = models.OneToOneField(
        "matching.Proposal", on_delete=models.SET_NULL, null=True, blank=True, related_name="duo"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=DuoState.choices, default=DuoState.WAITING
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("answers expected by"))
    sponsor_answer = models.CharField(
        _("sponsor's answer"), max_length=10, choices=Answer.choices, blank=True
    )
    sponsor_answered_at = models.DateTimeField(null=True, blank=True)
    refugee_answer = models.CharField(
        _("refugee's answer"), max_length=10, choices=Answer.choices, blank=True
    )
    refugee_answered_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(_("started on"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended on"), null=True, blank=True)
    # Days the calendar is pushed back by: the days of every finished pause (duos/calendar.py).
    shift_days = models.PositiveSmallIntegerField(_("days shifted"), default=0)
    # Months added by staff (0 to 3): the duo lasts 6 + extra_months months.
    extra_months = models.PositiveSmallIntegerField(_("months added"), default=0)
    # Paused by staff (e.g. summer) since then: no reminder; on resume the days are shifted.
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    # Suspended by staff while they act on a report: no reminder, contact details hidden.
    suspended_at = models.DateTimeField(_("suspended since"), null=True, blank=True)
    ended_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    end_reason = models.TextField(_("why it ended early"), blank=True)

    class Meta:
        verbose_name = _("duo")
        verbose_name_plural = _("duos")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["sponsor"],
                condition=models.Q(state__in=OPEN_DUO_STATES),
                name="one_open_duo_per_sponsor",
            ),
            models.UniqueConstraint(
                fields=["refugee"],
                condition=models.Q(state__in=OPEN_DUO_STATES),
                name="one_open_duo_per_refugee",
            ),
        ]
        indexes = [
            # The expiry sweep and the "no answer after 7 days" list.
            models.Index(fields=["state", "expires_at"], name="duo_waiting_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sponsor} + {self.refugee}"


class Side(models.TextChoices):
    SPONSOR = "sponsor", _("Sponsor")
    REFUGEE = "refugee", _("Refugee")


class ReminderKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly reminder")
    # Sent instead of a reminder after the duo's last month, with the survey; month = last + 1.
    CLOSING = "closing", _("Closing email")


class Reminder(models.Model):
    """One month's reminder to one side of a duo: created when due, claimed, sent once.

    The sweep (`duos.reminders.duos_send_reminders`) creates the rows of due months (the unique
    constraint makes a second sweep a no-op), claims a batch with a conditional update, sends,
    then stamps `sent_at`. A claim older than a few minutes belongs to a dead worker and is taken
    over; a failed send is released with `next_attempt_at` set further and further away.
    """

    duo = models.ForeignKey(Duo, on_delete=models.CASCADE, related_name="reminders")
    month = models.PositiveSmallIntegerField(_("month"))
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    kind = models.CharField(
        _("kind"), max_length=10, choices=ReminderKind.choices, default=ReminderKind.MONTHLY
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Not sent, on purpose: the duo is no longer active, nobody can receive it, or the month
    # closed before the mail server came back.
    skipped_at = models.DateTimeField(_("skipped at"), null=True, blank=True)
    skip_reason = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["duo", "month", "side"], name="one_reminder_per_duo_month_side"
            ),
            # Up to 9 months (6 + 3 added); the closing email is the month after the last.
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=10), name="reminder_month_1_to_10"
            ),
        ]
        indexes = [
            # The sweep's claim: rows not yet sent nor skipped, oldest first.
            models.Index(
                fields=["id"],
                condition=models.Q(sent_at=None, skipped_at=None),
                name="reminder_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.duo_id} month {self.month} {self.side}"

    @property
    def message_id(self) -> str:
        """Fixed per row: a resent reminder is recognisably the same message."""
        return f"<reminder-{self.pk}@duos-de-demain>"


class Activity(models.TextChoices):
    COFFEE = "coffee", _("A coffee or a meal")
    WALK = "walk", _("A walk")
    CULTURE = "culture", _("A cultural outing")
    GROUP = "group", _("A group activity")
    OTHER = "other", _("Something else")


class CheckIn(models.Model):
    """One side's answer for one month of a duo: did they meet, what they did, how it goes."""

    duo = models.ForeignKey(Duo, on_delete=models.CASCADE, related_name="checkins")
    month = models.PositiveSmallIntegerField(_("month"))
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    met = models.BooleanField(_("met this month"))
    activity = models.CharField(
        _("what they did"), max_length=10, choices=Activity.choices, blank=True
    )
    # Asked in month 3 only: "how is it going?", 1 (badly) to 5 (very well).
    mood = models.PositiveSmallIntegerField(_("how it is going"), null=True, blank=True)
    # The staff member who recorded it (attendance at a group activity), else the person's link.
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"))
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.UniqueConstraint(
                fields=["duo", "month", "side"], name="one_checkin_per_duo_month_side"
            ),
            models.CheckConstraint(
                condition=models.Q(mood__isnull=True) | models.Q(mood__gte=1, mood__lte=5),
                name="checkin_mood_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.duo_id} month {self.month} {self.side}: {'met' if self.met else 'not yet'}"


class DuoNote(models.Model):
    """A staff note on a duo's follow-up (a call, what was agreed); never shown to the duo."""

    duo = models.ForeignKey(Duo, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("note on a duo")
        verbose_name_plural = _("notes on duos")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.duo_id}: {self.text[:40]}"


class KeepInTouch(models.TextChoices):
    YES = "yes", _("Yes")
    MAYBE = "maybe", _("Maybe")
    NO = "no", _("No")


class SurveyAnswer(models.Model):
    """One side's answer to the closing survey of a duo."""

    duo = models.ForeignKey(Duo, on_delete=models.CASCADE, related_name="survey_answers")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    # The person of that side (personal-data rights find their rows by it).
    person = models.ForeignKey(
        "accounts.Person", on_delete=models.CASCADE, related_name="survey_answers"
    )
    rating = models.PositiveSmallIntegerField(_("how it went (1 to 5)"))
    keep_in_touch = models.CharField(
        _("will keep in touch"), max_length=5, choices=KeepInTouch.choices
    )
    suggestion = models.TextField(_("what the programme should change"), blank=True)
    answered_at = models.DateTimeField(_("answered at"))

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["duo", "side"], name="one_survey_answer_per_side"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="survey_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.duo_id} {self.side}: {self.rating}/5"


class ReportCategory(models.TextChoices):
    NO_NEWS = "no_news", _("My partner no longer answers")
    BEHAVIOUR = "behaviour", _("Behaviour that made me uncomfortable")
    SAFETY = "safety", _("I do not feel safe")
    PRACTICAL = "practical", _("A practical difficulty")
    OTHER = "other", _("Something else")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


class Report(models.Model):
    """A confidential report by one side of a duo: seen by staff only, never by the other."""

    duo = models.ForeignKey(Duo, on_delete=models.PROTECT, related_name="reports")
    side = models.CharField(_("reported by"), max_length=10, choices=Side.choices)
    # The person of that side (personal-data rights find their rows by it).
    reporter = models.ForeignKey(
        "accounts.Person", on_delete=models.CASCADE, related_name="reports"
    )
    # Who sent it: the person, or the social worker of a referred refugee.
    sent_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    category = models.CharField(_("category"), max_length=12, choices=ReportCategory.choices)
    text = models.TextField(_("what happened"))
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "duo"], name="report_status_idx")]

    def __str__(self) -> str:
        return f"{self.duo_id} {self.category} ({self.status})"


class ReportLogEntry(models.Model):
    """What staff did about a report: a status change or a note."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="log")
    author = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=ReportStatus.choices)
    text = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report log entry")
        verbose_name_plural = _("report log entries")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.status}"


class GroupActivity(models.Model):
    """A group activity run by the programme team, open to every person in an active duo."""

    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=300)
    capacity = models.PositiveSmallIntegerField(_("places"))
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("group activity")
        verbose_name_plural = _("group activities")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["starts_at"], name="activity_starts_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after"
            ),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="activity_capacity"),
        ]

    def __str__(self) -> str:
        return self.title


class RegistrationState(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(models.Model):
    """A person's place at a group activity, or on its waiting list (first come, first served)."""

    activity = models.ForeignKey(
        GroupActivity, on_delete=models.CASCADE, related_name="registrations"
    )
    person = models.ForeignKey(
        "accounts.Person", on_delete=models.CASCADE, related_name="registrations"
    )
    state = models.CharField(_("state"), max_length=10, choices=RegistrationState.choices)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)
    # Recorded by staff after the activity: None until then.
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    # The reminder the day before, claimed and sent once like the monthly ones.
    reminder_claimed_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "person"], name="one_registration_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} at {self.activity_id}: {self.state}"

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
    # Days the six months are pushed back by (pauses, extensions): see duos/calendar.py.
    shift_days = models.PositiveSmallIntegerField(_("days shifted"), default=0)

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
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=6), name="reminder_month_1_to_6"
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

"""What follows a duo month by month: reminders, check-ins, notes, the closing survey."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from duos.models.duo import Duo, Side


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

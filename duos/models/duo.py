"""TODO docstring"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DuoState(models.TextChoices):
    WAITING = "waiting", _("Waiting for both answers")
    ACTIVE = "active", _("Active")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired without an answer")
    ENDED = "ended", _("Ended early")
    COMPLETED = "completed", _("Completed")


OPEN_DUO_STATES = [DuoState.WAITING, DuoState.ACTIVE]


# Both people have this long to answer an introduction; the links are valid as long.
ANSWER_DAYS = 14


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
    # Days the calendar is pushed back by: the days of every finished pause
    # (duos/lifecycle/schedule.py).
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


SIDES = tuple(Side.values)

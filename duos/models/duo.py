"""The duo and its states: every transition is a method here, a conditional update.

WAITING (proposed, both answers expected by `expires_at`) goes to ACTIVE when the second yes
comes, DECLINED at the first no, EXPIRED when nobody answered in time (the sweep). ACTIVE goes
to COMPLETED after its last month (the reminder sweep) or ENDED when the team ends it early; a
running duo may be paused and resumed, extended, suspended while staff act on a report.

Each method is one UPDATE that names the state it starts from and checks the row count: when
another request changed the duo first, nothing is changed and LifecycleError says why, with a
code and a translated message. The methods change the duo row only: what crosses models (the
people's states, the Exclusion rows, emails) is the services' (duos/lifecycle/, duos/reports/).
The calendar (how long a pause lasts, how many months may be added) is
duos/lifecycle/schedule.py's: its callers pass the figures in.
"""

from datetime import datetime

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


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


# What "running" means: active and neither paused nor suspended. Its reminders go; the one
# definition both `DuoQuerySet.running()` and `Duo.is_running` read.
_RUNNING = {"state": DuoState.ACTIVE, "paused_at": None, "suspended_at": None}


# Why a transition is refused, by code: the messages the team's and the people's pages show.
REFUSALS = {
    "not_started": _("This duo has not started: nothing was changed."),
    "ended": _("This duo has already ended: nothing was changed."),
    "completed": _("This duo is completed: nothing was changed."),
    "already_paused": _("This duo is already paused."),
    "not_paused": _("This duo is not paused."),
    "extension_months": _("A duo can be extended by one, two or three months."),
    "extension_used": _("This duo was already extended by three months: that is the most."),
    "answers_closed": _("The time to answer this proposal is over. Your answer was not recorded."),
    "not_suspendable": _("Nothing was changed: the duo is already suspended, or no longer open."),
    "not_suspended": _("Nothing was changed: the duo was not suspended."),
    "no_reason": _("Please say why the duo ends: the team keeps it on file."),
    "no_side": _("Please say who asked to end the duo."),
}


class LifecycleError(Exception):
    """A duo's transition refused; `code` names the rule, `message` (translated) says why."""

    def __init__(self, code: str, message: str | None = None) -> None:
        self.code = code
        self.message = str(REFUSALS[code]) if message is None else message
        super().__init__(self.message)


class DuoQuerySet(models.QuerySet):
    def open(self) -> "DuoQuerySet":
        """Waiting for answers or active: a person is in at most one such duo."""
        return self.filter(state__in=OPEN_DUO_STATES)

    def running(self) -> "DuoQuerySet":
        """Active and neither paused nor suspended: the only duos whose reminders are due."""
        return self.filter(**_RUNNING)

    def held(self) -> "DuoQuerySet":
        """Active but paused or suspended: their reminders wait until they run again."""
        return self.filter(state=DuoState.ACTIVE).exclude(**_RUNNING)

    def unanswered(self, *, now: datetime) -> "DuoQuerySet":
        """Waiting duos past their deadline: the expiry sweep's."""
        return self.filter(state=DuoState.WAITING, expires_at__lte=now)

    def expire(self, *, now: datetime) -> int:
        """WAITING -> EXPIRED for those past their deadline; how many expired."""
        return self.unanswered(now=now).update(state=DuoState.EXPIRED)

    def complete(self, *, now: datetime) -> int:
        """ACTIVE -> COMPLETED for those running (a paused or suspended duo waits); how many."""
        return self.running().update(state=DuoState.COMPLETED, ended_at=now)


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

    objects = DuoQuerySet.as_manager()

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

    @property
    def is_running(self) -> bool:
        """As `Duo.objects.running()` reads it, for a duo already in hand."""
        return all(getattr(self, name) == value for name, value in _RUNNING.items())

    @property
    def is_held(self) -> bool:
        """As `Duo.objects.held()` reads it: active, but paused or suspended."""
        return self.state == DuoState.ACTIVE and not self.is_running

    def answer(self, side: str, answer: str, *, now: datetime) -> None:
        """Record one side's answer while the duo waits (until `expires_at`): a no declines it
        (WAITING -> DECLINED), the second yes starts it (WAITING -> ACTIVE).

        The caller holds the row's lock (duos/lifecycle/services.py `duo_answer`): two answers
        arriving at once must not both miss "both accepted".
        """
        if side not in SIDES or answer not in Answer.values:
            raise ValueError(f"{side=} {answer=}")
        other = Side.REFUGEE if side == Side.SPONSOR else Side.SPONSOR
        others = getattr(self, f"{other}_answer")
        fields = {f"{side}_answer": answer, f"{side}_answered_at": now}
        if answer == Answer.DECLINED:
            fields["state"] = DuoState.DECLINED
        elif others == Answer.ACCEPTED:
            fields |= {"state": DuoState.ACTIVE, "started_at": now}
        # On the other side's answer as read: the lock keeps it so until the commit.
        waiting = Q(state=DuoState.WAITING, expires_at__gt=now, **{f"{other}_answer": others})
        self._move(waiting, "answers_closed", any_state=True, **fields)

    def pause(self, *, now: datetime) -> None:
        """Stop a running duo's clock (e.g. for the summer): no reminder until it resumes."""
        self._move(Q(state=DuoState.ACTIVE, paused_at=None), "already_paused", paused_at=now)

    def resume(self, *, days: int) -> None:
        """End the pause read on this instance: the calendar shifts by `days` (the pause's
        length, schedule.pause_days). Conditional on that pause, so it is counted once."""
        if self.paused_at is None:
            raise LifecycleError(self._state_refusal("not_paused"))
        self._move(
            Q(state=DuoState.ACTIVE, paused_at=self.paused_at),
            "not_paused",
            shift_days=F("shift_days") + days,
            paused_at=None,
        )

    def extend(self, months: int, *, most: int) -> None:
        """Add one to three months to an active duo, never past `most` added in all
        (schedule.MAX_EXTRA_MONTHS)."""
        if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 3:
            raise LifecycleError("extension_months")
        room = Q(state=DuoState.ACTIVE, extra_months__lte=most - months)
        try:
            self._move(room, "extension_used", extra_months=F("extra_months") + months)
        except LifecycleError as error:
            room = most - self.extra_months
            if error.code != "extension_used" or room <= 0:
                raise
            raise LifecycleError(
                "extension_room",
                ngettext(
                    "This duo can be extended by %(room)d more month only.",
                    "This duo can be extended by %(room)d more months only.",
                    room,
                )
                % {"room": room},
            ) from None

    def end_early(self, *, by, reason: str, now: datetime) -> None:
        """ACTIVE -> ENDED, with the reason the team keeps on file."""
        fields = {"state": DuoState.ENDED, "ended_at": now, "end_reason": reason, "ended_by": by}
        self._move(Q(state=DuoState.ACTIVE), "not_started", **fields)

    def suspend(self, *, now: datetime) -> None:
        """Suspend a waiting or active duo while staff act on a report: no reminder, contact
        details hidden."""
        open_ = Q(state__in=OPEN_DUO_STATES, suspended_at=None)
        self._move(open_, "not_suspendable", any_state=True, suspended_at=now)

    def unsuspend(self) -> None:
        """Lift a suspension."""
        suspended = Q(suspended_at__isnull=False)
        self._move(suspended, "not_suspended", any_state=True, suspended_at=None)

    def _move(self, allowed: Q, code: str, *, any_state: bool = False, **fields) -> None:
        """One conditional UPDATE of this row; LifecycleError (nothing changed) unless it
        matched. `code` says why when the state allowed it but the rest did not."""
        if not type(self).objects.filter(allowed, pk=self.pk).update(**fields):
            self.refresh_from_db()
            raise LifecycleError(code if any_state else self._state_refusal(code))
        if any(isinstance(value, F) for value in fields.values()):
            self.refresh_from_db(fields=list(fields))
        else:
            for name, value in fields.items():
                setattr(self, name, value)

    def _state_refusal(self, code: str) -> str:
        """Why an action of a running duo was refused: its state, else `code`."""
        if self.state == DuoState.ACTIVE:
            return code
        if self.state == DuoState.ENDED:
            return "ended"
        if self.state == DuoState.COMPLETED:
            return "completed"
        return "not_started"


class Side(models.TextChoices):
    SPONSOR = "sponsor", _("Sponsor")
    REFUGEE = "refugee", _("Refugee")


SIDES = tuple(Side.values)

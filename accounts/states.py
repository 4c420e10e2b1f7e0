"""A candidate's states: the choices, the changes they may make themselves, the refusals, and
the bulk transitions a duo's services use. The one-person transitions are `Person`'s methods
(accounts/models.py); both are conditional updates from the states that allow them.
"""

from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class CandidateState(models.TextChoices):
    """Where an application stands: the one set of states every part of the app uses."""

    TO_COMPLETE = "to_complete", _("Profile to complete")
    AWAITING_VALIDATION = "awaiting_validation", _("Waiting for validation")
    VALIDATED = "validated", _("Validated, waiting for a duo")
    PAUSED = "paused", _("Paused")
    IN_DUO = "in_duo", _("In a duo")
    DUO_ENDED = "duo_ended", _("Duo ended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Which state changes a candidate (or their social worker) may make, from which states.
CANDIDATE_ACTIONS = {
    "pause": {CandidateState.AWAITING_VALIDATION, CandidateState.VALIDATED},
    "resume": {CandidateState.PAUSED},
    "withdraw": {
        CandidateState.TO_COMPLETE,
        CandidateState.AWAITING_VALIDATION,
        CandidateState.VALIDATED,
        CandidateState.PAUSED,
        CandidateState.DUO_ENDED,
    },
    # Undoing one's own withdrawal, for UNDO_WITHDRAWAL_DAYS (Person.can_restore says when).
    "restore": {CandidateState.WITHDRAWN},
}
# How long a withdrawal can be undone by the candidate or their social worker.
UNDO_WITHDRAWAL_DAYS = 14
# The actions that change what the team sees: asked for twice (a checkbox to tick).
CONFIRMED_ACTIONS = {"pause", "withdraw"}


# Why a candidate's transition is refused, by code; %(state)s is where they stand now.
STATE_REFUSALS = {
    "not_now": _("This is not possible at this stage of the application."),
    "not_awaiting": _(
        "Nothing was changed: this person is no longer waiting for validation (%(state)s)."
    ),
}


class CandidateStateError(Exception):
    """A candidate's transition refused (nothing changed); `code` names the rule, `message`
    (translated) says why, `state` is the state found."""

    def __init__(self, code: str, *, state: str) -> None:
        self.code = code
        self.state = state
        self.message = str(STATE_REFUSALS[code]) % {"state": CandidateState(state).label}
        super().__init__(self.message)


class PersonQuerySet(models.QuerySet):
    def eligible(self) -> "PersonQuerySet":
        """Who may be proposed a duo: the one rule of the match pool, of a duo's proposal and
        of the dashboard's "waiting" figures.

        Validated (so neither paused, withdrawn, in a duo nor after one), not anonymised, and
        with a known home (the engine measures distances from it; the profile cannot be
        completed without one). "In no open duo" needs no query of its own: the transitions
        keep it true (IN_DUO is set in the transaction that proposes the duo, VALIDATED again
        in the one that closes it), and the database's partial unique constraints refuse a
        second open duo whatever a row says.
        """
        return self.filter(
            state=CandidateState.VALIDATED,
            anonymised_at=None,
            latitude__isnull=False,
            longitude__isnull=False,
        )

    def enter_duo(self, *, now: datetime) -> int:
        """VALIDATED -> IN_DUO for those still eligible (a duo is proposed); how many moved."""
        return self.eligible().update(state=CandidateState.IN_DUO, state_changed_at=now)

    def back_to_pool(self, *, now: datetime) -> int:
        """IN_DUO -> VALIDATED (their duo closed); who withdrew meanwhile stays so."""
        return self.filter(state=CandidateState.IN_DUO).update(
            state=CandidateState.VALIDATED, state_changed_at=now
        )

    def duo_ended(self, *, now: datetime) -> int:
        """IN_DUO -> DUO_ENDED (their duo completed or ended): the team decides what follows."""
        return self.filter(state=CandidateState.IN_DUO).update(
            state=CandidateState.DUO_ENDED, state_changed_at=now
        )

"""The duos app's models, one module per domain, all imported here for Django and the code."""

from duos.models.activities import GroupActivity, Registration, RegistrationState
from duos.models.duo import (
    ANSWER_DAYS,
    OPEN_DUO_STATES,
    SIDES,
    Answer,
    Duo,
    DuoState,
    LifecycleError,
    Side,
)
from duos.models.followup import (
    Activity,
    CheckIn,
    DuoNote,
    KeepInTouch,
    Reminder,
    ReminderKind,
    SurveyAnswer,
)
from duos.models.ops import Heartbeat
from duos.models.proposing import DuoConflict, duo_propose
from duos.models.reports import (
    Report,
    ReportAlert,
    ReportCategory,
    ReportLogEntry,
    ReportStatus,
)

__all__ = [
    "ANSWER_DAYS",
    "SIDES",
    "OPEN_DUO_STATES",
    "Activity",
    "Answer",
    "CheckIn",
    "Duo",
    "DuoConflict",
    "DuoNote",
    "DuoState",
    "GroupActivity",
    "Heartbeat",
    "KeepInTouch",
    "LifecycleError",
    "Registration",
    "RegistrationState",
    "Reminder",
    "ReminderKind",
    "Report",
    "ReportAlert",
    "ReportCategory",
    "ReportLogEntry",
    "ReportStatus",
    "Side",
    "SurveyAnswer",
    "duo_propose",
]

"""The dashboard's CSV exports: duos and check-ins, without personal details."""

from collections.abc import Iterator

from duos.lib.csv import CSV_CHUNK
from duos.models import (
    CheckIn,
    Duo,
)

DUO_COLUMNS = [
    ("duo_id", "pk"),
    ("state", "state"),
    ("sponsor_departement", "sponsor__departement"),
    ("refugee_departement", "refugee__departement"),
    ("refugee_referred", "refugee__user_id"),
    ("proposed_on", "created_at"),
    ("sponsor_answer", "sponsor_answer"),
    ("refugee_answer", "refugee_answer"),
    ("started_on", "started_at"),
    ("ended_on", "ended_at"),
    ("extra_months", "extra_months"),
    ("shift_days", "shift_days"),
    ("paused_since", "paused_at"),
    ("suspended_since", "suspended_at"),
]


CHECKIN_COLUMNS = [
    ("checkin_id", "pk"),
    ("duo_id", "duo_id"),
    ("month", "month"),
    ("side", "side"),
    ("met", "met"),
    ("activity", "activity"),
    ("mood", "mood"),
    ("recorded_by_team", "recorded_by_id"),
    ("answered_on", "answered_at"),
    ("changed_on", "changed_at"),
]


def duo_rows() -> Iterator[list]:
    fields = [field for _name, field in DUO_COLUMNS]
    referred = fields.index("refugee__user_id")
    for values in Duo.objects.order_by("pk").values_list(*fields).iterator(chunk_size=CSV_CHUNK):
        row = list(values)
        # Whether the refugee was referred by a social worker, not who they are.
        row[referred] = row[referred] is None
        yield row


def checkin_rows() -> Iterator[list]:
    fields = [field for _name, field in CHECKIN_COLUMNS]
    recorded = fields.index("recorded_by_id")
    for values in (
        CheckIn.objects.order_by("pk").values_list(*fields).iterator(chunk_size=CSV_CHUNK)
    ):
        row = list(values)
        # Whether the team recorded it (attendance at an activity), not which member.
        row[recorded] = row[recorded] is not None
        yield row

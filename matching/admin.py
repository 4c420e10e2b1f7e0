from django.contrib import admin
from django.http import HttpRequest

from duos.lib.admin import RecordAdmin
from matching.models import Exclusion, MatchRun, Proposal


@admin.register(MatchRun)
class MatchRunAdmin(RecordAdmin):
    """Runs are written by the engine's task only: shown, never edited here."""

    list_display = [
        "pk",
        "created_at",
        "created_by",
        "state",
        "departement",
        "pool_sponsors",
        "pool_refugees",
        "pairs",
        "duration_ms",
    ]
    list_filter = ["state", "departement"]
    date_hierarchy = "created_at"
    list_select_related = ["created_by"]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [field.name for field in self.model._meta.fields]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["pk", "run", "sponsor", "refugee", "score", "state", "manual", "reviewed_at"]
    list_filter = ["state", "manual"]
    list_select_related = ["run", "sponsor", "refugee"]
    raw_id_fields = ["run", "sponsor", "refugee", "reviewed_by"]
    readonly_fields = ["score", "distance_km", "breakdown", "reasons"]
    search_fields = ["sponsor__first_name", "refugee__first_name"]


@admin.register(Exclusion)
class ExclusionAdmin(admin.ModelAdmin):
    list_display = ["sponsor", "refugee", "reason", "created_by", "created_at"]
    list_filter = ["reason"]
    list_select_related = ["sponsor", "refugee", "created_by"]
    raw_id_fields = ["sponsor", "refugee", "created_by"]
    search_fields = ["sponsor__first_name", "refugee__first_name", "note"]

"""Who may open the match runs and their proposals: the team members who may run matching.

Anyone else gets a 404 (no hint that a run exists); the views' login decorator sends
anonymous visitors to log in first.
"""

from django.shortcuts import get_object_or_404

from accounts.access import require_staff
from matching.models import MatchRun, Proposal

RUN_MATCHING = "matching.run_matching"


def require_matching_staff(user) -> None:
    """For the pages without an object (the list of runs)."""
    require_staff(user, RUN_MATCHING)


def get_run_for_staff(user, pk: int, *fields: str) -> MatchRun:
    """The run; only `fields` of it when given (the progress a page polls)."""
    require_staff(user, RUN_MATCHING)
    if fields:
        runs = MatchRun.objects.only(*fields)
    else:
        runs = MatchRun.objects.select_related("created_by")
    return get_object_or_404(runs, pk=pk)


def get_proposal_for_staff(user, pk: int) -> Proposal:
    require_staff(user, RUN_MATCHING)
    return get_object_or_404(Proposal.objects.select_related("run", "sponsor", "refugee"), pk=pk)

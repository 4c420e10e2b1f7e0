from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Person


class RunState(models.TextChoices):
    PENDING = "pending", _("Waiting for a worker")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class MatchRun(models.Model):
    """One run of the engine over a pool; its state and progress live here (no result backend).

    `active` is True while the run is pending or running, NULL after: the unique constraint on it
    lets one run at a time hold the pool, whatever the race between two staff members.
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The last sign of life of the task: a run silent for too long is marked failed by a sweep.
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    # The claim: each task that starts (or takes over) the run adds one, and writes only while
    # the row still holds its number. More than 1: a worker stopped and another restarted it.
    attempt = models.PositiveSmallIntegerField(default=0, editable=False)
    state = models.CharField(
        _("state"), max_length=10, choices=RunState.choices, default=RunState.PENDING
    )
    active = models.BooleanField(null=True, default=True, unique=True, editable=False)
    progress = models.FloatField(_("progress"), default=0.0)
    stage = models.CharField(_("stage"), max_length=40, blank=True)
    error = models.TextField(_("error"), blank=True)

    departement = models.CharField(_("département"), max_length=3, blank=True)
    weights = models.JSONField(_("weights"), default=dict)
    pool_sponsors = models.PositiveIntegerField(_("sponsors in the pool"), default=0)
    pool_refugees = models.PositiveIntegerField(_("refugees in the pool"), default=0)
    pairs = models.PositiveIntegerField(_("pairs proposed"), default=0)
    total_score = models.PositiveIntegerField(_("total score"), default=0)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    certificate = models.JSONField(_("certificate"), default=dict, blank=True)
    # [{"person_id": id, "side": "sponsor"|"refugee", "reason": code, "values": {...}}]
    unmatched = models.JSONField(_("unmatched people"), default=list, blank=True)
    # {"sponsor:12": [[refugee id, score], ...], "refugee:7": [...]}: the swap menu.
    alternatives = models.JSONField(_("alternative partners"), default=dict, blank=True)
    # {"sponsor:12": [[refugee id, her sponsor at the end of the run, who he would go with
    # instead (null: nobody), points lost in all], ...]}: the alternatives already paired.
    swaps = models.JSONField(_("swaps"), default=dict, blank=True)

    class Meta:
        verbose_name = _("match run")
        verbose_name_plural = _("match runs")
        ordering = ["-created_at"]
        permissions = [("run_matching", _("Can run the matching and review proposals"))]

    def __str__(self) -> str:
        return f"#{self.pk} {self.created_at:%Y-%m-%d %H:%M}"

    def score_sentence(self) -> str:
        """What the engine proved about the total score (optimal, or at most some per cent
        below a proved bound), in the current language; "" for older runs."""
        from django.utils import translation

        from matching.engine import explain

        return explain.score_sentence(self.certificate or {}, self.total_score, translation)


class ProposalState(models.TextChoices):
    PROPOSED = "proposed", _("To review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Replaced by a swap")


class Proposal(models.Model):
    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="proposals")
    sponsor = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    refugee = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    distance_km = models.FloatField(_("distance (km)"))
    breakdown = models.JSONField(_("score by criterion"), default=dict)
    reasons = models.JSONField(_("reasons"), default=list)  # [[code, {values}], ...]
    state = models.CharField(
        _("state"), max_length=12, choices=ProposalState.choices, default=ProposalState.PROPOSED
    )
    manual = models.BooleanField(_("formed by hand"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-score", "pk"]  # best first
        indexes = [models.Index(fields=["run", "state"], name="proposal_review_idx")]

    def __str__(self) -> str:
        return f"{self.sponsor} + {self.refugee} ({self.score})"


class ExclusionReason(models.TextChoices):
    REJECTED = "rejected", _("Refused by the team")
    DECLINED = "declined", _("Declined by one of them")
    FORMER_DUO = "former_duo", _("Already were a duo")


class Exclusion(models.Model):
    """A pair the engine must never propose again."""

    sponsor = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    refugee = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=12, choices=ExclusionReason.choices)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("exclusion")
        verbose_name_plural = _("exclusions")
        constraints = [
            models.UniqueConstraint(fields=["sponsor", "refugee"], name="exclusion_once")
        ]

    def __str__(self) -> str:
        return f"{self.sponsor} ✕ {self.refugee}"

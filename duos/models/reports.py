"""Confidential reports and their log."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from duos.models.duo import Duo, Side


class ReportCategory(models.TextChoices):
    NO_NEWS = "no_news", _("My partner no longer answers")
    BEHAVIOUR = "behaviour", _("Behaviour that made me uncomfortable")
    SAFETY = "safety", _("I do not feel safe")
    PRACTICAL = "practical", _("A practical difficulty")
    OTHER = "other", _("Something else")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


class Report(models.Model):
    """A confidential report by one side of a duo: seen by staff only, never by the other."""

    duo = models.ForeignKey(Duo, on_delete=models.PROTECT, related_name="reports")
    side = models.CharField(_("reported by"), max_length=10, choices=Side.choices)
    # The person of that side (personal-data rights find their rows by it).
    reporter = models.ForeignKey(
        "accounts.Person", on_delete=models.CASCADE, related_name="reports"
    )
    # Who sent it: the person, or the social worker of a referred refugee.
    sent_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    category = models.CharField(_("category"), max_length=12, choices=ReportCategory.choices)
    text = models.TextField(_("what happened"))
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "duo"], name="report_status_idx")]

    def __str__(self) -> str:
        return f"{self.duo_id} {self.category} ({self.status})"


class ReportLogEntry(models.Model):
    """What staff did about a report: a status change or a note."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="log")
    author = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=ReportStatus.choices)
    text = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report log entry")
        verbose_name_plural = _("report log entries")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.status}"


class ReportAlert(models.Model):
    """When the team was last alerted of a duo's urgent reports: one alert per duo per hour.

    The row is the claim: whoever moves `sent_at` (a conditional update) sends the alert, so
    two urgent reports at the same moment never both do. `pending` says that reports came
    within the hour and one more alert, at its end, will count them.
    """

    duo = models.OneToOneField(Duo, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    pending = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.duo_id}: {self.sent_at}"

"""Group activities and registrations."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GroupActivity(models.Model):
    """A group activity run by the programme team, open to every person in an active duo."""

    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=300)
    capacity = models.PositiveSmallIntegerField(_("places"))
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # The calendar file's SEQUENCE and LAST-MODIFIED: a calendar that has the event replaces it
    # with a higher sequence only, so every change people must see (CALENDAR_FIELDS, or the
    # cancellation) adds one (`activity_save`, `activity_cancel`).
    sequence = models.PositiveIntegerField(_("version"), default=0, editable=False)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    # What a calendar shows of the event: a change to one of them is a new revision.
    CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "place")

    class Meta:
        verbose_name = _("group activity")
        verbose_name_plural = _("group activities")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["starts_at"], name="activity_starts_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after"
            ),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="activity_capacity"),
        ]

    def __str__(self) -> str:
        return self.title


class RegistrationState(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(models.Model):
    """A person's place at a group activity, or on its waiting list (first come, first served)."""

    activity = models.ForeignKey(
        GroupActivity, on_delete=models.CASCADE, related_name="registrations"
    )
    person = models.ForeignKey(
        "accounts.Person", on_delete=models.CASCADE, related_name="registrations"
    )
    state = models.CharField(_("state"), max_length=10, choices=RegistrationState.choices)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)
    # Recorded by staff after the activity: None until then.
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    # The reminder the day before, claimed and sent once like the monthly ones.
    reminder_claimed_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "person"], name="one_registration_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} at {self.activity_id}: {self.state}"

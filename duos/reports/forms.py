"""The forms of confidential reports. They only validate."""

from django import forms
from django.utils.translation import gettext_lazy as _

from duos.lib.forms import CleanTextMixin
from duos.models import (
    Report,
    ReportCategory,
    ReportStatus,
)
from duos.reports.services import ALL, TEXT_MAX_LENGTH


class ReportForm(CleanTextMixin, forms.Form):
    """The person's report: what it is about, a few words, and whether help is needed fast."""

    category = forms.ChoiceField(
        label=_("What is it about?"),
        choices=ReportCategory.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what it is about."),
            "invalid_choice": _("Choose one of the answers in the list."),
        },
    )
    text = forms.CharField(
        label=_("In a few words, what happened?"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write a few words: what happened?")},
    )
    urgent = forms.BooleanField(
        label=_("I need help quickly"),
        help_text=_("Tick this box and the team is alerted at once."),
        required=False,
    )


class ReportUpdateForm(CleanTextMixin, forms.Form):
    """Staff: a new status, a note, or both."""

    status = forms.ChoiceField(label=_("Status"), choices=ReportStatus.choices)
    text = forms.CharField(
        label=_("Note (seen by the team only)"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, report: Report, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.report = report
        self.fields["status"].initial = report.status

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("status") == self.report.status and not cleaned.get("text"):
            raise forms.ValidationError(
                _("Change the status or write a note, otherwise nothing is recorded."),
                code="nothing_to_record",
            )
        return cleaned


class ReportFilterForm(CleanTextMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(ALL, _("All reports")), *ReportStatus.choices],
        required=False,
    )

"""Forms of the programme team's pages: they validate, the views act."""

import datetime
import re

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import CandidateState, Role
from duos.lib.forms import CleanTextMixin

ALL_STATES = "all"
# Words of a search that count (each one narrows the list, so a few are enough).
SEARCH_WORDS = 5


class QueueFilterForm(CleanTextMixin, forms.Form):
    """The filters of the candidates list; every field is optional."""

    q = forms.CharField(
        label=_("Name or email"),
        required=False,
        max_length=100,
        help_text=_("A first name, a last name or part of an email, the social worker's too."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    state = forms.ChoiceField(
        label=_("State"),
        choices=[*CandidateState.choices, (ALL_STATES, _("All states"))],
        required=False,
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("All roles")), *Role.choices], required=False
    )
    departement = forms.CharField(
        label=_("Département"),
        required=False,
        max_length=3,
        validators=[
            RegexValidator(
                r"^(?:\d{2,3}|2[AB])$",
                message=_("Enter a département number, such as 75, 2A or 974."),
                code="invalid_departement",
                flags=re.IGNORECASE,
            )
        ],
    )
    waiting_days = forms.IntegerField(
        label=_("In this state for more than (days)"),
        required=False,
        min_value=0,
        max_value=3650,
    )

    def clean_state(self) -> str:
        return self.cleaned_data["state"] or CandidateState.AWAITING_VALIDATION

    def clean_departement(self) -> str:
        return self.cleaned_data["departement"].upper()

    def clean_q(self) -> list[str]:
        """The words of the search, each to be found in a name or an email."""
        return self.cleaned_data["q"].split()[:SEARCH_WORDS]


class InterviewForm(CleanTextMixin, forms.Form):
    error_messages = {
        "future": _("The interview must already have taken place: pick today or an earlier day."),
    }

    date = forms.DateField(
        label=_("Interview held on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_date(self) -> datetime.date:
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(self.error_messages["future"], code="future")
        return date


class RefusalForm(CleanTextMixin, forms.Form):
    error_messages = {
        "blank": _("Write the reason: the person receives it by email."),
    }

    reason = forms.CharField(
        label=_("Reason for refusal (sent to the person by email)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": error_messages["blank"]},
    )


class StaffNoteForm(CleanTextMixin, forms.Form):
    text = forms.CharField(
        label=_("Note (seen by the team only)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

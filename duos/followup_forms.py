"""The forms of the team's duo page: a note, an extension, an early end. They only validate."""

from django import forms
from django.utils.translation import gettext_lazy as _

from duos.forms import CleanTextMixin
from duos.models import DuoNote, Side

MAX_EXTRA_MONTHS_AT_ONCE = 3
NOTE_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 2000
PROGRAMME = ""


class DuoNoteForm(CleanTextMixin, forms.ModelForm):
    text = forms.CharField(
        label=_("New note"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the note before saving it.")},
    )

    class Meta:
        model = DuoNote
        fields = ["text"]


class ExtendForm(CleanTextMixin, forms.Form):
    months = forms.TypedChoiceField(
        label=_("Months to add"),
        choices=[(n, str(n)) for n in range(1, MAX_EXTRA_MONTHS_AT_ONCE + 1)],
        coerce=int,
        error_messages={
            "required": _("Choose how many months to add (1 to 3)."),
            "invalid_choice": _("A duo can be extended by 1 to 3 months."),
        },
    )


class EndForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why the duo ends"),
        help_text=_("Kept for the team; the people of the duo are told kindly, without it."),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the duo ends.")},
    )
    ended_by_side = forms.ChoiceField(
        label=_("Who asked to end it"),
        choices=[(PROGRAMME, _("The programme team")), *Side.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose the sponsor, the refugee or the team.")},
    )
    refugee_back_to_pool = forms.BooleanField(
        label=_("The refugee wishes to be paired again (back to the pool, with a waiting bonus)"),
        required=False,
    )

    def clean_ended_by_side(self) -> str | None:
        return self.cleaned_data["ended_by_side"] or None

"""The forms of the team's duo page: a note, an extension, an early end. They only validate."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from duos.followup import checkins
from duos.followup.survey import SurveyLink
from duos.followup.timeline import MET, NOT_YET
from duos.lib.forms import CleanTextMixin
from duos.lifecycle import schedule
from duos.models import Activity, DuoNote, KeepInTouch, Side

MOODS = [(n, str(n)) for n in range(1, 6)]


class CheckInForm(forms.Form):
    """What one press of a button adds: nothing (the answer alone), an activity or a mood."""

    activity = forms.ChoiceField(choices=Activity.choices, required=False)
    mood = forms.TypedChoiceField(choices=MOODS, coerce=int, required=False, empty_value=None)

    def __init__(self, *args, link: checkins.CheckInLink, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.link = link

    def clean_activity(self) -> str:
        activity = self.cleaned_data["activity"]
        if activity and not self.link.met:
            raise forms.ValidationError(
                _("An activity goes with a meeting."), code="activity_without_meeting"
            )
        return activity

    def clean_mood(self) -> int | None:
        mood = self.cleaned_data["mood"]
        if mood is not None and self.link.reminder.month != schedule.MIDWAY_MONTH:
            raise forms.ValidationError(
                _("This question is asked in the third month only."), code="mood_not_asked"
            )
        return mood


class MonthAnswerForm(forms.Form):
    """The participant page's answer for the open month: which month it showed, and the answer."""

    reminder = forms.IntegerField(min_value=1)
    answer = forms.ChoiceField(choices=[(MET, MET), (NOT_YET, NOT_YET)])

    @property
    def met(self) -> bool:
        return self.cleaned_data["answer"] == MET


RATINGS = [(n, str(n)) for n in range(1, 6)]


SUGGESTION_MAX_LENGTH = 3000


_RATING_ERROR = _("Please choose a number from 1 to 5.")


_KEEP_IN_TOUCH_ERROR = _("Please choose yes, maybe or no.")


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How did it go, from 1 (not well) to 5 (very well)?"),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _RATING_ERROR,
            "invalid_choice": _RATING_ERROR,
        },
    )
    keep_in_touch = forms.ChoiceField(
        label=_("Will you keep in touch?"),
        choices=KeepInTouch.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _KEEP_IN_TOUCH_ERROR,
            "invalid_choice": _KEEP_IN_TOUCH_ERROR,
        },
    )
    suggestion = forms.CharField(
        label=_("What should the programme change? (optional)"),
        required=False,
        max_length=SUGGESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, link: SurveyLink, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if link.person.user_id is None:
            # A social worker answers for the refugee they refer: the questions say whose view.
            name = link.person.first_name
            self.fields["rating"].label = gettext(
                "How did it go for %(name)s, from 1 (not well) to 5 (very well)?"
            ) % {"name": name}
            self.fields["keep_in_touch"].label = gettext("Will %(name)s keep in touch?") % {
                "name": name
            }
            self.fields["suggestion"].label = gettext(
                "What should the programme change, in %(name)s's view or yours? (optional)"
            ) % {"name": name}


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

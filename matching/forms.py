"""Forms of the match run pages: they validate, the views act."""

import re

from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Person
from duos.lib.forms import CleanTextMixin
from matching import engine
from matching.engine.explain import CRITERION_LABELS
from matching.models import MatchRun, Proposal

# Départements of mainland France and Corsica, and the five overseas ones.
KNOWN_DEPARTEMENTS = frozenset(
    [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B", "971", "972", "973", "974", "976"]
)
DEFAULT_WEIGHTS = engine.Weights()
SIDES = [("sponsor", _("sponsor")), ("refugee", _("refugee"))]


class RunForm(CleanTextMixin, forms.Form):
    """Where to match and how much each criterion counts."""

    error_messages = {
        "unknown_departement": _("There is no such département: enter one such as 75, 2A or 974."),
        "too_many_points": _(
            "The weights add up to %(total)d points: together they may give at most 100."
        ),
    }

    departement = forms.CharField(
        label=_("Département (leave empty for the whole country)"),
        required=False,
        max_length=3,
        validators=[
            RegexValidator(
                r"^(?:\d{2}|2[AB]|97\d)$",
                message=_("Enter a département number, such as 75, 2A or 974."),
                code="invalid_departement",
                flags=re.IGNORECASE,
            )
        ],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in engine.Weights.names():
            self.fields[f"weight_{name}"] = forms.IntegerField(
                # The engine's criterion names, translated from its catalog.
                label=_(CRITERION_LABELS[name]),
                min_value=0,
                max_value=100,
                initial=getattr(DEFAULT_WEIGHTS, name),
            )

    def clean_departement(self) -> str:
        departement = self.cleaned_data["departement"].upper()
        if departement and departement not in KNOWN_DEPARTEMENTS:
            raise forms.ValidationError(
                self.error_messages["unknown_departement"], code="unknown_departement"
            )
        return departement

    def clean(self) -> dict:
        cleaned = super().clean()
        values = [cleaned.get(f"weight_{name}") for name in engine.Weights.names()]
        if None not in values and sum(values) > 100:
            raise forms.ValidationError(
                self.error_messages["too_many_points"],
                code="too_many_points",
                params={"total": sum(values)},
            )
        return cleaned

    def weight_fields(self) -> list:
        return [self[f"weight_{name}"] for name in engine.Weights.names()]

    def weights(self) -> engine.Weights:
        """The engine's weights from a valid form."""
        return engine.Weights(
            **{name: self.cleaned_data[f"weight_{name}"] for name in engine.Weights.names()}
        )


class RejectForm(CleanTextMixin, forms.Form):
    error_messages = {
        "blank": _(
            "Write why: the reason stays with the team and this pair is never proposed again."
        ),  # fmt: skip
    }

    reason = forms.CharField(
        label=_("Why this pair should not be formed (seen by the team only)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": error_messages["blank"]},
    )


class ApproveManyForm(forms.Form):
    error_messages = {
        "none": _("Tick at least one proposal to approve."),
    }

    proposals = forms.ModelMultipleChoiceField(
        queryset=Proposal.objects.none(),
        error_messages={
            "required": error_messages["none"],
            "invalid_choice": _("One of the ticked proposals is not part of this run."),
            "invalid_pk_value": _("One of the ticked proposals is not part of this run."),
        },
    )

    def __init__(self, *args, run: MatchRun, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["proposals"].queryset = Proposal.objects.filter(run=run)


class SwapForm(forms.Form):
    """Another partner for one side of a proposal, among the run's alternatives."""

    error_messages = {
        "not_an_alternative": _(
            "This person is not one of the alternatives the engine found for this proposal."
        ),
    }

    side = forms.ChoiceField(label=_("Replace the"), choices=SIDES)
    partner = forms.IntegerField(label=_("With"), min_value=1)

    def __init__(self, *args, proposal: Proposal, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.proposal = proposal

    def clean(self) -> dict:
        cleaned = super().clean()
        side, partner = cleaned.get("side"), cleaned.get("partner")
        if side and partner and partner not in alternative_ids(self.proposal, side):
            raise forms.ValidationError(
                self.error_messages["not_an_alternative"], code="not_an_alternative"
            )
        return cleaned


def alternative_ids(proposal: Proposal, side: str) -> list[int]:
    """Who may replace `side` of the proposal: alternatives of the person who stays."""
    key = (
        f"refugee:{proposal.refugee_id}" if side == "sponsor" else f"sponsor:{proposal.sponsor_id}"
    )
    return [int(other) for other, _score in proposal.run.alternatives.get(key, [])]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return (
            f"{obj.first_name or '#' + str(obj.pk)} · {obj.commune} ({obj.departement}) · #{obj.pk}"
        )


class ManualPairForm(forms.Form):
    """A sponsor and a refugee of the pool, paired by hand; `confirm` after seeing warnings."""

    sponsor = PersonChoiceField(label=_("Sponsor"), queryset=Person.objects.none())
    refugee = PersonChoiceField(label=_("Refugee"), queryset=Person.objects.none())
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, sponsors: QuerySet, refugees: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sponsor"].queryset = sponsors
        self.fields["refugee"].queryset = refugees

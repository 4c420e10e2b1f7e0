"""The forms of group activities. They only validate."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.models import Person
from duos.lib.forms import CleanTextMixin
from duos.models import GroupActivity, Registration, RegistrationState

MAX_CAPACITY = 1000


class PersonForm(forms.Form):
    """Whom a register or cancel button acts for: one of the people the user acts for."""

    person = forms.TypedChoiceField(
        coerce=int,
        error_messages={
            "required": _("Choose whom to register."),
            "invalid_choice": _("You cannot register this person."),
        },
    )

    def __init__(self, *args, people: list[Person], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in people}
        self.fields["person"].choices = [(pk, str(pk)) for pk in self.people]

    def chosen(self) -> Person:
        return self.people[self.cleaned_data["person"]]


class ActivityForm(CleanTextMixin, forms.ModelForm):
    error_messages = {
        "ends_before_start": _("The activity must end after it starts."),
        "in_the_past": _("A new activity must start in the future."),
        "below_registered": ngettext_lazy(
            "%(count)s person already has a place: there cannot be fewer places.",
            "%(count)s people already have a place: there cannot be fewer places.",
            "count",
        ),
    }

    class Meta:
        model = GroupActivity
        fields = ["title", "starts_at", "ends_at", "place", "capacity", "description"]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "ends_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        capacity = self.fields["capacity"]
        capacity.validators += [MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)]
        capacity.widget.attrs.update(min=1, max=MAX_CAPACITY)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        if self.instance.pk is None and starts_at <= timezone.now():
            raise forms.ValidationError(self.error_messages["in_the_past"], code="in_the_past")
        return starts_at

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk is not None:
            taken = self.instance.registrations.filter(state=RegistrationState.REGISTERED).count()
            if capacity < taken:
                raise forms.ValidationError(
                    self.error_messages["below_registered"],
                    code="below_registered",
                    params={"count": taken},
                )
        return capacity

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error(
                "ends_at",
                forms.ValidationError(
                    self.error_messages["ends_before_start"], code="ends_before_start"
                ),
            )
        return cleaned


ATTENDANCE_CHOICES = [("", _("Not recorded")), ("yes", _("Came")), ("no", _("Did not come"))]


_ATTENDED = {"": None, "yes": True, "no": False}


class AttendanceForm(forms.Form):
    """One choice per registration (a place or the waiting list): came, did not come, unknown."""

    def __init__(self, *args, registrations: list[Registration], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.registrations = registrations
        for registration in registrations:
            initial = {None: "", True: "yes", False: "no"}[registration.attended]
            self.fields[f"r{registration.pk}"] = forms.ChoiceField(
                choices=ATTENDANCE_CHOICES,
                required=False,
                initial=initial,
                widget=forms.RadioSelect,
                label=registration.person.first_name,
            )

    def rows(self):
        for registration in self.registrations:
            yield registration, self[f"r{registration.pk}"]

    def attended(self) -> dict[int, bool | None]:
        return {r.pk: _ATTENDED[self.cleaned_data[f"r{r.pk}"]] for r in self.registrations}

"""Sign-up and the profile steps. Forms validate; views save and move on."""

from datetime import date

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import geodata
from accounts import language as email_language
from accounts.models import ConsentKind, Person, Role
from duos.lib.forms import CleanTextMixin
from matching.engine import vocabulary

ADULT_AGE = 18
OLDEST_AGE = 100
MAX_LANGUAGES = 5
# Rows of the languages step shown open; the others wait behind "More languages".
OPEN_LANGUAGE_ROWS = 3
REFUGEE_IDENTITY_FIELDS = ["protection_status", "arrival_year"]
DISTANCE_CHOICES = [(km, f"{km} km") for km in (5, 10, 15, 20, 30)]

POSTAL_CODE_ERRORS = {
    "format": _("A French postal code has five digits, for example 75011."),
    "overseas": _(
        "Overseas postal codes are not covered yet: the programme runs in metropolitan France "
        "and Corsica for now. Please contact the team."
    ),
    "cedex": _("CEDEX codes are for organisations: please give the postal code of your home."),
    "unknown": _("We do not know this postal code. Please check it."),
}


def translated(choices: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """Engine vocabulary (English msgids) as form choices, translated when rendered."""
    return [(code, _(label)) for code, label in choices]


class IdentityForm(CleanTextMixin, forms.ModelForm):
    """Who the person is; a refugee's also what eligibility needs (their protection and year of
    arrival, nothing more: no nationality, no story). The two were separate steps; asked on one
    page, the refugee's profile is a screen shorter."""

    class Meta:
        model = Person
        fields = [
            "first_name",
            "last_name",
            "birth_year",
            "gender",
            "partner_gender",
            *REFUGEE_IDENTITY_FIELDS,
            "phone",
        ]
        labels = {"arrival_year": _("Year you arrived in France")}
        help_texts = {"phone": _("Optional. The team may call you for the interview.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.role != Role.REFUGEE:
            for name in REFUGEE_IDENTITY_FIELDS:  # a ModelForm saves only the fields it has
                del self.fields[name]
        for name in ["first_name", "last_name", "birth_year", "gender", *self.refugee_fields()]:
            self.fields[name].required = True
        self.fields["birth_year"].widget.attrs.update(inputmode="numeric", dir="ltr")
        self.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="tel", dir="ltr")
        self.fields["gender"].choices = translated(vocabulary.GENDERS)
        self.fields["partner_gender"].label = _("Would you prefer your partner to be")

    def clean_birth_year(self) -> int:
        year = self.cleaned_data["birth_year"]
        this_year = date.today().year
        if year > this_year - ADULT_AGE:
            raise ValidationError(_("The programme is for adults (18 or older)."), code="minor")
        if year < this_year - OLDEST_AGE:
            raise ValidationError(_("Please check the year of birth."), code="too_old")
        return year

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        try:
            number = phonenumbers.parse(raw, "FR")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise ValidationError(
                _("This phone number does not look valid, for example 06 12 34 56 78."),
                code="invalid_phone",
            )
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean_arrival_year(self) -> int:
        year = self.cleaned_data["arrival_year"]
        if not 1950 <= year <= date.today().year:
            raise ValidationError(_("Please check the year of arrival."), code="bad_year")
        return year

    def refugee_fields(self) -> list[str]:
        return [name for name in REFUGEE_IDENTITY_FIELDS if name in self.fields]


class HomeForm(CleanTextMixin, forms.Form):
    postal_code = forms.CharField(
        label=_("Postal code of your home"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    commune = forms.ChoiceField(label=_("Your commune"), required=False)
    max_distance_km = forms.TypedChoiceField(
        label=_("How far will you travel to meet?"),
        choices=DISTANCE_CHOICES,
        coerce=int,
        initial=10,
    )

    def __init__(self, *args, instance: Person, **kwargs):
        self.instance = instance
        kwargs.setdefault(
            "initial",
            {
                "postal_code": instance.postal_code,
                "commune": instance.commune,
                "max_distance_km": instance.max_distance_km,
            },
        )
        super().__init__(*args, **kwargs)
        code = self.data.get("postal_code") if self.is_bound else instance.postal_code
        choices = self._commune_choices(code or "")
        if len(choices) > 1:
            self.fields["commune"].choices = choices
        else:  # one commune (or none yet): nothing to choose, so nothing to show
            del self.fields["commune"]

    @staticmethod
    def _commune_choices(code: str) -> list[tuple[str, str]]:
        try:
            return [(c.name, c.name) for c in geodata.communes_for(code)]
        except geodata.PostalCodeError:
            return []

    def clean_postal_code(self) -> str:
        try:
            communes = geodata.communes_for(self.cleaned_data["postal_code"])
        except geodata.PostalCodeError as error:
            raise ValidationError(POSTAL_CODE_ERRORS[error.code], code=error.code) from error
        self.communes = communes
        return communes[0].postal_code

    def clean(self):
        cleaned = super().clean()
        communes = getattr(self, "communes", None)
        if not communes:
            return cleaned
        if len(communes) == 1:
            cleaned["place"] = communes[0]
            return cleaned
        chosen = [c for c in communes if c.name == cleaned.get("commune")]
        if not chosen:
            self.add_error(
                "commune",
                ValidationError(
                    _("This postal code covers several communes: please choose yours."),
                    code="choose_commune",
                ),
            )
        else:
            cleaned["place"] = chosen[0]
        return cleaned

    def save(self) -> Person:
        place = self.cleaned_data["place"]
        person = self.instance
        person.postal_code = place.postal_code
        person.commune = place.name
        person.departement = place.departement
        person.latitude = place.lat
        person.longitude = place.lon
        person.max_distance_km = self.cleaned_data["max_distance_km"]
        person.save()
        return person


class LanguagesForm(CleanTextMixin, forms.Form):
    """Up to five languages, each with a level, as rows of two selects (phone friendly)."""

    def __init__(self, *args, instance: Person, **kwargs):
        self.instance = instance
        initial = {}
        for index, item in enumerate(instance.languages[:MAX_LANGUAGES]):
            initial[f"language_{index}"] = item.get("code")
            initial[f"level_{index}"] = item.get("level")
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        languages = [("", _("— choose —")), *translated(vocabulary.LANGUAGES)]
        levels = [("", _("— level —")), *translated(vocabulary.LEVELS)]
        for index in range(MAX_LANGUAGES):
            self.fields[f"language_{index}"] = forms.ChoiceField(
                label=_("Language %(n)d") % {"n": index + 1}, choices=languages, required=False
            )
            self.fields[f"level_{index}"] = forms.ChoiceField(
                label=_("Level"), choices=levels, required=False
            )

    def rows(self):
        """The rows shown open: most people speak two or three languages."""
        return self._rows()[:OPEN_LANGUAGE_ROWS]

    def more_rows(self):
        """The rows behind "More languages", open when one of them holds an answer or an error."""
        return self._rows()[OPEN_LANGUAGE_ROWS:]

    def more_rows_in_use(self) -> bool:
        return any(bound.value() or bound.errors for row in self.more_rows() for bound in row)

    def _rows(self):
        return [(self[f"language_{i}"], self[f"level_{i}"]) for i in range(MAX_LANGUAGES)]

    def clean(self):
        cleaned = super().clean()
        chosen: list[dict[str, str]] = []
        for index in range(MAX_LANGUAGES):
            code, level = cleaned.get(f"language_{index}"), cleaned.get(f"level_{index}")
            if code and not level:
                self.add_error(
                    f"level_{index}",
                    ValidationError(
                        _("Please choose your level in this language."), code="level_required"
                    ),
                )
            elif level and not code:
                self.add_error(
                    f"language_{index}",
                    ValidationError(_("Please choose the language."), code="language_required"),
                )
            elif code and any(item["code"] == code for item in chosen):
                self.add_error(
                    f"language_{index}",
                    ValidationError(_("This language is already in the list."), code="duplicate"),
                )
            elif code:
                chosen.append({"code": code, "level": level})
        if not chosen and not self.errors:
            raise ValidationError(
                _("Please give at least one language you speak."), code="no_language"
            )
        cleaned["languages"] = chosen
        return cleaned

    def save(self) -> Person:
        self.instance.languages = self.cleaned_data["languages"]
        self.instance.save()
        return self.instance


def _checklist(choices, label, empty_message) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=translated(choices),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": empty_message},
    )


class InterestsForm(CleanTextMixin, forms.Form):
    """What the person enjoys and when they are free: two lists of boxes, each stored as a JSON
    list of codes on the person. One question each, so they share a page (they were two steps)."""

    interests = _checklist(
        vocabulary.INTERESTS,
        _("What do you enjoy?"),
        _("Please choose at least one thing you enjoy."),
    )
    availability = _checklist(
        vocabulary.SLOTS,
        _("When are you usually free?"),
        _("Please choose at least one moment when you are free."),
    )

    def __init__(self, *args, instance: Person, **kwargs):
        self.instance = instance
        kwargs.setdefault("initial", {name: getattr(instance, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)

    def save(self) -> Person:
        for name in self.fields:
            setattr(self.instance, name, self.cleaned_data[name])
        self.instance.save()
        return self.instance


class AboutForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = ["about", "hopes"]
        labels = {
            "about": _("A few words about yourself"),
            "hopes": _("What do you hope from the duo?"),
        }
        # No maxlength: the browser would cut a longer text silently; the form refuses it
        # with a message and keeps what was typed.
        widgets = {
            "about": forms.Textarea(attrs={"rows": 4}),
            "hopes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "about": _("Up to 1,000 characters."),
            "hopes": _("Up to 1,000 characters."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.max_length = 1000
            field.validators.append(_max_length_1000)


def _max_length_1000(value: str) -> None:
    if len(value) > 1000:
        raise ValidationError(_("Please keep it under 1,000 characters."), code="too_long")


class ConsentsForm(CleanTextMixin, forms.Form):
    charter = forms.BooleanField(
        label=_("I accept the programme charter: we meet at least once a month for six months."),
        error_messages={"required": _("The charter must be accepted to join the programme.")},
    )
    privacy = forms.BooleanField(
        # Explicit consent (GDPR art. 9(2)(a)): the data that may reveal an origin, named.
        label=_(
            "I have read the privacy notice. I agree that the team uses my profile, including "
            "what it may say about my origin or my protection status, to find a duo."
        ),
        error_messages={"required": _("We cannot match you without this agreement.")},
    )

    def __init__(self, *args, instance: Person, **kwargs):
        self.instance = instance
        super().__init__(*args, **kwargs)
        if instance.user_id is None:
            self.fields["referral"] = forms.BooleanField(
                label=_(
                    "The person I support has agreed to be signed up and to share this "
                    "information with the programme."
                ),
                error_messages={"required": _("We need the person's own agreement.")},
            )

    def kinds(self) -> list[str]:
        return [ConsentKind(name) for name in self.fields]


class InviteForm(CleanTextMixin, forms.Form):
    """A social worker gives a referred refugee their own access."""

    email = forms.EmailField(label=_("The person's own email address"))
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=email_language.language_choices,
        widget=email_language.LanguageSelect,
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()

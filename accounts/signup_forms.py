"""The sign-up form: allauth's, with who is signing up and the language of our emails."""

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import language as email_language
from accounts.models import Person, Role, SocialWorker
from duos.lib.forms import CleanTextMixin


class RadioSelectUnrequired(forms.RadioSelect):
    def use_required_attribute(self, initial) -> bool:
        return False


class SignupForm(CleanTextMixin, AllauthSignupForm):
    """allauth's sign-up with who is signing up: a sponsor, a refugee or a social worker."""

    SOCIAL_WORKER = "social_worker"
    ROLE_CHOICES = [
        (Role.SPONSOR, _("I want to become a sponsor (parrain or marraine)")),
        (Role.REFUGEE, _("I am a refugee and want a sponsor")),
        (SOCIAL_WORKER, _("I am a social worker and sign up the refugees I support")),
    ]

    # No `required` on the radios: the browser's bubble (in the browser's language) would stop
    # the form before the page says, in its own language, that nobody was chosen.
    role = forms.ChoiceField(
        label=_("Who are you?"),
        choices=ROLE_CHOICES,
        widget=RadioSelectUnrequired,
        error_messages={"required": _("Please choose who you are.")},
    )
    organisation = forms.CharField(
        label=_("Organisation (social workers only)"), max_length=200, required=False
    )

    # The page's language to begin with (the browser's, or the switcher's), and when left out.
    language = email_language.email_language_field(
        initial=email_language.current_language, required=False
    )

    # The organisation shows only once "social worker" is ticked (site.css, no script).
    field_order = ["role", "organisation", "email", "language", "password1"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == self.SOCIAL_WORKER and not cleaned.get("organisation"):
            self.add_error(
                "organisation",
                ValidationError(
                    _("Please give the name of your organisation."), code="organisation_required"
                ),
            )
        return cleaned

    def try_save(self, request):
        if self.account_already_exists:
            # A new account costs the hashing of its password (half a second in production);
            # a known email costs it too, hashed for nothing, so that the answer takes as long
            # either way and its timing does not tell who has an account (allauth's
            # ACCOUNT_PREVENT_ENUMERATION only makes the answer itself the same).
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)

    def save(self, request):
        user = super().save(request)
        if self.cleaned_data["role"] == self.SOCIAL_WORKER:
            SocialWorker.objects.create(user=user, organisation=self.cleaned_data["organisation"])
        else:
            Person.objects.create(user=user, role=self.cleaned_data["role"])
        return user

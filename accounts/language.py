"""A person's language for emails: chosen at sign-up, changed on its own page.

It only says in which language the programme writes to someone (a social worker gets the emails
about the people they refer in their own). It is not the languages a refugee speaks, which the
profile asks for matching (Person.languages): the forms say so.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import member_required
from accounts.models import User

EMAIL_LANGUAGE_HELP = _(
    "We write our emails in this language. The languages spoken, for finding a duo, are "
    "asked apart, in the profile."
)


def language_choices() -> list[tuple[str, str]]:
    """settings.LANGUAGES, each named in its own script (read by someone who cannot read ours)."""
    return [
        (code, capfirst(translation.get_language_info(code)["name_local"]))
        for code, _label in settings.LANGUAGES
    ]


def current_language() -> str:
    """The page's language (the browser's, or the switcher's) as a code of settings.LANGUAGES."""
    try:
        return translation.get_supported_language_variant(translation.get_language() or "")
    except LookupError:
        return settings.LANGUAGE_CODE


class LanguageSelect(forms.Select):
    """Each option carries its own `lang`, so a screen reader reads its name rightly."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["lang"] = value
        return option


def email_language_field(**kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Language of our emails"),
        choices=language_choices,
        widget=LanguageSelect,
        help_text=EMAIL_LANGUAGE_HELP,
        **kwargs,
    )


class EmailLanguageForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"] = email_language_field()


@member_required
@require_http_methods(["GET", "POST"])
def email_language(request: HttpRequest) -> HttpResponse:
    form = EmailLanguageForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Your changes are saved."))
            return redirect("accounts:dashboard")
        return render(request, "accounts/email_language.html", {"form": form}, status=400)
    return render(request, "accounts/email_language.html", {"form": form})


urlpatterns = [path("mon-espace/langue/", email_language, name="email_language")]

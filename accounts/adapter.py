from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.shortcuts import resolve_url
from django.utils import translation

from accounts import steps
from accounts.language import current_language
from accounts.models import CandidateState, Person, User


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # Emails are written in the language chosen on the sign-up form (the page's by default).
        user.language = form.cleaned_data.get("language") or current_language()
        return super().save_user(request, user, form, commit=commit)

    def post_login(self, request, user, *, redirect_url, **kwargs):
        """Once logged in (at the sign-up's confirmation too), a candidate who has saved no step
        yet starts the profile at once: My space would only say "continue the profile", one
        screen more for nothing. A `next` the login was given still wins."""
        if redirect_url in (None, "", resolve_url(settings.LOGIN_REDIRECT_URL)):
            redirect_url = _start_of_profile(user) or redirect_url
        return super().post_login(request, user, redirect_url=redirect_url, **kwargs)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's emails (confirmation, password reset...) in the recipient's language."""
        user = context.get("user") or User.objects.filter(email__iexact=email).first()
        language = getattr(user, "language", "") or current_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)


def _start_of_profile(user) -> str | None:
    person = Person.objects.filter(
        user=user, anonymised_at=None, state=CandidateState.TO_COMPLETE, profile_step=""
    ).first()
    return steps.step_url(person, steps.steps_for(person)[0].slug) if person else None


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Staff must keep two-factor authentication: they cannot remove their last TOTP."""
        user = authenticator.user
        if authenticator.type != Authenticator.Type.TOTP or not needs_two_factor(user):
            return True
        return (
            Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP)
            .exclude(pk=authenticator.pk)
            .exists()
        )


def needs_two_factor(user) -> bool:
    from accounts.roles import is_programme_staff

    return user.is_authenticated and (user.is_staff or is_programme_staff(user))


def lacks_two_factor(user) -> bool:
    """Staff (by the flag or by any of the team's permissions) without an authenticator app."""
    from allauth.mfa.utils import is_mfa_enabled

    return needs_two_factor(user) and not is_mfa_enabled(user, [Authenticator.Type.TOTP])

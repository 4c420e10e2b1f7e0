from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.utils.translation import get_language


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # Emails are later written in the language the person signed up in.
        user.language = (get_language() or "fr")[:2]
        return super().save_user(request, user, form, commit=commit)


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

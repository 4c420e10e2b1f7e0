from functools import wraps

from allauth.account.models import EmailAddress
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


def member_required(view):
    """Logged in with a verified email: an unverified session is sent to verify first."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not EmailAddress.objects.filter(user=request.user, verified=True).exists():
            return redirect("account_email_verification_sent")
        return view(request, *args, **kwargs)

    return wrapper

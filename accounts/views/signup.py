from allauth.account.views import SignupView

from accounts.signup_forms import SignupForm


class RoleSignupView(SignupView):
    """allauth's sign-up, with the role chosen on the home page already ticked."""

    def get_initial(self) -> dict:
        initial = super().get_initial()
        role = self.request.GET.get("role", "")
        if role in dict(SignupForm.ROLE_CHOICES):
            initial["role"] = role
        return initial


signup = RoleSignupView.as_view()

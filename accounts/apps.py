from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and profiles")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts.roles import ensure_programme_team_group
        from accounts.services import record_activity

        # Permissions exist only after migrate; the group is kept in step with them each time.
        post_migrate.connect(ensure_programme_team_group, sender=self)
        # Inactive accounts are anonymised after 24 months: a login counts as activity.
        user_logged_in.connect(record_activity, dispatch_uid="accounts.record_activity")

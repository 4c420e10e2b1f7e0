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
        from accounts.site import sync_site

        # Permissions exist only after migrate; the group is kept in step with them each time.
        post_migrate.connect(ensure_programme_team_group, sender=self)
        # allauth names the site after the Sites row: the programme's name, SITE_URL's host.
        post_migrate.connect(sync_site, sender=self, dispatch_uid="accounts.sync_site")
        # Inactive accounts are anonymised after 24 months: a login counts as activity.
        user_logged_in.connect(record_activity, dispatch_uid="accounts.record_activity")

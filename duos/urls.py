from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts.views.signup import signup
from duos.activities import urls as activities
from duos.dashboard import urls as dashboard
from duos.followup import urls as followup
from duos.lifecycle import urls as lifecycle
from duos.ops import bounces, views
from duos.reports import urls as reports

# The duo's pages, one URL module per domain, in the `duos` namespace.
DUO_PATTERNS = [
    *lifecycle.urlpatterns,
    *followup.urlpatterns,
    *reports.urlpatterns,
    *activities.urlpatterns,
    *dashboard.urlpatterns,
]

# The admin's login goes through allauth (and its two-factor step): no second login page.
admin.site.login = secure_admin_login(admin.site.login)

# The email provider's tracking webhook (hard bounces), behind ANYMAIL_WEBHOOK_SECRET: the
# configured provider's alone, and no /anymail/ route at all without one.
WEBHOOKS = bounces.webhook_urls()

# A database that is down or too slow answers a plain 503 page instead of a 500.
handler500 = "duos.ops.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before allauth's own: the same sign-up, with the role from the home page's link.
    path("accounts/signup/", signup, name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("equipe/appariements/", include("matching.urls")),
    path("", include((DUO_PATTERNS, "duos"))),
    path("admin/", admin.site.urls),
    *([path("anymail/", include((WEBHOOKS, "anymail")))] if WEBHOOKS else []),
]

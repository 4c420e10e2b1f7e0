from accounts import language
from accounts.views import handover, privacy, profile, staff, two_factor

app_name = "accounts"
urlpatterns = [
    *language.urlpatterns,
    *handover.urlpatterns,
    *profile.urlpatterns,
    *staff.urlpatterns,
    *privacy.urlpatterns,
    *two_factor.urlpatterns,
]

from accounts import language
from accounts.views import handover, privacy, profile, staff

app_name = "accounts"
urlpatterns = [
    *language.urlpatterns,
    *handover.urlpatterns,
    *profile.urlpatterns,
    *staff.urlpatterns,
    *privacy.urlpatterns,
]

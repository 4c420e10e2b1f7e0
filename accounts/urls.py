from accounts import language
from accounts.views import handover, privacy, profile, staff, texts, two_factor

app_name = "accounts"
urlpatterns = [
    *language.urlpatterns,
    *handover.urlpatterns,
    *profile.urlpatterns,
    *staff.urlpatterns,
    *privacy.urlpatterns,
    *texts.urlpatterns,
    *two_factor.urlpatterns,
]

from accounts.views import handover, privacy, profile, staff

app_name = "accounts"
urlpatterns = [
    *handover.urlpatterns,
    *profile.urlpatterns,
    *staff.urlpatterns,
    *privacy.urlpatterns,
]

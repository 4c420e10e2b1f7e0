from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import Consent, Person, ProfileView, SocialWorker, StaffNote, User
from duos.lib.admin import RecordAdmin


class EmailUserCreationForm(AdminUserCreationForm):
    # Django's form names `username`, which our users do not have.
    class Meta:
        model = User
        fields = ["email"]

    def clean_email(self) -> str:
        # As allauth stores them, so that one address is one account whatever its case.
        return self.cleaned_data["email"].lower()


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", "language"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "language"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "usable_password", "password1", "password2"],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["send_two_factor_enrolment_link"]

    @admin.action(description=_("Send a two-factor enrolment link"))
    def send_two_factor_enrolment_link(self, request: HttpRequest, queryset) -> None:
        """A colleague's enrolment link, to each one's verified address (accounts/two_factor.py)."""
        from accounts import two_factor
        from accounts.adapter import lacks_two_factor

        sent = sum(
            two_factor.send_enrolment_link(user, by=request.user)
            for user in queryset
            if lacks_two_factor(user)
        )
        self.message_user(request, _("Enrolment links sent: %(count)s.") % {"count": sent})


class ConsentInline(admin.TabularInline):
    """Consents are evidence of what the person accepted: shown, never edited here."""

    model = Consent
    fields = ["kind", "version", "given_at", "recorded_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class StaffNoteInline(admin.StackedInline):
    model = StaffNote
    fields = ["text", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    extra = 0


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "role",
        "state",
        "commune",
        "departement",
        "waiting_since",
        "referrer",
    ]
    list_filter = ["role", "state", "departement", "protection_status"]
    list_select_related = ["referrer"]
    search_fields = [
        "first_name",
        "last_name",
        "user__email",
        "referrer__email",
        "postal_code",
        "commune",
    ]
    date_hierarchy = "created_at"
    raw_id_fields = ["user", "referrer"]
    # The state changes only through Person's methods (the team's queue), never by hand here.
    readonly_fields = [
        "state",
        "state_changed_at",
        "waiting_since",
        "validated_at",
        "refusal_reason",
        "last_activity_at",
        "anonymised_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["role", "state", "user", "referrer"]}),
        (
            _("Profile"),
            {
                "fields": [
                    "first_name",
                    "last_name",
                    "birth_year",
                    "gender",
                    "partner_gender",
                    "phone",
                    "about",
                    "hopes",
                    "protection_status",
                    "arrival_year",
                ]
            },
        ),
        (
            _("Where"),
            {
                "fields": [
                    "postal_code",
                    "commune",
                    "departement",
                    "latitude",
                    "longitude",
                    "max_distance_km",
                ]
            },
        ),
        (_("Matching"), {"fields": ["languages", "interests", "availability"]}),
        (
            _("Follow-up"),
            {
                "fields": [
                    "interview_at",
                    "profile_step",
                    "completion_reminders_sent",
                    "state_changed_at",
                    "waiting_since",
                    "validated_at",
                    "refusal_reason",
                    "last_activity_at",
                    "anonymised_at",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]
    inlines = [ConsentInline, StaffNoteInline]

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        notes = formset.save(commit=False)
        for note in notes:
            if isinstance(note, StaffNote) and note.author_id is None:
                note.author = request.user
            note.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()


@admin.register(SocialWorker)
class SocialWorkerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organisation", "job_title", "phone", "created_at"]
    list_select_related = ["user"]
    search_fields = ["organisation", "user__email", "user__first_name", "user__last_name"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]


@admin.register(Consent)
class ConsentAdmin(RecordAdmin):
    """A consent is a record of what the person accepted, and when: never added or edited here."""

    list_display = ["person", "kind", "version", "given_at", "recorded_by"]
    list_filter = ["kind", "version"]
    list_select_related = ["person", "recorded_by"]
    search_fields = ["person__first_name", "person__last_name", "person__user__email"]
    date_hierarchy = "given_at"


@admin.register(ProfileView)
class ProfileViewAdmin(RecordAdmin):
    """The log of the team's views of refugees' profiles: read-only, for whoever audits it.

    Visible to superusers and to holders of `accounts.view_profileview`, which the programme
    team does not hold: the people who are logged do not see the log.
    """

    list_display = ["viewed_at", "viewer", "person", "what"]
    list_filter = [("viewer", admin.RelatedOnlyFieldListFilter), "what"]
    list_select_related = ["viewer", "person"]
    search_fields = ["person__first_name", "person__last_name", "person__user__email"]
    date_hierarchy = "viewed_at"

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

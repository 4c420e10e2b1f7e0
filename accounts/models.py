from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.states import (
    CANDIDATE_ACTIONS,
    CONFIRMED_ACTIONS,
    STATE_REFUSALS,
    UNDO_WITHDRAWAL_DAYS,
    CandidateState,
    CandidateStateError,
    PersonQuerySet,
)

__all__ = [
    "CANDIDATE_ACTIONS",
    "CONFIRMED_ACTIONS",
    "UNDO_WITHDRAWAL_DAYS",
    "STATE_REFUSALS",
    "CandidateState",
    "CandidateStateError",
    "Consent",
    "ConsentKind",
    "Gender",
    "PartnerGender",
    "Person",
    "PersonQuerySet",
    "ProfileView",
    "ProtectionStatus",
    "Role",
    "SocialWorker",
    "StaffNote",
    "User",
]


class EmailUserManager(UserManager):
    """Users log in with their email: there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(
        _("language for emails"), max_length=8, choices=settings.LANGUAGES, default="fr"
    )
    # Set when the email provider reports a hard bounce (anymail's tracking webhook).
    email_bounced_at = models.DateTimeField(_("email bounced at"), null=True, blank=True)
    email_bounce_reason = models.CharField(_("why the email bounced"), max_length=300, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email


class Role(models.TextChoices):
    SPONSOR = "sponsor", _("Sponsor (parrain or marraine)")
    REFUGEE = "refugee", _("Refugee (filleul or filleule)")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    OTHER = "other", _("Other")


class PartnerGender(models.TextChoices):
    ANY = "any", _("No preference")
    WOMAN = "woman", _("A woman")
    MAN = "man", _("A man")


class ProtectionStatus(models.TextChoices):
    REFUGEE = "refugee", _("Refugee status")
    SUBSIDIARY = "subsidiary", _("Subsidiary protection")
    STATELESS = "stateless", _("Stateless status")


class SocialWorker(models.Model):
    """A professional who signs up and follows the refugees they refer."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="social_worker")
    organisation = models.CharField(_("organisation"), max_length=200)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    phone = models.CharField(_("professional phone"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("social worker")
        verbose_name_plural = _("social workers")

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"


class Person(models.Model):
    """A sponsor or a refugee: the profile that is matched, paired and reminded.

    A person is not always a user: a refugee referred by a social worker may have no email of
    their own, so `user` is optional and `referrer` is who acts for them.
    """

    user = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="person"
    )
    referrer = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referred_people",
        verbose_name=_("referring social worker"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=CandidateState.choices,
        default=CandidateState.TO_COMPLETE,
    )
    state_changed_at = models.DateTimeField(_("state changed at"), auto_now_add=True)
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    partner_gender = models.CharField(
        _("preferred partner gender"),
        max_length=10,
        choices=PartnerGender.choices,
        default=PartnerGender.ANY,
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    commune = models.CharField(_("commune"), max_length=100, blank=True)
    departement = models.CharField(_("département"), max_length=3, blank=True, db_index=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    max_distance_km = models.PositiveSmallIntegerField(
        _("how far they will travel (km)"), default=10
    )

    # Lists of codes from matching.engine.vocabulary; languages as [{"code", "level"}].
    languages = models.JSONField(_("languages"), default=list, blank=True)
    interests = models.JSONField(_("interests"), default=list, blank=True)
    availability = models.JSONField(_("availability"), default=list, blank=True)

    about = models.TextField(_("about them"), blank=True)
    hopes = models.TextField(_("what they hope from the duo"), blank=True)

    protection_status = models.CharField(
        _("protection status"), max_length=20, choices=ProtectionStatus.choices, blank=True
    )
    arrival_year = models.PositiveSmallIntegerField(_("year of arrival"), null=True, blank=True)

    # The last profile step saved, so a person who stops half-way comes back to the next one.
    profile_step = models.CharField(_("last step saved"), max_length=20, blank=True)
    completion_reminders_sent = models.PositiveSmallIntegerField(
        _("completion reminders sent"), default=0
    )
    interview_at = models.DateTimeField(_("interview held on"), null=True, blank=True)
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), auto_now_add=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        permissions = [
            ("validate_person", _("Can validate or refuse candidates")),
            ("view_profile_details", _("Can see candidates' full profiles")),
        ]
        indexes = [
            # The validation queue and the match pool filter on these.
            models.Index(fields=["role", "state", "departement"], name="person_pool_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or f"#{self.pk}"

    @property
    def contact_user(self) -> User | None:
        """Who receives what is meant for this person: themself, else their social worker."""
        return self.user or self.referrer

    def allowed_actions(self) -> list[str]:
        """The state changes the candidate (or their social worker) may make now."""
        actions = [action for action, states in CANDIDATE_ACTIONS.items() if self.state in states]
        return [a for a in actions if a != "restore" or self.restore_until() is not None]

    def restore_until(self) -> datetime | None:
        """Until when the candidate's own withdrawal can be undone; None if it cannot (not
        withdrawn, refused by the team, anonymised, or more than UNDO_WITHDRAWAL_DAYS ago)."""
        if self.state != CandidateState.WITHDRAWN or self.refusal_reason or self.anonymised_at:
            return None
        until = self.state_changed_at + timedelta(days=UNDO_WITHDRAWAL_DAYS)
        return until if until > timezone.now() else None

    def submit(self) -> None:
        """TO_COMPLETE -> AWAITING_VALIDATION: the profile is complete, the team validates it."""
        self._move({CandidateState.TO_COMPLETE}, CandidateState.AWAITING_VALIDATION)

    def validate(self) -> None:
        """AWAITING_VALIDATION -> VALIDATED: in the match pool from now."""
        now = timezone.now()
        self._move(
            {CandidateState.AWAITING_VALIDATION},
            CandidateState.VALIDATED,
            code="not_awaiting",
            now=now,
            validated_at=now,
            waiting_since=now,
            refusal_reason="",
        )

    def refuse(self, reason: str) -> None:
        """AWAITING_VALIDATION -> WITHDRAWN, with the reason the person is told."""
        self._move(
            {CandidateState.AWAITING_VALIDATION},
            CandidateState.WITHDRAWN,
            code="not_awaiting",
            refusal_reason=reason,
        )

    def pause(self) -> None:
        self._move(CANDIDATE_ACTIONS["pause"], CandidateState.PAUSED)

    def resume(self) -> None:
        """PAUSED -> back where they were: validated, else waiting for validation, else to
        complete (the consents are the profile's last step)."""
        self._move(CANDIDATE_ACTIONS["resume"], self._back_to())

    def _back_to(self) -> str:
        if self.validated_at:
            return CandidateState.VALIDATED
        if self.consents.exists():
            return CandidateState.AWAITING_VALIDATION
        return CandidateState.TO_COMPLETE

    def withdraw(self) -> None:
        self._move(CANDIDATE_ACTIONS["withdraw"], CandidateState.WITHDRAWN)

    def restore(self) -> None:
        """WITHDRAWN -> back where a resume goes, within UNDO_WITHDRAWAL_DAYS of withdrawing."""
        if self.restore_until() is None:
            raise CandidateStateError("not_now", state=self.state)
        self._move(CANDIDATE_ACTIONS["restore"], self._back_to())

    def anonymise(self, *, now: datetime, erased: dict) -> None:
        """Any state -> WITHDRAWN and anonymised, the personal fields set to `erased`
        (accounts/privacy.py decides what each becomes); once only."""
        every_state = set(CandidateState.values)
        self._move(every_state, CandidateState.WITHDRAWN, now=now, anonymised_at=now, **erased)

    def _move(self, allowed: set, state: str, *, code: str = "not_now", now=None, **fields) -> None:
        """One conditional UPDATE from the `allowed` states; CandidateStateError (nothing
        changed) when the row was in another state, or anonymised."""
        now = now or timezone.now()
        values = {"state": state, "state_changed_at": now, "updated_at": now, **fields}
        moved = Person.objects.filter(pk=self.pk, state__in=allowed, anonymised_at=None).update(
            **values
        )
        if moved != 1:
            self.refresh_from_db()
            raise CandidateStateError(code, state=self.state)
        for name, value in values.items():
            setattr(self, name, value)


class ConsentKind(models.TextChoices):
    CHARTER = "charter", _("Programme charter")
    PRIVACY = "privacy", _("Privacy notice")
    REFERRAL = "referral", _("Consent to be signed up by a social worker")


class Consent(models.Model):
    """A consent given, with the version of the text that was accepted."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(_("kind"), max_length=20, choices=ConsentKind.choices)
    version = models.CharField(_("version"), max_length=20)
    given_at = models.DateTimeField(_("given at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "version"], name="consent_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.version}"


class StaffNote(models.Model):
    """What the team writes about a candidate: never shown to them (GDPR art. 15(4))."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="staff_notes")
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff note")
        verbose_name_plural = _("staff notes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.person} {self.created_at:%Y-%m-%d}"


class ProfileView(models.Model):
    """Who on the staff looked at a refugee's profile, when, and which page."""

    viewer = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="views_by_staff")
    what = models.CharField(_("what was viewed"), max_length=100)
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("staff view of a profile")
        verbose_name_plural = _("staff views of profiles")
        ordering = ["-viewed_at"]

    def __str__(self) -> str:
        return f"{self.viewer} → {self.person} ({self.what})"

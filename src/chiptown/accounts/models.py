"""Users, their role in the programme, and API tokens for scripts."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    COMPANY_REP = "company_rep", _("Company representative")
    JUDGE = "judge", _("Judge")
    SPEAKER = "speaker", _("Speaker")
    ATTENDEE = "attendee", _("Attendee")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ATTENDEE)
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="users",
        help_text=_("For company representatives: the organisation they may edit."),
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for scripts; only its SHA-256 digest is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, user: "User", name: str) -> tuple["ApiToken", str]:
        key = "ct_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, digest=_digest(key), prefix=key[:8])
        return token, key

    @classmethod
    def user_for_key(cls, key: str) -> "User | None":
        token = cls.objects.select_related("user").filter(digest=_digest(key), user__is_active=True).first()
        if token is None:
            return None
        # "Last used" to the minute is enough; writing it on every request would cost each API call a write.
        if token.last_used_at is None or token.last_used_at < timezone.now() - datetime.timedelta(minutes=1):
            cls.objects.filter(pk=token.pk).update(last_used_at=Now())
        return token.user

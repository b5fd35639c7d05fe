"""Writes on accounts: the user's language, API tokens."""

from django.utils.translation import gettext as _

from chiptown.accounts.models import ApiToken, User
from chiptown.core.addresses import absolute_url
from chiptown.core.errors import ChipTownError
from chiptown.core.services import audit_record


def user_set_language(*, user: User, language: str) -> None:
    from django.conf import settings

    if language not in dict(settings.LANGUAGES):
        raise ChipTownError(_("Unknown language."), code="invalid_language")
    before = user.language
    user.language = language
    user.save(update_fields=["language"])
    audit_record(
        actor=user, action="user.set_language", target=user, before={"language": before}, after={"language": language}
    )


def api_token_issue(*, user: User, name: str) -> tuple[ApiToken, str]:
    name = name.strip()
    if not name:
        raise ChipTownError(_("Give the token a name."), code="invalid_name")
    token, key = ApiToken.issue(user=user, name=name[:100])
    audit_record(actor=user, action="api_token.issue", target=token, after={"name": token.name})
    return token, key


def api_token_revoke(*, user: User, token_id: int) -> None:
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise ChipTownError(_("No such token."), code="not_found", status=404)
    audit_record(actor=user, action="api_token.revoke", target=token, before={"name": token.name})
    token.delete()


def password_set_url(*, user: User) -> str:
    """An absolute one-time link where `user` chooses a password: for accounts made on someone's behalf (an invited
    speaker) and for forgotten passwords. It stops working once used, or when PASSWORD_RESET_TIMEOUT runs out."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return absolute_url(
        reverse(
            "accounts:password_reset_confirm",
            args=[urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)],
        )
    )

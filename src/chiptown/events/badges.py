"""Badge tokens: what a badge's QR code carries. A signed, timestamp-free token naming a registration and its
current nonce, so it cannot be guessed or forged, and a cancelled-and-renewed registration's old badge stops
working (its nonce no longer matches)."""

from django.core import signing

from chiptown.events.models import Registration

_SALT = "chiptown.events.badge"


def badge_token(registration: Registration) -> str:
    """The token printed in the badge's QR code (about 40 URL-safe characters)."""
    return signing.dumps([registration.pk, registration.badge_nonce], salt=_SALT, compress=False)


def badge_token_read(token: str) -> tuple[int, str] | None:
    """(registration id, nonce) from a token, or None when the signature does not check out."""
    try:
        value = signing.loads(token.strip(), salt=_SALT)
    except signing.BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) and isinstance(value[1], str)):
        return None
    return value[0], value[1]

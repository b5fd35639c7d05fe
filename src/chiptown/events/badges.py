"""Badge tokens: what a badge's QR code carries. A signed, timestamp-free token naming a registration and its
current nonce, so it cannot be guessed or forged, and a cancelled-and-renewed registration's old badge stops
working (its nonce no longer matches)."""

from django.core import signing

from chiptown.core.addresses import absolute_url
from chiptown.events.models import Registration

_SALT = "chiptown.events.badge"


def badge_token(registration: Registration) -> str:
    """The token printed in the badge's QR code (about 40 URL-safe characters)."""
    return signing.Signer(salt=_SALT).sign_object([registration.pk, registration.badge_nonce])


def badge_token_read(token: str) -> tuple[int, str] | None:
    """(registration id, nonce) from a token, or None when the signature does not check out."""
    try:
        value = signing.Signer(salt=_SALT).unsign_object(token.strip())
    except signing.BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) and isinstance(value[1], str)):
        return None
    return value[0], value[1]


def badge_url(registration: Registration) -> str:
    """The absolute address a badge's QR code holds: the check-in page for this badge. Staff who open it (with a
    phone's own camera app, say) can check the person in; anyone else learns only that it is a conference badge."""
    from django.urls import reverse

    return absolute_url(reverse("events:checkin_token", args=[registration.event.slug, badge_token(registration)]))


_FEED_SALT = "chiptown.events.agenda-feed"


def agenda_feed_token(registration: Registration) -> str:
    """The secret part of a person's own agenda feed address (calendar programs cannot log in)."""
    return signing.Signer(salt=_FEED_SALT).sign_object([registration.pk, registration.badge_nonce])


def agenda_feed_token_read(token: str) -> tuple[int, str] | None:
    try:
        value = signing.Signer(salt=_FEED_SALT).unsign_object(token.strip())
    except signing.BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) and isinstance(value[1], str)):
        return None
    return value[0], value[1]


# --- Registration (part D): the badge's QR code as an image --------------------------------------------------------


def badge_qr_png(registration: Registration) -> bytes:
    """The badge's QR code as a PNG: it holds badge_url(registration). Error correction level M survives a
    crumpled paper badge or a cracked phone screen; 10-pixel modules scan from arm's length."""
    import io

    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=2)
    code.add_data(badge_url(registration))
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()

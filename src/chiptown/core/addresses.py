"""Absolute addresses on this site, for emails, QR codes, calendar feeds and PDFs: always built from SITE_URL, never
from a request's Host header (which a client chooses)."""

from django.conf import settings


def absolute_url(path: str = "") -> str:
    """SITE_URL followed by `path` (a path from reverse(), starting with "/"); SITE_URL alone without one."""
    return str(settings.SITE_URL).rstrip("/") + path

"""Security headers and cookies: the content-security policy, secure and HTTP-only cookies."""

import os
import re
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client

from chiptown.accounts.models import User

pytestmark = pytest.mark.django_db


def test_pages_send_a_content_security_policy_with_a_nonce(client: Client) -> None:
    response = client.get("/accounts/login/")

    csp = response.headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ")}
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["style-src"] == ["'self'"]
    nonce = next(v for v in directives["script-src"] if v.startswith("'nonce-"))
    assert directives["script-src"][0] == "'self'"
    # The page's own scripts carry the same nonce; there is no inline script to allow.
    html = response.content.decode()
    page_nonces = re.findall(r'nonce="([^"]+)"', html)
    assert page_nonces
    assert set(page_nonces) == {nonce.removeprefix("'nonce-").removesuffix("'")}
    assert "unsafe-inline" not in csp


def test_other_security_headers(client: Client) -> None:
    response = client.get("/accounts/login/")

    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_base_settings_make_cookies_secure_by_default() -> None:
    """Production settings (no DEBUG, no SECURE_COOKIES override) mark the session and CSRF cookies Secure."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECURE_COOKIES", "DJANGO_SETTINGS_MODULE"}}
    code = (
        "from chiptown.settings import base; "
        "print(base.SESSION_COOKIE_SECURE, base.CSRF_COOKIE_SECURE, base.SESSION_COOKIE_HTTPONLY, base.DEBUG)"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)

    assert result.stdout.split() == ["True", "True", "True", "False"]


def test_session_cookie_flags_on_login(settings: Any, client: Client, stranger: User) -> None:
    settings.SESSION_COOKIE_SECURE = True

    response = client.post("/accounts/login/", {"username": stranger.username, "password": "correct-horse-battery"})

    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"

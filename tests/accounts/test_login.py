"""Logging in: argon2 hashes, rate limiting after repeated failures (django-axes), CSRF on the form."""

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.test import Client

from chiptown.accounts.models import User
from chiptown.settings import base
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def log_in(client: Client, username: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


def signed_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_production_settings_hash_passwords_with_argon2() -> None:
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_login_works_with_argon2_hashes(settings: Any, client: Client) -> None:
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    ada: User = UserFactory(username="ada", password=PASSWORD)
    assert ada.password.startswith("argon2$argon2id$")

    response = log_in(client, "ada", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_as(client) == str(ada.pk)


def test_an_older_hash_is_upgraded_to_argon2_on_login(settings: Any, client: Client) -> None:
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    ada: User = UserFactory(username="ada")
    User.objects.filter(pk=ada.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")  # as stored before argon2 was first
    )

    assert log_in(client, "ada", PASSWORD).status_code == 302

    ada.refresh_from_db()
    assert ada.password.startswith("argon2$")


def test_wrong_password_shows_the_form_again(client: Client, stranger: User) -> None:
    response = log_in(client, stranger.username, "wrong")

    assert response.status_code == 200
    assert signed_in_as(client) is None
    assert any(t.name == "accounts/login.html" for t in response.templates)


def test_repeated_failures_lock_the_login_with_429(settings: Any, client: Client, stranger: User) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, stranger.username, "wrong").status_code == 200

    locked = log_in(client, stranger.username, "wrong")

    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert any(t.name == "accounts/locked_out.html" for t in locked.templates)

    # Even the right password is refused while locked out.
    retry = log_in(client, stranger.username, PASSWORD)
    assert retry.status_code == 429
    assert signed_in_as(client) is None
    assert AccessAttempt.objects.get(username=stranger.username).failures_since_start >= settings.AXES_FAILURE_LIMIT


def test_lockout_is_per_username_so_others_still_log_in(settings: Any, client: Client, stranger: User) -> None:
    other: User = UserFactory(username="olga")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, stranger.username, "wrong")

    response = log_in(client, other.username, PASSWORD)

    assert response.status_code == 302
    assert signed_in_as(client) == str(other.pk)


def test_success_before_the_limit_resets_the_count(settings: Any, client: Client, stranger: User) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, stranger.username, "wrong")

    assert log_in(client, stranger.username, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username=stranger.username).exists()


def test_login_form_enforces_csrf(stranger: User) -> None:
    browser = Client(enforce_csrf_checks=True)

    forged = log_in(browser, stranger.username, PASSWORD)
    assert forged.status_code == 403
    assert signed_in_as(browser) is None

    browser.get("/accounts/login/")
    token = browser.cookies["csrftoken"].value
    genuine = browser.post(
        "/accounts/login/", {"username": stranger.username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert genuine.status_code == 302
    assert signed_in_as(browser) == str(stranger.pk)

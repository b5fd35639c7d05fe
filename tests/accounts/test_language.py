"""Switching language: remembered on the user and applied on their next request, whatever the browser asks."""

import pytest
from django.test import Client

from chiptown.accounts.models import User
from chiptown.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def switch(client: Client, language: str, next_url: str = "/accounts/profile/") -> str:
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code == 302
    return str(response["Location"])


def test_language_switch_is_saved_on_the_user(stranger: User, stranger_client: Client) -> None:
    assert switch(stranger_client, "zh-hans") == "/accounts/profile/"

    stranger.refresh_from_db()
    assert stranger.language == "zh-hans"
    entry = AuditEntry.objects.get(action="user.set_language")
    assert (entry.before, entry.after) == ({"language": ""}, {"language": "zh-hans"})


def test_saved_language_applies_on_the_next_request_from_any_browser(stranger: User, stranger_client: Client) -> None:
    switch(stranger_client, "zh-hans")

    # Another browser: no language cookie, and it asks for English.
    other_browser = Client()
    other_browser.force_login(stranger)
    response = other_browser.get("/accounts/profile/", headers={"Accept-Language": "en"})

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in response.content.decode()


def test_switching_back_to_english(stranger: User, stranger_client: Client) -> None:
    switch(stranger_client, "zh-hans")
    switch(stranger_client, "en")

    response = stranger_client.get("/accounts/profile/", headers={"Accept-Language": "zh-hans"})

    assert response.headers["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()


def test_anonymous_switch_sets_only_the_cookie(client: Client) -> None:
    switch(client, "zh-hans", next_url="/accounts/login/")

    assert client.cookies["django_language"].value == "zh-hans"
    response = client.get("/accounts/login/")
    assert response.headers["Content-Language"] == "zh-hans"
    assert not AuditEntry.objects.exists()


def test_unknown_language_changes_nothing(stranger: User, stranger_client: Client) -> None:
    switch(stranger_client, "klingon")

    stranger.refresh_from_db()
    assert stranger.language == ""


def test_switch_never_redirects_off_site(stranger_client: Client) -> None:
    assert switch(stranger_client, "en", next_url="https://evil.example/") == "/"


def test_switch_needs_a_csrf_token(stranger: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(stranger)

    response = browser.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})

    assert response.status_code == 403
    stranger.refresh_from_db()
    assert stranger.language == ""

"""The account page where people create and revoke API tokens for their scripts."""

import re

import pytest
from django.test import Client

from chiptown.accounts import services
from chiptown.accounts.models import ApiToken, User
from chiptown.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_profile_needs_a_login(client: Client) -> None:
    response = client.get("/accounts/profile/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_create_a_token_shows_the_key_once(company_rep: User, rep_client: Client) -> None:
    response = rep_client.post("/accounts/profile/", {"name": "ERP sync"})

    assert response.status_code == 200
    match = re.search(r"<code>(ct_[A-Za-z0-9_-]+)</code>", response.content.decode())
    assert match is not None
    key = match.group(1)
    token = ApiToken.objects.get(user=company_rep)
    assert (token.name, token.prefix) == ("ERP sync", key[:8])
    assert token.digest != key  # only the digest is stored
    assert ApiToken.user_for_key(key) == company_rep
    assert AuditEntry.objects.filter(action="api_token.issue", actor=company_rep).count() == 1

    again = rep_client.get("/accounts/profile/").content.decode()
    assert "ERP sync" in again
    assert key not in again
    assert f"{key[:8]}…" in again


def test_a_token_needs_a_name(company_rep: User, rep_client: Client) -> None:
    response = rep_client.post("/accounts/profile/", {"name": "   "})

    assert response.status_code == 400
    assert "Give the token a name." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke_a_token(company_rep: User, rep_client: Client) -> None:
    token, key = services.api_token_issue(user=company_rep, name="old laptop")

    response = rep_client.post("/accounts/profile/", {"revoke": token.pk})

    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert ApiToken.user_for_key(key) is None
    assert AuditEntry.objects.filter(action="api_token.revoke", actor=company_rep).count() == 1


def test_cannot_revoke_someone_elses_token(operator: User, rep_client: Client) -> None:
    token, key = services.api_token_issue(user=operator, name="operator's script")

    response = rep_client.post("/accounts/profile/", {"revoke": token.pk})

    assert response.status_code == 404
    assert ApiToken.user_for_key(key) == operator


@pytest.mark.parametrize("bad", ["abc", "", "99999999999999999999999"])
def test_revoking_a_nonsense_id_is_404_not_500(company_rep: User, rep_client: Client, bad: str) -> None:
    services.api_token_issue(user=company_rep, name="keep me")

    response = rep_client.post("/accounts/profile/", {"revoke": bad})

    assert response.status_code == 404
    assert ApiToken.objects.filter(user=company_rep).count() == 1

"""Who may call the API: bearer tokens for scripts, session logins with CSRF for the browser."""

import json
from typing import Any

import pytest
from django.test import Client

from chiptown.accounts import services as account_services
from chiptown.accounts.models import ApiToken, User
from chiptown.core.models import AuditEntry
from chiptown.registry.models import Organisation

pytestmark = pytest.mark.django_db

API = "/api/v1"


def patch(client: Client, organisation: Organisation, body: dict[str, Any], **headers: str) -> Any:
    return client.patch(
        f"{API}/organisations/{organisation.pk}",
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


@pytest.fixture
def rep_key(company_rep: User) -> str:
    _token, key = account_services.api_token_issue(user=company_rep, name="nightly sync")
    return key


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_token_works_for_writes_without_a_session_or_csrf(
    company_rep: User, rep_key: str, company: Organisation
) -> None:
    script = Client(enforce_csrf_checks=True)

    response = patch(script, company, {"website": "https://alpha.example.cn"}, **bearer(rep_key))

    assert response.status_code == 200, response.content
    company.refresh_from_db()
    assert company.website == "https://alpha.example.cn"
    assert AuditEntry.objects.get(action="organisation.update").actor == company_rep
    assert ApiToken.objects.get(user=company_rep).last_used_at is not None


def test_representatives_token_cannot_change_another_company(rep_key: str, other_company: Organisation) -> None:
    response = patch(Client(), other_company, {"name_en": "Taken Over"}, **bearer(rep_key))

    assert response.status_code == 403
    other_company.refresh_from_db()
    assert other_company.name_en == "Beta Microelectronics"
    assert not AuditEntry.objects.filter(object_id=str(other_company.pk)).exists()


def test_revoked_token_is_401(company_rep: User, rep_key: str, company: Organisation) -> None:
    token = ApiToken.objects.get(user=company_rep)
    account_services.api_token_revoke(user=company_rep, token_id=token.pk)

    response = patch(Client(), company, {"city": "苏州"}, **bearer(rep_key))

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    company.refresh_from_db()
    assert company.city == "北京"


@pytest.mark.parametrize("key", ["ct_not-a-real-token", "", "   "])
def test_wrong_token_is_401_for_writes_and_reads(company: Organisation, key: str) -> None:
    write = patch(Client(), company, {"city": "苏州"}, **bearer(key))
    read = Client().get(f"{API}/organisations", headers=bearer(key))

    assert write.status_code == 401
    assert read.status_code == 401
    company.refresh_from_db()
    assert company.city == "北京"


def test_token_of_a_deactivated_user_is_401(company_rep: User, rep_key: str, company: Organisation) -> None:
    company_rep.is_active = False
    company_rep.save()

    response = patch(Client(), company, {"city": "苏州"}, **bearer(rep_key))

    assert response.status_code == 401


def test_other_authorization_schemes_are_anonymous(company: Organisation) -> None:
    headers = {"Authorization": "Basic cm9iaW46c2VjcmV0"}

    read = Client().get(f"{API}/organisations/{company.pk}", headers=headers)
    write = patch(Client(), company, {"city": "苏州"}, **headers)

    assert read.status_code == 200
    assert write.status_code == 401


def test_token_answers_in_the_users_saved_language(company_rep: User, rep_key: str) -> None:
    company_rep.language = "en"
    company_rep.save()

    response = Client().get(f"{API}/organisations/31337", headers={**bearer(rep_key), "Accept-Language": "zh-hans"})

    assert response.status_code == 404
    assert response.headers["Content-Language"] == "en"
    assert response.json()["message"] == "No organisation with id 31337."


# ------------------------------------------------------------------------------------------ session + CSRF


def _csrf_client(user: User) -> tuple[Client, str]:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    browser.get("/accounts/profile/")
    return browser, browser.cookies["csrftoken"].value


def test_session_write_without_csrf_token_is_refused(company_rep: User, company: Organisation) -> None:
    browser, _token = _csrf_client(company_rep)

    response = patch(browser, company, {"city": "苏州"})

    assert response.status_code == 403
    assert response.json()["code"] == "csrf"
    company.refresh_from_db()
    assert company.city == "北京"


def test_session_write_with_csrf_token_works(company_rep: User, company: Organisation) -> None:
    browser, token = _csrf_client(company_rep)

    response = patch(browser, company, {"city": "苏州"}, **{"X-CSRFToken": token})

    assert response.status_code == 200, response.content
    company.refresh_from_db()
    assert company.city == "苏州"


def test_session_reads_need_no_csrf_token(company_rep: User, company: Organisation) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(company_rep)

    assert browser.get(f"{API}/organisations/{company.pk}").status_code == 200

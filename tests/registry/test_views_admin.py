"""The registry's admin pages load for a superuser, and changes made there are audited."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chiptown.core.models import AuditEntry
from chiptown.registry.models import Organisation
from tests.factories import UserFactory
from tests.registry.registry_builders import build_registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_of_superuser() -> Client:
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", ["organisation", "product", "qualification", "supplylink", "person", "chipcategory"])
def test_admin_lists_and_change_pages_load(admin_client_of_superuser: Client, model: str) -> None:
    build_registry(3)
    listing = admin_client_of_superuser.get(reverse(f"admin:registry_{model}_changelist"), {"q": "测试"})
    assert listing.status_code == 200


def test_admin_change_is_audited(admin_client_of_superuser: Client, company: Organisation) -> None:
    url = reverse("admin:registry_organisation_change", args=[company.pk])
    page = admin_client_of_superuser.get(url)
    assert page.status_code == 200
    form: Any = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k not in {"logo"}}
    data.update({"city": "合肥", "in_park": "on" if company.in_park else ""})
    for prefix in ("roles", "people", "qualifications"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})

    response = admin_client_of_superuser.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    entry = AuditEntry.objects.get(action="organisation.admin_update")
    assert entry.before is not None and entry.after is not None
    assert (entry.before["city"], entry.after["city"]) == ("北京", "合肥")

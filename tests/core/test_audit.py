"""The audit log: append-only, changed fields only, and the operator's page to browse it."""

from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from chiptown.accounts.models import User
from chiptown.core.models import AuditEntry
from chiptown.core.services import audit_record, snapshot
from chiptown.registry.models import Organisation

pytestmark = pytest.mark.django_db


def test_audit_entries_cannot_be_changed_or_deleted(operator: User, company: Organisation) -> None:
    entry = audit_record(actor=operator, action="organisation.update", target=company, after={"city": "无锡"})

    entry.action = "something.else"
    with pytest.raises(TypeError, match="append-only"):
        entry.save()
    with pytest.raises(TypeError, match="append-only"):
        entry.delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.filter(pk=entry.pk).update(action="rewritten")
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.all().delete()
    with pytest.raises(TypeError, match="append-only"), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["action"])

    stored = AuditEntry.objects.get()
    assert (stored.action, stored.after) == ("organisation.update", {"city": "无锡"})


def test_audit_record_keeps_only_the_fields_that_changed(operator: User, company: Organisation) -> None:
    fields = ["name_en", "city", "province", "in_park"]
    before = snapshot(company, fields)
    company.city = "无锡"
    company.in_park = False
    company.save()

    entry = audit_record(
        actor=operator, action="organisation.update", target=company, before=before, after=snapshot(company, fields)
    )

    assert entry.before == {"city": "北京", "in_park": True}
    assert entry.after == {"city": "无锡", "in_park": False}
    assert (entry.object_type, entry.object_id, entry.object_repr) == (
        "registry.organisation",
        str(company.pk),
        "Alpha Semiconductor",  # str() in the active language (English in tests)
    )
    assert entry.actor == operator


def test_audit_record_without_a_signed_in_actor_is_the_system(company: Organisation) -> None:
    from django.contrib.auth.models import AnonymousUser

    entry = audit_record(actor=AnonymousUser(), action="import.run", target=company)

    assert entry.actor is None


def test_snapshot_makes_values_json_ready(company: Organisation) -> None:
    values = snapshot(company, ["credit_code", "founded_year", "created_at", "logo"])

    assert values["credit_code"] == company.credit_code
    assert values["founded_year"] == 2015
    assert isinstance(values["created_at"], str)
    assert values["logo"] is None


# ------------------------------------------------------------------------------------------ the operator's page


def _entries(n: int, actor: User, action: str = "organisation.update") -> None:
    for i in range(n):
        audit_record(
            actor=actor, action=action, object_type="registry.organisation", object_id=i, object_repr=f"Org {i}"
        )


def test_operator_browses_the_audit_log(operator: User, operator_client: Client) -> None:
    _entries(3, operator)

    response = operator_client.get("/core/audit/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<code>organisation.update</code>") == 3
    assert "Org 2" in html


def test_audit_log_search_and_action_filter(operator: User, company_rep: User, operator_client: Client) -> None:
    audit_record(
        actor=operator, action="organisation.create", object_type="x", object_id=1, object_repr="Horizon Robotics"
    )
    audit_record(
        actor=company_rep, action="product.update", object_type="x", object_id=2, object_repr="Black Sesame A1000"
    )

    by_name = operator_client.get("/core/audit/", {"q": "horizon"}).content.decode()
    by_user = operator_client.get("/core/audit/", {"q": "robin"}).content.decode()
    by_action = operator_client.get("/core/audit/", {"action": "product.update"}).content.decode()

    assert "Horizon Robotics" in by_name and "Black Sesame" not in by_name
    assert "Black Sesame" in by_user and "Horizon Robotics" not in by_user
    assert "Black Sesame" in by_action and "Horizon Robotics" not in by_action


def test_audit_log_is_paginated(operator: User, operator_client: Client) -> None:
    _entries(53, operator)

    first = operator_client.get("/core/audit/").content.decode()
    second = operator_client.get("/core/audit/", {"page": 2}).content.decode()

    assert first.count("<code>organisation.update</code>") == 50
    assert second.count("<code>organisation.update</code>") == 3
    assert "Page 1 of 2" in first
    # Newest first: the last three written are on the first page, the first three on the second.
    assert "Org 52" in first and "Org 0" in second


def test_audit_log_query_count_is_constant(
    operator: User, operator_client: Client, django_assert_max_num_queries: Any
) -> None:
    _entries(3, operator)
    with django_assert_max_num_queries(6):
        assert operator_client.get("/core/audit/").status_code == 200
    _entries(60, operator)
    with django_assert_max_num_queries(6):
        assert operator_client.get("/core/audit/").status_code == 200


@pytest.mark.parametrize("who", ["rep_client", "stranger_client"])
def test_audit_log_is_403_for_non_operators(request: pytest.FixtureRequest, operator: User, who: str) -> None:
    _entries(1, operator)
    client: Client = request.getfixturevalue(who)

    response = client.get("/core/audit/")

    assert response.status_code == 403
    html = response.content.decode()
    assert "Only operators can read the audit log." in html
    assert "Org 0" not in html
    assert any(t.name == "core/error.html" for t in response.templates)


def test_audit_log_sends_anonymous_visitors_to_log_in(client: Client) -> None:
    response = client.get("/core/audit/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

"""Forgotten passwords, and the first password of an account made for someone: a one-time emailed link."""

import re
from typing import Any

from django.test import Client

from tests.factories import UserFactory


def test_an_account_without_a_password_can_ask_for_a_link_and_choose_one(db: Any, mailoutbox: Any) -> None:
    user = UserFactory(username="li.na", email="li.na@example.com", language="en")
    user.set_unusable_password()
    user.save()
    client = Client()

    sent = client.post("/accounts/password/reset/", {"email": "LI.NA@example.com"})

    assert sent.status_code == 302 and sent["Location"] == "/accounts/password/reset/sent/"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["li.na@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/password/set/\S+)", mailoutbox[0].body)
    assert link is not None
    page = client.get(link.group(1), follow=True)
    assert page.context["validlink"]
    password = "sleek-wafer-Qualified-2027"
    saved = client.post(page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    assert saved.status_code == 302
    user.refresh_from_db()
    assert user.check_password(password)


def test_an_unknown_address_gets_the_same_answer_and_no_email(db: Any, mailoutbox: Any) -> None:
    answer = Client().post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert answer.status_code == 302 and answer["Location"] == "/accounts/password/reset/sent/"
    assert mailoutbox == []


def test_a_weak_password_is_refused_with_a_reason_and_nothing_changes(db: Any) -> None:
    from chiptown.accounts.services import password_set_url

    user = UserFactory(username="wang")
    before = user.password
    client = Client()
    page = client.get(password_set_url(user=user).split("8000", 1)[1], follow=True)
    answer = client.post(page.redirect_chain[-1][0], {"new_password1": "123", "new_password2": "123"})
    assert answer.status_code == 200
    assert answer.context["form"].errors["new_password2"]
    user.refresh_from_db()
    assert user.password == before

"""Account forms."""

from collections.abc import Iterator
from typing import Any

from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, which also reaches accounts that have no password yet: accounts made for invited speakers
    start without one, and their first link may have run out before they used it."""

    def get_users(self, email: str) -> Iterator[Any]:
        model = get_user_model()
        email_field = model.get_email_field_name()
        return iter(model._default_manager.filter(**{f"{email_field}__iexact": email, "is_active": True}))

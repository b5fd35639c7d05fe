"""Predicates every app's rules build on: who is an operator, who represents which organisation."""

from typing import Any

import rules


@rules.predicate
def is_operator(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role == "operator"))


@rules.predicate
def is_signed_in(user: Any) -> bool:
    return bool(user.is_authenticated)


rules.add_perm("core.view_auditentry", is_operator)
rules.add_perm("core.view_job", is_signed_in)


def require(user: Any, perm: str, target: Any = None, message: Any = None) -> None:
    """Raise PermissionDenied (a 403 with a message for people) unless `user` has `perm` on `target`."""
    from django.utils.translation import gettext

    from chiptown.core.errors import PermissionDenied

    if not user.has_perm(perm, target):
        raise PermissionDenied(message or gettext("You may not do this."))

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

"""Reads of the audit log and jobs."""

from typing import Any

from django.db.models import Q, QuerySet

from chiptown.core.models import AuditEntry, Job


def audit_entries(*, search: str = "", action: str = "", object_type: str = "") -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("actor")
    if action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if search:
        entries = entries.filter(
            Q(object_repr__icontains=search) | Q(actor__username__icontains=search) | Q(object_id=search)
        )
    return entries


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by().values_list("action", flat=True).distinct())


def job_visible_to(*, job_id: Any, user: Any) -> Job | None:
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        return None
    if user.is_superuser or getattr(user, "role", "") == "operator" or job.created_by_id == user.pk:
        return job
    return None

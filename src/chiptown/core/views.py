"""Health, the operator's audit-log browser and job progress pages."""

import uuid

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chiptown.core import selectors
from chiptown.core.errors import NotFound, PermissionDenied


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and task-queue health for load balancers and monitoring."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

    checks: dict[str, dict[str, object]] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:
        checks["database"] = {"ok": False, "error": str(exc)}
    # The backend itself, not the ConnectionProxy that django_tasks.default_task_backend is.
    backend = type(task_backends[DEFAULT_TASK_BACKEND_ALIAS]).__name__
    try:
        if backend == "RQBackend":
            import django_rq

            django_rq.get_connection("default").ping()
        elif backend == "DatabaseBackend":
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.exists()
        checks["tasks"] = {"ok": True, "backend": backend}
    except Exception as exc:
        checks["tasks"] = {"ok": False, "backend": backend, "error": str(exc)}
    healthy = all(bool(c["ok"]) for c in checks.values())
    return JsonResponse({"ok": healthy, "checks": checks}, status=200 if healthy else 503)


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("core.view_auditentry"):
        raise PermissionDenied(_("Only operators can read the audit log."))
    search = request.GET.get("q", "").strip()
    action = request.GET.get("action", "")
    entries = selectors.audit_entries(search=search, action=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit_log.html",
        {"page": page, "q": search, "action": action, "actions": selectors.audit_actions()},
    )


@login_required
def job_detail(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = selectors.job_visible_to(job_id=job_id, user=request.user)
    if job is None:
        raise NotFound(_("No such job."))
    template = "core/job_progress.html" if request.headers.get("HX-Request") else "core/job_detail.html"
    return render(request, template, {"job": job})

"""Writes shared by every app: audit entries and background-job progress."""

import datetime
import decimal
import sys
import traceback
import uuid
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from django.db import models
from django.utils import timezone

from chiptown.core.errors import ChipTownError
from chiptown.core.models import AuditEntry, Job


class Progress(Protocol):
    """Where long work reports how far it has got: a job row, a terminal bar, or nowhere."""

    def __call__(self, percent: int, message: str = "") -> None: ...


def no_progress(percent: int, message: str = "") -> None:
    """A progress sink that ignores everything (for callers that do not care)."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or None
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The audit-ready values of a row's concrete fields (foreign keys as ids)."""
    names = (
        list(fields) if fields is not None else [f.attname for f in instance._meta.concrete_fields if not f.primary_key]
    )
    return {name: _jsonable(getattr(instance, name)) for name in names}


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one row to the audit log. `actor` may be None for the system."""
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
        object_repr = object_repr or str(target)[:255]
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:255],
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )


def job_create(*, kind: str, title: str, by: Any = None) -> Job:
    return Job.objects.create(
        kind=kind, title=title[:255], created_by=by if getattr(by, "is_authenticated", False) else None
    )


class JobProgress:
    """Writes progress to a job row, at most once per whole percent, so polling pages see it move."""

    def __init__(self, job_id: uuid.UUID | str) -> None:
        self.job_id = job_id
        self.last = -1

    def __call__(self, percent: int, message: str = "") -> None:
        percent = max(0, min(100, int(percent)))
        if percent == self.last and not message:
            return
        self.last = percent
        fields: dict[str, Any] = {"progress": percent}
        if message:
            fields["message"] = message[:255]
        Job.objects.filter(pk=self.job_id).update(**fields)


def job_run(job_id: uuid.UUID | str, work: Callable[[Progress], dict[str, Any]]) -> dict[str, Any] | None:
    """Run `work` for a job: mark it running, record its result or its error, never raise for bad input."""
    Job.objects.filter(pk=job_id).update(status=Job.Status.RUNNING, started_at=timezone.now())
    try:
        result = work(JobProgress(job_id))
    except ChipTownError as exc:
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED, error=exc.as_dict(), finished_at=timezone.now(), message=exc.message[:255]
        )
        return None
    except Exception as exc:
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED,
            error={"code": "internal", "message": repr(exc), "traceback": traceback.format_exc()[-4000:]},
            finished_at=timezone.now(),
        )
        raise
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.SUCCEEDED, progress=100, result=_jsonable(result), finished_at=timezone.now()
    )
    return result


class TerminalProgress:
    """A progress bar on stderr for management commands."""

    def __init__(self, label: str, stream: Any = None, width: int = 30) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.last = -1

    def __call__(self, percent: int, message: str = "") -> None:
        percent = max(0, min(100, int(percent)))
        if percent == self.last and not message:
            return
        self.last = percent
        filled = self.width * percent // 100
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {percent:3d}% {message[:40]:<40}")
        if percent >= 100:
            self.stream.write("\n")
        self.stream.flush()


# Labels for the keys of jobs' results, shown on the job page in the reader's language (lazy translations).
JOB_RESULT_LABELS: dict[str, Any] = {}


def job_result_labels_register(labels: dict[str, Any]) -> None:
    """Each app names its jobs' result keys once (e.g. in tasks.py); unnamed keys are shown as they are."""
    JOB_RESULT_LABELS.update(labels)

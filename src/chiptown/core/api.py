"""Job progress over the API, so scripts can follow an import."""

import uuid
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from chiptown.core import selectors
from chiptown.core.errors import NotFound

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: uuid.UUID
    kind: str
    title: str
    status: str
    progress: int
    message: str
    result: Any = None
    error: Any = None
    created_at: datetime
    finished_at: datetime | None = None


@router.get("/{job_id}", response=JobOut)
def job_detail(request: HttpRequest, job_id: uuid.UUID) -> Any:
    if not request.user.is_authenticated:
        raise NotFound("No such job.")
    job = selectors.job_visible_to(job_id=job_id, user=request.user)
    if job is None:
        raise NotFound("No such job.")
    return job

"""Small background tasks for the worker tests; importable by module path as django_tasks requires."""

from typing import Any

from django_tasks import task

from chiptown.core.errors import ChipTownError, Problem
from chiptown.core.models import Job
from chiptown.core.services import Progress, job_run


@task()
def count_to(job_id: str, steps: int) -> dict[str, Any] | None:
    """Count to `steps`, reporting progress on the job; the result records what the job row showed mid-way."""

    def work(progress: Progress) -> dict[str, Any]:
        seen = []
        for step in range(1, steps + 1):
            progress(step * 100 // (steps + 1), f"step {step} of {steps}")
            seen.append(Job.objects.values_list("progress", flat=True).get(pk=job_id))
        return {"counted": steps, "seen": seen}

    return job_run(job_id, work)


@task()
def refuse(job_id: str) -> dict[str, Any] | None:
    """Fail the way a bad import does: an expected error with problems."""

    def work(progress: Progress) -> dict[str, Any]:
        progress(10, "checking")
        raise ChipTownError("Nothing imported.", problems=[Problem(reason="bad code", row=2, column="credit_code")])

    return job_run(job_id, work)

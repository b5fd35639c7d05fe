"""Background work through the Django Tasks API: queued on the database and run by `chiptown db_worker`, or
queued on the real Redis and run by an RQ worker; either way the job row shows progress and the outcome."""

import uuid
from collections.abc import Iterator
from typing import Any

import django_rq
import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_rq.backend import Job as RQTaskJob
from rq import SimpleWorker

from chiptown.accounts.models import User
from chiptown.core.models import Job
from chiptown.core.services import job_create
from tests.core.tasks_for_tests import count_to, refuse

REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def database_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_database_backend_queues_and_db_worker_runs_the_task(database_tasks: None, operator: User) -> None:
    job = job_create(kind="test", title="Count to four", by=operator)

    result = count_to.enqueue(str(job.pk), 4)

    # Really queued: a row waits for a worker and the job has not started.
    assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.READY
    job.refresh_from_db()
    assert (job.status, job.progress) == (Job.Status.QUEUED, 0)

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.progress == 100
    assert job.result == {"counted": 4, "seen": [20, 40, 60, 80]}
    assert job.message == "step 4 of 4"
    assert job.started_at is not None and job.finished_at is not None
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"counted": 4, "seen": [20, 40, 60, 80]}


@pytest.mark.django_db(transaction=True)
def test_db_worker_records_an_expected_failure_on_the_job(database_tasks: None, operator: User) -> None:
    job = job_create(kind="test", title="Refuse", by=operator)
    result = refuse.enqueue(str(job.pk))

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == {
        "code": "invalid",
        "message": "Nothing imported.",
        "problems": [{"reason": "bad code", "row": 2, "column": "credit_code"}],
    }
    # An expected failure is the job's outcome, not a crash of the task.
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL


@pytest.fixture
def redis_tasks(settings: Any) -> Iterator[str]:
    """The RQ backend on the real Redis (database 15), on a queue of this test's own."""
    queue_name = f"chiptown-test-{uuid.uuid4().hex[:12]}"
    settings.RQ_QUEUES = {"default": {"URL": REDIS_TEST_URL}, queue_name: {"URL": REDIS_TEST_URL}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default", queue_name]}}
    yield queue_name
    django_rq.get_queue(queue_name).delete(delete_jobs=True)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_rq_backend_queues_on_redis_and_a_burst_worker_runs_the_task(redis_tasks: str, operator: User) -> None:
    job = job_create(kind="test", title="Count to three", by=operator)

    result = count_to.using(queue_name=redis_tasks).enqueue(str(job.pk), 3)

    queue = django_rq.get_queue(redis_tasks, job_class=RQTaskJob)
    assert queue.job_ids == [result.id]
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED

    # SimpleWorker runs jobs in this process (no fork), so it shares the test database connection.
    worker = SimpleWorker([queue], connection=queue.connection, job_class=RQTaskJob)
    worker.work(burst=True)

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.progress == 100
    assert job.result == {"counted": 3, "seen": [25, 50, 75]}
    assert queue.count == 0
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"counted": 3, "seen": [25, 50, 75]}

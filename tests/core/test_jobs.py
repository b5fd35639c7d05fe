"""Background-job records: progress, outcome, and the page that shows them."""

import io
from typing import Any

import pytest
from django.test import Client

from chiptown.accounts.models import User
from chiptown.core.errors import ChipTownError, Problem
from chiptown.core.models import Job
from chiptown.core.services import JobProgress, Progress, TerminalProgress, job_create, job_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(operator: User) -> Job:
    return job_create(kind="import", title="Import organisations", by=operator)


def test_job_progress_writes_percent_and_message(job: Job) -> None:
    progress = JobProgress(job.pk)

    progress(37, "Row 370 of 1000")

    job.refresh_from_db()
    assert (job.progress, job.message) == (37, "Row 370 of 1000")


def test_job_progress_is_clamped_to_0_100(job: Job) -> None:
    progress = JobProgress(job.pk)

    progress(250)
    job.refresh_from_db()
    assert job.progress == 100

    progress(-5)
    job.refresh_from_db()
    assert job.progress == 0


def test_job_progress_skips_writes_that_change_nothing(job: Job, django_assert_num_queries: Any) -> None:
    progress = JobProgress(job.pk)
    progress(10)

    with django_assert_num_queries(0):
        progress(10)
    with django_assert_num_queries(1):
        progress(10, "still at ten")


def test_job_run_records_success_and_result(job: Job) -> None:
    def work(progress: Progress) -> dict[str, Any]:
        progress(50, "half way")
        return {"created": 12, "unchanged": 3}

    result = job_run(job.pk, work)

    assert result == {"created": 12, "unchanged": 3}
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.progress == 100
    assert job.result == {"created": 12, "unchanged": 3}
    assert job.error is None
    assert job.started_at is not None and job.finished_at is not None
    assert job.is_finished


def test_job_run_records_an_expected_failure_with_its_problems(job: Job) -> None:
    def work(progress: Progress) -> dict[str, Any]:
        progress(30, "validating")
        raise ChipTownError(
            "2 rows are wrong; nothing was imported.",
            problems=[
                Problem(reason="bad check character", row=3, column="credit_code"),
                Problem(reason="unknown category", row=7, column="category"),
            ],
        )

    assert job_run(job.pk, work) is None

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == "2 rows are wrong; nothing was imported."
    assert job.error == {
        "code": "invalid",
        "message": "2 rows are wrong; nothing was imported.",
        "problems": [
            {"reason": "bad check character", "row": 3, "column": "credit_code"},
            {"reason": "unknown category", "row": 7, "column": "category"},
        ],
    }
    assert job.progress == 30
    assert job.finished_at is not None


def test_job_run_marks_an_unexpected_error_failed_and_re_raises_it(job: Job) -> None:
    def work(progress: Progress) -> dict[str, Any]:
        raise ZeroDivisionError("division by zero")

    with pytest.raises(ZeroDivisionError):
        job_run(job.pk, work)

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error is not None
    assert job.error["code"] == "internal"
    assert "ZeroDivisionError" in job.error["message"]
    assert "Traceback" in job.error["traceback"]


def test_terminal_progress_draws_a_bar() -> None:
    stream = io.StringIO()
    bar = TerminalProgress("Import", stream=stream, width=10)

    bar(50, "half")
    bar(100, "done")

    lines = stream.getvalue()
    assert "Import [#####-----]  50% half" in lines
    assert "Import [##########] 100% done" in lines
    assert lines.endswith("\n")


# ------------------------------------------------------------------------------------------ the job page


def test_job_page_shows_progress(job: Job, operator_client: Client) -> None:
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, progress=42, message="Row 420 of 1000")

    response = operator_client.get(f"/core/jobs/{job.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<progress max="100" value="42"' in html
    assert "Row 420 of 1000" in html
    assert "<html" in html
    # A running job polls for its own progress.
    assert f'hx-get="/core/jobs/{job.pk}/"' in html


def test_job_page_partial_for_htmx_polling(job: Job, operator_client: Client) -> None:
    Job.objects.filter(pk=job.pk).update(status=Job.Status.SUCCEEDED, progress=100, result={"created": 5})

    response = operator_client.get(f"/core/jobs/{job.pk}/", headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert '<progress max="100" value="100"' in html
    assert "hx-get" not in html  # finished: polling stops
    assert "<dt>created</dt><dd>5</dd>" in html


def test_failed_job_page_lists_the_problems(job: Job, operator_client: Client) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED,
        error={
            "code": "invalid",
            "message": "Nothing imported.",
            "problems": [{"row": 4, "column": "share", "reason": "above 100 %"}],
        },
    )

    html = operator_client.get(f"/core/jobs/{job.pk}/").content.decode()

    assert "Nothing imported." in html
    assert "Row 4 · share: above 100 %" in html


def test_someone_elses_job_page_is_404(job: Job, stranger_client: Client, rep_client: Client) -> None:
    for client in (stranger_client, rep_client):
        response = client.get(f"/core/jobs/{job.pk}/")
        assert response.status_code == 404
        assert "No such job." in response.content.decode()
        assert "Import organisations" not in response.content.decode()


def test_own_job_page_is_visible_to_its_creator(stranger: User, stranger_client: Client) -> None:
    own = job_create(kind="export", title="Export products", by=stranger)

    assert stranger_client.get(f"/core/jobs/{own.pk}/").status_code == 200


def test_job_page_query_count_is_constant(
    job: Job, operator_client: Client, django_assert_max_num_queries: Any
) -> None:
    # session + user + the job; the page lists nothing that grows.
    with django_assert_max_num_queries(3):
        assert operator_client.get(f"/core/jobs/{job.pk}/").status_code == 200


def test_job_page_names_result_keys_in_the_readers_words(operator: User, operator_client: Client) -> None:
    job = Job.objects.create(
        kind="competitions.assignment",
        title="Assignment",
        status=Job.Status.SUCCEEDED,
        progress=100,
        result={"total_fit_to_bound_ratio": 1.0, "unlabelled_key": 3},
        created_by=operator,
    )

    html = operator_client.get(f"/core/jobs/{job.pk}/").content.decode()

    assert "Total fit against its upper bound" in html
    assert "total_fit_to_bound_ratio" not in html
    assert "unlabelled_key" in html

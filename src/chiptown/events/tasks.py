"""Background jobs of the conference: thin wrappers that run a service and report progress on a core Job.
Each part adds its own block."""

# --- Programme: telling people what changed when a version is published ------------------------------------------

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy
from django_tasks import task

from chiptown.core.services import Progress, job_result_labels_register, job_run

job_result_labels_register({"people": gettext_lazy("People concerned"), "emails": gettext_lazy("Emails sent")})


@task()
def tell_programme_changes(job_id: str, version_id: int, language: str = "") -> dict[str, Any] | None:
    """Email everyone whose agenda holds a session a published version changed
    (services.programme.programme_notify), reporting how many people are done on the job."""
    from chiptown.events.models import ProgrammeVersion
    from chiptown.events.services.programme import programme_notify

    version = ProgrammeVersion.objects.get(pk=version_id)

    def work(progress: Progress) -> dict[str, Any]:
        return programme_notify(version=version, progress=progress)

    with translation.override(language or settings.LANGUAGE_CODE):
        return job_run(job_id, work)


# --- Seats: passing on a freed seat whose offer ran out -----------------------------------------------------------

from django_tasks import task  # noqa: E402


@task()
def expire_seat_offers(session_id: int) -> int:
    """Queued with `run_after` set to an offer's deadline: offers of the session that ran out pass their seats on
    (services.seats.offers_expire). Returns how many ran out; 0 when the person answered in time."""
    from chiptown.events.models import Session
    from chiptown.events.services.seats import offers_expire

    session = Session.objects.filter(pk=session_id).first()
    return offers_expire(session=session) if session is not None else 0


# --- Registration: badge emails in bulk ---------------------------------------------------------------------------

from typing import Any  # noqa: E402

from django.utils.translation import gettext_lazy  # noqa: E402
from django_tasks import task  # noqa: E402

from chiptown.core.services import Progress as _BadgeProgress  # noqa: E402
from chiptown.core.services import job_result_labels_register as _badge_labels_register  # noqa: E402
from chiptown.core.services import job_run as _badge_job_run  # noqa: E402

_badge_labels_register({"badges": gettext_lazy("Badges emailed")})


@task()
def send_badges(job_id: str, registration_ids: list[int], language: str = "") -> dict[str, Any] | None:
    """Email their badges to the confirmed people among `registration_ids` (services.registrations
    .registration_send_badge, each in the person's own language), reporting how many are done on the job."""
    from django.conf import settings
    from django.utils import translation

    from chiptown.events.models import Registration, RegistrationStatus
    from chiptown.events.services.registrations import registration_send_badge

    def work(progress: _BadgeProgress) -> dict[str, Any]:
        registrations = list(
            Registration.objects.select_related("event", "user")
            .filter(pk__in=registration_ids, status=RegistrationStatus.CONFIRMED)
            .order_by("pk")
        )
        sent = 0
        for done, registration in enumerate(registrations, start=1):
            sent += registration_send_badge(registration=registration)
            progress(100 * done // len(registrations))
        return {"badges": sent}

    with translation.override(language or settings.LANGUAGE_CODE):
        return _badge_job_run(job_id, work)

"""Background jobs of the conference: thin wrappers that run a service and report progress on a core Job.
Each part adds its own block."""

# --- Programme: telling people what changed when a version is published ------------------------------------------

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

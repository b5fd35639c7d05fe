"""Who may do what at the conference. Predicates here; permissions registered at the bottom."""

from typing import Any

import rules

from chiptown.core.rules import is_operator, is_signed_in


@rules.predicate
def is_speaker_self(user: Any, speaker: Any) -> bool:
    """The speaker's own account (the registry person's linked user)."""
    if speaker is None or not user.is_authenticated:
        return False
    return bool(speaker.person.user_id == user.pk)


@rules.predicate
def is_event_staff(user: Any, event: Any) -> bool:
    """Check-in desk staff: operators, and people registered as staff at this event."""
    if not user.is_authenticated:
        return False
    if is_operator(user):
        return True
    if event is None:
        return False
    from chiptown.events.models import AttendeeType, Registration, RegistrationStatus

    return Registration.objects.filter(
        event=event, user=user, attendee_type=AttendeeType.STAFF, status=RegistrationStatus.CONFIRMED
    ).exists()


@rules.predicate
def owns_registration(user: Any, registration: Any) -> bool:
    return bool(registration is not None and user.is_authenticated and registration.user_id == user.pk)


rules.add_perm("events.manage", is_operator)  # events, rooms, tracks, sessions, speakers, invitations, exports
rules.add_perm("events.change_speaker", is_operator | is_speaker_self)
rules.add_perm("events.register", is_signed_in)
rules.add_perm("events.change_registration", is_operator | owns_registration)
rules.add_perm("events.check_in", is_event_staff)


# --- Speakers and materials (part C) -----------------------------------------------------------------------------


@rules.predicate
def is_session_speaker(user: Any, session: Any) -> bool:
    """One of the session's own speakers (moderators and panellists too), unless they declined to speak."""
    if session is None or not user.is_authenticated:
        return False
    from chiptown.events.models import SessionSpeaker, SpeakerStatus

    return (
        SessionSpeaker.objects.filter(session=session, speaker__person__user=user)
        .exclude(speaker__status=SpeakerStatus.DECLINED)
        .exists()
    )


rules.add_perm("events.change_material", is_operator | is_session_speaker)  # upload and remove a session's files

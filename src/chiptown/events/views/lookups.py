"""The rows a conference URL names, or a 404: shared by every view module."""

from django.http import Http404
from django.utils.translation import gettext as _

from chiptown.events import selectors
from chiptown.events.models import Event, Session


def event_or_404(slug: str) -> Event:
    event = selectors.event_by_slug(slug=slug)
    if event is None:
        raise Http404(_("No such event."))
    return event


def session_or_404(event: Event, pk: int) -> Session:
    session = Session.objects.select_related("event", "room", "track").filter(event=event, pk=pk).first()
    if session is None:
        raise Http404(_("No such session."))
    return session

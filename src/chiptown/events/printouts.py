"""The printable programme (WeasyPrint, A4): the published sessions day by day in start order, with room, track,
type and speakers, times in the event's zone, page numbers, the date it was generated, and a demo-data mark."""

from django.template.loader import render_to_string
from django.utils import timezone

from chiptown.events.calendars import absolute_url
from chiptown.events.selectors import PublishedProgramme


def programme_pdf(*, programme: PublishedProgramme) -> bytes:
    """The programme as a PDF in the active language (names and titles fall back to the other language)."""
    from weasyprint import HTML

    event = programme.event
    html = render_to_string(
        "events/public/programme_pdf.html",
        {
            "event": event,
            "programme": programme,
            "days": [day for day in programme.days if day.sessions],
            "generated_at": timezone.localtime(timezone=event.zone),
            "site_url": absolute_url(event.get_absolute_url()),
        },
    )
    return bytes(HTML(string=html, base_url=absolute_url("/")).write_pdf())


def programme_filename(programme: PublishedProgramme) -> str:
    return f"{programme.event.slug}-programme-v{programme.version}.pdf"

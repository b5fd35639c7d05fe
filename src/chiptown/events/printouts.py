"""The printable programme (WeasyPrint, A4): the published sessions day by day in start order, with room, track,
type and speakers, times in the event's zone, page numbers, the date it was generated, and a demo-data mark.

Laying out a 300-session programme takes WeasyPrint seconds, so the PDF is cached under a hash of the HTML it is
made from: any change that shows (a new version, a renamed room, another language, the next day's date) makes a
new PDF, and nothing stale is ever served."""

import hashlib

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

from chiptown.core.addresses import absolute_url
from chiptown.events.selectors import PublishedProgramme

CACHE_SECONDS = 24 * 3600


def programme_html(*, programme: PublishedProgramme) -> str:
    event = programme.event
    return render_to_string(
        "events/public/programme_pdf.html",
        {
            "event": event,
            "programme": programme,
            "days": [day for day in programme.days if day.sessions],
            "generated_on": timezone.localdate(timezone=event.zone),
            "site_url": absolute_url(event.get_absolute_url()),
        },
    )


def programme_pdf(*, programme: PublishedProgramme) -> bytes:
    """The programme as a PDF in the active language (names and titles fall back to the other language)."""
    html = programme_html(programme=programme)
    key = "events:programme-pdf:" + hashlib.sha256(html.encode()).hexdigest()
    cached = cache.get(key)
    if isinstance(cached, bytes):
        return cached
    from weasyprint import HTML

    pdf = bytes(HTML(string=html, base_url=absolute_url("/")).write_pdf())
    cache.set(key, pdf, CACHE_SECONDS)
    return pdf


def programme_filename(programme: PublishedProgramme) -> str:
    return f"{programme.event.slug}-programme-v{programme.version}.pdf"
